/** Shared state that must hold across function instances (Entra's retry may land anywhere). */

/** The answer recorded for a nonce; it holds no secret. */
export interface RecordedAnswer {
  readonly action: 'MigratePassword' | 'UpdatePassword' | 'Retry' | 'Block';
  readonly title?: string;
  readonly message?: string;
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

/** Failed sign-in attempts per normalized username in a sliding window (the window is the adapter's setting). */
export interface FailedAttemptCounter {
  /** Failed attempts recorded for `username` within the window ending at `now`. */
  count(username: string, now: Date): Promise<number>;
  /** Records one failed attempt and returns the count within the window, this one included. */
  increment(username: string, now: Date): Promise<number>;
}

/** Migration marks for stores that cannot hold them themselves (the legacy web service). */
export interface MigrationMarks {
  markMigrated(username: string, at: Date): Promise<void>;
  isMigrated(username: string): Promise<boolean>;
}

export interface StateStore {
  readonly kind: 'table' | 'memory';
  readonly nonces: NonceLedger;
  readonly attempts: FailedAttemptCounter;
  readonly migrations: MigrationMarks;
}
