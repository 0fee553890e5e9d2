/**
 * The throw-away password each pre-created user gets. Nobody ever needs it: the user's first sign-in with the
 * legacy password goes to the JIT function, which migrates that one ([JIT-DOC] 1.3: "unique strong random
 * password"). It is generated right before the request is built and is never stored, logged or reported.
 *
 * Characters: letters, digits and symbols Entra accepts in cloud passwords (learn.microsoft.com/entra/identity/
 * authentication/concept-password-ban-bad-combined-policy, "Characters allowed"); all four classes are present,
 * so Entra's complexity rule (3 of 4 classes, 8–256 characters) always holds.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const SYMBOLS = '!#$%&()*+,-./:;<=>?@[]^_{|}~';
export const PASSWORD_ALPHABET = LOWER + UPPER + DIGITS + SYMBOLS;
export const PASSWORD_LENGTH = 32;
const CLASSES = [LOWER, UPPER, DIGITS, SYMBOLS].map((set) => (password: string) => [...password].some((char) => set.includes(char)));
/** Bytes at or above this would bias the modulo: they are thrown away (rejection sampling). */
const UNBIASED_LIMIT = 256 - (256 % PASSWORD_ALPHABET.length);

/** Bits of entropy of a password drawn uniformly from the alphabet (before the all-classes rejection, which removes a negligible share). */
export function passwordEntropyBits(length = PASSWORD_LENGTH): number {
  return length * Math.log2(PASSWORD_ALPHABET.length);
}

export function generatePassword(options: { length?: number; randomBytes?: (size: number) => Buffer } = {}): string {
  const length = options.length ?? PASSWORD_LENGTH;
  const randomBytes = options.randomBytes ?? cryptoRandomBytes;
  if (!Number.isInteger(length) || length < 16 || length > 256) throw new RangeError(`password length must be 16–256, got ${length}`);
  for (;;) {
    let password = '';
    while (password.length < length) {
      for (const byte of randomBytes(length * 2)) {
        if (byte >= UNBIASED_LIMIT) continue;
        password += PASSWORD_ALPHABET[byte % PASSWORD_ALPHABET.length];
        if (password.length === length) break;
      }
    }
    // Redraw the whole password instead of patching in missing classes, so every valid password is equally likely.
    if (CLASSES.every((hasClass) => hasClass(password))) return password;
  }
}
