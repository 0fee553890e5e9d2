/**
 * B2C's response adapter (docs/b2c-contracts.md): a 200 whose keys B2C maps onto output claims, never with a
 * null value (B2C refuses them: [API-CONN] "Handling null values"), or a 409 with `version`, `status` and
 * `userMessage`, which B2C shows inline because the REST profile runs as a validation technical profile.
 */
import type { HttpResponseInit } from '@azure/functions';
import { B2C_ERROR_VERSION, B2C_PROFILE_CLAIMS, type B2cErrorBody, type B2cMigrationAnswer, type B2cMigrationOutcome } from '../../../lib/b2c/contract';
import { isEmailAddress } from '../legacy/normalize';
import type { LegacyProfile } from '../legacy/port';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

/** The profile claims the legacy store knows, each a non-empty string; `email` falls back to an e-mail sign-in name. */
export function profileClaims(profile: LegacyProfile | undefined, username: string): Partial<Record<(typeof B2C_PROFILE_CLAIMS)[number], string>> {
  const claims: Partial<Record<(typeof B2C_PROFILE_CLAIMS)[number], string>> = {};
  for (const name of B2C_PROFILE_CLAIMS) {
    const value = profile?.[name];
    if (typeof value === 'string' && value.trim() !== '') claims[name] = value.trim();
  }
  if (claims.email === undefined && isEmailAddress(username)) claims.email = username;
  return claims;
}

export function b2cMigrationResponse(outcome: B2cMigrationOutcome, claims: Partial<Record<(typeof B2C_PROFILE_CLAIMS)[number], string>> = {}): HttpResponseInit {
  const body: B2cMigrationAnswer = outcome === 'migrated' ? { migrationOutcome: outcome, ...claims } : { migrationOutcome: outcome };
  return { status: 200, headers: JSON_HEADERS, jsonBody: body };
}

/** Sign-up's "go on": an empty object, so B2C has a JSON body to map (no output claims). */
export function b2cAllowedResponse(): HttpResponseInit {
  return { status: 200, headers: JSON_HEADERS, jsonBody: {} };
}

export function b2cErrorResponse(userMessage: string): HttpResponseInit {
  const body: B2cErrorBody = { version: B2C_ERROR_VERSION, status: 409, userMessage };
  return { status: 409, headers: JSON_HEADERS, jsonBody: body };
}
