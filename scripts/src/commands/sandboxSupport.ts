/** What both halves of the sandbox (External ID and B2C) share: the sample files, their import, the printed tables. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { fromUserEntity, type LegacyUserRecord } from '../../../function/src/legacy';
import { importLegacy } from './importLegacy';

/** A stream for a command run in-process: its output is shown only when it fails. */
export function capturedOutput(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = { write: (chunk: string | Uint8Array) => (chunks.push(String(chunk)), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

export function sampleFile(name: string): string {
  // Bundled: dist/cli → repo root; from source: scripts/src/commands → repo root.
  for (const root of [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..', '..', '..')]) {
    const candidate = path.join(root, 'scripts', 'sandbox', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`scripts/sandbox/${name} is missing: run from a checkout of the repository`);
}

/**
 * The sample export into `tableName` exactly as an operator's goes in (`jitmigrate import-legacy`), then the
 * records as the function reads them back.
 */
export async function importSampleExport(connectionString: string, tableName: string): Promise<LegacyUserRecord[]> {
  const output = capturedOutput();
  const code = await importLegacy(
    ['--input', sampleFile('sample-users.jsonl'), '--preset', 'generic', '--store', 'table', '--table-connection-string', connectionString, '--table-name', tableName],
    { stdout: output.stream, stderr: output.stream, env: {} },
  );
  if (code !== 0) throw new Error(`importing the sample users failed:\n${output.text()}`);
  const records: LegacyUserRecord[] = [];
  for await (const entity of TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true }).listEntities()) records.push(fromUserEntity(entity));
  return records;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
