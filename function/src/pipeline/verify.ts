/**
 * Look up and verify: the two pipeline stages that talk to the legacy system, behind one port so the
 * handler does not care whether hashes are compared here or by a legacy web service.
 */
import type { HashRegistry } from '../hashing/registry';
import { UnrecognizedHashError } from '../hashing/types';
import type { LegacyCredentialService, LegacyUserRepository } from '../legacy/port';
import type { MigrationMarks } from '../state/port';
import type { LegacyFacts } from './decide';

export interface CredentialCheck {
  readonly facts: LegacyFacts;
  /** The hash scheme that was verified (telemetry), when known. */
  readonly scheme?: string;
}

export interface CredentialChecker {
  readonly storeKind: 'table' | 'file' | 'http';
  /** Rejects when the legacy system cannot answer; the handler maps that to the error action. */
  check(username: string, password: string, signal: AbortSignal): Promise<CredentialCheck>;
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
    };
  }

  markMigrated(username: string, at: Date): Promise<void> {
    return this.repository.markMigrated(username, at);
  }

  markSuperseded(username: string, at: Date): Promise<void> {
    return this.repository.markSuperseded(username, at);
  }
}

/** A legacy web service verifies the password itself; migration marks go to the shared state store. */
export class WebServiceChecker implements CredentialChecker {
  readonly storeKind = 'http' as const;

  constructor(
    private readonly service: LegacyCredentialService & { close?(): void },
    private readonly marks: MigrationMarks,
  ) {}

  close(): void {
    this.service.close?.();
  }

  async check(username: string, password: string, signal: AbortSignal): Promise<CredentialCheck> {
    const result = await this.service.checkCredentials(username, password, signal);
    if (result.outcome === 'unknown') return { facts: { kind: 'unknown-user' }, scheme: 'legacy-web-service' };
    return {
      facts: {
        kind: 'checked',
        passwordValid: result.outcome === 'valid',
        status: result.status,
        mustChangePassword: result.mustChangePassword,
      },
      scheme: 'legacy-web-service',
    };
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
