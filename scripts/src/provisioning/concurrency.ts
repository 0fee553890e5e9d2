/**
 * How many `$batch` requests may be in flight: additive increase while Graph answers cleanly, multiplicative
 * decrease when it throttles (AIMD, as TCP does), plus a hard pause for the `Retry-After` Graph asked for.
 * Graph's throttling guidance (learn.microsoft.com/graph/throttling): on 429 wait the Retry-After seconds
 * before sending more, and reduce the request rate; 503 from the directory means the same.
 */

export interface AdaptiveConcurrencyOptions {
  /** The cap (`--max-concurrency`). */
  readonly max: number;
  /** Where slow start begins. Default 2 (or max, when smaller). */
  readonly initial?: number;
  readonly now?: () => number;
}

export interface CongestionStats {
  /** 429 answers that paused sending (one per throttled batch round, as the Graph client reports them). */
  throttled: number;
  /** 503 answers treated like throttling. */
  serverBusy: number;
  /** How often the limit was cut. */
  cuts: number;
  peakLimit: number;
}

export class AdaptiveConcurrency {
  readonly stats: CongestionStats;
  private readonly max: number;
  private readonly now: () => number;
  /** Fractional, so congestion avoidance can add 1/window per completed batch. */
  private window: number;
  /** Slow-start threshold: below it the window doubles per round trip, above it grows by one. */
  private threshold: number;
  private pausedUntil = 0;
  private lastCongestionAt = Number.NEGATIVE_INFINITY;

  constructor(options: AdaptiveConcurrencyOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) throw new RangeError(`max concurrency must be a positive integer, got ${options.max}`);
    this.max = options.max;
    this.now = options.now ?? Date.now;
    this.window = Math.min(this.max, options.initial ?? 2);
    this.threshold = this.max;
    this.stats = { throttled: 0, serverBusy: 0, cuts: 0, peakLimit: this.limit };
  }

  /** Batches allowed in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.window));
  }

  /** Milliseconds until Graph's Retry-After has passed; 0 when sending is allowed. */
  pauseRemaining(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** Wire to GraphClient's `onThrottle`: called before the client waits out a 429 or 503. */
  onThrottle(info: { retryAfterMs: number; status: number }): void {
    const now = this.now();
    if (info.status === 429) this.stats.throttled++;
    else this.stats.serverBusy++;
    // Every batch in flight reports the same episode; cut once per episode, not once per batch.
    if (now >= this.pausedUntil) {
      this.threshold = Math.max(1, this.window * (info.status === 429 ? 0.5 : 0.7));
      this.window = this.threshold;
      this.stats.cuts++;
    }
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.max(0, info.retryAfterMs));
    this.lastCongestionAt = now;
  }

  /** A batch came back. Only one that started after the last congestion signal (and so saw none) grows the window. */
  onBatchCompleted(startedAt: number): void {
    if (startedAt <= this.lastCongestionAt) return;
    this.window = Math.min(this.max, this.window < this.threshold ? this.window + 1 : this.window + 1 / this.window);
    this.stats.peakLimit = Math.max(this.stats.peakLimit, this.limit);
  }
}
