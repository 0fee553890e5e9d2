/**
 * A loopback Microsoft Graph for tests and benchmarks: the objects the JIT set-up and the bulk user
 * provisioning touch, with Graph's request shapes enforced (a malformed body is a 400 with a Graph error body),
 * bearer-token checks, optional permission checks, `$batch`, write throttling, and seeded faults.
 * Serves `/v1.0/...` and `/beta/...` from one store. No jest imports: benchmarks use it too.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { refuseAdvancedQueriesOfB2c } from './b2cTenant';
import { handleBatch } from './batch';
import { Directory } from './directory';
import { isXmlContentType, lowerCaseHeaders, parseJsonBody, parseRequestUrl, readBody, splitPath, writeResponse } from './http';
import { FaultInjector, WriteThrottle, type FaultOptions, type ThrottleOptions } from './limits';
import { EmulatorError, errorResponse, notFound, type ApiVersion, type EmulatedRequest, type EmulatedResponse, type Json } from './protocol';
import { matchRoute, type Route } from './router';
import { applicationRoutes } from './routes/applications';
import { authenticationMethodRoutes, authenticationMethodsOf, type UserAuthenticationMethods } from './routes/authenticationMethods';
import { identityRoutes } from './routes/identity';
import { servicePrincipalRoutes } from './routes/servicePrincipals';
import { trustFrameworkRoutes } from './routes/trustFramework';
import { b2cUserFlowRoutes } from './routes/b2cUserFlows';
import { insertUser, patchUser, userRoutes } from './routes/users';

export interface GraphEmulatorOptions {
  tenantId?: string;
  /** The tenant's default domain: issuer of local accounts and suffix of generated UPNs. Default `emulated.onmicrosoft.com`. */
  tenantDomain?: string;
  /** The bearer value every request must carry; any non-empty bearer when unset. Wrong or missing → 401. */
  token?: string;
  /** Write limit → 429 with `Retry-After`, also for items inside `$batch`. */
  throttle?: ThrottleOptions;
  faults?: FaultOptions;
  /** appId of the pre-seeded b2c-extensions-app (random when unset). */
  b2cExtensionsAppId?: string;
  /** Start with the Authentication Events service principal (99045fe1-…) present. Default false, as in a fresh tenant. */
  seedAuthenticationEventsServicePrincipal?: boolean;
  /** Application permissions granted to the token; unset = everything allowed. A missing one → 403. */
  permissions?: readonly string[];
  /** `b2c`: an Azure AD B2C tenant, which refuses advanced queries ($count, $search, ConsistencyLevel; b2cTenant.ts). Default externalId. */
  platform?: 'externalId' | 'b2c';
}

export interface GraphEmulatorStats {
  /** Operations handled: each top-level request and each `$batch` item (not the `$batch` envelope). */
  requests: number;
  /** Writes (POST/PATCH/PUT/DELETE) admitted by the throttle. */
  writes: number;
  throttled: number;
  serverErrors: number;
  batches: number;
}

const ROUTES: readonly Route[] = [...userRoutes, ...applicationRoutes, ...servicePrincipalRoutes, ...identityRoutes, ...trustFrameworkRoutes, ...b2cUserFlowRoutes, ...authenticationMethodRoutes];
const ALTERNATE_KEY = /^(applications|servicePrincipals)\(appId='([^']+)'\)$/i;

export class GraphEmulator {
  readonly stats: GraphEmulatorStats = { requests: 0, writes: 0, throttled: 0, serverErrors: 0, batches: 0 };
  readonly tenantId: string;
  readonly b2cExtensionsAppId: string;
  /**
   * The appId named in `x-ms-throttle-scope` (the "calling application") for a bearer that names none. A JWT-shaped
   * bearer's `appid` (or `azp`) claim names the calling app instead, read without verification (tokenAppId), so
   * several app identities can share the tenant's write limit (limits.ts).
   */
  readonly callerAppId = randomUUID();
  private readonly directory: Directory;
  private readonly server: Server;
  private origin = '';
  private throttle: WriteThrottle | undefined;
  private faults = new FaultInjector();
  private permissions: ReadonlySet<string> | undefined;

