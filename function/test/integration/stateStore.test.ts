/**
 * The shared state store as the function depends on it (README "Security"): lockout holds under concurrent
 * guesses on several instances, a misconfigured store is reported at start-up and by the health check, and
 * an outage keeps callouts answering (or, with StateStoreFailClosed, answers LegacyErrorAction).
 * The state table is reached through a TCP proxy, so an outage can be staged without losing its data.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import { loadSettings, type Env } from '../../src/config/settings';
import { KeyRing } from '../../src/crypto/keyRing';
import { ensureTable, toUserEntity } from '../../src/legacy/tableRepository';
import type { CallerIdentity } from '../../src/pipeline/authenticate';
import { BackgroundTasks } from '../../src/pipeline/deadline';
import { PasswordSubmitHandler } from '../../src/pipeline/handler';
import { SignInStages } from '../../src/pipeline/stages';
import type { CredentialChecker } from '../../src/pipeline/verify';
import { MemoryStateStore } from '../../src/state/memoryStateStore';
import type { FailedAttemptCounter, NonceLedger, StateStore } from '../../src/state/port';
import { StateStoreError } from '../../src/state/tableStateStore';
import { Telemetry } from '../../src/telemetry/telemetry';
import { startAzurite, type AzuriteTables } from '../support/azurite';
import { actionOf, CapturingSink, passwordSubmitRequest, signIn, startHarness, type Harness } from '../support/harness';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';
import { sampleUsers, STRONG, WEAK } from '../support/users';

let h: Harness;
let azurite: AzuriteTables;
let proxy: TcpProxy;
let env: Env;
const endpoints: PasswordSubmitEndpoint[] = [];

function endpoint(extra: Env = {}, options: ConstructorParameters<typeof PasswordSubmitEndpoint>[1] = {}): PasswordSubmitEndpoint {
  const created = new PasswordSubmitEndpoint({ ...env, ...extra }, options);
  endpoints.push(created);
  return created;
}

function withPort(connectionString: string, port: number): string {
  return connectionString.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);
}

const health = (e: PasswordSubmitEndpoint): Promise<HttpResponseInit> => e.handle(new HttpRequest({ method: 'GET', url: 'http://localhost/api/onPasswordSubmit' }), new CapturingSink());
const problemsOf = (response: HttpResponseInit) => (response.jsonBody as { problems?: { setting: string; problem: string }[] }).problems ?? [];
const titleOf = (response: HttpResponseInit) => (response.jsonBody as { data?: { actions?: { title?: string }[] } }).data?.actions?.[0]?.title;

beforeAll(async () => {
  [h, azurite] = await Promise.all([startHarness(), startAzurite()]);
  proxy = await startTcpProxy(Number(new URL(azurite.tableEndpoint).port));
  const users = TableClient.fromConnectionString(azurite.connectionString, 'LegacyUsers', { allowInsecureConnection: true });
  await ensureTable(users);
  await ensureTable(TableClient.fromConnectionString(azurite.connectionString, 'JitState', { allowInsecureConnection: true }));
  for (const user of await sampleUsers()) await users.createEntity(toUserEntity(user.record));
  env = {
    ...h.baseEnv,
    PasswordChangeCheck: 'off',
    LegacyStore: 'table',
    LegacyTableConnectionString: azurite.connectionString,
    StateTableConnectionString: withPort(azurite.connectionString, proxy.port),
    LockoutThreshold: '5',
  };
});

afterAll(async () => {
  await Promise.all(endpoints.map((e) => e.close()));
  await Promise.all([h?.stop(), proxy?.close(), azurite?.stop()]);
});

describe('lockout under concurrency', () => {
  it('verifies at most LockoutThreshold of 50 concurrent wrong passwords spread over two instances', async () => {
    const instances = [endpoint(), endpoint()];
    for (const instance of instances) expect((await health(instance)).status).toBe(200);
    // Requests are made first, so the 50 callouts really run at once.
    const requests = await Promise.all(Array.from({ length: 50 }, (_, i) => passwordSubmitRequest(h, 'mallory@contoso.com', `Wrong-Guess-${i}`)));
    const sink = new CapturingSink();
    const responses = await Promise.all(requests.map((r, i) => instances[i % 2]!.handle(r.request, sink)));

    expect(responses.every((r) => r.status === 200)).toBe(true);
    const events = sink.events('jit.passwordSubmit');
    const verified = events.filter((e) => e.reason === 'wrong-password');
    const retries = responses.filter((r) => actionOf(r) === 'Retry');
    process.stdout.write(`50 concurrent wrong passwords over two instances: ${retries.length} Retry, ${events.filter((e) => e.reason === 'locked-out').length} locked out\n`);
    expect(verified.length).toBeGreaterThan(0);
    expect(verified.length).toBeLessThanOrEqual(5);
    expect(retries).toHaveLength(verified.length);
    // Everyone else was refused before any hash was verified: locked out (or, on a loaded machine, out of time).
    expect(responses.filter((r) => actionOf(r) !== 'Retry').every((r) => actionOf(r) === 'Block')).toBe(true);
    const refused = events.filter((e) => e.reason !== 'wrong-password');
    expect(refused.every((e) => (e.reason === 'locked-out' || e.reason === 'deadline') && e.scheme === undefined)).toBe(true);
    expect(refused.filter((e) => e.reason === 'locked-out').length).toBeGreaterThan(0);

    // The right password right after is still refused while locked out, on either instance.
    for (const instance of instances) {
      const locked = await signIn(instance, sink, h, 'mallory@contoso.com', STRONG);
      expect(locked.action).toBe('Block');
      expect(titleOf(locked.response)).toBe('Too many attempts');
    }
  });

  it('gives a right password its slot back, so successes never lock anyone out', async () => {
    const instance = endpoint({ LockoutThreshold: '2' });
    const sink = new CapturingSink();
    for (let i = 0; i < 4; i++) expect((await signIn(instance, sink, h, 'alice@contoso.com', STRONG)).action).toBe('MigratePassword');
    expect((await signIn(instance, sink, h, 'disabled@contoso.com', STRONG)).action).toBe('Block');
    expect((await signIn(instance, sink, h, 'disabled@contoso.com', STRONG)).action).toBe('Block');
    expect((await signIn(instance, sink, h, 'disabled@contoso.com', STRONG)).response.jsonBody).toMatchObject({ data: { actions: [{ title: 'Sign-in blocked' }] } });
    // Two failures then fill the window.
    expect((await signIn(instance, sink, h, 'alice@contoso.com', 'Wrong-Guess-1')).action).toBe('Retry');
    expect((await signIn(instance, sink, h, 'alice@contoso.com', 'Wrong-Guess-2')).action).toBe('Retry');
    expect(titleOf((await signIn(instance, sink, h, 'alice@contoso.com', STRONG)).response)).toBe('Too many attempts');
  });
});

describe('a misconfigured state store is a settings problem at start-up', () => {
  const wrongKey = randomBytes(64).toString('base64');
  it.each<[string, () => Env, string, RegExp]>([
    ['a state table that does not exist', () => ({ StateTableName: 'JitStat' }), 'StateTableName', /^names a table that does not exist in the storage account \(HTTP 404 TableNotFound\): create it \(the Pulumi program does\) or correct StateTableName$/],
    ['a refused account key', () => ({ StateTableConnectionString: azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`) }), 'StateTableConnectionString', /^was refused by the storage account \(HTTP 403[ \w]*\): check the account name and key in the connection string$/],
    ['an unreachable account', () => ({ StateTableConnectionString: withPort(azurite.connectionString, 9) }), 'StateTableConnectionString', /^could not be reached \(ECONNREFUSED\): check the endpoint/],
    [
      'a refused key on the legacy table account the state table shares',
      () => ({ StateTableConnectionString: undefined, LegacyTableConnectionString: azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`) }),
      'LegacyTableConnectionString',
      /^was refused by the storage account/,
    ],
  ])('%s: GET and POST answer 503, naming the setting and the fix', async (_name, extra, setting, problem) => {
    const broken = endpoint(extra());
    const response = await health(broken);
    expect(response.status).toBe(503);
    // The shared-account case also fails the legacy table's own probe (next describe): the state store's is here.
    expect(problemsOf(response)).toContainEqual({ setting, problem: expect.stringMatching(problem) });
    expect(problemsOf(response).filter((p) => !p.problem.startsWith('Table Storage: could not read the legacy table'))).toHaveLength(1);
    expect(JSON.stringify(response.jsonBody)).not.toContain(wrongKey);
    expect((await signIn(broken, new CapturingSink(), h, 'alice@contoso.com', STRONG)).response.status).toBe(503);
  });
});

describe('a misconfigured legacy table is a settings problem at start-up and in the health check', () => {
  const wrongKey = randomBytes(64).toString('base64');
  it.each<[string, () => Env, string, RegExp]>([
    ['a legacy table that does not exist', () => ({ LegacyTableName: 'LegacyUser' }), 'LegacyTableName', /^Table Storage: could not read the legacy table \(HTTP 404 TableNotFound\)/],
    [
      'a refused key on the legacy table',
      () => ({ LegacyTableConnectionString: azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`) }),
      'LegacyTableConnectionString',
      /^Table Storage: could not read the legacy table \(HTTP 403 \w+\): the storage account did not accept the credentials/,
    ],
  ])('%s: 503 naming the setting, before any sign-in', async (_name, extra, setting, problem) => {
    const broken = endpoint(extra());
    const response = await health(broken);
    expect(response.status).toBe(503);
    expect(problemsOf(response)).toEqual([{ setting, problem: expect.stringMatching(problem) }]);
    expect(JSON.stringify(response.jsonBody)).not.toContain(wrongKey);
  });

  it('a legacy table removed after start-up shows in the health check', async () => {
    const table = TableClient.fromConnectionString(azurite.connectionString, 'LegacyGone', { allowInsecureConnection: true });
    await ensureTable(table);
    const instance = endpoint({ LegacyTableName: 'LegacyGone' }, { healthProbeCacheMs: 0 });
    expect((await health(instance)).status).toBe(200);
    await table.deleteTable();
    const after = await health(instance);
    expect(after.status).toBe(503);
    expect(problemsOf(after)).toEqual([{ setting: 'LegacyTableName', problem: expect.stringMatching(/TableNotFound/) }]);
  });
});

describe('a state store that goes down after start-up', () => {
  afterEach(async () => {
    await proxy.up();
  });

  it('keeps answering under load (no 5xx, each under 1 s), shows in the health check, and locks out again once back', async () => {
    // A cheap decoy, so unknown users measure the store's cost, not this machine's bcrypt speed.
    const instance = endpoint({ TimingDecoyHash: await bcrypt.hash(randomBytes(12).toString('base64'), 4) }, { healthProbeCacheMs: 0 });
    expect((await health(instance)).status).toBe(200);
    const sink = new CapturingSink();
    expect((await signIn(instance, sink, h, 'weak@contoso.com', WEAK)).action).toBe('UpdatePassword'); // warm: hash threads, keys
    const answers: { status: number; action?: string; expected: string; ms: number }[] = [];
    let loading = true;
    let n = 0;
    // One sign-in at a time per user, as people sign in: right passwords, and wrong ones for unknown users.
    const worker = async (username: string | undefined, password: string, expected: string): Promise<void> => {
      while (loading) {
        const { request } = await passwordSubmitRequest(h, username ?? `nobody-${n++}@contoso.com`, password);
        const started = performance.now();
        const response = await instance.handle(request, sink);
        answers.push({ status: response.status ?? 200, action: actionOf(response), expected, ms: performance.now() - started });
      }
    };
    const load = Promise.all([
      worker('weak@contoso.com', WEAK, 'UpdatePassword'),
      worker('mustchange@contoso.com', STRONG, 'UpdatePassword'),
      worker('migrated@contoso.com', STRONG, 'MigratePassword'),
      ...Array.from({ length: 3 }, () => worker(undefined, 'Wrong-Guess-1', 'Retry')),
    ]);
    await sleep(300);
    await proxy.down();
    await sleep(300);
    const during = await health(instance);
    await sleep(900);
    await proxy.up();
    await sleep(1200); // an instance that found the store unreachable asks again after a second
    loading = false;
    await load;

    expect(during.status).toBe(503);
    expect(problemsOf(during)).toEqual([{ setting: 'StateTableConnectionString', problem: expect.stringMatching(/^could not be reached \(\w+\)/) }]);
    expect((await health(instance)).status).toBe(200);
    process.stdout.write(`outage under load: ${answers.length} answers, slowest ${Math.round(Math.max(...answers.map((a) => a.ms)))} ms\n`);
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.action !== a.expected)).toEqual([]);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(1000);
    const unavailable = sink.events('jit.stateStoreUnavailable');
    expect(unavailable.length).toBeGreaterThan(0);
    expect(unavailable.some((e) => e.failedClosed === true)).toBe(false);

    // Back: five failures lock out again.
    for (let i = 0; i < 5; i++) expect((await signIn(instance, sink, h, 'bob@contoso.com', `Wrong-Guess-${i}`)).action).toBe('Retry');
    expect(titleOf((await signIn(instance, sink, h, 'bob@contoso.com', STRONG)).response)).toBe('Too many attempts');
  });

  it('answers LegacyErrorAction while down with StateStoreFailClosed=true, and carries on without it', async () => {
    const closed = endpoint({ StateStoreFailClosed: 'true' });
    const open = endpoint();
    for (const instance of [closed, open]) expect((await health(instance)).status).toBe(200);
    await proxy.down();
    const sink = new CapturingSink();
    const refused = await signIn(closed, sink, h, 'weak@contoso.com', WEAK);
    expect(refused.response.status).toBe(200);
    expect(refused.action).toBe('Block');
    expect(titleOf(refused.response)).toBe('Sign-in unavailable');
    expect(sink.events('jit.stateStoreUnavailable')).toEqual([expect.objectContaining({ stage: 'nonce-claim', failedClosed: true })]);
    expect(sink.events('jit.passwordSubmit')).toEqual([expect.objectContaining({ action: 'Block', failedClosed: true })]);
    expect(sink.events('jit.passwordSubmit')[0]!.scheme).toBeUndefined(); // no hash verified

    expect((await signIn(open, sink, h, 'weak@contoso.com', WEAK)).action).toBe('UpdatePassword');
    await proxy.up();
    await sleep(1100); // an instance that found the store unreachable asks again after a second
    expect((await signIn(closed, sink, h, 'weak@contoso.com', WEAK)).action).toBe('UpdatePassword');
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('the handler when one state-store stage fails', () => {
  const down = (): Promise<never> => Promise.reject(new StateStoreError('Table Storage: could not read failed attempts (ECONNREFUSED)'));
  interface Stubbed {
    readonly handler: PasswordSubmitHandler;
    readonly memory: MemoryStateStore;
    readonly background: BackgroundTasks;
    readonly checks: string[];
    readonly thresholds: number[];
  }

  /** A real handler over stub caller check and legacy system, and a memory store with one stage replaced. */
  function stubbed(extra: Env, replace: { nonces?: Partial<NonceLedger>; attempts?: Partial<FailedAttemptCounter> }, passwordValid = false): Stubbed {
    const loaded = loadSettings({ ...h.baseEnv, PasswordChangeCheck: 'off', LegacyStore: 'file', LegacyUsersFile: '/unused.jsonl', CalloutBudgetMs: '300', ...extra });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const memory = new MemoryStateStore({ lockoutWindowMs: 15 * 60_000 });
    const thresholds: number[] = [];
    const attempts: FailedAttemptCounter = {
      reserve: (username, now, threshold) => {
        thresholds.push(threshold);
        return (replace.attempts?.reserve ?? memory.attempts.reserve.bind(memory.attempts))(username, now, threshold);
      },
      release: replace.attempts?.release ?? memory.attempts.release.bind(memory.attempts),
    };
    const nonces: NonceLedger = {
      claim: memory.nonces.claim.bind(memory.nonces),
      record: memory.nonces.record.bind(memory.nonces),
      lookup: memory.nonces.lookup.bind(memory.nonces),
      ...replace.nonces,
    };
    const state: StateStore = { kind: 'memory', nonces, attempts, migrations: memory.migrations, circuit: memory.circuit, probe: async () => {} };
    const checks: string[] = [];
    const credentials: CredentialChecker = {
      storeKind: 'file',
      check: async (username) => {
        checks.push(username);
        return { facts: { kind: 'checked', passwordValid, status: 'active', mustChangePassword: false }, scheme: 'stub' };
      },
      markMigrated: async () => {},
      markSuperseded: async () => {},
    };
    const background = new BackgroundTasks();
    const keyRing = KeyRing.fromPem(h.certificate.privateKeyPem);
    const stages = new SignInStages({ settings: loaded.settings, credentials, state, background, requestKeySecret: keyRing.requestKeySecret });
    const handler = new PasswordSubmitHandler({
      externalId: loaded.settings.externalId!,
      stages,
      authenticator: { authenticate: async () => ({}) as CallerIdentity },
      keyRing,
    });
    return { handler, memory, background, checks, thresholds };
  }

  async function call(s: Stubbed, sink: CapturingSink, password = 'Wrong-Guess-1') {
    const { request } = await passwordSubmitRequest(h, 'trent@contoso.com', password);
    const response = await s.handler.handle(request, new Telemetry(sink));
    return { action: actionOf(response), title: titleOf(response) };
  }

  it('with the reservation failing: verifies and still records the failure by default; refuses with StateStoreFailClosed', async () => {
    const open = stubbed({}, { attempts: { reserve: (_u, _n, threshold) => (threshold === Infinity ? Promise.resolve({ granted: false, failures: 0 }) : down()) } });
    const sink = new CapturingSink();
    expect(await call(open, sink)).toEqual({ action: 'Retry', title: undefined });
    expect(open.checks).toHaveLength(1);
    expect(open.thresholds).toEqual([5, Infinity]); // the failure is recorded once the store answers
    expect(sink.events('jit.stateStoreUnavailable')).toEqual([expect.objectContaining({ stage: 'attempt-reserve' })]);

    const closed = stubbed({ StateStoreFailClosed: 'true' }, { attempts: { reserve: down } });
    const closedSink = new CapturingSink();
    expect(await call(closed, closedSink)).toEqual({ action: 'Block', title: 'Sign-in unavailable' });
    expect(closed.checks).toEqual([]);
    expect(closedSink.events('jit.stateStoreUnavailable')).toEqual([expect.objectContaining({ stage: 'attempt-reserve', failedClosed: true })]);
    expect(closedSink.events('jit.passwordSubmit')).toEqual([expect.objectContaining({ reason: 'state-store-unavailable', failedClosed: true, replayed: false })]);
  });

  it('with the nonce claim failing: goes on by default; refuses with StateStoreFailClosed, before any reservation', async () => {
    const open = stubbed({}, { nonces: { claim: down } });
    expect((await call(open, new CapturingSink())).action).toBe('Retry');
    expect(open.checks).toHaveLength(1);

    const closed = stubbed({ StateStoreFailClosed: 'true', LegacyErrorAction: 'Retry' }, { nonces: { claim: down } });
    const sink = new CapturingSink();
    expect(await call(closed, sink)).toEqual({ action: 'Retry', title: undefined });
    expect(closed.checks).toEqual([]);
    expect(closed.thresholds).toEqual([]);
    expect(sink.events('jit.stateStoreUnavailable')).toEqual([expect.objectContaining({ stage: 'nonce-claim', failedClosed: true })]);
  });

  it('gives back a slot granted after the deadline passed: no password was verified', async () => {
    let memory: MemoryStateStore | undefined;
    const late: FailedAttemptCounter['reserve'] = async (username, now, threshold) => {
      await sleep(500); // beyond CalloutBudgetMs=300
      return memory!.attempts.reserve(username, now, threshold);
    };
    const s = stubbed({}, { attempts: { reserve: late } }, true);
    memory = s.memory;
    const sink = new CapturingSink();
    expect(await call(s, sink, STRONG)).toEqual({ action: 'Block', title: 'Sign-in unavailable' });
    expect(sink.events('jit.passwordSubmit')).toEqual([expect.objectContaining({ reason: 'deadline' })]);
    expect(s.checks).toEqual([]);
    await sleep(300);
    await s.background.drain();
    expect(await s.memory.attempts.reserve('trent@contoso.com', new Date(), 0)).toEqual({ granted: false, failures: 0 });
  });
});
