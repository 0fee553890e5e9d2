/**
 * The RSA key sizes Entra accepts for the certificate it encrypts passwords to: 2048 or 4096 bits (a 3072-bit
 * key is not among them). The one rule behind `jitmigrate keygen --bits`, the certificate generator and the
 * Pulumi `certificateKeySize` key.
 */
export const ENCRYPTION_KEY_SIZES = [2048, 4096] as const;

export type EncryptionKeySize = (typeof ENCRYPTION_KEY_SIZES)[number];

export const DEFAULT_ENCRYPTION_KEY_SIZE: EncryptionKeySize = 2048;

export function isEncryptionKeySize(bits: number): bits is EncryptionKeySize {
  return (ENCRYPTION_KEY_SIZES as readonly number[]).includes(bits);
}

/** "2048 or 4096", for messages and help. */
export const ENCRYPTION_KEY_SIZES_TEXT = ENCRYPTION_KEY_SIZES.join(' or ');
