import { generatedVectors } from '../../test/vectors';
import { LIMITS } from './limits';
import { createHashRegistry, type HashRegistry } from './registry';
import { MalformedHashError } from './types';

/** Hashes over a cost ceiling are refused before any hashing, so a bad row can't tie the function up. */
let registry: HashRegistry;
beforeAll(() => {
  registry = createHashRegistry();
});
afterAll(() => registry.close());

const b64 = (bytes: number[] | Buffer) => Buffer.from(bytes).toString('base64');
const aspNetV3 = (prf: number, iterations: number, subkeyLength = 32) => {
  const header = Buffer.alloc(13);
  header[0] = 0x01;
  header.writeUInt32BE(prf, 1);
  header.writeUInt32BE(iterations, 5);
  header.writeUInt32BE(16, 9);
  return b64(Buffer.concat([header, Buffer.alloc(16, 7), Buffer.alloc(subkeyLength, 9)]));
};
const firebaseParams = (overrides: Record<string, unknown>) => ({
  algorithm: 'firebase-scrypt',
  salt: 'c2FsdA==',
  signerKey: b64(Buffer.alloc(64, 1)),
  saltSeparator: 'Bw==',
  rounds: 8,
  memCost: 14,
  ...overrides,
});
const salt22 = 'abcdefghijklmnopqrstuv';
const checksum31 = 'abcdefghijklmnopqrstuvwxyz01234';

const overLimit: ReadonlyArray<readonly [string, string, Record<string, unknown>?]> = [
  ['bcrypt', `$2b$17$${salt22}${checksum31}`],
  ['bcrypt', `$2a$03$${salt22}${checksum31}`],
  ['wordpress-bcrypt', `$wp$2y$31$${salt22}${checksum31}`],
  ['django-bcrypt-sha256', `bcrypt_sha256$$2b$20$${salt22}${checksum31}`],
  ['argon2id', '$argon2id$v=19$m=2097152,t=3,p=4$c29tZXNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0'],
  ['argon2i', '$argon2i$v=19$m=65536,t=1000,p=4$c29tZXNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0'],
  ['argon2d', '$argon2d$v=19$m=65536,t=3,p=0$c29tZXNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0'],
  ['argon2id', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$ZGlnZXN0ZGlnZXN0ZGlnZXN0'], // 4-byte salt
  ['argon2id', '$argon2id$v=20$m=65536,t=3,p=4$c29tZXNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0'], // unknown version
  ['django-argon2', 'argon2$argon2id$v=19$m=4194304,t=2,p=8$c29tZXNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0'],
  ['scrypt', '$scrypt$ln=25,r=8,p=1$c29tZXNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0'], // 32 GiB
  ['scrypt', '$scrypt$ln=16,r=8,p=4096$c29tZXNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0'], // work
  ['firebase-scrypt', b64(Buffer.alloc(64, 2)), firebaseParams({ memCost: 21 })],
  ['firebase-scrypt', b64(Buffer.alloc(64, 2)), firebaseParams({ rounds: 'eight' })],
  ['firebase-scrypt', b64(Buffer.alloc(64, 2)), firebaseParams({ signerKey: undefined })],
  ['firebase-scrypt', b64(Buffer.alloc(32, 2)), firebaseParams({})], // hash shorter than the signer key
  ['django-pbkdf2-sha256', 'pbkdf2_sha256$10000001$salt$GiC4k5kqbbR9qWBlsRgDywNqC2vd9kqfk7zdorEnNas='],
  ['django-pbkdf2-sha1', 'pbkdf2_sha1$0$salt$ro/v+eItpksLdpPp8A1kJiGNkos='],
  ['passlib-pbkdf2-sha256', '$pbkdf2-sha256$99999999$x9h7j/Ge8x6DMEao1VqrdQ$kra3R1wEnY8mPdDWOpTqOTINaAmZvRMcYd8u5OBQP9A'],
  ['aspnet-identity-v3', aspNetV3(1, 0xffffffff)],
  ['aspnet-identity-v3', aspNetV3(2, 0)],
  ['aspnet-identity-v3', aspNetV3(0, 2_000_000, 128)], // 7 SHA-1 blocks × 2M iterations
  ['sha512-crypt', `$6$rounds=10000001$saltsalt$${'a'.repeat(86)}`],
  ['sha256-crypt', `$5$rounds=999999999$saltsalt$${'a'.repeat(43)}`],
  ['ldap-crypt', `{CRYPT}$6$rounds=50000000$saltsalt$${'a'.repeat(86)}`],
  ['phpass', '$P$L84478476IagS59wHZvyQMArzfx58u.'], // 2^23
  ['phpass', '$H$z84478476IagS59wHZvyQMArzfx58u.'],
  ['phpass', '$P$484478476IagS59wHZvyQMArzfx58u.'], // 2^6, below phpass's minimum
  ['drupal7', '$S$Z33783772bRXEx1aCsvY.dqgaaSu76XmVlKrW9Qu8IQlvxHlmzLf'],
  ['drupal7-upgraded-md5', 'U$S$z33783772bRXEx1aCsvY.dqgaaSu76XmVlKrW9Qu8IQlvxHlmzLf'],
];

describe('cost ceilings', () => {
  it.each(overLimit.map(([scheme, hash, params]) => [scheme, hash.slice(0, 48), hash, params] as const))(
    '%s refuses %s',
    async (scheme, _shown, hash, params) => {
      expect(registry.identify(hash, params)?.id).toBe(scheme);
      const started = performance.now();
      const error = await registry.verify('secret-password', hash, params).catch((caught: unknown) => caught);
      expect(performance.now() - started).toBeLessThan(250);
      expect(error).toBeInstanceOf(MalformedHashError);
      const message = (error as Error).message;
      expect(message).not.toContain('secret-password');
      expect(message).not.toContain(hash.slice(-20));
    },
  );

  it('documents ceilings no lower than the costs the source systems use by default', () => {
    expect(LIMITS.bcryptMaxCost).toBeGreaterThanOrEqual(12);
    expect(LIMITS.pbkdf2MaxIterations).toBeGreaterThanOrEqual(1_000_000);
    expect(LIMITS.shaCryptMaxRounds).toBeGreaterThanOrEqual(656_000);
    expect(LIMITS.phpassMaxLog2).toBeGreaterThanOrEqual(19);
    expect(LIMITS.argon2MaxMemoryKiB).toBeGreaterThanOrEqual(102_400);
  });
});

describe('SHA-crypt rounds below the minimum', () => {
  it('counts as 1000 rounds, as glibc does', async () => {
    const vector = generatedVectors().find((v) => v.scheme === 'sha512-crypt' && v.hash.startsWith('$6$rounds=1000$'));
    if (!vector?.password) throw new Error('fixture lacks a rounds=1000 sha512-crypt vector');
    const lowered = vector.hash.replace('rounds=1000$', 'rounds=10$');
    await expect(registry.verify(vector.password, lowered)).resolves.toEqual({ scheme: 'sha512-crypt', ok: true });
  });
});
