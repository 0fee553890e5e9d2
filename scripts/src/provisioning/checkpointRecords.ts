/**
 * The checkpoint's latest state per record, small enough for millions of records: typed arrays indexed by
 * record number hold a byte (the state) and the byte offset of the record's latest line, about 9 bytes a
 * record where a Map entry with its object cost hundreds (and Maps stop at 16.7 M entries). The line's
 * other fields (email, UPN, object id, failure code) are read back from the file when asked for.
 *
 * As the whole-file load did, a line without a UPN takes it from the record's last line that had one (a
 * failed create keeps the UPN it was sent with: the next run must look that UPN up before creating again),
 * and then its email from that line too when it has none of its own.
 */
import fs from 'node:fs';
import { LineWindow } from '../scale/lineWindow';
import type { FailureCode } from './outcomes';
import type { MfaMethod } from './target';

export type RecordState = 'sending' | 'created' | 'exists' | 'failed';

export interface RecordProgress {
  readonly state: RecordState;
  readonly email?: string;
  /** The UPN of the last create sent for this record. */
  readonly userPrincipalName?: string;
  /** Object id, when created or found. */
  readonly id?: string;
  readonly code?: FailureCode;
  /** `--mfa-methods`: methods registered (or found registered) for this record. */
  readonly methodsDone?: readonly MfaMethod[];
}

/** What a run asks of the checkpoint's records (a Map serves, in tests). */
export interface RecordLookup {
  /** The latest state of `record`, or undefined when the checkpoint has no line for it. */
  get(record: number): RecordProgress | undefined;
}

const STATES: readonly RecordState[] = ['sending', 'created', 'exists', 'failed'];
const STATE_BITS = 0x07;
/** The latest line carries a UPN. */
const HAS_UPN = 0x08;
/** Authentication methods settled (method lines), kept across the record's state lines. */
const METHOD_DONE: Readonly<Record<MfaMethod, number>> = { phone: 0x10, email: 0x20 };
const METHOD_BITS = 0x30;
/** Record numbers are source records: this bounds the arrays a damaged line could make us allocate. */
export const MAX_RECORD = 0xffff_ffff;

export function isRecordState(value: unknown): value is RecordState {
  return STATES.includes(value as RecordState);
}

export class CheckpointRecords implements RecordLookup {
  /** 0: no line; else 1 + index in STATES, with HAS_UPN. */
  private states = new Uint8Array(0);
  private latestAt = new Float64Array(0);
  /** The last line with a UPN, for records whose latest line has none (allocated when the first such record shows). */
  private upnAt: Float64Array | undefined;
  private reader: { fd: number; lines: LineWindow } | undefined;

  /** Reads lines from `file` (the checkpoint, opened read-only: its lines up to the loaded length never change). */
  constructor(private readonly file: string) {}

  /** During the load: the line at `offset` is the latest for `record`. */
  noteLine(record: number, state: RecordState, offset: number, hasUpn: boolean): void {
    this.ensureRoom(record);
    const previous = this.states[record]!;
    if (hasUpn) {
      if (this.upnAt) this.upnAt[record] = 0;
    } else {
      const earlier = previous & HAS_UPN ? this.latestAt[record]! : (this.upnAt?.[record] ?? 0);
      if (earlier > 0) {
        this.upnAt ??= new Float64Array(this.latestAt.length);
        this.upnAt[record] = earlier;
      }
    }
    this.states[record] = (STATES.indexOf(state) + 1) | (hasUpn ? HAS_UPN : 0) | (previous & METHOD_BITS);
    this.latestAt[record] = offset;
  }

  /** During the load: `method` was registered for `record` (only after a state line: a method follows a create). */
  noteMethodDone(record: number, method: MfaMethod): void {
    if (record >= this.states.length || (this.states[record]! & STATE_BITS) === 0) return;
    this.states[record] = this.states[record]! | METHOD_DONE[method];
  }

  get(record: number): RecordProgress | undefined {
    const bits = record < this.states.length ? this.states[record]! : 0;
    if (bits === 0) return undefined;
    const latest = this.lineAt(this.latestAt[record]!);
    let email = text(latest.email);
    let userPrincipalName = text(latest.upn);
    const earlierAt = this.upnAt?.[record] ?? 0;
    if (userPrincipalName === undefined && earlierAt > 0) {
      const earlier = this.lineAt(earlierAt);
      userPrincipalName = text(earlier.upn);
      email ??= text(earlier.email);
    }
    const methodsDone = (Object.keys(METHOD_DONE) as MfaMethod[]).filter((method) => (bits & METHOD_DONE[method]) !== 0);
    return {
      state: STATES[(bits & STATE_BITS) - 1]!,
      email,
      userPrincipalName,
      id: text(latest.id),
      code: text(latest.code) as FailureCode | undefined,
      ...(methodsDone.length > 0 ? { methodsDone } : {}),
    };
  }

  /** Records whose latest state is `state`. */
  count(state: RecordState): number {
    const wanted = STATES.indexOf(state) + 1;
    let count = 0;
    for (const bits of this.states) if ((bits & STATE_BITS) === wanted) count++;
    return count;
  }

  /** Every record with a line, in record order (reads each back: for tests and small files). */
  *[Symbol.iterator](): IterableIterator<[number, RecordProgress]> {
    for (let record = 0; record < this.states.length; record++) {
      const progress = this.get(record);
      if (progress) yield [record, progress];
    }
  }

  close(): void {
    if (this.reader) fs.closeSync(this.reader.fd);
    this.reader = undefined;
  }

  private ensureRoom(record: number): void {
    if (record < this.states.length) return;
    // Half as much again: the arrays end at most 1.5 times the records (doubling could make it 2).
    const length = Math.max(record + 1, Math.ceil(this.states.length * 1.5), 1024);
    const states = new Uint8Array(length);
    states.set(this.states);
    this.states = states;
    const latestAt = new Float64Array(length);
    latestAt.set(this.latestAt);
    this.latestAt = latestAt;
    if (this.upnAt) {
      const upnAt = new Float64Array(length);
      upnAt.set(this.upnAt);
      this.upnAt = upnAt;
    }
  }

  /** The JSON object on the line at `offset` (the load parsed it, so it parses). */
  private lineAt(offset: number): Record<string, unknown> {
    if (!this.reader) {
      const fd = fs.openSync(this.file, 'r');
      this.reader = { fd, lines: new LineWindow(fd) };
    }
    return JSON.parse(this.reader.lines.lineAt(offset)) as Record<string, unknown>;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
