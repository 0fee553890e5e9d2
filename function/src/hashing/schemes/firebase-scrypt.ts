import { createCipheriv } from 'node:crypto';
import { constantTimeEqual } from '../compare';
import { decodeBase64, utf8 } from '../encoding';
import { deriveScrypt } from '../kdf';
import { defineScheme, requireIntegerInRange } from '../scheme';
import type { HashParams, HashScheme } from '../types';
import type { OffThread } from '../worker-pool';
import { MalformedHashError } from '../types';

/**
 * Firebase Authentication's modified scrypt (github.com/firebase/scrypt, README "Password Hashing").
 * The hash is the exported base64 passwordHash; the params carry the per-user salt and the
 * project's hash config, all base64 as Firebase exports them:
 *   {"algorithm":"firebase-scrypt","salt","signerKey","saltSeparator","rounds","memCost"}
 * key = scrypt(password, salt ‖ saltSeparator, N = 2^memCost, r = rounds, p = 1, 32 bytes);
 * passwordHash = AES-256-CTR(key, IV = 0¹²⁸).encrypt(signerKey).
 */
const ID = 'firebase-scrypt';

interface FirebaseParams {
  readonly salt: Buffer;
  readonly signerKey: Buffer;
  readonly saltSeparator: Buffer;
  readonly rounds: number;
  readonly memCost: number;
}

function base64Param(params: HashParams, name: string): Buffer {
  const value = params[name];
  const decoded = typeof value === 'string' ? decodeBase64(value, 'required') : undefined;
  if (!decoded) throw new MalformedHashError(ID, `params.${name} must be base64`);
  return decoded;
}

function integerParam(params: HashParams, name: string, min: number, max: number): number {
  const value = params[name];
  const number = typeof value === 'string' && /^[0-9]{1,3}$/.test(value) ? Number(value) : value;
  return requireIntegerInRange(ID, `params.${name}`, typeof number === 'number' ? number : Number.NaN, min, max);
}

function parseParams(params: HashParams): FirebaseParams {
  return {
    salt: base64Param(params, 'salt'),
    signerKey: base64Param(params, 'signerKey'),
    saltSeparator: base64Param(params, 'saltSeparator'),
    // Firebase allows rounds 1–8 and memCost 1–14; the scrypt limits in kdf.ts bound anything larger.
    rounds: integerParam(params, 'rounds', 1, 64),
    memCost: integerParam(params, 'memCost', 1, 24),
  };
}

export const createFirebaseScryptScheme = (offThread: OffThread): HashScheme =>
  defineScheme({
    id: ID,
    identify: (hash, params) =>
      typeof params?.['algorithm'] === 'string' &&
      params['algorithm'].toLowerCase() === ID &&
      decodeBase64(hash, 'required') !== undefined,
    async verify(password, hash, params, signal) {
      const config = parseParams(params ?? {});
      const expected = decodeBase64(hash, 'required');
      if (!expected || expected.length !== config.signerKey.length || expected.length === 0) {
        throw new MalformedHashError(ID, 'the password hash must be base64 of the signer key length');
      }
      const key = await deriveScrypt(
        ID,
        offThread,
        {
          password: utf8(password),
          salt: Buffer.concat([config.salt, config.saltSeparator]),
          cost: { N: 2 ** config.memCost, r: config.rounds, p: 1 },
          keyLength: 32,
        },
        signal,
      );
      const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
      const derived = Buffer.concat([cipher.update(config.signerKey), cipher.final()]);
      return constantTimeEqual(expected, derived);
    },
  });
