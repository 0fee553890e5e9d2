/** Negative suite for the one JWE path (crypto/jwe.ts): everything that is not a well-formed JWE to our key fails closed. */
import { X509Certificate } from 'node:crypto';
import { CompactEncrypt, type CompactJWEHeaderParameters } from 'jose';
import { generateEncryptionCertificate, type EncryptionCertificate } from '../../src/crypto/certificate';
import { decryptCompactJwe, JweError, MAX_COMPACT_JWE_LENGTH, type JweFailure } from '../../src/crypto/jwe';
import { KeyRing } from '../../src/crypto/keyRing';
import { FakeEntra } from '../support/fakeEntra';

const TENANT = '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f';
const APP = 'c0ffee00-1234-4abc-9def-0123456789ab';

let entra: FakeEntra;
let current: EncryptionCertificate;
let previous: EncryptionCertificate;
let stranger: EncryptionCertificate;
let ring: KeyRing;
let valid: string;

beforeAll(async () => {
  [entra, current, previous, stranger] = await Promise.all([
    FakeEntra.start({ tenantId: TENANT, extensionAppId: APP }),
    generateEncryptionCertificate(),
    generateEncryptionCertificate(),
    generateEncryptionCertificate(),
  ]);
  ring = KeyRing.fromPem(`${current.privateKeyPem}${current.certificatePem}`, `${previous.privateKeyPem}${previous.certificatePem}`);
  valid = await entra.encryptPasswordContext({ username: 'alice', password: 'S3cret-Passw0rd', nonce: 'n-1' }, current.certificatePem);
});
afterAll(() => entra.stop());

/** Fails with a JweError of the given reason whose message quotes none of the input. */
async function expectRefused(jwe: string, reason: JweFailure | JweFailure[], targetRing: KeyRing = ring, options?: { maxPlaintextBytes?: number }): Promise<void> {
  const error = await decryptCompactJwe(jwe, targetRing, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JweError);
  expect(Array.isArray(reason) ? reason : [reason]).toContain((error as JweError).reason);
  for (const part of typeof jwe === 'string' ? jwe.split('.') : []) {
    if (part.length >= 8) expect((error as JweError).message).not.toContain(part.slice(0, 8));
  }
}

const parts = (jwe: string) => jwe.split('.');
/** Flips one bit in the middle of a base64url part. */
function flip(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  return bytes.toString('base64url');
}
function withPart(jwe: string, index: number, value: string): string {
  const p = parts(jwe);
  p[index] = value;
  return p.join('.');
}
const encodeHeader = (header: Record<string, unknown>) => Buffer.from(JSON.stringify(header)).toString('base64url');
const publicKey = (c: EncryptionCertificate) => new X509Certificate(c.certificatePem).publicKey;
async function encryptRaw(plaintext: string | Uint8Array, header: CompactJWEHeaderParameters, crit?: Record<string, boolean>): Promise<string> {
  return new CompactEncrypt(typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext)
    .setProtectedHeader(header)
    .encrypt(publicKey(current), crit ? { crit } : undefined);
}

