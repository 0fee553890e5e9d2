/**
 * Plays Microsoft Entra External ID for tests and the local sandbox: an OpenID metadata document and JWKS on
 * loopback, access tokens as the Authentication Events service gets them (docs/entra-contracts.md#caller-token), and
 * `encryptedPasswordContext` exactly as observed (section 8.2). Real crypto throughout; no jest imports.
 */
import { createHash, createHmac, generateKeyPair, randomBytes, randomUUID, sign, X509Certificate, constants, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { CompactEncrypt, type CompactJWEHeaderParameters } from 'jose';

export interface FakeEntraOptions {
  tenantId: string;
  extensionAppId: string;
}

export interface MintAccessTokenOptions {
  /** Added to, or replacing, the default claims. */
  claims?: Record<string, unknown>;
  omitClaims?: string[];
  /** Merged over `{ alg: 'RS256', typ: 'JWT', kid }`. `alg: 'none'` leaves the token unsigned; `alg: 'HS256'` (384, 512)
   *  signs with the signing key's public PEM as the HMAC secret (the key-confusion attack). */
  header?: Record<string, unknown>;
  /** Default: the current signing key's kid. A published kid signs with that key. */
  kid?: string;
  /** Sign with a fresh key the JWKS does not publish (the header still names `kid`). */
  signWithUnknownKey?: boolean;
  /** Return the token as a JWE to this certificate, as Entra does for apps with `tokenEncryptionKeyId` (section 10.4). */
  encryptToCertificatePem?: string;
  /** Default RSA-OAEP. */
  encryptAlg?: string;
  /** Default A256CBC-HS512. */
  encryptEnc?: string;
}

export interface EncryptPasswordContextOptions {
  alg?: 'RSA-OAEP' | 'RSA-OAEP-256';
  enc?: 'A128CBC-HS256' | 'A256CBC-HS512' | 'A128GCM' | 'A256GCM';
  /** Default true (`zip: DEF`). */
  zip?: boolean;
  /** Default true. */
  includeX5t?: boolean;
  /** Encrypt the claims as plain JSON instead of an unsigned JWT. */
  plainJson?: boolean;
  /** Default 600. */
  lifetimeSeconds?: number;
  /** Default the extension appId. */
  audience?: string;
  /** Claims to leave out (e.g. `nonce`, `user-password`, `exp`). */
  omitClaims?: string[];
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const AUTHENTICATION_EVENTS_APP_ID = '99045fe1-7639-4a75-9d4a-577b6ca3810f';
const generateRsa = promisify(generateKeyPair);

export class FakeEntra {
  readonly metadataUrl: string;
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Requests served, so tests can see caching and refreshes. */
  readonly stats = { metadataRequests: 0, jwksRequests: 0 };
  /** When false every request gets 503 (an outage). */
  available = true;
  private keys: SigningKey[];
  private currentKid: string;
  private readonly listenerId = randomUUID();
  private readonly extensionId = randomUUID();

  private constructor(
    private readonly options: FakeEntraOptions,
    private readonly server: Server,
    origin: string,
    keys: SigningKey[],
  ) {
    const tid = options.tenantId;
    this.issuer = `${origin}/${tid}/v2.0`;
    this.metadataUrl = `${origin}/${tid}/v2.0/.well-known/openid-configuration`;
    this.jwksUrl = `${origin}/${tid}/discovery/v2.0/keys`;
    this.keys = keys;
    this.currentKid = keys[0]!.kid;
  }

  static async start(options: FakeEntraOptions): Promise<FakeEntra> {
    const keys = await Promise.all([newSigningKey(), newSigningKey()]);
    let fake: FakeEntra | undefined;
    const server = createServer((request, response) => fake!.serve(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    fake = new FakeEntra(options, server, `http://127.0.0.1:${port}`, keys);
    return fake;
  }

  get signingKeyIds(): readonly string[] {
    return this.keys.map((key) => key.kid);
  }

  /** Publishes a new key; with `makeCurrent`, new tokens are signed with it (a rotation). Returns its kid. */
  async addSigningKey(options?: { makeCurrent?: boolean }): Promise<string> {
    const key = await newSigningKey();
    this.keys = [...this.keys, key];
    if (options?.makeCurrent) this.currentKid = key.kid;
    return key.kid;
  }

  /** Stops publishing a key (tokens signed with it then fail once verifiers refresh). */
  removeSigningKey(kid: string): void {
    const remaining = this.keys.filter((key) => key.kid !== kid);
    if (remaining.length === 0) throw new Error('FakeEntra must keep at least one signing key');
    this.keys = remaining;
    if (this.currentKid === kid) this.currentKid = remaining[0]!.kid;
  }

  /** A v2 client-credentials access token for the extension app, as Entra sends it to the callout. */
  async mintAccessToken(options: MintAccessTokenOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const { tenantId, extensionAppId } = this.options;
    const claims: Record<string, unknown> = {
      aud: extensionAppId,
      iss: this.issuer,
      iat: now,
      nbf: now,
      exp: now + 3600,
      aio: randomBytes(24).toString('base64url'),
      azp: AUTHENTICATION_EVENTS_APP_ID,
      azpacr: '2',
      idtyp: 'app',
      oid: randomUUID(),
      sub: randomUUID(),
      tid: tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '2.0',
      ...options.claims,
    };
    for (const name of options.omitClaims ?? []) delete claims[name];

    const kid = options.kid ?? this.currentKid;
    const header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid, ...options.header };
    // A published kid signs with its own key; an unpublished kid (a negative test) with the current one.
    const signingKey = this.keys.find((key) => key.kid === kid) ?? this.keys.find((key) => key.kid === this.currentKid)!;
    const privateKey = options.signWithUnknownKey ? (await newSigningKey()).privateKey : signingKey.privateKey;
    const jws = signJws(header, claims, privateKey, signingKey.publicKey);
    if (!options.encryptToCertificatePem) return jws;

    const certificate = certificateFrom(options.encryptToCertificatePem);
    return new CompactEncrypt(new TextEncoder().encode(jws))
      .setProtectedHeader({
        alg: options.encryptAlg ?? 'RSA-OAEP',
        enc: options.encryptEnc ?? 'A256CBC-HS512',
        cty: 'JWT',
        x5t: thumbprint(certificate),
      })
      .encrypt(certificate.publicKey);
  }

  /**
   * `encryptedPasswordContext` as observed (section 8.2): `{"alg":"RSA-OAEP","enc":"A128CBC-HS256","x5t":…,"zip":"DEF"}`
   * around an unsigned JWT with `aud`, `iss`, `iat`, `nbf`, `exp` (+600 s), `user-password`, `username`, `nonce`.
   */
  async encryptPasswordContext(
    claims: { username: string; password: string; nonce: string } & Record<string, unknown>,
    certificatePem: string,
    options: EncryptPasswordContextOptions = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const { username, password, nonce, ...extra } = claims;
    const payload: Record<string, unknown> = {
      aud: options.audience ?? this.options.extensionAppId,
      iss: `api://localhost/${this.options.extensionAppId}`,
      iat: now,
      nbf: now,
      exp: now + (options.lifetimeSeconds ?? 600),
      'user-password': password,
      username,
      nonce,
      ...extra,
    };
    for (const name of options.omitClaims ?? []) delete payload[name];

    const plaintext = options.plainJson ? JSON.stringify(payload) : `${b64json({ alg: 'none', typ: 'JWT' })}.${b64json(payload)}.`;
    const certificate = certificateFrom(certificatePem);
    const header: CompactJWEHeaderParameters = { alg: options.alg ?? 'RSA-OAEP', enc: options.enc ?? 'A128CBC-HS256' };
    if (options.includeX5t ?? true) header.x5t = thumbprint(certificate);
    if (options.zip ?? true) header.zip = 'DEF';
    return new CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader(header).encrypt(certificate.publicKey);
  }

  /** The request body of section 8.1 around an `encryptedPasswordContext`. */
  passwordSubmitBody(
    encryptedPasswordContext: string,
    options: { correlationId?: string; clientAppId?: string; user?: Record<string, unknown> } = {},
  ): object {
    const { tenantId } = this.options;
    const clientAppId = options.clientAppId ?? randomUUID();
    return {
      type: 'microsoft.graph.authenticationEvent.passwordSubmit',
      source: `/tenants/${tenantId}/applications/${clientAppId}`,
      data: {
        '@odata.type': 'microsoft.graph.onPasswordSubmitCalloutData',
        tenantId,
        authenticationEventListenerId: this.listenerId,
        customAuthenticationExtensionId: this.extensionId,
        encryptedPasswordContext,
        authenticationContext: {
          correlationId: options.correlationId ?? randomUUID(),
          client: { ip: '127.0.0.1', locale: 'en-us', market: 'en-us' },
          protocol: 'OAUTH2.0',
          clientServicePrincipal: { id: randomUUID(), appId: clientAppId, appDisplayName: 'Contoso Web', displayName: 'Contoso Web' },
          resourceServicePrincipal: null,
          user: options.user ?? {
            id: randomUUID(),
            userPrincipalName: `${randomUUID()}@contoso.onmicrosoft.com`,
            userType: 'Member',
            createdDateTime: new Date().toISOString(),
            displayName: 'Migrating User',
            mail: 'user@contoso.example',
          },
        },
        userSignUpInfo: null,
        otpContext: null,
      },
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const tid = this.options.tenantId;
    if (!this.available) return reply(response, 503, { error: 'temporarily_unavailable' });
    if (request.method !== 'GET') return reply(response, 405, { error: 'method_not_allowed' });
    if (path === `/${tid}/v2.0/.well-known/openid-configuration`) {
      this.stats.metadataRequests += 1;
      return reply(response, 200, {
        issuer: this.issuer,
        jwks_uri: this.jwksUrl,
        token_endpoint: `${this.issuer.replace('/v2.0', '')}/oauth2/v2.0/token`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        tenant_region_scope: 'EU',
      });
    }
    if (path === `/${tid}/discovery/v2.0/keys`) {
      this.stats.jwksRequests += 1;
      return reply(response, 200, {
        keys: this.keys.map((key) => ({ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, use: 'sig', kty: 'RSA' })),
      });
    }
    reply(response, 404, { error: 'not_found' });
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
  return { kid: randomBytes(15).toString('base64url'), privateKey, publicKey };
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

const HASHES: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

function signJws(header: Record<string, unknown>, claims: Record<string, unknown>, privateKey: KeyObject, publicKey: KeyObject): string {
  const input = `${b64json(header)}.${b64json(claims)}`;
  const alg = String(header.alg);
  const hash = HASHES[alg.slice(2)];
  let signature: Buffer;
  if (alg === 'none') signature = Buffer.alloc(0);
  else if (hash && alg.startsWith('HS')) signature = createHmac(hash, publicKey.export({ format: 'pem', type: 'spki' })).update(input).digest();
  else if (hash && alg.startsWith('RS')) signature = sign(hash, Buffer.from(input), privateKey);
  else if (hash && alg.startsWith('PS')) {
    signature = sign(hash, Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  } else throw new Error(`FakeEntra cannot sign with alg ${alg}`);
  return `${input}.${signature.toString('base64url')}`;
}

/** The first certificate in a PEM string that may also hold a private key. */
function certificateFrom(pem: string): X509Certificate {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem);
  if (!match) throw new Error('FakeEntra needs a PEM certificate to encrypt to');
  return new X509Certificate(match[0]);
}

function thumbprint(certificate: X509Certificate): string {
  return createHash('sha1').update(certificate.raw).digest('base64url');
}

