import type { Md5CryptMagic } from './md5-crypt';
import type { ShaCryptAlgorithm } from './sha-crypt';

/**
 * Work sent to the hash threads (run.ts runs it there; this module loads no native addon, so the main
 * thread, which only describes the work, starts without them): the main thread parses and validates the stored hash (and its cost
 * against LIMITS), the thread only derives and hands the result back for a constant-time compare.
 * Every password-cost derivation goes through here, so none of them occupies libuv's shared pool,
 * which the event loop needs for DNS, files and WebCrypto (caller-token signatures).
 * Crypt salts travel as Latin-1 strings of their raw bytes (they are the bytes of the setting);
 * binary inputs as Uint8Arrays of exactly their bytes (see `exactBytes`).
 */
export type DeriveTask =
  | { readonly kind: 'sha-crypt'; readonly algorithm: ShaCryptAlgorithm; readonly password: string; readonly salt: string; readonly rounds: number }
  | { readonly kind: 'md5-crypt'; readonly magic: Md5CryptMagic; readonly password: string; readonly salt: string }
  | { readonly kind: 'des-crypt'; readonly password: string; readonly salt: string }
  | { readonly kind: 'phpass'; readonly algorithm: 'md5' | 'sha512'; readonly password: string; readonly salt: string; readonly log2: number }
  /** bcrypt of `secret` (a password or a scheme's pre-hash) with a `$2a$`/`$2b$` cost-and-salt setting. */
  | { readonly kind: 'bcrypt'; readonly secret: string; readonly setting: string }
  | {
      readonly kind: 'argon2';
      readonly type: Argon2Type;
      /** 0x10 or 0x13. */
      readonly version: number;
      readonly memoryKiB: number;
      readonly timeCost: number;
      readonly parallelism: number;
      readonly password: string;
      readonly salt: Uint8Array;
      readonly tagLength: number;
    }
  | {
      readonly kind: 'pbkdf2';
      readonly password: Uint8Array;
      readonly salt: Uint8Array;
      readonly iterations: number;
      readonly keyLength: number;
      readonly digest: 'sha1' | 'sha256' | 'sha512';
    }
  | {
      readonly kind: 'scrypt';
      readonly password: Uint8Array;
      readonly salt: Uint8Array;
      readonly N: number;
      readonly r: number;
      readonly p: number;
      readonly keyLength: number;
      readonly maxmem: number;
    };

export type Argon2Type = 'argon2d' | 'argon2i' | 'argon2id';

/** Crypt-style tasks answer with the encoded checksum (bcrypt: the whole derived string); KDFs with raw bytes. */
export type DeriveOutput<T extends DeriveTask> = T extends { readonly kind: 'argon2' | 'pbkdf2' | 'scrypt' } ? Uint8Array : string;

/**
 * A copy of `bytes` in an ArrayBuffer of its own. Posting a view clones its whole ArrayBuffer, and a small
 * Buffer is a slice of Node's shared 8 KiB pool, which may hold other requests' data.
 */
export function exactBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/**
 * The message of the error a derivation throws when its library refuses the inputs (bcrypt's "invalid salt",
 * argon2's parameter checks): the stored hash is at fault. It crosses the thread boundary as a RangeError with
 * this fixed text (the library's own text is dropped), so schemes can tell it from an aborted task or a failed
 * hash thread, which are the host's fault and must not be reported as a malformed hash.
 */
const INPUTS_REJECTED = 'the derivation rejected its inputs';

export function isRejectedInputs(error: unknown): boolean {
  return error instanceof Error && error.message === INPUTS_REJECTED;
}

/** What a derivation throws, on the hash thread, when its library refused the inputs. */
export function rejectedInputs(): RangeError {
  return new RangeError(INPUTS_REJECTED);
}