describe('structure is checked before any crypto', () => {
  it('refuses a non-string, an empty string and plain text', async () => {
    await expectRefused(undefined as unknown as string, 'malformed');
    await expectRefused('', 'malformed');
    await expectRefused('hello', 'malformed');
  });

  it('refuses 3, 4 and 6 parts', async () => {
    const p = parts(valid);
    await expectRefused(p.slice(0, 3).join('.'), 'malformed');
    await expectRefused(p.slice(0, 4).join('.'), 'malformed');
    await expectRefused(`${valid}.${p[4]}`, 'malformed');
  });

  it('refuses empty parts and characters outside base64url', async () => {
    await expectRefused(withPart(valid, 1, ''), 'malformed');
    await expectRefused(withPart(valid, 2, ''), 'malformed');
    await expectRefused(withPart(valid, 4, ''), 'malformed');
    await expectRefused(withPart(valid, 3, `${parts(valid)[3]}+/=`), 'malformed');
    await expectRefused(` ${valid}`, 'malformed');
  });

  it('refuses input over the length cap without looking at it', async () => {
    const spy = jest.spyOn(ring, 'candidatesFor');
    await expectRefused(withPart(valid, 3, 'A'.repeat(MAX_COMPACT_JWE_LENGTH)), 'malformed');
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('refuses a header that is not base64url JSON of an object', async () => {
    await expectRefused(withPart(valid, 0, Buffer.from('not json').toString('base64url')), 'malformed');
    await expectRefused(withPart(valid, 0, Buffer.from('[1,2]').toString('base64url')), 'malformed');
    await expectRefused(withPart(valid, 0, Buffer.from('null').toString('base64url')), 'malformed');
  });

  it.each([
    ['alg RSA1_5', { alg: 'RSA1_5', enc: 'A128CBC-HS256' }],
    ['alg dir', { alg: 'dir', enc: 'A128CBC-HS256' }],
    ['alg A128KW', { alg: 'A128KW', enc: 'A128CBC-HS256' }],
    ['alg none', { alg: 'none', enc: 'A128CBC-HS256' }],
    ['alg PBES2', { alg: 'PBES2-HS256+A128KW', enc: 'A128CBC-HS256', p2c: 100000000, p2s: 'AAAAAAAAAAA' }],
    ['alg ECDH-ES', { alg: 'ECDH-ES', enc: 'A128CBC-HS256' }],
    ['no alg', { enc: 'A128CBC-HS256' }],
    ['enc A192GCM', { alg: 'RSA-OAEP', enc: 'A192GCM' }],
    ['no enc', { alg: 'RSA-OAEP' }],
    ['zip GZIP', { alg: 'RSA-OAEP', enc: 'A128CBC-HS256', zip: 'GZIP' }],
  ])('refuses %s before any RSA operation', async (_name, header) => {
    const spy = jest.spyOn(ring, 'candidatesFor');
    await expectRefused(withPart(valid, 0, encodeHeader(header)), 'unsupported');
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('refuses an unknown critical header parameter', async () => {
    const jwe = await encryptRaw('{}', { alg: 'RSA-OAEP', enc: 'A128CBC-HS256', crit: ['urn:example:unknown'], 'urn:example:unknown': true }, { 'urn:example:unknown': true });
    await expectRefused(jwe, 'unsupported');
  });
});

describe('integrity', () => {
  it.each([
    ['encrypted key', 1],
    ['IV', 2],
    ['ciphertext', 3],
    ['authentication tag', 4],
  ])('refuses a tampered %s', async (_name, index) => {
    await expectRefused(withPart(valid, index, flip(parts(valid)[index]!)), 'undecryptable');
  });

  it('refuses a tampered protected header (it is the AAD)', async () => {
    const header = JSON.parse(Buffer.from(parts(valid)[0]!, 'base64url').toString()) as Record<string, unknown>;
    await expectRefused(withPart(valid, 0, encodeHeader({ ...header, extra: 1 })), 'undecryptable');
    // Re-pointing x5t at the other key does not help either.
    await expectRefused(withPart(valid, 0, encodeHeader({ ...header, x5t: previous.x5t })), 'undecryptable');
  });

  it('refuses truncated tokens', async () => {
    // A cut that leaves invalid base64url is malformed; one that leaves valid base64url fails the tag.
    const either: JweFailure[] = ['malformed', 'undecryptable'];
    const p = parts(valid);
    for (let cut = 1; cut <= 8; cut += 1) await expectRefused(valid.slice(0, -cut), either);
    await expectRefused(withPart(valid, 3, p[3]!.slice(0, p[3]!.length - 22)), either);
    await expectRefused(withPart(valid, 4, p[4]!.slice(0, 10)), either);
    await expectRefused(withPart(valid, 1, p[1]!.slice(0, 100)), either);
  });

  it('refuses a GCM token with a tampered tag or ciphertext', async () => {
    const gcm = await entra.encryptPasswordContext({ username: 'a', password: 'b', nonce: 'c' }, current.certificatePem, { enc: 'A256GCM' });
    await expectRefused(withPart(gcm, 4, flip(parts(gcm)[4]!)), 'undecryptable');
    await expectRefused(withPart(gcm, 3, flip(parts(gcm)[3]!)), 'undecryptable');
  });
});

describe('keys', () => {
  it('refuses a JWE encrypted to a certificate that is not in the ring, with or without its x5t', async () => {
    for (const includeX5t of [true, false]) {
      const jwe = await entra.encryptPasswordContext({ username: 'a', password: 'b', nonce: 'c' }, stranger.certificatePem, { includeX5t });
      await expectRefused(jwe, 'undecryptable');
    }
  });

  it('refuses a JWE to the previous key once the previous key is gone', async () => {
    const jwe = await entra.encryptPasswordContext({ username: 'a', password: 'b', nonce: 'c' }, previous.certificatePem);
    await expectRefused(jwe, 'undecryptable', KeyRing.fromPem(`${current.privateKeyPem}${current.certificatePem}`));
  });

  it('tries only the key x5t names (a wrong-key attempt costs one RSA operation)', async () => {
    const jwe = await entra.encryptPasswordContext({ username: 'a', password: 'b', nonce: 'c' }, previous.certificatePem);
    const spy = jest.spyOn(ring, 'candidatesFor');
    await expect(decryptCompactJwe(jwe, ring)).resolves.toMatchObject({ key: { label: 'previous' } });
    expect(spy.mock.results[0]!.value).toHaveLength(1);
    spy.mockRestore();
  });
});

describe('size', () => {
  it('stops a deflate bomb at the decompressed size limit', async () => {
    const bomb = await encryptRaw(new Uint8Array(10 * 1024 * 1024), { alg: 'RSA-OAEP', enc: 'A128CBC-HS256', zip: 'DEF' });
    expect(bomb.length).toBeLessThan(MAX_COMPACT_JWE_LENGTH);
    await expectRefused(bomb, 'too-large');
  });

  it('refuses an uncompressed plaintext over the limit', async () => {
    const jwe = await encryptRaw('y'.repeat(2000), { alg: 'RSA-OAEP', enc: 'A128GCM' });
    await expectRefused(jwe, 'too-large', ring, { maxPlaintextBytes: 1000 });
  });

  it('refuses a zip header over content that is not deflate data', async () => {
    const jwe = await encryptRaw('plain, not deflated', { alg: 'RSA-OAEP', enc: 'A128CBC-HS256' });
    // Same content under a header that claims compression: the header is the AAD, so the tag fails first.
    await expectRefused(withPart(jwe, 0, encodeHeader({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', zip: 'DEF' })), 'undecryptable');
  });
});
