import { pbkdf2Sync, scryptSync } from 'node:crypto';
import { hashRawSync, type Algorithm, type Version } from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import { utf8 } from '../encoding';
import { desCrypt } from './des-crypt';
import { md5CryptChecksum, type Md5CryptMagic } from './md5-crypt';
import { phpassChecksum } from './phpass';
import { shaCryptChecksum, type ShaCryptAlgorithm } from './sha-crypt';

/**
 * Work sent to the hash threads: the main thread parses and validates the stored hash (and its cost
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

// @node-rs/argon2's const enums, by value (isolated modules cannot inline them).
const ARGON2_ALGORITHM: Record<Argon2Type, Algorithm> = { argon2d: 0, argon2i: 1, argon2id: 2 };
const ARGON2_VERSION: Record<number, Version> = { 0x10: 0, 0x13: 1 };

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

/** Runs one task synchronously (on a hash thread, or in-process in tests). */
export function runDeriveTask<T extends DeriveTask>(task: T): DeriveOutput<T>;
export function runDeriveTask(task: DeriveTask): string | Uint8Array {
  try {
    return derive(task);
  } catch {
    throw new RangeError(INPUTS_REJECTED);
  }
}

function derive(task: DeriveTask): string | Uint8Array {
  switch (task.kind) {
    case 'sha-crypt':
      return shaCryptChecksum(task.algorithm, utf8(task.password), Buffer.from(task.salt, 'latin1'), task.rounds);
    case 'md5-crypt':
      return md5CryptChecksum(task.magic, utf8(task.password), Buffer.from(task.salt, 'latin1'));
    case 'des-crypt':
      return desCrypt(utf8(task.password), task.salt);
    case 'phpass':
      return phpassChecksum(task.algorithm, utf8(task.password), Buffer.from(task.salt, 'latin1'), task.log2);
    case 'bcrypt':
      return bcrypt.hashSync(task.secret, task.setting);
    case 'argon2': {
      const version = ARGON2_VERSION[task.version];
      if (version === undefined) throw new RangeError('unsupported Argon2 version');
      return exactBytes(
        hashRawSync(task.password, {
          algorithm: ARGON2_ALGORITHM[task.type],
          version,
          memoryCost: task.memoryKiB,
          timeCost: task.timeCost,
          parallelism: task.parallelism,
          outputLen: task.tagLength,
          salt: task.salt,
        }),
      );
    }
    case 'pbkdf2':
      return exactBytes(pbkdf2Sync(task.password, task.salt, task.iterations, task.keyLength, task.digest));
    case 'scrypt':
      return exactBytes(scryptSync(task.password, task.salt, task.keyLength, { N: task.N, r: task.r, p: task.p, maxmem: task.maxmem }));
    default:
      throw new TypeError('unknown derive task');
  }
}
