/**
 * How a command hears that it should stop. One Ctrl-C can arrive twice within milliseconds: the terminal
 * signals its whole foreground process group, and the launcher (scripts/bin/jitmigrate.cjs), when it runs
 * the CLI under the bundled Node 22, forwards every SIGINT, SIGTERM and SIGHUP it receives as well. So a
 * repeat within REPEAT_WINDOW_MS is the same request; a later one means "quit now".
 */
import os from 'node:os';

export const REPEAT_WINDOW_MS = 500;

/**
 * Calls `onFirst` for the first of `signals`; ignores repeats within the window; exits at once with
 * 128 + the signal's number on a later one. Returns the function that stops listening.
 */
export function onStopSignal(signals: readonly NodeJS.Signals[], onFirst: (signal: NodeJS.Signals) => void, now: () => number = () => performance.now()): () => void {
  let firstAt: number | undefined;
  const listener = (signal: NodeJS.Signals): void => {
    const at = now();
    if (firstAt === undefined) {
      firstAt = at;
      onFirst(signal);
    } else if (at - firstAt >= REPEAT_WINDOW_MS) {
      process.exit(128 + (os.constants.signals[signal] ?? 0));
    }
  };
  for (const signal of signals) process.on(signal, listener);
  return () => {
    for (const signal of signals) process.off(signal, listener);
  };
}

/** Resolves with the first stop signal (SIGINT, SIGTERM or SIGHUP); keeps listening, so a repeat is ignored and a later one quits. */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => onStopSignal(['SIGINT', 'SIGTERM', 'SIGHUP'], resolve));
}
