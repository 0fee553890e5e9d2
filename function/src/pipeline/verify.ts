/**
 * Look up and verify: the two pipeline stages that talk to the legacy system, behind one port so the
 * handler does not care whether hashes are compared here or by a legacy web service.
 */
import type { HashRegistry } from '../hashing/registry';
import { UnrecognizedHashError } from '../hashing/types';
import type { AccountStatus, LegacyCredentialService, LegacyProfile, LegacyUserRepository, ProtectionFailureReport } from '../legacy/port';
import type { MigrationMarks } from '../state/port';
import type { LegacyFacts } from './decide';

export interface CredentialCheck {
  readonly facts: LegacyFacts;
  /** The hash scheme that was verified (telemetry), when known. */
  readonly scheme?: string;
  /** What the legacy store knows of the user's profile, when it knows any. Set whatever the password's outcome: hand it on only for a valid one. */
  readonly profile?: LegacyProfile;
}

/** Whether the legacy system knows a user, asked without a password (B2C sign-up and password reset). */
export type LegacyAccountLookup =
  | { readonly found: false }
  | { readonly found: true; readonly status: AccountStatus; readonly migrated: boolean; readonly profile?: LegacyProfile };

export interface CredentialChecker {
  readonly storeKind: 'table' | 'file' | 'http' | 'b2c';
  /** Rejects when the legacy system cannot answer; the handler maps that to the error action. `report` hears of protections that could not run. */
  check(username: string, password: string, signal: AbortSignal, report?: ProtectionFailureReport): Promise<CredentialCheck>;
  /** Looks the user up without a password; absent when the legacy system cannot (a web service without a look-up endpoint). Rejects as check does. */
  lookup?(username: string, signal: AbortSignal): Promise<LegacyAccountLookup>;
  markMigrated(username: string, at: Date): Promise<void>;
  /** Records that a password set in Entra replaced the legacy one (README "Password changed in Entra"). */
  markSuperseded(username: string, at: Date): Promise<void>;
  /** Releases pooled connections (graceful shutdown). */
  close?(): void;
  /** Proves a remote store answers, for start-up and the health check (LegacyUserRepository.probe). */
  probe?(): Promise<void>;
}

/** Hash stores (Table Storage, JSON lines): look the record up, then verify its hash here. */
export class HashStoreChecker implements CredentialChecker {
  readonly storeKind: 'table' | 'file';
  readonly probe?: () => Promise<void>;

  /**
   * @param timingDecoyHash verified for unknown users so that an unknown user costs as much as a wrong
   *   password (the README explains how to pick one in the store's predominant scheme).
   */
  constructor(
    private readonly repository: LegacyUserRepository,
    private readonly registry: HashRegistry,
    private readonly timingDecoyHash: string,
  ) {
    this.storeKind = repository.kind;
    if (repository.probe) this.probe = () => repository.probe!();
  }

  async check(username: string, password: string, signal: AbortSignal): Promise<CredentialCheck> {
    const record = await this.repository.findByUsername(username, signal);
    if (!record) {
      const decoy = await this.registry.verify(password, this.timingDecoyHash, undefined, signal);
      return { facts: { kind: 'unknown-user' }, scheme: decoy.scheme };
    }
    const verification = await this.registry.verify(password, record.hash, record.params, signal);
    return {
      facts: {
        kind: 'checked',
        passwordValid: verification.ok,
        status: record.status,
        mustChangePassword: record.mustChangePassword,
        superseded: record.supersededAt !== undefined,
      },
      scheme: verification.scheme,
      ...(record.profile ? { profile: record.profile } : {}),
    };
  }

  async lookup(username: string, signal: AbortSignal): Promise<LegacyAccountLookup> {
    const record = await this.repository.findByUsername(username, signal);
    if (!record) return { found: false };
    return { found: true, status: record.status, migrated: record.migrated, ...(record.profile ? { profile: record.profile } : {}) };
  }

  markMigrated(username: string, at: Date): Promise<void> {
    return this.repository.markMigrated(username, at);
  }

  markSuperseded(username: string, at: Date): Promise<void> {
    return this.repository.markSuperseded(username, at);
  }
}

/**
 * A legacy system that verifies the password itself (a web service, or the B2C tenant over ROPC); migration
 * marks go to the shared state store.
 */
export class WebServiceChecker implements CredentialChecker {
  readonly storeKind: 'http' | 'b2c';
  /** Only when the service has a look-up endpoint (LegacyCredentialService.lookupUser). */
  readonly lookup?: (username: string, signal: AbortSignal) => Promise<LegacyAccountLookup>;
  /** Only when the service reports its health (the B2C tenant: the last misconfiguration it answered). */
  readonly probe?: () => Promise<void>;
  private readonly scheme: string;

  constructor(
    private readonly service: LegacyCredentialService & { close?(): void },
    private readonly marks: MigrationMarks,
  ) {
    this.storeKind = service.kind;
    this.scheme = service.kind === 'b2c' ? 'b2c-ropc' : 'legacy-web-service';
    const lookupUser = service.lookupUser?.bind(service);
    if (lookupUser) this.lookup = (username, signal) => this.lookupWith(lookupUser, username, signal);
    if (service.probe) this.probe = () => service.probe!();
  }

  close(): void {
    this.service.close?.();
  }

  async check(username: string, password: string, signal: AbortSignal, report?: ProtectionFailureReport): Promise<CredentialCheck> {
    const result = await this.service.checkCredentials(username, password, signal, report);
    const scheme = this.scheme;
    if (result.refusal) return { facts: { kind: 'refused', refusal: result.refusal }, scheme };
    if (result.outcome === 'unknown') return { facts: { kind: 'unknown-user' }, scheme };
    return {
      facts: {
        kind: 'checked',
        passwordValid: result.outcome === 'valid',
        status: result.status,
        mustChangePassword: result.mustChangePassword,
      },
      scheme,
      ...(result.profile ? { profile: result.profile } : {}),
    };
  }

  /** The service says whether it knows the user; whether it was migrated is in the shared state store (asked at the same time). */
  private async lookupWith(lookupUser: NonNullable<LegacyCredentialService['lookupUser']>, username: string, signal: AbortSignal): Promise<LegacyAccountLookup> {
    const [result, migrated] = await Promise.all([lookupUser(username, signal), this.marks.isMigrated(username)]);
    if (!result.found) return { found: false };
    return { found: true, status: result.status, migrated, ...(result.profile ? { profile: result.profile } : {}) };
  }

  markMigrated(username: string, at: Date): Promise<void> {
    return this.marks.markMigrated(username, at);
  }

  markSuperseded(username: string, at: Date): Promise<void> {
    return this.marks.markSuperseded(username, at);
  }
}

export function isUnrecognizedHash(error: unknown): boolean {
  return error instanceof UnrecognizedHashError;
}
