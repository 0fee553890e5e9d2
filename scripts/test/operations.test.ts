/**
 * status, reconcile and finish as an operator runs them (argv in, exit code and output out), in-process
 * against the loopback Graph emulator and both legacy stores (a JSON-lines file and Azurite tables).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTableClient, ensureTable, toUserEntity, userEntityKeys } from '../../function/src/legacy';
import type { LegacyUserRecord } from '../../function/src/legacy';
import { startAzurite, type AzuriteTables } from '../../function/test/support/azurite';
import { GraphEmulator, type GraphEmulatorOptions } from '../../test/emulators/graph';
import { localUser, rawGraph } from '../../test/emulators/graph/raw';
import { ScriptedServer } from '../../test/emulators/graph/scripted';
import { Writable } from 'node:stream';
import { runFinish } from '../src/commands/finish';
import { runProvisionUsers } from '../src/commands/provisionUsers';
import { runReconcile } from '../src/commands/reconcile';
import { runStatus } from '../src/commands/status';
import type { CommandIo } from '../src/operations/io';

const TOKEN = 'operations-test-token';
const DOMAIN = 'emulated.onmicrosoft.com';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Captured {
  io: CommandIo;
  stdout(): string;
  stderr(): string;
}

function capture(env: NodeJS.ProcessEnv, now: Date = new Date()): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { env, out: (text) => void out.push(text), err: (text) => void err.push(text), now: () => now }, stdout: () => out.join(''), stderr: () => err.join('') };
}

/**
 * One small migration: ada and fay migrated but their flags stuck at true (issue #25), bob's flag was cleared
 * but his legacy mark is missing, cy is genuinely pending, eve was never provisioned. dee is done: she reset
 * her password in Entra, the function refused her old legacy one (superseded) and reconcile marked her since.
 */
function legacyUsers(now: Date): LegacyUserRecord[] {
  const base = { hash: '$2b$04$not.a.real.hash.only.for.operations.tests', status: 'active' as const, mustChangePassword: false };
  const at = (ms: number) => new Date(now.getTime() - ms).toISOString();
  return [
    { ...base, username: 'ada@example.com', migrated: true, migratedAt: at(2 * HOUR) },
    { ...base, username: 'bob@example.com', migrated: false },
    { ...base, username: 'cy@example.com', migrated: false },
    { ...base, username: 'dee@example.com', migrated: true, migratedAt: at(3 * DAY), supersededAt: at(4 * DAY) },
    { ...base, username: 'eve@example.com', migrated: false },
    { ...base, username: 'fay@example.com', migrated: true, migratedAt: at(DAY + HOUR) },
  ];
}

const GRAPH_USERS: Array<[string, boolean]> = [
  ['ada@example.com', true],
  ['bob@example.com', false],
  ['cy@example.com', true],
  ['dee@example.com', false],
  ['Fay@Example.com', true],
];

async function startGraph(options: GraphEmulatorOptions = {}): Promise<{ emulator: GraphEmulator; flag: string; call: ReturnType<typeof rawGraph>; env: NodeJS.ProcessEnv }> {
  const emulator = await GraphEmulator.start({ token: TOKEN, seedAuthenticationEventsServicePrincipal: true, ...options });
  const call = rawGraph(emulator.url, { token: TOKEN });
  const b2c = [...emulator.applications.values()].find((app) => app.appId === emulator.b2cExtensionsAppId);
  const created = await call('POST', `/applications/${String(b2c?.id)}/extensionProperties`, { body: { name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] } });
  const flag = String(created.body.name);
  for (const [email, value] of GRAPH_USERS) {
    const response = await call('POST', '/users', { body: localUser(email, { [flag]: value }) });
    if (response.status !== 201) throw new Error(`seeding ${email} failed: ${JSON.stringify(response.body)}`);
  }
  return { emulator, flag, call, env: { JITMIGRATE_GRAPH_URL: emulator.url, JITMIGRATE_GRAPH_TOKEN: TOKEN } };
}

function flagOf(emulator: GraphEmulator, flag: string, email: string): unknown {
  const user = [...emulator.users.values()].find((candidate) =>
    (candidate.identities as Array<{ issuerAssignedId: string }>).some((identity) => identity.issuerAssignedId.toLowerCase() === email.toLowerCase()),
  );
  return user?.[flag];
}

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-operations-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true }))));

