import { constantTimeEqual } from '../compare';
import { decodeBase64, utf8 } from '../encoding';
import { derivePbkdf2, type Pbkdf2Digest } from '../kdf';
import { defineScheme, parseDecimal } from '../scheme';
import type { HashScheme } from '../types';
import { MalformedHashError } from '../types';
import type { OffThread } from '../worker-pool';

/**
 * Django's PBKDF2PasswordHasher / PBKDF2SHA1PasswordHasher (django/contrib/auth/hashers.py):
 * `<algorithm>$<iterations>$<salt>$<base64(PBKDF2-HMAC(password, salt, iterations))>`,
 * the salt used as its UTF-8 text and the key as long as the digest (padded standard base64).
 */
function djangoPbkdf2(id: string, algorithm: string, digest: Pbkdf2Digest, digestBytes: number, offThread: OffThread): HashScheme {
  const encodedLength = 4 * Math.ceil(digestBytes / 3);
  const format = new RegExp(`^${algorithm}\\$([0-9]+)\\$([^$]*)\\$([A-Za-z0-9+/=]{${encodedLength}})$`);
  return defineScheme({
    id,
    identify: (hash) => format.test(hash),
    async verify(password, hash, _params, signal) {
      const [, iterationsText, salt = '', keyText = ''] = format.exec(hash) ?? [];
      const expected = decodeBase64(keyText, 'required');
      if (!expected || expected.length !== digestBytes) throw new MalformedHashError(id, 'the derived key is not valid base64');
      const input = { password: utf8(password), salt: utf8(salt), iterations: parseDecimal(iterationsText), keyLength: digestBytes, digest };
      const derived = await derivePbkdf2(id, offThread, input, signal);
      return constantTimeEqual(expected, derived);
    },
  });
}

export const createDjangoPbkdf2Schemes = (offThread: OffThread): HashScheme[] => [
  djangoPbkdf2('django-pbkdf2-sha256', 'pbkdf2_sha256', 'sha256', 32, offThread),
  djangoPbkdf2('django-pbkdf2-sha1', 'pbkdf2_sha1', 'sha1', 20, offThread),
];
