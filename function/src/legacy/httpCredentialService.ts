/**
 * A legacy system that checks passwords itself, behind an HTTPS endpoint. The contract (request, answers,
 * errors, with examples) is docs/legacy-web-service.md; this adapter implements exactly that and treats
 * anything else as the legacy system being unavailable.
 */
import { isHttpsOrLoopbackHttp } from '../../../lib/net/loopback';
import { ACCOUNT_STATUSES, toLegacyProfile, UserRecordError } from './normalize';
import { networkCode, PooledHttpClient } from './pooledHttpClient';
import { LegacySystemError, type AccountStatus, type LegacyCredentialResult, type LegacyCredentialService, type LegacyLookupResult, type LegacyProfile } from './port';

export interface HttpCredentialServiceOptions {
  /** The endpoint to POST to (`LegacyServiceUrl`). https, or http on a loopback host. */
  readonly url: string;
  /**
   * The look-up endpoint (`LegacyServiceLookupUrl`), asked without a password (B2C sign-up and password
   * reset); the same rules as `url`. Without it the service has no `lookupUser`.
   */
  readonly lookupUrl?: string;
  /** Sent in `apiKeyHeader` when set (`LegacyServiceApiKey`). */
  readonly apiKey?: string;
  /** Default `x-api-key`. */
  readonly apiKeyHeader?: string;
  /** The whole exchange, connect to last byte. Default 1000 ms. */
  readonly timeoutMs?: number;
}

export { MAX_RESPONSE_BYTES } from './pooledHttpClient';
const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_API_KEY_HEADER = 'x-api-key';
/** RFC 9110 §5.6.2 token: the characters a header name may use. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A setting that cannot work; the message starts with the setting's name. */
export class CredentialServiceConfigError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`${setting} ${problem}`);
    this.name = 'CredentialServiceConfigError';
  }
}

/** One endpoint of the contract: its URL, the setting that names it, and how its errors begin. */
interface Endpoint {
  readonly url: URL;
  readonly setting: string;
  readonly label: string;
}

export class HttpCredentialService implements LegacyCredentialService {
  readonly kind = 'http' as const;
  /** Present only when `lookupUrl` is set. */
  readonly lookupUser?: (normalizedUsername: string, signal?: AbortSignal) => Promise<LegacyLookupResult>;
  private readonly verifyEndpoint: Endpoint;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly timeoutMs: number;
  /** Our own keep-alive pools, shared by both endpoints. */
  private readonly client = new PooledHttpClient();

  constructor(options: HttpCredentialServiceOptions) {
    this.verifyEndpoint = { url: endpointUrl(options.url, 'LegacyServiceUrl', 'the legacy credential endpoint'), setting: 'LegacyServiceUrl', label: 'legacy web service' };
    const lookupEndpoint: Endpoint | undefined =
      options.lookupUrl === undefined
        ? undefined
        : { url: endpointUrl(options.lookupUrl, 'LegacyServiceLookupUrl', 'the legacy look-up endpoint'), setting: 'LegacyServiceLookupUrl', label: 'legacy web service look-up' };
    const header = options.apiKeyHeader ?? DEFAULT_API_KEY_HEADER;
    if (!HEADER_NAME.test(header)) {
      throw new CredentialServiceConfigError('LegacyServiceApiKeyHeader', 'is not a valid HTTP header name: use letters, digits and dashes, e.g. x-api-key');
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new CredentialServiceConfigError('LegacyServiceTimeoutMs', 'must be a positive whole number of milliseconds');
    }
    this.timeoutMs = timeoutMs;
    this.headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(options.apiKey ? { [header.toLowerCase()]: options.apiKey } : {}),
    };
    if (lookupEndpoint) {
      this.lookupUser = (normalizedUsername, signal) =>
        this.exchange(lookupEndpoint, JSON.stringify({ username: normalizedUsername }), signal, (text) => parseLookupAnswer(text, lookupEndpoint.label));
    }
  }

  /** POSTs `{"username","password"}` and reads the answer (docs/legacy-web-service.md). */
  checkCredentials(normalizedUsername: string, password: string, signal?: AbortSignal): Promise<LegacyCredentialResult> {
    const endpoint = this.verifyEndpoint;
    return this.exchange(endpoint, JSON.stringify({ username: normalizedUsername, password }), signal, (text) => parseAnswer(text, endpoint.label));
  }

  /** Closes the kept-alive connections (shutdown, tests). */
  close(): void {
    this.client.close();
  }

  /** One request within LegacyServiceTimeoutMs (and the caller's signal), its 200 body read by `parse`; every failure a LegacySystemError. */
  private async exchange<T>(endpoint: Endpoint, body: string, signal: AbortSignal | undefined, parse: (text: string) => T): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const { status, text } = await this.client.post(endpoint.url, this.headers, body, combined, endpoint.label);
      if (status !== 200) throw new LegacySystemError(statusProblem(status, endpoint));
      return parse(text);
    } catch (error) {
      if (error instanceof LegacySystemError) throw error;
      if (timeout.aborted) throw new LegacySystemError(`${endpoint.label}: no answer within ${this.timeoutMs} ms (LegacyServiceTimeoutMs)`);
      if (signal?.aborted) throw new LegacySystemError(`${endpoint.label}: the request was cancelled`);
      // No cause attached: socket errors can carry request details; the code is enough to act on.
      throw new LegacySystemError(`${endpoint.label}: could not be reached (${networkCode(error)})`);
    }
  }
}

