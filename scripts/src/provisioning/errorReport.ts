/**
 * The per-user error report (`--errors`): JSON lines `{record, username, status, code, reason}`, one per
 * record that needs the operator, each reason saying what to fix. Re-created on every run, mode 0600, so it
 * lists exactly what the last run could not do. Never a password: entries are built from typed fields.
 */
import { promises as fs } from 'node:fs';
import type { FailureCode } from './outcomes';

export interface ErrorReportEntry {
  readonly record: number;
  readonly username?: string;
  /** `exists`: the user was already there, but without the migration flag (a warning, not a failure). */
  readonly status: 'failed' | 'exists';
  readonly code: FailureCode | 'not-flagged';
  readonly reason: string;
}

export interface ErrorSink {
  add(entries: readonly ErrorReportEntry[]): Promise<void>;
}

export class ErrorReportFile implements ErrorSink {
  private tail: Promise<void> = Promise.resolve();
  private written = 0;

  private constructor(
    readonly file: string,
    private readonly handle: fs.FileHandle,
  ) {}

  static async create(file: string): Promise<ErrorReportFile> {
    const handle = await fs.open(file, 'w', 0o600);
    await handle.chmod(0o600);
    return new ErrorReportFile(file, handle);
  }

  /** Entries written so far. */
  get count(): number {
    return this.written;
  }

  add(entries: readonly ErrorReportEntry[]): Promise<void> {
    if (entries.length === 0) return this.tail;
    const text = entries
      .map(({ record, username, status, code, reason }) => `${JSON.stringify({ record, username: username ?? null, status, code, reason })}\n`)
      .join('');
    const write = this.tail.then(async () => {
      await this.handle.write(text);
      this.written += entries.length;
    });
    this.tail = write;
    return write;
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.handle.close();
  }
}
