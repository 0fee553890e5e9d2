import 'reflect-metadata';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { FakeEntra } from '../../test/support/fakeEntra';
import { generateEncryptionCertificate, type EncryptionCertificate } from '../crypto/certificate';
import { AUTHENTICATION_EVENTS_APP_ID, AuthenticationError } from '../pipeline/authenticate';
import { createB2cCallerAuthenticator, type B2cCallerAuthenticator, type B2cCallerAuthSettings } from './callerAuthentication';

const B2C_TENANT = '0b2c7e11-5a6b-4c3d-9e8f-112233445566';
const API_APP = 'a11ce000-1234-4abc-9def-0123456789ab';
const API_APP_URI = `https://contosob2c.onmicrosoft.com/${API_APP}`;
const CALLER_APP = 'b0b00000-5678-4def-8abc-ba9876543210';
const OTHER_CALLER_APP = 'c0c00000-5678-4def-8abc-ba9876543210';
const B2C_ISSUER = `https://login.microsoftonline.com/${B2C_TENANT}/v2.0`;

const PASSWORD = randomBytes(32).toString('base64url');
const API_KEY = randomBytes(32).toString('base64url');

const headers = (values: Record<string, string> = {}) => new Headers(values);
const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
const sha1Hex = (der: Buffer) => createHash('sha1').update(der).digest('hex');
const sha256Hex = (der: Buffer) => createHash('sha256').update(der).digest('hex');

/** Refused with an AuthenticationError whose reason matches and names none of the secrets. */
async function expectRefused(authenticator: B2cCallerAuthenticator, request: Headers, reason: RegExp): Promise<void> {
  const error: unknown = await authenticator.authenticate(request).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  const message = (error as Error).message;
  expect(message).toMatch(reason);
  // Any credential, token or certificate the request carried (short values are scheme names and the like).
  for (const value of request.values()) if (value.length >= 16) expect(message).not.toContain(value);
  for (const secret of [PASSWORD, API_KEY]) expect(message).not.toContain(secret);
}

