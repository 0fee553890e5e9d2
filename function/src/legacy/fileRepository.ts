/**
 * The legacy hash store as a JSON-lines file: one exported user per line, for local runs, the sandbox and
 * small single-instance deployments.
 *
 *   {"username":"alice@contoso.com","hash":"$2b$10$…","status":"active","mustChangePassword":false}
 *   {"username":"bob","hash":"…","email":"bob@contoso.com","displayName":"Bob Jones","givenName":"Bob","surname":"Jones"}
 *
 * Fields (normalize.ts toUserRecord validates them; any other field is an error): `username` and `hash`
 * (required), `params`, `status`, `mustChangePassword`, the marks the function writes (`migrated`,
 * `migratedAt`, `supersededAt`), and the optional profile B2C copies on a first sign-in: `email` (an
 * address, normalized as usernames are), `displayName` (up to 256 characters), `givenName` and `surname`
 * (up to 64). An empty profile field counts as absent.
 *
 * Blank lines and lines starting with `#` are skipped and kept as they are when the file is rewritten.
 *
 * Memory stays small however many users the file holds: `load` streams the file (usersFile.ts) into an index
 * of username hash → line offset and number (usernameHashTable.ts, 20 bytes a slot) and a lookup reads the user's
 * line back through a descriptor kept open. That descriptor also makes the repository a snapshot of the file
 * as loaded, as it was when the whole file was held in memory: a file replaced on disk is not seen until the
 * next load. Migration marks rewrite the file beside itself and rename it over.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LegacySystemError, type LegacyUserRecord, type LegacyUserRepository } from './port';
import { usernameKey, UsernameHashTable } from './usernameHashTable';
import { closeUsersFile, openUsersFile, parseUserSource, readFileChunk, readLineAt, readUsersFile, UsersFileError, UsersFileProblems, type ParsedUserLine } from './usersFile';

export { parseUserLine, UsersFileError, type UsersFileProblem } from './usersFile';

const COPY_CHUNK_BYTES = 1024 * 1024;

type IndexColumns = { offset: Float64ArrayConstructor; line: Uint32ArrayConstructor };
type MarkFields = { readonly migrated?: true; readonly migratedAt?: string; readonly supersededAt?: string };

/** A user's line in one version of the file. */
interface Located extends ParsedUserLine {
  readonly line: number;
  readonly offset: number;
  readonly length: number;
}

/** A line to replace when the file is rewritten. */
interface LineChange {
  readonly offset: number;
  readonly length: number;
  readonly text: Buffer;
}

/** One version of the file, open for reading; closed once a rewrite replaced it and no read uses it any more. */
class FileVersion {
  private readers = 0;
  private replaced = false;
  private closed = false;

  constructor(readonly fd: number) {}

  /** Counts a reader until `release` is called: taken before any await, so a rewrite finishing meanwhile cannot close the file under it. */
  acquire(): () => void {
    this.readers++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.readers--;
      this.closeIfIdle();
    };
  }

  async use<T>(work: (fd: number) => Promise<T>): Promise<T> {
    const release = this.acquire();
    try {
      return await work(this.fd);
    } finally {
      release();
    }
  }

  retire(): void {
    this.replaced = true;
    this.closeIfIdle();
  }

  private closeIfIdle(): void {
    if (!this.replaced || this.readers > 0 || this.closed) return;
    this.closed = true;
    void closeUsersFile(this.fd).catch(() => undefined);
  }
}

export class FileUserRepository implements LegacyUserRepository {
  readonly kind = 'file' as const;

  /** The last write in progress or queued; writes run one at a time. */
  private writeChain: Promise<void> = Promise.resolve();
  /** A write that is queued but has not yet taken its snapshot; later marks ride along with it. */
  private queuedWrite: Promise<void> | undefined;
  /** Marks not in the file yet (or whose save failed): lookups apply them, the next write saves them. */
  private readonly unsaved = new Map<string, MarkFields>();

  private constructor(
    readonly filePath: string,
    private version: FileVersion,
    private readonly index: UsernameHashTable<IndexColumns>,
  ) {}

