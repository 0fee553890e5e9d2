/**
 * Which format an export is in, from its extension and its first bytes: CSV, JSON lines (one object per
 * line), or one JSON document holding a user array (Firebase auth:export, Keycloak realm export, or a
 * plain top-level array).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errorCode, ExportReadError } from '../errors';
import type { SourceFormat } from '../presets/preset';

export interface DetectedFormat {
  readonly format: SourceFormat;
  /** CSV only: the field delimiter found on the header line. */
  readonly delimiter?: string;
}

const SNIFF_BYTES = 64 * 1024;

export async function detectFormat(file: string): Promise<DetectedFormat> {
  const head = await readHead(file);
  const extension = path.extname(file).toLowerCase();
  if (extension === '.tsv') return { format: 'csv', delimiter: '\t' };
  if (extension === '.csv') return { format: 'csv', delimiter: sniffDelimiter(head) };
  if (extension === '.jsonl' || extension === '.ndjson') return { format: 'json-lines' };

  const start = head.trimStart();
  if (start.startsWith('[')) return { format: 'json-document' };
  if (start.startsWith('{')) return { format: looksLikeJsonLines(start) ? 'json-lines' : 'json-document' };
  if (start.startsWith('#') && extension !== '.json') return { format: 'json-lines' };
  if (extension === '.json') throw new ExportReadError(`${file} does not start with a JSON object or array: check that it is the export file`);
  return { format: 'csv', delimiter: sniffDelimiter(head) };
}

async function readHead(file: string): Promise<string> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw new ExportReadError(`${file} could not be opened (${errorCode(error)}): check the --input path and its permissions`);
  }
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    if (bytesRead === 0) throw new ExportReadError(`${file} is empty: export the users again`);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}

/**
 * JSON lines when the first line is a whole JSON object on its own, unless that object is itself a
 * document with a user array (a one-line `{"users":[…]}`). A pretty-printed document's first line
 * (`{` or `{"users": [`) does not parse.
 */
function looksLikeJsonLines(start: string): boolean {
  const newline = start.indexOf('\n');
  if (newline === -1 && start.length >= SNIFF_BYTES - 4) return false;
  const firstLine = (newline === -1 ? start : start.slice(0, newline)).trim();
  try {
    const value: unknown = JSON.parse(firstLine);
    return typeof value === 'object' && value !== null && !Array.isArray((value as { users?: unknown }).users);
  } catch {
    return false;
  }
}

/** Comma, semicolon (spreadsheets in many European locales) or tab: whichever the header line has most of, outside quotes. */
export function sniffDelimiter(head: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (const char of head) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}