describe('bearer (client-credentials access token from the B2C tenant)', () => {
  let entra: FakeEntra;
  let authenticator: B2cCallerAuthenticator;
  const settings = (overrides: Partial<Extract<B2cCallerAuthSettings, { kind: 'bearer' }>> = {}): B2cCallerAuthSettings => ({
    kind: 'bearer',
    tenantId: B2C_TENANT,
    apiAppId: API_APP,
    apiAppIdentifierUri: API_APP_URI,
    callerAppIds: [CALLER_APP, OTHER_CALLER_APP],
    openIdMetadataUrl: entra.metadataUrl,
    clockSkewSeconds: 60,
    ...overrides,
  });
  /** A v2 token as the policy's REST-AcquireAccessToken gets it: `azp` is the caller app, not Authentication Events. */
  const b2cToken = (claims: Record<string, unknown> = {}, omitClaims: string[] = []) =>
    entra.mintAccessToken({ claims: { azp: CALLER_APP, ...claims }, omitClaims });
  const bearer = async (token: string | Promise<string>) => headers({ authorization: `Bearer ${await token}` });

  beforeAll(async () => {
    entra = await FakeEntra.start({ tenantId: B2C_TENANT, extensionAppId: API_APP });
    authenticator = createB2cCallerAuthenticator(settings());
  });
  afterAll(() => entra.stop());

  it('accepts a token for the API app from an allowed caller app', async () => {
    expect(authenticator.kind).toBe('bearer');
    await expect(authenticator.authenticate(await bearer(b2cToken()))).resolves.toBeUndefined();
    await expect(authenticator.authenticate(await bearer(b2cToken({ azp: OTHER_CALLER_APP })))).resolves.toBeUndefined();
  });

  it("accepts the B2C tenant's login.microsoftonline.com v2.0 issuer and the identifier URI as audience", async () => {
    await expect(authenticator.authenticate(await bearer(b2cToken({ iss: B2C_ISSUER, aud: API_APP_URI })))).resolves.toBeUndefined();
  });

  it('prefetch loads the metadata and keys so the first call makes no request', async () => {
    const fresh = createB2cCallerAuthenticator(settings());
    await fresh.prefetch!();
    const before = { ...entra.stats };
    await fresh.authenticate(await bearer(b2cToken()));
    expect(entra.stats).toEqual(before);
  });

  it('refuses a request without Authorization header, and a non-bearer one', async () => {
    await expectRefused(authenticator, headers(), /no Authorization header/);
    await expectRefused(authenticator, headers({ authorization: basic(`jit:${PASSWORD}`) }), /not a Bearer token/);
  });

  it.each([
    ['the External ID (ciamlogin.com) issuer of the same tenant', `https://${B2C_TENANT}.ciamlogin.com/${B2C_TENANT}/v2.0`],
    ['the v1 issuer', `https://sts.windows.net/${B2C_TENANT}/`],
    ['the b2clogin.com issuer of user tokens', `https://contosob2c.b2clogin.com/${B2C_TENANT}/v2.0/`],
    ['the issuer with a trailing slash', `${B2C_ISSUER}/`],
    ["another tenant's issuer", 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0'],
  ])('refuses %s', async (_name, iss) => {
    await expectRefused(authenticator, await bearer(b2cToken({ iss })), /issuer/);
  });

  it('refuses another audience (another app, the Graph, the extension app of External ID)', async () => {
    for (const aud of ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000', `api://${API_APP}`]) {
      await expectRefused(authenticator, await bearer(b2cToken({ aud })), /aud claim/);
    }
  });

  it('refuses a token of another tenant (tid)', async () => {
    await expectRefused(authenticator, await bearer(b2cToken({ tid: '72f988bf-86f1-41af-91ab-2d7cd011db47' })), /tid/);
  });

  it('refuses a caller app that is not allowed, including the Authentication Events service of External ID', async () => {
    await expectRefused(authenticator, await bearer(b2cToken({ azp: '00000000-0000-4000-8000-000000000000' })), /allowed caller app \(azp\/appid\)/);
    await expectRefused(authenticator, await bearer(b2cToken({ azp: AUTHENTICATION_EVENTS_APP_ID })), /allowed caller app/);
    await expectRefused(authenticator, await bearer(b2cToken({ azp: CALLER_APP.toUpperCase() })), /allowed caller app/);
    await expectRefused(authenticator, await bearer(b2cToken({}, ['azp'])), /neither azp nor appid/);
  });

  it('refuses an expired token and one not yet valid', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(authenticator, await bearer(b2cToken({ exp: now - 61 })), /expired/);
    await expectRefused(authenticator, await bearer(b2cToken({ nbf: now + 120 })), /nbf/);
  });

  it('refuses a token signed with a key the tenant does not publish', async () => {
    await expectRefused(authenticator, await bearer(entra.mintAccessToken({ claims: { azp: CALLER_APP }, signWithUnknownKey: true })), /signature is invalid/);
  });

  it('refuses an encrypted (JWE) bearer token: B2C cannot ask for one and no decryption key is configured', async () => {
    const certificate = await generateEncryptionCertificate();
    const jwe = await entra.mintAccessToken({ claims: { azp: CALLER_APP }, encryptToCertificatePem: certificate.certificatePem });
    await expectRefused(authenticator, await bearer(jwe), /no decryption key/);
  });

  it.each([
    ['B2cTenantId', { tenantId: 'contosob2c.onmicrosoft.com' }],
    ['B2cApiAppId', { apiAppId: 'my-api' }],
    ['B2cApiAppIdentifierUri', { apiAppIdentifierUri: 'not a uri' }],
    ['B2cCallerAppIds', { callerAppIds: [] }],
    ['B2cCallerAppIds', { callerAppIds: [CALLER_APP, 'caller'] }],
    ['B2cOpenIdMetadataUrl', { openIdMetadataUrl: `http://login.microsoftonline.com/${B2C_TENANT}/v2.0/.well-known/openid-configuration` }],
    ['ClockSkewSeconds', { clockSkewSeconds: -1 }],
  ])('refuses a bad %s at construction, naming the setting', (setting, overrides) => {
    expect(() => createB2cCallerAuthenticator(settings(overrides))).toThrow(TypeError);
    expect(() => createB2cCallerAuthenticator(settings(overrides))).toThrow(new RegExp(`^${setting}: `));
  });
});

