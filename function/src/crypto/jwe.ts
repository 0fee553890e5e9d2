/**
 * The project's one JWE decryption path: `encryptedPasswordContext` (fact sheet section 8.2) and encrypted
 * bearer tokens (section 10.4). jose ≥ 6.2 handles `zip: DEF` on runtimes with `DecompressionStream` (section 8.3).
 */
import { compactDecrypt, errors, type JWEContentEncryptionAlgorithm, type JWEKeyManagementAlgorithm } from 'jose';
import type { DecryptionKey, KeyRing } from './keyRing';

export type JweFailure = 'malformed' | 'unsupported' | 'too-large' | 'undecryptable';

/** Safe to log: the message never contains token content, only what kind of failure it was. */
export class JweError extends Error {
  override readonly name = 'JweError';
  constructor(
    message: string,
    readonly reason: JweFailure,
  ) {
    super(message);
  }
}

export interface CompactJweResult {
  readonly plaintext: Uint8Array;
  readonly protectedHeader: Record<string, unknown>;
  readonly key: DecryptionKey;
}

// Section 16: RSA-OAEP (SHA-1, what Entra sends) and RSA-OAEP-256; CBC-HMAC and GCM content encryption.
const KEY_MANAGEMENT: JWEKeyManagementAlgorithm[] = ['RSA-OAEP', 'RSA-OAEP-256'];
const CONTENT_ENCRYPTION: JWEContentEncryptionAlgorithm[] = ['A128CBC-HS256', 'A256CBC-HS512', 'A128GCM', 'A256GCM'];
/** Entra's JWEs are 1-4 KB; anything near this cap is not from Entra. */
export const MAX_COMPACT_JWE_LENGTH = 64 * 1024;
const MAX_PROTECTED_HEADER_LENGTH = 4 * 1024;
export const DEFAULT_MAX_PLAINTEXT_BYTES = 64 * 1024;
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Decrypts a compact JWE with the ring's keys (the one named by `x5t` first, else each in turn).
 * Structure, size and algorithms are checked before any RSA operation.
 */
export async function decryptCompactJwe(jwe: string, ring: KeyRing, options?: { maxPlaintextBytes?: number }): Promise<CompactJweResult> {
  const maxPlaintextBytes = options?.maxPlaintextBytes ?? DEFAULT_MAX_PLAINTEXT_BYTES;
  if (!Number.isSafeInteger(maxPlaintextBytes) || maxPlaintextBytes < 1) throw new TypeError('maxPlaintextBytes must be a positive integer');
  if (typeof jwe !== 'string' || jwe.length > MAX_COMPACT_JWE_LENGTH) {
    throw new JweError(`the JWE is not a string of at most ${MAX_COMPACT_JWE_LENGTH} characters`, 'malformed');
  }
  // Five non-empty base64url parts: RSA key management always has an encrypted key, IV and tag.
  if (!COMPACT_JWE.test(jwe)) throw new JweError('the JWE is not five base64url parts', 'malformed');

  const header = parseProtectedHeader(jwe.slice(0, jwe.indexOf('.')));
  if (typeof header.alg !== 'string' || !(KEY_MANAGEMENT as string[]).includes(header.alg)) {
    throw new JweError('the JWE key management algorithm is not allowed', 'unsupported');
  }
  if (typeof header.enc !== 'string' || !(CONTENT_ENCRYPTION as string[]).includes(header.enc)) {
    throw new JweError('the JWE content encryption algorithm is not allowed', 'unsupported');
  }
  if (header.zip !== undefined && header.zip !== 'DEF') throw new JweError('the JWE compression algorithm is not supported', 'unsupported');

  const decryptOptions = {
    keyManagementAlgorithms: KEY_MANAGEMENT,
    contentEncryptionAlgorithms: CONTENT_ENCRYPTION,
    // Bounds the inflated size of `zip: DEF` content (a deflate bomb stops here).
    maxDecompressedLength: maxPlaintextBytes,
  };
  for (const key of ring.candidatesFor(header)) {
    let result;
    try {
      result = await compactDecrypt(jwe, key.privateKey, decryptOptions);
    } catch (error) {
      // Wrong key and tampering look alike (jose substitutes a random CEK): try the next key.
      if (error instanceof errors.JWEDecryptionFailed) continue;
      throw toJweError(error);
    }
    if (result.plaintext.byteLength > maxPlaintextBytes) {
      throw new JweError(`the JWE plaintext exceeds ${maxPlaintextBytes} bytes`, 'too-large');
    }
    return { plaintext: result.plaintext, protectedHeader: { ...result.protectedHeader }, key };
  }
  throw new JweError('the JWE could not be decrypted with any configured key (wrong key or tampered)', 'undecryptable');
}

function parseProtectedHeader(encoded: string): Record<string, unknown> {
  if (encoded.length > MAX_PROTECTED_HEADER_LENGTH) throw new JweError('the JWE protected header is too long', 'malformed');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new JweError('the JWE protected header is not base64url JSON', 'malformed');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new JweError('the JWE protected header is not a JSON object', 'malformed');
  }
  return header as Record<string, unknown>;
}

function toJweError(error: unknown): JweError {
  if (error instanceof errors.JWEInvalid) {
    return /limit/i.test(error.message)
      ? new JweError('the JWE plaintext exceeds the decompressed size limit', 'too-large')
      : new JweError('the JWE is malformed', 'malformed');
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new JweError('the JWE uses an unsupported feature', 'unsupported');
  }
  // TypeError from key handling and anything unexpected: the reason stays generic.
  return new JweError('the JWE could not be decrypted', 'undecryptable');
}
