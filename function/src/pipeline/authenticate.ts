/**
 * Step 1 of the sign-in path: prove the caller is Entra's Authentication Events service (docs/entra-contracts.md#caller-token).
 * Self-validation with jose, as microsoft/woodgrove-auth-api does with AddJwtBearer + an `azp` check (section 10.2).
 * The same checks, with B2C's issuer and caller apps, authenticate B2C's client-credentials tokens (docs/b2c-contracts.md).
 */
import { createHash } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwksCache,
  jwtVerify,
  type ExportedJWKSCache,
  type JWSHeaderParameters,
  type FlattenedJWSInput,
  type JWTPayload,
  type RemoteJWKSet,
} from 'jose';
import { TENANT_SUBDOMAIN } from '../config/settings';
import { decryptCompactJwe, JweError } from '../crypto/jwe';
import type { KeyRing } from '../crypto/keyRing';
import { isLoopbackHost } from '../../../lib/net/loopback';
import { GUID } from '../../../lib/ids/guid';

/** Internal reason, for logs only; never contains token content. The HTTP layer answers a bare 401. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

export interface CallerAuthenticatorOptions {
  tenantId: string;
  /** The token audience: the extension app (External ID) or the REST API app (B2C). */
  extensionAppId: string;
  extensionAppIdentifierUri?: string;
  /** The tenant's own subdomain (`contoso` of contoso.ciamlogin.com); only then is that issuer host accepted. */
  tenantSubdomain?: string;
  /**
   * The exact issuers to accept instead of the External ID set (`tenantIssuers`), e.g. only
   * `https://login.microsoftonline.com/{tid}/v2.0` for a B2C tenant. Excludes `tenantSubdomain`.
   */
  issuers?: readonly string[];
  /**
   * OIDC metadata documents to trust; default the tenant's ciamlogin.com and login.microsoftonline.com v2.0
   * documents, or with `issuers` each issuer's own document (`{issuer}/.well-known/openid-configuration`).
   * Only an operator-set list makes the documents' own `issuer` values trusted (see `tenantIssuers`).
   */
  metadataUrls?: string[];
  /** Client IDs one of which `azp` (v2) or `appid` (v1) must equal; default the Authentication Events service only. */
  allowedCallerAppIds?: readonly string[];
  /** Default 60. */
  clockSkewSeconds?: number;
  /** For bearer tokens that arrive as JWE (the app has `tokenEncryptionKeyId`, section 10.4); without it a JWE is refused. */
  keyRing?: KeyRing;
  /** Per metadata or JWKS request; default 1000. */
  fetchTimeoutMs?: number;
  /** Minimum time between JWKS refetches caused by an unknown `kid`; default 30000. */
  jwksRefreshCooldownMs?: number;
  /** How many verified tokens to remember (see `VerifiedToken`); default 32, 0 turns the cache off. */
  verifiedTokenCacheSize?: number;
}

export interface CallerIdentity {
  readonly issuer: string;
  readonly tenantId: string;
  readonly authorizedParty: string;
  readonly audience: string;
}

/** "Azure AD / Azure Active Directory Authentication Extensions": `azp` (v2) or `appid` (v1) of every call (section 10.1). */
export const AUTHENTICATION_EVENTS_APP_ID = '99045fe1-7639-4a75-9d4a-577b6ca3810f';

const SIGNING_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
/** An Entra access token is 1-3 KB, an encrypted one a little more. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const MAX_METADATA_BYTES = 256 * 1024;
const BEARER = /^Bearer[ ]+([A-Za-z0-9_.-]+)[ ]*$/i;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Metadata rarely changes; refresh it in the background after this long and keep the old copy on failure. */
const METADATA_REFRESH_MS = 24 * 60 * 60 * 1000;
/** After a failed metadata fetch, requests fail fast for this long instead of each waiting for a timeout. */
const METADATA_RETRY_MS = 5000;
/** Keys are refreshed in the background after this age, so no request waits for a JWKS download once warm. */
const JWKS_SOFT_MAX_AGE_MS = 10 * 60 * 1000;
/** Hard limit: past this, jose refetches in the request path (only if background refreshes kept failing). */
const JWKS_HARD_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const KID_HINTS_MAX = 64;
/** Entra reuses one client-credentials token per resource for its lifetime, so a few entries cover every caller. */
const VERIFIED_TOKENS_MAX = 32;

