/**
 * B2C's request adapter: the flat JSON a RESTful technical profile sends with SendClaimsIn=Body, keyed by
 * each input claim's PartnerClaimType (lib/b2c/contract.ts, docs/b2c-contracts.md). Validated here, at the
 * boundary; nothing is echoed back in an error.
 */
import { B2C_CLAIMS } from '../../../lib/b2c/contract';
import { isValidUsername, normalizeUsername } from '../legacy/normalize';
import { MAX_PASSWORD_LENGTH } from '../pipeline/decrypt';
import { RequestShapeError } from '../pipeline/request';
import { GUID } from '../../../lib/ids/guid';

export interface B2cSignInRequest {
  /** Normalized like every sign-in name (trim, NFKC, e-mail lower-cased), so lockout counts one user. */
  readonly username: string;
  readonly password: string;
}

export interface B2cSignUpRequest {
  readonly username: string;
}

export interface B2cPasswordResetRequest {
  readonly username: string;
  /** The B2C account's object id when B2C already found one by the e-mail. */
  readonly objectId?: string;
}

export function parseB2cSignIn(text: string): B2cSignInRequest {
  const body = parseObject(text);
  const password = body[B2C_CLAIMS.password];
  if (typeof password !== 'string' || password.length === 0) throw new RequestShapeError(400, `${B2C_CLAIMS.password} is missing or not a string`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new RequestShapeError(400, `${B2C_CLAIMS.password} is longer than ${MAX_PASSWORD_LENGTH} characters`);
  return { username: signInName(body, B2C_CLAIMS.signInName), password };
}

export function parseB2cSignUp(text: string): B2cSignUpRequest {
  return { username: signInName(parseObject(text), B2C_CLAIMS.email) };
}

export function parseB2cPasswordReset(text: string): B2cPasswordResetRequest {
  const body = parseObject(text);
  const objectId = body[B2C_CLAIMS.objectId];
  // B2C leaves a claim without a value out; an empty string is read the same way.
  if (objectId !== undefined && objectId !== null && objectId !== '' && (typeof objectId !== 'string' || !GUID.test(objectId))) {
    throw new RequestShapeError(400, `${B2C_CLAIMS.objectId} is not an object id (GUID)`);
  }
  return { username: signInName(body, B2C_CLAIMS.email), ...(typeof objectId === 'string' && objectId !== '' ? { objectId: objectId.toLowerCase() } : {}) };
}

function parseObject(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RequestShapeError(400, 'the request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestShapeError(400, 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

function signInName(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw new RequestShapeError(400, `${key} is missing or not a string`);
  const username = normalizeUsername(value);
  if (!isValidUsername(username)) throw new RequestShapeError(400, `${key} is empty or not a valid sign-in name`);
  return username;
}
