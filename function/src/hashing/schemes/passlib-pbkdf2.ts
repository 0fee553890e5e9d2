import { constantTimeEqual } from '../compare';
import { decodeAb64, utf8 } from '../encoding';
import { derivePbkdf2, type Pbkdf2Digest } from '../kdf';
import { defineScheme, parseDecimal } from '../scheme';
import type { HashScheme } from '../types';
import { MalformedHashError } from '../types';
import type { OffThread } from '../worker-pool';

/**
 * passlib's PBKDF2 hashes (passlib/handlers/pbkdf2.py): `$pbkdf2$` (HMAC-SHA1), `$pbkdf2-sha256$`,
 * `$pbkdf2-sha512$`, then `<rounds>$<salt>$<checksum>` with salt and checksum in passlib's
 * adapted base64 (`.` for `+`, no padding); the checksum is as long as the digest.
 */
function passlibPbkdf2(id: string, ident: string, digest: Pbkdf2Digest, digestBytes: number, offThread: OffThread): HashScheme {
  const encodedLength = Math.ceil((digestBytes * 4) / 3);
  const format = new RegExp(`^\\$${ident}\\$([0-9]+)\\$([./+A-Za-z0-9]*)\\$([./+A-Za-z0-9]{${encodedLength}})$`);
  return defineScheme({
    id,
    identify: (hash) => format.test(hash),
    async verify(password, hash, _params, signal) {
      const [, roundsText, saltText = '', checksumText = ''] = format.exec(hash) ?? [];
      const salt = decodeAb64(saltText);
      const expected = decodeAb64(checksumText);
      if (!salt || !expected || expected.length !== digestBytes) throw new MalformedHashError(id, 'the salt or checksum is not valid ab64');
      const input = { password: utf8(password), salt, iterations: parseDecimal(roundsText), keyLength: digestBytes, digest };
      const derived = await derivePbkdf2(id, offThread, input, signal);
      return constantTimeEqual(expected, derived);
    },
  });
}

export const createPasslibPbkdf2Schemes = (offThread: OffThread): HashScheme[] => [
  passlibPbkdf2('passlib-pbkdf2-sha1', 'pbkdf2', 'sha1', 20, offThread),
  passlibPbkdf2('passlib-pbkdf2-sha256', 'pbkdf2-sha256', 'sha256', 32, offThread),
  passlibPbkdf2('passlib-pbkdf2-sha512', 'pbkdf2-sha512', 'sha512', 64, offThread),
];
