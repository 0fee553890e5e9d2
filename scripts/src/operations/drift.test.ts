import type { DirectoryUser } from './graphUsers';
import type { MigrationMark } from './legacyStore';
import { DRIFT_LISTED_USERS, findDrift, LegacyMarkSet } from './drift';

async function* stream<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

const user = (username: string | undefined): DirectoryUser => ({ id: `id-${username ?? 'none'}`, username });

async function markSet(marks: MigrationMark[]): Promise<LegacyMarkSet> {
  const set = new LegacyMarkSet({ description: 'users file users.jsonl' });
  for await (const mark of set.collect(stream(marks))) void mark;
  return set;
}

describe('findDrift', () => {
  it('finds both kinds of drift by user even when they cancel out in the counts', async () => {
    // Legacy marks: ann and cy (2). Flags false: ann and bob (2). Equal counts, yet bob and cy are drift.
    const legacy = await markSet([
      { username: 'ann@x.com', migrated: true },
      { username: 'bob@x.com', migrated: false },
      { username: 'cy@x.com', migrated: true },
      { username: 'dot@x.com', migrated: false },
    ]);
    const drift = await findDrift(legacy, stream([user('ann@x.com'), user('bob@x.com')]), stream([user('cy@x.com'), user('dot@x.com')]));
    expect(drift).toEqual({
      flagClearedWithoutLegacyMark: { count: 1, usernames: ['bob@x.com'] },
      legacyMarkWithFlagTrue: { count: 1, usernames: ['cy@x.com'] },
      flagClearedNotInLegacyStore: 0,
      withoutLocalIdentity: 0,
    });
  });

  it('counts every drifted user and names the first ones', async () => {
    const names = Array.from({ length: DRIFT_LISTED_USERS + 5 }, (_, i) => `u${i}@x.com`);
    const legacy = await markSet(names.map((username) => ({ username, migrated: true })));
    const drift = await findDrift(legacy, stream([]), stream(names.map(user)));
    expect(drift.legacyMarkWithFlagTrue).toEqual({ count: names.length, usernames: names.slice(0, DRIFT_LISTED_USERS) });
  });

  it('counts apart the users it cannot compare: no legacy record, no local identity', async () => {
    const legacy = await markSet([{ username: 'ann@x.com', migrated: true }]);
    const drift = await findDrift(legacy, stream([user('ghost@x.com'), user(undefined)]), stream([user(undefined), user('new@x.com')]));
    expect(drift).toEqual({
      flagClearedWithoutLegacyMark: { count: 0, usernames: [] },
      legacyMarkWithFlagTrue: { count: 0, usernames: [] },
      flagClearedNotInLegacyStore: 1,
      withoutLocalIdentity: 2,
    });
  });
});

describe('LegacyMarkSet', () => {
  const marks: MigrationMark[] = [
    { username: 'ann@x.com', migrated: false, line: 2 },
    { username: 'bob@x.com', migrated: true, line: 5 },
    { username: 'ann@x.com', migrated: true, line: 7 },
  ];

  it('refuses a username twice, naming both lines of a users file', async () => {
    const set = await markSet(marks);
    await expect(set.confirmNoRepeats(stream(marks))).rejects.toThrow('users file users.jsonl holds two records with the same username (lines 2 and 7) after normalization');
  });

  it('never takes two names that share a hash for one repeated name', async () => {
    const set = new LegacyMarkSet({ description: 'users file users.jsonl' }, { key: () => ({ hi: 7, lo: 7 }) });
    const distinct = marks.slice(0, 2);
    for await (const mark of set.collect(stream(distinct))) void mark;
    await expect(set.confirmNoRepeats(stream(distinct))).resolves.toBeUndefined();
  });
});
