/**
 * State in process memory: correct only for a single instance (the local file mode, `jitmigrate serve`).
 * Azure scales out and Entra's retry may reach another instance, so production uses TableStateStore.
 * Memory is bounded: expired entries are swept as the store is used, and each map has a size cap.
 */
import { DEFAULT_MAX_TRACKED_FAILURES, newReservationId, releaseFrom, reserveIn, type FailureEntry } from './failureWindow';
import { tripIn, type CircuitRecord } from './circuitWindow';
import type {
  AttemptReservation,
  CircuitRule,
  CircuitState,
  FailedAttemptCounter,
  LegacyCircuit,
  MigrationMarks,
  NonceClaim,
  NonceLedger,
  RecordedAnswer,
  ReserveResult,
  StateStore,
} from './port';

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
  /** Failure entries (ascending time) per username. */
  private readonly failures: ExpiringMap<FailureEntry[]>;

  constructor(
    private readonly windowMs: number,
    private readonly maxTracked: number,
    maxEntries: number,
  ) {
    // A user whose newest failure left the window has nothing left to count.
    this.failures = new ExpiringMap(maxEntries, (entries, t) => (entries.at(-1)?.at ?? -Infinity) <= t - windowMs);
  }

  // No await between read and write: atomic within this process, which is all a memory store serves.
  async reserve(username: string, now: Date, threshold: number): Promise<ReserveResult> {
    const t = now.getTime();
    const id = newReservationId();
    const step = reserveIn(this.failures.get(username, t) ?? [], t, this.windowMs, threshold, this.maxTracked, id);
    if (!step.granted) return step;
    this.failures.set(username, step.entries, t);
    return { granted: true, failures: step.failures, reservation: { id, at: t } };
  }

  /** Reads at the reservation's own time: the store follows the clock callers pass, never the wall clock. */
  async release(username: string, reservation: AttemptReservation): Promise<void> {
    const entries = this.failures.get(username, reservation.at);
    const rest = entries && releaseFrom(entries, reservation.id);
    if (rest) this.failures.set(username, rest, reservation.at);
  }
}

class MemoryMigrationMarks implements MigrationMarks {
  /** Marks never expire; only the size cap bounds them. */
  private readonly marks: ExpiringMap<number>;
  private readonly superseded: ExpiringMap<number>;

  constructor(maxEntries: number) {
    this.marks = new ExpiringMap(maxEntries, () => false);
    this.superseded = new ExpiringMap(maxEntries, () => false);
  }

  async markMigrated(username: string, at: Date): Promise<void> {
    this.marks.set(username, at.getTime(), at.getTime());
  }

  async isMigrated(username: string): Promise<boolean> {
    return this.marks.get(username, 0) !== undefined;
  }

  async markSuperseded(username: string, at: Date): Promise<void> {
    this.superseded.set(username, at.getTime(), at.getTime());
  }

  async isSuperseded(username: string): Promise<boolean> {
    return this.superseded.get(username, 0) !== undefined;
  }
}

class MemoryLegacyCircuit implements LegacyCircuit {
  private record: CircuitRecord = { trips: [] };

  async trip(subject: string, now: Date, rule: CircuitRule): Promise<CircuitState> {
    this.record = tripIn(this.record, subject, now.getTime(), rule);
    return this.read();
  }

  async read(): Promise<CircuitState> {
    return this.record.openUntil === undefined ? {} : { openUntil: this.record.openUntil };
  }
}

export class MemoryStateStore implements StateStore {
  readonly kind = 'memory' as const;
  readonly nonces: NonceLedger;
  readonly attempts: FailedAttemptCounter;
  readonly migrations: MigrationMarks;
  readonly circuit: LegacyCircuit = new MemoryLegacyCircuit();

  constructor(options: MemoryStateStoreOptions) {
    if (!(options.lockoutWindowMs > 0)) throw new RangeError('lockoutWindowMs must be positive');
    const now = options.now ?? Date.now;
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.nonces = new MemoryNonceLedger(maxEntries, now);
    this.attempts = new MemoryAttemptCounter(options.lockoutWindowMs, options.maxTrackedFailures ?? DEFAULT_MAX_TRACKED_FAILURES, maxEntries);
    this.migrations = new MemoryMigrationMarks(maxEntries);
  }

  /** Process memory is always there. */
  async probe(): Promise<void> {}
}
