import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { generateEncryptionCertificate, type EncryptionCertificate } from './certificate';
import { KeyRing, KeyRingError } from './keyRing';

let current: EncryptionCertificate;
let previous: EncryptionCertificate;

beforeAll(async () => {
  [current, previous] = await Promise.all([generateEncryptionCertificate(), generateEncryptionCertificate()]);
});

const combined = (c: EncryptionCertificate) => `${c.privateKeyPem}${c.certificatePem}`;

function expectKeyRingError(action: () => unknown, setting: string, secretPem?: string): KeyRingError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KeyRingError);
  const error = caught as KeyRingError;
  expect(error.message).toContain(setting);
  if (secretPem) {
    // No line of the PEM body (key material) may appear in the message.
    for (const line of secretPem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(error.message).not.toContain(line);
  }
  return error;
}

describe('KeyRing.fromPem', () => {
  it('reads a Key Vault PEM export (PKCS#8 key followed by its certificate)', () => {
    const ring = KeyRing.fromPem(combined(current));
    expect(ring.keys).toHaveLength(1);
    const key = ring.keys[0]!;
    expect(key.label).toBe('current');
    expect(key.privateKey.asymmetricKeyType).toBe('rsa');
    expect(key.x5t).toBe(current.x5t);
    expect(key.x5tS256).toBe(createHash('sha256').update(Buffer.from(current.certificateBase64Der, 'base64')).digest('base64url'));
    expect(key.certificate?.raw.toString('base64')).toBe(current.certificateBase64Der);
  });

  it('accepts the certificate before the key', () => {
    expect(KeyRing.fromPem(`${current.certificatePem}${current.privateKeyPem}`).keys[0]!.x5t).toBe(current.x5t);
  });

  it('accepts a PKCS#1 "BEGIN RSA PRIVATE KEY" key', () => {
    const pkcs1 = createPrivateKey(current.privateKeyPem).export({ format: 'pem', type: 'pkcs1' }) as string;
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    expect(KeyRing.fromPem(`${pkcs1}${current.certificatePem}`).keys[0]!.x5t).toBe(current.x5t);
  });

  it('tolerates literal \\n escapes, CRLF and line breaks flattened to spaces', () => {
    const escaped = combined(current).replace(/\n/g, '\\n');
    const crlf = combined(current).replace(/\n/g, '\r\n');
    const flattened = combined(current).replace(/\n(?!-----)/g, ' ');
    for (const value of [escaped, crlf, flattened, `  ${combined(current)}  `]) {
      expect(KeyRing.fromPem(value).keys[0]!.x5t).toBe(current.x5t);
    }
  });

  it('accepts a bare private key (no certificate, so no thumbprints)', () => {
    const key = KeyRing.fromPem(current.privateKeyPem).keys[0]!;
    expect(key.certificate).toBeUndefined();
    expect(key.x5t).toBeUndefined();
  });

  it('picks the certificate of the key from a chain', () => {
    const ring = KeyRing.fromPem(`${previous.certificatePem}${current.privateKeyPem}${current.certificatePem}`);
    expect(ring.keys[0]!.x5t).toBe(current.x5t);
  });

  it('adds the previous key after the current one; an empty previous setting is ignored', () => {
    const ring = KeyRing.fromPem(combined(current), combined(previous));
    expect(ring.keys.map((k) => [k.label, k.x5t])).toEqual([
      ['current', current.x5t],
      ['previous', previous.x5t],
    ]);
    expect(KeyRing.fromPem(combined(current), '  ').keys).toHaveLength(1);
    expect(Object.isFrozen(ring.keys)).toBe(true);
  });

  describe('refuses unusable settings, naming the setting and never echoing key material', () => {
    it('empty or no PEM', () => {
      expect(expectKeyRingError(() => KeyRing.fromPem(''), 'DecryptionPrivateKey').message).toMatch(/not set/);
      expectKeyRingError(() => KeyRing.fromPem(undefined as unknown as string), 'DecryptionPrivateKey');
      expectKeyRingError(() => KeyRing.fromPem('not a key'), 'DecryptionPrivateKey');
      expectKeyRingError(() => KeyRing.fromPem(current.certificatePem), 'DecryptionPrivateKey');
    });

    it('two private keys', () => {
      expectKeyRingError(() => KeyRing.fromPem(`${current.privateKeyPem}${previous.privateKeyPem}`), 'DecryptionPrivateKey', current.privateKeyPem);
    });

    it('a corrupted key', () => {
      const corrupted = current.privateKeyPem.replace(/(\n[A-Za-z0-9+/]{10})[A-Za-z0-9+/]{20}/, '$1AAAAAAAAAAAAAAAAAAAA');
      expectKeyRingError(() => KeyRing.fromPem(corrupted), 'DecryptionPrivateKey', current.privateKeyPem);
    });

    it('a non-RSA key', () => {
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
      expect(expectKeyRingError(() => KeyRing.fromPem(ec), 'DecryptionPrivateKey', ec).message).toMatch(/RSA/);
    });

    it('an RSA key under 2048 bits', () => {
      const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
      expect(expectKeyRingError(() => KeyRing.fromPem(small), 'DecryptionPrivateKey', small).message).toMatch(/2048/);
    });

    it('a certificate that belongs to another key', () => {
      expectKeyRingError(() => KeyRing.fromPem(`${current.privateKeyPem}${previous.certificatePem}`), 'DecryptionPrivateKey', current.privateKeyPem);
    });

    it('a password-protected key', () => {
      const encrypted = createPrivateKey(current.privateKeyPem).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
      expect(expectKeyRingError(() => KeyRing.fromPem(encrypted), 'DecryptionPrivateKey').message).toMatch(/encrypted/);
    });

    it('a bad previous key names DecryptionPrivateKeyPrevious', () => {
      expectKeyRingError(() => KeyRing.fromPem(combined(current), 'garbage'), 'DecryptionPrivateKeyPrevious');
    });
  });
});