  private constructor(private readonly options: GraphEmulatorOptions) {
    this.tenantId = options.tenantId ?? randomUUID();
    this.b2cExtensionsAppId = options.b2cExtensionsAppId ?? randomUUID();
    this.directory = new Directory({
      tenantId: this.tenantId,
      tenantDomain: options.tenantDomain ?? 'emulated.onmicrosoft.com',
      b2cExtensionsAppId: this.b2cExtensionsAppId,
      seedAuthenticationEventsServicePrincipal: options.seedAuthenticationEventsServicePrincipal ?? false,
    });
    this.setThrottle(options.throttle);
    this.setFaults(options.faults);
    this.setPermissions(options.permissions);
    this.server = createServer((request, response) => void this.onHttp(request, response));
  }

  static async start(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
    const emulator = new GraphEmulator(options);
    await new Promise<void>((resolve, reject) => {
      emulator.server.once('error', reject);
      emulator.server.listen(0, '127.0.0.1', () => resolve());
    });
    emulator.origin = `http://127.0.0.1:${(emulator.server.address() as AddressInfo).port}`;
    return emulator;
  }

  /** Base URL like `http://127.0.0.1:PORT`; Graph paths go under `/v1.0` or `/beta`. */
  get url(): string {
    return this.origin;
  }

  get tenantDomain(): string {
    return this.directory.tenantDomain;
  }

  get users(): ReadonlyMap<string, Json> {
    return this.directory.users;
  }

  /** Sets the clock the directory stamps users with (a provisioning run "last month", then a reset "now"). */
  setClock(clock: () => Date): void {
    this.directory.clock = clock;
  }

  /**
   * What a user's self-service password reset leaves in the directory: a later `lastPasswordChangeDateTime`
   * (no Graph request does this for a user; the user does it at sign-in).
   */
  simulateSelfServicePasswordReset(userId: string, at: Date = this.directory.clock()): void {
    const user = this.directory.users.get(userId);
    if (!user) throw new Error(`simulateSelfServicePasswordReset: no user ${userId}`);
    user.lastPasswordChangeDateTime = at.toISOString();
  }

  /**
   * Writes a user in-process with the checks of POST /users (PATCH /users/{id} for `updateUserDirectly`), but no
   * HTTP, token or throttle: for a stand-in that shares this directory, as the B2C stand-in's AAD technical
   * profiles write B2C's directory without Graph's API (test/emulators/b2c/graphDirectory.ts).
   */
  createUserDirectly(body: Json): Json {
    return insertUser(this.directory, body);
  }

  updateUserDirectly(userId: string, body: Json): void {
    patchUser(this.directory, userId, body);
  }

  /** Whether `password` is the user's current one (Graph never returns it; B2C's sign-in checks it). */
  passwordMatches(userId: string, password: string): boolean {
    return this.directory.passwordMatches(userId, password);
  }

  get applications(): ReadonlyMap<string, Json> {
    return this.directory.applications;
  }

  get servicePrincipals(): ReadonlyMap<string, Json> {
    return this.directory.servicePrincipals;
  }

  get extensionProperties(): ReadonlyMap<string, Json> {
    return this.directory.extensionProperties;
  }

  get appRoleAssignments(): ReadonlyMap<string, Json> {
    return this.directory.appRoleAssignments;
  }

  get customAuthenticationExtensions(): ReadonlyMap<string, Json> {
    return this.directory.customAuthenticationExtensions;
  }

  get authenticationEventListeners(): ReadonlyMap<string, Json> {
    return this.directory.authenticationEventListeners;
  }

