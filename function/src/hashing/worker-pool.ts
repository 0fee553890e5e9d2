import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type PiscinaPool from 'piscina';
import type { DeriveOutput, DeriveTask } from './derive/tasks';

/**
 * piscina is loaded from node_modules at run time rather than bundled: it starts its threads
 * from its own dist/worker.js, found next to its code, which a bundle doesn't carry along.
 * (node_modules ships beside the bundles anyway, for the native bcrypt and argon2 addons.)
 */
function loadPiscina(): typeof PiscinaPool {
  return createRequire(__filename)('piscina') as typeof PiscinaPool;
}

/** What the schemes need: run one derivation on a hash thread, off the event loop and off libuv's pool. */
export interface OffThread {
  /**
   * An aborted `signal` (the callout's deadline) takes a queued task out of the queue and stops the
   * thread running a started one, so abandoned work does not hold up the requests behind it.
   */
  derive<T extends DeriveTask>(task: T, signal?: AbortSignal): Promise<DeriveOutput<T>>;
}

export interface WorkerPool extends OffThread {
  /**
   * Starts the first hash thread now instead of at the first derive, without waiting for it: a derive that
   * comes before it is up waits in the pool's queue. A failure to start is left for that derive to report.
   */
  warmUp(): void;
  /** Destroys the threads; the next derive starts a new pool. Safe to call repeatedly. */
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  readonly workerFile?: string;
  readonly maxWorkers?: number;
}

export const WORKER_BUNDLE_NAME = 'hash-worker.cjs';

/**
 * Where the bundled worker may be, in order: an explicit path; beside the running bundle
 * (dist/function/main.cjs); beside the CLI bundle (dist/cli/jitmigrate.cjs → dist/function);
 * and, when running from source (jest, where this file is function/src/hashing), the repo's dist.
 */
export function workerFileCandidates(explicit?: string): string[] {
  return [
    ...(explicit ? [explicit] : []),
    path.join(__dirname, WORKER_BUNDLE_NAME),
    path.join(__dirname, '..', 'function', WORKER_BUNDLE_NAME),
    path.join(__dirname, '..', '..', '..', 'dist', 'function', WORKER_BUNDLE_NAME),
  ];
}

export function resolveWorkerFile(candidates: readonly string[]): string {
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(
      `the password-hash worker bundle ${WORKER_BUNDLE_NAME} was not found (looked in: ${candidates.join(', ')}); run \`npm run build\` first`,
    );
  }
  return found;
}

/** One hash thread per core: more would only queue in the kernel instead of in the pool, at the event loop's cost. */
function defaultMaxWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** A piscina pool created on first use, so importing the registry costs nothing. */
export function createWorkerPool(options: WorkerPoolOptions = {}): WorkerPool {
  const maxThreads = options.maxWorkers ?? defaultMaxWorkers();
  if (!Number.isSafeInteger(maxThreads) || maxThreads < 1) throw new RangeError('maxWorkers must be a positive integer');
  let pool: PiscinaPool<DeriveTask, string | Uint8Array> | undefined;

  const open = (): PiscinaPool<DeriveTask, string | Uint8Array> => {
    if (!pool) {
      const Piscina = loadPiscina();
      pool = new Piscina<DeriveTask, string | Uint8Array>({
        filename: resolveWorkerFile(workerFileCandidates(options.workerFile)),
        minThreads: 1,
        maxThreads,
        // Threads beyond the first are stopped after a quiet minute.
        idleTimeout: 60_000,
      });
    }
    return pool;
  };

  return {
    async derive<T extends DeriveTask>(task: T, signal?: AbortSignal): Promise<DeriveOutput<T>> {
      return (await open().run(task, signal ? { signal } : {})) as DeriveOutput<T>;
    },
    warmUp() {
      try {
        open();
      } catch {
        // The first derive opens the pool again and reports what is wrong (a missing worker bundle).
      }
    },
    async close() {
      const running = pool;
      pool = undefined;
      if (running) await running.destroy();
    },
  };
}
