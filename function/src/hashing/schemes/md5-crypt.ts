import { constantTimeEqualText } from '../compare';
import type { Md5CryptMagic } from '../derive/md5-crypt';
import { defineScheme } from '../scheme';
import type { HashScheme } from '../types';
import type { OffThread } from '../worker-pool';

/**
 * md5crypt (PHK, FreeBSD 1994) `$1$<salt ≤ 8>$<22 chars>` and Apache's `$apr1$` variant
 * (htpasswd -m). 1000 fixed rounds; derived in the worker pool.
 */
const SALT = '[\\x21-\\x23\\x25-\\x7e]{0,8}'; // printable ASCII except '$'

function md5Crypt(id: string, magic: Md5CryptMagic, offThread: OffThread): HashScheme {
  const format = new RegExp(`^${magic.replaceAll('$', '\\$')}(${SALT})\\$([./0-9A-Za-z]{22})$`);
  return defineScheme({
    id,
    identify: (hash) => format.test(hash),
    async verify(password, hash, _params, signal) {
      const [, salt = '', checksum = ''] = format.exec(hash) ?? [];
      const derived = await offThread.derive({ kind: 'md5-crypt', magic, password, salt }, signal);
      return constantTimeEqualText(checksum, derived);
    },
  });
}

export const createMd5CryptScheme = (offThread: OffThread) => md5Crypt('md5-crypt', '$1$', offThread);
export const createApr1Scheme = (offThread: OffThread) => md5Crypt('apr1', '$apr1$', offThread);
