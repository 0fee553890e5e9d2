/**
 * Byte encodings used by stored password hashes. Decoders are strict: they return undefined
 * unless re-encoding the bytes gives back exactly the input, so a hash is never "recognized"
 * through lenient decoding (Node's own base64 decoder silently skips invalid characters).
 */

const STANDARD_BASE64 = /^[A-Za-z0-9+/]*$/;

/** Standard base64 (RFC 4648 §4). `padding: 'required'` wants `=`, `'none'` forbids it. */
export function decodeBase64(text: string, padding: 'required' | 'none'): Buffer | undefined {
  const body = padding === 'required' ? text.replace(/={1,2}$/, '') : text;
  if (!STANDARD_BASE64.test(body)) return undefined;
  const bytes = Buffer.from(body, 'base64');
  return encodeBase64(bytes, padding) === text ? bytes : undefined;
}

export function encodeBase64(bytes: Uint8Array, padding: 'required' | 'none'): string {
  const text = Buffer.from(bytes).toString('base64');
  return padding === 'required' ? text : text.replace(/=+$/, '');
}

/** passlib's "adapted base64" (ab64): standard alphabet with `.` for `+`, no padding (passlib also reads `+`). */
export function decodeAb64(text: string): Buffer | undefined {
  return decodeBase64(text.replaceAll('.', '+'), 'none');
}

/** The `./0-9A-Za-z` alphabet of crypt(3), phpass and Drupal. */
export const CRYPT64_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Little-endian 6-bit packing into the crypt(3) alphabet: each group of three bytes b0,b1,b2
 * becomes the 24-bit value b0 | b1<<8 | b2<<16, written low bits first (4 characters); a final
 * short group writes only the characters its bits need. This is phpass's encode64 and,
 * applied to a permuted digest, the b64_from_24bit encoding of md5crypt and SHA-crypt.
 */
export function encodeCrypt64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const remaining = Math.min(3, bytes.length - i);
    let value = 0;
    for (let j = 0; j < remaining; j++) value |= (bytes[i + j] ?? 0) << (8 * j);
    const chars = remaining + 1;
    for (let k = 0; k < chars; k++) {
      out += CRYPT64_ALPHABET[value & 0x3f];
      value >>>= 6;
    }
  }
  return out;
}

/** Encodes `digest` after reordering its bytes by `order` (indices into digest). */
export function encodeCrypt64Permuted(digest: Uint8Array, order: readonly number[]): string {
  const permuted = Uint8Array.from(order, (index) => digest[index] ?? 0);
  return encodeCrypt64(permuted);
}

export function isCrypt64(text: string): boolean {
  return /^[./0-9A-Za-z]*$/.test(text);
}

/** bcrypt's own base64 alphabet (OpenBSD), big-endian like standard base64, no padding. */
const BCRYPT64_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STANDARD64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Decodes bcrypt-base64 to `byteLength` bytes, ignoring unused low bits of the last character
 * (implementations differ in whether they zero them, so comparing raw bytes is the safe way).
 */
export function decodeBcrypt64(text: string, byteLength: number): Buffer | undefined {
  if (!/^[./A-Za-z0-9]*$/.test(text) || Math.ceil((byteLength * 8) / 6) !== text.length) return undefined;
  let translated = '';
  for (const char of text) translated += STANDARD64_ALPHABET[BCRYPT64_ALPHABET.indexOf(char)];
  // Pad to whole base64 quanta, then keep only the bytes that are fully determined.
  const padded = translated + 'A'.repeat((4 - (translated.length % 4)) % 4);
  return Buffer.from(padded, 'base64').subarray(0, byteLength);
}

/** UTF-8 bytes of the password exactly as given (no Unicode normalization: legacy systems hashed what they received). */
export function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
