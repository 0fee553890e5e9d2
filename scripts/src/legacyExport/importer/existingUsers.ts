/**
 * The users file an import merges into, indexed without being held in memory: it is read once, line by line
 * (usersFile.ts), into a table of username hashes with each line's offset (usernameHashTable.ts, about 21
 * bytes a slot), and a user's old line is read back when the import writes that user. Users taken that way
 * are flagged; `untaken()` streams the file again for the others, which the import carries over. A hash
 * match counts only once the line read back has the same username, so no user is ever mistaken for another.
 */
import { usernameKey, UsernameHashTable } from '../../../../function/src/legacy';
import { closeUsersFile, openUsersFile, parseUserLine, readUsersFile, UsersFileProblems } from '../../../../function/src/legacy';
import type { LegacyUserRecord } from '../../../../function/src/legacy';
import { LineWindow } from '../../scale/lineWindow';
import { estimateRecords } from './estimate';

type Columns = { offset: Float64ArrayConstructor; line: Uint32ArrayConstructor; taken: Uint8ArrayConstructor };

export class ExistingUsers {
  /** Lines in the order the import asks for them are mostly in file order: one read serves many. */
  private readonly lines: LineWindow;
  private closed = false;

  private constructor(
    private readonly filePath: string,
    private readonly fd: number,
    private readonly index: UsernameHashTable<Columns>,
  ) {
    this.lines = new LineWindow(fd);
  }

  /** Reads and checks the whole file (every invalid line and repeated username reported in one UsersFileError). */
  static async open(filePath: string): Promise<ExistingUsers> {
    const fd = await openUsersFile(filePath);
    try {
      const lines = await estimateRecords(filePath, 'json-lines', true);
      const index = new UsernameHashTable({ offset: Float64Array, line: Uint32Array, taken: Uint8Array }, lines);
      const users = new ExistingUsers(filePath, fd, index);
      const problems = new UsersFileProblems(filePath);
      for await (const entry of readUsersFile(fd, problems)) {
        const earlier = users.locate(entry.record.username);
        if (earlier !== undefined) {
          // As FileUserRepository.load says it: the function would refuse this file too.
          problems.add(entry.line, `has the same username as line ${index.columns.line[earlier.slot]} (after normalization: trimmed, NFKC, emails lower-cased)`);
          continue;
        }
        const slot = index.add(usernameKey(entry.record.username)); // may grow the table: take `columns` after it
        index.columns.offset[slot] = entry.offset;
        index.columns.line[slot] = entry.line;
      }
      problems.throwIfAny();
      return users;
    } catch (error) {
      await closeUsersFile(fd).catch(() => undefined);
      throw error;
    }
  }

  get size(): number {
    return this.index.size;
  }

  /** The user's record in the file, if there; it is then not carried over by `untaken()`. */
  take(username: string): LegacyUserRecord | undefined {
    const found = this.locate(username);
    if (found === undefined) return undefined;
    this.index.columns.taken[found.slot] = 1;
    return found.record;
  }

  /** The users not taken, in file order. */
  async *untaken(): AsyncGenerator<LegacyUserRecord> {
    const { offset, taken } = this.index.columns;
    for await (const entry of readUsersFile(this.fd, new UsersFileProblems(this.filePath))) {
      const slot = this.index.slotsOf(usernameKey(entry.record.username)).find((candidate) => offset[candidate] === entry.offset);
      if (slot !== undefined && taken[slot] === 0) yield entry.record;
    }
  }

  /** Closes the file (once: a descriptor number closed twice could be another file's by then). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeUsersFile(this.fd);
  }

  private locate(username: string): { slot: number; record: LegacyUserRecord } | undefined {
    const key = usernameKey(username);
    if (this.index.find(key) === -1) return undefined;
    for (const slot of this.index.slotsOf(key)) {
      // Checked when indexed, and read through the same descriptor: it parses.
      const record = parseUserLine(this.lines.lineAt(this.index.columns.offset[slot] as number), this.index.columns.line[slot] as number);
      if (record?.username === username) return { slot, record };
    }
    return undefined;
  }
}
