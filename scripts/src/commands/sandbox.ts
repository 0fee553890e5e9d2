/**
 * `npm start` / `jitmigrate sandbox`: the whole flow on one machine, on embedded defaults.
 * Azurite holds the legacy users and the shared state, the Graph emulator is the External ID directory
 * (provisioned by `provision-users` as of 30 days ago), the function runs on loopback exactly as `serve`
 * runs it, with the Entra password check on, and a fake Entra signs tokens and encrypts password contexts as
 * Entra does. It signs the sample users in with right, wrong, weak and blocked passwords, and with an old
 * legacy password after a reset in Entra, and prints each answer. Then the B2C mode (sandboxB2c.ts): the
 * generated custom policies' journeys against a B2C function of its own and a B2C-mode Graph emulator. Last, the
 * move from B2C to External ID (sandboxB2cToExternalId.ts): export, provisioning and ROPC first sign-ins.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { generateEncryptionCertificate } from '../../../function/src/crypto';
import { createHashRegistry } from '../../../function/src/hashing';
import { ensureTable } from '../../../function/src/legacy';
import type { LogSink } from '../../../function/src/telemetry';
import { startAzurite } from '../../../function/test/support/azurite';
import { FakeEntra } from '../../../function/test/support/fakeEntra';
import { graphClientFromEnvironment } from '../../../lib/graph';
import type { GraphEmulator } from '../../../test/emulators/graph';
import { startLocalHost } from '../host/localHost';
import { makeDirectory } from '../operations/files';
import { findUsersByIdentity } from '../operations/graphUsers';
import { openLegacyStore } from '../operations/legacyStore';
import { parseMigrationProperty } from '../operations/migrationProperty';
import { SUPERSEDED_MEANING } from '../operations/progress';
import { collectStatus } from '../operations/status';
import { EMULATOR_TOKEN, startTenant, TENANT_DOMAIN } from '../provisioning/testing/fixtures';
import { integerOption, parseOptions } from './args';
import { runB2cSandbox } from './sandboxB2c';
import { serveCommandLine, writeSandboxSettings } from './sandboxSettings';
import { runB2cToExternalIdSandbox } from './sandboxB2cToExternalId';
import { emulatorEnvironment, importSampleExport, progressSentence, provisionSampleExport, sampleFile, submitPasswordAsEntra, table } from './sandboxSupport';
import { untilStopSignal } from './stopSignals';

const HELP = `usage: npm start [-- --serve] [-- --port P]   (or: jitmigrate sandbox [--serve] [--port P])

Starts Azurite, loads the sample legacy users (several hash schemes), starts the Graph emulator and
provisions the users into it as of 30 days ago, starts the function on loopback with a fresh key pair and
PasswordChangeCheck=graph, plays Entra for a series of sign-ins (clearing a user's migration flag after
MigratePassword or UpdatePassword, as Entra does), prints every answer and the migration progress as
jitmigrate status counts it. Then the B2C mode: a second function with IdentityPlatform=b2c over its own copy
of the legacy users, a Graph emulator in B2C mode provisioned with provision-users --platform b2c, the custom
policies b2c-policies generates, and a B2C stand-in running their sign-in, sign-up and password-reset journeys
against that directory (scripts/sandbox/sample-b2c-journeys.json); it prints each journey, the REST calls the
policy made, whether the directory ended as expected, and the B2C progress as jitmigrate status --platform b2c
counts it. Last, from B2C to External ID: a B2C-mode Graph emulator seeded with B2C users of every kind,
export-b2c against it (its counts: the social user reported), provision-users --preset b2c --mfa-methods phone
into an External ID Graph emulator (the phone method read back), and a function with LegacyStore=b2c checking
first sign-ins against the ROPC stand-in: migrated, wrong password, locked in B2C, B2C hanging
(scripts/sandbox/sample-b2c-to-externalid.json). Exits 0 when everything was as expected.
  --serve    keep everything running, and write the functions' settings to .sandbox/local.settings.json and
             .sandbox/b2c/local.settings.json (secret values each in a file of their own under secrets/
             beside them) for jitmigrate serve, with curl examples for both
  --port P   the function's port (default: any free port)`;

const TENANT_ID = '7d0e6a5c-4b3a-4f21-9e8d-1c2b3a4f5e6d';
const EXTENSION_APP_ID = '3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f';
/** Far beyond the 10 minutes within which a password change counts as the provisioning write itself. */
const PROVISIONED_DAYS_AGO = 30;
const DAY_MS = 86_400_000;