async function readJsonLines(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await fs.readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The legacy store under test: its CLI options and a way to read a user's mark back. */
interface StoreFixture {
  args: string[];
  migratedAt(username: string): Promise<string | undefined>;
}

async function fileStore(dir: string, records: LegacyUserRecord[]): Promise<StoreFixture> {
  const file = path.join(dir, 'users.jsonl');
  await fs.writeFile(file, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
  return {
    args: ['--store', 'file', '--users-file', file],
    async migratedAt(username) {
      const lines = await readJsonLines(file);
      const line = lines.find((entry) => entry.username === username);
      return line?.migrated === true ? String(line.migratedAt) : undefined;
    },
  };
}

async function tableStore(azurite: AzuriteTables, tableName: string, records: LegacyUserRecord[]): Promise<StoreFixture> {
  const client = createTableClient({ connectionString: azurite.connectionString, tableName });
  await ensureTable(client);
  for (const record of records) await client.upsertEntity(toUserEntity(record), 'Replace');
  return {
    args: ['--store', 'table', '--table-connection-string', azurite.connectionString, '--table-name', tableName],
    async migratedAt(username) {
      const { partitionKey, rowKey } = userEntityKeys(username);
      const entity = await client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      return entity.migrated === true ? String(entity.migratedAt) : undefined;
    },
  };
}

interface Scenario {
  readonly now: Date;
  graph: Awaited<ReturnType<typeof startGraph>>;
  dir: string;
  store: StoreFixture;
}

/** A fresh Graph emulator (seeded), temp folder and legacy store for each test of the enclosing describe. */
function useScenario(
  openStore: (dir: string, records: LegacyUserRecord[]) => Promise<StoreFixture>,
  seed?: (graph: Scenario['graph']) => Promise<unknown>,
  emulatorOptions?: GraphEmulatorOptions,
): Scenario {
  const scenario = { now: new Date() } as Scenario;
  beforeEach(async () => {
    scenario.graph = await startGraph(emulatorOptions);
    await seed?.(scenario.graph);
    scenario.dir = await tempDir();
    scenario.store = await openStore(scenario.dir, legacyUsers(scenario.now));
  });
  afterEach(() => scenario.graph.emulator.stop());
  return scenario;
}

let azurite: AzuriteTables;
let tableCount = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite.stop());

const stores: Array<[string, (dir: string, records: LegacyUserRecord[]) => Promise<StoreFixture>]> = [
  ['file', (dir, records) => fileStore(dir, records)],
  ['table', (_dir, records) => tableStore(azurite, `OpsUsers${++tableCount}`, records)],
];

describe.each(stores)('jitmigrate status with the %s store', (_kind, openStore) => {
  const scenario = useScenario(openStore);

  it('counts pending, migrated and failed users, the rate and the projected end, as one JSON object', async () => {
    const { graph, store, now } = scenario;
    const run = capture(graph.env, now);
    const code = await runStatus(['--migration-property', graph.flag, ...store.args, '--json'], run.io);
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);
    const snapshot = JSON.parse(run.stdout()) as Record<string, unknown>;
    expect(snapshot).toEqual({
      schema: 'jitmigrate.status/1',
      generatedAt: now.toISOString(),
      migrationProperty: graph.flag,
      totals: { users: 6, migrated: 2, pending: 3, failed: 1, percentMigrated: 33.3, percentPending: 50, percentFailed: 16.7 },
      graph: { pending: 3, migrated: 2 },
      legacy: { store: _kind, total: 6, migrated: 3, migratedWithoutTimestamp: 0, unreadable: 0, percentMigrated: 50, superseded: 1 },
      // By user, not by count: ada and fay are marked but their flags are still true, bob's flag is false unmarked.
      drift: {
        legacyMinusGraphMigrated: 1,
        reconcileSuggested: true,
        flagClearedWithoutLegacyMark: { count: 1, usernames: ['bob@example.com'] },
        legacyMarkWithFlagTrue: { count: 2, usernames: ['ada@example.com', 'fay@example.com'] },
      },
      provisionErrors: null,
      // ada (2 h ago), fay (25 h) and dee (3 days): 3 in 7 days, the first 3 days ago, so 1 a day.
      rate: { basis: 'legacy.migratedAt', last24Hours: 1, last7Days: 3, perDay: 1 },
      eta: { remaining: 3, perDay: 1, days: 3, date: new Date(now.getTime() + 3 * DAY).toISOString() },
      deadline: null,
    });
  });

  it('prints a readable summary that points at reconcile when the sources disagree', async () => {
    const { graph, store, now } = scenario;
    const run = capture(graph.env, now);
    expect(await runStatus(['--migration-property', graph.flag, ...store.args], run.io)).toBe(0);
    expect(run.stdout()).toMatch(/pending\s+3 \(50 %\)/);
    expect(run.stdout()).toMatch(/failed\s+1 \(16\.7 %\)/);
    expect(run.stdout()).toContain('superseded         1 legacy record(s): a password set in Entra replaced the legacy one; jitmigrate reconcile clears their flags');
    expect(run.stdout()).toContain('drift              2 legacy mark(s) with the flag still true (issue #25): ada@example.com, fay@example.com');
    expect(run.stdout()).toContain('drift              1 flag(s) false without a legacy mark: bob@example.com');
    expect(run.stdout()).toContain('run jitmigrate reconcile');
  });

  it('exits 1 with --fail-on-drift when there is drift, and 0 once reconcile fixed it', async () => {
    const { graph, store, now } = scenario;
    const args = ['--migration-property', graph.flag, ...store.args, '--domain', DOMAIN, '--fail-on-drift'];
    const drifted = capture(graph.env, now);
    expect(await runStatus(args, drifted.io)).toBe(1);
    expect(drifted.stdout()).toContain('users to migrate'); // the report still comes first
    expect(drifted.stderr()).toContain('drift between the flags and the legacy marks (--fail-on-drift): run jitmigrate reconcile');
    expect(await runReconcile(['--migration-property', graph.flag, '--domain', DOMAIN, ...store.args], capture(graph.env, now).io)).toBe(0);
    const fixed = capture(graph.env, now);
    expect(await runStatus(args, fixed.io)).toBe(0);
    expect(fixed.stdout()).toContain('drift              none');
  });
});

describe("jitmigrate status with the table store named by the function's settings", () => {
  const scenario = useScenario((_dir, records) => tableStore(azurite, `OpsUsers${++tableCount}`, records));

  it('reads LegacyTableConnectionString and LegacyTableName from the environment, as import-legacy does', async () => {
    const { graph, store, now } = scenario;
    const setting = (option: string) => store.args[store.args.indexOf(option) + 1] as string;
    const env = { ...graph.env, LegacyTableConnectionString: setting('--table-connection-string'), LegacyTableName: setting('--table-name') };
    const run = capture(env, now);
    expect(await runStatus(['--migration-property', graph.flag, '--json'], run.io)).toBe(0);
    expect(JSON.parse(run.stdout())).toMatchObject({ legacy: { store: 'table', total: 6, migrated: 3 } });
  });
});

