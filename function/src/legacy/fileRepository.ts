/**
 * The legacy hash store as a JSON-lines file: one exported user per line, for local runs, the sandbox and
 * small single-instance deployments. Lookups are served from memory; migration marks are written back.
 *
 *   {"username":"alice@contoso.com","hash":"$2b$10$…","status":"active","mustChangePassword":false}
 *
 * Blank lines and lines starting with `#` are skipped and kept as they are when the file is rewritten.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { toUserRecord, UserRecordError } from './normalize';
import { LegacySystemError, type LegacyUserRecord, type LegacyUserRepository } from './port';

/** Problems reported in one error; more are counted, not listed. */
const MAX_LISTED_PROBLEMS = 20;

export interface UsersFileProblem {
  readonly line: number;
  readonly problem: string;
}

/** An invalid users file. Every problem names its line; no value from the file is ever included. */
export class UsersFileError extends Error {
  constructor(
    message: string,
    readonly problems: readonly UsersFileProblem[],
  ) {
    super(message);
    this.name = 'UsersFileError';
  }
}

/**
 * Parses one line of a users file (1-based `lineNumber`, for messages). Returns undefined for blank and
 * comment lines; throws UsersFileError for anything else that is not a valid user record.
 */
export function parseUserLine(line: string, lineNumber: number): LegacyUserRecord | undefined {
  return parseLine(line, lineNumber)?.record;
}

interface ParsedLine {
  readonly record: LegacyUserRecord;
  /** The line's JSON as written, so a rewrite changes only the migration fields. */
  readonly source: Record<string, unknown>;
}

function parseLine(line: string, lineNumber: number): ParsedLine | undefined {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not the SyntaxError's message: V8 quotes the offending text, which holds a hash.
    throw lineError(lineNumber, 'is not valid JSON');
  }
  try {
    return { record: toUserRecord(value), source: value as Record<string, unknown> };
  } catch (error) {
    if (error instanceof UserRecordError) throw lineError(lineNumber, error.message);
    throw error;
  }
}

function lineError(line: number, problem: string): UsersFileError {
  return new UsersFileError(`users file line ${line}: ${problem}`, [{ line, problem }]);
}

interface Entry {
  /** Index into `lines`. */
  readonly index: number;
  record: LegacyUserRecord;
  source: Record<string, unknown>;
}

export class FileUserRepository implements LegacyUserRepository {
  readonly kind = 'file' as const;

  /** The last write in progress or queued; writes run one at a time. */
  private writeChain: Promise<void> = Promise.resolve();
  /** A write that is queued but has not yet taken its snapshot; later marks ride along with it. */
  private queuedWrite: Promise<void> | undefined;

  private constructor(
    readonly filePath: string,
    private readonly lines: string[],
    private readonly eol: string,
    private readonly bom: boolean,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** Reads and validates the whole file; reports every invalid line (up to 20) in one error. */
  static async load(filePath: string): Promise<FileUserRepository> {
    let text: string;
    try {
      text = await fs.readFile(filePath, 'utf8');
    } catch (error) {
      throw new UsersFileError(`users file ${filePath} could not be read (${errorCode(error)}): check the path and the permissions`, []);
    }
    return FileUserRepository.fromText(filePath, text);
  }

  /** As `load`, for text already in memory; `filePath` is where `markMigrated` writes. */
  static fromText(filePath: string, text: string): FileUserRepository {
    const bom = text.startsWith('\uFEFF');
    const body = bom ? text.slice(1) : text;
    const eol = body.includes('\r\n') ? '\r\n' : '\n';
    const lines = body.split(/\r?\n/);
    const entries = new Map<string, Entry>();
    const problems: UsersFileProblem[] = [];
    lines.forEach((line, index) => {
      const lineNumber = index + 1;
      let parsed: ParsedLine | undefined;
      try {
        parsed = parseLine(line, lineNumber);
      } catch (error) {
        if (!(error instanceof UsersFileError)) throw error;
        problems.push(...error.problems);
        return;
      }
      if (!parsed) return;
      const earlier = entries.get(parsed.record.username);
      if (earlier) {
        problems.push({ line: lineNumber, problem: `has the same username as line ${earlier.index + 1} (after normalization: trimmed, NFKC, emails lower-cased)` });
        return;
      }
      entries.set(parsed.record.username, { index, record: parsed.record, source: parsed.source });
    });
    if (problems.length > 0) {
      const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `line ${p.line}: ${p.problem}`);
      if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`and ${problems.length - MAX_LISTED_PROBLEMS} more`);
      throw new UsersFileError(`users file ${filePath} has ${problems.length} invalid line${problems.length === 1 ? '' : 's'}: ${listed.join('; ')}`, problems);
    }
    return new FileUserRepository(filePath, lines, eol, bom, entries);
  }

  /** Every user, in file order (for the sandbox and importers). */
  records(): LegacyUserRecord[] {
    return [...this.entries.values()].sort((a, b) => a.index - b.index).map((e) => e.record);
  }

  get size(): number {
    return this.entries.size;
  }

  async findByUsername(normalizedUsername: string): Promise<LegacyUserRecord | undefined> {
    return this.entries.get(normalizedUsername)?.record;
  }

  /** Updates memory at once, then rewrites the file; concurrent marks share a write and none is lost. */
  markMigrated(normalizedUsername: string, at: Date): Promise<void> {
    const migratedAt = at.toISOString();
    return this.mark(normalizedUsername, { migrated: true, migratedAt }, 'migrated');
  }

  markSuperseded(normalizedUsername: string, at: Date): Promise<void> {
    return this.mark(normalizedUsername, { supersededAt: at.toISOString() }, 'superseded');
  }

  private async mark(normalizedUsername: string, fields: { migrated?: true; migratedAt?: string; supersededAt?: string }, mark: string): Promise<void> {
    const entry = this.entries.get(normalizedUsername);
    if (!entry) throw new LegacySystemError(`the user is not in the users file, so it was not marked ${mark}`);
    entry.record = { ...entry.record, ...fields };
    entry.source = { ...entry.source, ...fields };
    this.lines[entry.index] = JSON.stringify(entry.source);
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

  /** Write a temporary file beside the original, flush it, then rename over: readers see old or new, never half. */
  private async writeFile(): Promise<void> {
    const text = (this.bom ? '\uFEFF' : '') + this.lines.join(this.eol);
    const dir = path.dirname(this.filePath);
    const temp = path.join(dir, `.${path.basename(this.filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const mode = (await fs.stat(this.filePath).catch(() => undefined))?.mode;
      const handle = await fs.open(temp, 'wx', mode === undefined ? 0o600 : mode & 0o777);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, this.filePath);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw new LegacySystemError(`the users file could not be saved (${errorCode(error)}): check that the function can write to its folder`);
    }
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,32}$/.test(code) ? code : 'unknown error';
}
