/**
 * Reading the JSON-lines users file (format: fileRepository.ts) one line at a time, so memory does not grow
 * with the file: a 10 M-user file is about 1.7 GB, past what one JavaScript string can hold. Every problem
 * names its line, or says why the file could not be opened or read, and never quotes the file's content
 * (it holds hashes and personal data).
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { toUserRecord, UserRecordError } from './normalize';
import type { LegacyUserRecord } from './port';
import { fileErrorReason, knownErrorCode } from '../../../lib/files/errors';

const openFd = promisify(fs.open);
const closeFd = promisify(fs.close);
const fstatFd = promisify(fs.fstat);
const readFd = promisify(fs.read);

/** Problems listed in one message; more are counted, not listed. */
const MAX_LISTED_PROBLEMS = 20;
/** Problems kept in `UsersFileError.problems`; a file of another format would otherwise fill memory with them. */
const MAX_KEPT_PROBLEMS = 1000;
/** Far above a real record (a 256-character name and a hash of at most 4096); a file without newlines stops here. */
export const MAX_LINE_BYTES = 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface UsersFileProblem {
  readonly line: number;
  readonly problem: string;
}

/** An invalid or unreadable users file. Every problem names its line; no value from the file is ever included. */
export class UsersFileError extends Error {
  constructor(
    message: string,
    readonly problems: readonly UsersFileProblem[],
  ) {
    super(message);
    this.name = 'UsersFileError';
  }
}

/** The problems found while reading a file, reported together at the end (all of them counted, the first 20 listed). */
export class UsersFileProblems {
  private readonly kept: UsersFileProblem[] = [];
  private total = 0;

  constructor(readonly filePath: string) {}

  add(line: number, problem: string): void {
    this.total++;
    if (this.kept.length < MAX_KEPT_PROBLEMS) this.kept.push({ line, problem });
  }

  get count(): number {
    return this.total;
  }

  throwIfAny(): void {
    if (this.total === 0) return;
    const listed = this.kept.slice(0, MAX_LISTED_PROBLEMS).map((p) => `line ${p.line}: ${p.problem}`);
    if (this.total > MAX_LISTED_PROBLEMS) listed.push(`and ${this.total - MAX_LISTED_PROBLEMS} more`);
    throw new UsersFileError(`users file ${this.filePath} has ${this.total} invalid line${this.total === 1 ? '' : 's'}: ${listed.join('; ')}`, this.kept);
  }
}

/**
 * Parses one line of a users file (1-based `lineNumber`, for messages). Returns undefined for blank and
 * comment lines; throws UsersFileError for anything else that is not a valid user record.
 */
export function parseUserLine(line: string, lineNumber: number): LegacyUserRecord | undefined {
  return parseUserSource(line, lineNumber)?.record;
}

export interface ParsedUserLine {
  readonly record: LegacyUserRecord;
  /** The line's JSON as written, so a rewrite changes only the migration fields. */
  readonly source: Record<string, unknown>;
}

