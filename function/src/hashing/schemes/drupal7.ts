import { createHash } from 'node:crypto';
import { constantTimeEqualText } from '../compare';
import { defineScheme } from '../scheme';
import type { HashScheme } from '../types';
import type { OffThread } from '../worker-pool';
import { isPhpassHash, phpassLog2, verifyPhpass } from './phpass';

/**
 * Drupal 7 (includes/password.inc, _password_crypt with 'sha512'): `$S$`, a crypt64 log2
 * count, 8 salt characters, and the phpass-style encoding of the final SHA-512 digest cut so
 * the whole string is DRUPAL_HASH_LENGTH = 55 characters (43 checksum characters).
 *
 * user_update_7000() rehashed Drupal 6's unsalted MD5 hashes as 'U' . user_hash_password(md5($pass)):
 * `U$S$…` (and, for imported phpass hashes, `U$P$…` / `U$H$…`) verify the lowercase hex MD5 of
 * the password instead of the password.
 */
const FORMAT = /^\$S\$([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]{43})$/;
const CHECKSUM_LENGTH = 43;

async function verifyDrupalSha512(scheme: string, offThread: OffThread, password: string, hash: string, signal?: AbortSignal): Promise<boolean> {
  const [, countCharacter = '', salt = '', checksum = ''] = FORMAT.exec(hash) ?? [];
  const log2 = phpassLog2(scheme, countCharacter);
  const derived = await offThread.derive({ kind: 'phpass', algorithm: 'sha512', password, salt, log2 }, signal);
  return constantTimeEqualText(checksum, derived.slice(0, CHECKSUM_LENGTH));
}

export const createDrupal7Scheme = (offThread: OffThread): HashScheme =>
  defineScheme({
    id: 'drupal7',
    identify: (hash) => FORMAT.test(hash),
    verify: (password, hash, _params, signal) => verifyDrupalSha512('drupal7', offThread, password, hash, signal),
  });

export const createDrupal7UpgradedMd5Scheme = (offThread: OffThread): HashScheme => {
  const id = 'drupal7-upgraded-md5';
  return defineScheme({
    id,
    identify: (hash) => hash.startsWith('U$') && (FORMAT.test(hash.slice(1)) || isPhpassHash(hash.slice(1))),
    verify(password, hash, _params, signal) {
      const inner = hash.slice(1);
      const md5Hex = createHash('md5').update(password, 'utf8').digest('hex');
      return FORMAT.test(inner) ? verifyDrupalSha512(id, offThread, md5Hex, inner, signal) : verifyPhpass(id, offThread, md5Hex, inner, signal);
    },
  });
};
