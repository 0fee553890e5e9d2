/**
 * The Azure AD B2C tenant as the legacy store (`LegacyStore=b2c`, README "From Azure AD B2C to External ID"):
 * B2C cannot export password hashes, so each password is checked by a resource-owner password credentials
 * (ROPC) request to the B2C tenant at the user's first External ID sign-in. The answer is mapped by
 * b2cRopcAnswers.ts; throttled and locked answers trip the tenant-wide circuit breaker.
 */
import { isHttpsOrLoopbackHttp } from '../../../lib/net/loopback';
import { classifyRopcAnswer, answerCodes } from './b2cRopcAnswers';
import type { CircuitBreaker } from './circuitBreaker';
import { networkCode, PooledHttpClient, ReusedConnectionReset } from './pooledHttpClient';
import {
  LegacyCircuitOpenError,
  LegacyMisconfiguredError,
  LegacySystemError,
  type LegacyCredentialResult,
  type LegacyCredentialService,
  type ProtectionFailureReport,
} from './port';

export type B2cRopcEndpoint = 'b2clogin' | 'entra';

export interface B2cRopcServiceOptions {
  /** The B2C tenant's `*.onmicrosoft.com` domain (`LegacyB2cTenant`). */
  readonly tenant: string;
  /** The ROPC app registration in the B2C tenant (`LegacyB2cClientId`). */
  readonly clientId: string;
  /** The ROPC user flow or custom policy (`LegacyB2cPolicy`); used by the b2clogin form. */
  readonly policy: string;
  /** `b2clogin` (Microsoft's documented B2C ROPC) or `entra` (the kit's login.microsoftonline.com form, support not confirmed). */
  readonly endpoint: B2cRopcEndpoint;
  /** The entra form's client secret (`LegacyB2cClientSecret`). */
  readonly clientSecret?: string;
  /** Overrides the whole token URL (`LegacyB2cTokenUrl`): https, or http on a loopback host. */
  readonly tokenUrl?: string;
  /** Absent: no breaker (unit tests of the mapping). */
  readonly circuit?: CircuitBreaker;
}

const LABEL = 'B2C ROPC';
/** Without a caller's deadline (never in the pipeline, which passes its own), Entra's own limit. */
const FALLBACK_TIMEOUT_MS = 2000;
const HEADERS = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } as const;

/** The token URL each form posts to. */
export function b2cTokenUrl(options: Pick<B2cRopcServiceOptions, 'tenant' | 'policy' | 'endpoint' | 'tokenUrl'>): URL {
  if (options.tokenUrl !== undefined) {
    const url = new URL(options.tokenUrl);
    // The request carries the password: TLS is mandatory off the machine.
    if (!isHttpsOrLoopbackHttp(url)) {
      throw new Error('LegacyB2cTokenUrl must use https (plain http is allowed only for loopback hosts)');
    }
    return url;
  }
  const tenant = encodeURIComponent(options.tenant);
  if (options.endpoint === 'entra') return new URL(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`);
  const name = options.tenant.split('.')[0]!;
  return new URL(`https://${encodeURIComponent(name)}.b2clogin.com/${tenant}/${encodeURIComponent(options.policy)}/oauth2/v2.0/token`);
}

/** The form each endpoint expects (learn.microsoft.com add-ropc-policy; v2-oauth-ropc): the sign-in name and the password exactly as typed. */
export function b2cRopcForm(options: Pick<B2cRopcServiceOptions, 'clientId' | 'endpoint' | 'clientSecret'>, username: string, password: string): URLSearchParams {
  if (options.endpoint === 'entra') {
    return new URLSearchParams({
      client_id: options.clientId,
      client_secret: options.clientSecret ?? '',
      grant_type: 'password',
      scope: 'openid',
      username,
      password,
      nca: '1',
    });
  }
  return new URLSearchParams({
    username,
    password,
    grant_type: 'password',
    scope: `openid ${options.clientId} offline_access`,
    client_id: options.clientId,
    response_type: 'token id_token',
  });
}

export class B2cRopcService implements LegacyCredentialService {
  readonly kind = 'b2c' as const;
  private readonly url: URL;
  private readonly client = new PooledHttpClient();
  /** The last answer that showed a misconfiguration, until an answer shows B2C works again (the health check). */
  private misconfiguration?: LegacyMisconfiguredError;

  constructor(private readonly options: B2cRopcServiceOptions) {
    this.url = b2cTokenUrl(options);
  }

  async checkCredentials(normalizedUsername: string, password: string, signal?: AbortSignal, report?: ProtectionFailureReport): Promise<LegacyCredentialResult> {
    const circuit = this.options.circuit;
    const openUntil = await circuit?.openUntil(report);
    if (openUntil !== undefined) throw new LegacyCircuitOpenError(LABEL, openUntil);
    const body = b2cRopcForm(this.options, normalizedUsername, password).toString();
    const { status, text } = await this.exchange(body, signal ?? AbortSignal.timeout(FALLBACK_TIMEOUT_MS));
    const outcome = classifyRopcAnswer(status, text);
    if (outcome.kind === 'misconfigured') {
      this.misconfiguration = new LegacyMisconfiguredError(outcome.setting, outcome.fix, LABEL);
      throw this.misconfiguration;
    }
    this.misconfiguration = undefined;
    switch (outcome.kind) {
      case 'valid':
        return { outcome: 'valid', status: 'active', mustChangePassword: false };
      case 'invalid':
        return { outcome: 'invalid', status: 'active', mustChangePassword: false };
      case 'refused':
        if (outcome.refusal === 'locked') await circuit?.trip(normalizedUsername, report);
        return { outcome: 'unknown', status: 'active', mustChangePassword: false, refusal: outcome.refusal };
      case 'throttled':
        await circuit?.trip(normalizedUsername, report);
        throw new LegacySystemError(`${LABEL}: throttled (${describe(status, text)})`);
      case 'unavailable':
        throw new LegacySystemError(`${LABEL}: no usable answer (${describe(status, text)})`);
    }
  }

  /** Rejects while the last answer showed a misconfiguration, naming the setting and the fix. */
  async probe(): Promise<void> {
    if (this.misconfiguration) throw this.misconfiguration;
  }

  close(): void {
    this.client.close();
  }

  /**
   * One POST within the caller's deadline. Never retried, except once on a kept-alive connection the server had
   * already dropped (reset before any answer): B2C never saw that request, so a retry cannot count twice.
   */
  private async exchange(body: string, signal: AbortSignal): Promise<{ status: number; text: string }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.post(this.url, HEADERS, body, signal, LABEL);
      } catch (error) {
        if (error instanceof LegacySystemError) throw error;
        if (signal.aborted) throw new LegacySystemError(`${LABEL}: no answer within the callout deadline`);
        if (error instanceof ReusedConnectionReset && attempt === 0) continue;
        // No cause attached: socket errors can carry request details; the code is enough to act on.
        throw new LegacySystemError(`${LABEL}: could not be reached (${networkCode(error)})`);
      }
    }
  }
}

/** HTTP status and the answer's codes, never its description (it may echo the sign-in name). */
function describe(status: number, text: string): string {
  let codes: string[] = [];
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) codes = answerCodes(body as Record<string, unknown>);
  } catch {
    // not JSON: the status says enough
  }
  return [`HTTP ${status}`, ...codes].join(', ');
}