describe('jitmigrate status: history, chart, deadline and provisioning errors', () => {
  const scenario = useScenario(fileStore);

  it('appends one snapshot per run and draws them in a self-contained SVG page', async () => {
    const { graph, dir, store, now } = scenario;
    const history = path.join(dir, 'history.jsonl');
    const chart = path.join(dir, 'progress.html');
    const args = ['--migration-property', graph.flag, ...store.args, '--history', history];
    expect(await runStatus(args, capture(graph.env, new Date(now.getTime() - DAY)).io)).toBe(0);
    const second = capture(graph.env, now);
    expect(await runStatus([...args, '--chart', chart, '--deadline', new Date(now.getTime() + 10 * DAY).toISOString().slice(0, 10)], second.io)).toBe(0);

    const lines = await readJsonLines(history);
    expect(lines).toHaveLength(2);
    expect(lines.map((line) => line.generatedAt)).toEqual([new Date(now.getTime() - DAY).toISOString(), now.toISOString()]);
    // Counts only: the drifted users' names stay out of a file that grows with every run.
    expect(lines[0]?.drift).toMatchObject({ flagClearedWithoutLegacyMark: { count: 1 }, legacyMarkWithFlagTrue: { count: 2 } });
    expect(JSON.stringify(lines)).not.toContain('@example.com');
    expect((await fs.stat(history)).mode & 0o777).toBe(0o600);

    const html = await fs.readFile(chart, 'utf8');
    // Three charts, each rendered wide and narrow, and their values in tables: a row per status run (6 users,
    // 2 migrated, 3 pending, 1 failed) and a row per day of migratedAt marks.
    expect(html.match(/<div class="(wide|narrow)"><svg/g)).toHaveLength(6);
    expect(html.match(/<tr><td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}<\/td><td>6<\/td><td>2<\/td><td>3<\/td><td>1<\/td>/g)).toHaveLength(2);
    expect(html).toMatch(/<tr><td>\d{4}-\d{2}-\d{2}<\/td><td>1<\/td>/);
    expect(html).toMatch(/Deadline \d{4}-\d{2}-\d{2}: /);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|\bsrc=|\bhref=|@import|url\(/i);
    expect(second.stdout()).toContain(`wrote the progress chart to ${chart}`);
  });

  it('reports the deadline outlook and which provisioning failures still have no user', async () => {
    const { graph, dir, store, now } = scenario;
    const errors = path.join(dir, 'provision-errors.jsonl');
    // The shape provision-users writes (scripts/src/provisioning/errorReport.ts).
    const entries = [
      { record: 5, username: 'eve@example.com', status: 'failed', code: 'graph-rejected', reason: 'Graph refused the user: …' },
      { record: 3, username: 'CY@example.com', status: 'failed', code: 'throttled', reason: 'run again' },
      { record: 9, username: null, status: 'failed', code: 'invalid-row', reason: 'no email' },
      { record: 4, username: 'dee@example.com', status: 'exists', code: 'not-flagged', reason: 'already there' },
    ];
    await fs.writeFile(errors, [...entries.map((entry) => JSON.stringify(entry)), 'not json'].join('\n'));
    const run = capture(graph.env, now);
    const deadline = new Date(now.getTime() + DAY).toISOString().slice(0, 10);
    const code = await runStatus(['--migration-property', graph.flag, ...store.args, '--domain', DOMAIN, '--provision-errors', errors, '--deadline', deadline, '--json'], run.io);
    expect(code).toBe(0);
    const snapshot = JSON.parse(run.stdout()) as { provisionErrors: unknown; deadline: { projectedRemaining: number; onTrack: boolean } };
    // eve has no External ID user; cy does (the error was retried since).
    expect(snapshot.provisionErrors).toEqual({ failed: 3, notFlagged: 1, stillMissing: 1, byCode: { 'graph-rejected': 1, throttled: 1, 'invalid-row': 1 } });
    expect(snapshot.deadline.onTrack).toBe(false);
    expect(snapshot.deadline.projectedRemaining).toBeGreaterThan(0);
    expect(run.stderr()).toContain('1 line(s)');
  });

  it('names the fix for a wrong migration property, a missing store and a bad token', async () => {
    const { graph, store } = scenario;
    const wrong = capture(graph.env);
    expect(await runStatus(['--migration-property', `extension_${graph.emulator.b2cExtensionsAppId}_toBeMigrated`, ...store.args], wrong.io)).toBe(2);
    expect(wrong.stderr()).toContain('use extension_');
    const unknown = capture(graph.env);
    expect(await runStatus(['--migration-property', graph.flag.replace(/toBeMigrated$/, 'nope'), ...store.args], unknown.io)).toBe(1);
    expect(unknown.stderr()).toContain('check --migration-property against');
    const noStore = capture(graph.env);
    expect(await runStatus(['--migration-property', graph.flag], noStore.io)).toBe(2);
    expect(noStore.stderr()).toContain('--store file with --users-file');
    const badToken = capture({ ...graph.env, JITMIGRATE_GRAPH_TOKEN: 'wrong' });
    expect(await runStatus(['--migration-property', graph.flag, ...store.args], badToken.io)).toBe(1);
    expect(badToken.stderr()).toContain('token was refused');
    expect(badToken.stderr()).not.toContain('wrong');
  });
});

