/**
 * Step 2 of the sign-in path: open `encryptedPasswordContext` (docs/entra-contracts.md#password-context).
 * The JWE wraps an unsigned JWT (`alg: none`): decrypt, then decode the inner token without verifying it.
 * The JWE gives confidentiality only; the caller's authenticity was established by the bearer token (section 10).
 */
import { inspect } from 'node:util';
import { decryptCompactJwe, JweError } from '../crypto/jwe';
import type { KeyLabel, KeyRing } from '../crypto/keyRing';

/** Safe to log: never contains the token, the password or any claim value. */
export class PasswordContextError extends Error {
  override readonly name = 'PasswordContextError';
}

export interface PasswordContext {
  readonly username: string;
  readonly password: string;
  readonly nonce: string;
  readonly expiresAt?: Date;
  readonly keyLabel: KeyLabel;
}

export interface DecryptPasswordContextOptions {
  /** The extension appId and, optionally, its identifier URI; the inner `aud` must be one of them when present. */
  expectedAudiences: string[];
  /** Default 60. */
  clockSkewSeconds?: number;
  now?: Date;
}

export const MAX_USERNAME_LENGTH = 256;
export const MAX_PASSWORD_LENGTH = 1024;
export const MAX_NONCE_LENGTH = 128;
/** The inner token is a few hundred bytes; this bounds the inflated `zip: DEF` content too. */
const MAX_PLAINTEXT_BYTES = 16 * 1024;
const REDACTED = '[redacted]';

export async function decryptPasswordContext(
  encryptedPasswordContext: string,
  ring: KeyRing,
  options: DecryptPasswordContextOptions,
): Promise<PasswordContext> {
  if (typeof encryptedPasswordContext !== 'string' || encryptedPasswordContext === '') {
    throw new PasswordContextError('encryptedPasswordContext is empty');
  }
  let decrypted;
  try {
    decrypted = await decryptCompactJwe(encryptedPasswordContext, ring, { maxPlaintextBytes: MAX_PLAINTEXT_BYTES });
  } catch (error) {
    throw new PasswordContextError(`encryptedPasswordContext: ${error instanceof JweError ? error.message : 'could not be decrypted'}`);
  }

  const claims = readClaims(decrypted.plaintext);
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const skew = options.clockSkewSeconds ?? 60;

  // Section 8.2: `aud`/`exp`/`nbf` are observed, not documented, so each is checked only when present.
  let expiresAt: Date | undefined;
  if (claims.exp !== undefined) {
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) throw new PasswordContextError('the password context exp is not a number');
    if (nowSeconds > claims.exp + skew) throw new PasswordContextError('the password context has expired');
    expiresAt = new Date(claims.exp * 1000);
  }
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== 'number' || !Number.isFinite(claims.nbf)) throw new PasswordContextError('the password context nbf is not a number');
    if (nowSeconds + skew < claims.nbf) throw new PasswordContextError('the password context is not yet valid');
  }
  if (claims.aud !== undefined) {
    const audiences: unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.some((aud) => typeof aud === 'string' && options.expectedAudiences.includes(aud))) {
      throw new PasswordContextError('the password context audience is not the extension app');
    }
  }

  const username = requiredString(claims, 'username', MAX_USERNAME_LENGTH);
  const password = requiredString(claims, 'user-password', MAX_PASSWORD_LENGTH);
  const nonce = requiredString(claims, 'nonce', MAX_NONCE_LENGTH);
  return new DecryptedPasswordContext(username, password, nonce, expiresAt, decrypted.key.label);
}

/**
 * The claims of the inner unsigned JWT, or of plain JSON (section 16's fallback). A JWT cannot start with `{`
 * (base64url has no braces), which tells the two apart even when a claim value contains dots.
 */
function readClaims(plaintext: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(plaintext).trim();
  } catch {
    throw new PasswordContextError('the password context is not UTF-8');
  }
  let json: string;
  if (!text.startsWith('{')) {
    // `header.payload.` (alg none) or `header.payload.signature`. A signature could not be checked anyway
    // (no key is published for it), so it neither adds trust nor causes a refusal.
    const parts = text.split('.');
    if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]*$/.test(part)) || !parts[0] || !parts[1]) {
      throw new PasswordContextError('the password context is not a compact JWT');
    }
    const header = parseObject(Buffer.from(parts[0], 'base64url').toString('utf8'), 'header');
    if (typeof header.alg !== 'string') throw new PasswordContextError('the password context JWT header has no alg');
    json = Buffer.from(parts[1], 'base64url').toString('utf8');
  } else {
    json = text;
  }
  return parseObject(json, 'claims');
}

function parseObject(json: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new PasswordContextError(`the password context ${what} are not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PasswordContextError(`the password context ${what} are not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function requiredString(claims: Record<string, unknown>, name: string, maxLength: number): string {
  const value = claims[name];
  if (typeof value !== 'string' || value === '') throw new PasswordContextError(`the password context lacks a non-empty ${name} claim`);
  if (value.length > maxLength) throw new PasswordContextError(`the password context ${name} claim is longer than ${maxLength} characters`);
  return value;
}

/**
 * The password is a non-enumerable property, and JSON, `util.inspect` and string conversion redact it (and the username),
 * so logging the context by mistake does not leak it (docs/entra-contracts.md#password-context).
 */
class DecryptedPasswordContext implements PasswordContext {
  declare readonly password: string;
  readonly expiresAt?: Date;

  constructor(
    readonly username: string,
    password: string,
    readonly nonce: string,
    expiresAt: Date | undefined,
    readonly keyLabel: KeyLabel,
  ) {
    Object.defineProperty(this, 'password', { value: password, enumerable: false, writable: false, configurable: false });
    if (expiresAt) this.expiresAt = expiresAt;
    Object.freeze(this);
  }

  toJSON(): Record<string, unknown> {
    // The username is personal data and, mistyped, sometimes a password: redacted as well.
    return { username: REDACTED, password: REDACTED, nonce: this.nonce, expiresAt: this.expiresAt?.toISOString(), keyLabel: this.keyLabel };
  }

  toString(): string {
    return '[PasswordContext]';
  }

  [inspect.custom](): string {
    return `PasswordContext ${inspect(this.toJSON())}`;
  }
}
