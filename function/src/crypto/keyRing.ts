/**
 * The RSA keys that decrypt what Entra encrypts to the extension app's certificate
 * (docs/entra-contracts.md#encryption-key: `keyCredentials` + `tokenEncryptionKeyId`, rotation by `x5t`).
 * Parsed once at start-up; nothing here ever puts key material into an error message.
 */
import { X509Certificate, createHash, createPrivateKey, hkdfSync, type KeyObject } from 'node:crypto';

export type KeyLabel = 'current' | 'previous';

export interface DecryptionKey {
  readonly label: KeyLabel;
  readonly privateKey: KeyObject;
  /** base64url(SHA-1(certificate DER)): the JWE `x5t` header Entra sends. */
  readonly x5t?: string;
  /** base64url(SHA-256(certificate DER)). */
  readonly x5tS256?: string;
  readonly certificate?: X509Certificate;
}

/** A configuration problem; the message names the app setting to fix. */
export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

const SETTING: Record<KeyLabel, string> = { current: 'DecryptionPrivateKey', previous: 'DecryptionPrivateKeyPrevious' };
const MIN_MODULUS_BITS = 2048;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export class KeyRing {
  readonly keys: readonly DecryptionKey[];
  readonly requestKeySecret: Buffer;
  /** Upper-case hex SHA-1 thumbprints (the form Azure portals show), for `kid` matching. */
  private readonly hexThumbprints: ReadonlyMap<DecryptionKey, string>;

  private constructor(keys: DecryptionKey[]) {
    this.keys = Object.freeze(keys);
    const current = keys[0]!;
    // Shared by every instance because every instance holds the same key; derived, so the key itself never leaves.
    const der = current.privateKey.export({ format: 'der', type: 'pkcs8' });
    this.requestKeySecret = Buffer.from(hkdfSync('sha256', der, Buffer.from('entra-jit-migration'), Buffer.from('jit-request-key'), 32));
    der.fill(0);
    const hex = new Map<DecryptionKey, string>();
    for (const key of keys) {
      if (key.certificate) hex.set(key, createHash('sha1').update(key.certificate.raw).digest('hex').toUpperCase());
    }
    this.hexThumbprints = hex;
  }

  /** `current` from DecryptionPrivateKey and optional `previous` from DecryptionPrivateKeyPrevious. */
  static fromPem(current: string, previous?: string): KeyRing {
    const keys = [parseKey(current, 'current')];
    if (previous !== undefined && previous.trim() !== '') keys.push(parseKey(previous, 'previous'));
    return new KeyRing(keys);
  }

  /**
   * Keys to try for a JWE header. A header whose `x5t`, `x5t#S256` or `kid` names a known certificate gets
   * only that key (trying others could not succeed); an unknown thumbprint or none gets every key, current first.
   */
  candidatesFor(header: { x5t?: unknown; 'x5t#S256'?: unknown; kid?: unknown }): readonly DecryptionKey[] {
    const { x5t, kid } = header;
    const x5tS256 = header['x5t#S256'];
    const matches = this.keys.filter((key) => {
      if (typeof x5t === 'string' && key.x5t === x5t) return true;
      if (typeof x5tS256 === 'string' && key.x5tS256 === x5tS256) return true;
      if (typeof kid === 'string' && kid !== '') {
        return kid === key.x5t || kid === key.x5tS256 || kid.toUpperCase() === this.hexThumbprints.get(key);
      }
      return false;
    });
    return matches.length > 0 ? matches : this.keys;
  }
}

function parseKey(value: string, label: KeyLabel): DecryptionKey {
  const setting = SETTING[label];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new KeyRingError(`${setting} is not set: set it to the PEM private key of the encryption certificate (a Key Vault reference)`);
  }
  const blocks = pemBlocks(value);
  const keyBlocks = blocks.filter((block) => block.type.endsWith('PRIVATE KEY'));
  if (keyBlocks.some((block) => block.type === 'ENCRYPTED PRIVATE KEY' || block.encrypted)) {
    throw new KeyRingError(`${setting} holds an encrypted private key: export the key without a password (Key Vault PEM secret)`);
  }
  if (keyBlocks.length !== 1) {
    throw new KeyRingError(
      `${setting} must hold exactly one PEM private key ("BEGIN PRIVATE KEY" or "BEGIN RSA PRIVATE KEY"), optionally with its certificate; found ${keyBlocks.length}`,
    );
  }
  const keyBlock = keyBlocks[0]!;
  if (keyBlock.type !== 'PRIVATE KEY' && keyBlock.type !== 'RSA PRIVATE KEY') {
    throw new KeyRingError(`${setting} holds an unsupported private key type: use an RSA key in PKCS#8 or PKCS#1 PEM`);
  }

  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: keyBlock.pem, format: 'pem' });
  } catch {
    // Node's message is not echoed: it is not needed to fix the setting.
    throw new KeyRingError(`${setting} does not contain a readable PEM private key: re-export the certificate's key from Key Vault`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new KeyRingError(`${setting} is not an RSA key: Entra encrypts with RSA-OAEP, so the encryption certificate must use an RSA key`);
  }
  const modulusLength = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (modulusLength < MIN_MODULUS_BITS) {
    throw new KeyRingError(`${setting} is an RSA key of ${modulusLength} bits: use at least ${MIN_MODULUS_BITS} bits`);
  }

  const certificates = blocks.filter((block) => block.type === 'CERTIFICATE');
  if (certificates.length === 0) return Object.freeze({ label, privateKey });

  // A Key Vault export may carry a chain; the leaf is the certificate of this key.
  let certificate: X509Certificate | undefined;
  for (const block of certificates) {
    let parsed: X509Certificate;
    try {
      parsed = new X509Certificate(block.pem);
    } catch {
      throw new KeyRingError(`${setting} contains an unreadable certificate: re-export the PEM certificate from Key Vault`);
    }
    if (parsed.checkPrivateKey(privateKey)) {
      certificate = parsed;
      break;
    }
  }
  if (!certificate) {
    throw new KeyRingError(`${setting} contains a certificate that does not match its private key: export the key and certificate together`);
  }
  return Object.freeze({
    label,
    privateKey,
    certificate,
    x5t: certificateThumbprint(certificate.raw),
    x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
  });
}

interface PemBlock {
  readonly type: string;
  readonly pem: string;
  /** Legacy OpenSSL encryption (`Proc-Type: 4,ENCRYPTED` inside a PKCS#1 block). */
  readonly encrypted: boolean;
}

/**
 * PEM blocks in a setting value, re-wrapped canonically. Tolerates CRLF, `\n` escaped as a literal
 * backslash-n (some app-setting editors do that) and line breaks flattened to spaces.
 */
function pemBlocks(value: string): PemBlock[] {
  const text = value.replace(/\\r/g, '').replace(/\\n/g, '\n').replace(/\r/g, '');
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const type = match[1]!;
    const encrypted = match[2]!.includes('Proc-Type:');
    blocks.push({ type, encrypted, pem: pemEncode(type, match[2]!.replace(/\s+/g, '')) });
  }
  return blocks;
}

/** `x5t`: base64url(SHA-1(certificate DER)) (RFC 7515 section 4.1.7). */
export function certificateThumbprint(der: Buffer): string {
  return createHash('sha1').update(der).digest('base64url');
}

/** PEM with 64-character lines, from DER or from base64 text. */
export function pemEncode(type: string, body: Buffer | string): string {
  const base64 = typeof body === 'string' ? body : body.toString('base64');
  return `-----BEGIN ${type}-----\n${(base64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${type}-----\n`;
}