describe.each(stores)('jitmigrate reconcile with the %s store', (_kind, openStore) => {
  // zed is in External ID but not in the legacy store: nothing to fix, but worth reporting.
  const scenario = useScenario(openStore, (graph) => graph.call('POST', '/users', { body: localUser('zed@example.com', { [graph.flag]: true }) }));
  const reconcileArgs = (extra: string[]) => ['--migration-property', scenario.graph.flag, '--domain', DOMAIN, ...scenario.store.args, '--json', ...extra];

  it('changes nothing in a dry run, but reports what it would do', async () => {
    const { graph, dir, store, now } = scenario;
    const report = path.join(dir, 'dry-run.jsonl');
    const writesBefore = graph.emulator.stats.writes;
    const run = capture(graph.env, now);
    expect(await runReconcile(reconcileArgs(['--dry-run', '--report', report]), run.io)).toBe(0);
    const summary = JSON.parse(run.stdout()) as Record<string, unknown>;
    expect(summary).toMatchObject({ dryRun: true, flagsCleared: { legacyMigrated: 2, passwordChanged: 0 }, legacyMarked: 1, failures: 0 });
    expect(graph.emulator.stats.writes).toBe(writesBefore);
    expect(flagOf(graph.emulator, graph.flag, 'ada@example.com')).toBe(true);
    expect(await store.migratedAt('bob@example.com')).toBeUndefined();
    const rows = await readJsonLines(report);
    expect(rows.filter((row) => row.outcome === 'planned').map((row) => `${String(row.action)} ${String(row.username)}`).sort()).toEqual([
      'clear-flag ada@example.com',
      'clear-flag fay@example.com',
      'mark-legacy bob@example.com',
    ]);
  });

  it('clears stuck flags, marks the legacy store, reports each fix, and finds nothing to fix the second time', async () => {
    const { graph, dir, store, now } = scenario;
    const report = path.join(dir, 'reconcile.jsonl');
    const run = capture(graph.env, now);
    expect(await runReconcile(reconcileArgs(['--report', report]), run.io)).toBe(0);
    expect(JSON.parse(run.stdout())).toEqual({
      schema: 'jitmigrate.reconcile/1',
      generatedAt: now.toISOString(),
      dryRun: false,
      // The emulator returns lastPasswordChangeDateTime; every user here kept the password it was created with.
      passwordChangesReadable: true,
      scanned: { pending: 4, migrated: 2, legacyRecords: 6 },
      flagsCleared: { legacyMigrated: 2, legacySuperseded: 0, passwordChanged: 0 },
      legacyMarked: 1,
      failures: 0,
      skipped: { noLocalIdentity: 0, pendingNotInLegacyStore: 1, migratedNotInLegacyStore: 0 },
    });
    expect(flagOf(graph.emulator, graph.flag, 'ada@example.com')).toBe(false);
    expect(flagOf(graph.emulator, graph.flag, 'fay@example.com')).toBe(false);
    expect(flagOf(graph.emulator, graph.flag, 'cy@example.com')).toBe(true);
    expect(await store.migratedAt('bob@example.com')).toBe(now.toISOString());
    expect(await store.migratedAt('cy@example.com')).toBeUndefined();

    const rows = await readJsonLines(report);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'clear-flag', outcome: 'fixed', username: 'fay@example.com', evidence: 'legacy-migrated' }),
        expect.objectContaining({ action: 'mark-legacy', outcome: 'fixed', username: 'bob@example.com', evidence: 'graph-flag-false', migratedAt: now.toISOString() }),
        expect.objectContaining({ action: 'skip', outcome: 'skipped', username: 'zed@example.com', reason: 'not-in-legacy-store' }),
      ]),
    );
    expect(rows).toHaveLength(4);
    expect(JSON.stringify(rows)).not.toMatch(/hash|password"|token/i);

    const again = capture(graph.env, now);
    expect(await runReconcile(reconcileArgs([]), again.io)).toBe(0);
    expect(JSON.parse(again.stdout())).toMatchObject({ scanned: { pending: 2, migrated: 4 }, flagsCleared: { legacyMigrated: 0, passwordChanged: 0 }, legacyMarked: 0, failures: 0 });
  });

  it('prints a readable summary with the users who can never migrate', async () => {
    const { graph, store, now } = scenario;
    const run = capture(graph.env, now);
    expect(await runReconcile(['--migration-property', graph.flag, ...store.args, '--dry-run'], run.io)).toBe(0);
    expect(run.stdout()).toContain('dry run: nothing changed');
    expect(run.stdout()).toMatch(/flags would clear\s+2/);
    expect(run.stdout()).toContain('1 flagged user(s) have no legacy record');
  });
});

