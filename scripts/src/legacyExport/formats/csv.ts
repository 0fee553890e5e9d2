/**
 * Streams a CSV export (RFC 4180 quoting, any of `,` `;` tab) as records keyed by the header row, so
 * memory stays flat however many users there are. A row whose field count differs from the header's is
 * reported on its own instead of stopping the run: it is usually one value with a stray delimiter.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { errorCode, ExportReadError } from '../errors';
import type { SourceItem } from './source';

export interface CsvOptions {
  readonly delimiter: string;
  /**
   * Column names for an export written without a header row (Firebase's CSV). The first row is taken
   * as a header anyway when its first cell is the first of these names.
   */
  readonly headerlessColumns?: readonly string[];
}

export async function* readCsv(file: string, options: CsvOptions): AsyncGenerator<SourceItem> {
  const parser = createReadStream(file).pipe(
    parse({ delimiter: options.delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1024 * 1024 }),
  );
  let header: readonly string[] | undefined;
  let positional = false;
  let record = 0;
  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      if (header === undefined) {
        const first = options.headerlessColumns?.[0];
        if (options.headerlessColumns && row[0]?.trim() !== first) {
          header = options.headerlessColumns;
          positional = true;
        } else {
          header = checkedHeader(row, file);
          continue;
        }
      }
      record++;
      yield toItem(row, header, positional, record);
    }
  } catch (error) {
    if (error instanceof ExportReadError) throw error;
    // csv-parse messages can quote the offending field: report its code and line only.
    const line = (error as { lines?: unknown }).lines;
    const where = typeof line === 'number' ? ` near line ${line}` : '';
    throw new ExportReadError(`${file} is not valid CSV${where} (${errorCode(error)}): check the quoting there (a value with a quote, delimiter or line break must be in double quotes, inner quotes doubled)`);
  }
  if (header === undefined) throw new ExportReadError(`${file} has no rows: export the users again`);
}

function checkedHeader(row: readonly string[], file: string): string[] {
  const names = row.map((name) => name.trim());
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key) && key !== '') throw new ExportReadError(`${file}: the header names column "${printable(name)}" twice; rename one of them`);
    seen.add(key);
  }
  return names;
}

function toItem(row: readonly string[], header: readonly string[], positional: boolean, record: number): SourceItem {
  // Positional exports may end rows with a trailing delimiter (firebase-tools writes one): ignore empty extras.
  const extra = row.slice(header.length);
  const tooMany = positional ? extra.some((cell) => cell !== '') : extra.length > 0;
  if (tooMany || (!positional && row.length < header.length)) {
    return {
      record,
      problem: `malformed record: the row has ${row.length} fields but the header has ${header.length}; a value probably contains an unquoted delimiter or line break`,
    };
  }
  const value: Record<string, string> = {};
  header.forEach((name, index) => {
    if (name !== '') value[name] = row[index] ?? '';
  });
  return { record, value };
}

/** Column names are not secret, but may be anything: keep them short and printable. */
function printable(name: string): string {
  return name.replace(/[^\x20-\x7E]/g, '?').slice(0, 40);
}
