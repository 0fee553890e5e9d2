/** Negative suite for decryptPasswordContext: the inner token's lifetime, audience and required claims. */
import { X509Certificate } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { generateEncryptionCertificate, type EncryptionCertificate } from '../../src/crypto/certificate';
import { KeyRing } from '../../src/crypto/keyRing';
import { decryptPasswordContext, MAX_NONCE_LENGTH, MAX_PASSWORD_LENGTH, MAX_USERNAME_LENGTH, PasswordContextError } from '../../src/pipeline/decrypt';
import { FakeEntra } from '../support/fakeEntra';

const TENANT = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';
const APP = 'c0ffee00-1234-4abc-9def-0123456789ab';
const USERNAME = 'bob@contoso.example';
const PASSWORD = 'Tr0ub4dor&3-unique';
const NONCE = '0b9f3a52-6c1e-4d0a-9c77-5f2f1e0d9a11';
const options = { expectedAudiences: [APP] };

let entra: FakeEntra;
let cert: EncryptionCertificate;
let stranger: EncryptionCertificate;
let ring: KeyRing;

beforeAll(async () => {
  [entra, cert, stranger] = await Promise.all([
    FakeEntra.start({ tenantId: TENANT, extensionAppId: APP }),
    generateEncryptionCertificate(),
    generateEncryptionCertificate(),
  ]);
  ring = KeyRing.fromPem(`${cert.privateKeyPem}${cert.certificatePem}`);
});
afterAll(() => entra.stop());

const nowSeconds = () => Math.floor(Date.now() / 1000);
const encrypt = (extra: Record<string, unknown> = {}, opts: Parameters<FakeEntra['encryptPasswordContext']>[2] = {}) =>
  entra.encryptPasswordContext({ username: USERNAME, password: PASSWORD, nonce: NONCE, ...extra }, cert.certificatePem, opts);
const encryptPlaintext = (plaintext: string) =>
  new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', zip: 'DEF' })
    .encrypt(new X509Certificate(cert.certificatePem).publicKey);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Refused with a PasswordContextError matching `pattern`, whose message holds no secret and no token. */
async function expectRefused(jwe: string, pattern: RegExp, opts: Parameters<typeof decryptPasswordContext>[2] = options): Promise<void> {
  const error = await decryptPasswordContext(jwe, ring, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PasswordContextError);
  const message = (error as Error).message;
  expect(message).toMatch(pattern);
  for (const secret of [PASSWORD, USERNAME, NONCE, ...jwe.split('.').filter((p) => p.length > 8).map((p) => p.slice(0, 8))]) {
    expect(message).not.toContain(secret);
  }
}

describe('lifetime', () => {
  it('refuses an expired inner token (beyond the skew)', async () => {
    await expectRefused(await encrypt({}, { lifetimeSeconds: -120 }), /expired/);
    await expectRefused(await encrypt({ exp: nowSeconds() - 3600 }), /expired/);
  });

  it('refuses an inner token that is not yet valid', async () => {
    await expectRefused(await encrypt({ nbf: nowSeconds() + 600 }), /not yet valid/);
  });

  it('refuses exp or nbf that are not numbers', async () => {
    await expectRefused(await encrypt({ exp: String(nowSeconds() + 600) }), /exp/);
    await expectRefused(await encrypt({ nbf: null }), /nbf/);
  });

  it('uses the injected clock', async () => {
    const jwe = await encrypt();
    await expectRefused(jwe, /expired/, { ...options, now: new Date(Date.now() + 3_600_000) });
  });
});

describe('audience', () => {
  it('refuses another audience', async () => {
    await expectRefused(await encrypt({}, { audience: 'd3adb33f-0000-4000-8000-000000000000' }), /audience/);
  });

  it('refuses an aud array without the extension app and a non-string aud', async () => {
    await expectRefused(await encrypt({ aud: ['a', 'b'] }), /audience/);
    await expectRefused(await encrypt({ aud: 42 }), /audience/);
  });

  it('refuses any aud when no audience is expected', async () => {
    await expectRefused(await encrypt(), /audience/, { expectedAudiences: [] });
  });
});

