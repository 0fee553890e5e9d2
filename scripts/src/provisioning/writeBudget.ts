/**
 * Proactive pacing under Graph's published write limit, so a long run does not live on 429s. Identity and
 * access service limits (learn.microsoft.com/graph/throttling-limits): 3,000 writes per 2 min 30 s per
 * app and tenant, the tightest of the write limits for a single provisioning app. Every window of that
 * length holds at most that many writes (a sliding window, so it also holds for fixed windows).
 */

export interface WriteLimit {
  readonly writes: number;
  readonly perMs: number;
}

export const GRAPH_WRITE_LIMIT: WriteLimit = { writes: 3000, perMs: 150_000 };
/** The tenant's own write limit over every app (same page): 18,000 per 5 min, six apps' worth in twice the time. */
export const GRAPH_TENANT_WRITE_LIMIT: WriteLimit = { writes: 18_000, perMs: 300_000 };

export class WriteBudget {
  private readonly spent: Array<{ at: number; count: number }> = [];
  private used = 0;

  /** `marginMs` widens the window: Graph counts a write when it arrives, a little after we send it. */
  constructor(
    readonly limit: WriteLimit,
    private readonly now: () => number = Date.now,
    private readonly marginMs = 250,
  ) {
    if (!Number.isInteger(limit.writes) || limit.writes < 1 || !(limit.perMs > 0)) throw new RangeError('a write limit needs a positive number of writes and a positive window');
  }

  /** Milliseconds until `count` more writes fit; 0 when they fit now. */
  delayFor(count: number): number {
    if (count > this.limit.writes) throw new RangeError(`${count} writes never fit a limit of ${this.limit.writes}`);
    const now = this.now();
    this.expire(now);
    let excess = this.used + count - this.limit.writes;
    if (excess <= 0) return 0;
    for (const entry of this.spent) {
      excess -= entry.count;
      if (excess <= 0) return Math.max(1, entry.at + this.limit.perMs + this.marginMs - now);
    }
    return this.limit.perMs;
  }

  spend(count: number): void {
    this.spent.push({ at: this.now(), count });
    this.used += count;
  }

  private expire(now: number): void {
    while (this.spent.length > 0 && (this.spent[0] as { at: number }).at + this.limit.perMs + this.marginMs <= now) {
      this.used -= (this.spent.shift() as { count: number }).count;
    }
  }
}

/**
 * Two-level pacing for several app identities writing to one tenant: each identity (a lane) has its own
 * app+tenant budget, and all of them share the tenant's. A batch goes to the lane that can take it soonest
 * (ties rotate, so the lanes share the work); one identity alone runs at a third of the tenant's ceiling
 * (20 of 60 writes/s), three fill it.
 */
export class WritePacer {
  private nextLane = 0;

  constructor(
    private readonly lanes: readonly WriteBudget[],
    private readonly tenant?: WriteBudget,
  ) {
    if (lanes.length === 0) throw new RangeError('a write pacer needs at least one lane');
  }

  /** One identity per lane, each under `appLimit`, all under `tenantLimit`. */
  static forIdentities(identities: number, appLimit: WriteLimit, tenantLimit: WriteLimit | undefined, now: () => number = Date.now, marginMs?: number): WritePacer {
    const lanes = Array.from({ length: identities }, () => new WriteBudget(appLimit, now, marginMs));
    return new WritePacer(lanes, tenantLimit === undefined ? undefined : new WriteBudget(tenantLimit, now, marginMs));
  }

  get laneCount(): number {
    return this.lanes.length;
  }

  /** The lane that can take `count` writes soonest, and the milliseconds until it can (0 = now). */
  next(count: number): { lane: number; delayMs: number } {
    const tenantDelay = this.tenant?.delayFor(count) ?? 0;
    let best = { lane: this.nextLane, delayMs: Number.POSITIVE_INFINITY };
    for (let offset = 0; offset < this.lanes.length; offset++) {
      const lane = (this.nextLane + offset) % this.lanes.length;
      const delayMs = Math.max(tenantDelay, (this.lanes[lane] as WriteBudget).delayFor(count));
      if (delayMs < best.delayMs) best = { lane, delayMs };
    }
    return best;
  }

  spend(lane: number, count: number): void {
    (this.lanes[lane] as WriteBudget).spend(count);
    this.tenant?.spend(count);
    this.nextLane = (lane + 1) % this.lanes.length;
  }

  /** Reads are not writes: they only rotate through the identities. */
  nextReadLane(): number {
    const lane = this.nextLane;
    this.nextLane = (lane + 1) % this.lanes.length;
    return lane;
  }
}
