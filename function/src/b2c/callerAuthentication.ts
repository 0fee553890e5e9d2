/**
 * How the B2C endpoints know the caller is the B2C tenant's RESTful technical profile (docs/b2c-contracts.md#caller-authentication):
 * one authenticator per `B2cApiAuth` type. Each refusal is an `AuthenticationError` whose message is a reason for the log
 * (never a secret, a token or a certificate); the HTTP layer answers a bare 401. Bad settings throw a `TypeError` whose
 * message starts with the setting's name, so the settings loader can report it against that setting.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { MIN_B2C_SHARED_SECRET_BYTES, type B2cApiAuth } from '../../../lib/b2c/contract';
import type { B2cAuthSettings } from '../config/settings';
import { constantTimeEqual } from '../hashing/compare';
import { AuthenticationError, CallerAuthenticator, isTrustedUrl } from '../pipeline/authenticate';
import { GUID } from '../../../lib/ids/guid';

/** One copy: the settings loader's `B2cAuthSettings` (the `B2cApiAuth` setting and the settings of the chosen type). */
export type B2cCallerAuthSettings = B2cAuthSettings;

/** The request headers as the Functions runtime's `HttpRequest.headers` (a Fetch `Headers`) offers them. */
export interface B2cRequestHeaders {
  get(name: string): string | null;
}

export interface B2cCallerAuthenticator {
  readonly kind: B2cApiAuth;
  /** Resolves when the caller is B2C; otherwise throws `AuthenticationError`. */
  authenticate(headers: B2cRequestHeaders): Promise<void>;
  /** Loads what the first call would otherwise wait for (bearer: OpenID metadata and keys); never throws. */
  prefetch?(): Promise<void>;
}

/** Below this, a shared secret could be guessed faster than B2C's traffic could be told from an attack. */
export { MIN_B2C_SHARED_SECRET_BYTES };
/** The header App Service's front end puts the TLS client certificate in, base64 DER. */
export const CLIENT_CERTIFICATE_HEADER = 'x-arr-clientcert';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the platform or HTTP itself sets or rewrites, which would never carry B2C's key intact. */
const RESERVED_HEADER = /^(?:host|connection|content-.*|transfer-encoding|x-arr-.*|x-forwarded-.*|x-ms-.*|x-original-.*|x-site-deployment-id|x-waws-.*)$/i;
/** A header value's characters, without spaces: the Fetch API trims a value's ends, so a key with spaces could never match. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const THUMBPRINT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASIC = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i;
/** A credential or key header is short; anything longer is refused before any work is done on it. */
const MAX_SECRET_HEADER_LENGTH = 4096;
/** One DER certificate as base64; a certificate with a 4096-bit key and a few extensions is under 2 KB. */
const MAX_CERTIFICATE_HEADER_LENGTH = 32 * 1024;
const COLON = 0x3a;

export function createB2cCallerAuthenticator(settings: B2cCallerAuthSettings): B2cCallerAuthenticator {
  switch (settings.kind) {
    case 'bearer':
      return new BearerAuthenticator(settings);
    case 'basic':
      return new BasicAuthenticator(settings);
    case 'apiKey':
      return new ApiKeyAuthenticator(settings);
    case 'clientCertificate':
      return new ClientCertificateAuthenticator(settings);
    default:
      throw new TypeError(`B2cApiAuth: must be one of bearer, basic, apiKey, clientCertificate`);
  }
}

/**
 * A client-credentials access token the policy fetched from the B2C tenant's Entra endpoint just before the call:
 * issuer `https://login.microsoftonline.com/{tid}/v2.0` only, audience the API app, `azp` one of the caller apps.
 */
class BearerAuthenticator implements B2cCallerAuthenticator {
  readonly kind = 'bearer';
  private readonly tokens: CallerAuthenticator;