describe('basic (user name and password in a B2C policy key)', () => {
  const authenticator = createB2cCallerAuthenticator({ kind: 'basic', username: 'b2c-jit', password: PASSWORD });

  it('accepts the configured user name and password', async () => {
    expect(authenticator.kind).toBe('basic');
    await expect(authenticator.authenticate(headers({ authorization: basic(`b2c-jit:${PASSWORD}`) }))).resolves.toBeUndefined();
    await expect(authenticator.authenticate(headers({ authorization: basic(`b2c-jit:${PASSWORD}`).replace('Basic', 'basic') }))).resolves.toBeUndefined();
  });

  it('takes everything after the first colon as the password', async () => {
    const withColon = createB2cCallerAuthenticator({ kind: 'basic', username: 'b2c-jit', password: `${PASSWORD}:x` });
    await expect(withColon.authenticate(headers({ authorization: basic(`b2c-jit:${PASSWORD}:x`) }))).resolves.toBeUndefined();
  });

  it('refuses a wrong password, a wrong user name, and either one a byte off', async () => {
    const wrong = [`b2c-jit:${randomBytes(32).toString('base64url')}`, `b2c-jot:${PASSWORD}`, `b2c-jit:${PASSWORD}x`, `b2c-jit:${PASSWORD.slice(0, -1)}`, `B2C-JIT:${PASSWORD}`, `:${PASSWORD}`, 'b2c-jit:'];
    for (const credentials of wrong) {
      await expectRefused(authenticator, headers({ authorization: basic(credentials) }), /do not match/);
    }
  });

  it('refuses a request without Authorization header', async () => {
    await expectRefused(authenticator, headers(), /no Authorization header/);
    await expectRefused(authenticator, headers({ 'x-api-key': PASSWORD }), /no Authorization header/);
  });

  it.each([
    ['another scheme', `Bearer ${Buffer.from(`b2c-jit:${PASSWORD}`).toString('base64')}`, /not Basic credentials/],
    ['no credentials', 'Basic', /not Basic credentials/],
    ['the credentials in clear text', `Basic b2c-jit:${PASSWORD}`, /not Basic credentials/],
    ['base64url instead of base64', `Basic ${Buffer.from(`b2c-jit:${PASSWORD}??>`).toString('base64url')}`, /not Basic credentials|not valid base64/],
    ['missing padding', `Basic ${Buffer.from('b2c-jit:ab').toString('base64').replace(/=+$/, '')}`, /not valid base64/],
    ['no colon', basic(`b2c-jit${PASSWORD}`), /no colon/],
    ['two headers joined by the runtime', `${basic(`b2c-jit:${PASSWORD}`)}, ${basic(`b2c-jit:${PASSWORD}`)}`, /not Basic credentials/],
    ['a huge header', `Basic ${'A'.repeat(8192)}`, /too long/],
  ])('refuses a malformed header: %s', async (_name, authorization, reason) => {
    await expectRefused(authenticator, headers({ authorization }), reason);
  });

  it('refuses a password shorter than 32 bytes, and a user name with a colon, at construction', () => {
    expect(() => createB2cCallerAuthenticator({ kind: 'basic', username: 'b2c-jit', password: 'x'.repeat(31) })).toThrow(/^B2cBasicPassword: must be at least 32 bytes/);
    expect(() => createB2cCallerAuthenticator({ kind: 'basic', username: 'b2c-jit', password: '' })).toThrow(/^B2cBasicPassword: /);
    // 11 three-byte characters are 33 bytes: the limit counts bytes, not characters.
    expect(() => createB2cCallerAuthenticator({ kind: 'basic', username: 'b2c-jit', password: '€'.repeat(11) })).not.toThrow();
    expect(() => createB2cCallerAuthenticator({ kind: 'basic', username: 'b2c:jit', password: PASSWORD })).toThrow(/^B2cBasicUsername: /);
    expect(() => createB2cCallerAuthenticator({ kind: 'basic', username: '', password: PASSWORD })).toThrow(TypeError);
  });
});

describe('apiKey (one header holding a key from a B2C policy key)', () => {
  const authenticator = createB2cCallerAuthenticator({ kind: 'apiKey', header: 'X-Api-Key', key: API_KEY });

  it('accepts the key in the configured header, whatever the header name case', async () => {
    expect(authenticator.kind).toBe('apiKey');
    await expect(authenticator.authenticate(headers({ 'x-api-key': API_KEY }))).resolves.toBeUndefined();
    await expect(authenticator.authenticate(headers({ 'X-API-KEY': API_KEY }))).resolves.toBeUndefined();
  });

  it('refuses a wrong key, a key a byte off, and the key in another header', async () => {
    for (const key of [randomBytes(32).toString('base64url'), `${API_KEY}x`, API_KEY.slice(0, -1), API_KEY.toUpperCase()]) {
      await expectRefused(authenticator, headers({ 'x-api-key': key }), /does not hold the configured key/);
    }
    await expectRefused(authenticator, headers({ 'x-functions-key': API_KEY }), /no x-api-key header/);
    await expectRefused(authenticator, headers({ authorization: `Bearer ${API_KEY}` }), /no x-api-key header/);
  });

  it('refuses a request without the header, an empty one, the key sent twice, and a huge one', async () => {
    await expectRefused(authenticator, headers(), /no x-api-key header/);
    await expectRefused(authenticator, headers({ 'x-api-key': '' }), /no x-api-key header/);
    const twice = new Headers();
    twice.append('x-api-key', API_KEY);
    twice.append('x-api-key', API_KEY);
    await expectRefused(authenticator, twice, /does not hold the configured key/);
    await expectRefused(authenticator, headers({ 'x-api-key': 'k'.repeat(8192) }), /too long/);
  });

  it('refuses a short key, a key that is no header value, and a bad or reserved header name at construction', () => {
    expect(() => createB2cCallerAuthenticator({ kind: 'apiKey', header: 'x-api-key', key: 'k'.repeat(31) })).toThrow(/^B2cApiKey: must be at least 32 bytes/);
    expect(() => createB2cCallerAuthenticator({ kind: 'apiKey', header: 'x-api-key', key: `${API_KEY} ${API_KEY}` })).toThrow(/^B2cApiKey: /);
    for (const header of ['x api key', 'x-api-key:', '']) {
      expect(() => createB2cCallerAuthenticator({ kind: 'apiKey', header, key: API_KEY })).toThrow(/^B2cApiKeyHeader: is not a valid/);
    }
    for (const header of ['X-ARR-ClientCert', 'x-forwarded-for', 'x-ms-client-principal', 'host', 'content-type']) {
      expect(() => createB2cCallerAuthenticator({ kind: 'apiKey', header, key: API_KEY })).toThrow(/^B2cApiKeyHeader: names a header/);
    }
  });
});