describe.each(stores)('jitmigrate reconcile of a superseded record with the %s store', (_kind, openStore) => {
  // gil reset her password in Entra, then signed in with the old legacy one: the function answered Retry and
  // marked her record superseded. Her flag is still true, and Graph here shows no password change.
  const supersededAt = '2026-03-04T08:15:00.000Z';
  const gil: LegacyUserRecord = { username: 'gil@example.com', hash: '$2b$04$not.a.real.hash', status: 'active', mustChangePassword: false, migrated: false, supersededAt };
  const scenario = useScenario(
    (dir, records) => openStore(dir, [...records, gil]),
    (graph) => graph.call('POST', '/users', { body: localUser('gil@example.com', { [graph.flag]: true }) }),
  );

  it.each([['both'], ['legacy']])('clears her flag on the legacy store\'s word (--evidence %s) and marks the record migrated', async (evidence) => {
    const { graph, dir, store, now } = scenario;
    const report = path.join(dir, 'superseded.jsonl');
    const run = capture(graph.env, now);
    expect(await runReconcile(['--migration-property', graph.flag, '--domain', DOMAIN, ...store.args, '--evidence', evidence, '--report', report, '--json'], run.io)).toBe(0);
    expect(JSON.parse(run.stdout())).toMatchObject({ flagsCleared: { legacyMigrated: 2, legacySuperseded: 1, passwordChanged: 0 }, legacyMarked: 2, failures: 0 });
    expect(flagOf(graph.emulator, graph.flag, 'gil@example.com')).toBe(false);
    // Graph gave no later password change, so the mark takes the time the function found the Entra password.
    expect(await store.migratedAt('gil@example.com')).toBe(supersededAt);
    const gilRows = (await readJsonLines(report)).filter((row) => row.username === 'gil@example.com');
    expect(gilRows.map((row) => [row.action, row.outcome, row.evidence])).toEqual([
      ['clear-flag', 'fixed', 'legacy-superseded'],
      ['mark-legacy', 'fixed', 'legacy-superseded'],
    ]);

    const again = capture(graph.env, now);
    expect(await runReconcile(['--migration-property', graph.flag, '--domain', DOMAIN, ...store.args, '--evidence', evidence, '--json'], again.io)).toBe(0);
    expect(JSON.parse(again.stdout())).toMatchObject({ flagsCleared: { legacyMigrated: 0, legacySuperseded: 0, passwordChanged: 0 }, legacyMarked: 0 });
  });

  it('says so in the readable summary', async () => {
    const { graph, store, now } = scenario;
    const run = capture(graph.env, now);
    expect(await runReconcile(['--migration-property', graph.flag, ...store.args, '--dry-run'], run.io)).toBe(0);
    expect(run.stdout()).toMatch(/flags would clear\s+3 \(2 marked migrated in the legacy store, 1 marked superseded there by a password set in Entra, 0 with/);
  });
});

describe('jitmigrate reconcile: failures', () => {
  it('reports a user whose flag PATCH fails, exits 1, and fixes it on the next run', async () => {
    const graph = await startGraph();
    try {
      const dir = await tempDir();
      const store = await fileStore(dir, legacyUsers(new Date()));
      const report = path.join(dir, 'report.csv');
      // The identity may read users but not write them: each PATCH in the batch comes back 403.
      graph.emulator.setPermissions(['User.Read.All']);
      const failing = capture(graph.env);
      const code = await runReconcile(['--migration-property', graph.flag, ...store.args, '--report', report], failing.io);
      expect(failing.stderr()).toBe('');
      expect(code).toBe(1);
      expect(failing.stdout()).toMatch(/failures\s+\d+ \(see the report/);
      const csv = await fs.readFile(report, 'utf8');
      expect(csv.split('\r\n')[0]).toBe('at,action,outcome,userId,username,evidence,migratedAt,reason,error');
      expect(csv).toContain(',failed,');
      expect(csv).toContain('lacks a Graph permission for PATCH');
      graph.emulator.setPermissions(undefined);
      const retry = capture(graph.env);
      expect(await runReconcile(['--migration-property', graph.flag, ...store.args, '--json'], retry.io)).toBe(0);
      expect(JSON.parse(retry.stdout())).toMatchObject({ failures: 0, flagsCleared: { legacyMigrated: 2 } });
    } finally {
      await graph.emulator.stop();
    }
  });
});

describe('jitmigrate finish', () => {
  const scenario = useScenario(fileStore);
  let listenerId: string;
  beforeEach(async () => {
    listenerId = await createListener(scenario.graph.call, scenario.graph.flag);
  });

  it('lists the users never migrated, without secrets, and flags the stuck ones', async () => {
    const { graph, dir, store, now } = scenario;
    const report = path.join(dir, 'never.jsonl');
    const run = capture(graph.env, now);
    expect(await runFinish(['--migration-property', graph.flag, '--domain', DOMAIN, ...store.args, '--report', report, '--json'], run.io)).toBe(0);
    expect(JSON.parse(run.stdout())).toEqual({
      schema: 'jitmigrate.finish/1',
      generatedAt: now.toISOString(),
      neverMigrated: 3,
      withoutLocalIdentity: 0,
      legacyMigratedButFlagged: 2,
      migrated: 2,
      report,
      listener: null,
    });
    const rows = await readJsonLines(report);
    expect(rows.map((row) => [row.username, row.legacyMigrated]).sort()).toEqual([
      ['ada@example.com', true],
      ['cy@example.com', false],
      ['fay@example.com', true],
    ]);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['createdDateTime', 'legacyMigrated', 'userId', 'username']);
      expect(graph.emulator.users.has(String(row.userId))).toBe(true);
    }
    expect((await fs.stat(report)).mode & 0o777).toBe(0o600);
  });

  it('writes CSV when the report ends in .csv (no legacy store needed)', async () => {
    const { graph, dir, now } = scenario;
    const report = path.join(dir, 'never.csv');
    const run = capture(graph.env, now);
    expect(await runFinish(['--migration-property', graph.flag, '--report', report], run.io)).toBe(0);
    const lines = (await fs.readFile(report, 'utf8')).trim().split('\r\n');
    expect(lines[0]).toBe('username,userId,createdDateTime,legacyMigrated');
    expect(lines).toHaveLength(4);
    expect(run.stdout()).toMatch(/never migrated\s+3 \(flag still true\)/);
  });

  it('refuses to delete the listener without --yes: it says what would happen, changes nothing and exits 0', async () => {
    const { graph, dir, now } = scenario;
    const run = capture(graph.env, now);
    const code = await runFinish(['--migration-property', graph.flag, '--report', path.join(dir, 'r.jsonl'), '--delete-listener', listenerId], run.io);
    expect(code).toBe(0);
    expect(graph.emulator.authenticationEventListeners.has(listenerId)).toBe(true);
    expect(run.stdout()).toContain(`Would delete listener ${listenerId}`);
    expect(run.stdout()).toContain('self-service password reset');
    expect(run.stdout()).toContain('pass --yes');
  });

  it('deletes the listener with --yes', async () => {
    const { graph, dir, now } = scenario;
    const run = capture(graph.env, now);
    const code = await runFinish(['--migration-property', graph.flag, '--report', path.join(dir, 'r.jsonl'), '--delete-listener', listenerId, '--yes', '--json'], run.io);
    expect(run.stderr()).toContain(`Deleted listener ${listenerId}`);
    expect(code).toBe(0);
    expect(graph.emulator.authenticationEventListeners.has(listenerId)).toBe(false);
    expect(JSON.parse(run.stdout())).toMatchObject({ listener: { id: listenerId, action: 'delete', performed: true } });
  });

  it('detaching the applications keeps @odata.type; where Graph refuses an empty list it points to --delete-listener', async () => {
    const { graph, dir, now } = scenario;
    const dryRun = capture(graph.env, now);
    expect(await runFinish(['--migration-property', graph.flag, '--report', path.join(dir, 'r.jsonl'), '--remove-listener-apps', listenerId], dryRun.io)).toBe(0);
    expect(dryRun.stdout()).toContain('Would detach applications 63856651-13d9-4784-9abf-20758d509e19');
    const before = JSON.stringify(graph.emulator.authenticationEventListeners.get(listenerId));

    // The emulator, like a cautious Graph, refuses includeApplications: [] without includeAllApplications.
    const run = capture(graph.env, now);
    expect(await runFinish(['--migration-property', graph.flag, '--report', path.join(dir, 'r.jsonl'), '--remove-listener-apps', listenerId, '--yes'], run.io)).toBe(1);
    expect(run.stderr()).toContain(`--delete-listener ${listenerId} --yes`);
    expect(JSON.stringify(graph.emulator.authenticationEventListeners.get(listenerId))).toBe(before);
  });

  it('refuses a listener that migrates by another attribute, and bad listener options', async () => {
    const { graph, dir, now } = scenario;
    const b2c = [...graph.emulator.applications.values()].find((app) => app.appId === graph.emulator.b2cExtensionsAppId);
    const other = (await graph.call('POST', `/applications/${String(b2c?.id)}/extensionProperties`, { body: { name: 'otherFlag', dataType: 'Boolean', targetObjects: ['User'] } })).body.name as string;
    const otherListener = await createListener(graph.call, other);
    const run = capture(graph.env, now);
    expect(await runFinish(['--migration-property', graph.flag, '--report', path.join(dir, 'r.jsonl'), '--delete-listener', otherListener, '--yes'], run.io)).toBe(1);
    expect(run.stderr()).toContain(`migrates by ${other}`);
    expect(graph.emulator.authenticationEventListeners.has(otherListener)).toBe(true);

    const both = capture(graph.env);
    expect(await runFinish(['--migration-property', graph.flag, '--delete-listener', listenerId, '--remove-listener-apps', listenerId], both.io)).toBe(2);
    const notGuid = capture(graph.env);
    expect(await runFinish(['--migration-property', graph.flag, '--delete-listener', 'my-listener'], notGuid.io)).toBe(2);
    expect(notGuid.stderr()).toContain('GET /identity/authenticationEventListeners');
  });

  it('is idempotent: a second --delete-listener --yes reports the listener already deleted and exits 0', async () => {
    const { graph, dir, now } = scenario;
    const argv = ['--migration-property', graph.flag, '--report', path.join(dir, 'r.jsonl'), '--delete-listener', listenerId, '--yes', '--json'];
    const first = capture(graph.env, now);
    expect(await runFinish(argv, first.io)).toBe(0);
    expect(graph.emulator.authenticationEventListeners.has(listenerId)).toBe(false);

    const second = capture(graph.env, now);
    expect(await runFinish(argv, second.io)).toBe(0);
    expect(second.stderr()).toContain(`There is no listener ${listenerId}: it was already deleted, or the id is wrong`);
    expect(JSON.parse(second.stdout())).toMatchObject({ neverMigrated: 3, listener: { id: listenerId, action: 'delete', performed: false, alreadyDone: true } });
    expect(await readJsonLines(path.join(dir, 'r.jsonl'))).toHaveLength(3); // the report is written again, not appended to

    // The other step and the dry run on the deleted listener: reported, nothing to do, exit 0.
    for (const extra of [['--remove-listener-apps', listenerId, '--yes'], ['--delete-listener', listenerId]]) {
      const again = capture(graph.env, now);
      expect(await runFinish(['--migration-property', graph.flag, '--report', path.join(dir, 'r.jsonl'), ...extra], again.io)).toBe(0);
      expect(again.stdout()).toContain(`There is no listener ${listenerId}`);
      expect(again.stdout()).not.toContain('pass --yes');
    }
  });
});

