/**
 * The third part of `npm start`: moving from Azure AD B2C to External ID. A Graph emulator in B2C mode is the B2C
 * tenant, seeded with B2C users of every kind; `export-b2c` reads it in-process (its classification counts
 * printed, the social user reported); `provision-users --preset b2c --mfa-methods phone` creates the External ID
 * users in a Graph emulator of their own (the phone method read back from it); then a function with
 * LegacyStore=b2c checks each first sign-in against the ROPC stand-in on loopback, Entra played by the same fake
 * Entra as the External ID part. Users, sign-ins and what to expect: scripts/sandbox/sample-b2c-to-externalid.json.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { normalizeUsername } from '../../../function/src/legacy';
import type { LogSink } from '../../../function/src/telemetry';
import type { FakeEntra } from '../../../function/test/support/fakeEntra';
import { graphClientFromEnvironment, type GraphClient } from '../../../lib/graph';
import { RopcStandIn, type RopcAccountState } from '../../../test/emulators/b2c/ropc';
import { GraphEmulator } from '../../../test/emulators/graph';
import { b2cEmailUser, b2cGuestUser, b2cSocialUser, b2cUsernameUser, seedB2cUsers } from '../../../test/emulators/graph/b2cUsers';
import { rawGraph } from '../../../test/emulators/graph/raw';
import { NOT_MIGRATED_REASONS } from '../b2cExport/classify';
import type { ExportSummary } from '../b2cExport/summary';
import { startLocalHost } from '../host/localHost';
import { findUsersByIdentity } from '../operations/graphUsers';
import { EMULATOR_TOKEN, startTenant, TENANT_DOMAIN } from '../provisioning/testing/fixtures';
import { runExportB2c } from './exportB2c';
import type { SandboxSettings } from './sandboxSettings';
import { capturedOutput, emulatorEnvironment, provisionExport, sampleFile, submitPasswordAsEntra, table } from './sandboxSupport';

const B2C_TENANT = 'contosob2c.onmicrosoft.com';
/** The ROPC app registration in the B2C tenant (the stand-in accepts only this client id). */
const ROPC_CLIENT_ID = '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d';
/** Short, so the B2C-hangs row costs the sandbox little; Entra itself gives up at 2 s. */
const CALLOUT_BUDGET_MS = 500;
const ENTRA_TIMEOUT_MS = 2000;
/** The External ID functions' own settings the fake Entra's tokens and contexts are made for. */
const ENTRA_SETTINGS = ['ExternalIdTenantId', 'ExtensionAppId', 'OpenIdMetadataUrl'] as const;

const KINDS = ['email', 'username', 'social', 'guest'] as const;
const ROPC_STATES: readonly RopcAccountState[] = ['active', 'locked', 'disabled', 'expired', 'mfa'];
const FAULTS = ['hang'] as const;
const ACTIONS = ['MigratePassword', 'UpdatePassword', 'Retry', 'Block'] as const;

/** A user as the B2C tenant holds it; `password` and `ropc` are what the ROPC stand-in knows of a local account. */
interface SampleB2cUser {
  readonly kind: (typeof KINDS)[number];
  readonly email?: string;
  readonly username?: string;
  readonly mail?: string;
  readonly displayName?: string;
  readonly mobilePhone?: string;
  readonly accountEnabled?: boolean;
  /** `social`: [issuer, subject] per provider. */
  readonly providers?: ReadonlyArray<readonly [string, string]>;
  readonly password?: string;
  /** The account in the ROPC stand-in; default active (disabled when accountEnabled is false). */
  readonly ropc?: RopcAccountState;
}

interface SampleSignIn {
  readonly username: string;
  readonly password: string;
  /** `hang`: the ROPC stand-in reads this sign-in's request and never answers. */
  readonly b2c?: (typeof FAULTS)[number];
  readonly expect: (typeof ACTIONS)[number];
  /** The message the user must be shown (Block). */
  readonly message?: string;
  readonly note: string;
}

