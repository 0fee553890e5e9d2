import { constantTimeEqualText } from '../compare';
import type { ShaCryptAlgorithm } from '../derive/sha-crypt';
import { LIMITS } from '../limits';
import { defineScheme, parseDecimal, requireIntegerInRange } from '../scheme';
import type { HashScheme } from '../types';
import { MalformedHashError } from '../types';
import type { OffThread } from '../worker-pool';

/**
 * SHA-crypt (Drepper's specification; glibc/libxcrypt crypt(3)):
 * `$5$[rounds=N$]<salt ≤ 16>$<43 chars>` and `$6$[rounds=N$]<salt ≤ 16>$<86 chars>`.
 * As in glibc, rounds below 1000 count as 1000 and no `rounds=` means 5000. Derived in the
 * worker pool (pure JS over node:crypto digests); the checksum is compared in constant time.
 */
const SALT = '[\\x21-\\x23\\x25-\\x7e]{0,16}'; // printable ASCII except '$'

function shaCrypt(id: string, prefix: '5' | '6', algorithm: ShaCryptAlgorithm, checksumLength: number, offThread: OffThread): HashScheme {
  const format = new RegExp(`^\\$${prefix}\\$(?:rounds=([0-9]+)\\$)?(${SALT})\\$([./0-9A-Za-z]{${checksumLength}})$`);
  return defineScheme({
    id,
    identify: (hash) => format.test(hash),
    async verify(password, hash, _params, signal) {
      const [, roundsText, salt = '', checksum = ''] = format.exec(hash) ?? [];
      const requested = roundsText === undefined ? 5000 : parseDecimal(roundsText);
      if (Number.isNaN(requested)) throw new MalformedHashError(id, 'rounds must be a decimal number');
      const rounds = requireIntegerInRange(id, 'rounds', Math.max(1000, requested), 1000, LIMITS.shaCryptMaxRounds);
      const derived = await offThread.derive({ kind: 'sha-crypt', algorithm, password, salt, rounds }, signal);
      return constantTimeEqualText(checksum, derived);
    },
  });
}

export const createSha256CryptScheme = (offThread: OffThread) => shaCrypt('sha256-crypt', '5', 'sha256', 43, offThread);
export const createSha512CryptScheme = (offThread: OffThread) => shaCrypt('sha512-crypt', '6', 'sha512', 86, offThread);
