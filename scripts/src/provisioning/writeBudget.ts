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
