import { appToken, GraphEmulator, tokenAppId } from './index';
import { localUser, rawGraph } from './raw';

const TENANT = '11111111-2222-3333-4444-555555555555';
const APP_A = 'aaaaaaaa-0000-0000-0000-000000000001';
const APP_B = 'bbbbbbbb-0000-0000-0000-000000000002';

describe('Graph emulator: write limits per app and per tenant', () => {
  let emulator: GraphEmulator | undefined;
  afterEach(() => emulator?.stop());

  const started = async (options: Parameters<typeof GraphEmulator.start>[0]) => {
    emulator = await GraphEmulator.start(options);
    return emulator;
  };

  it('reads the calling app from the bearer (appid or azp), else uses its own caller app id', () => {
    expect(tokenAppId(appToken(APP_A))).toBe(APP_A);
    expect(tokenAppId(`x.${Buffer.from(JSON.stringify({ azp: APP_B })).toString('base64url')}.y`)).toBe(APP_B);
    expect(tokenAppId('opaque-token')).toBeUndefined();
    expect(tokenAppId('a.not-json.c')).toBeUndefined();
  });

  it('counts each app against its own limit and every app against the tenant limit', async () => {
    const emulator = await started({ tenantId: TENANT, throttle: { writesPerWindow: 2, windowMs: 60_000, tenantWritesPerWindow: 3, tenantWindowMs: 60_000 } });
    const asA = rawGraph(emulator.url, { token: appToken(APP_A) });
    const asB = rawGraph(emulator.url, { token: appToken(APP_B) });
    expect((await asA('POST', '/users', { body: localUser('a1@example.com') })).status).toBe(201);
    expect((await asA('POST', '/users', { body: localUser('a2@example.com') })).status).toBe(201);
    const appLimited = await asA('POST', '/users', { body: localUser('a3@example.com') });
    expect(appLimited.status).toBe(429);
    expect(appLimited.headers.get('x-ms-throttle-scope')).toBe(`Tenant_Application/Write/${APP_A}/${TENANT}`);
    // App B has its own app window, but only one write is left in the tenant's.
    expect((await asB('POST', '/users', { body: localUser('b1@example.com') })).status).toBe(201);
    const tenantLimited = await asB('POST', '/users', { body: localUser('b2@example.com') });
    expect(tenantLimited.status).toBe(429);
    expect(tenantLimited.headers.get('x-ms-throttle-scope')).toBe(`Tenant/Write/${APP_B}/${TENANT}`);
    expect(Number(tenantLimited.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(Object.fromEntries(emulator.writesByApp)).toEqual({ [APP_A]: 2, [APP_B]: 1 });
    expect(emulator.stats).toMatchObject({ writes: 3, throttled: 2 });
  });

  it('refused writes count against neither window', async () => {
    const emulator = await started({ tenantId: TENANT, throttle: { writesPerWindow: 1, windowMs: 60_000, tenantWritesPerWindow: 2, tenantWindowMs: 60_000 } });
    const asA = rawGraph(emulator.url, { token: appToken(APP_A) });
    const asB = rawGraph(emulator.url, { token: appToken(APP_B) });
    expect((await asA('POST', '/users', { body: localUser('a1@example.com') })).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await asA('POST', '/users', { body: localUser(`x${i}@example.com`) })).status).toBe(429);
    expect((await asB('POST', '/users', { body: localUser('b1@example.com') })).status).toBe(201);
  });

  it('refuses a tenant limit without a window', async () => {
    await expect(GraphEmulator.start({ throttle: { writesPerWindow: 1, windowMs: 1000, tenantWritesPerWindow: 2 } })).rejects.toThrow('tenantWindowMs');
  });
});

describe('Graph emulator: phone and email authentication methods', () => {
  let emulator: GraphEmulator;
  let call: ReturnType<typeof rawGraph>;
  let userId: string;

  beforeEach(async () => {
    emulator = await GraphEmulator.start({ permissions: ['User.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'] });
    call = rawGraph(emulator.url);
    userId = (await call('POST', '/users', { body: localUser('ada@example.com') })).body.id;
  });
  afterEach(() => emulator.stop());

  it('registers a mobile phone in Graph\'s format once, then answers 409 already registered', async () => {
    const created = await call('POST', `/users/${userId}/authentication/phoneMethods`, { body: { phoneNumber: '+1 2065550100', phoneType: 'mobile' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: '3179e48a-750b-4051-897c-87b9720928f7', phoneNumber: '+1 2065550100', phoneType: 'mobile' });
    const again = await call('POST', `/users/${userId}/authentication/phoneMethods`, { body: { phoneNumber: '+1 2065550100', phoneType: 'mobile' } });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('already registered');
    expect((await call('GET', `/users/${userId}/authentication/phoneMethods`)).body.value).toHaveLength(1);
    expect(emulator.authenticationMethods(userId).phones.get('mobile')).toBe('+1 2065550100');
  });

  it.each(['+12065550100', '2065550100', '+1 (206) 555-0100'])('refuses the phone number %s (400: not +{cc} {number})', async (phoneNumber) => {
    const response = await call('POST', `/users/${userId}/authentication/phoneMethods`, { body: { phoneNumber, phoneType: 'mobile' } });
    expect(response.status).toBe(400);
  });

  it('registers one email method per user', async () => {
    expect((await call('POST', `/users/${userId}/authentication/emailMethods`, { body: { emailAddress: 'ada@example.com' } })).status).toBe(201);
    expect((await call('POST', `/users/${userId}/authentication/emailMethods`, { body: { emailAddress: 'ada@example.com' } })).status).toBe(409);
    expect(emulator.authenticationMethods(userId).email).toBe('ada@example.com');
  });

  it('answers 404 for an unknown user and 403 without UserAuthenticationMethod.ReadWrite.All', async () => {
    expect((await call('POST', '/users/00000000-0000-0000-0000-000000000000/authentication/emailMethods', { body: { emailAddress: 'a@example.com' } })).status).toBe(404);
    emulator.setPermissions(['User.ReadWrite.All']);
    expect((await call('POST', `/users/${userId}/authentication/emailMethods`, { body: { emailAddress: 'a@example.com' } })).status).toBe(403);
  });
});
