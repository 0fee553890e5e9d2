/**
 * Streams JSON lines: one JSON object per line. Blank lines and lines starting with `#` are skipped, as
 * in the file store's own format. The record number is the line number, so an operator can jump to it.
 */
import { createReadStream } from 'node:fs';
import readline from 'node:readline';
import { errorCode, ExportReadError } from '../errors';
import type { SourceItem } from './source';

export async function* readJsonLines(file: string): AsyncGenerator<SourceItem> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let record = 0;
  try {
    for await (const raw of lines) {
      record++;
      const line = (record === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (line === '' || line.startsWith('#')) continue;
      yield parseLine(line, record);
    }
  } catch (error) {
    throw new ExportReadError(`${file} could not be read (${errorCode(error)}): check the --input path and its permissions`);
  } finally {
    lines.close();
    input.destroy();
  }
}

function parseLine(line: string, record: number): SourceItem {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Not the SyntaxError's message: V8 quotes the text, which may hold a hash.
    return { record, problem: 'malformed record: the line is not valid JSON (one JSON object per line; no trailing commas, strings in double quotes)' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { record, problem: 'malformed record: the line must be a JSON object' };
  return { record, value: value as Record<string, unknown> };
}
