import { createHash } from 'node:crypto';
import { encodeCrypt64Permuted } from '../encoding';

/**
 * SHA-crypt ($5$ / $6$), Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"
 * specification (2008, the algorithm glibc and libxcrypt implement). Pure CPU work:
 * run only in the worker pool.
 */
export type ShaCryptAlgorithm = 'sha256' | 'sha512';

/** Byte order of the final encoding (the spec's b64_from_24bit calls, low byte first). */
const OUTPUT_ORDER: Record<ShaCryptAlgorithm, readonly number[]> = {
  sha256: [
    20, 10, 0, 11, 1, 21, 2, 22, 12, 23, 13, 3, 14, 4, 24, 5, 25, 15, 26, 16, 6, 17, 7, 27, 8, 28, 18, 29, 19, 9, 30, 31,
  ],
  sha512: [
    42, 21, 0, 1, 43, 22, 23, 2, 44, 45, 24, 3, 4, 46, 25, 26, 5, 47, 48, 27, 6, 7, 49, 28, 29, 8, 50, 51, 30, 9, 10, 52,
    31, 32, 11, 53, 54, 33, 12, 13, 55, 34, 35, 14, 56, 57, 36, 15, 16, 58, 37, 38, 17, 59, 60, 39, 18, 19, 61, 40, 41,
    20, 62, 63,
  ],
};

/** `length` bytes made of whole copies of `block` followed by a prefix of it (spec steps 9/10, 16, 20). */
function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += block.length) block.copy(out, offset, 0, Math.min(block.length, length - offset));
  return out;
}

/** Returns the encoded checksum (43 or 86 characters) for `salt` (≤ 16 bytes) and effective `rounds`. */
export function shaCryptChecksum(algorithm: ShaCryptAlgorithm, password: Buffer, salt: Buffer, rounds: number): string {
  const digest = (...parts: Buffer[]): Buffer => {
    const hash = createHash(algorithm);
    for (const part of parts) hash.update(part);
    return hash.digest();
  };

  const digestB = digest(password, salt, password);
  const contextA = createHash(algorithm).update(password).update(salt).update(repeatTo(digestB, password.length));
  for (let length = password.length; length > 0; length >>>= 1) contextA.update(length & 1 ? digestB : password);
  const digestA = contextA.digest();

  const passwordDigest = digest(...Array.from({ length: password.length }, () => password));
  const p = repeatTo(passwordDigest, password.length);
  const saltDigest = digest(...Array.from({ length: 16 + (digestA[0] ?? 0) }, () => salt));
  const s = repeatTo(saltDigest, salt.length);

  let c = digestA;
  for (let round = 0; round < rounds; round++) {
    const context = createHash(algorithm);
    context.update(round & 1 ? p : c);
    if (round % 3 !== 0) context.update(s);
    if (round % 7 !== 0) context.update(p);
    context.update(round & 1 ? c : p);
    c = context.digest();
  }
  return encodeCrypt64Permuted(c, OUTPUT_ORDER[algorithm]);
}
