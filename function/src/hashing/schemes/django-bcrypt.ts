import { createHash } from 'node:crypto';
import { defineScheme } from '../scheme';
import type { HashScheme } from '../types';
import type { OffThread } from '../worker-pool';
import { isBcryptHash, verifyBcrypt } from './bcrypt';

/**
 * Django's bcrypt hashers (django/contrib/auth/hashers.py): the stored value is
 * '<algorithm>$' + the bcrypt string. BCryptSHA256PasswordHasher ('bcrypt_sha256') first
 * replaces the password by the lowercase hex of its SHA-256, so long passwords aren't cut
 * at 72 bytes; BCryptPasswordHasher ('bcrypt') uses the password as is.
 */
function djangoBcrypt(id: string, algorithm: string, preHash: (password: string) => string, offThread: OffThread): HashScheme {
  const prefix = `${algorithm}$`;
  return defineScheme({
    id,
    identify: (hash) => hash.startsWith(prefix) && isBcryptHash(hash.slice(prefix.length)),
    verify: (password, hash, _params, signal) => verifyBcrypt(id, offThread, preHash(password), hash.slice(prefix.length), signal),
  });
}

const sha256Hex = (password: string): string => createHash('sha256').update(password, 'utf8').digest('hex');

export const createDjangoBcryptSha256Scheme = (offThread: OffThread) => djangoBcrypt('django-bcrypt-sha256', 'bcrypt_sha256', sha256Hex, offThread);
export const createDjangoBcryptScheme = (offThread: OffThread) => djangoBcrypt('django-bcrypt', 'bcrypt', (password) => password, offThread);