/** An onPasswordSubmit listener attached to one application, as Graph returns it. */
function listenerWithOneApp(listenerId: string, flag: string): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.onPasswordSubmitListener',
    id: listenerId,
    displayName: 'JIT migration listener',
    conditions: { applications: { includeAllApplications: false, includeApplications: [{ appId: '63856651-13d9-4784-9abf-20758d509e19' }] } },
    handler: { '@odata.type': '#microsoft.graph.onPasswordMigrationCustomExtensionHandler', migrationPropertyId: flag, customExtension: { id: 'x' } },
  };
}

describe('jitmigrate finish --remove-listener-apps against a Graph that accepts an empty list', () => {
  it('PATCHes includeApplications [] with the listener\'s @odata.type', async () => {
    const listenerId = '11111111-2222-3333-4444-555555555555';
    const flag = 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated';
    const listener = listenerWithOneApp(listenerId, flag);
    const server = await ScriptedServer.start((request) => {
      if (request.url.includes('/$count')) return { status: 200, body: '0' };
      if (request.method === 'GET' && request.url.startsWith('/v1.0/identity/authenticationEventListeners/')) return { status: 200, body: listener };
      if (request.method === 'GET' && request.url.startsWith('/v1.0/users')) return { status: 200, body: { value: [] } };
      if (request.method === 'PATCH') return { status: 204 };
      return { status: 404, body: { error: { code: 'NotFound', message: 'unexpected' } } };
    });
    try {
      const dir = await tempDir();
      const run = capture({ JITMIGRATE_GRAPH_URL: server.url, JITMIGRATE_GRAPH_TOKEN: TOKEN });
      expect(await runFinish(['--migration-property', flag, '--report', path.join(dir, 'r.jsonl'), '--remove-listener-apps', listenerId, '--yes'], run.io)).toBe(0);
      const patch = server.requests.find((request) => request.method === 'PATCH');
      expect(patch?.url).toBe(`/v1.0/identity/authenticationEventListeners/${listenerId}`);
      expect(JSON.parse(patch?.body ?? '{}')).toEqual({
        '@odata.type': '#microsoft.graph.onPasswordSubmitListener',
        conditions: { applications: { includeAllApplications: false, includeApplications: [] } },
      });
      expect(run.stdout()).toContain('Every flagged user has migrated');
    } finally {
      await server.stop();
    }
  });

  it('is idempotent: a second run finds no application attached, PATCHes nothing and exits 0', async () => {
    const listenerId = '11111111-2222-3333-4444-555555555555';
    const flag = 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated';
    let listener: Record<string, unknown> = listenerWithOneApp(listenerId, flag);
    const server = await ScriptedServer.start((request) => {
      if (request.url.includes('/$count')) return { status: 200, body: '0' };
      if (request.method === 'GET' && request.url.startsWith('/v1.0/identity/authenticationEventListeners/')) return { status: 200, body: listener };
      if (request.method === 'GET' && request.url.startsWith('/v1.0/users')) return { status: 200, body: { value: [] } };
      if (request.method === 'PATCH') {
        listener = { ...listener, ...(JSON.parse(request.body) as Record<string, unknown>) };
        return { status: 204 };
      }
      return { status: 404, body: { error: { code: 'NotFound', message: 'unexpected' } } };
    });
    try {
      const dir = await tempDir();
      const argv = ['--migration-property', flag, '--report', path.join(dir, 'r.jsonl'), '--remove-listener-apps', listenerId, '--yes', '--json'];
      const env = { JITMIGRATE_GRAPH_URL: server.url, JITMIGRATE_GRAPH_TOKEN: TOKEN };
      const first = capture(env);
      expect(await runFinish(argv, first.io)).toBe(0);
      expect(JSON.parse(first.stdout())).toMatchObject({ listener: { performed: true, alreadyDone: false } });
      const second = capture(env);
      expect(await runFinish(argv, second.io)).toBe(0);
      expect(server.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
      expect(second.stderr()).toContain(`The applications are already detached from listener ${listenerId}`);
      expect(JSON.parse(second.stdout())).toMatchObject({ listener: { id: listenerId, action: 'remove-applications', performed: false, alreadyDone: true, applications: [] } });
    } finally {
      await server.stop();
    }
  });
});

describe('jitmigrate reconcile where Graph returns lastPasswordChangeDateTime', () => {
  it('clears the flag of a user who set a password after creation and marks the legacy record at that time', async () => {
    const flag = 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated';
    const created = '2026-03-01T10:00:00Z';
    const changed = '2026-03-04T08:15:00Z';
    const gus = { id: 'gus-id', createdDateTime: created, lastPasswordChangeDateTime: changed, identities: [{ signInType: 'emailAddress', issuer: DOMAIN, issuerAssignedId: 'gus@example.com' }] };
    let patchStatus = 204;
    const server = await ScriptedServer.start((request) => {
      const url = decodeURIComponent(request.url);
      if (request.method === 'POST' && url === '/v1.0/$batch') {
        const { requests } = JSON.parse(request.body) as { requests: Array<{ id: string }> };
        const body = patchStatus === 204 ? undefined : { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } };
        return { status: 200, body: { responses: requests.map((item) => ({ id: item.id, status: patchStatus, headers: {}, body })) } };
      }
      if (url.includes(`${flag} eq true`)) return { status: 200, body: { value: [gus] } };
      if (url.includes(`${flag} eq false`)) return { status: 200, body: { value: [] } };
      if (url.startsWith('/v1.0/users?$top=1')) return { status: 200, body: { value: [] } };
      return { status: 404, body: { error: { code: 'NotFound', message: 'unexpected' } } };
    });
    try {
      const dir = await tempDir();
      const store = await fileStore(dir, [{ username: 'gus@example.com', hash: 'h', status: 'active', mustChangePassword: false, migrated: false }]);
      const run = capture({ JITMIGRATE_GRAPH_URL: server.url, JITMIGRATE_GRAPH_TOKEN: TOKEN });
      expect(await runReconcile(['--migration-property', flag, ...store.args, '--json'], run.io)).toBe(0);
      expect(JSON.parse(run.stdout())).toMatchObject({ passwordChangesReadable: true, flagsCleared: { legacyMigrated: 0, passwordChanged: 1 }, legacyMarked: 1, failures: 0 });
      const batch = server.requests.find((request) => request.url === '/v1.0/$batch');
      expect(JSON.parse(batch?.body ?? '{}')).toEqual({
        requests: [{ id: '0', method: 'PATCH', url: '/users/gus-id', body: { [flag]: false }, headers: { 'Content-Type': 'application/json' } }],
      });
      expect(await store.migratedAt('gus@example.com')).toBe('2026-03-04T08:15:00.000Z');

      const legacyOnly = capture({ JITMIGRATE_GRAPH_URL: server.url, JITMIGRATE_GRAPH_TOKEN: TOKEN });
      const fresh = await fileStore(await tempDir(), [{ username: 'gus@example.com', hash: 'h', status: 'active', mustChangePassword: false, migrated: false }]);
      expect(await runReconcile(['--migration-property', flag, ...fresh.args, '--evidence', 'legacy', '--json'], legacyOnly.io)).toBe(0);
      expect(JSON.parse(legacyOnly.stdout())).toMatchObject({ flagsCleared: { passwordChanged: 0 }, legacyMarked: 0 });

      // The legacy mark waits for the flag: when the PATCH fails, the record stays unmarked for the next run.
      patchStatus = 403;
      const failing = capture({ JITMIGRATE_GRAPH_URL: server.url, JITMIGRATE_GRAPH_TOKEN: TOKEN });
      const report = path.join(dir, 'failing.jsonl');
      expect(await runReconcile(['--migration-property', flag, ...fresh.args, '--report', report, '--json'], failing.io)).toBe(1);
      expect(JSON.parse(failing.stdout())).toMatchObject({ flagsCleared: { passwordChanged: 0 }, legacyMarked: 0, failures: 2 });
      expect((await readJsonLines(report)).map((row) => [row.action, row.outcome])).toEqual([
        ['clear-flag', 'failed'],
        ['mark-legacy', 'failed'],
      ]);
      expect(await fresh.migratedAt('gus@example.com')).toBeUndefined();
    } finally {
      await server.stop();
    }
  });
});

