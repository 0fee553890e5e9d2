import { parseArgs, type ParseArgsConfig } from 'node:util';
import { onStopSignal } from './stopSignals';

/** The command line needs a fix (a missing, unknown or invalid option): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of every command: 0 done, 1 runtime failure, 2 usage error, 130 stopped by Ctrl-C. */
export function exitCodeFor(error: unknown): 1 | 2 {
  return error instanceof UsageError ? 2 : 1;
}

/** node:util parseArgs with errors that name the option and the fix. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, help: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${help}`);
  }
}

export function integerOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** Repeated `--map TARGET=SOURCE` flags (import-legacy, provision-users) as a mapping object. */
export function mapOption(flags: readonly string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0 || at === flag.length - 1) throw new UsageError(`--map ${flag}: write TARGET=SOURCE, e.g. --map username=UserName or --map attributes.city=City`);
    mapping[flag.slice(0, at).trim()] = flag.slice(at + 1).trim();
  }
  return mapping;
}

/**
 * Runs a long command that stops cleanly on Ctrl-C: the first SIGINT aborts the signal (the command finishes
 * what is in flight and saves its checkpoint), a second one quits at once with 130 (stopSignals.ts).
 */
export async function runStoppable(stoppingMessage: string, run: (stop: AbortSignal) => Promise<number>): Promise<number> {
  const stop = new AbortController();
  const stopListening = onStopSignal(['SIGINT'], () => {
    process.stderr.write(`\n${stoppingMessage}\n`);
    stop.abort();
  });
  try {
    return await run(stop.signal);
  } finally {
    stopListening();
  }
}