describe('clientCertificate (the certificate the platform forwards in X-ARR-ClientCert)', () => {
  let current: EncryptionCertificate;
  let currentDer: Buffer;
  let expiredDer: Buffer;
  let futureDer: Buffer;
  const forwarded = (der: Buffer) => headers({ 'x-arr-clientcert': der.toString('base64') });
  const pinned = (...thumbprints: string[]) => createB2cCallerAuthenticator({ kind: 'clientCertificate', thumbprints });

  beforeAll(async () => {
    current = await generateEncryptionCertificate({ validityDays: 30 });
    currentDer = Buffer.from(current.certificateBase64Der, 'base64');
    const day = 24 * 60 * 60 * 1000;
    [expiredDer, futureDer] = await Promise.all([
      selfSignedDer(new Date(Date.now() - 30 * day), new Date(Date.now() - day)),
      selfSignedDer(new Date(Date.now() + day), new Date(Date.now() + 30 * day)),
    ]);
  });

  it('accepts the pinned certificate by SHA-1 or SHA-256 thumbprint, in either case', async () => {
    for (const thumbprint of [sha1Hex(currentDer), sha1Hex(currentDer).toUpperCase(), sha256Hex(currentDer)]) {
      const authenticator = pinned(sha1Hex(expiredDer), thumbprint);
      expect(authenticator.kind).toBe('clientCertificate');
      await expect(authenticator.authenticate(forwarded(currentDer))).resolves.toBeUndefined();
    }
  });

  it('refuses another certificate (wrong thumbprint)', async () => {
    const other = Buffer.from((await generateEncryptionCertificate()).certificateBase64Der, 'base64');
    await expectRefused(pinned(sha1Hex(currentDer)), forwarded(other), /thumbprint is not an allowed one/);
    // A SHA-256 pin of another certificate refuses this one too.
    await expectRefused(pinned(sha256Hex(other)), forwarded(currentDer), /thumbprint/);
  });

  it('refuses the pinned certificate once it has expired, and before it is valid', async () => {
    await expectRefused(pinned(sha1Hex(expiredDer)), forwarded(expiredDer), /has expired/);
    await expectRefused(pinned(sha256Hex(futureDer)), forwarded(futureDer), /not valid yet/);
  });

  it('refuses a request without the header', async () => {
    await expectRefused(pinned(sha1Hex(currentDer)), headers(), /no X-ARR-ClientCert header/);
    await expectRefused(pinned(sha1Hex(currentDer)), headers({ 'x-arr-clientcert': '' }), /no X-ARR-ClientCert header/);
  });

  it.each([
    ['PEM text', () => current.certificatePem.replaceAll('\n', ' '), /not valid base64/],
    ['base64url', () => currentDer.toString('base64url'), /not valid base64/],
    ['base64 of something else', () => randomBytes(600).toString('base64'), /not a DER X.509 certificate/],
    ['a truncated certificate', () => currentDer.subarray(0, currentDer.length - 30).toString('base64'), /not a DER X.509 certificate|not valid base64/],
    ['a huge header', () => 'A'.repeat(64 * 1024), /too long/],
  ])('refuses a malformed header: %s', async (_name, value, reason) => {
    await expectRefused(pinned(sha1Hex(currentDer)), headers({ 'x-arr-clientcert': value() }), reason);
  });

  it('refuses no thumbprint, a malformed one, and one with colons at construction', () => {
    const colons = sha1Hex(Buffer.from('x')).match(/../g)!.join(':');
    for (const thumbprints of [[], ['xyz'], [sha1Hex(Buffer.from('x')).slice(1)], [colons], [`${sha1Hex(Buffer.from('x'))}00`]]) {
      expect(() => pinned(...thumbprints)).toThrow(/^B2cClientCertificateThumbprints: /);
    }
  });
});

/** A self-signed certificate with the given validity, for the expiry cases (generateEncryptionCertificate starts now). */
async function selfSignedDer(notBefore: Date, notAfter: Date): Promise<Buffer> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=B2C REST client',
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: algorithm,
  });
  return Buffer.from(certificate.rawData);
}
