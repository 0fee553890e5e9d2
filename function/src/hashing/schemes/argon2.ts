import { constantTimeEqual } from '../compare';
import { exactBytes, isRejectedInputs, type Argon2Type } from '../derive/tasks';
import { decodeBase64 } from '../encoding';
import { LIMITS } from '../limits';
import { defineScheme, parseDecimal, requireIntegerInRange } from '../scheme';
import type { HashScheme } from '../types';
import { MalformedHashError } from '../types';
import type { OffThread } from '../worker-pool';

/**
 * Argon2 (RFC 9106) in the PHC string format of the reference implementation
 * (phc-winner-argon2, src/encoding.c): `$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>`, salt and
 * hash in unpadded standard base64. A missing `v=` means version 0x10. The m/t/p parameters are read in
 * any order: node-argon2 (and so many Node.js legacy systems) writes `m=…,p=…,t=…`. The raw tag is
 * derived with the native `@node-rs/argon2` addon on a hash thread and compared in constant time.
 */
const PHC_FORMAT = /^\$(argon2id|argon2i|argon2d)\$(?:v=([0-9]+)\$)?([mtp]=[0-9]+,[mtp]=[0-9]+,[mtp]=[0-9]+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** The m, t and p values of a PHC parameter list, each exactly once, or undefined. */
function costParameters(list: string): { m: string; t: string; p: string } | undefined {
  const values = new Map(list.split(',').map((pair) => pair.split('=') as [string, string]));
  const m = values.get('m');
  const t = values.get('t');
  const p = values.get('p');
  return values.size === 3 && m && t && p ? { m, t, p } : undefined;
}

interface Argon2Hash {
  readonly type: Argon2Type;
  readonly version: number;
  readonly memoryKiB: number;
  readonly timeCost: number;
  readonly parallelism: number;
  readonly salt: Buffer;
  readonly tag: Buffer;
}

export function argon2TypeOf(phc: string): Argon2Type | undefined {
  const match = PHC_FORMAT.exec(phc);
  return match && costParameters(match[3] ?? '') ? (match[1] as Argon2Type) : undefined;
}

function parseArgon2(scheme: string, phc: string): Argon2Hash {
  const match = PHC_FORMAT.exec(phc);
  const costs = match ? costParameters(match[3] ?? '') : undefined;
  if (!match || !costs) throw new MalformedHashError(scheme, 'the stored hash is not an Argon2 PHC string');
  const [, type, versionText, , saltText = '', tagText = ''] = match;
  const { m: memoryText, t: timeText, p: parallelismText } = costs;
  const version = versionText === undefined ? 0x10 : parseDecimal(versionText);
  if (version !== 0x10 && version !== 0x13) throw new MalformedHashError(scheme, 'unsupported Argon2 version');
  const parallelism = requireIntegerInRange(scheme, 'argon2 parallelism', parseDecimal(parallelismText), 1, LIMITS.argon2MaxParallelism);
  const memoryKiB = requireIntegerInRange(scheme, 'argon2 memory (KiB)', parseDecimal(memoryText), 8 * parallelism, LIMITS.argon2MaxMemoryKiB);
  const timeCost = requireIntegerInRange(scheme, 'argon2 time cost', parseDecimal(timeText), 1, LIMITS.argon2MaxTimeCost);
  const salt = decodeBase64(saltText, 'none');
  const tag = decodeBase64(tagText, 'none');
  // RFC 9106 §3.1: salt at least 8 bytes, tag at least 4.
  if (!salt || salt.length < 8 || salt.length > 1024) throw new MalformedHashError(scheme, 'the Argon2 salt is invalid');
  if (!tag || tag.length < 4 || tag.length > LIMITS.maxDerivedKeyBytes) throw new MalformedHashError(scheme, 'the Argon2 hash is invalid');
  return { type: type as Argon2Type, version, memoryKiB, timeCost, parallelism, salt, tag };
}

/** Verifies `password` against an Argon2 PHC string; `scheme` names the caller in errors. */
export async function verifyArgon2Phc(scheme: string, offThread: OffThread, password: string, phc: string, signal?: AbortSignal): Promise<boolean> {
  const { type, version, memoryKiB, timeCost, parallelism, salt, tag } = parseArgon2(scheme, phc);
  let derived: Uint8Array;
  try {
    derived = await offThread.derive(
      { kind: 'argon2', type, version, memoryKiB, timeCost, parallelism, password, salt: exactBytes(salt), tagLength: tag.length },
      signal,
    );
  } catch (error) {
    if (isRejectedInputs(error)) throw new MalformedHashError(scheme, 'the Argon2 parameters were rejected');
    throw error;
  }
  return constantTimeEqual(tag, derived);
}

function argon2Scheme(type: Argon2Type, offThread: OffThread): HashScheme {
  return defineScheme({
    id: type,
    identify: (hash) => argon2TypeOf(hash) === type,
    verify: (password, hash, _params, signal) => verifyArgon2Phc(type, offThread, password, hash, signal),
  });
}

export const createArgon2Schemes = (offThread: OffThread): HashScheme[] =>
  (['argon2id', 'argon2i', 'argon2d'] as const).map((type) => argon2Scheme(type, offThread));
