/**
 * B2C mode end to end: requests shaped as B2C's RESTful technical profiles send them, through the real
 * endpoint, over the JSON-lines store (one instance) and over Table Storage shared by two instances.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { TableClient } from '@azure/data-tables';
import { B2C_ROUTES } from '../../../lib/b2c/contract';
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import { DEFAULTS, type Env } from '../../src/config/settings';
import { ensureTable } from '../../src/legacy/tableRepository';
import { startAzurite } from '../support/azurite';
import { basicAuthorization, b2cEnv, B2C_BASIC_PASSWORD, callB2c } from '../support/b2c';
import { CapturingSink, EXTENSION_APP_ID, signIn, startHarness, TENANT_ID, type Harness } from '../support/harness';
import { sampleUsers, STRONG, WEAK, writeUsersFile, type SampleUser } from '../support/users';

const WRONG = 'Wrong-Horse-9';
const ALICE_PROFILE = { email: 'alice.smith@contoso.com', displayName: 'Alice Smith', givenName: 'Alice' };
const LOCKOUT = 3;

let users: SampleUser[];
let usersFile: string;
let endpoint: PasswordSubmitEndpoint;
const sink = new CapturingSink();

/** The sample users, Alice with a partial profile (no surname: the answer must leave it out, not send null). */
async function usersWithProfiles(): Promise<SampleUser[]> {
  return (await sampleUsers()).map((user) => (user.record.username === 'alice@contoso.com' ? { ...user, record: { ...user.record, profile: ALICE_PROFILE } } : user));
}

const signInB2c = (username: string, password: string, headers?: Record<string, string>) => callB2c(endpoint, sink, B2C_ROUTES.signIn, { signInName: username, password }, headers);
const refusedWith = (userMessage: string) => ({ version: '1.0.0', status: 409, userMessage });

beforeAll(async () => {
  users = await usersWithProfiles();
  usersFile = await writeUsersFile(users);
  endpoint = new PasswordSubmitEndpoint(b2cEnv({ LegacyStore: 'file', LegacyUsersFile: usersFile, LockoutThreshold: String(LOCKOUT) }));
});

afterAll(async () => {
  await endpoint.close();
});

describe('B2C sign-in (/api/b2c/signin)', () => {
  it('answers migrated with the profile claims the legacy store knows, and no null or empty claim', async () => {
    const { status, body } = await signInB2c('alice@contoso.com', STRONG);
    expect(status).toBe(200);
    expect(body).toEqual({ migrationOutcome: 'migrated', ...ALICE_PROFILE });
    expect(Object.values(body!).every((value) => typeof value === 'string' && value !== '')).toBe(true);
  });

  it('normalizes the sign-in name as the External ID path does', async () => {
    expect((await signInB2c('  Bob@Contoso.COM ', STRONG)).body).toEqual({ migrationOutcome: 'migrated', email: 'bob@contoso.com' });
  });

  it.each([
    ['a weak legacy password (the policy writes it with DisableStrongPassword)', 'weak@contoso.com', WEAK, 200, { migrationOutcome: 'migrated', email: 'weak@contoso.com' }],
    ['a record already marked migrated (B2C still asks: its flag was not cleared)', 'migrated@contoso.com', STRONG, 200, { migrationOutcome: 'migrated', email: 'migrated@contoso.com' }],
    ['a user in neither place', 'nobody@contoso.com', STRONG, 200, { migrationOutcome: 'notLegacy' }],
    ['a wrong password', 'bob@contoso.com', WRONG, 409, refusedWith(DEFAULTS.B2cWrongPasswordMessage)],
    ['a disabled account, right password', 'disabled@contoso.com', STRONG, 409, refusedWith(DEFAULTS.BlockedAccountMessage)],
    ['a locked account, right password', 'locked@contoso.com', STRONG, 409, refusedWith(DEFAULTS.BlockedAccountMessage)],
    ['a disabled account, wrong password (its state is not revealed)', 'disabled@contoso.com', WRONG, 409, refusedWith(DEFAULTS.B2cWrongPasswordMessage)],
    ['a password the legacy system marked for change', 'mustchange@contoso.com', STRONG, 409, refusedWith(DEFAULTS.B2cPasswordExpiredMessage)],
  ])('%s', async (_case, username, password, status, body) => {
    const answer = await signInB2c(username, password);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(body);
  });

  it('locks a user out after LockoutThreshold wrong passwords, with its own message, and then refuses the right one', async () => {
    const user = 'locked-out-later@contoso.com';
    const file = await writeUsersFile([{ password: STRONG, record: { ...users[0]!.record, username: user, profile: undefined } }]);
    const own = new PasswordSubmitEndpoint(b2cEnv({ LegacyStore: 'file', LegacyUsersFile: file, LockoutThreshold: String(LOCKOUT) }));
    try {
      for (let i = 0; i < LOCKOUT; i++) {
        expect((await callB2c(own, sink, B2C_ROUTES.signIn, { signInName: user, password: `${WRONG}-${i}` })).body).toEqual(refusedWith(DEFAULTS.B2cWrongPasswordMessage));
      }
      expect((await callB2c(own, sink, B2C_ROUTES.signIn, { signInName: user, password: STRONG })).body).toEqual(refusedWith(DEFAULTS.LockoutMessage));
    } finally {
      await own.close();
    }
  });

  it("counts B2C's retry of the same request once: the same wrong password any number of times never locks out", async () => {
    for (let i = 0; i < LOCKOUT + 2; i++) expect((await signInB2c('mallory@contoso.com', WRONG)).status).toBe(409);
    expect((await signInB2c('mallory@contoso.com', STRONG)).body).toEqual({ migrationOutcome: 'migrated', email: 'mallory@contoso.com' });
    const events = sink.events('jit.b2cRequest').filter((e) => e.endpoint === 'signin' && e.replayed === true);
    expect(events.length).toBeGreaterThanOrEqual(LOCKOUT + 1);
  });

  it('uses the configured messages', async () => {
    const own = new PasswordSubmitEndpoint(b2cEnv({ LegacyStore: 'file', LegacyUsersFile: usersFile, B2cWrongPasswordMessage: 'Nope.' }));
    try {
      expect((await callB2c(own, sink, B2C_ROUTES.signIn, { signInName: 'bob@contoso.com', password: WRONG })).body).toEqual(refusedWith('Nope.'));
    } finally {
      await own.close();
    }
  });
});

