/**
 * `npm run bench`'s cold start of the bundled host: `jitmigrate serve` spawned as an operator runs it (the
 * launcher, which loads dist/cli/jitmigrate.cjs), timed from the spawn to its first answer to a real
 * passwordSubmit callout (200 with MigratePassword: token, JWE, look-up and verify all done), against the fake
 * Entra on loopback. Two users: one with a microsecond hash (the start-up and the pipeline alone) and one with
 * bcrypt cost 10 (a real legacy hash: its first answer also waits for a hash thread). With Node's compile cache
 * (the first start fills it, and is shown apart) and without it; each start is a fresh process, spawned after
 * the previous one has exited.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The launcher an operator runs, from the CLI bundle's directory (dist/cli). */
const LAUNCHER = path.resolve(__dirname, '..', '..', 'scripts', 'bin', 'jitmigrate.cjs');
const GIVE_UP_MS = 30_000;
const POLL_MS = 5;
export const COLD_START_TARGET_MS = 300;

export interface ColdStartRequest {
  readonly authorization: string;
  readonly body: string;
}

/** Makes a new callout (a fresh nonce) for every start, before its timing begins. */
export type ColdStartRequests = () => Promise<ColdStartRequest>;

export interface ColdStarts {
  /** The microsecond-hash user, with a compile cache that an earlier start filled: the target's figure. */
  readonly cached: number[];
  /** The bcrypt (cost 10) user, compile cache filled. */
  readonly cachedBcrypt: number[];
  /** The microsecond-hash user with the compile cache turned off (NODE_DISABLE_COMPILE_CACHE=1). */
  readonly uncached: number[];
  /** The first start after a build, which compiles the bundle and fills the cache. */
  readonly filling?: number;
}

/** `runs` starts of each kind. */
export async function measureColdStarts(runs: number, settings: Record<string, string>, users: { fastHash: ColdStartRequests; bcrypt: ColdStartRequests }): Promise<ColdStarts> {
  if (runs === 0) return { cached: [], cachedBcrypt: [], uncached: [] };
  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-bench-compile-cache-'));
  // The operator's own cache settings would make the figures depend on what ran before.
  const { NODE_COMPILE_CACHE: _cache, NODE_DISABLE_COMPILE_CACHE: _disabled, ...inherited } = process.env;
  const withCache = { ...inherited, ...settings, NODE_COMPILE_CACHE: cacheDir };
  const withoutCache = { ...inherited, ...settings, NODE_DISABLE_COMPILE_CACHE: '1' };
  try {
    const filling = await timeOneStart(withCache, await users.fastHash());
    const starts = { cached: [] as number[], cachedBcrypt: [] as number[], uncached: [] as number[] };
    // Interleaved, so a busy moment on the machine weighs on every kind alike.
    for (let n = 0; n < runs; n++) {
      starts.cached.push(await timeOneStart(withCache, await users.fastHash()));
      starts.cachedBcrypt.push(await timeOneStart(withCache, await users.bcrypt()));
      starts.uncached.push(await timeOneStart(withoutCache, await users.fastHash()));
    }
    return { ...starts, filling };
  } finally {
    await fs.rm(cacheDir, { recursive: true, force: true });
  }
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function describeColdStarts(starts: ColdStarts): string[] {
  if (starts.cached.length === 0) return ['cold start: skipped'];
  const list = (samples: readonly number[]): string => samples.map((s) => s.toFixed(0)).join(', ');
  const cached = median(starts.cached);
  const row = (label: string, samples: readonly number[]): string => `  ${label}: median ${median(samples).toFixed(0)} ms (${list(samples)} ms)`;
  return [
    `cold start of the bundled host (\`jitmigrate serve\` spawned → its first answer to a real passwordSubmit, 200 MigratePassword), ${starts.cached.length} runs each:`,
    row("{SSHA} user (µs hash), Node's compile cache filled", starts.cached),
    row('bcrypt (cost 10) user, compile cache filled', starts.cachedBcrypt),
    row('{SSHA} user, no compile cache (NODE_DISABLE_COMPILE_CACHE=1)', starts.uncached),
    ...(starts.filling === undefined ? [] : [`  the first start after a build, which fills the compile cache ({SSHA} user): ${starts.filling.toFixed(0)} ms`]),
    `  target: median ≤ ${COLD_START_TARGET_MS} ms ({SSHA} user, compile cache filled): ${cached <= COLD_START_TARGET_MS ? 'MET' : 'MISSED'}`,
  ];
}

async function timeOneStart(env: NodeJS.ProcessEnv, request: ColdStartRequest): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [LAUNCHER, 'serve', '--port', String(port)], { env, stdio: 'ignore' });
  let exitedEarly = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => ((exitedEarly = true), resolve())));
  try {
    for (;;) {
      if (exitedEarly) throw new Error(`bench: the bundled host exited before answering (exit code ${child.exitCode ?? child.signalCode}): run jitmigrate serve with the same settings to see why`);
      if (performance.now() - started > GIVE_UP_MS) throw new Error(`bench: the bundled host did not answer within ${GIVE_UP_MS / 1000} s`);
      const answer = await post(port, request);
      if (answer !== undefined) {
        const elapsed = performance.now() - started;
        if (answer.status !== 200 || answer.action !== 'MigratePassword') {
          throw new Error(`bench: the bundled host's first answer was ${answer.status} ${answer.action ?? ''}, not 200 MigratePassword: run jitmigrate serve with the same settings to see why`);
        }
        return elapsed;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    // Wait for the exit: the next start must not share the CPU with this one, and the cache is written at exit.
    child.kill('SIGTERM');
    await exited;
  }
}

/** The answer, or undefined while nothing listens on the port yet. */
async function post(port: number, request: ColdStartRequest): Promise<{ status: number; action?: string } | undefined> {
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${port}/api/onPasswordSubmit`, {
      method: 'POST',
      headers: { authorization: request.authorization, 'content-type': 'application/json' },
      body: request.body,
    });
  } catch {
    return undefined;
  }
  const body = (await response.json().catch(() => undefined)) as { data?: { actions?: { '@odata.type'?: string }[] } } | undefined;
  return { status: response.status, action: body?.data?.actions?.[0]?.['@odata.type']?.replace('microsoft.graph.passwordSubmit.', '') };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
