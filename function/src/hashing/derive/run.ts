/**
 * The derivations themselves, run on a hash thread (worker.ts) or in-process in tests: the only module that
 * loads the native bcrypt and argon2 addons, so the main thread never does.
 */
import { pbkdf2Sync, scryptSync } from 'node:crypto';
import { hashRawSync, type Algorithm, type Version } from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import { utf8 } from '../encoding';
import { desCrypt } from './des-crypt';
import { md5CryptChecksum } from './md5-crypt';
import { phpassChecksum } from './phpass';
import { shaCryptChecksum } from './sha-crypt';
import { exactBytes, rejectedInputs, type Argon2Type, type DeriveOutput, type DeriveTask } from './tasks';

// @node-rs/argon2's const enums, by value (isolated modules cannot inline them).
const ARGON2_ALGORITHM: Record<Argon2Type, Algorithm> = { argon2d: 0, argon2i: 1, argon2id: 2 };
const ARGON2_VERSION: Record<number, Version> = { 0x10: 0, 0x13: 1 };

/** Runs one task synchronously (on a hash thread, or in-process in tests). */
export function runDeriveTask<T extends DeriveTask>(task: T): DeriveOutput<T>;
export function runDeriveTask(task: DeriveTask): string | Uint8Array {
  try {
    return derive(task);
  } catch {
    throw rejectedInputs();
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
