/** Shared state that must hold across function instances (Entra's retry may land anywhere). */

/** The answer recorded for a nonce; it holds no secret. */
export interface RecordedAnswer {
  readonly action: 'MigratePassword' | 'UpdatePassword' | 'Retry' | 'Block';
  readonly title?: string;
  readonly message?: string;
  /** B2C mode: the `migrationOutcome` of a 200 answer (absent: the answer was a 409 with `message`). */
  readonly outcome?: 'migrated' | 'notLegacy';
}

export type NonceClaim =
  | { readonly status: 'claimed' }
  | { readonly status: 'answered'; readonly answer: RecordedAnswer }
  | { readonly status: 'pending' };

/**
 * Per-request answers, keyed by a request key: an HMAC over nonce, username and password made with a
 * key derived from the decryption key (so never the password, and the same on every instance).
 * A retry with the same nonce but other contents gets another key and never another request's answer.
 * Keys are base64url strings (safe as an Azure Table RowKey).
 */
export interface NonceLedger {
  /** Atomically claims the key: `claimed` for the first caller, `pending` while unanswered, `answered` after. */
  claim(requestKey: string, expiresAt: Date): Promise<NonceClaim>;
  /** Stores the final answer for a claimed key. */
  record(requestKey: string, answer: RecordedAnswer, expiresAt: Date): Promise<void>;
  /** The recorded answer, if any and not expired. */
  lookup(requestKey: string): Promise<RecordedAnswer | undefined>;
}

/** A slot in a user's failure window, taken before a password is verified; only the store reads it. */
export interface AttemptReservation {
  readonly id: string;
  /** When it was taken (epoch ms, the `now` given to reserve). */
  readonly at: number;
}

export type ReserveResult =
  /** `failures` counts the window with this reservation. */
  | { readonly granted: true; readonly failures: number; readonly reservation: AttemptReservation }
  /** Locked out: `threshold` failures (or reservations) are already in the window; `failures` is how many. */
  | { readonly granted: false; readonly failures: number };

/**
 * Failed sign-in attempts per normalized username in a sliding window (the window is the adapter's
 * setting). An attempt takes its slot before its password is verified, atomically, so however many
 * callouts run at once on however many instances, at most `threshold` passwords are verified per window.
 * A granted slot counts as a failure until it is released; a wrong password simply keeps it.
 */
export interface FailedAttemptCounter {
  /** Takes a slot at `now` if fewer than `threshold` are in the window: Infinity always records, 0 only counts. */
  reserve(username: string, now: Date, threshold: number): Promise<ReserveResult>;
  /** Gives the slot back: the attempt did not fail (right password, legacy error, deadline). */
  release(username: string, reservation: AttemptReservation): Promise<void>;
}

/** Migration marks for stores that cannot hold them themselves (the legacy web service). */
export interface MigrationMarks {
  markMigrated(username: string, at: Date): Promise<void>;
  isMigrated(username: string): Promise<boolean>;
  /** A password set in Entra replaced the legacy one (README "Password changed in Entra"). */
  markSuperseded(username: string, at: Date): Promise<void>;
  isSuperseded(username: string): Promise<boolean>;
}

/** When a legacy system's circuit opens: `threshold` distinct users tripped it within `windowMs`; it stays open `cooldownMs`. */
export interface CircuitRule {
  readonly threshold: number;
  readonly windowMs: number;
  readonly cooldownMs: number;
}

/** Epoch ms until which the circuit is open; absent when closed. */
export interface CircuitState {
  readonly openUntil?: number;
}

/**
 * The legacy system's circuit breaker (README "From Azure AD B2C to External ID"): throttled or locked answers
 * per distinct user, tenant-wide, so every instance stops calling the legacy system once enough users tripped
 * it. `subject` is an opaque per-user key (a hash, never the sign-in name).
 */
export interface LegacyCircuit {
  /** Records a trip by `subject` at `now`; opens the circuit for `cooldownMs` once `threshold` distinct subjects are in the window. */
  trip(subject: string, now: Date, rule: CircuitRule): Promise<CircuitState>;
  /** The circuit as the store holds it now. */
  read(): Promise<CircuitState>;
}

export interface StateStore {
  readonly kind: 'table' | 'memory';
  readonly nonces: NonceLedger;
  readonly attempts: FailedAttemptCounter;
  readonly migrations: MigrationMarks;
  readonly circuit: LegacyCircuit;
  /** One cheap real read; throws, naming the fix, when the store cannot be used (start-up, health check). */
  probe(): Promise<void>;
}
