/**
 * What an operations command touches outside itself: the environment (Graph URL and token), its two output
 * streams and the clock. Commands take it as a parameter so tests run them in-process against emulators.
 */
import { exitCodeFor } from '../commands/args';
import { errorMessage } from './files';

export interface CommandIo {
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  now(): Date;
}

export function processIo(): CommandIo {
  return {
    env: process.env,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    now: () => new Date(),
  };
}

/** Exit codes: 0 ok, 1 failure, 2 usage. Errors are ours and already name the fix, so no stack is printed. */
export async function withExitCode(io: CommandIo, name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    io.err(`jitmigrate ${name}: ${errorMessage(error)}\n`);
    return exitCodeFor(error);
  }
}
