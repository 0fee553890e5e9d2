import { createHash } from 'node:crypto';
import { encodeCrypt64Permuted } from '../encoding';

/**
 * md5crypt, Poul-Henning Kamp's FreeBSD "$1$" crypt (1994), and Apache's "$apr1$" variant,
 * which differs only in the magic string mixed into the digest. Pure CPU work: worker pool only.
 */
export type Md5CryptMagic = '$1$' | '$apr1$';

/** Byte order of the final encoding (low byte first within each group of three). */
const OUTPUT_ORDER = [12, 6, 0, 13, 7, 1, 14, 8, 2, 15, 9, 3, 5, 10, 4, 11] as const;

/** Returns the 22-character checksum for `salt` (≤ 8 bytes). */
export function md5CryptChecksum(magic: Md5CryptMagic, password: Buffer, salt: Buffer): string {
  const alternate = createHash('md5').update(password).update(salt).update(password).digest();

  const context = createHash('md5').update(password).update(magic).update(salt);
  for (let length = password.length; length > 0; length -= 16) context.update(alternate.subarray(0, Math.min(16, length)));
  // PHK's quirk: for each bit of the length, a NUL byte or the first password byte.
  const firstByte = password.subarray(0, 1);
  for (let length = password.length; length > 0; length >>>= 1) context.update(length & 1 ? Buffer.alloc(1) : firstByte);
  let final = context.digest();

  for (let round = 0; round < 1000; round++) {
    const step = createHash('md5');
    step.update(round & 1 ? password : final);
    if (round % 3 !== 0) step.update(salt);
    if (round % 7 !== 0) step.update(password);
    step.update(round & 1 ? final : password);
    final = step.digest();
  }
  return encodeCrypt64Permuted(final, OUTPUT_ORDER);
}
