import { GRAPH_WRITE_LIMIT, WriteBudget } from './writeBudget';

describe('WriteBudget', () => {
  let time: number;
  beforeEach(() => {
    time = 0;
  });

  it('defaults to Graph\'s published per-app write limit: 3,000 per 2 min 30 s', () => {
    expect(GRAPH_WRITE_LIMIT).toEqual({ writes: 3000, perMs: 150_000 });
  });

  it('lets a window\'s worth through, then waits until the oldest writes leave the window', () => {
    const budget = new WriteBudget({ writes: 100, perMs: 10_000 }, () => time, 0);
    for (let i = 0; i < 5; i++) {
      expect(budget.delayFor(20)).toBe(0);
      budget.spend(20);
      time += 100;
    }
    expect(budget.delayFor(20)).toBe(10_000 - 500); // the first 20 leave at t = 10 000
    expect(budget.delayFor(40)).toBe(10_000 - 400); // 40 need the first two batches gone
    time = 10_000;
    expect(budget.delayFor(20)).toBe(0);
  });

  it('adds the margin for writes Graph counts a little after we send them', () => {
    const budget = new WriteBudget({ writes: 20, perMs: 1000 }, () => time, 250);
    budget.spend(20);
    expect(budget.delayFor(1)).toBe(1250);
    time = 1250;
    expect(budget.delayFor(20)).toBe(0);
  });

  it('never admits more than the limit in any window (sliding, so fixed windows hold too)', () => {
    const budget = new WriteBudget({ writes: 50, perMs: 1000 }, () => time, 0);
    const sent: number[] = [];
    while (time < 10_000) {
      const wait = budget.delayFor(7);
      if (wait === 0) {
        budget.spend(7);
        for (let i = 0; i < 7; i++) sent.push(time);
      }
      time += wait === 0 ? 13 : wait;
    }
    for (const start of sent) expect(sent.filter((at) => at >= start && at < start + 1000).length).toBeLessThanOrEqual(50);
    expect(sent.length).toBeGreaterThan(400);
  });

  it('refuses a batch bigger than the whole limit', () => {
    expect(() => new WriteBudget({ writes: 10, perMs: 1000 }).delayFor(11)).toThrow(RangeError);
  });
});