/** As parseUserLine, with the line's JSON object as written. */
export function parseUserSource(line: string, lineNumber: number): ParsedUserLine | undefined {
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

/** One user of the file: its record, its 1-based line number, and where the line's text starts and how many bytes it has (without the line break). */
export interface UsersFileEntry {
  readonly record: LegacyUserRecord;
  readonly line: number;
  readonly offset: number;
  readonly length: number;
}

/** Opens the file for reading, as a plain descriptor (no FileHandle: one left to the garbage collector warns). */
export async function openUsersFile(filePath: string): Promise<number> {
  let fd: number;
  try {
    fd = await openFd(filePath, 'r');
  } catch (error) {
    throw unreadable(filePath, error);
  }
  try {
    // Linux opens a directory for reading without complaint; reading it would fail later with less to go on.
    if ((await fstatFd(fd)).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (error) {
    await closeFd(fd).catch(() => undefined);
    throw unreadable(filePath, error);
  }
  return fd;
}

export function closeUsersFile(fd: number): Promise<void> {
  return closeFd(fd);
}

/**
 * Every user of the file in `fd`, in file order. Blank and comment lines are skipped; invalid lines go to
 * `problems` (the caller throws them when it has added its own, such as duplicates).
 */
export async function* readUsersFile(fd: number, problems: UsersFileProblems): AsyncGenerator<UsersFileEntry> {
  for await (const line of readLines(fd, problems.filePath)) {
    if (line.text === undefined) {
      problems.add(line.number, `is longer than ${MAX_LINE_BYTES} bytes: is this a users file (one JSON object a line)?`);
      continue;
    }
    let parsed: ParsedUserLine | undefined;
    try {
      parsed = parseUserSource(line.text, line.number);
    } catch (error) {
      if (!(error instanceof UsersFileError)) throw error;
      for (const problem of error.problems) problems.add(problem.line, problem.problem);
      continue;
    }
    if (parsed) yield { record: parsed.record, line: line.number, offset: line.offset, length: line.length };
  }
}

/** Every user of the file at `filePath`, then a UsersFileError if any line was invalid. For readers that keep no index (status). */
export async function* usersOfFile(filePath: string): AsyncGenerator<UsersFileEntry> {
  const problems = new UsersFileProblems(filePath);
  const fd = await openUsersFile(filePath);
  try {
    yield* readUsersFile(fd, problems);
  } finally {
    await closeUsersFile(fd);
  }
  problems.throwIfAny();
}

/** The line whose text starts at `offset` (as UsersFileEntry gives it), without its line break; undefined when none is there. */
export async function readLineAt(fd: number, filePath: string, offset: number): Promise<{ text: string; length: number } | undefined> {
  const pieces: Buffer[] = [];
  let bytes = 0;
  for (let position = offset; bytes <= MAX_LINE_BYTES; ) {
    const piece = Buffer.allocUnsafe(bytes === 0 ? 4096 : CHUNK_BYTES);
    const read = await readFileChunk(fd, filePath, piece, position);
    const end = read.indexOf(NEWLINE);
    pieces.push(end === -1 ? read : read.subarray(0, end));
    bytes += end === -1 ? read.length : end;
    if (end !== -1 || read.length < piece.length) break;
    position += read.length;
  }
  if (bytes > MAX_LINE_BYTES) return undefined;
  const line = withoutCarriageReturn(Buffer.concat(pieces, bytes));
  return { text: line.toString('utf8'), length: line.length };
}

interface RawLine {
  /** undefined when the line is longer than MAX_LINE_BYTES (it is skipped, not held). */
  readonly text: string | undefined;
  readonly number: number;
  readonly offset: number;
  readonly length: number;
}

/** The file's lines as split on `\n` (a `\r` before it and a leading byte order mark are not part of the text). */
async function* readLines(fd: number, filePath: string): AsyncGenerator<RawLine> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let carried: Buffer[] = [];
  let carriedBytes = 0;
  let tooLong = false;
  let number = 0;
  let lineStart = 0;
  let position = 0;
  const finish = (tail: Buffer): RawLine => {
    number++;
    let offset = lineStart;
    if (tooLong || carriedBytes + tail.length > MAX_LINE_BYTES) return { text: undefined, number, offset, length: carriedBytes + tail.length };
    let bytes = withoutCarriageReturn(carried.length === 0 ? tail : Buffer.concat([...carried, tail]));
    if (number === 1 && bytes.subarray(0, BOM.length).equals(BOM)) {
      bytes = bytes.subarray(BOM.length);
      offset += BOM.length;
    }
    return { text: bytes.toString('utf8'), number, offset, length: bytes.length };
  };
  for (;;) {
    const chunk = await readFileChunk(fd, filePath, buffer, position);
    if (chunk.length === 0) break;
    let from = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, from)) {
      yield finish(chunk.subarray(from, end));
      from = end + 1;
      lineStart = position + from;
      carried = [];
      carriedBytes = 0;
      tooLong = false;
    }
    const rest = chunk.subarray(from);
    carriedBytes += rest.length;
    if (carriedBytes > MAX_LINE_BYTES) {
      tooLong = true;
      carried = [];
    } else if (!tooLong && rest.length > 0) {
      carried.push(Buffer.from(rest)); // a copy: the buffer is read into again
    }
    position += chunk.length;
  }
  if (carriedBytes > 0 || tooLong) yield finish(Buffer.alloc(0));
}

/** Reads into `buffer` from `position`; the bytes read (none at the end of the file). */
export async function readFileChunk(fd: number, filePath: string, buffer: Buffer, position: number): Promise<Buffer> {
  try {
    const { bytesRead } = await readFd(fd, buffer, 0, buffer.length, position);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    throw unreadable(filePath, error);
  }
}

function withoutCarriageReturn(bytes: Buffer): Buffer {
  return bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.subarray(0, -1) : bytes;
}

/** What to do about a users file that cannot be opened or read; the reason itself is lib/files/errors.ts's. */
const READ_FIXES: Readonly<Record<string, string>> = {
  ENOENT: 'check the path',
  ENOTDIR: 'check the path',
  EISDIR: 'pass the users file itself',
  EACCES: 'let this account read the file (and enter its folders)',
  EPERM: 'let this account read the file',
};

function unreadable(filePath: string, error: unknown): UsersFileError {
  const code = knownErrorCode(error);
  const reason = fileErrorReason(error);
  const fix = (code && READ_FIXES[code]) ?? 'check the path and the permissions';
  const what = reason ?? (code === undefined && error instanceof Error ? error.message : undefined);
  return new UsersFileError(`users file ${filePath} could not be read (${code ?? (error instanceof Error ? error.name : 'error')}): ${what ? `${what}: ` : ''}${fix}`, []);
}