describe('KeyRing.candidatesFor', () => {
  let ring: KeyRing;
  beforeAll(() => {
    ring = KeyRing.fromPem(combined(current), combined(previous));
  });
  const labels = (keys: readonly { label: string }[]) => keys.map((k) => k.label);

  it('selects the key named by x5t (Entra sends x5t)', () => {
    expect(labels(ring.candidatesFor({ x5t: previous.x5t }))).toEqual(['previous']);
    expect(labels(ring.candidatesFor({ x5t: current.x5t }))).toEqual(['current']);
  });

  it('selects by x5t#S256 and by kid (x5t or hex thumbprint in any case)', () => {
    expect(labels(ring.candidatesFor({ 'x5t#S256': ring.keys[1]!.x5tS256 }))).toEqual(['previous']);
    expect(labels(ring.candidatesFor({ kid: previous.x5t }))).toEqual(['previous']);
    const hex = createHash('sha1').update(Buffer.from(previous.certificateBase64Der, 'base64')).digest('hex');
    expect(labels(ring.candidatesFor({ kid: hex }))).toEqual(['previous']);
    expect(labels(ring.candidatesFor({ kid: hex.toUpperCase() }))).toEqual(['previous']);
  });

  it('falls back to every key, current first, for an unknown, absent or non-string thumbprint', () => {
    expect(labels(ring.candidatesFor({ x5t: 'unknown' }))).toEqual(['current', 'previous']);
    expect(labels(ring.candidatesFor({}))).toEqual(['current', 'previous']);
    expect(labels(ring.candidatesFor({ x5t: 42, kid: {} }))).toEqual(['current', 'previous']);
  });
});

describe('KeyRing.requestKeySecret', () => {
  it('is 32 bytes, the same for the same key on every instance, different for another key', () => {
    const a = KeyRing.fromPem(combined(current)).requestKeySecret;
    const b = KeyRing.fromPem(current.privateKeyPem, combined(previous)).requestKeySecret;
    const c = KeyRing.fromPem(combined(previous)).requestKeySecret;
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('is not part of the key', () => {
    const secret = KeyRing.fromPem(combined(current)).requestKeySecret;
    const der = createPrivateKey(current.privateKeyPem).export({ format: 'der', type: 'pkcs8' });
    expect(der.includes(secret)).toBe(false);
  });
});
