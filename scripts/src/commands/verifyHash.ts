/**
 * `jitmigrate verify-hash`: reads JSON lines `{"hash","password","params"?}` on stdin and writes one line per
 * input, in order: `{"ok":true|false,"scheme":"<id>"}`, or `{"ok":false,"error":"…"}` when the line or hash is
 * not usable (a blank line too, so output line N always answers input line N). Always exits 0 (per-line
 * results carry the outcome). The password is never echoed.
 */
import readline from 'node:readline';
import os from 'node:os';
import { createHashRegistry, type HashRegistry } from '../../../function/src/hashing';
import { MalformedHashError, UnrecognizedHashError } from '../../../function/src/hashing';
import { parseOptions } from './args';

const HELP = `usage: jitmigrate verify-hash < lines.jsonl

Each input line: {"hash": "...", "password": "...", "params": {...}?}
Each output line: {"ok": true|false, "scheme": "<id>"} or {"ok": false, "error": "..."},
one per input line, in order (a blank line answers {"ok": false, "error": "empty line"}).`;

export type VerifyHashResult = { ok: boolean; scheme: string } | { ok: false; error: string };

export async function verifyHashLine(registry: HashRegistry, line: string): Promise<VerifyHashResult> {
  if (line.trim().length === 0) return { ok: false, error: 'empty line' };
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch {
    return { ok: false, error: 'the line is not valid JSON' };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, error: 'the line must be a JSON object' };
  const { hash, password, params } = input as Record<string, unknown>;
  if (typeof hash !== 'string' || hash.length === 0) return { ok: false, error: '"hash" must be a non-empty string' };
  if (typeof password !== 'string') return { ok: false, error: '"password" must be a string' };
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    return { ok: false, error: '"params" must be an object when present' };
  }
  try {
    const result = await registry.verify(password, hash, params as Record<string, unknown> | undefined);
    return { ok: result.ok, scheme: result.scheme };
  } catch (error) {
    if (error instanceof UnrecognizedHashError) return { ok: false, error: 'unrecognized hash format' };
    if (error instanceof MalformedHashError) return { ok: false, error: `malformed ${error.scheme} hash: ${error.message}` };
    return { ok: false, error: 'verification failed' };
  }
}

/** Answers every line, in input order, several verified at once. */
export async function verifyHashLines(registry: HashRegistry, lines: AsyncIterable<string>, write: (text: string) => void): Promise<void> {
  const window = Math.max(2, os.availableParallelism() * 2);
  const inFlight: Promise<VerifyHashResult>[] = [];
  const flush = async (all: boolean): Promise<void> => {
    while (inFlight.length > (all ? 0 : window - 1)) write(`${JSON.stringify(await inFlight.shift()!)}\n`);
  };
  for await (const line of lines) {
    inFlight.push(verifyHashLine(registry, line));
    await flush(false);
  }
  await flush(true);
}

export const verifyHashCommand = {
  summary: 'verify hashes read as JSON lines',
  async run(argv: string[]): Promise<number> {
    const { values } = parseOptions(argv, {}, HELP);
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const registry = createHashRegistry();
    try {
      await verifyHashLines(registry, readline.createInterface({ input: process.stdin, crlfDelay: Infinity }), (text) => void process.stdout.write(text));
    } finally {
      await registry.close();
    }
    return 0;
  },
};
