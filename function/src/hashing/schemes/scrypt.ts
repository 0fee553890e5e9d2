import { constantTimeEqual } from '../compare';
import { decodeBase64, utf8 } from '../encoding';
import { deriveScrypt } from '../kdf';
import { defineScheme, parseDecimal, requireIntegerInRange } from '../scheme';
import type { HashScheme } from '../types';
import { MalformedHashError } from '../types';
import type { OffThread } from '../worker-pool';

/**
 * passlib's scrypt format (passlib/handlers/scrypt.py): `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>`,
 * salt and derived key in unpadded standard base64; the key length is the stored key's.
 * Derived with Node's crypto.scrypt (Percival's scrypt, RFC 7914) on a hash thread.
 */
const FORMAT = /^\$scrypt\$ln=([0-9]+),r=([0-9]+),p=([0-9]+)\$([A-Za-z0-9+/]*)\$([A-Za-z0-9+/]+)$/;

export const createScryptScheme = (offThread: OffThread): HashScheme =>
  defineScheme({
    id: 'scrypt',
    identify: (hash) => FORMAT.test(hash),
    async verify(password, hash, _params, signal) {
      const [, lnText, rText, pText, saltText = '', keyText = ''] = FORMAT.exec(hash) ?? [];
      const logN = requireIntegerInRange('scrypt', 'scrypt ln', parseDecimal(lnText), 1, 30);
      const salt = decodeBase64(saltText, 'none');
      const expected = decodeBase64(keyText, 'none');
      if (!salt || !expected) throw new MalformedHashError('scrypt', 'the scrypt salt or key is not valid base64');
      const cost = { N: 2 ** logN, r: parseDecimal(rText), p: parseDecimal(pText) };
      const derived = await deriveScrypt('scrypt', offThread, { password: utf8(password), salt, cost, keyLength: expected.length }, signal);
      return constantTimeEqual(expected, derived);
    },
  });