  constructor(settings: Extract<B2cCallerAuthSettings, { kind: 'bearer' }>) {
    if (!GUID.test(settings.tenantId ?? '')) throw new TypeError("B2cTenantId: must be the B2C tenant's directory (tenant) ID, a GUID");
    if (!GUID.test(settings.apiAppId ?? '')) throw new TypeError('B2cApiAppId: must be the client ID (a GUID) of the API app registration B2C requests a token for');
    const { apiAppIdentifierUri, openIdMetadataUrl, clockSkewSeconds } = settings;
    if (apiAppIdentifierUri !== undefined && !URL.canParse(apiAppIdentifierUri)) {
      throw new TypeError('B2cApiAppIdentifierUri: must be the API app\'s Application ID URI, like api://jit.contoso.example/<client id>');
    }
    const callers = settings.callerAppIds ?? [];
    if (callers.length === 0 || !callers.every((id) => GUID.test(id))) {
      throw new TypeError('B2cCallerAppIds: must be one or more client IDs (GUIDs) of the app registrations whose client credentials the policy uses');
    }
    if (openIdMetadataUrl !== undefined && !isTrustedUrl(openIdMetadataUrl)) {
      throw new TypeError('B2cOpenIdMetadataUrl: must be an https URL (http only for loopback hosts), without credentials');
    }
    if (!Number.isInteger(clockSkewSeconds) || clockSkewSeconds < 0) throw new TypeError('ClockSkewSeconds: must be a whole number of seconds, 0 or more');
    const tid = settings.tenantId.toLowerCase();
    this.tokens = new CallerAuthenticator({
      tenantId: tid,
      extensionAppId: settings.apiAppId,
      extensionAppIdentifierUri: apiAppIdentifierUri,
      // The v2 token endpoint's issuer only: a B2C tenant is no External ID tenant (no ciamlogin.com), and v1
      // tokens (sts.windows.net) mean the API app was not set to `requestedAccessTokenVersion: 2`.
      issuers: [`https://login.microsoftonline.com/${tid}/v2.0`],
      metadataUrls: openIdMetadataUrl === undefined ? undefined : [openIdMetadataUrl],
      allowedCallerAppIds: callers,
      clockSkewSeconds,
      // No keyRing: B2C's token request cannot ask for an encrypted token, so a JWE is refused.
    });
  }

  async authenticate(headers: B2cRequestHeaders): Promise<void> {
    await this.tokens.authenticate(headers.get('authorization') ?? undefined);
  }

  prefetch(): Promise<void> {
    return this.tokens.prefetch();
  }
}

/** `Authorization: Basic base64(username:password)`, both parts compared in constant time. */
class BasicAuthenticator implements B2cCallerAuthenticator {
  readonly kind = 'basic';
  private readonly usernameDigest: Buffer;
  private readonly passwordDigest: Buffer;

  constructor(settings: Extract<B2cCallerAuthSettings, { kind: 'basic' }>) {
    const { username, password } = settings;
    // RFC 7617: the user-id cannot contain a colon (the first colon ends it).
    if (typeof username !== 'string' || username === '' || username.includes(':')) {
      throw new TypeError('B2cBasicUsername: must be set, without a colon (the user name in the B2C policy key)');
    }
    requireLongSecret('B2cBasicPassword', password);
    this.usernameDigest = digest(Buffer.from(username, 'utf8'));
    this.passwordDigest = digest(Buffer.from(password, 'utf8'));
  }

  async authenticate(headers: B2cRequestHeaders): Promise<void> {
    const header = headers.get('authorization');
    if (header === null || header === '') throw new AuthenticationError('no Authorization header');
    if (header.length > MAX_SECRET_HEADER_LENGTH) throw new AuthenticationError('the Authorization header is too long');
    const match = BASIC.exec(header);
    if (!match) throw new AuthenticationError('the Authorization header is not Basic credentials');
    const credentials = strictBase64(match[1]!);
    if (!credentials) throw new AuthenticationError('the Basic credentials are not valid base64');
    const colon = credentials.indexOf(COLON);
    if (colon < 0) throw new AuthenticationError('the Basic credentials have no colon between user name and password');
    // Both compared, always, so the time taken does not tell a wrong user name from a wrong password.
    const usernameMatches = constantTimeEqual(this.usernameDigest, digest(credentials.subarray(0, colon)));
    const passwordMatches = constantTimeEqual(this.passwordDigest, digest(credentials.subarray(colon + 1)));
    if (!(usernameMatches && passwordMatches)) throw new AuthenticationError('the Basic credentials do not match the configured user name and password');
  }
}

/** One header (B2C's `ApiKeyHeader`) holding the key, compared in constant time. */
class ApiKeyAuthenticator implements B2cCallerAuthenticator {
  readonly kind = 'apiKey';
  private readonly header: string;
  private readonly keyDigest: Buffer;

