/** Small file helpers shared by the operations modules: JSON-lines input and error codes for messages. */
import { promises as fs } from 'node:fs';

/** The errno code (`ENOENT`, `EACCES`) for a message; never the error's own text, which may quote paths or data. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,32}$/.test(code) ? code : 'unknown error';
}

export interface JsonLines {
  /** Each non-blank line that parsed as a JSON object, in file order. */
  readonly objects: Record<string, unknown>[];
  /** Non-blank lines that were not JSON objects. */
  readonly invalid: number;
}

/** Reads a JSON-lines file; a missing file is empty when `missingIsEmpty`, else an error naming `what`. */
export async function readJsonLines(file: string, what: string, options: { missingIsEmpty?: boolean } = {}): Promise<JsonLines> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (options.missingIsEmpty && errorCode(error) === 'ENOENT') return { objects: [], invalid: 0 };
    throw new Error(`could not read ${what} ${file} (${errorCode(error)}): check the path and its permissions`);
  }
  const objects: Record<string, unknown>[] = [];
  let invalid = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const value = parseObject(line);
    if (value === undefined) invalid++;
    else objects.push(value);
  }
  return { objects, invalid };
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