/** A usable endpoint URL; `what` names it in the fix. */
function endpointUrl(raw: string, setting: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CredentialServiceConfigError(setting, `is not a valid URL: set it to the https URL of ${what}`);
  }
  // Requests carry a password or a username and the API key in clear text: TLS is mandatory off the machine.
  if (!isHttpsOrLoopbackHttp(url)) {
    throw new CredentialServiceConfigError(setting, 'must use https (plain http is allowed only for loopback hosts)');
  }
  if (url.username || url.password) {
    throw new CredentialServiceConfigError(setting, 'must not contain a user name or password: put the key in LegacyServiceApiKey');
  }
  return url;
}

function statusProblem(status: number, endpoint: Endpoint): string {
  const base = `${endpoint.label}: answered HTTP ${status} (the contract allows only 200)`;
  if (status === 401 || status === 403) return `${base}: check LegacyServiceApiKey and LegacyServiceApiKeyHeader`;
  if (status >= 300 && status < 400) return `${base}: redirects are not followed; set ${endpoint.setting} to the final URL`;
  return base;
}

/** The 200 body as a JSON object; messages name the problem, never echo the body. */
function answerObject(text: string, label: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LegacySystemError(`${label}: the answer is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LegacySystemError(`${label}: the answer is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Validates the credential answer (docs/legacy-web-service.md). */
function parseAnswer(text: string, label: string): LegacyCredentialResult {
  const v = answerObject(text, label);
  if (v.result !== 'valid' && v.result !== 'invalid' && v.result !== 'unknown') {
    throw new LegacySystemError(`${label}: "result" must be "valid", "invalid" or "unknown"`);
  }
  const status = accountStatus(v, label);
  const mustChangePassword = v.mustChangePassword ?? false;
  if (typeof mustChangePassword !== 'boolean') {
    throw new LegacySystemError(`${label}: "mustChangePassword" must be true or false`);
  }
  const profile = answerProfile(v, label);
  return { outcome: v.result, status, mustChangePassword, ...(profile ? { profile } : {}) };
}

/** Validates the look-up answer (docs/legacy-web-service.md "Look-up endpoint"). */
function parseLookupAnswer(text: string, label: string): LegacyLookupResult {
  const v = answerObject(text, label);
  if (typeof v.found !== 'boolean') throw new LegacySystemError(`${label}: "found" must be true or false`);
  if (!v.found) return { found: false };
  const status = accountStatus(v, label);
  const profile = answerProfile(v, label);
  return { found: true, status, ...(profile ? { profile } : {}) };
}

function accountStatus(v: Record<string, unknown>, label: string): AccountStatus {
  const status = v.status ?? 'active';
  if (!ACCOUNT_STATUSES.includes(status as AccountStatus)) {
    throw new LegacySystemError(`${label}: "status" must be one of ${ACCOUNT_STATUSES.join(', ')}`);
  }
  return status as AccountStatus;
}

/**
 * The optional `profile` object, held to the users file's rules (normalize.ts toLegacyProfile): a known
 * field of the wrong type, too long or not an address breaks the contract as a bad `status` does; fields
 * it does not know are ignored, as at the top level.
 */
function answerProfile(v: Record<string, unknown>, label: string): LegacyProfile | undefined {
  const profile = v.profile;
  if (profile === undefined || profile === null) return undefined;
  if (typeof profile !== 'object' || Array.isArray(profile)) throw new LegacySystemError(`${label}: "profile" must be a JSON object`);
  try {
    return toLegacyProfile(profile as Record<string, unknown>);
  } catch (error) {
    if (error instanceof UserRecordError) throw new LegacySystemError(`${label}: in "profile", ${error.message}`);
    throw error;
  }
}
