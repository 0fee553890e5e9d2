/**
 * A stand-in for the B2C tenant's ROPC token endpoints, on loopback (add-ropc-policy, v2-oauth-ropc, and the error bodies reported in MicrosoftDocs/azure-docs #23780, #43340):
 *   POST /{tenant}/{policy}/oauth2/v2.0/token   the b2clogin form (Microsoft's documented B2C ROPC)
 *   POST /{tenant}/oauth2/v2.0/token            the login.microsoftonline.com form the kit uses (client_secret, nca=1)
 * with the documented success bodies, the error bodies of §3.3 (AADB2C codes in `error_description`, AADSTS
 * codes in `error_codes` as well), smart lockout (10 distinct wrong passwords lock the account), throttling, a
 * hang and a reset connection. Where the sheet marks B2C's own code NOT CONFIRMED (a disabled or expired account
 * on b2clogin), the b2clogin form answers as for a wrong password.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type RopcAccountState = 'active' | 'locked' | 'disabled' | 'expired' | 'mfa';

export interface RopcUser {
  readonly password: string;
  readonly state?: RopcAccountState;
}

export interface RopcStandInOptions {
  /** `contoso.onmicrosoft.com`. */
  readonly tenant: string;
  readonly clientId: string;
  /** Default B2C_1_ROPC. */
  readonly policy?: string;
  /** The secret the entra form must send. */
  readonly clientSecret?: string;
  /** Added to every answer: B2C's own latency. */
  readonly latencyMs?: number;
  /** B2C's smart lockout: distinct wrong passwords before the account locks. Default 10. */
  readonly lockoutThreshold?: number;
  /** The ROPC app's manifest allows the implicit flow (else AADB2C90057). Default true. */
  readonly implicitFlowAllowed?: boolean;
}

export type RopcFault =
  /** This status and body, whatever the request. */
  | { readonly kind: 'answer'; readonly status: number; readonly body: unknown }
  /** Too many requests: 429 with the form's throttling code. */
  | { readonly kind: 'throttle' }
  /** Reads the request and never answers. */
  | { readonly kind: 'hang' }
  /** Resets the connection as the request arrives. */
  | { readonly kind: 'reset' };

export interface RecordedRopcRequest {
  readonly form: 'b2clogin' | 'entra';
  readonly path: string;
  readonly fields: Readonly<Record<string, string>>;
  /** Whether it came on a connection that had carried an earlier request. */
  readonly reusedConnection: boolean;
}

