import { createHash } from 'node:crypto';
import { encodeCrypt64 } from '../encoding';

/**
 * The iterated, salted digest of Openwall's phpass "portable hashes" ($P$ / $H$, MD5) and of
 * Drupal 7's password.inc ($S$, SHA-512): h = H(salt ‖ password), then 2^log2 times
 * h = H(h ‖ password). Returns the full crypt64 encoding; callers truncate (Drupal keeps 43
 * characters). Pure CPU work: worker pool only.
 */
export function phpassChecksum(algorithm: 'md5' | 'sha512', password: Buffer, salt: Buffer, log2: number): string {
  let hash = createHash(algorithm).update(salt).update(password).digest();
  for (let count = 2 ** log2; count > 0; count--) hash = createHash(algorithm).update(hash).update(password).digest();
  return encodeCrypt64(hash);
}