interface MetadataEntry {
  value?: { issuer: string; jwksUri: string };
  fetchedAt: number;
  failedAt?: number;
  pending?: Promise<void>;
}

interface JwksEntry {
  readonly set: RemoteJWKSet;
  readonly cache: ExportedJWKSCache | Record<string, never>;
  refreshStartedAt: number;
}

/**
 * A bearer token that passed every check, remembered by the SHA-256 of its exact text (never the token itself).
 * A repeat of the same bytes skips the signature check (a hop to libuv's thread pool through WebCrypto, which
 * made up most of the callout's latency tail) but not the lifetime checks. It is trusted only while the key set
 * that verified it is the one jose holds: any JWKS reload, including the 10-minute background refresh, sends
 * it through full verification again, so a key Entra withdraws stops being honoured within minutes.
 */
interface VerifiedToken {
  readonly identity: CallerIdentity;
  readonly exp: number;
  readonly nbf?: number;
  readonly jwks: JwksEntry;
  /** The key set's `uat` when the signature was checked. */
  readonly keysUpdatedAt: number | undefined;
}

/** Which key set yielded the verifying key, and its `uat` then; filled in by `signingKey`. */
type KeySource = { jwks?: JwksEntry; keysUpdatedAt?: number };

export class CallerAuthenticator {
  private readonly tenantId: string;
  private readonly audiences: string[];
  private readonly metadataUrls: readonly string[];
  private readonly clockSkewSeconds: number;
  private readonly fetchTimeoutMs: number;
  private readonly jwksRefreshCooldownMs: number;
  private readonly keyRing: KeyRing | undefined;
  private readonly allowedIssuers: ReadonlySet<string>;
  private readonly allowedCallerAppIds: ReadonlySet<string>;
  /** Names the caller in refusals: the Authentication Events service unless other callers are configured. */
  private readonly callerDescription: string;
  /** True when the operator named the metadata documents: their `issuer` values are then trusted as stated. */
  private readonly trustMetadataIssuers: boolean;
  private readonly metadata = new Map<string, MetadataEntry>();
  private readonly jwks = new Map<string, JwksEntry>();
  /** Which JWKS last held a `kid`, so a key found in the second set does not cost a refetch of the first. */
  private readonly kidHints = new Map<string, string>();
  private readonly verifiedTokens = new Map<string, VerifiedToken>();
  private readonly verifiedTokensMax: number;

