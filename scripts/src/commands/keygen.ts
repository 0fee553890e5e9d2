/**
 * `jitmigrate keygen`: the RSA key pair and self-signed certificate Entra encrypts passwords to
 * (docs/entra-contracts.md#encryption-key: keyCredentials takes the base64 DER certificate, keyId = tokenEncryptionKeyId).
 * Every file is written with mode 0600 and never over an existing one; the private key is never printed.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { generateEncryptionCertificate } from '../../../function/src/crypto';
import { DEFAULT_ENCRYPTION_KEY_SIZE, ENCRYPTION_KEY_SIZES_TEXT, isEncryptionKeySize, type EncryptionKeySize } from '../../../function/src/crypto';
import { makeDirectory } from '../operations/files';
import { integerOption, parseOptions, UsageError } from './args';

const HELP = `usage: jitmigrate keygen [--out DIR] [--subject CN=JitMigration] [--days 365] [--bits 2048|4096] [--force]

Writes to DIR (default ./keys):
  decryption-key.pem     private key PEM followed by the certificate PEM: the DecryptionPrivateKey app setting
                         (the shape Key Vault exports for a PEM certificate)
  private-key.pem        the private key alone (PKCS#8)
  certificate.pem        the self-signed certificate
  key-credential.json    the keyCredentials entry for the extension app registration, and its keyId
                         (use the same GUID as tokenEncryptionKeyId)
Prints the thumbprint (x5t), keyId and validity. In Azure, prefer the Key Vault certificate the Pulumi
program creates, so the private key never leaves the vault.`;

export interface KeygenResult {
  readonly files: Record<'decryptionKey' | 'privateKey' | 'certificate' | 'keyCredential', string>;
  readonly x5t: string;
  readonly keyId: string;
  readonly notAfter: Date;
}

export async function keygen(options: { outDir: string; subject?: string; validityDays?: number; modulusLength?: EncryptionKeySize; force?: boolean }): Promise<KeygenResult> {
  const cert = await generateEncryptionCertificate({ subject: options.subject, validityDays: options.validityDays, modulusLength: options.modulusLength });
  await makeDirectory(options.outDir, '--out');
  const files = {
    decryptionKey: path.join(options.outDir, 'decryption-key.pem'),
    privateKey: path.join(options.outDir, 'private-key.pem'),
    certificate: path.join(options.outDir, 'certificate.pem'),
    keyCredential: path.join(options.outDir, 'key-credential.json'),
  };
  const keyCredential = {
    keyCredentials: [
      {
        keyId: cert.keyId,
        type: 'AsymmetricX509Cert',
        usage: 'Encrypt',
        key: cert.certificateBase64Der,
        displayName: options.subject ?? 'CN=JitMigration',
        startDateTime: cert.notBefore.toISOString(),
        endDateTime: cert.notAfter.toISOString(),
      },
    ],
    tokenEncryptionKeyId: cert.keyId,
    x5t: cert.x5t,
  };
  const contents: [string, string][] = [
    [files.decryptionKey, `${cert.privateKeyPem.trim()}\n${cert.certificatePem.trim()}\n`],
    [files.privateKey, `${cert.privateKeyPem.trim()}\n`],
    [files.certificate, `${cert.certificatePem.trim()}\n`],
    [files.keyCredential, `${JSON.stringify(keyCredential, null, 2)}\n`],
  ];
  if (!options.force) {
    for (const [file] of contents) {
      const exists = await fs.access(file).then(
        () => true,
        () => false,
      );
      if (exists) throw new UsageError(`${file} already exists: choose another --out directory or pass --force to replace the key`);
    }
  }
  for (const [file, text] of contents) {
    // O_EXCL unless --force, and 0600 from creation: the key is never readable by others, not even briefly.
    const flags = options.force ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
    const handle = await fs.open(file, flags, 0o600);
    try {
      await handle.writeFile(text);
      await handle.chmod(0o600);
    } finally {
      await handle.close();
    }
  }
  return { files, x5t: cert.x5t, keyId: cert.keyId, notAfter: cert.notAfter };
}

export const keygenCommand = {
  summary: 'generate the password-encryption key pair',
  async run(argv: string[]): Promise<number> {
    const { values } = parseOptions(
      argv,
      { out: { type: 'string' }, subject: { type: 'string' }, days: { type: 'string' }, bits: { type: 'string' }, force: { type: 'boolean' } },
      HELP,
    );
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const bits = values.bits === undefined ? DEFAULT_ENCRYPTION_KEY_SIZE : Number(values.bits);
    if (!isEncryptionKeySize(bits)) throw new UsageError(`--bits must be ${ENCRYPTION_KEY_SIZES_TEXT}: the RSA key sizes Entra accepts for the encryption certificate`);
    const subject = values.subject ?? 'CN=JitMigration';
    if (!/^CN=[^,]{1,64}$/.test(subject)) throw new UsageError('--subject must look like CN=<name> (up to 64 characters)');
    const result = await keygen({
      outDir: path.resolve(values.out ?? 'keys'),
      subject,
      validityDays: integerOption(values.days, 'days', 365, 1, 3650),
      modulusLength: bits,
      force: values.force,
    });
    process.stdout.write(
      [
        `Wrote (mode 0600):`,
        ...Object.values(result.files).map((f) => `  ${f}`),
        `x5t (SHA-1 thumbprint, base64url): ${result.x5t}`,
        `keyId / tokenEncryptionKeyId:      ${result.keyId}`,
        `valid until:                       ${result.notAfter.toISOString()}`,
        `Next: put decryption-key.pem into Key Vault and reference it from the DecryptionPrivateKey app setting;`,
        `PATCH key-credential.json onto the extension app registration (see docs/entra-contracts.md#encryption-key).`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
