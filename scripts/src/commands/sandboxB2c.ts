/**
 * The B2C half of `npm start`: a function host of its own with IdentityPlatform=b2c (Basic authentication,
 * a fresh random secret) over its own legacy and state tables in the same Azurite, a Graph emulator in B2C mode
 * as the B2C directory (its pre-provisioned users made by `provision-users --platform b2c`), the custom policies
 * `generateB2cPolicies` writes, and the B2C stand-in running their three journeys (sign-in, sign-up, password
 * reset) against the host and that directory, as scripts/sandbox/sample-b2c-journeys.json lists them.
 * Each row is checked against the directory afterwards (password written, flag cleared, legacy profile), and
 * the progress is counted as `jitmigrate status --platform b2c` counts it.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { ensureTable, normalizeUsername, type LegacyUserRecord } from '../../../function/src/legacy';
import type { LogSink } from '../../../function/src/telemetry';
import { B2C_CLAIMS, B2C_MIGRATION_FLAG, B2C_ROUTES } from '../../../lib/b2c/contract';
import { generateB2cPolicies } from '../../../lib/b2c/policies';
import { graphClientFromEnvironment } from '../../../lib/graph';
import {
  B2cStandIn,
  GraphEmulatorB2cDirectory,
  loopbackServiceUrl,
  migrationFlagAttribute,
  type B2cDirectory,
  type B2cUser,
  type JourneyResult,
  type SignUpProfile,
} from '../../../test/emulators/b2c';
import type { GraphEmulator } from '../../../test/emulators/graph';
import { startLocalHost, type LocalHost } from '../host/localHost';
import { flagCounterFor } from '../operations/flagCounter';
import { openLegacyStore } from '../operations/legacyStore';
import { parseMigrationProperty } from '../operations/migrationProperty';
import type { StatusSnapshot } from '../operations/progress';
import { collectStatus } from '../operations/status';
import { startTenant } from '../provisioning/testing/fixtures';
import { secretFromFile, serveCommandLine, shownPath, writeSandboxSettings, type SandboxSettings } from './sandboxSettings';
import { emulatorEnvironment, importSampleExport, progressSentence, provisionSampleExport, sampleFile, table } from './sandboxSupport';

const B2C_TENANT = 'contosob2c.onmicrosoft.com';
/** Never called: the stand-in sends every ServiceUrl to the loopback host. */
const B2C_API_URL = 'https://jit-sandbox.example.net';
/** The emulated tenant's b2c-extensions-app: the flag's directory name is made from its client id. */
const EXTENSIONS_APP_CLIENT_ID = '5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const BASIC_USERNAME = 'b2c-sandbox';
const LEGACY_TABLE = 'LegacyUsersB2c';
const STATE_TABLE = 'JitStateB2c';
const FLAG = migrationFlagAttribute(EXTENSIONS_APP_CLIENT_ID);
/** Where the printed serve command puts a copy of the B2C function: after the External ID copy's 7071/7072. */
const COPY_PORTS = [7073, 7074, 7075, 7076];
/** The profile a migrated account gets from the legacy record (the email is the sign-in name). */
const NAME_FIELDS = [B2C_CLAIMS.displayName, B2C_CLAIMS.givenName, B2C_CLAIMS.surname] as const;

const JOURNEYS = ['signIn', 'signUp', 'passwordReset'] as const;
const OUTCOMES = ['migrated', 'created', 'signedIn', 'signedUp', 'refused'] as const;
type JourneyKind = (typeof JOURNEYS)[number];
type Outcome = (typeof OUTCOMES)[number];

interface SampleJourney {
  readonly journey: JourneyKind;
  readonly email: string;
  /** The password typed (sign-in), chosen (sign-up) or set (password reset). */
  readonly password: string;
  /**
   * `migrated`: a pre-provisioned account got the password and lost its flag; `created`: the policy made the
   * account with the legacy profile; `signedIn`: signed in with no REST call; `signedUp`: a new account;
   * `refused`: the page showed `message`.
   */
  readonly expect: Outcome;
  readonly message?: string;
  readonly note: string;
}

