/**
 * Report files for operators: JSON lines (one object per line, for tools) or CSV (for spreadsheets). They
 * hold usernames, which are personal data, so they are created with mode 0600, and they never hold secrets.
 */
import { promises as fs } from 'node:fs';
import { UsageError } from '../commands/args';
import { errorCode } from './files';

export type ReportFormat = 'jsonl' | 'csv';
type Cell = string | number | boolean | null | undefined;
export type ReportRow = Readonly<Record<string, Cell>>;

/** `--format` when given, else the file extension (`.csv`), else JSON lines. */
export function reportFormatFor(file: string, explicit?: string): ReportFormat {
  if (explicit !== undefined) {
    if (explicit !== 'jsonl' && explicit !== 'csv') throw new UsageError(`--format must be jsonl or csv, got "${explicit}"`);
    return explicit;
  }
  return /\.csv$/i.test(file) ? 'csv' : 'jsonl';
}

export interface ReportWriter<T extends ReportRow> {
  readonly file: string;
  readonly rows: number;
  write(row: T): Promise<void>;
  close(): Promise<void>;
}

const FLUSH_AT = 64 * 1024;

/** Replaces the file. For CSV, `columns` is the header and the order; JSON lines keep each row's own keys. */
export async function openReport<T extends ReportRow>(file: string, format: ReportFormat, columns: readonly (keyof T & string)[]): Promise<ReportWriter<T>> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'w', 0o600);
    await handle.chmod(0o600);
  } catch (error) {
    throw new Error(`could not create the report ${file} (${errorCode(error)}): check the path and that its folder is writable`);
  }
  let buffer = format === 'csv' ? `${columns.map((column) => csvCell(column)).join(',')}\r\n` : '';
  let rows = 0;
  const flush = async () => {
    if (buffer === '') return;
    const text = buffer;
    buffer = '';
    await handle.write(text);
  };
  return {
    file,
    get rows() {
      return rows;
    },
    async write(row: T) {
      rows++;
      buffer += format === 'csv' ? `${columns.map((column) => csvCell(row[column])).join(',')}\r\n` : `${JSON.stringify(row)}\n`;
      if (buffer.length >= FLUSH_AT) await flush();
    },
    async close() {
      try {
        await flush();
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * RFC 4180 quoting, and a leading apostrophe for cells a spreadsheet would run as a formula
 * (OWASP "CSV Injection"): a sign-in name is user-chosen text.
 */
export function csvCell(value: Cell): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