  /** B2C custom policies by lower-cased id, each `{ id, xml }` as uploaded. */
  get trustFrameworkPolicies(): ReadonlyMap<string, Json> {
    return this.directory.trustFrameworkPolicies;
  }

  /** B2C policy keys by lower-cased id, each `{ id, keys }` with the uploaded material (`k`, `key`) kept for assertions. */
  get trustFrameworkKeySets(): ReadonlyMap<string, Json> {
    return this.directory.trustFrameworkKeySets;
  }

  /** B2C user flows by lower-cased id (`B2C_1_…`). */
  get b2cUserFlows(): ReadonlyMap<string, Json> {
    return this.directory.b2cUserFlows;
  }

  /**
   * Stands in for B2C's policy validation: when `refusal` answers a message for an upload, the PUT is refused
   * with 400 and that message, and the stored policies stay as they were. Undefined stops refusing.
   */
  refusePolicyUploads(refusal: ((policyId: string, xml: string) => string | undefined) | undefined): void {
    this.directory.policyUploadRefusal = refusal;
  }

  /** True once someone deleted the 99045fe1-… service principal (Graph allows it; every extension then fails). */
  get authenticationEventsServicePrincipalDeleted(): boolean {
    return this.directory.authenticationEventsServicePrincipalDeleted;
  }

  setFaults(faults: FaultOptions | undefined): void {
    this.faults = new FaultInjector(faults ?? {});
    this.directory.replicationDelayMs = faults?.notFoundAfterCreateMs ?? 0;
  }

  setThrottle(throttle: ThrottleOptions | undefined): void {
    this.throttle = throttle === undefined ? undefined : new WriteThrottle(throttle, this.tenantId);
  }

