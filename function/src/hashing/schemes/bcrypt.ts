import bcrypt from 'bcrypt';
import { constantTimeEqual } from '../compare';
import { decodeBcrypt64 } from '../encoding';
import { LIMITS } from '../limits';
import { defineScheme, requireIntegerInRange } from '../scheme';
import { MalformedHashError } from '../types';

/**
 * bcrypt (Provos & Mazières, USENIX 1999) in its OpenBSD modular-crypt form:
 * `$2a$` / `$2b$` / `$2y$` (PHP), two-digit log2 cost, 22 characters of salt and 31 of hash
 * in bcrypt's own base64. Verified with the native `bcrypt` addon (libuv thread pool).
 */
const BCRYPT_FORMAT = /^\$2([aby])\$([0-9]{2})\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

export function isBcryptHash(hash: string): boolean {
  return BCRYPT_FORMAT.test(hash);
}

/**
 * Verifies `secret` (the password, or a scheme's pre-hash of it) against a bcrypt string.
 * The addon re-derives the hash from the stored salt; the 23 hash bytes are then compared
 * in constant time (as bytes, so unused trailing bits in either encoding don't matter).
 */
export async function verifyBcrypt(scheme: string, secret: string, hash: string): Promise<boolean> {
  const match = BCRYPT_FORMAT.exec(hash);
  if (!match) throw new MalformedHashError(scheme, 'the stored hash is not a bcrypt string');
  const [, variant, costText = '', salt = '', checksum = ''] = match;
  requireIntegerInRange(scheme, 'bcrypt cost', Number(costText), 4, LIMITS.bcryptMaxCost);
  // The addon speaks $2a$ and $2b$; PHP's $2y$ is the same algorithm as $2b$.
  const setting = `$2${variant === 'a' ? 'a' : 'b'}$${costText}$${salt}`;
  let derived: string;
  try {
    derived = await bcrypt.hash(secret, setting);
  } catch {
    throw new MalformedHashError(scheme, 'the bcrypt salt or cost is invalid');
  }
  const expected = decodeBcrypt64(checksum, 23);
  const actual = decodeBcrypt64(derived.slice(29), 23);
  if (!expected || !actual) throw new MalformedHashError(scheme, 'the bcrypt checksum is not valid bcrypt base64');
  return constantTimeEqual(expected, actual);
}

export const bcryptScheme = defineScheme({
  id: 'bcrypt',
  identify: isBcryptHash,
  verify: (password, hash) => verifyBcrypt('bcrypt', password, hash),
});
