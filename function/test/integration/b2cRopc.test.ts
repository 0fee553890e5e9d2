/**
 * The B2C tenant as the legacy store (LegacyStore=b2c), end to end through the real endpoint: Entra's callout
 * in, ROPC to the stand-in out. The mapping table's actions, the deadline, lockout before B2C's smart lockout,
 * the circuit breaker across two instances sharing Azurite, misconfiguration in the health check and its event,
 * and no password in any log line.
 */
import { TableClient } from '@azure/data-tables';
import { HttpRequest } from '@azure/functions';
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import { DEFAULTS } from '../../src/config/settings';
import { ensureTable } from '../../src/legacy/tableRepository';
import { TableStateStore } from '../../src/state/tableStateStore';
import { b2cloginError, RopcStandIn } from '../../../test/emulators/b2c/ropc';
import { startAzurite, type AzuriteTables } from '../support/azurite';
import { CapturingSink, signIn, startHarness, type Harness } from '../support/harness';
import { STRONG, WEAK } from '../support/users';

const B2C_TENANT = 'contoso.onmicrosoft.com';
const ROPC_APP = '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
/** With characters a form encoding could mangle: B2C must get it exactly as typed. */
const TYPED = ' Correct-Horse-9 & =+ ';

let h: Harness;
let standIn: RopcStandIn;
let azurite: AzuriteTables;
const sink = new CapturingSink();
const endpoints: PasswordSubmitEndpoint[] = [];

beforeAll(async () => {
  [h, standIn, azurite] = await Promise.all([startHarness(), RopcStandIn.start({ tenant: B2C_TENANT, clientId: ROPC_APP }), startAzurite()]);
  standIn.addUser('ada@contoso.com', { password: STRONG });
  standIn.addUser('weak@contoso.com', { password: WEAK });
  standIn.addUser('typed@contoso.com', { password: TYPED });
  standIn.addUser('locked@contoso.com', { password: STRONG, state: 'locked' });
  standIn.addUser('victim@contoso.com', { password: STRONG });
});

afterAll(async () => {
  await Promise.all(endpoints.map((e) => e.close()));
  await Promise.all([h?.stop(), standIn?.stop(), azurite?.stop()]);
});

beforeEach(() => standIn.setFault(undefined));

function endpointWith(extra: Record<string, string> = {}): PasswordSubmitEndpoint {
  const endpoint = new PasswordSubmitEndpoint(
    {
      ...h.baseEnv,
      LegacyStore: 'b2c',
      LegacyB2cTenant: B2C_TENANT,
      LegacyB2cClientId: ROPC_APP,
      LegacyB2cTokenUrl: standIn.b2cloginUrl,
      StateStore: 'memory',
      CalloutBudgetMs: '400',
      ...extra,
    },
    { healthProbeCacheMs: 0 },
  );
  endpoints.push(endpoint);
  return endpoint;
}

const actionOf = (response: { jsonBody?: unknown }): Record<string, string> => (response.jsonBody as { data: { actions: Record<string, string>[] } }).data.actions[0]!;

