/**
 * The B2C tenant as a legacy store: every row of the mapping table with the error bodies B2C and Entra document (README mapping table),
 * the request forms, the deadline, the one allowed retry, the circuit breaker and the health probe, against the
 * ROPC stand-in on loopback.
 */
import { b2cloginError, entraError, RopcStandIn } from '../../../test/emulators/b2c/ropc';
import { MemoryStateStore } from '../state/memoryStateStore';
import { classifyRopcAnswer, ROPC_ANSWER_TABLE, type RopcOutcome } from './b2cRopcAnswers';
import { B2cRopcService, b2cTokenUrl, type B2cRopcServiceOptions } from './b2cRopcService';
import { CircuitBreaker } from './circuitBreaker';
import { LegacyCircuitOpenError, LegacyMisconfiguredError, LegacySystemError } from './port';

const TENANT = 'contoso.onmicrosoft.com';
const CLIENT_ID = '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const SECRET = 'ropc-app-secret-value';
const PASSWORD = '  Pässword & = +1 ';

const kindOf = (status: number, body: unknown): RopcOutcome => classifyRopcAnswer(status, JSON.stringify(body));

describe('the mapping table (b2cRopcAnswers.ts, README "From Azure AD B2C to External ID")', () => {
  it.each([
    ['AADB2C90225 wrong password / unknown user (b2clogin, HTTP 400 access_denied)', b2cloginError('AADB2C90225'), { kind: 'invalid' }],
    ['AADB2C90053 unknown user (b2clogin)', b2cloginError('AADB2C90053'), { kind: 'invalid' }],
    ['50126 wrong password (entra, invalid_grant)', entraError(50126), { kind: 'invalid' }],
    ['50034 unknown user (entra, invalid_grant)', entraError(50034), { kind: 'invalid' }],
    ['50053 locked (entra)', entraError(50053), { kind: 'refused', refusal: 'locked' }],
    ['AADB2C90111 locked (b2clogin)', b2cloginError('AADB2C90111'), { kind: 'refused', refusal: 'locked' }],
    ['AADB2C90114 locked for now (b2clogin)', b2cloginError('AADB2C90114'), { kind: 'refused', refusal: 'locked' }],
    ['50057 disabled (entra)', entraError(50057), { kind: 'refused', refusal: 'disabled' }],
    ['50055 password expired (entra)', entraError(50055), { kind: 'refused', refusal: 'password-reset-required' }],
    ['50125 password reset required (entra)', entraError(50125), { kind: 'refused', refusal: 'password-reset-required' }],
    ['50076 MFA required (entra, interaction_required)', entraError(50076, 'interaction_required'), { kind: 'refused', refusal: 'password-reset-required' }],
    ['50079 MFA registration (entra)', entraError(50079, 'interaction_required'), { kind: 'refused', refusal: 'password-reset-required' }],
    ['53003 Conditional Access (entra)', entraError(53003, 'access_denied'), { kind: 'refused', refusal: 'password-reset-required' }],
    ['AADB2C90244 throttled (b2clogin, 429)', b2cloginError('AADB2C90244', 'access_denied', 429), { kind: 'throttled' }],
    ['AADB2C90244 throttled (b2clogin, 400)', b2cloginError('AADB2C90244'), { kind: 'throttled' }],
    ['50196 throttled (entra)', entraError(50196, 'invalid_request'), { kind: 'throttled' }],
    ['AADB2C90035 unavailable (b2clogin)', b2cloginError('AADB2C90035', 'server_error', 503), { kind: 'unavailable' }],
    ['AADB2C90085 internal error (b2clogin)', b2cloginError('AADB2C90085', 'server_error', 500), { kind: 'unavailable' }],
  ] as const)('%s', (_name, answer, expected) => {
    expect(kindOf(answer.status, answer.body)).toEqual(expected);
  });

  it.each([
    ['AADB2C90057', 'LegacyB2cClientId'],
    ['AADB2C90058', 'LegacyB2cClientId'],
    ['AADB2C90224', 'LegacyB2cPolicy'],
    ['AADB2C90248', 'LegacyB2cClientId'],
    ['AADB2C90083', 'LegacyB2cPolicy'],
    ['AADB2C90086', 'LegacyB2cPolicy'],
  ])('%s is a misconfiguration of %s (b2clogin)', (code, setting) => {
    const { status, body } = b2cloginError(code, 'invalid_request');
    expect(kindOf(status, body)).toMatchObject({ kind: 'misconfigured', setting });
  });

  it.each([
    [700025, 'LegacyB2cClientSecret'],
    [7000218, 'LegacyB2cClientSecret'],
    [70002, 'LegacyB2cClientSecret'],
    [7000215, 'LegacyB2cClientSecret'],
    [700011, 'LegacyB2cClientId'],
    [700016, 'LegacyB2cClientId'],
    [65001, 'LegacyB2cClientId'],
    [90002, 'LegacyB2cTenant'],
  ])('AADSTS%s is a misconfiguration of %s (entra)', (code, setting) => {
    const { status, body } = entraError(code, 'invalid_client', 401);
    expect(kindOf(status, body)).toMatchObject({ kind: 'misconfigured', setting });
  });

  it('tests every code of the table above', () => {
    const tested = new Set([
      ...['AADB2C90225', 'AADB2C90053', '50126', '50034', '50053', 'AADB2C90111', 'AADB2C90114', '50057', '50055', '50125', '50076', '50079', '53003'],
      ...['AADB2C90244', '50196', 'AADB2C90035', 'AADB2C90085', 'AADB2C90057', 'AADB2C90058', 'AADB2C90224', 'AADB2C90248', 'AADB2C90083', 'AADB2C90086'],
      ...['700025', '7000218', '70002', '7000215', '700011', '700016', '65001', '90002'],
    ]);
    expect(new Set(ROPC_ANSWER_TABLE.flatMap((row) => row.codes))).toEqual(tested);
  });

  it('takes success only from a 200 with a token', () => {
    expect(kindOf(200, { access_token: 'a', token_type: 'Bearer', expires_in: '3600', id_token: 'i' })).toEqual({ kind: 'valid' });
    expect(kindOf(200, { id_token: 'i' })).toEqual({ kind: 'valid' });
    expect(kindOf(200, {})).toEqual({ kind: 'unavailable' });
    expect(classifyRopcAnswer(200, 'not json')).toEqual({ kind: 'unavailable' });
    expect(kindOf(201, { access_token: 'a' })).toEqual({ kind: 'unavailable' });
  });

  it('classifies unknown codes by `error`, never by the description text', () => {
    const b2c = (error: string, description: string) => ({ error, error_description: description });
    // Words that would mislead a text match: the code is unknown, so `error` decides.
    expect(kindOf(400, b2c('access_denied', 'AADB2C99999: Your account is locked. Too many requests.'))).toEqual({ kind: 'invalid' });
    expect(kindOf(400, { ...entraError(59999).body, error: 'invalid_grant', error_description: 'AADSTS59999: The account is disabled.' })).toEqual({ kind: 'invalid' });
    expect(kindOf(400, b2c('interaction_required', 'AADB2C99998: whatever'))).toEqual({ kind: 'refused', refusal: 'password-reset-required' });
    expect(kindOf(400, b2c('temporarily_unavailable', 'x'))).toEqual({ kind: 'throttled' });
    expect(kindOf(400, b2c('invalid_client', 'x'))).toMatchObject({ kind: 'misconfigured', setting: 'LegacyB2cClientId' });
    expect(kindOf(400, b2c('unsupported_grant_type', 'x'))).toMatchObject({ kind: 'misconfigured', setting: 'LegacyB2cPolicy' });
    // A code is read only where it opens the description.
    expect(kindOf(400, b2c('mystery', 'The code AADB2C90114 appears later in the text'))).toEqual({ kind: 'unavailable' });
    expect(kindOf(429, { error: 'mystery' })).toEqual({ kind: 'throttled' });
    expect(kindOf(502, { error: 'access_denied' })).toEqual({ kind: 'unavailable' });
    expect(classifyRopcAnswer(503, '<html>down</html>')).toEqual({ kind: 'unavailable' });
    expect(kindOf(404, {})).toMatchObject({ kind: 'misconfigured', setting: 'LegacyB2cTenant' });
    expect(kindOf(400, {})).toEqual({ kind: 'unavailable' });
  });
});

