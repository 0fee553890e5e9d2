/**
 * The crash-safe record of a provisioning run: JSON lines, appended and fsync'ed, mode 0600.
 *
 * Write-ahead: before a batch goes to Graph, one `sending` line per record (with the UPN the request
 * carries) is on disk. After the answer, one outcome line per record. So after a crash every record is
 * either settled, or `sending` (in doubt: look it up before creating it again), or was never sent.
 * The last line may be torn by a crash; it is ignored. Passwords never reach this file: entries are built
 * from typed fields that have none. Loading keeps a few bytes per record, not the lines (checkpointRecords.ts).
 */
import { closeSync, fstatSync, openSync, promises as fs } from 'node:fs';
import { LineWindow } from '../scale/lineWindow';
import { CheckpointRecords, isRecordState, MAX_RECORD } from './checkpointRecords';
import type { FailureCode } from './outcomes';
import type { MfaMethod, ProvisioningTarget } from './target';

export type { RecordLookup, RecordProgress, RecordState } from './checkpointRecords';

const FORMAT = 'jitmigrate-provision-users';
/** Method lines (`--mfa-methods`) sit beside the record's state lines and never replace its latest one. */
const METHOD_STATE = 'method';
const VERSION = 1;

export interface SendingEntry {
  readonly record: number;
  readonly email: string;
  /** Absent on B2C, which makes the UPN itself (userShape.ts). */
  readonly userPrincipalName?: string;
}

export type OutcomeEntry =
  | { readonly record: number; readonly email: string; readonly state: 'created'; readonly id: string; readonly userPrincipalName?: string }
  | { readonly record: number; readonly email: string; readonly state: 'exists'; readonly id?: string; readonly flagged?: boolean }
  | { readonly record: number; readonly email?: string; readonly state: 'failed'; readonly code: FailureCode; readonly reason: string };

/**
 * An authentication method's fate (`--mfa-methods`): `registered` (201) or `already-registered` (409) settle it,
 * so a later run skips it; a `failed` line is for the record only, and the next run sends it again.
 */
export interface MethodOutcomeEntry {
  readonly record: number;
  readonly method: MfaMethod;
  readonly outcome: 'registered' | 'already-registered' | 'failed';
  readonly code?: FailureCode;
  readonly reason?: string;
}

/** What the run needs from its checkpoint; a test can put a crashing one in its place. */
export interface ProvisioningLog {
  /** Durable before it resolves. */
  sending(entries: readonly SendingEntry[]): Promise<void>;
  settled(entries: readonly OutcomeEntry[]): Promise<void>;
  /** Optional: a log without it keeps no method lines (every run then sends the methods again; 409 = done). */
  methodsSettled?(entries: readonly MethodOutcomeEntry[]): Promise<void>;
}

export class CheckpointMismatchError extends Error {
  override readonly name = 'CheckpointMismatchError';
}

interface Header {
  format: typeof FORMAT;
  version: number;
  domain: string;
  migrationProperty: string;
  /** Written for B2C only, so an External ID checkpoint stays as it was; absent = externalId. */
  platform?: 'b2c';
  createdAt: string;
}

