/**
 * The RestfulProvider as B2C runs it: POST to the profile's ServiceUrl (its origin mapped onto loopback, its
 * path kept), input claims as flat JSON (or a form) keyed by PartnerClaimType, authentication per
 * AuthenticationType and CryptographicKeys from the policy-key store, a 10 s timeout with one retry. A 200's
 * JSON keys become output claims (a null is refused); a 4xx with `userMessage` is shown on the page; anything
 * else shows DefaultUserMessageIfRequestFailed.
 */
import { claimValue, type ClaimsBag } from './claims';
import { missingRequiredClaim, type ProviderResult } from './providerResult';
import { B2cPolicyError, type TechnicalProfile } from './technicalProfile';

/** What B2C shows when the profile sets no DefaultUserMessageIfRequestFailed. */
const REQUEST_FAILED = 'There was an error calling the service. Please try again later.';
const TOKEN_ORIGIN = 'https://login.microsoftonline.com';

export interface TokenRequest {
  readonly url: string;
  /** The client credentials the profile's Basic keys resolve to. */
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly form: Readonly<Record<string, string>>;
}

export interface RestfulOptions {
  readonly policyKeys: Readonly<Record<string, string>>;
  readonly serviceUrlOverride: (url: string) => string;
  readonly tokenEndpoint?: (request: TokenRequest) => string | Promise<string>;
  readonly requestTimeoutMs: number;
}

export interface RestCall {
  readonly profile: string;
  /** The path the XML names (never a query or a header). */
  readonly path: string;
  /** The JSON / form keys sent, never their values. */
  readonly claims: readonly string[];
  readonly authenticationType: string;
  readonly attempts: number;
  readonly status?: number;
  readonly error?: string;
}

export async function runRestfulProfile(profile: TechnicalProfile, bag: ClaimsBag, options: RestfulOptions, record: (call: RestCall) => void): Promise<ProviderResult> {
  const serviceUrl = requiredMetadata(profile, 'ServiceUrl');
  const sendClaimsIn = profile.metadata.get('SendClaimsIn') ?? 'Body';
  if (sendClaimsIn !== 'Body' && sendClaimsIn !== 'Form') throw new B2cPolicyError(`${profile.id}: SendClaimsIn ${sendClaimsIn} is not modelled by the stand-in`);
  const failed: ProviderResult = { ok: false, userMessage: profile.metadata.get('DefaultUserMessageIfRequestFailed') ?? REQUEST_FAILED };

  const payload: Record<string, string> = {};
  // The bearer claim travels in the Authorization header only.
  const bearerClaim = profile.metadata.get('AuthenticationType') === 'Bearer' ? profile.metadata.get('UseClaimAsBearerToken') : undefined;
  for (const ref of profile.inputClaims.filter((input) => input.claim !== bearerClaim)) {
    const value = claimValue(ref, bag);
    if (value !== undefined) payload[ref.partner] = value;
    else if (ref.required) return missingRequiredClaim(profile, ref.claim);
  }
  const authenticationType = profile.metadata.get('AuthenticationType') ?? 'None';
  const url = new URL(serviceUrl);
  if (url.protocol !== 'https:') throw new B2cPolicyError(`${profile.id}: B2C calls only https ServiceUrls, not ${serviceUrl}`);
  const base = { profile: profile.id, path: url.pathname, claims: Object.keys(payload), authenticationType };

  if (url.origin === TOKEN_ORIGIN) {
    if (options.tokenEndpoint === undefined) throw new B2cPolicyError(`${profile.id} calls ${url.origin}: give the stand-in a tokenEndpoint`);
    if (authenticationType !== 'Basic' || sendClaimsIn !== 'Form') throw new B2cPolicyError(`${profile.id}: a client-credentials token request goes as a Form with Basic client authentication`);
    const token = await options.tokenEndpoint({
      url: serviceUrl,
      clientId: policyKey(profile, options, 'BasicAuthenticationUsername'),
      clientSecret: policyKey(profile, options, 'BasicAuthenticationPassword'),
      form: payload,
    });
    record({ ...base, attempts: 1, status: 200 });
    return mapAnswer(profile, { token_type: 'Bearer', access_token: token, expires_in: 3600 }, failed);
  }

  const headers: Record<string, string> = {
    'content-type': sendClaimsIn === 'Body' ? 'application/json' : 'application/x-www-form-urlencoded',
    ...authenticationHeaders(profile, bag, options, authenticationType),
  };
  const body = sendClaimsIn === 'Body' ? JSON.stringify(payload) : new URLSearchParams(payload).toString();
  const target = options.serviceUrlOverride(serviceUrl);

  let attempts = 0;
  let response: Response | undefined;
  let error: string | undefined;
  // B2C waits 10 s for an answer and tries once more on a timeout or a broken connection.
  while (response === undefined && attempts < 2) {
    attempts += 1;
    try {
      response = await fetch(target, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.requestTimeoutMs) });
    } catch (caught) {
      // By name, not instanceof: the DOMException may come from another realm (jest's sandbox).
      error = (caught as { name?: unknown } | undefined)?.name === 'TimeoutError' ? 'timeout' : 'connection failed';
    }
  }
  if (response === undefined) {
    record({ ...base, attempts, error: error ?? 'no answer' });
    const timeoutMessage = profile.metadata.get('UserMessageIfRequestTimeout');
    return error === 'timeout' && timeoutMessage !== undefined ? { ok: false, userMessage: timeoutMessage } : failed;
  }
  const text = await response.text();
  record({ ...base, attempts, status: response.status });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failed;
  }
  if (response.status === 200) return mapAnswer(profile, json, failed);
  if (response.status >= 400 && response.status < 500 && isRecord(json) && typeof json.userMessage === 'string') {
    return { ok: false, userMessage: json.userMessage };
  }
  return failed;
}

