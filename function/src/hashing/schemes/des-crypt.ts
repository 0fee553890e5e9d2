import { constantTimeEqualText } from '../compare';
import { defineScheme } from '../scheme';
import type { OffThread } from '../worker-pool';

/**
 * Traditional DES crypt(3): 13 characters, 2 of salt and 11 of checksum, all `./0-9A-Za-z`.
 * The 11 characters hold 64 bits, so the last one carries 4 bits and is always one of
 * `.26AEIMQUYcgkosw`: that keeps bare 13-character strings that aren't DES crypt out.
 * Only the first 8 bytes of the password count. Derived in the worker pool.
 */
const FORMAT = /^([./0-9A-Za-z]{2})[./0-9A-Za-z]{10}[.26AEIMQUYcgkosw]$/;

export const createDesCryptScheme = (offThread: OffThread) =>
  defineScheme({
    id: 'des-crypt',
    identify: (hash) => FORMAT.test(hash),
    async verify(password, hash, _params, signal) {
      const salt = hash.slice(0, 2);
      const derived = await offThread.derive({ kind: 'des-crypt', password, salt }, signal);
      return constantTimeEqualText(hash, derived);
    },
  });