  constructor(options: CallerAuthenticatorOptions) {
    if (!GUID.test(options.tenantId ?? '')) throw new TypeError('CallerAuthenticator: tenantId must be the External ID tenant GUID');
    if (!GUID.test(options.extensionAppId ?? '')) throw new TypeError('CallerAuthenticator: extensionAppId must be the extension app registration client ID');
    const tid = options.tenantId.toLowerCase();
    this.tenantId = tid;
    this.audiences = [options.extensionAppId, options.extensionAppIdentifierUri].filter((value): value is string => !!value);
    this.allowedIssuers = options.issuers === undefined ? tenantIssuers(tid, options.tenantSubdomain) : exactIssuers(options.issuers, options.tenantSubdomain);
    const callers = options.allowedCallerAppIds ?? [AUTHENTICATION_EVENTS_APP_ID];
    if (callers.length === 0 || !callers.every((id) => GUID.test(id))) {
      throw new TypeError('CallerAuthenticator: allowedCallerAppIds must be one or more client IDs (GUIDs)');
    }
    // Entra writes client IDs in lower case; the claim is then compared exactly.
    this.allowedCallerAppIds = new Set(callers.map((id) => id.toLowerCase()));
    this.callerDescription = options.allowedCallerAppIds === undefined ? 'the Authentication Events service' : 'an allowed caller app';
    this.trustMetadataIssuers = options.metadataUrls !== undefined;
    this.metadataUrls =
      options.metadataUrls ??
      (options.issuers === undefined
        ? [`https://${tid}.ciamlogin.com/${tid}/v2.0/.well-known/openid-configuration`, `https://login.microsoftonline.com/${tid}/v2.0/.well-known/openid-configuration`]
        : // OpenID Connect Discovery 1.0 section 4: the issuer without a trailing slash, then the well-known path.
          [...this.allowedIssuers].map((issuer) => `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`));
    if (this.metadataUrls.length === 0) throw new TypeError('CallerAuthenticator: metadataUrls must name at least one OpenID metadata document');
    for (const url of this.metadataUrls) {
      if (!isTrustedUrl(url)) throw new TypeError('CallerAuthenticator: each metadata URL must be https (http only for loopback hosts)');
    }
    this.clockSkewSeconds = options.clockSkewSeconds ?? 60;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 1000;
    this.jwksRefreshCooldownMs = options.jwksRefreshCooldownMs ?? 30_000;
    if (!(this.clockSkewSeconds >= 0) || !Number.isInteger(this.fetchTimeoutMs) || this.fetchTimeoutMs < 1 || !(this.jwksRefreshCooldownMs >= 0)) {
      throw new TypeError('CallerAuthenticator: clockSkewSeconds, fetchTimeoutMs and jwksRefreshCooldownMs must be non-negative numbers');
    }
    this.keyRing = options.keyRing;
    this.verifiedTokensMax = options.verifiedTokenCacheSize ?? VERIFIED_TOKENS_MAX;
    if (!Number.isInteger(this.verifiedTokensMax) || this.verifiedTokensMax < 0) {
      throw new TypeError('CallerAuthenticator: verifiedTokenCacheSize must be a whole number, 0 or more');
    }
  }

  /** Fetches metadata and keys ahead of the first call (cold start); never throws. */
  async prefetch(): Promise<void> {
    const documents = await this.loadMetadata().catch(() => []);
    await Promise.allSettled(documents.map((document) => this.jwksFor(document.jwksUri).set.reload()));
  }

  async authenticate(authorizationHeader: string | undefined): Promise<CallerIdentity> {
    const bearer = bearerToken(authorizationHeader);
    const cacheKey = this.verifiedTokensMax > 0 ? createHash('sha256').update(bearer).digest('base64url') : undefined;
    const known = cacheKey === undefined ? undefined : this.verifiedTokens.get(cacheKey);
    if (known && this.stillTrusted(known)) {
      this.refreshStaleKeys(this.loadedMetadata());
      return known.identity;
    }
    if (known) this.verifiedTokens.delete(cacheKey!);

    const token = await this.innerJws(bearer);

    let header: JWSHeaderParameters;
    try {
      header = decodeProtectedHeader(token) as JWSHeaderParameters;
    } catch {
      throw new AuthenticationError('the bearer token header is not valid base64url JSON');
    }
    // Asymmetric RSA signatures only: no `none`, no HMAC (a public key used as a secret), nothing else.
    if (typeof header.alg !== 'string' || !SIGNING_ALGORITHMS.includes(header.alg)) {
      throw new AuthenticationError('the bearer token signature algorithm is not allowed');
    }
    if (typeof header.kid !== 'string' || header.kid === '') throw new AuthenticationError('the bearer token header has no kid');

    const documents = await this.loadMetadata();
    let payload: JWTPayload;
    const keySource: KeySource = {};
    try {
      ({ payload } = await jwtVerify(token, (protectedHeader, jws) => this.signingKey(documents, protectedHeader, jws, keySource), {
        algorithms: SIGNING_ALGORITHMS,
        audience: this.audiences,
        clockTolerance: this.clockSkewSeconds,
        requiredClaims: ['exp', 'iss', 'tid'],
      }));
    } catch (error) {
      throw verificationError(error);
    }
    this.refreshStaleKeys(documents);

    // Exact string comparison only: no pattern, no case folding, no trailing-slash tolerance.
    const issuer = payload.iss;
    const fromMetadata = this.trustMetadataIssuers && documents.some((document) => document.issuer === issuer);
    if (typeof issuer !== 'string' || !(this.allowedIssuers.has(issuer) || fromMetadata)) {
      throw new AuthenticationError('the bearer token issuer is not an allowed issuer for the tenant');
    }
    const tid = payload.tid;
    if (typeof tid !== 'string' || tid.toLowerCase() !== this.tenantId) throw new AuthenticationError('the bearer token tid is not the configured tenant');
    // v2 tokens carry `azp`, v1 tokens `appid` (section 10.1); whichever is present must name an allowed caller,
    // and both, when present, the same one.
    const { azp, appid } = payload;
    if (azp === undefined && appid === undefined) throw new AuthenticationError('the bearer token has neither azp nor appid');
    for (const party of [azp, appid]) {
      if (party !== undefined && !(typeof party === 'string' && this.allowedCallerAppIds.has(party))) {
        throw new AuthenticationError(`the bearer token was not issued to ${this.callerDescription} (azp/appid)`);
      }
    }
    if (azp !== undefined && appid !== undefined && azp !== appid) throw new AuthenticationError('the bearer token azp and appid name different apps');
    const authorizedParty = (azp ?? appid) as string;
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const audience = audiences.find((value): value is string => typeof value === 'string' && this.audiences.includes(value))!;
    const identity: CallerIdentity = Object.freeze({ issuer, tenantId: tid, authorizedParty, audience });
    if (cacheKey !== undefined && keySource.jwks) {
      // jwtVerify required `exp` and checked that it and `nbf` are numbers.
      this.rememberVerified(cacheKey, { identity, exp: payload.exp!, nbf: payload.nbf, jwks: keySource.jwks, keysUpdatedAt: keySource.keysUpdatedAt });
    }
    return identity;
  }

