import type { DirectoryUser } from './graphUsers';
import type { MigrationMark } from './legacyStore';
import { planMigratedUser, planPendingUser } from './reconcilePlan';

const user = (changes: Partial<DirectoryUser> = {}): DirectoryUser => ({ id: 'u1', username: 'ada@example.com', createdDateTime: '2026-03-01T10:00:00Z', ...changes });
const mark = (migrated: boolean): MigrationMark => (migrated ? { username: 'ada@example.com', migrated, migratedAt: '2026-03-02T00:00:00Z' } : { username: 'ada@example.com', migrated });
const both = { usePasswordChanges: true };
const legacyOnly = { usePasswordChanges: false };

describe('planPendingUser (flag still true)', () => {
  it('clears the flag when the legacy store says migrated (issue #25)', () => {
    expect(planPendingUser(user(), mark(true), both)).toEqual([{ kind: 'clear-flag', user: user(), evidence: 'legacy-migrated' }]);
  });

  it('clears the flag and marks the legacy record when a password was set in Entra after creation', () => {
    const changed = user({ passwordChangedAt: '2026-03-05T09:00:00.000Z' });
    expect(planPendingUser(changed, mark(false), both)).toEqual([
      { kind: 'clear-flag', user: changed, evidence: 'password-changed' },
      { kind: 'mark-legacy', user: changed, username: 'ada@example.com', evidence: 'password-changed', migratedAt: '2026-03-05T09:00:00.000Z', afterFlagCleared: true },
    ]);
    expect(planPendingUser(changed, undefined, both)).toEqual([{ kind: 'clear-flag', user: changed, evidence: 'password-changed' }]);
  });

  it('clears the flag and marks the legacy record when the function marked it superseded, with either evidence', () => {
    const superseded: MigrationMark = { username: 'ada@example.com', migrated: false, supersededAt: '2026-03-06T12:00:00.000Z' };
    for (const options of [both, legacyOnly]) {
      expect(planPendingUser(user(), superseded, options)).toEqual([
        { kind: 'clear-flag', user: user(), evidence: 'legacy-superseded' },
        { kind: 'mark-legacy', user: user(), username: 'ada@example.com', evidence: 'legacy-superseded', migratedAt: '2026-03-06T12:00:00.000Z', afterFlagCleared: true },
      ]);
    }
    // Graph's change time, when it gave one, is when the password really moved to Entra.
    const changed = user({ passwordChangedAt: '2026-03-05T09:00:00.000Z' });
    expect(planPendingUser(changed, superseded, both)[1]).toMatchObject({ evidence: 'legacy-superseded', migratedAt: '2026-03-05T09:00:00.000Z' });
    // Marked migrated as well: the flag alone is stuck, nothing to mark.
    expect(planPendingUser(user(), { ...superseded, migrated: true }, both)).toEqual([{ kind: 'clear-flag', user: user(), evidence: 'legacy-migrated' }]);
  });

  it('ignores password changes with --evidence legacy', () => {
    expect(planPendingUser(user({ passwordChangedAt: '2026-03-05T09:00:00.000Z' }), mark(false), legacyOnly)).toEqual([]);
  });

  it('leaves a genuinely pending user alone, and reports users that can never migrate', () => {
    expect(planPendingUser(user(), mark(false), both)).toEqual([]);
    expect(planPendingUser(user(), undefined, both)).toEqual([{ kind: 'skip', user: user(), flag: true, reason: 'not-in-legacy-store' }]);
    const anonymous = user({ username: undefined });
    expect(planPendingUser(anonymous, undefined, both)).toEqual([{ kind: 'skip', user: anonymous, flag: true, reason: 'no-local-identity' }]);
  });
});

describe('planMigratedUser (flag false)', () => {
  it('marks an unmarked legacy record, at the password change when Graph gave one', () => {
    expect(planMigratedUser(user(), mark(false))).toEqual([
      { kind: 'mark-legacy', user: user(), username: 'ada@example.com', evidence: 'graph-flag-false', migratedAt: undefined, afterFlagCleared: false },
    ]);
    const changed = user({ passwordChangedAt: '2026-03-05T09:00:00.000Z' });
    expect(planMigratedUser(changed, mark(false))[0]).toMatchObject({ migratedAt: '2026-03-05T09:00:00.000Z' });
  });

  it('does nothing when already marked, and skips users it cannot match', () => {
    expect(planMigratedUser(user(), mark(true))).toEqual([]);
    expect(planMigratedUser(user(), undefined)).toEqual([{ kind: 'skip', user: user(), flag: false, reason: 'not-in-legacy-store' }]);
    expect(planMigratedUser(user({ username: undefined }), undefined)[0]).toMatchObject({ reason: 'no-local-identity' });
  });
});
