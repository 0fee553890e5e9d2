import { X509Certificate } from 'node:crypto';
import { inspect } from 'node:util';
import { CompactEncrypt } from 'jose';
import { FakeEntra } from '../../test/support/fakeEntra';
import { generateEncryptionCertificate, type EncryptionCertificate } from '../crypto/certificate';
import { KeyRing } from '../crypto/keyRing';
import { decryptPasswordContext, type PasswordContext } from './decrypt';

const TENANT = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';
const APP = 'c0ffee00-1234-4abc-9def-0123456789ab';
const PASSWORD = 'Corr3ct-Horse-Battery';
const USERNAME = 'alice@contoso.example';
const NONCE = 'd7c30ed9-2d8e-40c9-aee8-a205e9734308';

let entra: FakeEntra;
let current: EncryptionCertificate;
let previous: EncryptionCertificate;
let ring: KeyRing;
const options = { expectedAudiences: [APP, `api://jit.contoso.example/${APP}`] };

beforeAll(async () => {
  [entra, current, previous] = await Promise.all([
    FakeEntra.start({ tenantId: TENANT, extensionAppId: APP }),
    generateEncryptionCertificate(),
    generateEncryptionCertificate(),
  ]);
  ring = KeyRing.fromPem(`${current.privateKeyPem}${current.certificatePem}`, `${previous.privateKeyPem}${previous.certificatePem}`);
});
afterAll(() => entra.stop());

const encrypt = (extra: Record<string, unknown> = {}, cert = current, opts = {}) =>
  entra.encryptPasswordContext({ username: USERNAME, password: PASSWORD, nonce: NONCE, ...extra }, cert.certificatePem, opts);

describe('decryptPasswordContext', () => {
  it('reads the password context Entra sends (JWE around an alg-none JWT)', async () => {
    const before = Date.now();
    const context = await decryptPasswordContext(await encrypt(), ring, options);
    expect(context.username).toBe(USERNAME);
    expect(context.password).toBe(PASSWORD);
    expect(context.nonce).toBe(NONCE);
    expect(context.keyLabel).toBe('current');
    // exp is about iat + 600 s (docs/entra-contracts.md#password-context).
    expect(context.expiresAt!.getTime()).toBeGreaterThan(before + 590_000);
    expect(context.expiresAt!.getTime()).toBeLessThan(before + 610_000);
  });

  it('reports the previous key when the context was encrypted to it', async () => {
    expect((await decryptPasswordContext(await encrypt({}, previous), ring, options)).keyLabel).toBe('previous');
  });

  it('accepts plain JSON claims (a plaintext without dots)', async () => {
    const context = await decryptPasswordContext(await encrypt({}, current, { plainJson: true }), ring, options);
    expect(context.password).toBe(PASSWORD);
  });

  it('accepts the identifier URI as audience, an aud array, and no aud/exp/nbf at all', async () => {
    const uri = options.expectedAudiences[1]!;
    await expect(decryptPasswordContext(await encrypt({}, current, { audience: uri }), ring, options)).resolves.toBeDefined();
    await expect(decryptPasswordContext(await encrypt({ aud: ['other', APP] }), ring, options)).resolves.toBeDefined();
    const bare = await decryptPasswordContext(await encrypt({}, current, { omitClaims: ['aud', 'exp', 'nbf', 'iat', 'iss'] }), ring, options);
    expect(bare.expiresAt).toBeUndefined();
  });

  it('tolerates clock skew on exp and nbf', async () => {
    const now = new Date();
    const justExpired = await encrypt({ exp: Math.floor(now.getTime() / 1000) - 30 });
    await expect(decryptPasswordContext(justExpired, ring, { ...options, now })).resolves.toBeDefined();
    const early = await encrypt({ nbf: Math.floor(now.getTime() / 1000) + 30 });
    await expect(decryptPasswordContext(early, ring, { ...options, now })).resolves.toBeDefined();
    await expect(decryptPasswordContext(justExpired, ring, { ...options, now, clockSkewSeconds: 0 })).rejects.toThrow(/expired/);
  });

  it('accepts an inner token that carries a signature (it is not verifiable, so it is ignored)', async () => {
    const header = Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url');
    const payload = Buffer.from(JSON.stringify({ aud: APP, username: USERNAME, 'user-password': PASSWORD, nonce: NONCE })).toString('base64url');
    const jwe = await new CompactEncrypt(new TextEncoder().encode(`${header}.${payload}.c2lnbmF0dXJl`))
      .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', zip: 'DEF' })
      .encrypt(new X509Certificate(current.certificatePem).publicKey);
    expect((await decryptPasswordContext(jwe, ring, options)).password).toBe(PASSWORD);
  });

  it('keeps unicode passwords and usernames intact', async () => {
    const context = await decryptPasswordContext(await encrypt({ username: 'zoë@例え.jp', password: 'пароль ✓ 🔑' }), ring, options);
    expect(context.username).toBe('zoë@例え.jp');
    expect(context.password).toBe('пароль ✓ 🔑');
  });
});

describe('the password does not leak from a PasswordContext', () => {
  let context: PasswordContext;
  beforeAll(async () => {
    context = await decryptPasswordContext(await encrypt(), ring, options);
  });

  it('not through JSON.stringify', () => {
    const json = JSON.stringify(context);
    expect(json).not.toContain(PASSWORD);
    expect(json).not.toContain(USERNAME);
    expect(JSON.parse(json)).toMatchObject({ password: '[redacted]', nonce: NONCE, keyLabel: 'current' });
    expect(JSON.stringify({ nested: { context } })).not.toContain(PASSWORD);
  });

  it('not through util.inspect, console or string conversion', () => {
    expect(inspect(context)).not.toContain(PASSWORD);
    expect(inspect({ context }, { depth: 5, showHidden: true })).not.toContain(PASSWORD);
    expect(String(context)).not.toContain(PASSWORD);
    expect(`${context}`).not.toContain(PASSWORD);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    console.log(context);
    console.log('%o', context);
    console.log('%j', context);
    const written = inspect(log.mock.calls, { depth: 10 });
    log.mockRestore();
    expect(written).not.toContain(PASSWORD);
  });

  it('not through enumeration, spreading or structuredClone', () => {
    expect(Object.keys(context)).not.toContain('password');
    expect(Object.values(context)).not.toContain(PASSWORD);
    expect(JSON.stringify({ ...context })).not.toContain(PASSWORD);
    expect(JSON.stringify(structuredClone(context))).not.toContain(PASSWORD);
  });

  it('while the password stays readable and immutable', () => {
    expect(context.password).toBe(PASSWORD);
    expect(() => {
      (context as { password: string }).password = 'changed';
    }).toThrow();
    expect(Object.isFrozen(context)).toBe(true);
  });
});
