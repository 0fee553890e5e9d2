/**
 * Whether an exported user can go into the legacy store: it has a hash, the hash registry recognizes the
 * hash's format (a cheap format check, no hashing), and it makes a valid store record. Refusals explain
 * what the hash looks like (its label or shape, never its content) and what to do.
 */
import type { HashRegistry } from '../../../../function/src/hashing';
import type { HashParams } from '../../../../function/src/hashing';
import { toUserRecord, UserRecordError } from '../../../../function/src/legacy';
import type { LegacyUserRecord } from '../../../../function/src/legacy';
import { missingHashReason } from '../reader';
import type { ExportedUser } from '../types';

export type Acceptance = { readonly ok: true; readonly user: LegacyUserRecord; readonly scheme: string } | { readonly ok: false; readonly reason: string };

/** Params travel in a Table property (64 KiB at most); real ones are a few hundred bytes. */
const MAX_PARAMS_JSON = 8 * 1024;
const FIREBASE_PARAMS = ['salt', 'signerKey', 'saltSeparator', 'rounds', 'memCost'] as const;

export function acceptUser(user: ExportedUser, registry: Pick<HashRegistry, 'identify'>): Acceptance {
  if (user.hash === undefined) return { ok: false, reason: missingHashReason(user) ?? 'missing hash' };
  if (user.params && JSON.stringify(user.params).length > MAX_PARAMS_JSON) {
    return { ok: false, reason: `invalid params: longer than ${MAX_PARAMS_JSON / 1024} KiB as JSON; keep only what the hash scheme needs` };
  }
  const scheme = registry.identify(user.hash, user.params);
  if (!scheme) return { ok: false, reason: unrecognizedReason(user.hash, user.params) };
  if (scheme.id === 'firebase-scrypt') {
    const missing = FIREBASE_PARAMS.filter((name) => user.params?.[name] === undefined || user.params[name] === '');
    if (missing.length > 0) return { ok: false, reason: `invalid params: firebase-scrypt needs ${missing.join(', ')} in params; use --preset firebase with the project's hash parameters` };
  }
  let record: LegacyUserRecord;
  try {
    record = toUserRecord({
      username: user.username,
      hash: user.hash,
      ...(user.params ? { params: user.params } : {}),
      status: user.status,
      mustChangePassword: user.mustChangePassword,
      email: user.email,
      displayName: user.displayName,
      givenName: user.givenName,
      surname: user.surname,
    });
  } catch (error) {
    if (error instanceof UserRecordError) return { ok: false, reason: `invalid record: ${error.message}` };
    throw error;
  }
  return { ok: true, user: record, scheme: scheme.id };
}

function unrecognizedReason(hash: string, params: HashParams | undefined): string {
  const algorithm = params?.['algorithm'];
  if (typeof algorithm === 'string') {
    const name = /^[A-Za-z0-9_-]{1,40}$/.test(algorithm) ? `"${algorithm}"` : '(not shown)';
    return `unrecognized hash: it does not fit params.algorithm ${name}; check the algorithm name (see the scheme ids in function/src/hashing/README.md) and the hash's encoding`;
  }
  return `unrecognized hash: ${describeShape(hash)} is in no format the verifier supports (function/src/hashing/README.md lists them); users whose passwords are hashed that way need a password reset in Entra, or a verifier for the scheme`;
}

/**
 * What a hash looks like, safe to print: its self-describing label (`$2b$`, `{SSHA}`, `pbkdf2_sha256$`),
 * which names an algorithm and carries no secret, or else its shape (hex or base64, and length).
 */
export function describeShape(hash: string): string {
  const modular = /^\$([A-Za-z0-9.-]{1,24})\$/.exec(hash);
  if (modular) return `a "$${modular[1]}$" hash`;
  const ldap = /^\{([A-Za-z0-9.-]{1,24})\}/.exec(hash);
  if (ldap) return `an LDAP "{${ldap[1]}}" hash`;
  const django = /^([a-z0-9_]{2,24})\$/.exec(hash);
  if (django) return `a Django-style "${django[1]}$" hash`;
  if (/^[0-9a-fA-F]+$/.test(hash)) {
    const guess: Readonly<Record<number, string>> = { 32: ' (unsalted MD5?)', 40: ' (unsalted SHA-1?)', 64: ' (unsalted SHA-256?)', 128: ' (unsalted SHA-512?)' };
    return `a bare ${hash.length}-digit hex value${guess[hash.length] ?? ''}`;
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(hash) && hash.length % 4 === 0) {
    return `an unlabelled base64 value of ${(hash.length / 4) * 3 - (hash.match(/=+$/)?.[0].length ?? 0)} bytes (a Firebase hash needs --preset firebase or params.algorithm "firebase-scrypt")`;
  }
  return `a ${hash.length}-character value`;
}
