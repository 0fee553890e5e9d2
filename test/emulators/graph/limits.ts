/**
 * Throttling and injected faults. Graph's identity limits count writes per app+tenant (3,000 per 2 min 30 s)
 * and per tenant (18,000 per 5 min); an exceeded limit answers 429 with `Retry-After` and
 * `x-ms-throttle-scope` / `x-ms-throttle-information` (throttling-limits, "Identity and access service limits").
 * The emulator models one write limit over a fixed window, with the numbers a test chooses.
 */

export interface ThrottleOptions {
  writesPerWindow: number;
  windowMs: number;
  /** Which scope the `x-ms-throttle-scope` header names: `app` = Tenant_Application, `tenant` = Tenant. */
  scope?: 'app' | 'tenant';
}

export type ThrottleDecision =
  | { admitted: true; headers: Record<string, string> }
  | { admitted: false; retryAfterSeconds: number; headers: Record<string, string> };

export class WriteThrottle {
  private windowStart = 0;
  private used = 0;

  constructor(
    private readonly options: ThrottleOptions,
    private readonly identity: { appId: string; tenantId: string },
  ) {
    if (!Number.isInteger(options.writesPerWindow) || options.writesPerWindow < 1) throw new RangeError('throttle.writesPerWindow must be a positive integer');
    if (!(options.windowMs > 0)) throw new RangeError('throttle.windowMs must be positive');
  }

  admit(now: number = Date.now()): ThrottleDecision {
    if (now - this.windowStart >= this.options.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used < this.options.writesPerWindow) {
      this.used++;
      const usage = this.used / this.options.writesPerWindow;
      // Sent only above 0.8 of the limit (throttling-limits, "Regular responses requests").
      return { admitted: true, headers: usage > 0.8 ? { 'x-ms-throttle-limit-percentage': usage.toFixed(2) } : {} };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((this.windowStart + this.options.windowMs - now) / 1000));
    const scope = this.options.scope === 'tenant' ? 'Tenant' : 'Tenant_Application';
    return {
      admitted: false,
      retryAfterSeconds,
      headers: {
        'Retry-After': String(retryAfterSeconds),
        'x-ms-throttle-scope': `${scope}/Write/${this.identity.appId}/${this.identity.tenantId}`,
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
