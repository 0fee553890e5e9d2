/** Parameters for hashes that do not describe themselves (for example Firebase scrypt). */
export type HashParams = Readonly<Record<string, unknown>>;

/** One password-hash scheme: recognizes its own format and verifies in constant time. */
export interface HashScheme {
  /** Stable identifier reported in telemetry and by `jitmigrate verify-hash`, e.g. `bcrypt`, `argon2id`. */
  readonly id: string;
  /** True when `hash` (and `params`, for schemes that need them) is in this scheme's format. Cheap, no hashing. */
  identify(hash: string, params?: HashParams): boolean;
  /**
   * True when `password` matches. Costly derivations run on the hash threads (worker-pool.ts), never on the
   * event loop; an aborted `signal` abandons them (the promise rejects).
   */
  verify(password: string, hash: string, params?: HashParams, signal?: AbortSignal): Promise<boolean>;
}

export interface HashVerification {
  readonly scheme: string;
  readonly ok: boolean;
}

/** Raised when no registered scheme recognizes a stored hash. The message never contains the hash. */
export class UnrecognizedHashError extends Error {
  constructor(message = 'the stored hash is in no recognized format') {
    super(message);
    this.name = 'UnrecognizedHashError';
  }
}

/** Raised when a hash is recognized but malformed or its parameters are missing/invalid. */
export class MalformedHashError extends Error {
  constructor(readonly scheme: string, message: string) {
    super(message);
    this.name = 'MalformedHashError';
  }
}
