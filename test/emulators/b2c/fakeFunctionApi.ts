/**
 * A tiny stand-in for the function's B2C endpoints (the contract in lib/b2c/contract.ts), for the stand-in's
 * own tests: a hard-coded legacy map, one auth type checked, every request recorded. Strict about the body:
 * an unexpected or missing key is a 400, so a policy that sends the wrong claims fails.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { B2C_ERROR_VERSION, B2C_ROUTES, type B2cApiAuth, type B2cErrorBody, type B2cMigrationAnswer } from '../../../lib/b2c/contract';

export interface LegacyUser {
  readonly password: string;
  readonly profile: { readonly email?: string; readonly displayName?: string; readonly givenName?: string; readonly surname?: string };
  migrated?: boolean;
}

export interface RecordedRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export type FakeApiBehaviour = (request: RecordedRequest) => { status: number; body: string; delayMs?: number } | undefined;

export const WRONG_PASSWORD_MESSAGE = 'The password you entered is not correct.';
export const SIGN_UP_BLOCKED_MESSAGE = 'An account with this email already exists. Sign in with your existing password.';
export const RESET_UNKNOWN_MESSAGE = 'We could not find an account with this email.';

export class FakeFunctionApi {
  readonly requests: RecordedRequest[] = [];
  /** Seen before the contract: lets a test answer with a 500, a null, a delay. */
  override: FakeApiBehaviour | undefined;
  private server: Server | undefined;
  /** Answers held back by a delay; stop() drops them, so a stopped API leaves no timer behind. */
  private readonly delayed = new Set<NodeJS.Timeout>();

  constructor(
    private readonly legacy: Map<string, LegacyUser>,
    private readonly auth: B2cApiAuth,
    private readonly expectedCredential: string,
    private readonly apiKeyHeader = 'x-api-key',
  ) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(({ status, body, delayMs }) => {
        const timer = setTimeout(() => {
          this.delayed.delete(timer);
          response.writeHead(status, { 'content-type': 'application/json' }).end(body);
        }, delayMs ?? 0);
        this.delayed.add(timer);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.delayed) clearTimeout(timer);
    this.delayed.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(request: IncomingMessage): Promise<{ status: number; body: string; delayMs?: number }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const recorded: RecordedRequest = { path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
    this.requests.push(recorded);
    const overridden = this.override?.(recorded);
    if (overridden !== undefined) return overridden;
    if (request.method !== 'POST') return { status: 405, body: '{}' };
    if (!this.authorized(request)) return { status: 401, body: '{}' };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(recorded.body) as Record<string, unknown>;
    } catch {
      return { status: 400, body: '{}' };
    }
    switch (recorded.path) {
      case `/api/${B2C_ROUTES.signIn}`:
        return exactKeys(body, ['signInName', 'password']) ? this.signIn(String(body.signInName), String(body.password)) : { status: 400, body: '{}' };
      case `/api/${B2C_ROUTES.signUp}`:
        return exactKeys(body, ['email']) ? this.signUp(String(body.email)) : { status: 400, body: '{}' };
      case `/api/${B2C_ROUTES.passwordReset}`:
        return exactKeys(body, ['email'], ['objectId']) ? this.passwordReset(String(body.email), body.objectId !== undefined) : { status: 400, body: '{}' };
      default:
        return { status: 404, body: '{}' };
    }
  }

  private authorized(request: IncomingMessage): boolean {
    switch (this.auth) {
      case 'bearer':
        return request.headers.authorization === `Bearer ${this.expectedCredential}`;
      case 'basic':
        return request.headers.authorization === `Basic ${Buffer.from(this.expectedCredential).toString('base64')}`;
      case 'apiKey':
        return request.headers[this.apiKeyHeader] === this.expectedCredential;
      case 'clientCertificate':
        return request.headers['x-arr-clientcert'] === this.expectedCredential;
    }
  }

  private signIn(signInName: string, password: string) {
    const user = this.legacy.get(signInName.trim().toLowerCase());
    if (user === undefined || user.migrated === true) return answer({ migrationOutcome: 'notLegacy' });
    if (user.password !== password) return conflict(WRONG_PASSWORD_MESSAGE);
    user.migrated = true;
    return answer({ migrationOutcome: 'migrated', ...user.profile, email: user.profile.email ?? signInName.trim().toLowerCase() });
  }

  private signUp(email: string) {
    const user = this.legacy.get(email.trim().toLowerCase());
    return user !== undefined && user.migrated !== true ? conflict(SIGN_UP_BLOCKED_MESSAGE) : { status: 200, body: '{}' };
  }

  private passwordReset(email: string, knownToB2c: boolean) {
    const user = this.legacy.get(email.trim().toLowerCase());
    if (user !== undefined && user.migrated !== true) {
      user.migrated = true;
      return answer({ migrationOutcome: 'migrated', ...user.profile, email: user.profile.email ?? email.trim().toLowerCase() });
    }
    return knownToB2c ? answer({ migrationOutcome: 'notLegacy' }) : conflict(RESET_UNKNOWN_MESSAGE);
  }
}

function exactKeys(body: Record<string, unknown>, required: readonly string[], optional: readonly string[] = []): boolean {
  const keys = Object.keys(body);
  return required.every((key) => typeof body[key] === 'string') && keys.every((key) => required.includes(key) || (optional.includes(key) && typeof body[key] === 'string'));
}

function answer(body: B2cMigrationAnswer) {
  return { status: 200, body: JSON.stringify(body) };
}

function conflict(userMessage: string) {
  const body: B2cErrorBody = { version: B2C_ERROR_VERSION, status: 409, userMessage };
  return { status: 409, body: JSON.stringify(body) };
}
