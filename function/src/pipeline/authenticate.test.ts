import { FakeEntra } from '../../test/support/fakeEntra';
import { generateEncryptionCertificate, type EncryptionCertificate } from '../crypto/certificate';
import { KeyRing } from '../crypto/keyRing';
import { AUTHENTICATION_EVENTS_APP_ID, AuthenticationError, CallerAuthenticator, type CallerAuthenticatorOptions } from './authenticate';

const TENANT = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';
const APP = 'c0ffee00-1234-4abc-9def-0123456789ab';
const APP_URI = `api://jit.contoso.example/${APP}`;

let entra: FakeEntra;
let cert: EncryptionCertificate;
let ring: KeyRing;
let authenticator: CallerAuthenticator;

const create = (options: Partial<CallerAuthenticatorOptions> = {}) =>
  new CallerAuthenticator({ tenantId: TENANT, extensionAppId: APP, extensionAppIdentifierUri: APP_URI, metadataUrls: [entra.metadataUrl], keyRing: ring, ...options });
const bearer = (token: string) => `Bearer ${token}`;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  [entra, cert] = await Promise.all([FakeEntra.start({ tenantId: TENANT, extensionAppId: APP }), generateEncryptionCertificate()]);
  ring = KeyRing.fromPem(`${cert.privateKeyPem}${cert.certificatePem}`);
  authenticator = create();
});
afterAll(() => entra.stop());

describe('CallerAuthenticator.authenticate', () => {
  it('accepts the v2 access token Entra sends to the callout and says who called', async () => {
    await expect(authenticator.authenticate(bearer(await entra.mintAccessToken()))).resolves.toEqual({
      issuer: entra.issuer,
      tenantId: TENANT,
      authorizedParty: AUTHENTICATION_EVENTS_APP_ID,
      audience: APP,
    });
  });

  it('accepts a v1 token (appid instead of azp) whose audience is the identifier URI', async () => {
    const token = await entra.mintAccessToken({ claims: { ver: '1.0', appid: AUTHENTICATION_EVENTS_APP_ID, aud: APP_URI }, omitClaims: ['azp', 'azpacr'] });
    await expect(authenticator.authenticate(bearer(token))).resolves.toMatchObject({ audience: APP_URI });
  });

  it('accepts an aud array that contains the app', async () => {
    const token = await entra.mintAccessToken({ claims: { aud: ['https://graph.microsoft.com', APP] } });
    await expect(authenticator.authenticate(bearer(token))).resolves.toMatchObject({ audience: APP });
  });

  it.each([`https://${TENANT}.ciamlogin.com/${TENANT}/v2.0`, `https://login.microsoftonline.com/${TENANT}/v2.0`])(
    'accepts the Entra issuer %s',
    async (iss) => {
      await expect(authenticator.authenticate(bearer(await entra.mintAccessToken({ claims: { iss } })))).resolves.toMatchObject({ issuer: iss });
    },
  );

  it("accepts the tenant's own subdomain on ciamlogin.com only when it is configured", async () => {
    const iss = `https://contoso.ciamlogin.com/${TENANT}/v2.0`;
    await expect(create({ tenantSubdomain: 'contoso' }).authenticate(bearer(await entra.mintAccessToken({ claims: { iss } })))).resolves.toMatchObject({ issuer: iss });
    await expect(authenticator.authenticate(bearer(await entra.mintAccessToken({ claims: { iss } })))).rejects.toThrow(/issuer/);
  });

  it.each(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])('accepts %s signatures', async (alg) => {
    await expect(authenticator.authenticate(bearer(await entra.mintAccessToken({ header: { alg } })))).resolves.toBeDefined();
  });

  it('accepts a token signed with the second published key', async () => {
    await expect(authenticator.authenticate(bearer(await entra.mintAccessToken({ kid: entra.signingKeyIds[1] })))).resolves.toBeDefined();
  });

  it('accepts lifetimes within the clock skew', async () => {
    const expired = await entra.mintAccessToken({ claims: { exp: now() - 30 } });
    const early = await entra.mintAccessToken({ claims: { nbf: now() + 30 } });
    await expect(authenticator.authenticate(bearer(expired))).resolves.toBeDefined();
    await expect(authenticator.authenticate(bearer(early))).resolves.toBeDefined();
    await expect(create({ clockSkewSeconds: 0 }).authenticate(bearer(expired))).rejects.toThrow(AuthenticationError);
  });

  it('accepts the scheme in any case', async () => {
    await expect(authenticator.authenticate(`bearer ${await entra.mintAccessToken()}`)).resolves.toBeDefined();
  });

  it('accepts an encrypted bearer token (JWE around the JWS)', async () => {
    for (const [alg, enc] of [
      ['RSA-OAEP', 'A256CBC-HS512'],
      ['RSA-OAEP-256', 'A128GCM'],
    ] as const) {
      const jwe = await entra.mintAccessToken({ encryptToCertificatePem: cert.certificatePem, encryptAlg: alg, encryptEnc: enc });
      expect(jwe.split('.')).toHaveLength(5);
      await expect(authenticator.authenticate(bearer(jwe))).resolves.toMatchObject({ audience: APP });
    }
  });
});

