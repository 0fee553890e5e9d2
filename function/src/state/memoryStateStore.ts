/**
 * State in process memory: correct only for a single instance (the local file mode, `jitmigrate serve`).
 * Azure scales out and Entra's retry may reach another instance, so production uses TableStateStore.
 * Memory is bounded: expired entries are swept as the store is used, and each map has a size cap.
 */
import type { FailedAttemptCounter, MigrationMarks, NonceClaim, NonceLedger, RecordedAnswer, StateStore } from './port';

export interface MemoryStateStoreOptions {
  readonly lockoutWindowMs: number;
  /** Clock for nonce expiry and sweeping (tests). */
  readonly now?: () => number;
  /** Per map; the oldest entries are dropped beyond it. Default 100 000. */
  readonly maxEntries?: number;
  /**
   * Failures kept per user. Default 1000, the largest LockoutThreshold the settings allow, so the cap
   * never changes a lockout decision.
   */
  readonly maxTrackedFailures?: number;
}

const DEFAULT_MAX_ENTRIES = 100_000;
export const DEFAULT_MAX_TRACKED_FAILURES = 1000;
/** Sweep at most this often; a sweep walks a whole map. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * A Map that forgets its oldest entries beyond a cap and drops expired ones from time to time. Callers
 * pass the time, so the attempt counter follows the clock it is given (the port passes `now`).
 */
class ExpiringMap<V> {
  private readonly map = new Map<string, V>();
  private lastSweep = -Infinity;

  constructor(
    private readonly maxEntries: number,
    private readonly isExpired: (value: V, now: number) => boolean,
  ) {}

  get(key: string, now: number): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined && this.isExpired(value, now)) {
      this.map.delete(key);
      return undefined;
    }
    return value;
  }

  set(key: string, value: V, now: number): void {
    this.map.delete(key); // re-insert at the end: Map iterates in insertion order, oldest first
    this.map.set(key, value);
    this.sweep(now);
  }

  get size(): number {
    return this.map.size;
  }

  private sweep(now: number): void {
    if (Math.abs(now - this.lastSweep) >= SWEEP_INTERVAL_MS) {
      this.lastSweep = now;
      for (const [key, value] of this.map) if (this.isExpired(value, now)) this.map.delete(key);
    }
    for (const key of this.map.keys()) {
      if (this.map.size <= this.maxEntries) break;
      this.map.delete(key);
    }
  }
}

interface NonceEntry {
  readonly expiresAt: number;
  readonly answer?: RecordedAnswer;
}

class MemoryNonceLedger implements NonceLedger {
  private readonly entries: ExpiringMap<NonceEntry>;

  constructor(
    maxEntries: number,
    private readonly now: () => number,
  ) {
    this.entries = new ExpiringMap(maxEntries, (e, t) => e.expiresAt <= t);
  }

  async claim(requestKey: string, expiresAt: Date): Promise<NonceClaim> {
    const now = this.now();
    const existing = this.entries.get(requestKey, now);
    if (existing?.answer) return { status: 'answered', answer: existing.answer };
    if (existing) return { status: 'pending' };
    this.entries.set(requestKey, { expiresAt: expiresAt.getTime() }, now);
    return { status: 'claimed' };
  }

  async record(requestKey: string, answer: RecordedAnswer, expiresAt: Date): Promise<void> {
    this.entries.set(requestKey, { expiresAt: expiresAt.getTime(), answer: { ...answer } }, this.now());
  }

  async lookup(requestKey: string): Promise<RecordedAnswer | undefined> {
    return this.entries.get(requestKey, this.now())?.answer;
  }
}

class MemoryAttemptCounter implements FailedAttemptCounter {
  /** Failure times (epoch ms, ascending) per username. */
  private readonly failures: ExpiringMap<number[]>;

  constructor(
    private readonly windowMs: number,
    private readonly maxTracked: number,
    maxEntries: number,
  ) {
    // A user whose newest failure left the window has nothing left to count.
    this.failures = new ExpiringMap(maxEntries, (times, t) => (times.at(-1) ?? -Infinity) <= t - windowMs);
  }

  async count(username: string, now: Date): Promise<number> {
    const t = now.getTime();
    return inWindow(this.failures.get(username, t) ?? [], t, this.windowMs).length;
  }

  async increment(username: string, now: Date): Promise<number> {
    const t = now.getTime();
    const times = addFailure(this.failures.get(username, t) ?? [], t, this.windowMs, this.maxTracked);
    this.failures.set(username, times, t);
    return inWindow(times, t, this.windowMs).length;
  }

}

/**
 * The failures in the window that ends at `now`. Failures stamped after `now` count too: another
 * instance's clock may run slightly ahead, and lockout should err towards counting.
 */
export function inWindow(times: readonly number[], now: number, windowMs: number): number[] {
  return times.filter((t) => t > now - windowMs);
}

/** Adds a failure at `now`, drops those that left the window and keeps the newest `maxTracked`. */
export function addFailure(times: readonly number[], now: number, windowMs: number, maxTracked: number): number[] {
  return [...inWindow(times, now, windowMs), now].sort((a, b) => a - b).slice(-maxTracked);
}

class MemoryMigrationMarks implements MigrationMarks {
  /** Marks never expire; only the size cap bounds them. */
  private readonly marks: ExpiringMap<number>;

  constructor(maxEntries: number) {
    this.marks = new ExpiringMap(maxEntries, () => false);
  }

  async markMigrated(username: string, at: Date): Promise<void> {
    this.marks.set(username, at.getTime(), at.getTime());
  }

  async isMigrated(username: string): Promise<boolean> {
    return this.marks.get(username, 0) !== undefined;
  }
}

export class MemoryStateStore implements StateStore {
  readonly kind = 'memory' as const;
  readonly nonces: NonceLedger;
  readonly attempts: FailedAttemptCounter;
  readonly migrations: MigrationMarks;

  constructor(options: MemoryStateStoreOptions) {
    if (!(options.lockoutWindowMs > 0)) throw new RangeError('lockoutWindowMs must be positive');
    const now = options.now ?? Date.now;
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.nonces = new MemoryNonceLedger(maxEntries, now);
    this.attempts = new MemoryAttemptCounter(options.lockoutWindowMs, options.maxTrackedFailures ?? DEFAULT_MAX_TRACKED_FAILURES, maxEntries);
    this.migrations = new MemoryMigrationMarks(maxEntries);
  }
}
