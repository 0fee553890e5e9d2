import { createHash } from 'node:crypto';
import { defineScheme } from '../scheme';
import { isBcryptHash, verifyBcrypt } from './bcrypt';

/**
 * Django's bcrypt hashers (django/contrib/auth/hashers.py): the stored value is
 * '<algorithm>$' + the bcrypt string. BCryptSHA256PasswordHasher ('bcrypt_sha256') first
 * replaces the password by the lowercase hex of its SHA-256, so long passwords aren't cut
 * at 72 bytes; BCryptPasswordHasher ('bcrypt') uses the password as is.
 */
function djangoBcrypt(id: string, algorithm: string, preHash: (password: string) => string) {
  const prefix = `${algorithm}$`;
  return defineScheme({
    id,
    identify: (hash) => hash.startsWith(prefix) && isBcryptHash(hash.slice(prefix.length)),
    verify: (password, hash) => verifyBcrypt(id, preHash(password), hash.slice(prefix.length)),
  });
}

export const djangoBcryptSha256Scheme = djangoBcrypt('django-bcrypt-sha256', 'bcrypt_sha256', (password) =>
  createHash('sha256').update(password, 'utf8').digest('hex'),
);

export const djangoBcryptScheme = djangoBcrypt('django-bcrypt', 'bcrypt', (password) => password);