const PROGRESS_TOTALS = ['users', 'migrated', 'pending', 'failed'] as const;
type ProgressTotals = Readonly<Record<(typeof PROGRESS_TOTALS)[number], number>>;

interface SampleB2cJourneys {
  readonly directory: {
    /** Their lines of sample-users.jsonl go through provision-users --platform b2c: flag set, a random password. */
    readonly preProvisioned: readonly string[];
    /** Migrated before: flag false, a password of their own in B2C (added to the directory directly). */
    readonly migrated: readonly ({ readonly email: string; readonly password: string } & SignUpProfile)[];
    /** B2C users the legacy store never knew (added to the directory directly). */
    readonly plain: readonly ({ readonly email: string; readonly password: string } & SignUpProfile)[];
  };
  readonly journeys: readonly SampleJourney[];
  /** What `jitmigrate status --platform b2c` counts after the journeys. */
  readonly progress: ProgressTotals;
}

interface Observed {
  readonly outcome: Outcome | 'unexpected';
  readonly happened: string;
  readonly message?: string;
}

export interface B2cSandbox {
  readonly mismatches: number;
  /**
   * `--serve`: writes the host's settings under `<dir>/b2c/` and prints how to call the B2C endpoints by hand,
   * and how to serve a copy on a port none of `portsInUse` (nor this host) takes.
   */
  printServeInstructions(dir: string, say: (text: string) => void, portsInUse: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

export async function runB2cSandbox(options: { connectionString: string; sink: LogSink; say: (text: string) => void }): Promise<B2cSandbox> {
  const { connectionString, say } = options;
  // Its own copy of the export and its own state: the External ID run's marks and lockouts do not reach it.
  const legacy = new Map((await importSampleExport(connectionString, LEGACY_TABLE)).map((record) => [record.username, record]));
  await ensureTable(TableClient.fromConnectionString(connectionString, STATE_TABLE, { allowInsecureConnection: true }));
  const basicPassword = randomBytes(32).toString('base64url');
  const settings: SandboxSettings = {
    plain: { IdentityPlatform: 'b2c', B2cApiAuth: 'basic', B2cBasicUsername: BASIC_USERNAME, LegacyStore: 'table', LegacyTableName: LEGACY_TABLE, StateTableName: STATE_TABLE, LockoutThreshold: '3' },
    secrets: {
      B2cBasicPassword: basicPassword,
      RequestKeySecret: randomBytes(32).toString('base64url'),
      LegacyTableConnectionString: connectionString,
      StateTableConnectionString: connectionString,
    },
  };
  const host = await startLocalHost({ env: { ...settings.plain, ...settings.secrets }, sink: options.sink });
  const cleanups: (() => Promise<void>)[] = [() => host.close()];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  };
  try {
    const samples = await readSampleJourneys();
    say(`\nB2C mode: imported the same ${legacy.size} legacy users into a table of their own (${LEGACY_TABLE}) with import-legacy.`);
    say(`B2C function (IdentityPlatform=b2c, Basic auth, fresh secret) listening on ${host.origin}/api/b2c/.`);
    // The B2C directory: a Graph emulator that answers as a B2C tenant (no $count, no $search).
    const { emulator: graph } = await startTenant({ platform: 'b2c', tenantDomain: B2C_TENANT, b2cExtensionsAppId: EXTENSIONS_APP_CLIENT_ID }, B2C_MIGRATION_FLAG);
    cleanups.push(() => graph.stop());
    const directory = new GraphEmulatorB2cDirectory(graph);
    await provisionDirectory(graph, directory, samples.directory, legacy);
    say(
      `B2C directory: a Graph emulator in B2C mode; provisioned ${samples.directory.preProvisioned.length} B2C users in it with provision-users --platform b2c (flag ${FLAG}), ` +
        `added ${samples.directory.migrated.length} migrated and ${samples.directory.plain.length} plain B2C user(s) directly.`,
    );
    const standIn = startStandIn(host, basicPassword, graph, directory);
    say(`B2C stand-in running the policies b2c-policies generates for ${B2C_TENANT}, reading and writing that directory (${directory.all().length} accounts).\n`);

    const rows: string[][] = [];
    let mismatches = 0;
    for (const sample of samples.journeys) {
      const existing = standIn.directory.findByEmail(sample.email);
      const before = existing === undefined ? undefined : { ...existing };
      const result = await runSampleJourney(standIn, sample);
      const observed = observe(sample, before, result, standIn.directory, legacy.get(normalizeUsername(sample.email)));
      const ok = observed.outcome === sample.expect && (sample.expect !== 'refused' || observed.message === sample.message);
      if (!ok) mismatches++;
      rows.push([sample.journey, sample.email, sample.note, observed.happened, restCallsOf(result), ok ? 'yes' : `NO (expected ${sample.expect}${sample.message ? `: ${sample.message}` : ''})`]);
    }
    const runtime = await host.endpoint.getRuntime();
    if (runtime.ready) await runtime.background.drain();
    say(table(['journey', 'user', 'attempt', 'what happened', 'REST calls', 'as expected'], rows));

    const progress = await b2cProgress(graph, connectionString);
    say(`\nB2C migration progress (as jitmigrate status --platform b2c counts it, paging through the users): ${progressSentence(progress)}`);
    const differing = PROGRESS_TOTALS.filter((total) => progress.totals[total] !== samples.progress[total]);
    if (differing.length > 0) {
      mismatches++;
      say(`Expected ${PROGRESS_TOTALS.map((total) => `${total} ${samples.progress[total]}`).join(', ')}; ${differing.map((total) => `${total} was ${progress.totals[total]}`).join(', ')}.`);
    }

    const signInSample = samples.journeys.find((s) => s.expect === 'migrated') ?? samples.journeys[0]!;
    return {
      mismatches,
      printServeInstructions: (dir, print, portsInUse) => {
        const taken = new Set([...portsInUse, Number(new URL(host.origin).port)]);
        const servePort = COPY_PORTS.find((port) => !taken.has(port)) ?? 0;
        return printServeInstructions({ dir, say: print, servePort, host, settings, signInSample });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The B2C directory's progress exactly as `jitmigrate status --platform b2c` computes it (paging, no $count). */
async function b2cProgress(graph: GraphEmulator, connectionString: string): Promise<StatusSnapshot> {
  const client = graphClientFromEnvironment({ env: emulatorEnvironment(graph.url) });
  const store = await openLegacyStore({ store: 'table', tableConnectionString: connectionString, tableName: LEGACY_TABLE });
  const { snapshot } = await collectStatus({ client, counter: flagCounterFor(client, 'b2c'), store, property: parseMigrationProperty(FLAG), now: new Date() });
  return snapshot;
}

async function readSampleJourneys(): Promise<SampleB2cJourneys> {
  const file = sampleFile('sample-b2c-journeys.json');
  const samples = JSON.parse(await fs.readFile(file, 'utf8')) as SampleB2cJourneys;
  samples.journeys.forEach((sample, index) => {
    const problem = !JOURNEYS.includes(sample.journey)
      ? `"journey" must be one of ${JOURNEYS.join(', ')}`
      : !OUTCOMES.includes(sample.expect)
        ? `"expect" must be one of ${OUTCOMES.join(', ')}`
        : (sample.expect === 'refused') !== (typeof sample.message === 'string')
          ? '"message" is required with "expect": "refused", and only then'
          : undefined;
    if (problem) throw new Error(`${file}: journey ${index + 1}: ${problem}`);
  });
  const progress = samples.progress as Partial<Record<string, unknown>> | undefined;
  for (const total of PROGRESS_TOTALS) {
    const value = progress?.[total];
    if (!Number.isInteger(value) || (value as number) < 0) throw new Error(`${file}: "progress"."${total}" must be a whole number ≥ 0 (what jitmigrate status --platform b2c counts after the journeys)`);
  }
  return samples;
}

/** The stand-in on freshly generated policies for the emulated tenant's b2c-extensions-app, holding the host's Basic credential. */
function startStandIn(host: LocalHost, basicPassword: string, graph: GraphEmulator, directory: B2cDirectory): B2cStandIn {
  const extensionsApp = [...graph.applications.values()].find((app) => app.appId === EXTENSIONS_APP_CLIENT_ID);
  if (extensionsApp === undefined) throw new Error('the B2C Graph emulator has no b2c-extensions-app');
  const generated = generateB2cPolicies({
    tenant: B2C_TENANT,
    apiUrl: B2C_API_URL,
    auth: 'basic',
    extensionsAppClientId: EXTENSIONS_APP_CLIENT_ID,
    extensionsAppObjectId: String(extensionsApp.id),
  });
  const valueByKeyId: Readonly<Record<string, string>> = { BasicAuthenticationUsername: BASIC_USERNAME, BasicAuthenticationPassword: basicPassword };
  const policyKeys = Object.fromEntries(
    generated.policyKeys.map((key) => {
      const value = valueByKeyId[key.keyId];
      if (value === undefined) throw new Error(`the sandbox has no value for the policy key ${key.name} (${key.keyId})`);
      return [key.name, value];
    }),
  );
  return new B2cStandIn({ policies: generated.files, policyKeys, serviceUrlOverride: loopbackServiceUrl(host.origin), directory });
}

/**
 * The pre-provisioned users as an operator makes them (provision-users --platform b2c, their lines of the sample
 * export); the migrated and plain B2C users straight into the directory, as B2C holds them.
 */
async function provisionDirectory(graph: GraphEmulator, directory: B2cDirectory, accounts: SampleB2cJourneys['directory'], legacy: ReadonlyMap<string, LegacyUserRecord>): Promise<void> {
  const wanted = new Set(accounts.preProvisioned.map(normalizeUsername));
  const unknown = [...wanted].filter((username) => !legacy.has(username));
  if (unknown.length > 0) throw new Error(`sample-b2c-journeys.json: the pre-provisioned ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in sample-users.jsonl`);
  await provisionSampleExport(graph.url, ['--migration-property', FLAG, '--domain', B2C_TENANT, '--platform', 'b2c'], wanted);
  const missing = accounts.preProvisioned.filter((email) => directory.findByEmail(email)?.[FLAG] !== true);
  if (missing.length > 0) throw new Error(`provision-users --platform b2c made no flagged B2C user for ${missing.join(', ')}`);
  for (const account of accounts.migrated) directory.create({ ...account, [FLAG]: false });
  for (const account of accounts.plain) directory.create({ ...account });
}

function runSampleJourney(standIn: B2cStandIn, sample: SampleJourney): Promise<JourneyResult> {
  switch (sample.journey) {
    case 'signIn':
      return standIn.signIn(sample.email, sample.password);
    case 'signUp':
      return standIn.signUp(sample.email, sample.password);
    case 'passwordReset':
      return standIn.passwordReset(sample.email, sample.password);
  }
}

/** What the journey did, read from its result and the directory afterwards (never from the expectation). */
function observe(sample: SampleJourney, before: B2cUser | undefined, result: JourneyResult, directory: B2cDirectory, record: LegacyUserRecord | undefined): Observed {
  if (!result.ok) return { outcome: 'refused', happened: `refused: ${result.userMessage}`, message: result.userMessage };
  const after = directory.get(result.objectId);
  if (after === undefined) return { outcome: 'unexpected', happened: 'a token for an account the directory does not hold' };
  const passwordSet = directory.checkPassword(after.objectId, sample.password);
  if (sample.journey === 'signUp') {
    return before === undefined && passwordSet ? { outcome: 'signedUp', happened: 'account created (sign-up)' } : { outcome: 'unexpected', happened: 'signed up onto an existing account' };
  }
  const lost = [...(passwordSet ? [] : ['the password not written']), ...(after[FLAG] === false ? [] : ['the flag not cleared'])];
  if (before === undefined) {
    // Each field the legacy record knows is copied; B2C may fill one it does not know on its own.
    const differs = NAME_FIELDS.filter((field) => record?.profile?.[field] !== undefined && after[field] !== record.profile[field]);
    const missing = [...lost, ...differs.map((field) => `${field} not the legacy one`)];
    if (missing.length > 0) return { outcome: 'unexpected', happened: `account created, but ${missing.join(', ')}` };
    const name = record?.profile?.displayName;
    return { outcome: 'created', happened: `account created with the legacy profile${name === undefined ? '' : ` (${name})`}` };
  }
  if (result.trace.restCalls.length === 0) return { outcome: 'signedIn', happened: 'signed in by B2C alone' };
  if (before[FLAG] !== true || lost.length > 0) return { outcome: 'unexpected', happened: `signed in after a REST call, ${lost.length > 0 ? `but ${lost.join(', ')}` : 'flag was not set'}` };
  return { outcome: 'migrated', happened: `${sample.journey === 'signIn' ? 'signed in' : 'password reset'}: password migrated, flag cleared` };
}

/** `signin 200`, one per call the policy made (retries included in `attempts`), or `none`. */
function restCallsOf(result: JourneyResult): string {
  const calls = result.trace.restCalls.map((call) => `${call.path.replace(/^\/api\/b2c\//, '')} ${call.status ?? call.error ?? 'no answer'}`);
  return calls.length === 0 ? 'none' : calls.join(', ');
}

async function printServeInstructions(options: {
  dir: string;
  say: (text: string) => void;
  servePort: number;
  host: LocalHost;
  settings: SandboxSettings;
  signInSample: SampleJourney;
}): Promise<void> {
  const { say, host, signInSample } = options;
  const dir = path.join(options.dir, 'b2c');
  const written = await writeSandboxSettings(dir, options.settings);
  // The sign-in body holds a password: a file of its own (0600), never on the screen.
  const signInBody = path.join(dir, 'signin.json');
  await fs.writeFile(signInBody, JSON.stringify({ [B2C_CLAIMS.signInName]: signInSample.email, [B2C_CLAIMS.password]: signInSample.password }), { mode: 0o600 });
  await fs.chmod(signInBody, 0o600);
  const curl = `curl -s -u "${BASIC_USERNAME}:${secretFromFile(written, 'B2cBasicPassword')}"`;
  const post = `${curl} -H 'content-type: application/json'`;
  const url = (route: string): string => `${host.origin}/api/${route}`;
  say(`\nThe B2C endpoints, as the policy calls them (Basic auth, the password from ${shownPath(written.secretFiles.B2cBasicPassword!)}):\n`);
  say(`  ${post} -d @${shownPath(signInBody)} ${url(B2C_ROUTES.signIn)}`);
  say(`  ${post} -d '${JSON.stringify({ [B2C_CLAIMS.email]: 'someone.new@contoso.com' })}' ${url(B2C_ROUTES.signUp)}`);
  say(`  ${post} -d '${JSON.stringify({ [B2C_CLAIMS.email]: 'heidi@contoso.com' })}' ${url(B2C_ROUTES.passwordReset)}`);
  say(`  curl -s ${url(B2C_ROUTES.health)}     # health check (no credential)`);
  say(`\nThe B2C function's settings are in ${written.settingsFile}; the secret ones (${Object.keys(written.secretFiles).join(', ')}) each in a file of its own under ${written.secretsFolder}.`);
  say(`Serve your own copy of it:\n\n  ${serveCommandLine(written, options.servePort)}`);
}
