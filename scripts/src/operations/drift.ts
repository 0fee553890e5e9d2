/**
 * Drift between Graph's migration flags and the legacy store's marks, found by comparing the two sets of
 * users, not their sizes (two opposite errors cancel out in a count):
 *   - a flag cleared (false) while the user's legacy record has no migration mark;
 *   - a legacy migration mark while the flag is still true (b2c-to-meeid-migration-tool issue #25).
 * Both are what `jitmigrate reconcile` fixes (reconcilePlan.ts). The legacy side is held as one 64-bit hash
 * per username and a byte (usernameHashTable.ts: 9 bytes a slot, 12 to 24 a user; never the records),
 * Graph's users are streamed page by page, and only the first names of each list are kept.
 */
import { usernameKey, UsernameHashTable, type UsernameKey } from '../../../function/src/legacy';
import type { DirectoryUser } from './graphUsers';
import { duplicateUsernameError, type LegacyStore, type MigrationMark } from './legacyStore';

/** Names listed per kind of drift (all of them are counted). */
export const DRIFT_LISTED_USERS = 20;

export interface DriftedUsers {
  readonly count: number;
  /** The first DRIFT_LISTED_USERS, in Graph's order. Left out of history lines (personal data piling up). */
  readonly usernames?: readonly string[];
}

export interface DriftFindings {
  readonly flagClearedWithoutLegacyMark: DriftedUsers;
  readonly legacyMarkWithFlagTrue: DriftedUsers;
  /** Flag false and no legacy record at all: reconcile cannot mark them (they are not drift it can fix). */
  readonly flagClearedNotInLegacyStore: number;
  /** Flagged users without a local identity (of --domain): they cannot be matched to a legacy record. */
  readonly withoutLocalIdentity: number;
}

const MARKED = 1;

/**
 * Every legacy username, hashed, with whether it is marked migrated. A hash seen twice is a repeated
 * username or, about once in 10⁵ stores of 10 M users, two names sharing a hash: `confirmNoRepeats` reads the
 * store again for those hashes only and tells the two apart, so a collision never fails a run. (Of such a pair,
 * lookups see the first name's mark: one user in millions may be misfiled in the drift counts.)
 */
export class LegacyMarkSet {
  private readonly table = new UsernameHashTable({ marked: Uint8Array });
  private readonly repeatedKeys = new Set<string>();
  private readonly key: (name: string) => UsernameKey;

  constructor(
    private readonly store: Pick<LegacyStore, 'description'>,
    /** Tests only: a weak hash, to show that names sharing one are told apart. */
    options: { readonly key?: (name: string) => UsernameKey } = {},
  ) {
    this.key = options.key ?? usernameKey;
  }

  /** Passes the marks through while keeping their names, so one read of the store serves the counts and the comparison. */
  async *collect(marks: AsyncIterable<MigrationMark>): AsyncIterable<MigrationMark> {
    for await (const mark of marks) {
      this.add(mark);
      yield mark;
    }
  }

  /** After `collect`: throws when a username really is there twice (the function refuses such a users file). */
  async confirmNoRepeats(marks: AsyncIterable<MigrationMark>): Promise<void> {
    if (this.repeatedKeys.size === 0) return;
    const lines = new Map<string, number | undefined>();
    for await (const mark of marks) {
      if (!this.repeatedKeys.has(keyText(this.key(mark.username)))) continue;
      if (lines.has(mark.username)) throw duplicateUsernameError(this.store, lines.get(mark.username), mark.line);
      lines.set(mark.username, mark.line);
    }
  }

  /** Whether the user has a legacy record, and whether it is marked migrated. */
  lookup(username: string): 'marked' | 'unmarked' | 'absent' {
    const slot = this.table.find(this.key(username));
    if (slot === -1) return 'absent';
    return this.table.columns.marked[slot] === MARKED ? 'marked' : 'unmarked';
  }

  private add(mark: MigrationMark): void {
    const key = this.key(mark.username);
    if (this.table.find(key) !== -1) this.repeatedKeys.add(keyText(key));
    const slot = this.table.add(key);
    this.table.columns.marked[slot] = mark.migrated ? MARKED : 0;
  }
}

function keyText(key: UsernameKey): string {
  return `${key.hi}:${key.lo}`;
}

/** Compares the users Graph lists with the flag false and true against the legacy marks. */
export async function findDrift(legacy: LegacyMarkSet, flagFalse: AsyncIterable<DirectoryUser>, flagTrue: AsyncIterable<DirectoryUser>): Promise<DriftFindings> {
  const cleared = new DriftList();
  const stuck = new DriftList();
  let flagClearedNotInLegacyStore = 0;
  let withoutLocalIdentity = 0;
  for await (const user of flagFalse) {
    if (user.username === undefined) {
      withoutLocalIdentity++;
      continue;
    }
    const record = legacy.lookup(user.username);
    if (record === 'unmarked') cleared.add(user.username);
    else if (record === 'absent') flagClearedNotInLegacyStore++;
  }
  for await (const user of flagTrue) {
    if (user.username === undefined) withoutLocalIdentity++;
    else if (legacy.lookup(user.username) === 'marked') stuck.add(user.username);
  }
  return { flagClearedWithoutLegacyMark: cleared.result(), legacyMarkWithFlagTrue: stuck.result(), flagClearedNotInLegacyStore, withoutLocalIdentity };
}

class DriftList {
  private count = 0;
  private readonly usernames: string[] = [];

  add(username: string): void {
    this.count++;
    if (this.usernames.length < DRIFT_LISTED_USERS) this.usernames.push(username);
  }

  result(): DriftedUsers {
    return { count: this.count, usernames: this.usernames };
  }
}