describe('metadata and keys', () => {
  it('fetches metadata and the JWKS once, even for concurrent first calls', async () => {
    const fresh = create();
    const before = { ...entra.stats };
    const tokens = await Promise.all(Array.from({ length: 10 }, () => entra.mintAccessToken()));
    await Promise.all(tokens.map((token) => fresh.authenticate(bearer(token))));
    await fresh.authenticate(bearer(await entra.mintAccessToken({ kid: entra.signingKeyIds[1] })));
    expect(entra.stats.metadataRequests - before.metadataRequests).toBe(1);
    expect(entra.stats.jwksRequests - before.jwksRequests).toBe(1);
  });

  it('prefetch warms the caches so the first call makes no request', async () => {
    const fresh = create();
    await fresh.prefetch();
    const before = { ...entra.stats };
    await fresh.authenticate(bearer(await entra.mintAccessToken()));
    expect(entra.stats).toEqual(before);
  });

  it('trusts the keys of every configured metadata document (ciamlogin and login.microsoftonline.com)', async () => {
    const other = await FakeEntra.start({ tenantId: TENANT, extensionAppId: APP });
    try {
      const merged = create({ metadataUrls: [entra.metadataUrl, other.metadataUrl] });
      await expect(merged.authenticate(bearer(await other.mintAccessToken()))).resolves.toMatchObject({ issuer: other.issuer });
      await expect(merged.authenticate(bearer(await entra.mintAccessToken()))).resolves.toMatchObject({ issuer: entra.issuer });
      // One document's issuer with the other's keys is fine: both are trusted for the tenant.
      await expect(merged.authenticate(bearer(await other.mintAccessToken({ claims: { iss: entra.issuer } })))).resolves.toBeDefined();
    } finally {
      await other.stop();
    }
  });

  it('keeps working with one of two metadata documents down', async () => {
    const other = await FakeEntra.start({ tenantId: TENANT, extensionAppId: APP });
    other.available = false;
    try {
      const merged = create({ metadataUrls: [other.metadataUrl, entra.metadataUrl] });
      await expect(merged.authenticate(bearer(await entra.mintAccessToken()))).resolves.toBeDefined();
    } finally {
      await other.stop();
    }
  });

  it('defaults to the tenant ciamlogin.com and login.microsoftonline.com documents (no request at construction)', () => {
    expect(() => new CallerAuthenticator({ tenantId: TENANT, extensionAppId: APP, keyRing: ring })).not.toThrow();
  });
});