  setPermissions(permissions: readonly string[] | undefined): void {
    this.permissions = permissions === undefined ? undefined : new Set(permissions);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async onHttp(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const headers = lowerCaseHeaders(incoming.headers);
    let response: EmulatedResponse;
    try {
      response = await this.handleHttp(incoming, headers);
    } catch (error) {
      response =
        error instanceof EmulatorError
          ? errorResponse(error, headers['client-request-id'])
          : errorResponse(new EmulatorError(500, 'InternalServerError', `Emulator failure: ${error instanceof Error ? error.message : String(error)}`), undefined);
    }
    writeResponse(outgoing, response);
  }

  private async handleHttp(incoming: IncomingMessage, headers: Record<string, string>): Promise<EmulatedResponse> {
    const text = await readBody(incoming);
    const url = parseRequestUrl(incoming.url ?? '/', this.origin);
    const versioned = /^\/(v1\.0|beta)(\/.*)?$/.exec(url.pathname);
    if (!versioned) throw new EmulatorError(400, 'BadRequest', `Invalid version: the path must start with /v1.0 or /beta, got ${url.pathname}.`);
    const appId = this.authenticate(headers);
    const version = versioned[1] as ApiVersion;
    const rawPath = versioned[2] ?? '/';
    // A policy upload is XML (trustframework-put-trustframeworkpolicy); every other body is JSON.
    const xml = isXmlContentType(headers['content-type']);
    const request: EmulatedRequest = {
      method: (incoming.method ?? 'GET').toUpperCase(),
      segments: splitPath(rawPath),
      query: url.searchParams,
      headers,
      body: xml ? undefined : parseJsonBody(text, headers['content-type']),
      ...(xml ? { text } : {}),
      version,
      serviceRoot: `${this.origin}/${version}`,
      rawPath,
    };
    if (request.segments.length === 1 && request.segments[0] === '$batch') {
      this.stats.batches++;
      return handleBatch(request, (item) => this.execute(item, appId));
    }
    return this.execute(request, appId);
  }

  /** A user's phone and email authentication methods (routes/authenticationMethods.ts). */
  authenticationMethods(userId: string): UserAuthenticationMethods {
    return authenticationMethodsOf(this.directory, userId);
  }

  /** Writes admitted per calling app id (see callerAppId). */
  get writesByApp(): ReadonlyMap<string, number> {
    return this.throttle?.admittedByApp ?? new Map();
  }

  /** Returns the calling app's id. */
  private authenticate(headers: Record<string, string>): string {
    const match = /^Bearer (.+)$/i.exec(headers['authorization'] ?? '');
    const unauthorized = (message: string) => new EmulatorError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': 'Bearer realm=""' });
    if (!match) throw unauthorized('Access token is empty.');
    if (this.options.token !== undefined && match[1] !== this.options.token) throw unauthorized('Access token validation failure. Invalid audience.');
    return tokenAppId(match[1] as string) ?? this.callerAppId;
  }

  /** One operation, top-level or inside `$batch`: route, permissions, throttle, faults, then the handler. */
  private async execute(request: EmulatedRequest, appId: string): Promise<EmulatedResponse> {
    this.stats.requests++;
    const clientRequestId = request.headers['client-request-id'];
    // Unref'd: a response still held back when the test stops must not keep the process alive.
    if (this.faults.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.faults.options.latencyMs).unref());
    try {
      const segments = this.resolveAlternateKey(request.segments);
      if (this.options.platform === 'b2c') refuseAdvancedQueriesOfB2c(request, segments);
      const { route, params } = matchRoute(ROUTES, request.method, segments);
      if (this.permissions && !route.permissions.some((permission) => this.permissions?.has(permission))) {
        throw new EmulatorError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      }
      const isWrite = request.method !== 'GET';
      let throttleHeaders: Record<string, string> = {};
      if (isWrite && this.throttle) {
        const decision = this.throttle.admit(appId);
        if (!decision.admitted) {
          this.stats.throttled++;
          throw new EmulatorError(429, 'TooManyRequests', 'Too many requests. Retry after the time in the Retry-After header.', decision.headers);
        }
        throttleHeaders = decision.headers;
      }
      if (this.faults.shouldFail()) {
        this.stats.serverErrors++;
        throw new EmulatorError(503, 'ServiceUnavailable', 'The service is temporarily unavailable. Retry later.', { 'Retry-After': '1' });
      }
      if (isWrite) this.stats.writes++;
      const response = route.handler({ directory: this.directory }, { ...request, segments }, params);
      return {
        ...response,
        headers: { ...throttleHeaders, ...response.headers, 'request-id': randomUUID(), 'client-request-id': clientRequestId ?? '', 'x-ms-resource-unit': '1' },
      };
    } catch (error) {
      if (error instanceof EmulatorError) return errorResponse(error, clientRequestId);
      throw error;
    }
  }

  /** `servicePrincipals(appId='…')` and `applications(appId='…')` address an object by its appId. */
  private resolveAlternateKey(segments: string[]): string[] {
    const match = ALTERNATE_KEY.exec(segments[0] ?? '');
    if (!match) return segments;
    const [, collection, appId] = match as unknown as [string, string, string];
    const isApplications = collection.toLowerCase() === 'applications';
    const target = isApplications ? this.directory.applicationByAppId(appId) : this.directory.servicePrincipalByAppId(appId);
    if (!target) throw notFound(`Resource '${appId}' does not exist or one of its queried reference-property objects are not present.`);
    return [isApplications ? 'applications' : 'servicePrincipals', String(target.id), ...segments.slice(1)];
  }
}

/** The `appid` (v1) or `azp` (v2) claim of a JWT-shaped bearer, unverified: the emulator trusts its callers. */
export function tokenAppId(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const appId = claims.appid ?? claims.azp;
    return typeof appId === 'string' && appId !== '' ? appId : undefined;
  } catch {
    return undefined;
  }
}

/** An unsigned JWT-shaped bearer naming `appId`, for tests and benchmarks that call as several apps. */
export function appToken(appId: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ appid: appId, aud: 'https://graph.microsoft.com' })}.unsigned`;
}
