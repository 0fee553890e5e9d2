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

  it.each([
    `https://${TENANT}.ciamlogin.com/${TENANT}/v2.0`,
    `https://contoso.ciamlogin.com/${TENANT}/v2.0`,
    `https://login.microsoftonline.com/${TENANT}/v2.0`,
  ])('accepts the Entra issuer %s (fact sheet 10.1, 16)', async (iss) => {
    await expect(authenticator.authenticate(bearer(await entra.mintAccessToken({ claims: { iss } })))).resolves.toMatchObject({ issuer: iss });
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

  it('accepts an encrypted bearer token (JWE around the JWS, fact sheet 10.4)', async () => {
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
