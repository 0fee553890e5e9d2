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
  /** The stream behind `err`, when there is one: progress bars draw on it (a terminal gets a live bar). */
  readonly errStream?: NodeJS.WriteStream;
}

export function processIo(): CommandIo {
  return {
    env: process.env,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    now: () => new Date(),
    errStream: process.stderr,
  };
}

/** `io.errStream`, or `io.err` as a plain (non-terminal) stream for progress lines. */
export function progressStream(io: CommandIo): NodeJS.WriteStream {
  if (io.errStream) return io.errStream;
  const write = (chunk: string | Uint8Array) => {
    io.err(String(chunk));
    return true;
  };
  return { write, isTTY: false } as unknown as NodeJS.WriteStream;
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