  /** Lifetime checked as jose's jwtVerify checks it, and the verifying key set not reloaded since. */
  private stillTrusted(token: VerifiedToken): boolean {
    const now = Math.floor(Date.now() / 1000);
    if (token.exp <= now - this.clockSkewSeconds) return false;
    if (token.nbf !== undefined && token.nbf > now + this.clockSkewSeconds) return false;
    return keysUpdatedAt(token.jwks) === token.keysUpdatedAt;
  }

  private rememberVerified(cacheKey: string, token: VerifiedToken): void {
    if (this.verifiedTokens.size >= this.verifiedTokensMax) this.verifiedTokens.delete(this.verifiedTokens.keys().next().value!);
    this.verifiedTokens.set(cacheKey, token);
  }

  /** The inner JWS: the bearer token itself, or the plaintext of a bearer JWE (section 10.4). */
  private async innerJws(token: string): Promise<string> {
    if (JWS.test(token)) return token;
    if (token.split('.').length !== 5) throw new AuthenticationError('the bearer token is neither a JWS nor a JWE');
    if (!this.keyRing) throw new AuthenticationError('the bearer token is encrypted (JWE) but no decryption key is configured');

    let decrypted;
    try {
      decrypted = await decryptCompactJwe(token, this.keyRing, { maxPlaintextBytes: MAX_TOKEN_LENGTH });
    } catch (error) {
      throw new AuthenticationError(`the encrypted bearer token could not be decrypted: ${error instanceof JweError ? error.message : 'unexpected error'}`);
    }
    const { cty } = decrypted.protectedHeader;
    if (cty !== undefined && (typeof cty !== 'string' || cty.toUpperCase() !== 'JWT')) {
      throw new AuthenticationError('the encrypted bearer token does not contain a JWT (cty)');
    }
    const inner = Buffer.from(decrypted.plaintext).toString('latin1');
    if (!JWS.test(inner)) throw new AuthenticationError('the encrypted bearer token does not contain a signed JWT');
    return inner;
  }

