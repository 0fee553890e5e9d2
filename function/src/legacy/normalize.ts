/**
 * One spelling per user. Entra sends the sign-in name as the user typed it; every store is keyed by the
 * normalized form, so importers and the callout must agree on this function.
 */
import type { HashParams } from '../hashing/types';
import type { AccountStatus, LegacyProfile, LegacyUserRecord } from './port';

export const MAX_USERNAME_LENGTH = 256;

/**
 * Trims, applies Unicode NFKC (full-width and compatibility forms type the same name differently) and
 * lower-cases email addresses. Entra External ID treats email sign-in names case-insensitively, so
 * `Alice@Contoso.com` and `alice@contoso.com` are one account; other user names keep their case because
 * legacy systems may distinguish it. NFKC runs again after lower-casing so the result is a fixed point.
 */
export function normalizeUsername(raw: string): string {
  const name = raw.normalize('NFKC').trim();
  return name.includes('@') ? name.toLowerCase().normalize('NFKC') : name;
}

/** C0/C1 control characters, and lone surrogates (they have no UTF-8 form, so two names could encode alike). */
const FORBIDDEN = /[\p{Cc}\p{Cs}]/u;

/** A usable normalized username: 1 to 256 characters (code points), no control characters. */
export function isValidUsername(s: string): boolean {
  if (s.length === 0 || FORBIDDEN.test(s)) return false;
  let count = 0;
  for (const _ of s) if (++count > MAX_USERNAME_LENGTH) return false;
  return true;
}

export const ACCOUNT_STATUSES: readonly AccountStatus[] = ['active', 'disabled', 'locked'];

/** Longest stored hash accepted; real hashes are far shorter (bcrypt 60, argon2 ~100, PBKDF2 exports a few hundred). */
const MAX_HASH_LENGTH = 4096;

/** The profile's fields, flat in a users-file line and as Table columns (LegacyProfile). */
export const PROFILE_FIELDS = ['email', 'displayName', 'givenName', 'surname'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** Graph's lengths (user resource) for the names, so B2C accepts what is stored; an email is as long as a username may be. */
export const MAX_PROFILE_LENGTHS: Readonly<Record<ProfileField, number>> = { email: MAX_USERNAME_LENGTH, displayName: 256, givenName: 64, surname: 64 };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** name@domain.tld with no spaces: the shape Entra and B2C accept as an email address. */
export function isEmailAddress(value: string): boolean {
  return EMAIL.test(value);
}

const RECORD_FIELDS = new Set(['username', 'hash', 'params', 'status', 'mustChangePassword', 'migrated', 'migratedAt', 'supersededAt', ...PROFILE_FIELDS]);

/**
 * Raised for an invalid user record. The message names the field and never contains a value: records
 * hold hashes, and usernames are personal data.
 */
export class UserRecordError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'UserRecordError';
  }
}

function optionalDateTime(v: Record<string, unknown>, field: 'migratedAt' | 'supersededAt'): string | undefined {
  const value = v[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new UserRecordError(field, `"${field}" must be an ISO 8601 date-time string`);
  }
  return value;
}

/**
 * Validates one exported user (from a JSON-lines file, a Table entity or an importer) and returns it with
 * its username normalized and defaults filled in: status `active`, not migrated, no forced change. The
 * profile fields are flat here (`email`, `displayName`, …) and nested in the record (`profile`).
 * Unknown fields are rejected: a misspelt `"Status": "disabled"` must not silently leave an account active.
 */
export function toUserRecord(value: unknown): LegacyUserRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserRecordError('', 'the record must be a JSON object with "username" and "hash"');
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!RECORD_FIELDS.has(key)) throw new UserRecordError(printableField(key), `unknown field ${printableField(key)} (allowed: ${[...RECORD_FIELDS].join(', ')})`);
  }

  if (typeof v.username !== 'string') throw new UserRecordError('username', '"username" must be a string');
  const username = normalizeUsername(v.username);
  if (!isValidUsername(username)) {
    throw new UserRecordError('username', `"username" must be 1-${MAX_USERNAME_LENGTH} characters without control characters`);
  }
  if (typeof v.hash !== 'string' || v.hash.length === 0) throw new UserRecordError('hash', '"hash" must be a non-empty string');
  if (v.hash.length > MAX_HASH_LENGTH) throw new UserRecordError('hash', `"hash" is longer than ${MAX_HASH_LENGTH} characters`);

  let params: HashParams | undefined;
  if (v.params !== undefined && v.params !== null) {
    if (typeof v.params !== 'object' || Array.isArray(v.params)) throw new UserRecordError('params', '"params" must be a JSON object');
    params = v.params as HashParams;
  }

  const status = v.status ?? 'active';
  if (!ACCOUNT_STATUSES.includes(status as AccountStatus)) {
    throw new UserRecordError('status', `"status" must be one of ${ACCOUNT_STATUSES.join(', ')}`);
  }
  const mustChangePassword = optionalBoolean(v, 'mustChangePassword');
  const migrated = optionalBoolean(v, 'migrated');

  const migratedAt = optionalDateTime(v, 'migratedAt');
  const supersededAt = optionalDateTime(v, 'supersededAt');
  const profile = toLegacyProfile(v);

  return {
    username,
    hash: v.hash,
    ...(params ? { params } : {}),
    status: status as AccountStatus,
    mustChangePassword,
    migrated,
    ...(migratedAt ? { migratedAt } : {}),
    ...(supersededAt ? { supersededAt } : {}),
    ...(profile ? { profile } : {}),
  };
}

/**
 * The profile fields of `source` (a record's flat fields, or a legacy web service's `profile` object; other
 * keys are not looked at). Each is absent, null or text: text is trimmed and empty text is absent; `email`
 * is normalized as usernames are and must look like an address; no field may hold control characters or
 * exceed MAX_PROFILE_LENGTHS. Undefined when none is known. Throws UserRecordError naming the field, never its value.
 */
export function toLegacyProfile(source: Readonly<Record<string, unknown>>): LegacyProfile | undefined {
  const profile: Partial<Record<ProfileField, string>> = {};
  for (const field of PROFILE_FIELDS) {
    const value = source[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new UserRecordError(field, `"${field}" must be a string`);
    const text = field === 'email' ? normalizeUsername(value) : value.trim();
    if (text === '') continue;
    const max = MAX_PROFILE_LENGTHS[field];
    if (text.length > max || FORBIDDEN.test(text)) throw new UserRecordError(field, `"${field}" must be at most ${max} characters without control characters`);
    if (field === 'email' && !isEmailAddress(text)) throw new UserRecordError(field, '"email" must be an email address (name@domain)');
    profile[field] = text;
  }
  return Object.keys(profile).length === 0 ? undefined : profile;
}

/** A profile as flat fields (a users-file line, Table columns): only the known ones. */
export function profileFields(profile: LegacyProfile | undefined): Partial<Record<ProfileField, string>> {
  const fields: Partial<Record<ProfileField, string>> = {};
  for (const field of PROFILE_FIELDS) {
    const value = profile?.[field];
    if (value !== undefined) fields[field] = value;
  }
  return fields;
}

function optionalBoolean(v: Record<string, unknown>, field: 'mustChangePassword' | 'migrated'): boolean {
  const value = v[field];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new UserRecordError(field, `"${field}" must be true or false`);
  return value;
}

/** Names a misspelt field so it can be found, but only when it looks like a field name (never a pasted value). */
function printableField(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(key) ? `"${key}"` : '(not shown)';
}
