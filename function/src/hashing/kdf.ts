import { LIMITS } from './limits';
import { requireIntegerInRange } from './scheme';
import { exactBytes } from './derive/tasks';
import { MalformedHashError } from './types';
import type { OffThread } from './worker-pool';

/** PBKDF2 and scrypt with their cost checked against LIMITS here, and derived on a hash thread. */

export type Pbkdf2Digest = 'sha1' | 'sha256' | 'sha512';

const DIGEST_BYTES: Record<Pbkdf2Digest, number> = { sha1: 20, sha256: 32, sha512: 64 };

export interface Pbkdf2Input {
  readonly password: Uint8Array;
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly keyLength: number;
  readonly digest: Pbkdf2Digest;
}

export function derivePbkdf2(scheme: string, offThread: OffThread, input: Pbkdf2Input, signal?: AbortSignal): Promise<Uint8Array> {
  const { iterations, keyLength, digest } = input;
  requireIntegerInRange(scheme, 'PBKDF2 iterations', iterations, 1, LIMITS.pbkdf2MaxIterations);
  requireIntegerInRange(scheme, 'PBKDF2 key length', keyLength, 1, LIMITS.maxDerivedKeyBytes);
  // Each digest-sized block of output costs the full iteration count again.
  if (iterations * Math.ceil(keyLength / DIGEST_BYTES[digest]) > LIMITS.pbkdf2MaxIterations) {
    throw new MalformedHashError(scheme, 'PBKDF2 iterations × output blocks is over the limit');
  }
  return offThread.derive({ kind: 'pbkdf2', password: exactBytes(input.password), salt: exactBytes(input.salt), iterations, keyLength, digest }, signal);
}

export interface ScryptCost {
  /** CPU/memory cost, a power of two ≥ 2. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** Validates scrypt cost against LIMITS (memory 128·N·r, work N·r·p) and derives `keyLength` bytes. */
export function deriveScrypt(
  scheme: string,
  offThread: OffThread,
  input: { readonly password: Uint8Array; readonly salt: Uint8Array; readonly cost: ScryptCost; readonly keyLength: number },
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const { N, r, p } = input.cost;
  const { keyLength } = input;
  if (!Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0) throw new MalformedHashError(scheme, 'scrypt N must be a power of two');
  requireIntegerInRange(scheme, 'scrypt r', r, 1, 1024);
  requireIntegerInRange(scheme, 'scrypt p', p, 1, 1024);
  requireIntegerInRange(scheme, 'scrypt key length', keyLength, 1, LIMITS.maxDerivedKeyBytes);
  const memory = 128 * N * r;
  if (memory > LIMITS.scryptMaxMemoryBytes) throw new MalformedHashError(scheme, 'scrypt memory (128·N·r) is over the limit');
  if (N * r * p > LIMITS.scryptMaxWork) throw new MalformedHashError(scheme, 'scrypt work (N·r·p) is over the limit');
  // maxmem must cover 128·N·r plus the 128·r·p of B and some slack, or OpenSSL refuses.
  const maxmem = memory + 128 * r * p + 16 * 1024 * 1024;
  return offThread.derive({ kind: 'scrypt', password: exactBytes(input.password), salt: exactBytes(input.salt), N, r, p, keyLength, maxmem }, signal);
}
