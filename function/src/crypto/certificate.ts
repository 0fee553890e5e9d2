/**
 * A self-signed RSA certificate for the extension app registration's `keyCredentials`
 * (docs/entra-contracts.md#encryption-key: `AsymmetricX509Cert`, usage `Encrypt`, `key` = base64 DER, `keyId` = `tokenEncryptionKeyId`).
 */
import 'reflect-metadata';
import { randomBytes, randomUUID, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { certificateThumbprint, pemEncode } from './keyRing';
import { DEFAULT_ENCRYPTION_KEY_SIZE, ENCRYPTION_KEY_SIZES_TEXT, isEncryptionKeySize, type EncryptionKeySize } from './keySizes';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface EncryptionCertificate {
  /** PKCS#8 PEM; this is the secret. */
  privateKeyPem: string;
  certificatePem: string;
  /** The `key` of an Entra `keyCredentials` entry. */
  certificateBase64Der: string;
  /** base64url(SHA-1(DER)): the `x5t` Entra puts in the JWE header. */
  x5t: string;
  /** Random GUID for `keyCredentials[].keyId` and `tokenEncryptionKeyId`. */
  keyId: string;
  notBefore: Date;
  notAfter: Date;
}

export interface EncryptionCertificateOptions {
  /** Default `CN=JitMigration`. */
  subject?: string;
  /** Default 365. */
  validityDays?: number;
  /** Default 2048; Entra takes 2048 or 4096 (keySizes.ts). */
  modulusLength?: EncryptionKeySize;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Backdated so a freshly uploaded certificate is valid despite clock differences between machines. */
const BACKDATE_MS = 5 * 60 * 1000;

export async function generateEncryptionCertificate(options?: EncryptionCertificateOptions): Promise<EncryptionCertificate> {
  const subject = options?.subject ?? 'CN=JitMigration';
  const validityDays = options?.validityDays ?? 365;
  const modulusLength = options?.modulusLength ?? DEFAULT_ENCRYPTION_KEY_SIZE;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 3650) {
    throw new RangeError('validityDays must be an integer between 1 and 3650');
  }
  if (!isEncryptionKeySize(modulusLength)) throw new RangeError(`modulusLength must be ${ENCRYPTION_KEY_SIZES_TEXT}`);

  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;

  // X.509 times have second precision; round so the returned dates equal the certificate's.
  const notBefore = new Date(Math.floor((Date.now() - BACKDATE_MS) / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + BACKDATE_MS + validityDays * DAY_MS);
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f; // positive INTEGER (RFC 5280 section 4.1.2.2)

  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: subject,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });

  const der = Buffer.from(certificate.rawData);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    privateKeyPem: pemEncode('PRIVATE KEY', pkcs8),
    certificatePem: pemEncode('CERTIFICATE', der),
    certificateBase64Der: der.toString('base64'),
    x5t: certificateThumbprint(der),
    keyId: randomUUID(),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  };
}
