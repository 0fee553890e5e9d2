import { createHmac } from 'node:crypto';
import { defineScheme } from '../scheme';
import type { HashScheme } from '../types';
import type { OffThread } from '../worker-pool';
import { isBcryptHash, verifyBcrypt } from './bcrypt';

/**
 * WordPress 6.8+ (wp-includes/pluggable.php, wp_hash_password / wp_check_password):
 * '$wp' . password_hash(base64_encode(hash_hmac('sha384', $password, 'wp-sha384', true)), PASSWORD_BCRYPT).
 * The HMAC pre-hash keeps passwords longer than bcrypt's 72 bytes significant.
 *
 * WordPress trims the password both when hashing it (wp_hash_password) and at login
 * (wp_authenticate), so we trim it the same way, with PHP's trim() character set.
 */
const PREFIX = '$wp';

function phpTrim(text: string): string {
  return text.replace(/^[ \t\n\r\0\x0B]+|[ \t\n\r\0\x0B]+$/g, '');
}

export const createWordpressBcryptScheme = (offThread: OffThread): HashScheme =>
  defineScheme({
    id: 'wordpress-bcrypt',
    identify: (hash) => hash.startsWith(`${PREFIX}$2`) && isBcryptHash(hash.slice(PREFIX.length)),
    verify: (password, hash, _params, signal) => {
      const preHash = createHmac('sha384', 'wp-sha384').update(phpTrim(password), 'utf8').digest('base64');
      return verifyBcrypt('wordpress-bcrypt', offThread, preHash, hash.slice(PREFIX.length), signal);
    },
  });
