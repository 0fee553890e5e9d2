/**
 * What reconcile does about one user: a pure decision from the user as Graph lists it and the user's legacy
 * record, so every rule is tested without I/O.
 *
 * Flag true but migrated: Entra is documented to clear the flag after MigratePassword, yet
 * b2c-to-meeid-migration-tool issue #25 shows it staying true (docs/entra-contracts.md#migration-flag). The legacy mark (the
 * function writes it after MigratePassword) or a password set in Entra after creation (migration or
 * self-service reset; docs/entra-contracts.md#migration-flag) proves the password now lives in Entra, so the flag is cleared. So
 * does a legacy record the function marked superseded (`supersededAt`): it saw such a password at sign-in and
 * refused the old legacy one, which can never migrate now.
 * Flag false but not marked: Entra cleared the flag after a migration whose legacy mark was lost (the
 * function marks in the background), so the legacy record is marked.
 */
import type { DirectoryUser } from './graphUsers';
import type { MigrationMark } from './legacyStore';

export type Step =
  | { readonly kind: 'clear-flag'; readonly user: DirectoryUser; readonly evidence: 'legacy-migrated' | 'legacy-superseded' | 'password-changed' }
  /** `migratedAt` undefined: mark with the time of the run. `afterFlagCleared`: only once the flag PATCH succeeded. */
  | { readonly kind: 'mark-legacy'; readonly user: DirectoryUser; readonly username: string; readonly evidence: 'graph-flag-false' | 'legacy-superseded' | 'password-changed'; readonly migratedAt?: string; readonly afterFlagCleared: boolean }
  | { readonly kind: 'skip'; readonly user: DirectoryUser; readonly flag: boolean; readonly reason: 'no-local-identity' | 'not-in-legacy-store' };

export interface PlanOptions {
  /** Accept a password change after creation as proof of migration (`--evidence both`). */
  readonly usePasswordChanges: boolean;
}

/** A user whose flag is still true. */
export function planPendingUser(user: DirectoryUser, mark: MigrationMark | undefined, options: PlanOptions): Step[] {
  if (mark?.migrated) return [{ kind: 'clear-flag', user, evidence: 'legacy-migrated' }];
  // The legacy store's own word, so it counts with --evidence legacy too; marked as Graph's evidence is.
  if (mark?.supersededAt !== undefined) {
    return [
      { kind: 'clear-flag', user, evidence: 'legacy-superseded' },
      { kind: 'mark-legacy', user, username: mark.username, evidence: 'legacy-superseded', migratedAt: user.passwordChangedAt ?? mark.supersededAt, afterFlagCleared: true },
    ];
  }
  const passwordChanged = options.usePasswordChanges ? user.passwordChangedAt : undefined;
  if (passwordChanged !== undefined) {
    const clear: Step = { kind: 'clear-flag', user, evidence: 'password-changed' };
    if (mark === undefined || user.username === undefined) return [clear];
    return [clear, { kind: 'mark-legacy', user, username: mark.username, evidence: 'password-changed', migratedAt: passwordChanged, afterFlagCleared: true }];
  }
  if (user.username === undefined) return [{ kind: 'skip', user, flag: true, reason: 'no-local-identity' }];
  // Can never migrate just in time: the function finds no legacy record. These users will need SSPR.
  if (mark === undefined) return [{ kind: 'skip', user, flag: true, reason: 'not-in-legacy-store' }];
  return [];
}

/** A user whose flag is false. */
export function planMigratedUser(user: DirectoryUser, mark: MigrationMark | undefined): Step[] {
  if (user.username === undefined) return [{ kind: 'skip', user, flag: false, reason: 'no-local-identity' }];
  if (mark === undefined) return [{ kind: 'skip', user, flag: false, reason: 'not-in-legacy-store' }];
  if (mark.migrated) return [];
  return [{ kind: 'mark-legacy', user, username: mark.username, evidence: 'graph-flag-false', migratedAt: user.passwordChangedAt, afterFlagCleared: false }];
}
