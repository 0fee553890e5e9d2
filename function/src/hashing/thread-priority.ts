import { setPriority } from 'node:os';

/**
 * Hash threads run at a lower scheduling priority than the event loop (and V8's GC helpers), so that cores
 * busy with password hashing still let token checks, timers and replies through at once; with a core idle
 * it changes nothing. Linux keeps the nice value per thread, and pid 0 names the calling thread
 * (setpriority(2), NOTES); elsewhere pid 0 would renice the whole process, so there it is left alone.
 */
export const HASH_THREAD_NICENESS = 10;

/** Called once by each hash thread as it starts. Never throws: a sandbox that forbids it only loses the benefit. */
export function lowerThisThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(0, HASH_THREAD_NICENESS);
  } catch {
    // Hashing still works at normal priority.
  }
}