async function createListener(call: ReturnType<typeof rawGraph>, migrationPropertyId: string): Promise<string> {
  const host = 'jit-fn.azurewebsites.net';
  const app = (await call('POST', '/applications', { body: { displayName: 'JIT extension' } })).body as { id: string; appId: string };
  const resourceId = `api://${host}/${app.appId}`;
  await call('PATCH', `/applications/${app.id}`, { body: { identifierUris: [resourceId] } });
  const extension = await call('POST', '/identity/customAuthenticationExtensions', {
    version: 'beta',
    body: {
      '@odata.type': '#microsoft.graph.onPasswordSubmitCustomExtension',
      displayName: 'JIT',
      endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: `https://${host}/api/onPasswordSubmit` },
      authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId },
      clientConfiguration: { timeoutInMilliseconds: 2000, maximumRetries: 1 },
    },
  });
  if (extension.status !== 201) throw new Error(`creating the extension failed: ${JSON.stringify(extension.body)}`);
  const listener = await call('POST', '/identity/authenticationEventListeners', {
    version: 'beta',
    body: {
      '@odata.type': '#microsoft.graph.onPasswordSubmitListener',
      displayName: 'JIT migration listener',
      priority: 500,
      conditions: { applications: { includeAllApplications: false, includeApplications: [{ appId: '63856651-13d9-4784-9abf-20758d509e19' }] } },
      handler: { '@odata.type': '#microsoft.graph.onPasswordMigrationCustomExtensionHandler', migrationPropertyId, customExtension: { id: extension.body.id } },
    },
  });
  if (listener.status !== 201) throw new Error(`creating the listener failed: ${JSON.stringify(listener.body)}`);
  return String(listener.body.id);
}