  /** Reads and validates the whole file; reports every invalid line (up to 20 listed) in one error. */
  static async load(filePath: string): Promise<FileUserRepository> {
    const version = new FileVersion(await openUsersFile(filePath));
    try {
      const index = new UsernameHashTable({ offset: Float64Array, line: Uint32Array });
      const problems = new UsersFileProblems(filePath);
      await version.use(async (fd) => {
        for await (const entry of readUsersFile(fd, problems)) {
          const key = usernameKey(entry.record.username);
          const earlier = await locateIn(fd, filePath, index, entry.record.username);
          if (earlier !== undefined) {
            problems.add(entry.line, `has the same username as line ${earlier.line} (after normalization: trimmed, NFKC, emails lower-cased)`);
            continue;
          }
          const slot = index.add(key);
          index.columns.offset[slot] = entry.offset;
          index.columns.line[slot] = entry.line;
        }
      });
      problems.throwIfAny();
      return new FileUserRepository(filePath, version, index);
    } catch (error) {
      version.retire();
      throw error;
    }
  }

  /** Every user, in file order, with marks not yet saved (for importers and tests). Streams the file. */
  async *records(): AsyncGenerator<LegacyUserRecord> {
    const version = this.version;
    const release = version.acquire();
    try {
      for await (const entry of readUsersFile(version.fd, new UsersFileProblems(this.filePath))) yield this.withUnsaved(entry.record);
    } finally {
      release();
    }
  }

  get size(): number {
    return this.index.size;
  }

  async findByUsername(normalizedUsername: string): Promise<LegacyUserRecord | undefined> {
    const found = await this.locate(normalizedUsername);
    return found && this.withUnsaved(found.record);
  }

  /** Lookups see the mark as soon as the user is found; the file is rewritten after. Concurrent marks share a write and none is lost. */
  markMigrated(normalizedUsername: string, at: Date): Promise<void> {
    const migratedAt = at.toISOString();
    return this.mark(normalizedUsername, { migrated: true, migratedAt }, 'migrated');
  }

  markSuperseded(normalizedUsername: string, at: Date): Promise<void> {
    return this.mark(normalizedUsername, { supersededAt: at.toISOString() }, 'superseded');
  }

  /** Closes the file once pending reads are done. Lookups after this fail. */
  close(): void {
    this.version.retire();
  }

  private withUnsaved(record: LegacyUserRecord): LegacyUserRecord {
    const fields = this.unsaved.get(record.username);
    return fields ? { ...record, ...fields } : record;
  }

  /** Version and offsets are taken in the same turn, so they always belong together. */
  private locate(username: string): Promise<Located | undefined> {
    return this.version.use((fd) => locateIn(fd, this.filePath, this.index, username));
  }

  private async mark(normalizedUsername: string, fields: MarkFields, mark: string): Promise<void> {
    if (!(await this.locate(normalizedUsername))) throw new LegacySystemError(`the user is not in the users file, so it was not marked ${mark}`);
    this.unsaved.set(normalizedUsername, { ...this.unsaved.get(normalizedUsername), ...fields });
    await this.scheduleWrite();
  }

  private scheduleWrite(): Promise<void> {
    if (this.queuedWrite) return this.queuedWrite;
    const write = this.writeChain.then(() => {
      this.queuedWrite = undefined;
      return this.writeFile();
    });
    this.queuedWrite = write;
    this.writeChain = write.catch(() => undefined);
    return write;
  }

