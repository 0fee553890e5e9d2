import type { HashParams } from '../hashing/types';

export type AccountStatus = 'active' | 'disabled' | 'locked';

/**
 * What the legacy store knows of a user's profile, each field only when known (never empty): B2C copies
 * them into the account it creates on a legacy user's first sign-in. `email` is normalized as usernames are.
 */
export interface LegacyProfile {
  readonly email?: string;
  readonly displayName?: string;
  readonly givenName?: string;
  readonly surname?: string;
}

/** A user as the legacy hash store holds it. `username` is already normalized (see normalize.ts). */
export interface LegacyUserRecord {
  readonly username: string;
  readonly hash: string;
  readonly params?: HashParams;
  readonly status: AccountStatus;
  readonly mustChangePassword: boolean;
  readonly migrated: boolean;
  readonly migratedAt?: string;
  /** When the callout found a password set in Entra after provisioning: this record's password is stale. */
  readonly supersededAt?: string;
  /** Absent when the store knows none of the profile fields. */
  readonly profile?: LegacyProfile;
}

/** Port: a store of legacy password hashes (Azure Table Storage, JSON-lines file). */
export interface LegacyUserRepository {
  readonly kind: 'table' | 'file';
  /** The record for a normalized username, or undefined. Rejects only on a store failure. */
  findByUsername(normalizedUsername: string, signal?: AbortSignal): Promise<LegacyUserRecord | undefined>;
  /** Idempotently marks the user migrated with the given timestamp. */
  markMigrated(normalizedUsername: string, at: Date): Promise<void>;
  /** Idempotently marks the record superseded by a password set in Entra (README "Password changed in Entra"). */
  markSuperseded(normalizedUsername: string, at: Date): Promise<void>;
  /**
   * Proves the store answers (a remote store: table, account, credential and role), at start-up and for the
   * health check. Rejects with a `LegacyStoreProbeError`. Absent for a store already proven by loading it.
   */
  probe?(): Promise<void>;
}

/** A failed probe: which setting is at fault, the table's name or its account (location, credential, role). */
export class LegacyStoreProbeError extends Error {
  constructor(
    message: string,
    readonly fault: 'table-name' | 'account',
  ) {
    super(message);
    this.name = 'LegacyStoreProbeError';
  }
}

/**
 * Why a legacy system refused a sign-in without saying whether the password was right (the B2C tenant: smart
 * lockout, a disabled account, an expired password): each is a Block with its own message.
 */
export type LegacyRefusal = 'locked' | 'disabled' | 'password-reset-required';

/** What a legacy web service says about a username/password pair. */
export interface LegacyCredentialResult {
  readonly outcome: 'valid' | 'invalid' | 'unknown';
  readonly status: AccountStatus;
  readonly mustChangePassword: boolean;
  /** Set when the system refused the sign-in for a reason other than the password; `outcome` is then `unknown`. */
  readonly refusal?: LegacyRefusal;
  /** The user's profile, when the service sent one. */
  readonly profile?: LegacyProfile;
}

/** What a legacy web service says about a username alone (no password): B2C sign-up and password reset. */
export type LegacyLookupResult = { readonly found: false } | { readonly found: true; readonly status: AccountStatus; readonly profile?: LegacyProfile };

/**
 * Told when a protection kept in the shared state store could not run for this sign-in (the B2C circuit
 * breaker's read or trip), which then went on without it: the pipeline logs jit.stateStoreUnavailable.
 */
export type ProtectionFailureReport = (stage: 'circuit-read' | 'circuit-trip', error: unknown) => void;

/** Port: a legacy system that verifies credentials itself (HTTPS POST): a web service, or the B2C tenant (ROPC). */
export interface LegacyCredentialService {
  readonly kind: 'http' | 'b2c';
  /** Rejects on transport errors, timeouts and contract violations (the caller maps that to the error action). */
  checkCredentials(normalizedUsername: string, password: string, signal?: AbortSignal, report?: ProtectionFailureReport): Promise<LegacyCredentialResult>;
  /** Whether the legacy system knows the user, without a password. Absent when the service has no look-up endpoint. Rejects as checkCredentials does. */
  lookupUser?(normalizedUsername: string, signal?: AbortSignal): Promise<LegacyLookupResult>;
  /** For the health check: rejects (a LegacyMisconfiguredError) while the last answer showed a misconfiguration. */
  probe?(): Promise<void>;
}

/** Raised by adapters when the legacy system cannot answer. Messages never contain credentials. */
export class LegacySystemError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LegacySystemError';
  }
}

/** The legacy system's answer shows a misconfiguration (app registration, policy, settings): `setting` and `fix` say what to change. */
export class LegacyMisconfiguredError extends LegacySystemError {
  constructor(
    readonly setting: string,
    readonly fix: string,
    label: string,
  ) {
    super(`${label}: ${setting} ${fix}`);
    this.name = 'LegacyMisconfiguredError';
  }
}

/** The legacy system is not called for a cool-down: too many users were throttled or locked out (the circuit breaker). */
export class LegacyCircuitOpenError extends LegacySystemError {
  constructor(
    label: string,
    readonly openUntil: number,
  ) {
    super(`${label}: not called until ${new Date(openUntil).toISOString()} (circuit open: too many throttled or locked answers)`);
    this.name = 'LegacyCircuitOpenError';
  }
}
