import { constants, createCipheriv, createHmac, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { CompactEncrypt } from 'jose';
import { FakeEntra } from '../../test/support/fakeEntra';
import { generateEncryptionCertificate, type EncryptionCertificate } from './certificate';
import { decryptCompactJwe, JweError } from './jwe';
import { KeyRing } from './keyRing';

const TENANT = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';
const APP = 'c0ffee00-1234-4abc-9def-0123456789ab';
const ALGS = ['RSA-OAEP', 'RSA-OAEP-256'] as const;
const ENCS = ['A128CBC-HS256', 'A256CBC-HS512', 'A128GCM', 'A256GCM'] as const;

let entra: FakeEntra;
let current: EncryptionCertificate;
let previous: EncryptionCertificate;
let ring: KeyRing;

beforeAll(async () => {
  [entra, current, previous] = await Promise.all([
    FakeEntra.start({ tenantId: TENANT, extensionAppId: APP }),
    generateEncryptionCertificate(),
    generateEncryptionCertificate(),
  ]);
  ring = KeyRing.fromPem(`${current.privateKeyPem}${current.certificatePem}`, `${previous.privateKeyPem}${previous.certificatePem}`);
});
afterAll(() => entra.stop());

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const payloadOf = (plaintext: Uint8Array) => JSON.parse(Buffer.from(text(plaintext).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const claims = { username: 'alice@contoso.example', password: 'Pa55 wörd!', nonce: 'd7c30ed9-2d8e-40c9-aee8-a205e9734308' };

describe('decryptCompactJwe', () => {
  it('opens a password context encrypted exactly as Entra does (RSA-OAEP, A128CBC-HS256, zip DEF, x5t)', async () => {
    const jwe = await entra.encryptPasswordContext(claims, current.certificatePem);
    const result = await decryptCompactJwe(jwe, ring);
    expect(result.protectedHeader).toEqual({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', zip: 'DEF', x5t: current.x5t });
    expect(result.key.label).toBe('current');
    const payload = payloadOf(result.plaintext);
    expect(payload['user-password']).toBe(claims.password);
    expect(payload.aud).toBe(APP);
  });

  it('opens a JWE built by hand with node:crypto, step by step (independent of jose)', async () => {
    const inner = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims })).toString('base64url')}.`;
    const header = Buffer.from(JSON.stringify({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', x5t: current.x5t, zip: 'DEF' })).toString('base64url');
    const cek = randomBytes(32);
    const encryptedKey = publicEncrypt({ key: new X509Certificate(current.certificatePem).publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, cek);
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-128-cbc', cek.subarray(16), iv);
    const ciphertext = Buffer.concat([cipher.update(deflateRawSync(Buffer.from(inner))), cipher.final()]);
    const aad = Buffer.from(header, 'ascii');
    const al = Buffer.alloc(8);
    al.writeBigUInt64BE(BigInt(aad.length * 8));
    const tag = createHmac('sha256', cek.subarray(0, 16)).update(Buffer.concat([aad, iv, ciphertext, al])).digest().subarray(0, 16);
    const jwe = [header, encryptedKey, iv, ciphertext, tag].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');

    expect(text((await decryptCompactJwe(jwe, ring)).plaintext)).toBe(inner);
  });

  describe.each(ALGS)('%s', (alg) => {
    it.each(ENCS.flatMap((enc) => [[enc, true] as const, [enc, false] as const]))('with %s, zip %s round-trips', async (enc, zip) => {
      const jwe = await entra.encryptPasswordContext(claims, current.certificatePem, { alg, enc, zip });
      const result = await decryptCompactJwe(jwe, ring);
      expect(result.protectedHeader.alg).toBe(alg);
      expect(result.protectedHeader.enc).toBe(enc);
      expect(result.protectedHeader.zip).toBe(zip ? 'DEF' : undefined);
      expect(payloadOf(result.plaintext).nonce).toBe(claims.nonce);
    });
  });

  it('uses the previous key when x5t names it', async () => {
    const jwe = await entra.encryptPasswordContext(claims, previous.certificatePem);
    expect((await decryptCompactJwe(jwe, ring)).key.label).toBe('previous');
  });

  it('falls back to each key in turn when there is no x5t', async () => {
    const jwe = await entra.encryptPasswordContext(claims, previous.certificatePem, { includeX5t: false });
    const result = await decryptCompactJwe(jwe, ring);
    expect(result.key.label).toBe('previous');
    expect(result.protectedHeader.x5t).toBeUndefined();
  });

  it('falls back to each key in turn when x5t names an unknown certificate', async () => {
    const jwe = await new CompactEncrypt(new TextEncoder().encode('{"a":1}'))
      .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', x5t: 'bm90LWEtdGh1bWJwcmludA' })
      .encrypt(new X509Certificate(previous.certificatePem).publicKey);
    expect((await decryptCompactJwe(jwe, ring)).key.label).toBe('previous');
  });

  it('keeps plaintext up to the limit and refuses more, compressed or not', async () => {
    const big = 'x'.repeat(5000);
    for (const zip of [true, false]) {
      const jwe = await entra.encryptPasswordContext({ ...claims, padding: big }, current.certificatePem, { zip });
      await expect(decryptCompactJwe(jwe, ring, { maxPlaintextBytes: 8000 })).resolves.toBeDefined();
      const error = await decryptCompactJwe(jwe, ring, { maxPlaintextBytes: 4000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JweError);
      expect((error as JweError).reason).toBe('too-large');
    }
  });
});
