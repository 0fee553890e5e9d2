import { constantTimeEqualText } from '../compare';
import { CRYPT64_ALPHABET } from '../encoding';
import { LIMITS } from '../limits';
import { defineScheme, requireIntegerInRange } from '../scheme';
import type { HashScheme } from '../types';
import type { OffThread } from '../worker-pool';

/**
 * Openwall phpass "portable" hashes (PasswordHash.php, used by WordPress before 6.8, phpBB3
 * as `$H$`, Drupal 7 for imported hashes): `$P$` or `$H$`, one crypt64 character for log2 of
 * the iteration count (7–30 in phpass), 8 salt characters, 22 checksum characters (MD5).
 */
const FORMAT = /^\$[PH]\$([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]{22})$/;

/** log2 of the iteration count, validated against phpass's range and our ceiling. */
export function phpassLog2(scheme: string, countCharacter: string): number {
  const log2 = CRYPT64_ALPHABET.indexOf(countCharacter);
  return requireIntegerInRange(scheme, 'phpass iteration count (log2)', log2, 7, Math.min(30, LIMITS.phpassMaxLog2));
}

/** Verifies a `$P$`/`$H$` hash (used by the Drupal schemes for their MD5 variants too). */
export async function verifyPhpass(scheme: string, offThread: OffThread, password: string, hash: string, signal?: AbortSignal): Promise<boolean> {
  const [, countCharacter = '', salt = '', checksum = ''] = FORMAT.exec(hash) ?? [];
  const log2 = phpassLog2(scheme, countCharacter);
  const derived = await offThread.derive({ kind: 'phpass', algorithm: 'md5', password, salt, log2 }, signal);
  return constantTimeEqualText(checksum, derived);
}

export function isPhpassHash(hash: string): boolean {
  return FORMAT.test(hash);
}

export const createPhpassScheme = (offThread: OffThread): HashScheme =>
  defineScheme({
    id: 'phpass',
    identify: isPhpassHash,
    verify: (password, hash, _params, signal) => verifyPhpass('phpass', offThread, password, hash, signal),
  });
