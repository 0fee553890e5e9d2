/**
 * The per-user error report (`--errors`): JSON lines `{record, username, status, code, reason}`, one per
 * record that needs the operator, each reason saying what to fix. Re-created on every run, mode 0600, so it
 * lists exactly what the last run could not do. Never a password: entries are built from typed fields.
 */
import { promises as fs } from 'node:fs';
import { describeFileError } from '../operations/files';
import type { FailureCode } from './outcomes';

export interface ErrorReportEntry {
  readonly record: number;
  readonly username?: string;
  /**
   * `exists`: the user was already there, but without the migration flag (a warning, not a failure).
   * `changed`: a value of the export was changed to fit Entra (a notice; the user is provisioned with it).
   */
  readonly status: 'failed' | 'exists' | 'changed';
  readonly code: FailureCode | 'not-flagged' | ValueChange['code'];
  readonly reason: string;
}

/** A value provision-users sends other than the export has it: the report says what became of it. */
export interface ValueChange {
  readonly code: 'normalized-email' | 'shortened-display-name' | 'unparseable-phone';
  /** Quotes the old and new values where they are names or addresses; says what to do. */
  readonly reason: string;
}

/** The report lines for a planned user's changed values. */
export function changedValueEntries(draft: { readonly record: number; readonly username: string; readonly changes: readonly ValueChange[] }): ErrorReportEntry[] {
  return draft.changes.map((change) => ({ record: draft.record, username: draft.username, status: 'changed', ...change }));
}

export interface ErrorSink {
  add(entries: readonly ErrorReportEntry[]): Promise<void>;
}

export class ErrorReportFile implements ErrorSink {
  private tail: Promise<void> = Promise.resolve();
  private written = 0;
  private changedValues = 0;

  private constructor(
    readonly file: string,
    private readonly handle: fs.FileHandle,
  ) {}

  static async create(file: string): Promise<ErrorReportFile> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'w', 0o600);
    } catch (error) {
      throw new Error(`the error report ${file} could not be created: ${describeFileError(error)}: check the --errors path and that its folder is writable`);
    }
    await handle.chmod(0o600);
    return new ErrorReportFile(file, handle);
  }

  /** Entries written so far. */
  get count(): number {
    return this.written;
  }

  /** Of those, the `changed` notices. */
  get changed(): number {
    return this.changedValues;
  }

  add(entries: readonly ErrorReportEntry[]): Promise<void> {
    if (entries.length === 0) return this.tail;
    const text = entries
      .map(({ record, username, status, code, reason }) => `${JSON.stringify({ record, username: username ?? null, status, code, reason })}\n`)
      .join('');
    const changed = entries.filter((entry) => entry.status === 'changed').length;
    const write = this.tail.then(async () => {
      await this.handle.write(text);
      this.written += entries.length;
      this.changedValues += changed;
    });
    this.tail = write;
    return write;
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.handle.close();
  }
}