describe('required claims', () => {
  it.each(['nonce', 'user-password', 'username'])('refuses a missing %s', async (claim) => {
    await expectRefused(await encrypt({}, { omitClaims: [claim] }), new RegExp(claim));
  });

  it.each([
    ['an empty nonce', { nonce: '' }, /nonce/],
    ['an empty password', { password: '' }, /user-password/],
    ['an empty username', { username: '' }, /username/],
    ['a numeric nonce', { nonce: 12345 }, /nonce/],
    ['a password object', { password: { value: 'x' } }, /user-password/],
    ['a username array', { username: ['a'] }, /username/],
  ])('refuses %s', async (_name, claims, pattern) => {
    await expectRefused(await encrypt(claims as Record<string, unknown>), pattern);
  });

  it('refuses values over the length limits, and accepts them at the limit', async () => {
    await expectRefused(await encrypt({ nonce: 'n'.repeat(MAX_NONCE_LENGTH + 1) }), /nonce.*128/);
    await expectRefused(await encrypt({ username: 'u'.repeat(MAX_USERNAME_LENGTH + 1) }), /username.*256/);
    await expectRefused(await encrypt({ password: 'p'.repeat(MAX_PASSWORD_LENGTH + 1) }), /user-password.*1024/);
    const atLimit = await encrypt({ nonce: 'n'.repeat(MAX_NONCE_LENGTH), username: 'u'.repeat(MAX_USERNAME_LENGTH), password: 'p'.repeat(MAX_PASSWORD_LENGTH) });
    await expect(decryptPasswordContext(atLimit, ring, options)).resolves.toBeDefined();
  });
});

describe('inner token shape', () => {
  it.each([
    ['two parts', `${b64({ alg: 'none' })}.${b64({ nonce: NONCE })}`],
    ['four parts', `${b64({ alg: 'none' })}.${b64({ nonce: NONCE })}..`],
    ['an empty payload', `${b64({ alg: 'none' })}..`],
    ['a header that is not JSON', `${b64('nope')}.${b64({ nonce: NONCE })}.`],
    ['a header without alg', `${b64({ typ: 'JWT' })}.${b64({ nonce: NONCE })}.`],
    ['a payload that is not JSON', `${b64({ alg: 'none' })}.${b64('nope')}.`],
    ['a payload that is an array', `${b64({ alg: 'none' })}.${b64([1])}.`],
    ['characters outside base64url', `${b64({ alg: 'none' })}.${b64({ nonce: NONCE })}+.`],
    ['plain JSON that is not an object', '"just a string"'],
    ['broken plain JSON', '{"username":'],
    ['a nested JWE', 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d'],
  ])('refuses %s', async (_name, plaintext) => {
    await expectRefused(await encryptPlaintext(plaintext), /password context/);
  });

  it('refuses plaintext that is not UTF-8', async () => {
    const jwe = await new CompactEncrypt(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))
      .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A128GCM' })
      .encrypt(new X509Certificate(cert.certificatePem).publicKey);
    await expectRefused(jwe, /UTF-8/);
  });
});

describe('the JWE around it', () => {
  it('refuses garbage, an empty value and a JWS in place of a JWE, with a safe message', async () => {
    await expectRefused('', /empty/);
    await expectRefused('garbage', /five base64url parts/);
    await expectRefused(`${b64({ alg: 'none' })}.${b64({ 'user-password': PASSWORD })}.`, /five base64url parts/);
  });

  it('refuses a context encrypted to another key', async () => {
    const jwe = await entra.encryptPasswordContext({ username: USERNAME, password: PASSWORD, nonce: NONCE }, stranger.certificatePem);
    await expectRefused(jwe, /could not be decrypted/);
  });

  it('refuses an oversized inner token', async () => {
    await expectRefused(await encrypt({ padding: 'x'.repeat(20_000) }), /exceeds/);
  });
});