  constructor(settings: Extract<B2cCallerAuthSettings, { kind: 'apiKey' }>) {
    const { header, key } = settings;
    if (typeof header !== 'string' || !HEADER_NAME.test(header)) {
      throw new TypeError('B2cApiKeyHeader: is not a valid HTTP header name: use letters, digits and dashes, e.g. x-api-key');
    }
    if (RESERVED_HEADER.test(header)) {
      throw new TypeError('B2cApiKeyHeader: names a header that HTTP or the platform sets itself: use one of your own, e.g. x-api-key');
    }
    requireLongSecret('B2cApiKey', key);
    if (!VISIBLE_ASCII.test(key)) throw new TypeError('B2cApiKey: must be printable ASCII without spaces, since it travels as a header value');
    this.header = header.toLowerCase();
    this.keyDigest = digest(Buffer.from(key, 'latin1'));
  }

  async authenticate(headers: B2cRequestHeaders): Promise<void> {
    const value = headers.get(this.header);
    if (value === null || value === '') throw new AuthenticationError(`no ${this.header} header`);
    if (value.length > MAX_SECRET_HEADER_LENGTH) throw new AuthenticationError(`the ${this.header} header is too long`);
    if (!constantTimeEqual(this.keyDigest, digest(Buffer.from(value, 'latin1')))) throw new AuthenticationError(`the ${this.header} header does not hold the configured key`);
  }
}

/**
 * The TLS client certificate the platform's front end forwards in `X-ARR-ClientCert`, pinned by thumbprint. Only as
 * good as the platform: the function cannot see the TLS handshake, so it trusts that the front end asked for the
 * certificate (incoming client certificates Required) and does not pass on a caller's own header (docs/b2c-contracts.md).
 */
class ClientCertificateAuthenticator implements B2cCallerAuthenticator {
  readonly kind = 'clientCertificate';
  private readonly thumbprints: ReadonlySet<string>;

  constructor(settings: Extract<B2cCallerAuthSettings, { kind: 'clientCertificate' }>) {
    const thumbprints = settings.thumbprints ?? [];
    if (thumbprints.length === 0 || !thumbprints.every((thumbprint) => THUMBPRINT.test(thumbprint))) {
      throw new TypeError(
        'B2cClientCertificateThumbprints: must be one or more hex SHA-1 (40 characters) or SHA-256 (64 characters) thumbprints, without colons',
      );
    }
    this.thumbprints = new Set(thumbprints.map((thumbprint) => thumbprint.toLowerCase()));
  }

  async authenticate(headers: B2cRequestHeaders): Promise<void> {
    const value = headers.get(CLIENT_CERTIFICATE_HEADER);
    if (value === null || value === '') throw new AuthenticationError('no X-ARR-ClientCert header: incoming client certificates must be Required on the function app');
    if (value.length > MAX_CERTIFICATE_HEADER_LENGTH) throw new AuthenticationError('the X-ARR-ClientCert header is too long');
    const der = strictBase64(value);
    if (!der) throw new AuthenticationError('the X-ARR-ClientCert header is not valid base64');
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(der);
    } catch {
      throw new AuthenticationError('the X-ARR-ClientCert header is not a DER X.509 certificate');
    }
    // Thumbprints are public, so a plain comparison; SHA-1 is what the B2C portal shows, SHA-256 the stronger pin.
    const sha1 = createHash('sha1').update(der).digest('hex');
    const sha256 = createHash('sha256').update(der).digest('hex');
    if (!this.thumbprints.has(sha1) && !this.thumbprints.has(sha256)) throw new AuthenticationError('the client certificate thumbprint is not an allowed one');
    const now = Date.now();
    // validFromDate/validToDate arrived in Node 22.10; the text forms parse the same way before that.
    const notBefore = (certificate.validFromDate ?? new Date(certificate.validFrom)).getTime();
    const notAfter = (certificate.validToDate ?? new Date(certificate.validTo)).getTime();
    if (!(now >= notBefore)) throw new AuthenticationError('the client certificate is not valid yet');
    if (!(now <= notAfter)) throw new AuthenticationError('the client certificate has expired');
  }
}

function requireLongSecret(setting: string, value: string): void {
  if (typeof value !== 'string' || Buffer.byteLength(value, 'utf8') < MIN_B2C_SHARED_SECRET_BYTES) {
    throw new TypeError(`${setting}: must be at least ${MIN_B2C_SHARED_SECRET_BYTES} bytes: generate a random one and store it in Key Vault and in the B2C policy key`);
  }
}

/** Fixed-length digests, so the comparison's time depends on neither secret's length. */
function digest(value: Uint8Array): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The bytes of canonical, padded base64 (what B2C and the platform send); undefined for anything else. */
function strictBase64(value: string): Buffer | undefined {
  if (value.length % 4 !== 0 || !BASE64.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}
