/**
 * The rejects file: one JSON line per refused record, `{"record","username"?,"reason"}`, never a hash or
 * a password. Lines are buffered and appended when their batch is committed, and the checkpoint records
 * the file's length, so a resumed run truncates back to it and every reject appears exactly once.
 */
import { promises as fs } from 'node:fs';
import { errorCode } from '../errors';

export interface Reject {
  readonly record: number;
  /** The normalized username, when the record had a valid one. */
  readonly username?: string;
  /** `<category>: <what is wrong and what to do>`. */
  readonly reason: string;
}

/** The part of a reason before its first colon: what the summary counts rejects by. */
export function rejectCategory(reason: string): string {
  const colon = reason.indexOf(':');
  return colon > 0 && colon <= 40 ? reason.slice(0, colon) : 'other';
}

const SAMPLE_SIZE = 10;

export class RejectsLog {
  readonly byCategory = new Map<string, number>();
  /** The first few rejects, shown on the console when there is no rejects file. */
  readonly samples: Reject[] = [];
  private pending: string[] = [];
  private total = 0;

  private constructor(
    readonly file: string | undefined,
    private handle: fs.FileHandle | undefined,
    private length: number,
  ) {}

  /** Opens `file` (truncated, or cut back to `resumeLength` when resuming); without a file, only counts. */
  static async open(file: string | undefined, resumeLength?: number): Promise<RejectsLog> {
    if (!file) return new RejectsLog(undefined, undefined, 0);
    try {
      let length = 0;
      if (resumeLength !== undefined) {
        const size = (await fs.stat(file).catch(() => undefined))?.size ?? 0;
        length = Math.min(size, resumeLength);
        if (size > 0) await fs.truncate(file, length);
      }
      // Usernames are personal data: readable by the owner only.
      const handle = await fs.open(file, resumeLength !== undefined ? 'a' : 'w', 0o600);
      return new RejectsLog(file, handle, length);
    } catch (error) {
      throw new Error(`the rejects file ${file} could not be opened (${errorCode(error)}): check the --rejects path and that its folder exists and is writable`);
    }
  }

  add(reject: Reject): void {
    this.total++;
    const category = rejectCategory(reject.reason);
    this.byCategory.set(category, (this.byCategory.get(category) ?? 0) + 1);
    if (this.samples.length < SAMPLE_SIZE) this.samples.push(reject);
    if (this.handle) this.pending.push(`${JSON.stringify(reject)}\n`);
  }

  get count(): number {
    return this.total;
  }

  /** Bytes in the file once everything added so far is flushed (what a checkpoint records). */
  get bytes(): number {
    return this.length;
  }

  async flush(): Promise<void> {
    if (!this.handle || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    await this.handle.write(text);
    await this.handle.datasync();
    this.length += Buffer.byteLength(text);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}