describe('B2cRopcService against the ROPC stand-in', () => {
  let standIn: RopcStandIn;
  let entraStandIn: RopcStandIn;
  const services: B2cRopcService[] = [];

  beforeAll(async () => {
    [standIn, entraStandIn] = await Promise.all([
      RopcStandIn.start({ tenant: TENANT, clientId: CLIENT_ID }),
      RopcStandIn.start({ tenant: TENANT, clientId: CLIENT_ID, clientSecret: SECRET }),
    ]);
    for (const s of [standIn, entraStandIn]) {
      s.addUser('ada@contoso.com', { password: PASSWORD });
      s.addUser('locked@contoso.com', { password: PASSWORD, state: 'locked' });
      s.addUser('disabled@contoso.com', { password: PASSWORD, state: 'disabled' });
      s.addUser('expired@contoso.com', { password: PASSWORD, state: 'expired' });
      s.addUser('mfa@contoso.com', { password: PASSWORD, state: 'mfa' });
    }
  });

  afterAll(async () => {
    for (const service of services) service.close();
    await Promise.all([standIn.stop(), entraStandIn.stop()]);
  });

  beforeEach(() => {
    standIn.setFault(undefined);
    entraStandIn.setFault(undefined);
  });

  const service = (over: Partial<B2cRopcServiceOptions> = {}): B2cRopcService => {
    const created = new B2cRopcService({ tenant: TENANT, clientId: CLIENT_ID, policy: 'B2C_1_ROPC', endpoint: 'b2clogin', tokenUrl: standIn.b2cloginUrl, ...over });
    services.push(created);
    return created;
  };
  const entraService = (over: Partial<B2cRopcServiceOptions> = {}): B2cRopcService =>
    service({ endpoint: 'entra', clientSecret: SECRET, tokenUrl: entraStandIn.entraUrl, ...over });
  const signal = (): AbortSignal => AbortSignal.timeout(1500);

  it('builds Microsoft\'s URLs for both forms', () => {
    expect(b2cTokenUrl({ tenant: TENANT, policy: 'B2C_1_ROPC', endpoint: 'b2clogin' }).href).toBe('https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_ROPC/oauth2/v2.0/token');
    expect(b2cTokenUrl({ tenant: TENANT, policy: 'B2C_1_ROPC', endpoint: 'entra' }).href).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token');
    expect(() => b2cTokenUrl({ tenant: TENANT, policy: 'p', endpoint: 'b2clogin', tokenUrl: 'http://b2c.example.com/token' })).toThrow(/LegacyB2cTokenUrl must use https/);
  });

  it('sends the b2clogin form: the sign-in name, the password exactly as typed, the ROPC scope and response type', async () => {
    const before = standIn.requests.length;
    expect(await service().checkCredentials('ada@contoso.com', PASSWORD, signal())).toEqual({ outcome: 'valid', status: 'active', mustChangePassword: false });
    expect(standIn.requests.slice(before)).toEqual([
      expect.objectContaining({
        form: 'b2clogin',
        fields: { username: 'ada@contoso.com', password: PASSWORD, grant_type: 'password', scope: `openid ${CLIENT_ID} offline_access`, client_id: CLIENT_ID, response_type: 'token id_token' },
      }),
    ]);
  });

  it('sends the kit\'s entra form with nca=1 and the client secret', async () => {
    const before = entraStandIn.requests.length;
    expect(await entraService().checkCredentials('ada@contoso.com', PASSWORD, signal())).toMatchObject({ outcome: 'valid' });
    expect(entraStandIn.requests.slice(before)[0]!.fields).toEqual({
      client_id: CLIENT_ID,
      client_secret: SECRET,
      grant_type: 'password',
      scope: 'openid',
      username: 'ada@contoso.com',
      password: PASSWORD,
      nca: '1',
    });
  });

  it.each([
    ['b2clogin', 'wrong password', 'ada@contoso.com', 'nope', { outcome: 'invalid' }],
    ['b2clogin', 'unknown user', 'ghost@contoso.com', PASSWORD, { outcome: 'invalid' }],
    ['b2clogin', 'locked account', 'locked@contoso.com', PASSWORD, { outcome: 'unknown', refusal: 'locked' }],
    ['entra', 'wrong password', 'ada@contoso.com', 'nope', { outcome: 'invalid' }],
    ['entra', 'unknown user', 'ghost@contoso.com', PASSWORD, { outcome: 'invalid' }],
    ['entra', 'locked account', 'locked@contoso.com', PASSWORD, { outcome: 'unknown', refusal: 'locked' }],
    ['entra', 'disabled account', 'disabled@contoso.com', PASSWORD, { outcome: 'unknown', refusal: 'disabled' }],
    ['entra', 'expired password', 'expired@contoso.com', PASSWORD, { outcome: 'unknown', refusal: 'password-reset-required' }],
    ['entra', 'MFA required', 'mfa@contoso.com', PASSWORD, { outcome: 'unknown', refusal: 'password-reset-required' }],
  ] as const)('%s: %s', async (form, _name, username, password, expected) => {
    const s = form === 'entra' ? entraService() : service();
    expect(await s.checkCredentials(username, password, signal())).toMatchObject(expected);
  });

  it('fails a throttled or failing B2C as a legacy error, naming the code but never the password', async () => {
    standIn.setFault({ kind: 'throttle' });
    const throttled = await service().checkCredentials('ada@contoso.com', PASSWORD, signal()).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(LegacySystemError);
    expect((throttled as Error).message).toBe('B2C ROPC: throttled (HTTP 429, AADB2C90244)');
    standIn.setFault({ kind: 'answer', status: 503, body: { error: 'server_error' } });
    await expect(service().checkCredentials('ada@contoso.com', PASSWORD, signal())).rejects.toThrow('B2C ROPC: no usable answer (HTTP 503)');
  });

  it('reports a misconfiguration with the setting and the fix, in the probe too, until B2C answers normally again', async () => {
    const s = service();
    await expect(s.probe()).resolves.toBeUndefined();
    standIn.setFault({ kind: 'answer', ...b2cloginError('AADB2C90057', 'unauthorized_client') });
    const error = await s.checkCredentials('ada@contoso.com', PASSWORD, signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyMisconfiguredError);
    expect(error).toMatchObject({ setting: 'LegacyB2cClientId', fix: expect.stringMatching(/oauth2AllowImplicitFlow/) });
    await expect(s.probe()).rejects.toBeInstanceOf(LegacyMisconfiguredError);
    standIn.setFault(undefined);
    await s.checkCredentials('ada@contoso.com', 'wrong', signal());
    await expect(s.probe()).resolves.toBeUndefined();
  });

  it('reports a wrong secret on the entra form as LegacyB2cClientSecret', async () => {
    await expect(entraService({ clientSecret: 'stale-secret' }).checkCredentials('ada@contoso.com', PASSWORD, signal())).rejects.toMatchObject({
      name: 'LegacyMisconfiguredError',
      setting: 'LegacyB2cClientSecret',
    });
  });

  it('aborts a hung B2C when the deadline signal fires', async () => {
    standIn.setFault({ kind: 'hang' });
    const started = performance.now();
    await expect(service().checkCredentials('ada@contoso.com', PASSWORD, AbortSignal.timeout(200))).rejects.toThrow('B2C ROPC: no answer within the callout deadline');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('never retries a reset on a new connection: B2C may have seen the password', async () => {
    const s = service();
    const before = standIn.requests.length;
    standIn.faultNext({ kind: 'reset' });
    await expect(s.checkCredentials('ada@contoso.com', PASSWORD, signal())).rejects.toThrow(/B2C ROPC: could not be reached \(ECONNRESET\)/);
    // The reset came before the body was read, so the stand-in recorded nothing; no second request came.
    expect(standIn.requests.length).toBe(before);
    await expect(s.checkCredentials('ada@contoso.com', PASSWORD, signal())).resolves.toMatchObject({ outcome: 'valid' });
    expect(standIn.requests.length).toBe(before + 1);
  });

  it('retries once, on a new connection, when a kept-alive connection is reset before any answer', async () => {
    const s = service();
    await s.checkCredentials('ada@contoso.com', PASSWORD, signal()); // warms a kept-alive connection
    const before = standIn.requests.length;
    standIn.faultNext({ kind: 'reset' });
    await expect(s.checkCredentials('ada@contoso.com', PASSWORD, signal())).resolves.toMatchObject({ outcome: 'valid' });
    expect(standIn.requests.slice(before).map((r) => r.reusedConnection)).toEqual([false]);
    // Twice in a row: one retry only.
    await s.checkCredentials('ada@contoso.com', PASSWORD, signal());
    standIn.faultNext({ kind: 'reset' });
    standIn.faultNext({ kind: 'reset' });
    await expect(s.checkCredentials('ada@contoso.com', PASSWORD, signal())).rejects.toThrow(/ECONNRESET/);
  });

  it('reuses one connection for sequential sign-ins', async () => {
    const s = service();
    const before = standIn.requests.length;
    for (let i = 0; i < 3; i++) await s.checkCredentials('ada@contoso.com', PASSWORD, signal());
    expect(standIn.requests.slice(before).map((r) => r.reusedConnection)).toEqual([false, true, true]);
  });

  it('opens the circuit after throttled or locked answers for distinct users, then stops calling B2C', async () => {
    const state = new MemoryStateStore({ lockoutWindowMs: 60_000 });
    const circuit = new CircuitBreaker(state.circuit, { threshold: 3, windowMs: 60_000, cooldownMs: 60_000, cacheMs: 0 });
    const s = service({ circuit });
    standIn.setFault({ kind: 'throttle' });
    for (const user of ['u1@contoso.com', 'u1@contoso.com', 'u2@contoso.com']) {
      await expect(s.checkCredentials(user, PASSWORD, signal())).rejects.toThrow(/throttled/);
    }
    standIn.setFault(undefined);
    // A locked answer trips it too: the third distinct user.
    expect(await s.checkCredentials('locked@contoso.com', PASSWORD, signal())).toMatchObject({ refusal: 'locked' });
    const before = standIn.requests.length;
    await expect(s.checkCredentials('ada@contoso.com', PASSWORD, signal())).rejects.toBeInstanceOf(LegacyCircuitOpenError);
    expect(standIn.requests.length).toBe(before);
    // Another instance sharing the store sees it open as well.
    const other = service({ circuit: new CircuitBreaker(state.circuit, { threshold: 3, windowMs: 60_000, cooldownMs: 60_000 }) });
    await expect(other.checkCredentials('ada@contoso.com', PASSWORD, signal())).rejects.toBeInstanceOf(LegacyCircuitOpenError);
  });

  it('smart lockout in the stand-in: 10 distinct wrong passwords lock the account (what our lockout must stay below)', async () => {
    const s = service();
    standIn.addUser('target@contoso.com', { password: PASSWORD });
    for (let i = 0; i < 10; i++) expect(await s.checkCredentials('target@contoso.com', `wrong-${i}`, signal())).toMatchObject({ outcome: 'invalid' });
    expect(await s.checkCredentials('target@contoso.com', PASSWORD, signal())).toMatchObject({ refusal: 'locked' });
  });
});