  /**
   * Copies the file to a temporary one beside it with the marked users' lines replaced, flushes it, then
   * renames it over: readers see old or new, never half. Lines keep their text but for the migration fields,
   * and everything else (comments, blank lines, line breaks, a byte order mark) is copied byte for byte.
   */
  private async writeFile(): Promise<void> {
    const batch = [...this.unsaved];
    const old = this.version;
    const dir = path.dirname(this.filePath);
    const temp = path.join(dir, `.${path.basename(this.filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let changes: LineChange[];
    let fd: number | undefined;
    try {
      changes = await old.use((oldFd) => this.changedLines(oldFd, batch));
      const mode = (await fs.stat(this.filePath).catch(() => undefined))?.mode;
      await old.use((oldFd) => copyWithChanges(oldFd, this.filePath, temp, mode === undefined ? 0o600 : mode & 0o777, changes));
      // Opened before the rename, so it is surely the file just written.
      fd = await openUsersFile(temp);
      await fs.rename(temp, this.filePath);
    } catch (error) {
      if (fd !== undefined) await closeUsersFile(fd).catch(() => undefined);
      await fs.rm(temp, { force: true }).catch(() => undefined);
      if (error instanceof LegacySystemError) throw error;
      // Reading the old version or opening the new one: the message already names the file and the reason.
      if (error instanceof UsersFileError) throw new LegacySystemError(`the users file could not be saved: ${error.message}`);
      throw new LegacySystemError(`the users file could not be saved (${errorCode(error)}): check that the function can write to its folder`);
    }
    // One turn, no await: index, file and unsaved marks change together.
    this.shiftOffsets(changes);
    this.version = new FileVersion(fd);
    old.retire();
    for (const [username, fields] of batch) if (this.unsaved.get(username) === fields) this.unsaved.delete(username);
  }

  private async changedLines(fd: number, batch: ReadonlyArray<readonly [string, MarkFields]>): Promise<LineChange[]> {
    const changes: LineChange[] = [];
    for (const [username, fields] of batch) {
      const found = await locateIn(fd, this.filePath, this.index, username);
      if (!found) continue; // mark() found it; only a hash collision on a vanished line could get here
      changes.push({ offset: found.offset, length: found.length, text: Buffer.from(JSON.stringify({ ...found.source, ...fields }), 'utf8') });
    }
    return changes.sort((a, b) => a.offset - b.offset);
  }

  /** Every line after a changed one moved by the changes' growth before it. */
  private shiftOffsets(changes: readonly LineChange[]): void {
    const starts: number[] = [];
    const shifts: number[] = [];
    let shift = 0;
    for (const change of changes) {
      shift += change.text.length - change.length;
      starts.push(change.offset);
      shifts.push(shift);
    }
    if (shifts.every((value) => value === 0)) return;
    const offsets = this.index.columns.offset;
    this.index.forEachSlot((slot) => {
      const offset = offsets[slot] as number;
      // The last change that starts before this line.
      let low = 0;
      let high = starts.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((starts[middle] as number) < offset) low = middle + 1;
        else high = middle;
      }
      if (low > 0) offsets[slot] = offset + (shifts[low - 1] as number);
    });
  }
}

/** The user's line among the index's candidates for the name (a shared hash is told apart by reading the name). */
async function locateIn(fd: number, filePath: string, index: UsernameHashTable<IndexColumns>, username: string): Promise<Located | undefined> {
  const candidates = index.slotsOf(usernameKey(username)).map((slot) => ({ offset: index.columns.offset[slot] as number, line: index.columns.line[slot] as number }));
  for (const { offset, line } of candidates) {
    const read = await readLineAt(fd, filePath, offset);
    let parsed: ParsedUserLine | undefined;
    try {
      parsed = read === undefined ? undefined : parseUserSource(read.text, line);
    } catch (error) {
      if (!(error instanceof UsersFileError)) throw error;
    }
    // The file was checked when loaded and the descriptor still reads that version: this is not expected.
    if (parsed === undefined || read === undefined) throw new LegacySystemError(`users file line ${line} could not be read back as it was loaded`);
    if (parsed.record.username === username) return { ...parsed, line, offset, length: read.length };
  }
  return undefined;
}

/** Writes `temp`: the file in `fd` with each change's line replaced, then flushed to disk. */
async function copyWithChanges(fd: number, filePath: string, temp: string, mode: number, changes: readonly LineChange[]): Promise<void> {
  const handle = await fs.open(temp, 'wx', mode);
  try {
    const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    /** Copies bytes [from, to) of the old file; `to` past its end copies the rest. */
    const copy = async (from: number, to: number): Promise<void> => {
      for (let position = from; position < to; ) {
        const chunk = await readFileChunk(fd, filePath, buffer.subarray(0, Math.min(buffer.length, to - position)), position);
        if (chunk.length === 0) return;
        await handle.write(chunk);
        position += chunk.length;
      }
    };
    let position = 0;
    for (const change of changes) {
      await copy(position, change.offset);
      await handle.write(change.text);
      position = change.offset + change.length;
    }
    await copy(position, Number.POSITIVE_INFINITY);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The errno code for a message (never the error's own text); the error's name when it has none. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'error';
}
