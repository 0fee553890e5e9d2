import { desCrypt } from './des-crypt';
import { md5CryptChecksum, type Md5CryptMagic } from './md5-crypt';
import { phpassChecksum } from './phpass';
import { shaCryptChecksum, type ShaCryptAlgorithm } from './sha-crypt';

/**
 * Work sent to the hash worker pool: the main thread parses and validates the stored hash,
 * the worker only derives the checksum and hands it back for a constant-time compare.
 * Salts travel as Latin-1 strings of their raw bytes (crypt salts are the bytes of the setting).
 */
export type DeriveTask =
  | { readonly kind: 'sha-crypt'; readonly algorithm: ShaCryptAlgorithm; readonly password: string; readonly salt: string; readonly rounds: number }
  | { readonly kind: 'md5-crypt'; readonly magic: Md5CryptMagic; readonly password: string; readonly salt: string }
  | { readonly kind: 'des-crypt'; readonly password: string; readonly salt: string }
  | { readonly kind: 'phpass'; readonly algorithm: 'md5' | 'sha512'; readonly password: string; readonly salt: string; readonly log2: number };

/** Runs one task synchronously (in a worker thread). Returns the encoded checksum. */
export function runDeriveTask(task: DeriveTask): string {
  const password = Buffer.from(task.password, 'utf8');
  switch (task.kind) {
    case 'sha-crypt':
      return shaCryptChecksum(task.algorithm, password, Buffer.from(task.salt, 'latin1'), task.rounds);
    case 'md5-crypt':
      return md5CryptChecksum(task.magic, password, Buffer.from(task.salt, 'latin1'));
    case 'des-crypt':
      return desCrypt(password, task.salt);
    case 'phpass':
      return phpassChecksum(task.algorithm, password, Buffer.from(task.salt, 'latin1'), task.log2);
    default:
      throw new TypeError('unknown derive task');
  }
}