interface SampleMigration {
  readonly b2cUsers: readonly SampleB2cUser[];
  /** What export-b2c counts. */
  readonly export: {
    readonly users: number;
    readonly exported: number;
    readonly disabled: number;
    readonly notMigrated: Readonly<Record<string, number>>;
    readonly socialProviders: Readonly<Record<string, number>>;
  };
  /** Every phone method the External ID users must have after provisioning, and no other. */
  readonly phoneMethods: readonly { readonly username: string; readonly phoneNumber: string }[];
  readonly signIns: readonly SampleSignIn[];
}

export interface B2cToExternalIdOptions {
  /** The fake Entra of the External ID part, and the certificate its password contexts are encrypted for. */
  readonly entra: FakeEntra;
  readonly certificatePem: string;
  /** The External ID function's settings: its tenant, extension app, OpenID metadata and decryption key are reused. */
  readonly externalId: SandboxSettings;
  readonly sink: LogSink;
  readonly say: (text: string) => void;
}

/** Runs the whole part and stops what it started; resolves the number of results that differed from the file's. */
export async function runB2cToExternalIdSandbox(options: B2cToExternalIdOptions): Promise<number> {
  const { say } = options;
  const sample = await readSample();
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-sandbox-b2c-to-externalid-'));
  const cleanups: (() => Promise<unknown>)[] = [() => fs.rm(workDir, { recursive: true, force: true })];
  try {
    const b2cTenant = await GraphEmulator.start({ token: EMULATOR_TOKEN, platform: 'b2c', tenantDomain: B2C_TENANT });
    cleanups.unshift(() => b2cTenant.stop());
    await seedB2cUsers(rawGraph(b2cTenant.url, { token: EMULATOR_TOKEN }), sample.b2cUsers.map(b2cUserBody));
    const kinds = [...new Set(sample.b2cUsers.map(describeKind))].join(', ');
    say(`\nFrom B2C to External ID: a Graph emulator in B2C mode as the B2C tenant ${B2C_TENANT}, seeded with ${sample.b2cUsers.length} B2C users (${kinds}).`);

    let mismatches = 0;
    const exportFile = path.join(workDir, 'b2c-users.jsonl');
    const summary = await exportUsers(b2cTenant.url, exportFile);
    say(`export-b2c, run in-process against it: ${exportSentence(summary)}`);
    const exportProblems = compareExport(summary, sample.export);
    if (exportProblems.length > 0) {
      mismatches++;
      say(`  NOT as expected: ${exportProblems.join('; ')}.`);
    }

    const { emulator: externalId, migrationProperty } = await startTenant();
    cleanups.unshift(() => externalId.stop());
    const directory = graphClientFromEnvironment({ env: emulatorEnvironment(externalId.url) });
    const objectIdProperty = await registerObjectIdProperty(externalId, directory);
    await provisionExport(
      externalId.url,
      ['--input', exportFile, '--preset', 'b2c', '--migration-property', migrationProperty, '--domain', TENANT_DOMAIN, '--b2c-object-id-property', objectIdProperty, '--mfa-methods', 'phone'],
      workDir,
    );
    const exported = await exportedUsernames(exportFile);
    const entraIds = await findUsersByIdentity(directory, exported, TENANT_DOMAIN);
    const created = exported.filter((username) => entraIds.get(username) !== undefined).length;
    say(`provision-users --preset b2c --mfa-methods phone into the External ID Graph emulator: ${created} of ${exported.length} exported users created (flag ${migrationProperty}, B2C object id in ${objectIdProperty}).`);
    if (created !== exported.length) mismatches++;
    const phones = await readPhoneMethods(directory, entraIds);
    for (const { username, phoneNumber } of phones) say(`Phone method carried over: ${username} has mobile ${phoneNumber} in External ID (read back from the emulator's phoneMethods).`);
    const phoneProblems = comparePhones(phones, sample.phoneMethods);
    if (phoneProblems.length > 0) {
      mismatches++;
      say(`  NOT as expected: ${phoneProblems.join('; ')}.`);
    }

    const ropc = await RopcStandIn.start({ tenant: B2C_TENANT, clientId: ROPC_CLIENT_ID });
    cleanups.unshift(() => ropc.stop());
    for (const user of sample.b2cUsers) {
      const signInName = user.email ?? user.username;
      if (signInName !== undefined && user.password !== undefined) ropc.addUser(signInName, { password: user.password, state: ropcState(user) });
    }
    const host = await startLocalHost({ env: functionSettings(options.externalId, ropc.b2cloginUrl, externalId.url), sink: options.sink });
    cleanups.unshift(() => host.close());
    const runtime = await host.endpoint.getRuntime();
    if (!runtime.ready) throw new Error(`the LegacyStore=b2c function did not start: ${runtime.problems.map((p) => `${p.setting} ${p.problem}`).join('; ')}`);
    const locked = sample.b2cUsers.filter((user) => ropcState(user) === 'locked').map((user) => user.email ?? user.username);
    say(`ROPC stand-in for ${B2C_TENANT} (B2C_1_ROPC, b2clogin form) on loopback${locked.length > 0 ? `, where ${locked.join(', ')} ${locked.length === 1 ? 'is' : 'are'} locked` : ''}.`);
    say(`Function with LegacyStore=b2c (LegacyB2cTokenUrl: the stand-in; CalloutBudgetMs ${CALLOUT_BUDGET_MS}) listening on ${host.url}; Entra played by the same fake Entra.\n`);

    const rows: string[][] = [];
    for (const signIn of sample.signIns) {
      const username = normalizeUsername(signIn.username);
      const userId = entraIds.get(username);
      if (userId === undefined) throw new Error(`sample-b2c-to-externalid.json: ${signIn.username} signs in but provision-users made no External ID user for it`);
      if (signIn.b2c !== undefined) ropc.faultNext({ kind: signIn.b2c });
      const calls = ropc.requests.length;
      const answer = await submitPasswordAsEntra(options.entra, options.certificatePem, host.url, { username: signIn.username, password: signIn.password, userId });
      // Entra's part after these answers: it stores the password and clears the user's migration flag.
      if (answer.action === 'MigratePassword' || answer.action === 'UpdatePassword') await directory.patch(`/users/${userId}`, { [migrationProperty]: false });
      const late = answer.ms >= ENTRA_TIMEOUT_MS;
      const ok = answer.action === signIn.expect && (signIn.message === undefined || answer.message === signIn.message) && !late;
      if (!ok) mismatches++;
      const expected = `${signIn.expect}${signIn.message === undefined ? '' : `: ${signIn.message}`}`;
      const verdict = ok ? 'yes' : late ? `NO (answered after Entra's ${ENTRA_TIMEOUT_MS / 1000} s)` : `NO (expected ${expected})`;
      rows.push([signIn.username, signIn.note, answer.action, answer.message ?? '', String(ropc.requests.length - calls), verdict, answer.ms.toFixed(0)]);
    }
    await runtime.background.drain();
    say(table(['username', 'attempt', 'action', 'message shown', 'ROPC calls', 'as expected', 'ms'], rows));
    return mismatches;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

async function readSample(): Promise<SampleMigration> {
  const file = sampleFile('sample-b2c-to-externalid.json');
  const sample = JSON.parse(await fs.readFile(file, 'utf8')) as SampleMigration;
  sample.b2cUsers.forEach((user, index) => {
    const problem = !KINDS.includes(user.kind)
      ? `"kind" must be one of ${KINDS.join(', ')}`
      : user.ropc !== undefined && !ROPC_STATES.includes(user.ropc)
        ? `"ropc" must be one of ${ROPC_STATES.join(', ')}`
        : undefined;
    if (problem) throw new Error(`${file}: b2cUsers ${index + 1}: ${problem}`);
  });
  sample.signIns.forEach((signIn, index) => {
    const problem = !ACTIONS.includes(signIn.expect)
      ? `"expect" must be one of ${ACTIONS.join(', ')}`
      : signIn.b2c !== undefined && !FAULTS.includes(signIn.b2c)
        ? `"b2c" must be one of ${FAULTS.join(', ')}`
        : undefined;
    if (problem) throw new Error(`${file}: signIns ${index + 1}: ${problem}`);
  });
  return sample;
}

/** The `POST /users` body B2C holds for the sample user. */
function b2cUserBody(user: SampleB2cUser): Record<string, unknown> {
  const profile = { ...(user.displayName ? { displayName: user.displayName } : {}), ...(user.mobilePhone ? { mobilePhone: user.mobilePhone } : {}), ...(user.accountEnabled === false ? { accountEnabled: false } : {}) };
  switch (user.kind) {
    case 'email':
      return b2cEmailUser(required(user.email, 'email'), B2C_TENANT, profile);
    case 'username':
      return b2cUsernameUser(required(user.username, 'username'), B2C_TENANT, profile);
    case 'social':
      return b2cSocialUser(required(user.displayName, 'displayName'), user.providers ?? [], profile);
    case 'guest':
      return b2cGuestUser(required(user.mail, 'mail'), B2C_TENANT);
  }
}

function required(value: string | undefined, field: string): string {
  if (value === undefined) throw new Error(`sample-b2c-to-externalid.json: a B2C user of that kind needs "${field}"`);
  return value;
}

function describeKind(user: SampleB2cUser): string {
  if (user.accountEnabled === false) return 'disabled';
  if (user.kind === 'email') return user.mobilePhone ? 'local with email and mobile phone' : 'local with email';
  return { username: 'local with a username only', social: 'social', guest: '#EXT# guest' }[user.kind];
}

function ropcState(user: SampleB2cUser): RopcAccountState {
  return user.ropc ?? (user.accountEnabled === false ? 'disabled' : 'active');
}

/** `jitmigrate export-b2c --json` in-process; its summary. */
async function exportUsers(graphUrl: string, out: string): Promise<ExportSummary> {
  const stdout: string[] = [];
  const stderr = capturedOutput();
  const code = await runExportB2c(['--tenant', B2C_TENANT, '--out', out, '--json'], {
    env: emulatorEnvironment(graphUrl),
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.stream.write(text),
    now: () => new Date(),
  });
  if (code !== 0) throw new Error(`export-b2c failed:\n${stderr.text()}`);
  return JSON.parse(stdout.join('')) as ExportSummary;
}

function exportSentence(summary: ExportSummary): string {
  const reasons = NOT_MIGRATED_REASONS.filter((reason) => summary.notMigrated.byReason[reason] > 0).map((reason) => {
    const providers = reason === 'social' ? ` [${Object.entries(summary.socialProviders).map(([issuer, n]) => `${issuer} ${n}`).join(', ')}]` : '';
    return `${reason} ${summary.notMigrated.byReason[reason]}${providers}`;
  });
  return (
    `${summary.users} users read; exported ${summary.exported.total} (email ${summary.exported.email}, username ${summary.exported.username}; ` +
    `${summary.exported.disabled} disabled, to be created disabled); not migrated ${summary.notMigrated.total}, reported: ${reasons.join(', ') || 'none'}.`
  );
}

function compareExport(summary: ExportSummary, expected: SampleMigration['export']): string[] {
  const problems: string[] = [];
  const check = (what: string, actual: number, wanted: number): void => {
    if (actual !== wanted) problems.push(`${what} ${actual}, expected ${wanted}`);
  };
  check('users read', summary.users, expected.users);
  check('exported', summary.exported.total, expected.exported);
  check('disabled', summary.exported.disabled, expected.disabled);
  for (const reason of NOT_MIGRATED_REASONS) check(`not migrated (${reason})`, summary.notMigrated.byReason[reason], expected.notMigrated[reason] ?? 0);
  for (const issuer of new Set([...Object.keys(summary.socialProviders), ...Object.keys(expected.socialProviders)])) {
    check(`social users of ${issuer}`, summary.socialProviders[issuer] ?? 0, expected.socialProviders[issuer] ?? 0);
  }
  return problems;
}

/** The String property that keeps each user's B2C object id, on the tenant's b2c-extensions-app (the stack makes it). */
async function registerObjectIdProperty(graph: GraphEmulator, client: GraphClient): Promise<string> {
  const app = [...graph.applications.values()].find((candidate) => candidate.appId === graph.b2cExtensionsAppId);
  if (app === undefined) throw new Error('the External ID Graph emulator has no b2c-extensions-app');
  const property = await client.post<{ name: string }>(`/applications/${String(app.id)}/extensionProperties`, { name: 'b2cObjectId', dataType: 'String', targetObjects: ['User'] });
  return property.name;
}

/** The sign-in names of the export's lines, normalized as the function looks them up. */
async function exportedUsernames(file: string): Promise<string[]> {
  const lines = (await fs.readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  return lines.map((line) => normalizeUsername(String((JSON.parse(line) as { username?: unknown }).username)));
}

/** Each provisioned user's phone methods as External ID holds them. */
async function readPhoneMethods(client: GraphClient, entraIds: ReadonlyMap<string, string | undefined>): Promise<{ username: string; phoneNumber: string; phoneType?: string }[]> {
  const found: { username: string; phoneNumber: string; phoneType?: string }[] = [];
  for (const [username, id] of entraIds) {
    if (id === undefined) continue;
    const methods = await client.get<{ value?: { phoneNumber?: string; phoneType?: string }[] }>(`/users/${id}/authentication/phoneMethods`);
    for (const method of methods.value ?? []) found.push({ username, phoneNumber: String(method.phoneNumber), ...(method.phoneType ? { phoneType: method.phoneType } : {}) });
  }
  return found;
}

function comparePhones(actual: readonly { username: string; phoneNumber: string; phoneType?: string }[], expected: SampleMigration['phoneMethods']): string[] {
  const shown = (items: readonly { username: string; phoneNumber: string }[]): string[] => items.map((item) => `${normalizeUsername(item.username)} ${item.phoneNumber}`).sort();
  const problems: string[] = [];
  if (JSON.stringify(shown(actual)) !== JSON.stringify(shown(expected))) problems.push(`phone methods [${shown(actual).join(', ')}], expected [${shown(expected).join(', ')}]`);
  const notMobile = actual.filter((method) => method.phoneType !== 'mobile');
  if (notMobile.length > 0) problems.push(`${notMobile.map((method) => method.username).join(', ')}: not registered as mobile`);
  return problems;
}

/** The External ID function with the B2C tenant as its legacy store, on the External ID part's Entra settings. */
function functionSettings(externalId: SandboxSettings, tokenUrl: string, graphUrl: string): Record<string, string> {
  const entra = Object.fromEntries(ENTRA_SETTINGS.map((name) => [name, externalId.plain[name]]));
  const decryptionKey = externalId.secrets.DecryptionPrivateKey;
  if (decryptionKey === undefined || ENTRA_SETTINGS.some((name) => entra[name] === undefined)) throw new Error(`the External ID part's settings lack ${[...ENTRA_SETTINGS, 'DecryptionPrivateKey'].join(', ')}`);
  return {
    ...(entra as Record<string, string>),
    LegacyStore: 'b2c',
    LegacyB2cTenant: B2C_TENANT,
    LegacyB2cClientId: ROPC_CLIENT_ID,
    LegacyB2cTokenUrl: tokenUrl,
    // One local instance: the lockout, the idempotency record and the migrated marks in memory.
    StateStore: 'memory',
    CalloutBudgetMs: String(CALLOUT_BUDGET_MS),
    // Graph's read before MigratePassword, against the External ID emulator through the loopback-only seams.
    PasswordChangeCheck: 'graph',
    JITMIGRATE_GRAPH_URL: graphUrl,
    JITMIGRATE_GRAPH_TOKEN: EMULATOR_TOKEN,
    DecryptionPrivateKey: decryptionKey,
  };
}
