/** What the parts of the sandbox (External ID, B2C, B2C → External ID) share: the sample files, their import, the printed tables. */
import { randomUUID } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { fromUserEntity, normalizeUsername, type LegacyUserRecord } from '../../../function/src/legacy';
import type { FakeEntra } from '../../../function/test/support/fakeEntra';
import type { StatusSnapshot } from '../operations/progress';
import { EMULATOR_TOKEN } from '../provisioning/testing/fixtures';
import { importLegacy } from './importLegacy';
import { runProvisionUsers } from './provisionUsers';

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

/** What points a command (or a Graph client) at an emulated tenant. */
export function emulatorEnvironment(graphUrl: string): Record<string, string> {
  return { JITMIGRATE_GRAPH_URL: graphUrl, JITMIGRATE_GRAPH_TOKEN: EMULATOR_TOKEN };
}

/**
 * The sample export into an emulated tenant exactly as an operator provisions it (`jitmigrate provision-users`
 * with `args`: flag, domain, platform), its checkpoint in a temporary folder. `only`: just these usernames'
 * lines of the export (normalized as the function looks them up).
 */
export async function provisionSampleExport(graphUrl: string, args: readonly string[], only?: ReadonlySet<string>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-sandbox-'));
  try {
    let input = sampleFile('sample-users.jsonl');
    if (only !== undefined) {
      const lines = (await fs.readFile(input, 'utf8')).split('\n').filter((line) => {
        const username = /^\s*\{/.test(line) ? (JSON.parse(line) as { username?: unknown }).username : undefined;
        return typeof username === 'string' && only.has(normalizeUsername(username));
      });
      input = path.join(dir, 'sample-users.subset.jsonl');
      await fs.writeFile(input, `${lines.join('\n')}\n`, { mode: 0o600 });
    }
    await provisionExport(graphUrl, ['--input', input, '--preset', 'generic', ...args], dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** `jitmigrate provision-users` in-process against an emulated tenant, its checkpoint in `workDir`; its output shown only when it fails. */
export async function provisionExport(graphUrl: string, args: readonly string[], workDir: string): Promise<void> {
  const output = capturedOutput();
  const code = await runProvisionUsers([...args, '--checkpoint', path.join(workDir, 'checkpoint.jsonl')], { stdout: output.stream, stderr: output.stream, env: emulatorEnvironment(graphUrl) });
  if (code !== 0) throw new Error(`provisioning the sample users failed:\n${output.text()}`);
}

/** The callout's answer to one sign-in: the action's short name (or `HTTP <status>`), the message shown, the time from POST to answer. */
export interface CalloutAnswer {
  readonly action: string;
  readonly message?: string;
  readonly ms: number;
}

/**
 * One password submission as Entra makes it: the fake Entra's bearer token and its encrypted password context
 * for `certificatePem`, posted to the function at `url` for the Entra user `userId`.
 */
export async function submitPasswordAsEntra(
  entra: FakeEntra,
  certificatePem: string,
  url: string,
  attempt: { readonly username: string; readonly password: string; readonly nonce?: string; readonly userId: string },
): Promise<CalloutAnswer> {
  const token = await entra.mintAccessToken();
  const context = await entra.encryptPasswordContext({ username: attempt.username, password: attempt.password, nonce: attempt.nonce ?? randomUUID() }, certificatePem);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(entra.passwordSubmitBody(context, { user: { id: attempt.userId } })),
  });
  const ms = performance.now() - started;
  const body = (await response.json().catch(() => undefined)) as { data?: { actions?: { '@odata.type'?: string; message?: string }[] } } | undefined;
  const answer = body?.data?.actions?.[0];
  const action = answer?.['@odata.type']?.replace('microsoft.graph.passwordSubmit.', '') ?? `HTTP ${response.status}`;
  return { action, ...(answer?.message === undefined ? {} : { message: answer.message }), ms };
}

/** `jitmigrate status`'s totals in the words both halves of the sandbox print them. */
export function progressSentence({ totals }: StatusSnapshot): string {
  return (
    `${totals.migrated} of ${totals.users} users migrated (${totals.percentMigrated} %), ` +
    `${totals.pending} pending (flag still true, disabled and locked-out users included), ${totals.failed} failed (not provisioned).`
  );
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
