/**
 * export-b2c as an operator runs it (argv in, exit code, files and output out): in-process against the Graph
 * emulator in B2C mode (which refuses $count, $search and ConsistencyLevel) and a scripted Graph for the paging
 * loop and throttling; and the bundled CLI killed with SIGKILL mid-run, then resumed.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import BUNDLE_EXTERNALS from '../bundle-externals.json';
import { GraphEmulator } from '../../test/emulators/graph';
import { b2cEmailUser, b2cGuestUser, b2cPhoneUser, b2cSocialUser, b2cUsernameUser, seedB2cUsers } from '../../test/emulators/graph/b2cUsers';
import { rawGraph } from '../../test/emulators/graph/raw';
import { ScriptedServer, type ScriptedReply } from '../../test/emulators/graph/scripted';
import { runExportB2c, type ExportB2cIo } from '../src/commands/exportB2c';

const TOKEN = 'export-b2c-test-token';
const TENANT = 'contosob2c.onmicrosoft.com';
const root = path.resolve(__dirname, '..', '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function exportB2c(argv: string[], env: NodeJS.ProcessEnv, extra: Partial<ExportB2cIo> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runExportB2c(argv, { env, out: (text) => void out.push(text), err: (text) => void err.push(text), now: () => new Date(), ...extra });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-export-b2c-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true }))));

async function jsonLines(file: string): Promise<Array<Record<string, any>>> {
  const text = await fs.readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);
}

async function b2cEmulator(): Promise<{ emulator: GraphEmulator; call: ReturnType<typeof rawGraph>; env: NodeJS.ProcessEnv; loyalty: string }> {
  const emulator = await GraphEmulator.start({ token: TOKEN, platform: 'b2c', tenantDomain: TENANT });
  const call = rawGraph(emulator.url, { token: TOKEN });
  const extensionsApp = [...emulator.applications.values()].find((app) => app.appId === emulator.b2cExtensionsAppId);
  const created = await call('POST', `/applications/${String(extensionsApp?.id)}/extensionProperties`, { body: { name: 'loyaltyNumber', dataType: 'String', targetObjects: ['User'] } });
  return { emulator, call, env: { JITMIGRATE_GRAPH_URL: emulator.url, JITMIGRATE_GRAPH_TOKEN: TOKEN }, loyalty: String(created.body.name) };
}

describe('jitmigrate export-b2c against a B2C tenant', () => {
  let graph: Awaited<ReturnType<typeof b2cEmulator>>;
  let ids: Record<string, string>;

  beforeAll(async () => {
    graph = await b2cEmulator();
    const kinds: Array<[string, Record<string, unknown>]> = [
      ['ada', b2cEmailUser('ada@example.com', TENANT, { givenName: 'Ada', surname: 'Lovelace', mobilePhone: '+44 7700900123', otherMails: ['ada@home.example'], [graph.loyalty]: 'L-1' })],
      ['bob', b2cEmailUser('bob@example.com', TENANT, { accountEnabled: false })],
      ['cy', b2cUsernameUser('cy_01', TENANT)],
      ['dee', b2cSocialUser('Dee', [['facebook.com', '10157']])],
      ['eve', b2cSocialUser('Eve', [['google.com', '1098'], ['facebook.com', '2042']])],
      ['fay', b2cGuestUser('fay@partner.example', TENANT)],
      ['gus', b2cPhoneUser('+15555550100', TENANT)],
      ['hal', { ...b2cEmailUser('hal@example.com', TENANT), identities: [{ signInType: 'emailAddress', issuer: TENANT, issuerAssignedId: 'hal@example.com' }, { signInType: 'federated', issuer: 'facebook.com', issuerAssignedId: '7' }] }],
    ];
    const created = await seedB2cUsers(graph.call, kinds.map(([, body]) => body));
    ids = Object.fromEntries(kinds.map(([name], index) => [name, created[index] as string]));
  });
  afterAll(() => graph.emulator.stop());

  it('classifies and counts every kind of user, writes the export and the report, and prints the --json summary', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'users.jsonl');
    const run = await exportB2c(['--tenant', TENANT, '--out', out, '--attributes', graph.loyalty, '--json'], graph.env);
    expect(run).toMatchObject({ code: 0 });

    const exported = await jsonLines(out);
    expect(exported.map((line) => line.b2cObjectId).sort()).toEqual([ids.ada, ids.bob, ids.hal].sort());
    expect(exported.find((line) => line.b2cObjectId === ids.ada)).toEqual({
      b2cObjectId: ids.ada,
      classification: 'email',
      username: 'ada@example.com',
      email: 'ada@example.com',
      displayName: 'ada',
      givenName: 'Ada',
      surname: 'Lovelace',
      otherMails: ['ada@home.example'],
      mobilePhone: '+44 7700900123',
      accountEnabled: true,
      status: 'active',
      extensionAttributes: { loyaltyNumber: 'L-1' },
    });
    expect(exported.find((line) => line.b2cObjectId === ids.bob)).toMatchObject({ accountEnabled: false, status: 'disabled' });
    expect(exported.find((line) => line.b2cObjectId === ids.hal)).toMatchObject({ classification: 'email', federatedIssuers: ['facebook.com'] });

    const report = await jsonLines(`${out}.report.jsonl`);
    expect(Object.fromEntries(report.map((entry) => [entry.b2cObjectId, entry.reason]))).toEqual({
      [ids.cy as string]: 'username-only',
      [ids.dee as string]: 'social',
      [ids.eve as string]: 'social',
      [ids.fay as string]: 'guest',
      [ids.gus as string]: 'no-local-identity',
    });
    expect(report.find((entry) => entry.b2cObjectId === ids.eve)?.issuers).toEqual(['google.com', 'facebook.com']);
    expect(report.find((entry) => entry.b2cObjectId === ids.fay)?.userPrincipalName).toContain('#EXT#');

    const summary = JSON.parse(run.stdout) as Record<string, any>;
    expect(summary).toMatchObject({
      schema: 'jitmigrate.export-b2c/1',
      tenant: TENANT,
      complete: true,
      resumed: false,
      pages: 1,
      users: 8,
      exported: { total: 3, email: 3, username: 0, disabled: 1 },
      notMigrated: { total: 5, byReason: { social: 2, guest: 1, 'username-only': 1, 'username-invalid': 0, 'no-local-identity': 1 } },
      socialProviders: { 'facebook.com': 2, 'google.com': 1 },
      throttled: 0,
    });
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    // Progress and notes on stderr, never on stdout; the export file is the operator's only.
    expect(run.stderr).toContain('export-b2c');
    expect((await fs.stat(out)).mode & 0o777).toBe(0o600);
  });

  it('migrates username-only accounts with --allow-usernames, and prints a summary for people without --json', async () => {
    const out = path.join(await tempDir(), 'users.jsonl');
    const run = await exportB2c(['--tenant', TENANT, '--out', out, '--allow-usernames'], graph.env);
    expect(run.code).toBe(0);
    expect((await jsonLines(out)).find((line) => line.b2cObjectId === ids.cy)).toMatchObject({ classification: 'username', username: 'cy_01' });
    expect(run.stdout).toMatch(/exported: +4 .*username 1/);
    expect(run.stdout).toMatch(/social +2 \[facebook\.com 2, google\.com 1\]: .*External ID's own/);
  });

  it('a rerun after completion reads nothing and says the export is complete', async () => {
    const out = path.join(await tempDir(), 'users.jsonl');
    expect((await exportB2c(['--tenant', TENANT, '--out', out], graph.env)).code).toBe(0);
    const before = await fs.readFile(out, 'utf8');
    const requests = graph.emulator.stats.requests;
    const again = await exportB2c(['--tenant', TENANT, '--out', out, '--json'], graph.env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyComplete: true, users: 8 });
    expect(graph.emulator.stats.requests).toBe(requests);
    expect(await fs.readFile(out, 'utf8')).toBe(before);
  });
});

describe('jitmigrate export-b2c paging, throttling and resume (scripted Graph)', () => {
  const user = (n: number) => ({ id: `id-${n}`, accountEnabled: true, displayName: `u${n}`, identities: [{ signInType: 'emailAddress', issuer: TENANT, issuerAssignedId: `u${n}@example.com` }] });
  const pageOf = (server: () => ScriptedServer, from: number, to: number, next?: string): ScriptedReply => ({
    status: 200,
    body: { value: Array.from({ length: to - from }, (_, i) => user(from + i)), ...(next ? { '@odata.nextLink': `${server().url}/v1.0/users?$skiptoken=${next}` } : {}) },
  });
  const scriptedEnv = (server: ScriptedServer): NodeJS.ProcessEnv => ({ JITMIGRATE_GRAPH_URL: server.url, JITMIGRATE_GRAPH_TOKEN: TOKEN });
  const skiptoken = (url: string) => new URL(url, 'http://x').searchParams.get('$skiptoken');

  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('asks for $top=999 and the $select provisioning needs, with no $count, $search or ConsistencyLevel', async () => {
    server = await ScriptedServer.start(() => pageOf(() => server as ScriptedServer, 0, 2));
    const out = path.join(await tempDir(), 'users.jsonl');
    expect((await exportB2c(['--tenant', TENANT, '--out', out, '--attributes', 'extension_00001111aaaa2222bbbb3333cccc4444_tier'], scriptedEnv(server))).code).toBe(0);
    const [request] = server.requests;
    const query = new URL(request?.url ?? '', 'http://x').searchParams;
    expect(query.get('$top')).toBe('999');
    expect(query.get('$select')?.split(',')).toEqual(
      expect.arrayContaining(['id', 'accountEnabled', 'displayName', 'givenName', 'surname', 'mail', 'otherMails', 'mobilePhone', 'identities', 'userType', 'creationType', 'extension_00001111aaaa2222bbbb3333cccc4444_tier']),
    );
    expect([...query.keys()].filter((name) => /^\$(count|search)$/i.test(name))).toEqual([]);
    expect(request?.headers.consistencylevel).toBeUndefined();
  });

  it.each<[string, Record<string, string | undefined>]>([
    ['a link repeated at once', { first: 'A', A: 'A' }],
    ['a cycle of two links', { first: 'A', A: 'B', B: 'A' }],
  ])('stops with an error that says so on %s, keeping the pages before', async (_label, links) => {
    let n = 0;
    server = await ScriptedServer.start((request) => {
      const token = skiptoken(request.url) ?? 'first';
      n += 2;
      return pageOf(() => server as ScriptedServer, n - 2, n, links[token]);
    });
    const out = path.join(await tempDir(), 'users.jsonl');
    const run = await exportB2c(['--tenant', TENANT, '--out', out], scriptedEnv(server));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/@odata\.nextLink on page \d+ repeats a link it already answered in this run: the paging loops/);
    const pagesBeforeTheLoop = server.requests.length;
    expect(pagesBeforeTheLoop).toBeLessThanOrEqual(Object.keys(links).length);
    expect((await jsonLines(out)).length).toBe(2 * (pagesBeforeTheLoop - 1));
  });

  it('waits out a 429 storm as Retry-After asks, and finishes', async () => {
    server = await ScriptedServer.start((_request, index) =>
      index < 4 ? { status: 429, headers: { 'Retry-After': '7' }, body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } } } : pageOf(() => server as ScriptedServer, 0, 3),
    );
    const waits: number[] = [];
    const out = path.join(await tempDir(), 'users.jsonl');
    const run = await exportB2c(['--tenant', TENANT, '--out', out, '--json'], scriptedEnv(server), { sleep: async (ms) => void waits.push(ms) });
    expect(run.code).toBe(0);
    expect(waits).toEqual([7000, 7000, 7000, 7000]);
    expect(JSON.parse(run.stdout)).toMatchObject({ complete: true, users: 3, throttled: 4 });
    expect(run.stderr).toContain('waiting 7 s as Retry-After asks');
  });

  it('a storm longer than the retry budget stops with exit 1; the same command then resumes, every user once', async () => {
    let storm = true;
    server = await ScriptedServer.start((request) => {
      const token = skiptoken(request.url);
      if (token === null) return pageOf(() => server as ScriptedServer, 0, 3, 'p2');
      if (storm) return { status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } } };
      return pageOf(() => server as ScriptedServer, 3, 5);
    });
    const out = path.join(await tempDir(), 'users.jsonl');
    const noWait = { sleep: async () => undefined };
    const first = await exportB2c(['--tenant', TENANT, '--out', out], scriptedEnv(server), noWait);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/checkpointed in .*: run the same command to resume/);
    expect((await jsonLines(out)).map((line) => line.b2cObjectId)).toEqual(['id-0', 'id-1', 'id-2']);

    storm = false;
    const second = await exportB2c(['--tenant', TENANT, '--out', out, '--json'], scriptedEnv(server), noWait);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ complete: true, resumed: true, users: 5, pages: 2 });
    expect((await jsonLines(out)).map((line) => line.b2cObjectId)).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4']);
  });

  it('stops after the page in hand on Ctrl-C (130), and drops a page written after the last checkpoint when it resumes', async () => {
    const stop = new AbortController();
    server = await ScriptedServer.start((request) => {
      const token = skiptoken(request.url);
      if (token === null) return pageOf(() => server as ScriptedServer, 0, 2, 'p2');
      if (token === 'p2') {
        stop.abort();
        return pageOf(() => server as ScriptedServer, 2, 4, 'p3');
      }
      return pageOf(() => server as ScriptedServer, 4, 6);
    });
    const out = path.join(await tempDir(), 'users.jsonl');
    const first = await exportB2c(['--tenant', TENANT, '--out', out, '--json'], scriptedEnv(server), { stop: stop.signal });
    expect(first.code).toBe(130);
    expect(JSON.parse(first.stdout)).toMatchObject({ complete: false, interrupted: true, users: 4 });

    // A crash between writing page 3 and saving its checkpoint leaves its lines in the files, uncounted.
    await fs.appendFile(out, `${JSON.stringify({ b2cObjectId: 'id-4' })}\n{"b2cObjectId":"id-5","classif`);
    await fs.appendFile(`${out}.report.jsonl`, '{"b2cObjectId":"half a line');
    const second = await exportB2c(['--tenant', TENANT, '--out', out, '--json'], scriptedEnv(server));
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ complete: true, resumed: true, users: 6 });
    expect((await jsonLines(out)).map((line) => line.b2cObjectId)).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4', 'id-5']);
    expect(await fs.readFile(`${out}.report.jsonl`, 'utf8')).toBe('');
  });
});

describe('jitmigrate export-b2c usage errors (exit 2, nothing written)', () => {
  const env = { JITMIGRATE_GRAPH_URL: 'http://127.0.0.1:9', JITMIGRATE_GRAPH_TOKEN: TOKEN };

  it.each<[string, (dir: string) => string[], RegExp]>([
    ['no --tenant', (dir) => ['--out', path.join(dir, 'u.jsonl')], /--tenant is required/],
    ['a --tenant that is not a domain', (dir) => ['--tenant', 'contoso b2c', '--out', path.join(dir, 'u.jsonl')], /--tenant must be the B2C tenant's domain/],
    ['no --out', () => ['--tenant', TENANT], /--out FILE is required/],
    ['an unknown option', (dir) => ['--tenant', TENANT, '--out', path.join(dir, 'u.jsonl'), '--count'], /Unknown option '--count'/],
    ['a short attribute name', (dir) => ['--tenant', TENANT, '--out', path.join(dir, 'u.jsonl'), '--attributes', 'loyaltyNumber'], /--attributes loyaltyNumber: name each attribute in full/],
    [
      'two attributes with one short name',
      (dir) => ['--tenant', TENANT, '--out', path.join(dir, 'u.jsonl'), '--attributes', 'extension_00001111aaaa2222bbbb3333cccc4444_tier,extension_99991111aaaa2222bbbb3333cccc4444_tier'],
      /both would be written as "tier"/,
    ],
    ['--out that is a folder', (dir) => ['--tenant', TENANT, '--out', dir], /--out .* is a folder/],
    ['--out in a missing folder', (dir) => ['--tenant', TENANT, '--out', path.join(dir, 'missing', 'u.jsonl')], /its folder .* does not exist/],
    ['--report the same as --out', (dir) => ['--tenant', TENANT, '--out', path.join(dir, 'u.jsonl'), '--report', path.join(dir, 'u.jsonl')], /three different files/],
  ])('%s', async (_label, argv, message) => {
    const dir = await tempDir();
    const run = await exportB2c(argv(dir), env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('refuses an --out that holds an export no checkpoint names, and a checkpoint of another export, changing nothing', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'users.jsonl');
    await fs.writeFile(out, '{"b2cObjectId":"kept"}\n');
    const refused = await exportB2c(['--tenant', TENANT, '--out', out], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already holds an export and no checkpoint .* says how far it got/);
    expect(await fs.readFile(out, 'utf8')).toBe('{"b2cObjectId":"kept"}\n');

    const checkpoint = { schema: 'jitmigrate.export-b2c-checkpoint/1', tenant: TENANT, select: 'x', allowUsernames: false, nextLink: null, complete: false, pages: 0, outBytes: 0, reportBytes: 0, counts: { users: 0, exported: { email: 0, username: 0 }, disabled: 0, notMigrated: { social: 0, guest: 0, 'username-only': 0, 'username-invalid': 0, 'no-local-identity': 0 }, socialProviders: {} }, updatedAt: '' };
    await fs.writeFile(`${out}.checkpoint.json`, JSON.stringify(checkpoint));
    const other = await exportB2c(['--tenant', TENANT, '--out', out, '--allow-usernames'], env);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/belongs to another export \(different --attributes, --allow-usernames \(not given\)\)/);
    expect(await fs.readFile(out, 'utf8')).toBe('{"b2cObjectId":"kept"}\n');
  });

  it('--help prints the options on stdout with 0', async () => {
    const run = await exportB2c(['--help'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--allow-usernames');
  });
});

describe('the bundled jitmigrate export-b2c killed with SIGKILL mid-run', () => {
  const USERS = 2500;
  let graph: Awaited<ReturnType<typeof b2cEmulator>>;
  let everyone: Set<string>;

  let bundledCli: string;

  beforeAll(async () => {
    // The CLI bundled as scripts/build.mjs bundles it, into a folder of this test's own (dist/ may be stale).
    bundledCli = path.join(await tempDir(), 'jitmigrate.cjs');
    await build({
      absWorkingDir: root,
      entryPoints: ['scripts/src/cli.ts'],
      outfile: bundledCli,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: [...BUNDLE_EXTERNALS],
      logLevel: 'error',
      nodePaths: [path.join(root, 'node_modules')],
    });
    graph = await b2cEmulator();
    const bodies = Array.from({ length: USERS }, (_, n) => (n % 10 === 9 ? b2cSocialUser(`s${n}`, [['facebook.com', String(n)]]) : b2cEmailUser(`user${n}@example.com`, TENANT)));
    everyone = new Set(await seedB2cUsers(graph.call, bodies));
  }, 120_000);
  afterAll(() => graph.emulator.stop());

  it('resumes from the checkpoint: every user exactly once, in the export or the report', async () => {
    const out = path.join(await tempDir(), 'users.jsonl');
    const checkpointFile = `${out}.checkpoint.json`;
    // Slow pages: the kill lands after the first page is checkpointed and before the last.
    graph.emulator.setFaults({ latencyMs: 1000 });
    const child = spawn(process.execPath, [bundledCli, 'export-b2c', '--tenant', TENANT, '--out', out], { env: { ...process.env, ...graph.env }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    for (let waited = 0; ; waited += 50) {
      const saved = await fs.readFile(checkpointFile, 'utf8').then((text) => JSON.parse(text) as { pages: number }, () => undefined);
      if (saved !== undefined && saved.pages >= 1) break;
      if (waited > 20_000) throw new Error('the export never checkpointed its first page');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = JSON.parse(await fs.readFile(checkpointFile, 'utf8')) as { complete: boolean; pages: number };
    expect(atKill.complete).toBe(false);

    graph.emulator.setFaults(undefined);
    const resumed = await exportB2c(['--tenant', TENANT, '--out', out, '--json'], graph.env);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ complete: true, resumed: true, users: USERS, pages: Math.ceil(USERS / 999), exported: { total: USERS * 0.9 }, notMigrated: { total: USERS * 0.1 } });
    const seen = [...(await jsonLines(out)), ...(await jsonLines(`${out}.report.jsonl`))].map((line) => String(line.b2cObjectId));
    expect(seen).toHaveLength(USERS);
    expect(new Set(seen)).toEqual(everyone);
  }, 60_000);
});