describe('B2C sign-up (/api/b2c/signup)', () => {
  it.each([
    ['a legacy user who has not migrated', 'mustchange@contoso.com', 409, refusedWith(DEFAULTS.B2cEmailTakenMessage)],
    ['the same, typed differently', ' MustChange@Contoso.com', 409, refusedWith(DEFAULTS.B2cEmailTakenMessage)],
    ['a disabled legacy user (the address is still theirs)', 'disabled@contoso.com', 409, refusedWith(DEFAULTS.B2cEmailTakenMessage)],
    ['a legacy user already migrated', 'migrated@contoso.com', 200, {}],
    ['an address nobody has', 'new-user@contoso.com', 200, {}],
  ])('%s', async (_case, email, status, body) => {
    const answer = await callB2c(endpoint, sink, B2C_ROUTES.signUp, { email });
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(body);
  });
});

describe('B2C password reset (/api/b2c/password-reset)', () => {
  it('hands a legacy-only user over with the profile, and marks the legacy record migrated', async () => {
    const file = await writeUsersFile(users);
    const own = new PasswordSubmitEndpoint(b2cEnv({ LegacyStore: 'file', LegacyUsersFile: file }));
    try {
      const answer = await callB2c(own, sink, B2C_ROUTES.passwordReset, { email: 'alice@contoso.com' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ migrationOutcome: 'migrated', ...ALICE_PROFILE });
      const runtime = await own.getRuntime();
      if (runtime.ready) await runtime.background.drain();
      const alice = (await fs.readFile(file, 'utf8')).split('\n').find((line) => line.includes('"alice@contoso.com"'))!;
      expect(JSON.parse(alice)).toMatchObject({ migrated: true });
      // Marked, the address is no longer refused at sign-up.
      expect((await callB2c(own, sink, B2C_ROUTES.signUp, { email: 'alice@contoso.com' })).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it.each([
    ['a pre-provisioned legacy user (B2C sent the objectId)', { email: 'bob@contoso.com', objectId: '0e4b8c1a-6f2d-4e3b-9a7c-5d1e2f3a4b5c' }, 200, { migrationOutcome: 'migrated', email: 'bob@contoso.com' }],
    ['a plain B2C user (objectId, not in the legacy store)', { email: 'native@contoso.com', objectId: '0e4b8c1a-6f2d-4e3b-9a7c-5d1e2f3a4b5c' }, 200, { migrationOutcome: 'notLegacy' }],
    ['an empty objectId, as absent', { email: 'native@contoso.com', objectId: '' }, 409, refusedWith(DEFAULTS.B2cAccountNotFoundMessage)],
    ['an address neither B2C nor the legacy store knows', { email: 'nobody@contoso.com' }, 409, refusedWith(DEFAULTS.B2cAccountNotFoundMessage)],
    ['a disabled legacy account', { email: 'disabled@contoso.com' }, 409, refusedWith(DEFAULTS.BlockedAccountMessage)],
  ])('%s', async (_case, body, status, expected) => {
    const answer = await callB2c(endpoint, sink, B2C_ROUTES.passwordReset, body);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(expected);
  });
});

describe('B2C requests refused before any look-up', () => {
  /** A user whose failures the test reads: none of these requests may count one. */
  const victim = 'bob@contoso.com';

  it.each([
    ['no Authorization header', {}],
    ['a wrong password', { authorization: basicAuthorization('b2c-policy', randomBytes(32).toString('base64url')) }],
    ['a wrong user name', { authorization: basicAuthorization('someone-else', B2C_BASIC_PASSWORD) }],
    ['a Bearer token instead of Basic', { authorization: 'Bearer abc.def.ghi' }],
  ])('401 for %s, with a Basic challenge and nothing counted', async (_case, headers) => {
    for (let i = 0; i < LOCKOUT + 1; i++) {
      const answer = await signInB2c(victim, `${WRONG}-${i}`, headers);
      expect(answer.status).toBe(401);
      expect(answer.response.headers).toMatchObject({ 'www-authenticate': 'Basic realm="jit-migration"' });
    }
    expect((await signInB2c(victim, STRONG)).status).toBe(200);
  });

  it.each([
    ['bad JSON', '{"signInName": "bob@contoso.com", ', 400],
    ['a JSON array', '[]', 400],
    ['no password', JSON.stringify({ signInName: victim }), 400],
    ['a password that is not a string', JSON.stringify({ signInName: victim, password: 12345 }), 400],
    ['an empty sign-in name', JSON.stringify({ signInName: '  ', password: WRONG }), 400],
    ['an oversized body', JSON.stringify({ signInName: victim, password: 'x'.repeat(70_000) }), 413],
  ])('%s → %i, no look-up and nothing counted', async (_case, body, status) => {
    const before = sink.events('jit.legacyError').length;
    for (let i = 0; i < LOCKOUT + 1; i++) expect((await callB2c(endpoint, sink, B2C_ROUTES.signIn, body)).status).toBe(status);
    expect(sink.events('jit.legacyError').length).toBe(before);
    expect((await signInB2c(victim, STRONG)).status).toBe(200);
  });

  it('415 for a body that is not JSON', async () => {
    const answer = await callB2c(endpoint, sink, B2C_ROUTES.signIn, 'signInName=bob', { authorization: basicAuthorization(), 'content-type': 'application/x-www-form-urlencoded' });
    expect(answer.status).toBe(415);
  });

  it('an objectId that is not a GUID is refused', async () => {
    expect((await callB2c(endpoint, sink, B2C_ROUTES.passwordReset, { email: victim, objectId: "x' or 1 eq 1" })).status).toBe(400);
  });
});

describe('which endpoints a deployment serves (IdentityPlatform)', () => {
  it('a B2C-only deployment is healthy without any External ID setting, and does not serve the External ID callout', async () => {
    const health = await callB2c(endpoint, sink, B2C_ROUTES.health, '');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ready', identityPlatform: 'b2c', b2cApiAuth: 'basic', decryptionKeys: 0 });
    const h = await startHarness();
    try {
      const { response } = await signIn(endpoint, sink, h, 'bob@contoso.com', STRONG);
      expect(response.status).toBe(404);
      expect(JSON.stringify(response.jsonBody)).toContain('IdentityPlatform');
    } finally {
      await h.stop();
    }
  });

  it('an External ID deployment answers the B2C routes 404 and its B2C health check names IdentityPlatform', async () => {
    const h = await startHarness();
    const externalOnly = new PasswordSubmitEndpoint({ ...h.baseEnv, LegacyStore: 'file', LegacyUsersFile: usersFile });
    try {
      expect((await callB2c(externalOnly, sink, B2C_ROUTES.signIn, { signInName: 'bob@contoso.com', password: STRONG })).status).toBe(404);
      const health = await callB2c(externalOnly, sink, B2C_ROUTES.health, '');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ problems: [expect.objectContaining({ setting: 'IdentityPlatform' })] });
    } finally {
      await externalOnly.close();
      await h.stop();
    }
  });

  it('IdentityPlatform=both serves both from one runtime, the B2C retry key derived from the decryption key', async () => {
    const h = await startHarness();
    const both = new PasswordSubmitEndpoint({ ...h.baseEnv, ...b2cEnv({ IdentityPlatform: 'both', RequestKeySecret: '' }), LegacyStore: 'file', LegacyUsersFile: usersFile });
    try {
      expect((await signIn(both, sink, h, 'bob@contoso.com', STRONG)).response.status).toBe(200);
      expect((await callB2c(both, sink, B2C_ROUTES.signIn, { signInName: 'bob@contoso.com', password: STRONG })).status).toBe(200);
    } finally {
      await both.close();
      await h.stop();
    }
  });

  it('without B2cApiAuth the endpoints expect Basic, as the generated policies do by default', async () => {
    const own = new PasswordSubmitEndpoint(b2cEnv({ LegacyStore: 'file', LegacyUsersFile: usersFile, B2cApiAuth: '' }));
    try {
      expect((await callB2c(own, sink, B2C_ROUTES.health, '')).body).toMatchObject({ status: 'ready', b2cApiAuth: 'basic' });
    } finally {
      await own.close();
    }
  });

  it.each([
    ['a missing Basic password', { B2cBasicPassword: '' }, 'B2cBasicPassword'],
    ['a Basic password under 32 bytes', { B2cBasicPassword: 'short-secret' }, 'B2cBasicPassword'],
    ['no retry key and no decryption key', { RequestKeySecret: '' }, 'RequestKeySecret'],
    ['an unknown auth type', { B2cApiAuth: 'none' }, 'B2cApiAuth'],
    ['a Basic user name with a colon (RFC 7617)', { B2cBasicUsername: 'b2c:policy' }, 'B2cBasicUsername'],
    ['an API key header the platform sets', { B2cApiAuth: 'apiKey', B2cApiKeyHeader: 'X-ARR-ClientCert', B2cApiKey: randomBytes(32).toString('base64url') }, 'B2cApiKeyHeader'],
    ['bearer without its tenant, API app and callers', { B2cApiAuth: 'bearer' }, 'B2cTenantId'],
    ['a web-service store without its look-up endpoint', { LegacyStore: 'http', LegacyServiceUrl: 'https://legacy.example.com/verify', StateStore: 'memory' }, 'LegacyServiceLookupUrl'],
  ])('a misconfiguration is reported at start-up and by the health check, naming the setting: %s', async (_case, extra: Env, setting) => {
    const broken = new PasswordSubmitEndpoint(b2cEnv({ LegacyStore: 'file', LegacyUsersFile: usersFile, ...extra }));
    try {
      const health = await callB2c(broken, sink, B2C_ROUTES.health, '');
      expect(health.status).toBe(503);
      expect((health.body as { problems: { setting: string }[] }).problems.map((p) => p.setting)).toContain(setting);
      expect((await callB2c(broken, sink, B2C_ROUTES.signIn, { signInName: 'bob@contoso.com', password: STRONG })).status).toBe(503);
    } finally {
      await broken.close();
    }
  });
});

describe('B2C caller authentication through the endpoint', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('bearer: a client-credentials token for the API app from the allowed caller is accepted; another audience or caller is not', async () => {
    const caller = 'b0b00000-5678-4def-8abc-ba9876543210';
    const bearer = new PasswordSubmitEndpoint(
      b2cEnv({
        LegacyStore: 'file',
        LegacyUsersFile: usersFile,
        B2cApiAuth: 'bearer',
        B2cTenantId: TENANT_ID,
        B2cApiAppId: EXTENSION_APP_ID,
        B2cCallerAppIds: caller,
        B2cOpenIdMetadataUrl: h.entra.metadataUrl,
      }),
    );
    try {
      const health = await callB2c(bearer, sink, B2C_ROUTES.health, '');
      expect(health.body).toMatchObject({ status: 'ready', b2cApiAuth: 'bearer' });
      const call = async (claims: Record<string, unknown>) =>
        (await callB2c(bearer, sink, B2C_ROUTES.signIn, { signInName: 'bob@contoso.com', password: STRONG }, { authorization: `Bearer ${await h.entra.mintAccessToken({ claims })}` })).status;
      expect(await call({ azp: caller })).toBe(200);
      expect(await call({ azp: caller, aud: '11111111-2222-4333-8444-555555555555' })).toBe(401);
      expect(await call({ azp: '99045fe1-7639-4a75-9d4a-577b6ca3810f' })).toBe(401);
      expect(await call({ azp: caller, exp: Math.floor(Date.now() / 1000) - 3600 })).toBe(401);
    } finally {
      await bearer.close();
    }
  });

  it('apiKey: the configured header with the key is accepted, a wrong key or another header is not', async () => {
    const key = randomBytes(32).toString('base64url');
    const apiKey = new PasswordSubmitEndpoint(b2cEnv({ LegacyStore: 'file', LegacyUsersFile: usersFile, B2cApiAuth: 'apiKey', B2cApiKeyHeader: 'X-Jit-Key', B2cApiKey: key }));
    try {
      const call = async (headers: Record<string, string>) => (await callB2c(apiKey, sink, B2C_ROUTES.signUp, { email: 'new@contoso.com' }, headers)).status;
      expect(await call({ 'x-jit-key': key })).toBe(200);
      expect(await call({ 'x-jit-key': randomBytes(32).toString('base64url') })).toBe(401);
      expect(await call({ 'x-api-key': key })).toBe(401);
    } finally {
      await apiKey.close();
    }
  });
});

describe('B2C lockout and retries across two instances sharing Table Storage', () => {
  let azurite: Awaited<ReturnType<typeof startAzurite>>;
  let instanceA: PasswordSubmitEndpoint;
  let instanceB: PasswordSubmitEndpoint;

  beforeAll(async () => {
    azurite = await startAzurite();
    await ensureTable(TableClient.fromConnectionString(azurite.connectionString, 'JitState', { allowInsecureConnection: true }));
    const env = b2cEnv({
      LegacyStore: 'file',
      LegacyUsersFile: usersFile,
      StateStore: 'table',
      StateTableConnectionString: azurite.connectionString,
      LockoutThreshold: String(LOCKOUT),
    });
    instanceA = new PasswordSubmitEndpoint(env);
    instanceB = new PasswordSubmitEndpoint(env);
  });
  afterAll(async () => {
    await Promise.all([instanceA?.close(), instanceB?.close()]);
    await azurite?.stop();
  });

  it('wrong passwords spread over both instances lock the user out on both', async () => {
    const call = (instance: PasswordSubmitEndpoint, password: string) => callB2c(instance, sink, B2C_ROUTES.signIn, { signInName: 'bob@contoso.com', password });
    for (let i = 0; i < LOCKOUT; i++) expect((await call(i % 2 === 0 ? instanceA : instanceB, `${WRONG}-${i}`)).status).toBe(409);
    expect((await call(instanceA, STRONG)).body).toEqual(refusedWith(DEFAULTS.LockoutMessage));
    expect((await call(instanceB, STRONG)).body).toEqual(refusedWith(DEFAULTS.LockoutMessage));
  });

  it("B2C's retry landing on the other instance gets the first answer and is not counted again", async () => {
    const call = (instance: PasswordSubmitEndpoint, password: string) => callB2c(instance, sink, B2C_ROUTES.signIn, { signInName: 'alice@contoso.com', password });
    for (let i = 0; i < LOCKOUT + 2; i++) expect((await call(i % 2 === 0 ? instanceA : instanceB, WRONG)).status).toBe(409);
    expect((await call(instanceB, STRONG)).body).toEqual({ migrationOutcome: 'migrated', ...ALICE_PROFILE });
    // The replay of a migrated answer carries the profile again (read again, not kept in the state store).
    expect((await call(instanceA, STRONG)).body).toEqual({ migrationOutcome: 'migrated', ...ALICE_PROFILE });
  });
});

describe('B2C logs', () => {
  it('never contain a password, the Basic secret or the Authorization header', () => {
    const secrets = [STRONG, WEAK, WRONG, B2C_BASIC_PASSWORD, basicAuthorization().slice('Basic '.length)];
    expect(sink.lines.length).toBeGreaterThan(20);
    for (const line of sink.lines) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});