interface SampleSignIn {
  readonly username: string;
  readonly password: string;
  readonly expect: string;
  readonly note: string;
  readonly nonce?: string;
  /** The user resets the password in Entra (self-service) just before this sign-in. */
  readonly resetInEntra?: boolean;
}

/**
 * The sample export into the emulated directory exactly as an operator provisions it (`provision-users`),
 * on a directory clock set back, so every sign-in comes long after its user was made. Returns each
 * username's Entra object id (the id Entra sends as authenticationContext.user.id).
 */
async function provisionSampleUsers(graph: GraphEmulator, migrationProperty: string, usernames: readonly string[]): Promise<Map<string, string | undefined>> {
  graph.setClock(() => new Date(Date.now() - PROVISIONED_DAYS_AGO * DAY_MS));
  try {
    await provisionSampleExport(graph.url, ['--migration-property', migrationProperty, '--domain', TENANT_DOMAIN]);
  } finally {
    graph.setClock(() => new Date());
  }
  return findUsersByIdentity(graphClientFromEnvironment({ env: emulatorEnvironment(graph.url) }), usernames, TENANT_DOMAIN);
}

export const sandboxCommand = {
  summary: 'the local end-to-end sandbox',
  async run(argv: string[]): Promise<number> {
    const { values } = parseOptions(argv, { serve: { type: 'boolean' }, port: { type: 'string' } }, HELP);
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const port = integerOption(values.port, 'port', 0, 1, 65535);
    const say = (text: string): void => void process.stdout.write(`${text}\n`);
    const logLines: string[] = [];
    const sink: LogSink = { write: (_level, line) => void logLines.push(line) };

    say('Starting Azurite (Table Storage emulator) …');
    const azurite = await startAzurite();
    const cleanups: (() => Promise<void>)[] = [() => azurite.stop()];
    try {
      // The sample export goes in exactly as an operator's would: through `jitmigrate import-legacy`.
      const imported = await importSampleExport(azurite.connectionString, 'LegacyUsers');
      await ensureTable(TableClient.fromConnectionString(azurite.connectionString, 'JitState', { allowInsecureConnection: true }));
      const registry = createHashRegistry();
      const schemes = new Map<string, string>();
      for (const record of imported) {
        schemes.set(record.username, registry.identify(record.hash, record.params)?.id ?? 'unrecognized');
      }
      await registry.close();
      const records = [...schemes.keys()];
      say(`Imported ${records.length} legacy users into Azurite with import-legacy (schemes: ${[...new Set(schemes.values())].join(', ')}).`);

      const { emulator: graph, migrationProperty } = await startTenant();
      cleanups.push(() => graph.stop());
      const directory = graphClientFromEnvironment({ env: emulatorEnvironment(graph.url) });
      const entraIds = await provisionSampleUsers(graph, migrationProperty, records);
      const provisioned = [...entraIds.values()].filter((id) => id !== undefined).length;
      say(`Provisioned ${provisioned} External ID users in the Graph emulator with provision-users, created ${PROVISIONED_DAYS_AGO} days ago (flag ${migrationProperty}).`);
      // Entra sends the signed-in user's object id; a username with no External ID user gets one nobody has.
      const entraIdOf = (username: string): string => entraIds.get(username.trim().toLowerCase()) ?? randomUUID();

      const [entra, certificate] = await Promise.all([FakeEntra.start({ tenantId: TENANT_ID, extensionAppId: EXTENSION_APP_ID }), generateEncryptionCertificate()]);
      cleanups.push(() => entra.stop());
      const settings = {
        plain: {
          ExternalIdTenantId: TENANT_ID,
          ExtensionAppId: EXTENSION_APP_ID,
          OpenIdMetadataUrl: entra.metadataUrl,
          LegacyStore: 'table',
          LockoutThreshold: '3',
          // The Graph read before MigratePassword/UpdatePassword, against the emulator through the loopback-only seams.
          PasswordChangeCheck: 'graph',
          JITMIGRATE_GRAPH_URL: graph.url,
        },
        secrets: {
          DecryptionPrivateKey: `${certificate.privateKeyPem}\n${certificate.certificatePem}`,
          LegacyTableConnectionString: azurite.connectionString,
          JITMIGRATE_GRAPH_TOKEN: EMULATOR_TOKEN,
        },
      };
      const host = await startLocalHost({ env: { ...settings.plain, ...settings.secrets }, sink, port });
      cleanups.unshift(() => host.close());
      say(`Function listening on ${host.url} (fake Entra tenant ${TENANT_ID}, fresh RSA key x5t ${certificate.x5t}).\n`);

      const signIns = JSON.parse(await fs.readFile(sampleFile('sample-sign-ins.json'), 'utf8')) as SampleSignIn[];
      const rows: string[][] = [];
      let mismatches = 0;
      for (const attempt of signIns) {
        const userId = entraIdOf(attempt.username);
        if (attempt.resetInEntra) graph.simulateSelfServicePasswordReset(userId);
        const { action, ms } = await submitPasswordAsEntra(entra, certificate.certificatePem, host.url, { ...attempt, userId });
        const ok = action === attempt.expect;
        if (!ok) mismatches++;
        // Entra's part after these answers: it stores the password and clears the user's migration flag.
        const provisioned = entraIds.get(attempt.username.trim().toLowerCase()) === userId;
        if (provisioned && (action === 'MigratePassword' || action === 'UpdatePassword')) await directory.patch(`/users/${userId}`, { [migrationProperty]: false });
        rows.push([attempt.username, schemes.get(attempt.username.trim().toLowerCase()) ?? '(not in store)', attempt.note, action, ok ? 'yes' : `NO (expected ${attempt.expect})`, ms.toFixed(0)]);
      }
      const runtime = await host.endpoint.getRuntime();
      if (runtime.ready) await runtime.background.drain();
      say(table(['username', 'legacy scheme', 'attempt', 'action', 'as expected', 'ms'], rows));

      // Progress exactly as `jitmigrate status` computes it: Graph's flags and the legacy store's marks.
      const store = await openLegacyStore({ store: 'table', tableConnectionString: azurite.connectionString, tableName: 'LegacyUsers' });
      const { snapshot } = await collectStatus({ client: directory, store, property: parseMigrationProperty(migrationProperty), now: new Date() });
      const superseded = snapshot.legacy.superseded ?? 0;
      say(`\nMigration progress (as jitmigrate status counts it): ${progressSentence(snapshot)}`);
      say(`Superseded: ${superseded} legacy record(s): ${SUPERSEDED_MEANING}.`);
      say('Over time: jitmigrate status --history progress.jsonl --chart progress.html draws the burn-down (docs/operations.md).');
      // A Retry alone could be a wrong password: the marks prove the reset rows were refused for the Entra password.
      const resetUsers = new Set(signIns.filter((s) => s.resetInEntra).map((s) => s.username.trim().toLowerCase())).size;
      if (superseded !== resetUsers) {
        mismatches++;
        say(`Expected ${resetUsers} superseded record(s), one per user reset in Entra, found ${superseded}.`);
      }
      const b2c = await runB2cSandbox({ connectionString: azurite.connectionString, sink, say });
      cleanups.unshift(() => b2c.close());
      mismatches += b2c.mismatches;
      mismatches += await runB2cToExternalIdSandbox({ entra, certificatePem: certificate.certificatePem, externalId: settings, sink, say });

      if (values.serve) {
        const token = await entra.mintAccessToken();
        const sample = signIns.find((s) => s.expect === 'MigratePassword') ?? signIns[0]!;
        const context = await entra.encryptPasswordContext({ username: sample.username, password: sample.password, nonce: randomUUID() }, certificate.certificatePem);
        const dir = path.resolve('.sandbox');
        await makeDirectory(dir, 'the sandbox folder .sandbox');
        await fs.writeFile(path.join(dir, 'request.json'), JSON.stringify(entra.passwordSubmitBody(context, { user: { id: entraIdOf(sample.username) } }), null, 2), { mode: 0o600 });
        await fs.writeFile(path.join(dir, 'token'), token, { mode: 0o600 });
        const written = await writeSandboxSettings(dir, settings);
        const ownPort = new URL(host.url).port === '7071' ? 7072 : 7071;
        say(`\nEverything keeps running (Ctrl-C to stop). Try a sign-in by hand (the token lasts 1 h, the context 10 min):\n`);
        say(`  curl -s -X POST ${host.url} -H "authorization: Bearer $(cat .sandbox/token)" -H 'content-type: application/json' -d @.sandbox/request.json`);
        say(`  curl -s ${host.url}     # health check`);
        say(`\nThe function's settings are in ${written.settingsFile}; the secret ones (${Object.keys(written.secretFiles).join(', ')}) each in a file of its own under ${written.secretsFolder}.`);
        say(`Serve your own copy with the same settings (same emulators, same key):\n\n  ${serveCommandLine(written, ownPort)}`);
        await b2c.printServeInstructions(dir, say, [Number(new URL(host.url).port), ownPort]);
        await untilStopSignal();
        return 0;
      }
      if (mismatches > 0) {
        say(`\n${mismatches} answer(s) or mark(s) differed from the expected ones.`);
        return 1;
      }
      say('\nEvery answer was the expected one.');
      return 0;
    } finally {
      for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    }
  },
};
