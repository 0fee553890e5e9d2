/**
 * The contract every export preset implements: which source fields it reads by default, and how one
 * source record becomes a user. Presets are pure (no I/O); the reader streams records through them and
 * applies what every preset shares (--map overrides of common fields, username normalization, duplicates).
 */
import type { HashParams } from '../../../../function/src/hashing';
import type { AccountStatus } from '../../../../function/src/legacy';
import type { B2cAccount, PresetName } from '../types';

export type SourceFormat = 'csv' | 'json-lines' | 'json-document';

/** Firebase's project-level scrypt parameters (console: Authentication → Users → ⋮ → Password hash parameters). */
export interface FirebaseHashConfig {
  readonly signerKey: string;
  readonly saltSeparator: string;
  readonly rounds: number;
  readonly memCost: number;
}

export interface PresetContext {
  readonly firebaseHashConfig?: FirebaseHashConfig;
  /** "Now" for lockout end dates; fixed per run so a run is deterministic. */
  readonly now: Date;
}

/**
 * Reads a target field: the user's `--map target=source` when given, else the preset's default
 * sources in order; the first non-empty value wins. Values are raw (CSV text or JSON values).
 */
export type FieldReader = (target: string) => unknown;

/** A user as a preset sees it: the username is not yet normalized. */
export interface PresetUser {
  readonly username?: string;
  readonly email?: string;
  readonly displayName?: string;
  readonly givenName?: string;
  readonly surname?: string;
  readonly hash?: string;
  readonly params?: HashParams;
  /** When there is no hash: why, and what to do (the importer rejects the row with this reason). */
  readonly noHashReason?: string;
  readonly status: AccountStatus;
  readonly mustChangePassword: boolean;
  /** Only the `b2c` preset sets it. */
  readonly b2c?: B2cAccount;
}

export type PresetOutcome = { readonly ok: true; readonly user: PresetUser } | { readonly ok: false; readonly reason: string };

export interface Preset {
  readonly name: PresetName;
  /** Default sources per target field (CSV column names or JSON paths); `--map` replaces an entry. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  readonly formats: readonly SourceFormat[];
  /** Column names of a header-less CSV export (Firebase writes its CSV without a header). */
  readonly headerlessCsvColumns?: readonly string[];
  /** Added to "missing username" so the operator knows which field the preset looked at and why. */
  readonly usernameHint: string;
  /**
   * Targets (keys of `fields`) without which no record can go into the legacy store. A file with no source for
   * one of them was exported by another system: import-legacy then names the missing column and the preset that fits.
   */
  readonly requiredFields: readonly string[];
  /** May throw FieldError (from the fields.ts parsers): the reader rejects the row as "invalid field". */
  convert(read: FieldReader, context: PresetContext): PresetOutcome;
}

/**
 * Fields every preset understands and `--map` may always set. An explicit `--map` for one of them wins
 * over the preset's own logic (e.g. `--map status=AccountState` replaces the ASP.NET lockout rule).
 */
export const COMMON_TARGETS = ['username', 'email', 'displayName', 'givenName', 'surname', 'hash', 'params', 'status', 'mustChangePassword'] as const;
export type CommonTarget = (typeof COMMON_TARGETS)[number];

/** `--map attributes.<name>=<source>` puts a profile attribute (a Graph user property) on the user. */
export const ATTRIBUTE_PREFIX = 'attributes.';