describe('verified-token cache', () => {
  /** Counts RSA signature checks: jose verifies through WebCrypto. */
  const countSignatureChecks = () => jest.spyOn(crypto.subtle, 'verify');
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });
  /** Fakes Date only (jose and the cache both read it), so fetches and timers still run. */
  const fakeDate = (at: number) => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    jest.setSystemTime(at);
  };

  it('checks the signature of a token once, then accepts the same bytes without checking it again', async () => {
    const fresh = create();
    const token = await entra.mintAccessToken();
    const checks = countSignatureChecks();
    const first = await fresh.authenticate(bearer(token));
    await expect(fresh.authenticate(bearer(token))).resolves.toEqual(first);
    await expect(fresh.authenticate(`bearer   ${token}`)).resolves.toEqual(first);
    expect(checks).toHaveBeenCalledTimes(1);
    // Another token (even with the same claims shape) is verified on its own.
    await fresh.authenticate(bearer(await entra.mintAccessToken()));
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it('remembers an encrypted bearer by its outer JWE', async () => {
    const fresh = create();
    const jwe = await entra.mintAccessToken({ encryptToCertificatePem: cert.certificatePem });
    const checks = countSignatureChecks();
    await fresh.authenticate(bearer(jwe));
    await expect(fresh.authenticate(bearer(jwe))).resolves.toMatchObject({ audience: APP });
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('never accepts a signature swapped onto a remembered token, nor a token that differs by one byte', async () => {
    const fresh = create();
    const [a, b] = await Promise.all([entra.mintAccessToken(), entra.mintAccessToken()]);
    await fresh.authenticate(bearer(a));
    const [h, p, signature] = a.split('.');
    await expect(fresh.authenticate(bearer(`${h}.${p}.${b.split('.')[2]}`))).rejects.toThrow(/signature is invalid/);
    const flipped = `${h}.${p}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'AB' : 'AA'}`;
    await expect(fresh.authenticate(bearer(flipped))).rejects.toThrow(AuthenticationError);
    await expect(fresh.authenticate(bearer(a))).resolves.toBeDefined();
  });

  it('does not remember failures: a refused token is checked, and refused, every time', async () => {
    const fresh = create();
    const forged = await entra.mintAccessToken({ signWithUnknownKey: true });
    const checks = countSignatureChecks();
    for (let i = 0; i < 3; i += 1) await expect(fresh.authenticate(bearer(forged))).rejects.toThrow(/signature is invalid/);
    expect(checks).toHaveBeenCalledTimes(3);
  });

  it('checks exp and nbf on every use: a remembered token is refused once it expires', async () => {
    const fresh = create({ clockSkewSeconds: 60 });
    const issuedAt = Date.now();
    const token = await entra.mintAccessToken({ claims: { exp: Math.floor(issuedAt / 1000) + 120 } });
    fakeDate(issuedAt);
    await fresh.authenticate(bearer(token));
    const checks = countSignatureChecks();
    // Past exp but within the skew: still accepted, from the cache.
    jest.setSystemTime(issuedAt + 170_000);
    await expect(fresh.authenticate(bearer(token))).resolves.toBeDefined();
    expect(checks).not.toHaveBeenCalled();
    // Past exp + skew: refused, for the same reason as a token never seen before.
    jest.setSystemTime(issuedAt + 185_000);
    await expect(fresh.authenticate(bearer(token))).rejects.toThrow(/expired/);
    await expect(fresh.authenticate(bearer(token))).rejects.toThrow(/expired/);
  });

  it('is not valid before nbf either', async () => {
    const fresh = create({ clockSkewSeconds: 0 });
    const issuedAt = Date.now();
    const token = await entra.mintAccessToken({ claims: { nbf: Math.floor(issuedAt / 1000) + 30 } });
    fakeDate(issuedAt + 31_000);
    await fresh.authenticate(bearer(token));
    jest.setSystemTime(issuedAt);
    await expect(fresh.authenticate(bearer(token))).rejects.toThrow(/nbf/);
  });

  it('stops honouring a remembered token once Entra withdraws its key and the key set is refreshed', async () => {
    const rotating = await FakeEntra.start({ tenantId: TENANT, extensionAppId: APP });
    try {
      const auth = create({ metadataUrls: [rotating.metadataUrl], jwksRefreshCooldownMs: 0 });
      const [withdrawn] = rotating.signingKeyIds;
      const token = await rotating.mintAccessToken({ kid: withdrawn });
      await auth.authenticate(bearer(token));
      rotating.removeSigningKey(withdrawn!);
      // Within the key set's soft age the token is still served from the cache.
      await expect(auth.authenticate(bearer(token))).resolves.toBeDefined();
      expect(rotating.stats.jwksRequests).toBe(1);
      // After it, a cache hit starts the background refresh (the request does not wait for it) ...
      fakeDate(Date.now() + 11 * 60_000);
      await expect(auth.authenticate(bearer(token))).resolves.toBeDefined();
      for (let i = 0; i < 200 && rotating.stats.jwksRequests < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(rotating.stats.jwksRequests).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      // ... and the refreshed set no longer has the key, so the token is verified again and refused.
      await expect(auth.authenticate(bearer(token))).rejects.toThrow(/no trusted signing key/);
      // A token signed with a key still published passes as before.
      await expect(auth.authenticate(bearer(await rotating.mintAccessToken()))).resolves.toBeDefined();
    } finally {
      await rotating.stop();
    }
  });

  it('holds a bounded number of tokens, dropping the oldest', async () => {
    const small = create({ verifiedTokenCacheSize: 2 });
    const tokens = await Promise.all([1, 2, 3].map(() => entra.mintAccessToken()));
    for (const token of tokens) await small.authenticate(bearer(token));
    const checks = countSignatureChecks();
    await small.authenticate(bearer(tokens[2]!));
    await small.authenticate(bearer(tokens[1]!));
    expect(checks).toHaveBeenCalledTimes(0);
    await small.authenticate(bearer(tokens[0]!));
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('can be turned off (verifiedTokenCacheSize 0): every call checks the signature', async () => {
    const uncached = create({ verifiedTokenCacheSize: 0 });
    const token = await entra.mintAccessToken();
    const checks = countSignatureChecks();
    for (let i = 0; i < 3; i += 1) await uncached.authenticate(bearer(token));
    expect(checks).toHaveBeenCalledTimes(3);
    expect(() => create({ verifiedTokenCacheSize: -1 })).toThrow(TypeError);
  });
});

describe('configuration', () => {
  it.each([
    ['a non-GUID tenant', { tenantId: 'contoso.onmicrosoft.com' }],
    ['a non-GUID app', { extensionAppId: 'my-app' }],
    ['an http metadata URL off loopback', { metadataUrls: [`http://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`] }],
    ['a metadata URL with credentials', { metadataUrls: ['https://user:pw@example.com/.well-known/openid-configuration'] }],
    ['a non-URL', { metadataUrls: ['not a url'] }],
    ['no metadata URL', { metadataUrls: [] }],
  ])('refuses %s', (_name, options) => {
    expect(() => create(options as Partial<CallerAuthenticatorOptions>)).toThrow(TypeError);
  });

  it('allows http for loopback hosts only', () => {
    for (const host of ['127.0.0.1:8080', '127.1.2.3', 'localhost:7071', '[::1]:9000']) {
      expect(() => create({ metadataUrls: [`http://${host}/${TENANT}/v2.0/.well-known/openid-configuration`] })).not.toThrow();
    }
  });
});

describe('other callers (B2C mode): allowed caller apps, exact issuers, no key ring', () => {
  const CALLER = 'b0b00000-5678-4def-8abc-ba9876543210';
  const OTHER = 'c0c00000-5678-4def-8abc-ba9876543210';
  const LOGIN_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
  const callers = (options: Partial<CallerAuthenticatorOptions> = {}) =>
    new CallerAuthenticator({ tenantId: TENANT, extensionAppId: APP, metadataUrls: [entra.metadataUrl], allowedCallerAppIds: [CALLER, OTHER], ...options });
  afterEach(() => jest.restoreAllMocks());

  it('accepts each allowed caller app and reports the actual azp (v2) or appid (v1)', async () => {
    const auth = callers();
    await expect(auth.authenticate(bearer(await entra.mintAccessToken({ claims: { azp: CALLER } })))).resolves.toMatchObject({ authorizedParty: CALLER });
    await expect(auth.authenticate(bearer(await entra.mintAccessToken({ claims: { azp: OTHER } })))).resolves.toMatchObject({ authorizedParty: OTHER });
    const v1 = await entra.mintAccessToken({ claims: { ver: '1.0', appid: OTHER }, omitClaims: ['azp'] });
    await expect(auth.authenticate(bearer(v1))).resolves.toMatchObject({ authorizedParty: OTHER });
  });

  it('refuses the Authentication Events service once other callers are configured, and azp and appid that differ', async () => {
    const auth = callers();
    await expect(auth.authenticate(bearer(await entra.mintAccessToken()))).rejects.toThrow(/not issued to an allowed caller app \(azp\/appid\)/);
    await expect(auth.authenticate(bearer(await entra.mintAccessToken({ claims: { azp: CALLER, appid: OTHER } })))).rejects.toThrow(/azp and appid name different apps/);
    await expect(auth.authenticate(bearer(await entra.mintAccessToken({ claims: { azp: CALLER, appid: CALLER } })))).resolves.toMatchObject({ authorizedParty: CALLER });
  });

  it('accepts only the exact issuers given, in place of the External ID set', async () => {
    const auth = callers({ issuers: [LOGIN_ISSUER] });
    await expect(auth.authenticate(bearer(await entra.mintAccessToken({ claims: { azp: CALLER, iss: LOGIN_ISSUER } })))).resolves.toMatchObject({ issuer: LOGIN_ISSUER });
    const ciam = `https://${TENANT}.ciamlogin.com/${TENANT}/v2.0`;
    await expect(auth.authenticate(bearer(await entra.mintAccessToken({ claims: { azp: CALLER, iss: ciam } })))).rejects.toThrow(/issuer/);
  });

  it("defaults the metadata to each issuer's own document (OpenID Connect Discovery)", async () => {
    const fetches = jest.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('offline'));
    await new CallerAuthenticator({ tenantId: TENANT, extensionAppId: APP, issuers: [LOGIN_ISSUER, 'https://issuer.example/tenant/'] }).prefetch();
    expect(fetches.mock.calls.map(([url]) => String(url)).sort()).toEqual([
      'https://issuer.example/tenant/.well-known/openid-configuration',
      `${LOGIN_ISSUER}/.well-known/openid-configuration`,
    ]);
  });

  it('refuses an encrypted bearer token without a key ring, and still accepts a signed one', async () => {
    const auth = callers({ keyRing: undefined });
    const jwe = await entra.mintAccessToken({ claims: { azp: CALLER }, encryptToCertificatePem: cert.certificatePem });
    await expect(auth.authenticate(bearer(jwe))).rejects.toThrow(/encrypted \(JWE\) but no decryption key/);
    await expect(auth.authenticate(bearer(await entra.mintAccessToken({ claims: { azp: CALLER } })))).resolves.toBeDefined();
  });

  it.each([
    ['no caller app', { allowedCallerAppIds: [] }],
    ['a caller app that is no GUID', { allowedCallerAppIds: ['caller'] }],
    ['no issuer', { issuers: [] }],
    ['an http issuer off loopback', { issuers: [`http://login.microsoftonline.com/${TENANT}/v2.0`] }],
    ['issuers with a tenant subdomain', { issuers: [LOGIN_ISSUER], tenantSubdomain: 'contoso' }],
  ])('refuses %s', (_name, options) => {
    expect(() => callers(options as Partial<CallerAuthenticatorOptions>)).toThrow(TypeError);
  });
});
