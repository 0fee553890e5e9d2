/**
 * `npm start` / `jitmigrate sandbox`: the whole flow on one machine, on embedded defaults.
 * Azurite holds the legacy users and the shared state, the function runs on loopback exactly as
 * `serve` runs it, and a fake Entra signs tokens and encrypts password contexts as Entra does.
 * It signs the sample users in with right, wrong, weak and blocked passwords and prints each answer.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { generateEncryptionCertificate } from '../../../function/src/crypto/certificate';
import { createHashRegistry } from '../../../function/src/hashing/registry';
import { ensureTable, fromUserEntity } from '../../../function/src/legacy/tableRepository';
import type { LogSink } from '../../../function/src/telemetry/telemetry';
import { startAzurite } from '../../../function/test/support/azurite';
import { FakeEntra } from '../../../function/test/support/fakeEntra';
import { startLocalHost } from '../host/localHost';
import { parseOptions } from './args';
import { importLegacy } from './importLegacy';

const HELP = `usage: npm start [-- --serve]   (or: jitmigrate sandbox [--serve])

Starts Azurite, loads the sample legacy users (several hash schemes), starts the function on loopback
with a fresh key pair, plays Entra for a series of sign-ins, prints every answer and the migration
progress, and exits 0 when every answer is the expected one. --serve keeps everything running.`;

const TENANT_ID = '7d0e6a5c-4b3a-4f21-9e8d-1c2b3a4f5e6d';
const EXTENSION_APP_ID = '3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f';

interface SampleSignIn {
  readonly username: string;
  readonly password: string;
  readonly expect: string;
  readonly note: string;
  readonly nonce?: string;
}

function sampleFile(name: string): string {
  // Bundled: dist/cli → repo root; from source: scripts/src/commands → repo root.
  for (const root of [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..', '..', '..')]) {
    const candidate = path.join(root, 'scripts', 'sandbox', name);
    if (require('node:fs').existsSync(candidate)) return candidate;
  }
  throw new Error(`scripts/sandbox/${name} is missing: run from a checkout of the repository`);
}

export const sandboxCommand = {
  summary: 'the local end-to-end sandbox',
  async run(argv: string[]): Promise<number> {
    const { values } = parseOptions(argv, { serve: { type: 'boolean' } }, HELP);
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const say = (text: string): void => void process.stdout.write(`${text}\n`);
    const logLines: string[] = [];
    const sink: LogSink = { write: (_level, line) => void logLines.push(line) };

    say('Starting Azurite (Table Storage emulator) …');
    const azurite = await startAzurite();
    const cleanups: (() => Promise<void>)[] = [() => azurite.stop()];
    try {
      // The sample export goes in exactly as an operator's would: through `jitmigrate import-legacy`.
      const importOutput: string[] = [];
      const capture = { write: (chunk: string | Uint8Array) => (importOutput.push(String(chunk)), true) } as unknown as NodeJS.WriteStream;
      const imported = await importLegacy(
        ['--input', sampleFile('sample-users.jsonl'), '--preset', 'generic', '--store', 'table', '--table-connection-string', azurite.connectionString, '--table-name', 'LegacyUsers'],
        { stdout: capture, stderr: capture, env: {} },
      );
      if (imported !== 0) throw new Error(`importing the sample users failed:\n${importOutput.join('')}`);
      const users = TableClient.fromConnectionString(azurite.connectionString, 'LegacyUsers', { allowInsecureConnection: true });
      await ensureTable(TableClient.fromConnectionString(azurite.connectionString, 'JitState', { allowInsecureConnection: true }));
      const registry = createHashRegistry();
      const schemes = new Map<string, string>();
      for await (const entity of users.listEntities()) {
        const record = fromUserEntity(entity);
        schemes.set(record.username, registry.identify(record.hash, record.params)?.id ?? 'unrecognized');
      }
      await registry.close();
      const records = [...schemes.keys()];
      say(`Imported ${records.length} legacy users into Azurite with import-legacy (schemes: ${[...new Set(schemes.values())].join(', ')}).`);

      const [entra, certificate] = await Promise.all([FakeEntra.start({ tenantId: TENANT_ID, extensionAppId: EXTENSION_APP_ID }), generateEncryptionCertificate()]);
      cleanups.push(() => entra.stop());
      const env = {
        DecryptionPrivateKey: `${certificate.privateKeyPem}\n${certificate.certificatePem}`,
        ExternalIdTenantId: TENANT_ID,
        ExtensionAppId: EXTENSION_APP_ID,
        OpenIdMetadataUrl: entra.metadataUrl,
        LegacyStore: 'table',
        LegacyTableConnectionString: azurite.connectionString,
        LockoutThreshold: '3',
      };
      const host = await startLocalHost({ env, sink });
      cleanups.unshift(() => host.close());
      say(`Function listening on ${host.url} (fake Entra tenant ${TENANT_ID}, fresh RSA key x5t ${certificate.x5t}).\n`);

      const signIns = JSON.parse(await fs.readFile(sampleFile('sample-sign-ins.json'), 'utf8')) as SampleSignIn[];
      const rows: string[][] = [];
      let mismatches = 0;
      for (const attempt of signIns) {
        const token = await entra.mintAccessToken();
        const context = await entra.encryptPasswordContext({ username: attempt.username, password: attempt.password, nonce: attempt.nonce ?? randomUUID() }, certificate.certificatePem);
        const started = performance.now();
        const response = await fetch(host.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(entra.passwordSubmitBody(context)),
        });
        const ms = performance.now() - started;
        const body = (await response.json().catch(() => undefined)) as { data?: { actions?: { '@odata.type'?: string }[] } } | undefined;
        const action = body?.data?.actions?.[0]?.['@odata.type']?.replace('microsoft.graph.passwordSubmit.', '') ?? `HTTP ${response.status}`;
        const ok = action === attempt.expect;
        if (!ok) mismatches++;
        rows.push([attempt.username, schemes.get(attempt.username.trim().toLowerCase()) ?? '(not in store)', attempt.note, action, ok ? 'yes' : `NO (expected ${attempt.expect})`, ms.toFixed(0)]);
      }
      const runtime = await host.endpoint.getRuntime();
      if (runtime.ready) await runtime.background.drain();
      say(table(['username', 'legacy scheme', 'attempt', 'action', 'as expected', 'ms'], rows));

      let migrated = 0;
      let total = 0;
      for await (const entity of users.listEntities<{ migrated?: boolean }>()) {
        total++;
        if (entity.migrated) migrated++;
      }
      say(`\nMigration progress: ${migrated} of ${total} legacy users migrated (${((migrated / Math.max(total, 1)) * 100).toFixed(0)} %), ${total - migrated} pending.`);

      if (values.serve) {
        const token = await entra.mintAccessToken();
        const sample = signIns.find((s) => s.expect === 'MigratePassword') ?? signIns[0]!;
        const context = await entra.encryptPasswordContext({ username: sample.username, password: sample.password, nonce: randomUUID() }, certificate.certificatePem);
        const dir = path.resolve('.sandbox');
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        await fs.writeFile(path.join(dir, 'request.json'), JSON.stringify(entra.passwordSubmitBody(context), null, 2), { mode: 0o600 });
        await fs.writeFile(path.join(dir, 'token'), token, { mode: 0o600 });
        say(`\nEverything keeps running (Ctrl-C to stop). Try a sign-in by hand (the token lasts 1 h, the context 10 min):\n`);
        say(`  curl -s -X POST ${host.url} -H "authorization: Bearer $(cat .sandbox/token)" -H 'content-type: application/json' -d @.sandbox/request.json`);
        say(`  curl -s ${host.url}     # health check`);
        say(`\nOr serve your own copy with the same settings: jitmigrate serve --port 7071 (see the README's configuration reference).`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        return 0;
      }
      if (mismatches > 0) {
        say(`\n${mismatches} answer(s) differed from the expected ones.`);
        return 1;
      }
      say('\nEvery answer was the expected one.');
      return 0;
    } finally {
      for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    }
  },
};

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
