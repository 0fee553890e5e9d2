import { constantTimeEqual } from '../compare';
import { decodeBcrypt64 } from '../encoding';
import { LIMITS } from '../limits';
import { defineScheme, requireIntegerInRange } from '../scheme';
import type { HashScheme } from '../types';
import { MalformedHashError } from '../types';
import { isRejectedInputs } from '../derive/tasks';
import type { OffThread } from '../worker-pool';

/**
 * bcrypt (Provos & Mazières, USENIX 1999) in its OpenBSD modular-crypt form:
 * `$2a$` / `$2b$` / `$2y$` (PHP), two-digit log2 cost, 22 characters of salt and 31 of hash
 * in bcrypt's own base64. Derived with the native `bcrypt` addon on a hash thread.
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
export async function verifyBcrypt(scheme: string, offThread: OffThread, secret: string, hash: string, signal?: AbortSignal): Promise<boolean> {
  const match = BCRYPT_FORMAT.exec(hash);
  if (!match) throw new MalformedHashError(scheme, 'the stored hash is not a bcrypt string');
  const [, variant, costText = '', salt = '', checksum = ''] = match;
  requireIntegerInRange(scheme, 'bcrypt cost', Number(costText), 4, LIMITS.bcryptMaxCost);
  // The addon speaks $2a$ and $2b$; PHP's $2y$ is the same algorithm as $2b$.
  const setting = `$2${variant === 'a' ? 'a' : 'b'}$${costText}$${salt}`;
  let derived: string;
  try {
    derived = await offThread.derive({ kind: 'bcrypt', secret, setting }, signal);
  } catch (error) {
    if (isRejectedInputs(error)) throw new MalformedHashError(scheme, 'the bcrypt salt or cost is invalid');
    throw error;
  }
  const expected = decodeBcrypt64(checksum, 23);
  const actual = decodeBcrypt64(derived.slice(29), 23);
  if (!expected || !actual) throw new MalformedHashError(scheme, 'the bcrypt checksum is not valid bcrypt base64');
  return constantTimeEqual(expected, actual);
}

export const createBcryptScheme = (offThread: OffThread): HashScheme =>
  defineScheme({
    id: 'bcrypt',
    identify: isBcryptHash,
    verify: (password, hash, _params, signal) => verifyBcrypt('bcrypt', offThread, password, hash, signal),
  });