  /** The trusted metadata documents that could be loaded; at least one, else the call is refused. */
  private async loadMetadata(): Promise<{ issuer: string; jwksUri: string }[]> {
    const now = Date.now();
    await Promise.all(
      this.metadataUrls.map(async (url) => {
        let entry = this.metadata.get(url);
        if (!entry) this.metadata.set(url, (entry = { fetchedAt: 0 }));
        const due = entry.value ? now - entry.fetchedAt > METADATA_REFRESH_MS : !(entry.failedAt && now - entry.failedAt < METADATA_RETRY_MS);
        if (due && !entry.pending) {
          const current = entry;
          current.pending = this.fetchMetadata(url)
            .then((value) => {
              current.value = value;
              current.fetchedAt = Date.now();
              current.failedAt = undefined;
            })
            .catch(() => {
              current.failedAt = Date.now();
            })
            .finally(() => {
              current.pending = undefined;
            });
        }
        // Wait only when there is nothing cached; a stale copy serves while the refresh runs.
        if (!entry.value && entry.pending) await entry.pending;
      }),
    );
    const documents = this.loadedMetadata();
    if (documents.length === 0) throw new AuthenticationError('no OpenID metadata document could be loaded');
    return documents;
  }

  private loadedMetadata(): { issuer: string; jwksUri: string }[] {
    return this.metadataUrls.flatMap((url) => {
      const value = this.metadata.get(url)?.value;
      return value ? [value] : [];
    });
  }

  private async fetchMetadata(url: string): Promise<{ issuer: string; jwksUri: string }> {
    // No redirects: a redirect could lead off the trusted https hosts.
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(this.fetchTimeoutMs), headers: { accept: 'application/json' } });
    if (response.status !== 200) throw new Error('metadata request failed');
    const text = await response.text();
    if (text.length > MAX_METADATA_BYTES) throw new Error('metadata document too large');
    const document = JSON.parse(text) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof document.issuer !== 'string' || typeof document.jwks_uri !== 'string' || !isTrustedUrl(document.jwks_uri)) {
      throw new Error('metadata document lacks a usable issuer or jwks_uri');
    }
    // Multi-tenant documents say `{tenantid}`; this one trusts only the configured tenant.
    return { issuer: document.issuer.replaceAll('{tenantid}', this.tenantId), jwksUri: document.jwks_uri };
  }

  private jwksFor(jwksUri: string): JwksEntry {
    let entry = this.jwks.get(jwksUri);
    if (!entry) {
      const cache: ExportedJWKSCache | Record<string, never> = {};
      const set = createRemoteJWKSet(new URL(jwksUri), {
        timeoutDuration: this.fetchTimeoutMs,
        cooldownDuration: this.jwksRefreshCooldownMs,
        cacheMaxAge: JWKS_HARD_MAX_AGE_MS,
        [jwksCache]: cache,
      });
      entry = { set, cache, refreshStartedAt: 0 };
      this.jwks.set(jwksUri, entry);
    }
    return entry;
  }

  /** Tries each trusted JWKS (the one that last held this `kid` first); an unknown `kid` refreshes a set within jose's cooldown. */
  private async signingKey(
    documents: { jwksUri: string }[],
    header: JWSHeaderParameters,
    jws: FlattenedJWSInput,
    source: KeySource,
  ) {
    const kid = header.kid!;
    const hinted = this.kidHints.get(kid);
    const uris = [...new Set(documents.map((document) => document.jwksUri))].sort((a, b) => Number(b === hinted) - Number(a === hinted));
    let unavailable = 0;
    for (const uri of uris) {
      try {
        const entry = this.jwksFor(uri);
        const key = await entry.set(header, jws);
        this.rememberKid(kid, uri);
        source.jwks = entry;
        source.keysUpdatedAt = keysUpdatedAt(entry);
        return key;
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) continue;
        unavailable += 1; // timeout, HTTP error or bad JSON: another set may still have the key
      }
    }
    throw unavailable === uris.length ? new AuthenticationError('the signing keys could not be fetched') : new errors.JWKSNoMatchingKey();
  }

  private rememberKid(kid: string, uri: string): void {
    if (this.kidHints.get(kid) === uri) return;
    if (this.kidHints.size >= KID_HINTS_MAX) this.kidHints.delete(this.kidHints.keys().next().value!);
    this.kidHints.set(kid, uri);
  }

  /** Keeps keys fresh without making a request wait (jose would otherwise refetch in the request path). */
  private refreshStaleKeys(documents: { jwksUri: string }[]): void {
    const now = Date.now();
    for (const { jwksUri } of documents) {
      const entry = this.jwks.get(jwksUri);
      const updatedAt = entry ? keysUpdatedAt(entry) : undefined;
      if (!entry || updatedAt === undefined || entry.set.reloading) continue;
      if (now - updatedAt > JWKS_SOFT_MAX_AGE_MS && now - entry.refreshStartedAt > this.jwksRefreshCooldownMs) {
        entry.refreshStartedAt = now;
        entry.set.reload().catch(() => undefined);
      }
    }
  }
}