export interface RopcError {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const TEXT: Readonly<Record<string, string>> = {
  AADB2C90225: 'The username or password provided in the request are invalid.',
  AADB2C90114: 'Your account is temporarily locked to prevent unauthorized use. Try again later.',
  AADB2C90111: 'Your account has been locked. Contact your support person to unlock it, then try again.',
  AADB2C90244: 'There are too many requests at this moment. Please wait for some time and try again.',
  AADB2C90057: "The provided application is not configured to allow the 'OAuth' Implicit flow.",
  AADB2C90224: 'Resource owner flow has not been enabled for the application.',
  AADB2C90083: 'The request is missing required parameter: grant_type.',
  AADB2C90035: 'The service is temporarily unavailable. Please retry after a few minutes.',
  '50126': 'Error validating credentials due to invalid username or password.',
  '50034': 'The user account does not exist in the directory.',
  '50053': 'The account is locked, you\'ve tried to sign in too many times with an incorrect user ID or password.',
  '50057': 'The user account is disabled.',
  '50055': 'The password is expired.',
  '50076': 'Due to a configuration change made by your administrator, you must use multi-factor authentication.',
  '50196': 'The server terminated an operation because it encountered a client request loop.',
  '700025': "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
  '7000215': 'Invalid client secret provided.',
  '7000218': "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  '70002': 'Error validating credentials.',
  '700016': 'Application was not found in the directory.',
};

/** A b2clogin.com error body: the code opens `error_description`, with B2C's correlation lines (C azure-docs#23780). */
export function b2cloginError(code: string, error = 'access_denied', status = 400): RopcError {
  const description = `${code}: ${TEXT[code] ?? 'Error.'}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${timestamp()}\r\n`;
  return { status, body: { error, error_description: description } };
}

/** A login.microsoftonline.com error body (Entra's reference: error, error_description, error_codes, ids, error_uri). */
export function entraError(code: number, error = 'invalid_grant', status = 400): RopcError {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${TEXT[String(code)] ?? 'Error.'} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp()}`,
      error_codes: [code],
      timestamp: timestamp(),
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

export class RopcStandIn {
  readonly requests: RecordedRopcRequest[] = [];
  /**
   * When each answered request arrived and was answered (performance.now()): the stand-in's own time is the
   * difference, the bench's baseline; the arrival splits the callout's time into before and after B2C.
   */
  readonly answered: Array<{ readonly arrivedAt: number; readonly answeredAt: number }> = [];
  private readonly users = new Map<string, { user: RopcUser; wrongPasswords: Set<string> }>();
  private readonly policy: string;
  private fault?: RopcFault;
  private nextFaults: RopcFault[] = [];
  private readonly servedSockets = new WeakSet<object>();

  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
    private readonly options: RopcStandInOptions,
  ) {
    this.policy = options.policy ?? 'B2C_1_ROPC';
  }

  static async start(options: RopcStandInOptions): Promise<RopcStandIn> {
    let standIn: RopcStandIn | undefined;
    const server = http.createServer((req, res) => void standIn!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    standIn = new RopcStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options);
    return standIn;
  }

  /** `LegacyB2cTokenUrl` for the b2clogin form. */
  get b2cloginUrl(): string {
    return `${this.origin}/${this.options.tenant}/${this.policy}/oauth2/v2.0/token`;
  }

  /** `LegacyB2cTokenUrl` for the entra form. */
  get entraUrl(): string {
    return `${this.origin}/${this.options.tenant}/oauth2/v2.0/token`;
  }

  addUser(username: string, user: RopcUser): void {
    this.users.set(username.toLowerCase(), { user, wrongPasswords: new Set() });
  }

  /** Applies to every request until cleared with undefined. */
  setFault(fault: RopcFault | undefined): void {
    this.fault = fault;
  }

  /** Applies to the next request only (queued). */
  faultNext(fault: RopcFault): void {
    this.nextFaults.push(fault);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const reusedConnection = this.servedSockets.has(req.socket);
    this.servedSockets.add(req.socket);
    const fault = this.nextFaults.shift() ?? this.fault;
    if (fault?.kind === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const fields = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const path = new URL(req.url ?? '/', this.origin).pathname;
    const form = this.formOf(path);
    if (form) this.requests.push({ form, path, fields, reusedConnection });
    if (fault?.kind === 'hang') return;
    const answer: RopcError = !form
      ? { status: 404, body: { error: 'not_found' } }
      : fault?.kind === 'answer'
        ? { status: fault.status, body: fault.body as Record<string, unknown> }
        : fault?.kind === 'throttle'
          ? form === 'b2clogin'
            ? b2cloginError('AADB2C90244', 'access_denied', 429)
            : entraError(50196, 'temporarily_unavailable', 429)
          : this.answer(form, fields);
    const send = (): void => {
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...(answer.status === 429 ? { 'retry-after': '1' } : {}) });
      res.end(text);
      this.answered.push({ arrivedAt: started, answeredAt: performance.now() });
    };
    const latency = this.options.latencyMs ?? 0;
    if (latency > 0) setTimeout(send, latency);
    else send();
  }

  private formOf(path: string): 'b2clogin' | 'entra' | undefined {
    const tenant = this.options.tenant.toLowerCase();
    const parts = path.split('/').filter((p) => p !== '');
    if (parts.length === 5 && parts[0]!.toLowerCase() === tenant && parts[1]!.toLowerCase() === this.policy.toLowerCase() && parts.slice(2).join('/') === 'oauth2/v2.0/token') return 'b2clogin';
    if (parts.length === 4 && parts[0]!.toLowerCase() === tenant && parts.slice(1).join('/') === 'oauth2/v2.0/token') return 'entra';
    return undefined;
  }

  /** The answer to a well-routed request: the form's checks, then the user. */
  private answer(form: 'b2clogin' | 'entra', f: Record<string, string>): RopcError {
    const b2c = form === 'b2clogin';
    if (f.grant_type !== 'password') return b2c ? b2cloginError('AADB2C90083', 'invalid_request') : entraError(900144, 'invalid_request');
    if (b2c) {
      if (f.client_id !== this.options.clientId) return b2cloginError('AADB2C90057', 'unauthorized_client'); // an unknown app: not configured
      if (this.options.implicitFlowAllowed === false) return b2cloginError('AADB2C90057', 'unauthorized_client');
      if (f.scope !== `openid ${this.options.clientId} offline_access` || f.response_type !== 'token id_token') return b2cloginError('AADB2C90083', 'invalid_request');
    } else {
      if (f.client_id !== this.options.clientId) return entraError(700016, 'unauthorized_client');
      if (this.options.clientSecret === undefined && f.client_secret) return entraError(700025, 'invalid_client', 401);
      if (this.options.clientSecret !== undefined && !f.client_secret) return entraError(7000218, 'invalid_request');
      if (this.options.clientSecret !== undefined && f.client_secret !== this.options.clientSecret) return entraError(7000215, 'invalid_client', 401);
    }
    const entry = this.users.get((f.username ?? '').toLowerCase());
    // Without nca=1 B2C's email users are not found over the Entra endpoint (sheet §3.1).
    if (!entry || (!b2c && f.nca !== '1')) return b2c ? b2cloginError('AADB2C90225') : entraError(50034);
    const { user, wrongPasswords } = entry;
    const locked = user.state === 'locked' || wrongPasswords.size >= (this.options.lockoutThreshold ?? 10);
    if (locked) return b2c ? b2cloginError('AADB2C90114') : entraError(50053);
    if (f.password !== user.password) {
      wrongPasswords.add(f.password ?? '');
      return b2c ? b2cloginError('AADB2C90225') : entraError(50126);
    }
    const state = user.state ?? 'active';
    if (!b2c && state === 'disabled') return entraError(50057);
    if (!b2c && state === 'expired') return entraError(50055);
    if (!b2c && state === 'mfa') return entraError(50076, 'interaction_required');
    if (state !== 'active') return b2cloginError('AADB2C90225');
    return { status: 200, body: b2c ? b2cloginTokens() : entraTokens() };
  }
}

/** B2C's documented ROPC answer (expires_in a string, as in Microsoft's sample). */
function b2cloginTokens(): Record<string, unknown> {
  return { access_token: fakeJwt(), token_type: 'Bearer', expires_in: '3600', refresh_token: `rt.${randomUUID()}`, id_token: fakeJwt() };
}

/** Entra's documented ROPC answer. */
function entraTokens(): Record<string, unknown> {
  return { token_type: 'Bearer', scope: 'openid profile', expires_in: 3600, access_token: fakeJwt(), id_token: fakeJwt() };
}

function fakeJwt(): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub: randomUUID() })}.${Buffer.from(randomUUID()).toString('base64url')}`;
}

function timestamp(): string {
  return new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