export class CheckpointFile implements ProvisioningLog {
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    /** Latest state per record number, as loaded at open. */
    readonly records: CheckpointRecords,
    private readonly handle: fs.FileHandle | undefined,
  ) {}

  /**
   * Loads the file if it exists and checks it was written for the same target. `readOnly` (dry runs) never
   * creates or changes it; writes are then refused.
   */
  static async open(file: string, target: ProvisioningTarget, options: { readOnly?: boolean } = {}): Promise<CheckpointFile> {
    const records = new CheckpointRecords(file);
    const exists = await fs.stat(file).then(
      () => true,
      () => false,
    );
    const loaded = exists ? load(file, records) : { header: undefined, validBytes: 0, size: 0 };
    const header = loaded.header;
    if (header !== undefined) {
      const headerPlatform = header.platform ?? 'externalId';
      const different =
        header.domain !== target.domain
          ? `--domain ${header.domain}`
          : header.migrationProperty !== target.migrationProperty
            ? `--migration-property ${header.migrationProperty}`
            : headerPlatform !== (target.platform ?? 'externalId')
              ? `--platform ${headerPlatform}`
              : undefined;
      if (different) {
        records.close();
        throw new CheckpointMismatchError(`the checkpoint ${file} was written for ${different}: run with the same options, or pass another --checkpoint for a new run`);
      }
    }
    if (options.readOnly) return new CheckpointFile(file, records, undefined);

    const handle = await fs.open(file, 'a+', 0o600);
    await handle.chmod(0o600);
    // A line cut short by a crash goes; a complete last line that lost only its newline gets it back.
    if (loaded.validBytes < loaded.size) await handle.truncate(loaded.validBytes);
    else if (loaded.size > 0 && !(await endsWithNewline(handle, loaded.size))) await handle.write('\n');
    const checkpoint = new CheckpointFile(file, records, handle);
    if (header === undefined) {
      const fresh: Header = {
        format: FORMAT,
        version: VERSION,
        domain: target.domain,
        migrationProperty: target.migrationProperty,
        ...(target.platform === 'b2c' ? { platform: 'b2c' as const } : {}),
        createdAt: new Date().toISOString(),
      };
      await checkpoint.append([fresh]);
    }
    return checkpoint;
  }

  sending(entries: readonly SendingEntry[]): Promise<void> {
    return this.append(entries.map((entry) => ({ record: entry.record, state: 'sending', email: entry.email, upn: entry.userPrincipalName, at: now() })));
  }

  settled(entries: readonly OutcomeEntry[]): Promise<void> {
    return this.append(entries.map((entry) => toLine(entry)));
  }

  methodsSettled(entries: readonly MethodOutcomeEntry[]): Promise<void> {
    return this.append(entries.map(({ record, method, outcome, code, reason }) => ({ record, state: METHOD_STATE, method, outcome, code, reason, at: now() })));
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.handle?.close();
    this.records.close();
  }

  /** Appends are serialized; each is fsync'ed (datasync) before its promise resolves. */
  private append(lines: readonly object[]): Promise<void> {
    if (lines.length === 0) return this.tail;
    const handle = this.handle;
    if (handle === undefined) return Promise.reject(new Error(`the checkpoint ${this.file} was opened read-only (dry run)`));
    const text = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
    const write = this.tail.then(async () => {
      await handle.write(text);
      await handle.datasync();
    });
    // A failed write fails this append and every later one: the file's order must stay the order of events.
    this.tail = write;
    return write;
  }
}

/** Only typed, non-secret fields are copied. */
function toLine(entry: OutcomeEntry): object {
  switch (entry.state) {
    case 'created':
      return { record: entry.record, state: entry.state, email: entry.email, id: entry.id, upn: entry.userPrincipalName, at: now() };
    case 'exists':
      return { record: entry.record, state: entry.state, email: entry.email, id: entry.id, flagged: entry.flagged, at: now() };
    case 'failed':
      return { record: entry.record, state: entry.state, email: entry.email, code: entry.code, reason: entry.reason, at: now() };
  }
}

interface Loaded {
  header: Header | undefined;
  /** Bytes up to the end of the last complete line (a torn last line is excluded). */
  validBytes: number;
  size: number;
}

/** Reads the file through once; records keep the byte offsets of their lines, to read them back later. */
function load(file: string, records: CheckpointRecords): Loaded {
  const fd = openSync(file, 'r');
  try {
    return loadLines(fd, file, records);
  } finally {
    closeSync(fd);
  }
}

function loadLines(fd: number, file: string, records: CheckpointRecords): Loaded {
  const { size } = fstatSync(fd);
  const lines = new LineWindow(fd);
  let header: Header | undefined;
  let lineNumber = 0;
  let torn: { line: number; offset: number } | undefined;
  for (let start = 0; start < size; ) {
    const { text: line, next } = lines.lineFrom(start);
    lineNumber++;
    const offset = start;
    start = next;
    if (torn !== undefined) throw new CheckpointMismatchError(`line ${torn.line} of the checkpoint ${file} is not valid JSON: the file is damaged; restore it or start a new run with another --checkpoint`);
    if (line.trim() === '') continue;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      torn = { line: lineNumber, offset }; // acceptable only as the very last line: a write cut short by a crash
      continue;
    }
    if (header === undefined) {
      if (parsed.format !== FORMAT) throw new CheckpointMismatchError(`${file} is not a provision-users checkpoint: pass another --checkpoint`);
      if (parsed.version !== VERSION) throw new CheckpointMismatchError(`the checkpoint ${file} has version ${String(parsed.version)}, this jitmigrate reads version ${VERSION}`);
      header = parsed as unknown as Header;
      continue;
    }
    const record = parsed.record;
    if (!Number.isSafeInteger(record) || (record as number) < 0 || (record as number) > MAX_RECORD) continue;
    if (parsed.state === METHOD_STATE) {
      if ((parsed.method === 'phone' || parsed.method === 'email') && parsed.outcome !== 'failed') records.noteMethodDone(record as number, parsed.method);
      continue;
    }
    if (!isRecordState(parsed.state)) continue;
    // A failed line keeps the UPN of the earlier sending line: that create may still have happened.
    records.noteLine(record as number, parsed.state, offset, typeof parsed.upn === 'string');
  }
  return { header, validBytes: torn === undefined ? size : torn.offset, size };
}

async function endsWithNewline(handle: fs.FileHandle, size: number): Promise<boolean> {
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

function now(): string {
  return new Date().toISOString();
}