/**
 * The issuers a token for this tenant may carry, as exact strings (docs/entra-contracts.md#caller-token): the tenant-id host on
 * ciamlogin.com, login.microsoftonline.com, and `{subdomain}.ciamlogin.com` only when the subdomain is configured.
 * Any other `*.ciamlogin.com` host is another tenant's, so no pattern is used.
 */
export function tenantIssuers(tenantId: string, tenantSubdomain?: string): ReadonlySet<string> {
  const tid = tenantId.toLowerCase();
  if (!GUID.test(tid)) throw new TypeError('tenantIssuers: tenantId must be the External ID tenant GUID');
  const issuers = [`https://${tid}.ciamlogin.com/${tid}/v2.0`, `https://login.microsoftonline.com/${tid}/v2.0`];
  if (tenantSubdomain !== undefined) {
    if (!TENANT_SUBDOMAIN.test(tenantSubdomain)) throw new TypeError('tenantIssuers: tenantSubdomain must be one lower-case DNS label, like contoso');
    issuers.push(`https://${tenantSubdomain}.ciamlogin.com/${tid}/v2.0`);
  }
  return new Set(issuers);
}

/** An operator-given issuer list, compared as exact strings like `tenantIssuers`: https only (http for loopback hosts). */
function exactIssuers(issuers: readonly string[], tenantSubdomain: string | undefined): ReadonlySet<string> {
  if (tenantSubdomain !== undefined) throw new TypeError('CallerAuthenticator: issuers and tenantSubdomain exclude each other');
  if (issuers.length === 0) throw new TypeError('CallerAuthenticator: issuers must name at least one issuer');
  for (const issuer of issuers) {
    if (!isTrustedUrl(issuer)) throw new TypeError('CallerAuthenticator: each issuer must be an https URL (http only for loopback hosts)');
  }
  return new Set(issuers);
}

/** The token of a `Bearer` Authorization header, checked for size and alphabet only. */
function bearerToken(authorizationHeader: string | undefined): string {
  if (typeof authorizationHeader !== 'string' || authorizationHeader === '') throw new AuthenticationError('no Authorization header');
  if (authorizationHeader.length > MAX_TOKEN_LENGTH + 16) throw new AuthenticationError('the Authorization header is too long');
  const match = BEARER.exec(authorizationHeader);
  if (!match) throw new AuthenticationError('the Authorization header is not a Bearer token');
  return match[1]!;
}

/** When jose last loaded this key set (its cache's `uat`); undefined before the first load. */
function keysUpdatedAt(entry: JwksEntry): number | undefined {
  return 'uat' in entry.cache ? entry.cache.uat : undefined;
}

/** Maps jose's precise errors to reasons for the log; none carries token content. */
function verificationError(error: unknown): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  if (error instanceof errors.JWTExpired) return new AuthenticationError('the bearer token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    // `claim` is the claim's name (jose's fixed vocabulary), not its value.
    return new AuthenticationError(`the bearer token failed the ${error.claim} claim check (${error.reason})`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('the bearer token signature is invalid');
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthenticationError('no trusted signing key matches the bearer token kid');
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthenticationError('the bearer token signature algorithm is not allowed');
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return new AuthenticationError('the bearer token is malformed');
  return new AuthenticationError('the bearer token could not be verified');
}

/** https, or http to a loopback host (local sandbox and tests); never with credentials in the URL. */
export function isTrustedUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  return isLoopbackHost(url.hostname);
}