function mapAnswer(profile: TechnicalProfile, json: unknown, failed: ProviderResult): ProviderResult {
  if (!isRecord(json)) return failed;
  const answer = new Map<string, string>();
  for (const ref of profile.outputClaims) {
    if (!(ref.partner in json)) continue;
    const value = json[ref.partner];
    // B2C refuses a 200 whose claim is null (or not a scalar) instead of leaving the claim unset.
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return failed;
    answer.set(ref.partner, String(value));
  }
  return { ok: true, answer };
}

function authenticationHeaders(profile: TechnicalProfile, bag: ClaimsBag, options: RestfulOptions, authenticationType: string): Record<string, string> {
  switch (authenticationType) {
    case 'None':
      return {};
    case 'Basic': {
      const user = requiredPolicyKey(profile, options, 'BasicAuthenticationUsername');
      const password = requiredPolicyKey(profile, options, 'BasicAuthenticationPassword');
      return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
    }
    case 'Bearer': {
      const claim = requiredMetadata(profile, 'UseClaimAsBearerToken');
      const token = bag.get(claim);
      if (token === undefined) throw new B2cPolicyError(`${profile.id}: bearer claim ${claim} has no value (did the token profile run first?)`);
      return { authorization: `Bearer ${token}` };
    }
    case 'ApiKeyHeader': {
      if (profile.keys.size === 0) throw new B2cPolicyError(`${profile.id}: ApiKeyHeader needs a CryptographicKeys Key whose Id is the header`);
      return Object.fromEntries([...profile.keys.keys()].map((header) => [header.toLowerCase(), requiredPolicyKey(profile, options, header)]));
    }
    case 'ClientCertificate':
      // App Service terminates TLS and hands the function the client certificate in this header.
      return { 'x-arr-clientcert': base64Der(requiredPolicyKey(profile, options, 'ClientCertificate')) };
    default:
      throw new B2cPolicyError(`${profile.id}: AuthenticationType ${authenticationType} is not modelled by the stand-in`);
  }
}

function policyKey(profile: TechnicalProfile, options: RestfulOptions, keyId: string): string | undefined {
  const reference = profile.keys.get(keyId);
  if (reference === undefined) return undefined;
  const value = options.policyKeys[reference];
  if (value === undefined) throw new B2cPolicyError(`${profile.id}: policy key ${reference} is not in the stand-in's key store`);
  return value;
}

function requiredPolicyKey(profile: TechnicalProfile, options: RestfulOptions, keyId: string): string {
  const value = policyKey(profile, options, keyId);
  if (value === undefined) throw new B2cPolicyError(`${profile.id}: CryptographicKeys has no Key ${keyId}`);
  return value;
}

function requiredMetadata(profile: TechnicalProfile, key: string): string {
  const value = profile.metadata.get(key);
  if (value === undefined) throw new B2cPolicyError(`${profile.id}: Metadata ${key} is missing`);
  return value;
}

/** A PEM certificate or bare base64 DER, as base64 DER. */
function base64Der(certificate: string): string {
  return certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
