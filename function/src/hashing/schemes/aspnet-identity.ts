import { constantTimeEqual } from '../compare';
import { decodeBase64, utf8 } from '../encoding';
import { derivePbkdf2, type Pbkdf2Digest } from '../kdf';
import { defineScheme } from '../scheme';
import type { HashScheme } from '../types';
import { MalformedHashError } from '../types';
import type { OffThread } from '../worker-pool';

/**
 * ASP.NET Identity's PasswordHasher (dotnet/aspnetcore, src/Identity/Extensions.Core/src/PasswordHasher.cs),
 * stored as padded standard base64 of a binary blob:
 * - V2: 0x00 ‖ salt (16 bytes) ‖ subkey (32 bytes); PBKDF2-HMAC-SHA1, 1000 iterations.
 * - V3: 0x01 ‖ prf (uint32 BE: 0 SHA-1, 1 SHA-256, 2 SHA-512) ‖ iterations (uint32 BE)
 *       ‖ salt length (uint32 BE) ‖ salt ‖ subkey (the rest); salt and subkey at least 128 bits.
 * A blob has no prefix, so its whole structure is its signature; one that isn't exactly
 * well-formed is not recognized (ASP.NET itself answers Failed for those).
 */
const V2_LENGTH = 1 + 16 + 32;
const V3_HEADER = 13;
const MIN_BYTES = 128 / 8;
const PRFS: readonly Pbkdf2Digest[] = ['sha1', 'sha256', 'sha512'];

interface IdentityBlob {
  readonly digest: Pbkdf2Digest;
  readonly iterations: number;
  readonly salt: Buffer;
  readonly subkey: Buffer;
}

function decodeBlob(hash: string): Buffer | undefined {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(hash) ? decodeBase64(hash, 'required') : undefined;
}

function parseV2(hash: string): IdentityBlob | undefined {
  const blob = decodeBlob(hash);
  if (!blob || blob.length !== V2_LENGTH || blob[0] !== 0x00) return undefined;
  return { digest: 'sha1', iterations: 1000, salt: blob.subarray(1, 17), subkey: blob.subarray(17) };
}

function parseV3(hash: string): IdentityBlob | undefined {
  const blob = decodeBlob(hash);
  if (!blob || blob.length < V3_HEADER + 2 * MIN_BYTES || blob[0] !== 0x01) return undefined;
  const digest = PRFS[blob.readUInt32BE(1)];
  const saltLength = blob.readUInt32BE(9);
  if (!digest || saltLength < MIN_BYTES || V3_HEADER + saltLength + MIN_BYTES > blob.length) return undefined;
  return {
    digest,
    iterations: blob.readUInt32BE(5),
    salt: blob.subarray(V3_HEADER, V3_HEADER + saltLength),
    subkey: blob.subarray(V3_HEADER + saltLength),
  };
}

function aspNetIdentity(id: string, parse: (hash: string) => IdentityBlob | undefined, offThread: OffThread): HashScheme {
  return defineScheme({
    id,
    identify: (hash) => parse(hash) !== undefined,
    async verify(password, hash, _params, signal) {
      const blob = parse(hash);
      if (!blob) throw new MalformedHashError(id, 'the stored hash is not an ASP.NET Identity blob');
      const input = { password: utf8(password), salt: blob.salt, iterations: blob.iterations, keyLength: blob.subkey.length, digest: blob.digest };
      const derived = await derivePbkdf2(id, offThread, input, signal);
      return constantTimeEqual(blob.subkey, derived);
    },
  });
}

export const createAspNetIdentitySchemes = (offThread: OffThread): HashScheme[] => [
  aspNetIdentity('aspnet-identity-v2', parseV2, offThread),
  aspNetIdentity('aspnet-identity-v3', parseV3, offThread),
];
