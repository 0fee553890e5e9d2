/**
 * Piscina worker entry, bundled to dist/function/hash-worker.cjs by scripts/build.mjs.
 * It imports only the pure derivations in ./derive (no native addons), so the bundle is
 * self-contained. Passwords arrive in the task message and are never logged.
 */
import { runDeriveTask, type DeriveTask } from './derive/tasks';

export default function deriveChecksum(task: DeriveTask): string {
  return runDeriveTask(task);
}
