/**
 * Firebase Authentication's `firebase auth:export users.json` (firebase-tools src/accountExporter.ts):
 *
 *   {"users": [{"localId","email","emailVerified","passwordHash","salt","displayName","photoUrl",
 *               "lastSignedInAt","createdAt","phoneNumber","disabled","customAttributes","providerUserInfo"}]}
 *
 * or its CSV form, which has no header row and fixed columns (transUserToArray: 0 localId … 26 disabled).
 * passwordHash and salt are base64; auth:export drops both for users whose password is not hashed with
 * the project's own modified scrypt. Verifying needs the project's hash config as well (console:
 * Authentication → Users → ⋮ → Password hash parameters: base64_signer_key, base64_salt_separator, rounds,
 * mem_cost), given as CLI flags or as a `hash_config` block in the export; it goes into each user's params
 * as the registry's firebase-scrypt scheme expects them.
 */
import { decodeBase64 } from '../../../../function/src/hashing';
import { boolean, FieldError, text } from '../fields';
import type { FirebaseHashConfig, Preset } from './preset';

/** firebase-tools transUserToArray, index by index (providers 7–22: google, facebook, twitter, github × rawId/email/displayName/photoUrl). */
const CSV_COLUMNS = [
  'localId', 'email', 'emailVerified', 'passwordHash', 'salt', 'displayName', 'photoUrl',
  'google.rawId', 'google.email', 'google.displayName', 'google.photoUrl',
  'facebook.rawId', 'facebook.email', 'facebook.displayName', 'facebook.photoUrl',
  'twitter.rawId', 'twitter.email', 'twitter.displayName', 'twitter.photoUrl',
  'github.rawId', 'github.email', 'github.displayName', 'github.photoUrl',
  'createdAt', 'lastSignedInAt', 'phoneNumber', 'disabled', 'customAttributes',
] as const;

const HASH_PARAMETERS_HELP =
  'pass --firebase-signer-key, --firebase-salt-separator, --firebase-rounds and --firebase-mem-cost from the Firebase console (Authentication → Users → ⋮ → Password hash parameters)';

export const firebasePreset: Preset = {
  name: 'firebase',
  fields: {
    username: ['email'],
    email: ['email'],
    hash: ['passwordHash'],
    salt: ['salt'],
    displayName: ['displayName'],
    disabled: ['disabled'],
    providers: ['providerUserInfo'],
  },
  formats: ['json-document', 'json-lines', 'csv'],
  headerlessCsvColumns: CSV_COLUMNS,
  usernameHint: 'Firebase users sign in by email; accounts without one (phone, anonymous, some providers) have no password to migrate',
  requiredFields: ['username', 'hash', 'salt'],
  convert(read, { firebaseHashConfig }) {
    const passwordHash = text(read('hash'), 'passwordHash');
    const salt = text(read('salt'), 'salt');
    let noHashReason: string | undefined;
    if (!passwordHash) noHashReason = missingHashReason(read('providers'));
    else if (!salt) noHashReason = 'missing salt: the user has a passwordHash but no salt; re-export with firebase auth:export (it writes both)';
    else if (!firebaseHashConfig) noHashReason = `missing hash parameters: Firebase hashes need the project's hash config; ${HASH_PARAMETERS_HELP}`;

    const usable = noHashReason === undefined && passwordHash !== undefined && salt !== undefined && firebaseHashConfig !== undefined;
    return {
      ok: true,
      user: {
        username: text(read('username'), 'email'),
        email: text(read('email'), 'email'),
        displayName: text(read('displayName'), 'displayName'),
        hash: usable ? standardBase64(passwordHash, 'passwordHash') : undefined,
        params: usable
          ? {
              algorithm: 'firebase-scrypt',
              salt: standardBase64(salt, 'salt'),
              signerKey: firebaseHashConfig.signerKey,
              saltSeparator: firebaseHashConfig.saltSeparator,
              rounds: firebaseHashConfig.rounds,
              memCost: firebaseHashConfig.memCost,
            }
          : undefined,
        noHashReason,
        status: boolean(read('disabled'), 'disabled') === true ? 'disabled' : 'active',
        mustChangePassword: false,
      },
    };
  },
};

function missingHashReason(providers: unknown): string {
  const ids = Array.isArray(providers)
    ? providers.map((p) => (p as { providerId?: unknown } | null)?.providerId).filter((id): id is string => typeof id === 'string' && /^[a-z0-9.]{1,40}$/.test(id))
    : [];
  const how = ids.length > 0 ? `signs in with ${ids.join(', ')} only` : 'has no password (e-mail link, phone or provider sign-in)';
  return `missing hash: no passwordHash in the export, so the account ${how}, or its password was imported into Firebase with another algorithm (auth:export leaves those out); it cannot be migrated by password`;
}

/** Firebase's API returns web-safe base64; auth:export converts it, other tools may not. Padding is restored too. */
function standardBase64(value: string, field: string): string {
  const converted = value.replaceAll('-', '+').replaceAll('_', '/');
  const padded = converted + '='.repeat((4 - (converted.length % 4)) % 4);
  if (!decodeBase64(padded, 'required')) throw new FieldError(`${field} is not base64`);
  return padded;
}

/**
 * The project hash config from CLI flags or an export's `hash_config` block (the console's names,
 * `base64_signer_key`…, or camelCase). Throws FieldError naming the parameter, never its value.
 */
export function parseFirebaseHashConfig(value: unknown, source: string): FirebaseHashConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FieldError(`${source} must be an object`);
  const v = value as Record<string, unknown>;
  const pick = (...names: string[]): unknown => names.map((n) => v[n]).find((x) => x !== undefined && x !== null);
  const algorithm = pick('algorithm', 'hash_algorithm');
  if (algorithm !== undefined && String(algorithm).toUpperCase() !== 'SCRYPT') {
    throw new FieldError(`${source}: algorithm must be SCRYPT (Firebase's modified scrypt); other algorithms are not exported with hashes`);
  }
  const signerKey = base64Parameter(pick('signerKey', 'base64_signer_key', 'signer_key'), `${source}: signer key`, false);
  const saltSeparator = base64Parameter(pick('saltSeparator', 'base64_salt_separator', 'salt_separator'), `${source}: salt separator`, true);
  const rounds = integerParameter(pick('rounds'), `${source}: rounds`, 1, 8);
  const memCost = integerParameter(pick('memCost', 'mem_cost'), `${source}: mem cost`, 1, 14);
  return { signerKey, saltSeparator, rounds, memCost };
}

function base64Parameter(value: unknown, name: string, mayBeEmpty: boolean): string {
  if (typeof value !== 'string' || (!mayBeEmpty && value === '')) throw new FieldError(`${name} is missing: copy it from the console's Password hash parameters`);
  return standardBase64(value, name);
}

/** Firebase allows rounds 1–8 and mem_cost 1–14 (auth:import --rounds / --mem-cost). */
function integerParameter(value: unknown, name: string, min: number, max: number): number {
  const n = typeof value === 'string' && /^[0-9]{1,3}$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new FieldError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}
