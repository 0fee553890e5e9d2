/**
 * Hash-thread entry (piscina), bundled to dist/function/hash-worker.cjs by scripts/build.mjs. It runs
 * the derivations in ./derive synchronously; bcrypt and @node-rs/argon2 stay external (native addons,
 * loaded from node_modules). Passwords arrive in the task message and are never logged.
 */
import { runDeriveTask } from './derive/run';
import type { DeriveTask } from './derive/tasks';
import { lowerThisThreadPriority } from './thread-priority';

lowerThisThreadPriority();

export default function deriveChecksum(task: DeriveTask): string | Uint8Array {
  return runDeriveTask(task);
}