describe('LegacyStore=b2c end to end', () => {
  it('migrates a right password, retries a wrong one and an unknown user alike, and sends the password as typed', async () => {
    const endpoint = endpointWith();
    expect((await signIn(endpoint, sink, h, 'Ada@Contoso.com', STRONG)).action).toBe('MigratePassword');
    expect(standIn.requests.at(-1)!.fields).toMatchObject({ username: 'ada@contoso.com', password: STRONG });
    expect((await signIn(endpoint, sink, h, 'weak@contoso.com', WEAK)).action).toBe('UpdatePassword');
    expect((await signIn(endpoint, sink, h, 'ada@contoso.com', 'Wrong-Pass-1')).action).toBe('Retry');
    expect((await signIn(endpoint, sink, h, 'ghost@contoso.com', STRONG)).action).toBe('Retry');
    expect((await signIn(endpoint, sink, h, 'typed@contoso.com', TYPED)).action).toBe('MigratePassword');
    expect(standIn.requests.at(-1)!.fields.password).toBe(TYPED);
    const events = sink.events('jit.passwordSubmit').slice(-5);
    expect(events.map((e) => [e.legacyStore, e.scheme])).toEqual(Array(5).fill(['b2c', 'b2c-ropc']));
  });

  it('marks the migrated user in the shared state store', async () => {
    const tableName = 'JitStateRopc';
    await ensureTable(TableClient.fromConnectionString(azurite.connectionString, tableName, { allowInsecureConnection: true }));
    const endpoint = endpointWith({ StateStore: 'table', StateTableConnectionString: azurite.connectionString, StateTableName: tableName });
    expect((await signIn(endpoint, sink, h, 'ada@contoso.com', STRONG)).action).toBe('MigratePassword');
    const runtime = await endpoint.getRuntime();
    if (!runtime.ready) throw new Error('not ready');
    await runtime.background.drain();
    const store = TableStateStore.fromSettings({ connectionString: azurite.connectionString, tableName, lockoutWindowMs: 60_000 });
    expect(await store.migrations.isMigrated('ada@contoso.com')).toBe(true);
  });

  it('blocks a B2C-locked account with the locked message, not the disabled one', async () => {
    const { response } = await signIn(endpointWith(), sink, h, 'locked@contoso.com', STRONG);
    expect(actionOf(response)).toMatchObject({ title: DEFAULTS.LockedAccountTitle, message: DEFAULTS.LockedAccountMessage });
  });

  it('blocks a disabled account and an expired password, each with its own message (entra bodies)', async () => {
    const endpoint = endpointWith();
    standIn.setFault({ kind: 'answer', status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS50057: The user account is disabled.', error_codes: [50057] } });
    expect(actionOf((await signIn(endpoint, sink, h, 'ada@contoso.com', STRONG)).response)).toMatchObject({ title: DEFAULTS.BlockedAccountTitle, message: DEFAULTS.BlockedAccountMessage });
    standIn.setFault({ kind: 'answer', status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS50055: The password is expired.', error_codes: [50055] } });
    const expired = (await signIn(endpoint, sink, h, 'ada@contoso.com', STRONG)).response;
    expect(actionOf(expired)).toMatchObject({ title: DEFAULTS.PasswordResetRequiredTitle, message: DEFAULTS.PasswordResetRequiredMessage });
    expect(sink.events('jit.passwordSubmit').at(-1)).toMatchObject({ action: 'Block', reason: 'password-reset-required' });
  });

  it('answers LegacyErrorAction when B2C throttles or fails', async () => {
    const endpoint = endpointWith({ LegacyErrorAction: 'Retry' });
    standIn.setFault({ kind: 'throttle' });
    expect((await signIn(endpoint, sink, h, 'ada@contoso.com', STRONG)).action).toBe('Retry');
    standIn.setFault({ kind: 'answer', status: 500, body: { error: 'server_error' } });
    expect((await signIn(endpoint, sink, h, 'ada@contoso.com', STRONG)).action).toBe('Retry');
    expect(sink.events('jit.passwordSubmit').slice(-2).map((e) => e.reason)).toEqual(['legacy-error', 'legacy-error']);
  });

  it('answers a hung B2C within the callout budget: the call is aborted at the deadline', async () => {
    const endpoint = endpointWith();
    standIn.setFault({ kind: 'hang' });
    const started = Date.now();
    const { response } = await signIn(endpoint, sink, h, 'ada@contoso.com', STRONG);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(actionOf(response)).toMatchObject({ title: DEFAULTS.LegacyErrorTitle });
    expect(sink.events('jit.passwordSubmit').at(-1)).toMatchObject({ action: 'Block', reason: 'deadline' });
  });

  it('locks a user out after LockoutThreshold wrong passwords, before B2C\'s smart lockout could', async () => {
    const endpoint = endpointWith(); // LockoutThreshold default 5 < B2C's 10
    const before = standIn.requests.filter((r) => r.fields.username === 'victim@contoso.com').length;
    for (let i = 0; i < 5; i++) expect((await signIn(endpoint, sink, h, 'victim@contoso.com', `Wrong-${i}-Pass`)).action).toBe('Retry');
    for (let i = 0; i < 10; i++) expect((await signIn(endpoint, sink, h, 'victim@contoso.com', `Wrong-${i + 5}-Pass`)).action).toBe('Block');
    // B2C saw 5 failures, half its threshold: the account is not locked in B2C.
    expect(standIn.requests.filter((r) => r.fields.username === 'victim@contoso.com').length - before).toBe(5);
    expect((await signIn(endpointWith(), sink, h, 'victim@contoso.com', STRONG)).action).toBe('MigratePassword');
  });

  it('refuses to start with a lockout threshold at or above B2C\'s', async () => {
    const runtime = await endpointWith({ LockoutThreshold: '10' }).getRuntime();
    expect(runtime.ready).toBe(false);
    expect(!runtime.ready && runtime.problems.map((p) => p.setting)).toEqual(['LockoutThreshold']);
  });

  it('reports a misconfiguration: LegacyErrorAction, a jit.legacyMisconfigured event, and the health check naming the fix', async () => {
    const endpoint = endpointWith();
    const health = async () => endpoint.handle(new HttpRequest({ method: 'GET', url: 'http://localhost/api/onPasswordSubmit' }), sink);
    expect((await health()).status).toBe(200);
    standIn.setFault({ kind: 'answer', ...b2cloginError('AADB2C90057', 'unauthorized_client') });
    expect((await signIn(endpoint, sink, h, 'ada@contoso.com', STRONG)).action).toBe('Block');
    expect(sink.events('jit.legacyMisconfigured').at(-1)).toMatchObject({
      legacyStore: 'b2c',
      errorName: 'LegacyMisconfiguredError',
      detail: expect.stringMatching(/^B2C ROPC: LegacyB2cClientId .*oauth2AllowImplicitFlow/),
    });
    const unhealthy = await health();
    expect(unhealthy.status).toBe(503);
    expect(unhealthy.jsonBody).toMatchObject({ problems: [{ setting: 'LegacyB2cClientId', problem: expect.stringMatching(/oauth2AllowImplicitFlow/) }] });
    standIn.setFault(undefined);
    await signIn(endpoint, sink, h, 'ada@contoso.com', STRONG);
    expect((await health()).status).toBe(200);
  });

  it('opens the circuit across two instances sharing Azurite, and stops calling B2C for the cool-down', async () => {
    const tableName = 'JitStateCircuit';
    await ensureTable(TableClient.fromConnectionString(azurite.connectionString, tableName, { allowInsecureConnection: true }));
    const shared = { StateStore: 'table', StateTableConnectionString: azurite.connectionString, StateTableName: tableName, LegacyB2cCircuitThreshold: '3', LegacyB2cCircuitCooldownSeconds: '60' };
    const [a, b] = [endpointWith(shared), endpointWith(shared)];
    standIn.setFault({ kind: 'throttle' });
    // Distinct users count, on either instance; the same user twice counts once.
    for (const [instance, user] of [[a, 'u1@contoso.com'], [b, 'u1@contoso.com'], [b, 'u2@contoso.com']] as const) {
      expect((await signIn(instance, sink, h, user, STRONG)).action).toBe('Block');
    }
    standIn.setFault(undefined);
    const before = standIn.requests.length;
    expect((await signIn(a, sink, h, 'locked@contoso.com', STRONG)).action).toBe('Block'); // the third distinct user, locked: opens it
    expect(standIn.requests.length).toBe(before + 1);
    // B trusts its last read of a closed circuit for a second (CircuitBreaker's cache); then it reads A's opening.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const beforeOpen = standIn.requests.length;
    const open = await signIn(b, sink, h, 'ada@contoso.com', STRONG);
    expect(actionOf(open.response)).toMatchObject({ title: DEFAULTS.LegacyErrorTitle });
    expect(standIn.requests.length).toBe(beforeOpen); // B2C not called
    expect(sink.events('jit.legacyCircuitOpen').at(-1)).toMatchObject({ legacyStore: 'b2c', errorName: 'LegacyCircuitOpenError' });
  });

  it('reports a circuit breaker that cannot reach the state store, and still signs the user in', async () => {
    const tableName = 'JitStateCircuitGone';
    const table = TableClient.fromConnectionString(azurite.connectionString, tableName, { allowInsecureConnection: true });
    await ensureTable(table);
    const endpoint = endpointWith({ StateStore: 'table', StateTableConnectionString: azurite.connectionString, StateTableName: tableName });
    expect((await signIn(endpoint, sink, h, 'ada@contoso.com', STRONG)).action).toBe('MigratePassword');
    await table.deleteTable();
    // Past CircuitBreaker's one-second cache of the closed circuit, so the next sign-in reads the store.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = sink.events('jit.stateStoreUnavailable').length;
    expect((await signIn(endpoint, sink, h, 'typed@contoso.com', TYPED)).action).toBe('MigratePassword');
    const stages = sink.events('jit.stateStoreUnavailable').slice(before).map((e) => e.stage);
    expect(stages).toContain('circuit-read');
  });

  it('never writes a password to any log line', () => {
    expect(sink.lines.length).toBeGreaterThan(20);
    for (const line of sink.lines) {
      for (const secret of [STRONG, WEAK, TYPED.trim(), 'Wrong-Pass-1', 'Wrong-3-Pass']) expect(line).not.toContain(secret);
    }
  });
});
