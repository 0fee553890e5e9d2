/**
 * Throttling and injected faults. Graph's identity limits count writes per app+tenant (3,000 per 2 min 30 s)
 * and per tenant (18,000 per 5 min); an exceeded limit answers 429 with `Retry-After` and
 * `x-ms-throttle-scope` / `x-ms-throttle-information` (throttling-limits, "Identity and access service limits").
 * The emulator models both over fixed windows, with the numbers a test chooses: one window per calling app
 * (the app id comes from the bearer token, emulator.ts) and, when `tenantWritesPerWindow` is set, one shared
 * by every app. A write must fit both; a refused write counts against neither.
 */

export interface ThrottleOptions {
  /** Writes per window per calling app (the app+tenant limit). */
  writesPerWindow: number;
  windowMs: number;
  /** Which scope the `x-ms-throttle-scope` header names: `app` = Tenant_Application, `tenant` = Tenant (one window for all apps). */
  scope?: 'app' | 'tenant';
  /** The tenant-wide limit over every app (Graph: 18,000 per 5 min); none = per-app limit only. */
  tenantWritesPerWindow?: number;
  tenantWindowMs?: number;
}

export type ThrottleDecision =
  | { admitted: true; headers: Record<string, string> }
  | { admitted: false; retryAfterSeconds: number; headers: Record<string, string> };

/** A fixed window: it opens at the first write after the previous one closed. */
class FixedWindow {
  private start = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(
    readonly writes: number,
    readonly windowMs: number,
  ) {}

  fits(now: number): boolean {
    return now - this.start >= this.windowMs || this.used < this.writes;
  }

  take(now: number): number {
    if (now - this.start >= this.windowMs) {
      this.start = now;
      this.used = 0;
    }
    this.used++;
    return this.used / this.writes;
  }

  retryAfterSeconds(now: number): number {
    return Math.max(1, Math.ceil((this.start + this.windowMs - now) / 1000));
  }
}

export class WriteThrottle {
  private readonly apps = new Map<string, FixedWindow>();
  private readonly tenant: FixedWindow | undefined;
  /** Writes admitted per app id, for tests and benchmarks. */
  readonly admittedByApp = new Map<string, number>();

  constructor(
    private readonly options: ThrottleOptions,
    private readonly tenantId: string,
  ) {
    if (!Number.isInteger(options.writesPerWindow) || options.writesPerWindow < 1) throw new RangeError('throttle.writesPerWindow must be a positive integer');
    if (!(options.windowMs > 0)) throw new RangeError('throttle.windowMs must be positive');
    if (options.tenantWritesPerWindow !== undefined) {
      if (!Number.isInteger(options.tenantWritesPerWindow) || options.tenantWritesPerWindow < 1) throw new RangeError('throttle.tenantWritesPerWindow must be a positive integer');
      if (!((options.tenantWindowMs ?? 0) > 0)) throw new RangeError('throttle.tenantWindowMs must be positive when tenantWritesPerWindow is set');
      this.tenant = new FixedWindow(options.tenantWritesPerWindow, options.tenantWindowMs as number);
    }
  }

  admit(appId: string, now: number = Date.now()): ThrottleDecision {
    const appWindow = this.windowOf(appId);
    if (!appWindow.fits(now)) return this.refuse(this.options.scope === 'tenant' ? 'Tenant' : 'Tenant_Application', appId, appWindow, now);
    if (this.tenant && !this.tenant.fits(now)) return this.refuse('Tenant', appId, this.tenant, now);
    const usage = Math.max(appWindow.take(now), this.tenant?.take(now) ?? 0);
    this.admittedByApp.set(appId, (this.admittedByApp.get(appId) ?? 0) + 1);
    // Sent only above 0.8 of the limit (throttling-limits, "Regular responses requests").
    return { admitted: true, headers: usage > 0.8 ? { 'x-ms-throttle-limit-percentage': usage.toFixed(2) } : {} };
  }

  /** `scope: tenant` without a tenant limit: the one window is shared by every app. */
  private windowOf(appId: string): FixedWindow {
    const key = this.options.scope === 'tenant' ? '' : appId;
    let window = this.apps.get(key);
    if (window === undefined) {
      window = new FixedWindow(this.options.writesPerWindow, this.options.windowMs);
      this.apps.set(key, window);
    }
    return window;
  }

  private refuse(scope: 'Tenant' | 'Tenant_Application', appId: string, window: FixedWindow, now: number): ThrottleDecision {
    const retryAfterSeconds = window.retryAfterSeconds(now);
    return {
      admitted: false,
      retryAfterSeconds,
      headers: {
        'Retry-After': String(retryAfterSeconds),
        'x-ms-throttle-scope': `${scope}/Write/${appId}/${this.tenantId}`,
        'x-ms-throttle-information': 'WriteLimitExceeded',
      },
    };
  }
}

export interface FaultOptions {
  /** Share of requests (0–1) answered 503 with `Retry-After: 1`. */
  serverErrorRate?: number;
  /** Replication delay: a just-created object answers 404 to GET by id for this long. */
  notFoundAfterCreateMs?: number;
  /** Seed of the pseudo-random draws, so a run is reproducible. Default 1. */
  seed?: number;
  /** Added latency per request or batch item (benchmarks). */
  latencyMs?: number;
}

/** mulberry32: a tiny seeded PRNG; good enough to pick which requests fail. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private readonly random: () => number;
  readonly serverErrorRate: number;

  constructor(readonly options: FaultOptions = {}) {
    this.serverErrorRate = options.serverErrorRate ?? 0;
    if (this.serverErrorRate < 0 || this.serverErrorRate > 1) throw new RangeError('faults.serverErrorRate must be between 0 and 1');
    this.random = seededRandom(options.seed ?? 1);
  }

  shouldFail(): boolean {
    return this.serverErrorRate > 0 && this.random() < this.serverErrorRate;
  }
}
