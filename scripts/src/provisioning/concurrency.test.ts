import { AdaptiveConcurrency } from './concurrency';

describe('AdaptiveConcurrency (AIMD)', () => {
  let time: number;
  const controller = (max = 16, initial?: number) => new AdaptiveConcurrency({ max, initial, now: () => time });
  beforeEach(() => {
    time = 1_000;
  });

  /** Completes `count` batches that each started after the last congestion signal. */
  const completeClean = (aimd: AdaptiveConcurrency, count: number) => {
    for (let i = 0; i < count; i++) {
      time += 10;
      aimd.onBatchCompleted(time - 5);
    }
  };

  it('starts small and grows by one per clean batch in slow start, up to the cap', () => {
    const aimd = controller(6);
    expect(aimd.limit).toBe(2);
    completeClean(aimd, 3);
    expect(aimd.limit).toBe(5);
    completeClean(aimd, 10);
    expect(aimd.limit).toBe(6);
    expect(aimd.stats.peakLimit).toBe(6);
  });

  it('halves on a 429 and pauses for its Retry-After before anything else is sent', () => {
    const aimd = controller(16, 12);
    aimd.onThrottle({ retryAfterMs: 3000, status: 429 });
    expect(aimd.limit).toBe(6);
    expect(aimd.pauseRemaining()).toBe(3000);
    time += 2999;
    expect(aimd.pauseRemaining()).toBe(1);
    time += 1;
    expect(aimd.pauseRemaining()).toBe(0);
    expect(aimd.stats).toMatchObject({ throttled: 1, cuts: 1 });
  });

  it('cuts once per throttling episode, however many batches in flight report it', () => {
    const aimd = controller(16, 16);
    aimd.onThrottle({ retryAfterMs: 5000, status: 429 });
    time += 100;
    aimd.onThrottle({ retryAfterMs: 4900, status: 429 });
    aimd.onThrottle({ retryAfterMs: 6000, status: 429 });
    expect(aimd.limit).toBe(8);
    expect(aimd.stats).toMatchObject({ throttled: 3, cuts: 1 });
    expect(aimd.pauseRemaining()).toBe(6000); // the longest Retry-After wins
    time += 6000;
    aimd.onThrottle({ retryAfterMs: 1000, status: 429 }); // a new episode after the pause
    expect(aimd.limit).toBe(4);
    expect(aimd.stats.cuts).toBe(2);
  });

  it('after a cut, grows by one per round trip (congestion avoidance), not per batch', () => {
    const aimd = controller(16, 8);
    aimd.onThrottle({ retryAfterMs: 0, status: 429 });
    expect(aimd.limit).toBe(4);
    completeClean(aimd, 4); // one round trip at 4 in flight
    expect(aimd.limit).toBe(4);
    completeClean(aimd, 1);
    expect(aimd.limit).toBe(5);
  });

  it('does not grow on batches that were already in flight when Graph throttled', () => {
    const aimd = controller(16, 4);
    const startedBefore = time;
    time += 50;
    aimd.onThrottle({ retryAfterMs: 0, status: 429 });
    time += 50;
    for (let i = 0; i < 10; i++) aimd.onBatchCompleted(startedBefore);
    expect(aimd.limit).toBe(2);
  });

  it('treats 503 as a milder signal and never drops below one batch', () => {
    const aimd = controller(16, 10);
    aimd.onThrottle({ retryAfterMs: 1000, status: 503 });
    expect(aimd.limit).toBe(7);
    expect(aimd.stats).toMatchObject({ serverBusy: 1, throttled: 0 });
    for (let i = 0; i < 10; i++) {
      time += 2000;
      aimd.onThrottle({ retryAfterMs: 1000, status: 429 });
    }
    expect(aimd.limit).toBe(1);
  });

  it('refuses a cap below one', () => {
    expect(() => new AdaptiveConcurrency({ max: 0 })).toThrow(RangeError);
    expect(new AdaptiveConcurrency({ max: 1 }).limit).toBe(1);
  });
});
