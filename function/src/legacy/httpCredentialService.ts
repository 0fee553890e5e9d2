/**
 * A legacy system that checks passwords itself, behind an HTTPS endpoint. The contract (request, answers,
 * errors, with examples) is docs/legacy-web-service.md; this adapter implements exactly that and treats
 * anything else as the legacy system being unavailable.
 */
import http from 'node:http';
import https from 'node:https';
import { isLoopbackHost } from '../config/settings';
import { ACCOUNT_STATUSES } from './normalize';
import { LegacySystemError, type AccountStatus, type LegacyCredentialResult, type LegacyCredentialService } from './port';

export interface HttpCredentialServiceOptions {
  /** The endpoint to POST to (`LegacyServiceUrl`). https, or http on a loopback host. */
  readonly url: string;
  /** Sent in `apiKeyHeader` when set (`LegacyServiceApiKey`). */
  readonly apiKey?: string;
  /** Default `x-api-key`. */
  readonly apiKeyHeader?: string;
  /** The whole exchange, connect to last byte. Default 1000 ms. */
  readonly timeoutMs?: number;
}

/** Answers are a few dozen bytes; anything much larger is not this contract and is not read further. */
export const MAX_RESPONSE_BYTES = 16 * 1024;
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

export class HttpCredentialService implements LegacyCredentialService {
  readonly kind = 'http' as const;
  private readonly url: URL;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly timeoutMs: number;
  private readonly transport: typeof http | typeof https;
  /**
   * Our own keep-alive pool, so a warm instance pays the TCP and TLS handshakes once, not per sign-in.
   * LIFO hands out the most recently used socket: sequential sign-ins share one connection and surplus
   * sockets idle out. Node honours the server's `Keep-Alive: timeout` hint and unrefs idle sockets.
   */
  private readonly agent: http.Agent;

  constructor(options: HttpCredentialServiceOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new CredentialServiceConfigError('LegacyServiceUrl', 'is not a valid URL: set it to the https URL of the legacy credential endpoint');
    }
    // The request carries a password in clear text inside the body: TLS is mandatory off the machine.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      throw new CredentialServiceConfigError('LegacyServiceUrl', 'must use https (plain http is allowed only for loopback hosts)');
    }
    if (url.username || url.password) {
      throw new CredentialServiceConfigError('LegacyServiceUrl', 'must not contain a user name or password: put the key in LegacyServiceApiKey');
    }
    const header = options.apiKeyHeader ?? DEFAULT_API_KEY_HEADER;
    if (!HEADER_NAME.test(header)) {
      throw new CredentialServiceConfigError('LegacyServiceApiKeyHeader', 'is not a valid HTTP header name: use letters, digits and dashes, e.g. x-api-key');
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new CredentialServiceConfigError('LegacyServiceTimeoutMs', 'must be a positive whole number of milliseconds');
    }
    this.url = url;
    this.timeoutMs = timeoutMs;
    this.headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(options.apiKey ? { [header.toLowerCase()]: options.apiKey } : {}),
    };
    this.transport = url.protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, scheduling: 'lifo', maxSockets: 256 });
  }

  /** POSTs `{"username","password"}` and reads the answer (docs/legacy-web-service.md). */
  async checkCredentials(normalizedUsername: string, password: string, signal?: AbortSignal): Promise<LegacyCredentialResult> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const { status, text } = await this.post(JSON.stringify({ username: normalizedUsername, password }), combined);
      if (status !== 200) throw new LegacySystemError(statusProblem(status));
      return parseAnswer(text);
    } catch (error) {
      if (error instanceof LegacySystemError) throw error;
      if (timeout.aborted) throw new LegacySystemError(`legacy web service: no answer within ${this.timeoutMs} ms (LegacyServiceTimeoutMs)`);
      if (signal?.aborted) throw new LegacySystemError('legacy web service: the request was cancelled');
      // No cause attached: socket errors can carry request details; the code is enough to act on.
      throw new LegacySystemError(`legacy web service: could not be reached (${networkCode(error)})`);
    }
  }

  /** Closes the kept-alive connections (shutdown, tests). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * One POST on the pooled agent. node:http never follows redirects (following one would resend the
   * password to wherever `Location` points), and at most MAX_RESPONSE_BYTES of the answer are read.
   */
  private post(body: string, signal: AbortSignal): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers = { ...this.headers, 'content-length': String(Buffer.byteLength(body)) };
      const request = this.transport.request(this.url, { method: 'POST', agent: this.agent, signal, headers }, (response) => {
        const tooLarge = (): void => {
          response.destroy();
          reject(new LegacySystemError(`legacy web service: the answer is larger than ${MAX_RESPONSE_BYTES} bytes`));
        };
        if (Number(response.headers['content-length'] ?? '0') > MAX_RESPONSE_BYTES) return tooLarge();
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) return tooLarge();
          chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
        response.on('close', () => {
          if (!response.complete) reject(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }));
        });
      });
      request.on('error', reject);
      request.end(body);
    });
  }
}

function statusProblem(status: number): string {
  const base = `legacy web service: answered HTTP ${status} (the contract allows only 200)`;
  if (status === 401 || status === 403) return `${base}: check LegacyServiceApiKey and LegacyServiceApiKeyHeader`;
  if (status >= 300 && status < 400) return `${base}: redirects are not followed; set LegacyServiceUrl to the final URL`;
  return base;
}

/** Validates the 200 body (docs/legacy-web-service.md). Messages name the field, never echo the body. */
function parseAnswer(text: string): LegacyCredentialResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LegacySystemError('legacy web service: the answer is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LegacySystemError('legacy web service: the answer is not a JSON object');
  }
  const v = value as Record<string, unknown>;
  if (v.result !== 'valid' && v.result !== 'invalid' && v.result !== 'unknown') {
    throw new LegacySystemError('legacy web service: "result" must be "valid", "invalid" or "unknown"');
  }
  const status = v.status ?? 'active';
  if (!ACCOUNT_STATUSES.includes(status as AccountStatus)) {
    throw new LegacySystemError(`legacy web service: "status" must be one of ${ACCOUNT_STATUSES.join(', ')}`);
  }
  const mustChangePassword = v.mustChangePassword ?? false;
  if (typeof mustChangePassword !== 'boolean') {
    throw new LegacySystemError('legacy web service: "mustChangePassword" must be true or false');
  }
  return { outcome: v.result, status: status as AccountStatus, mustChangePassword };
}

function networkCode(error: unknown): string {
  // Socket errors carry a code (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED …), sometimes on a wrapped cause.
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  }
  return 'network error';
}