describe('status, reconcile and finish with --platform b2c (a B2C tenant: no $count, no ConsistencyLevel)', () => {
  const scenario = useScenario(fileStore, undefined, { platform: 'b2c' });
  const common = () => ['--migration-property', scenario.graph.flag, '--domain', DOMAIN, ...scenario.store.args, '--platform', 'b2c'];

  it('status counts by paging through the users, with progress on stderr, and gives the External ID figures', async () => {
    const { graph, store, now } = scenario;
    const withoutPlatform = capture(graph.env, now);
    expect(await runStatus(['--migration-property', graph.flag, ...store.args, '--json'], withoutPlatform.io)).toBe(1);
    // External ID's counting (GET /users/$count with ConsistencyLevel: eventual) is what a B2C tenant refuses.
    expect(withoutPlatform.stderr()).toMatch(/GET \/users\/\$count \(HTTP 400\): This request is not supported by the service/);

    const run = capture(graph.env, now);
    expect(await runStatus([...common(), '--json'], run.io)).toBe(0);
    const snapshot = JSON.parse(run.stdout()) as Record<string, unknown>;
    expect(snapshot).toMatchObject({
      totals: { users: 6, migrated: 2, pending: 3, failed: 1 },
      graph: { pending: 3, migrated: 2 },
      drift: { flagClearedWithoutLegacyMark: { count: 1, usernames: ['bob@example.com'] }, legacyMarkWithFlagTrue: { count: 2, usernames: ['ada@example.com', 'fay@example.com'] } },
    });
    expect(run.stderr()).toMatch(/^counting users: 5, .*done in .*pending 3, migrated 2, without the flag 0\n$/);
  });

  it('status counts users that provision-users --platform b2c made, across more than one page of 999', async () => {
    const { graph, dir, now } = scenario;
    const b2cFlag = String((await graph.call('POST', `/applications/${b2cExtensionsAppObjectId(graph.emulator)}/extensionProperties`, { body: { name: 'requiresMigration', dataType: 'Boolean', targetObjects: ['User'] } })).body.name);
    const input = path.join(dir, 'export.jsonl');
    await fs.writeFile(input, Array.from({ length: 1_000 }, (_, index) => JSON.stringify({ username: `b2c${index}@example.com`, hash: 'x' })).join('\n'));
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() }) as unknown as NodeJS.WriteStream;
    const provisioned = await runProvisionUsers(['--input', input, '--migration-property', b2cFlag, '--domain', DOMAIN, '--platform', 'b2c'], { stdout: sink, stderr: sink, env: graph.env });
    expect(provisioned).toBe(0);

    const run = capture(graph.env, now);
    expect(await runStatus(['--migration-property', b2cFlag, ...scenario.store.args, '--platform', 'b2c', '--json'], run.io)).toBe(0);
    expect(JSON.parse(run.stdout())).toMatchObject({ graph: { pending: 1_000, migrated: 0 } });
    expect(run.stderr()).toMatch(/counting users: 1,005, .*pending 1,000, migrated 0, without the flag 5/);
  });

  it('reconcile clears the stuck flags and marks the legacy record, as for External ID', async () => {
    const { graph, store, now } = scenario;
    const run = capture(graph.env, now);
    expect(await runReconcile([...common(), '--json'], run.io)).toBe(0);
    expect(JSON.parse(run.stdout())).toMatchObject({ flagsCleared: { legacyMigrated: 2 }, legacyMarked: 1, failures: 0 });
    expect(flagOf(graph.emulator, graph.flag, 'ada@example.com')).toBe(false);
    expect(flagOf(graph.emulator, graph.flag, 'fay@example.com')).toBe(false);
    expect(flagOf(graph.emulator, graph.flag, 'cy@example.com')).toBe(true);
    expect(await store.migratedAt('bob@example.com')).toBe(now.toISOString());
  });

  it('finish reports the users never migrated and counts the migrated ones by paging; it has no listener to stop', async () => {
    const { graph, dir, now } = scenario;
    const report = path.join(dir, 'never.jsonl');
    const run = capture(graph.env, now);
    expect(await runFinish([...common(), '--report', report, '--json'], run.io)).toBe(0);
    expect(JSON.parse(run.stdout())).toMatchObject({ neverMigrated: 3, legacyMigratedButFlagged: 2, migrated: 2, listener: null });
    expect((await readJsonLines(report)).map((row) => row.username).sort()).toEqual(['ada@example.com', 'cy@example.com', 'fay@example.com']);

    const listener = capture(graph.env, now);
    expect(await runFinish([...common(), '--delete-listener', '00000000-0000-0000-0000-000000000001', '--yes'], listener.io)).toBe(2);
    expect(listener.stderr()).toMatch(/--platform b2c has no onPasswordSubmit listener/);
  });

  it('refuses an unknown --platform', async () => {
    const run = capture(scenario.graph.env, scenario.now);
    expect(await runStatus([...common().slice(0, -1), 'azureadb2c'], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/--platform must be externalId .* or b2c .*got "azureadb2c"/);
  });
});

function b2cExtensionsAppObjectId(emulator: GraphEmulator): string {
  const app = [...emulator.applications.values()].find((candidate) => candidate.appId === emulator.b2cExtensionsAppId);
  return String(app?.id);
}
