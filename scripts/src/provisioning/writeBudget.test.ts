import { GRAPH_TENANT_WRITE_LIMIT, GRAPH_WRITE_LIMIT, WriteBudget, WritePacer } from './writeBudget';

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

describe('WritePacer: per identity and per tenant', () => {
  let time: number;
  beforeEach(() => {
    time = 0;
  });

  it("knows Graph's tenant limit: 18,000 per 5 min, so one identity has a third of the tenant's rate", () => {
    expect(GRAPH_TENANT_WRITE_LIMIT).toEqual({ writes: 18_000, perMs: 300_000 });
    const perSecond = (limit: { writes: number; perMs: number }) => limit.writes / (limit.perMs / 1000);
    expect(perSecond(GRAPH_WRITE_LIMIT) / perSecond(GRAPH_TENANT_WRITE_LIMIT)).toBeCloseTo(1 / 3);
  });

  it('rotates through the identities while each has room', () => {
    const pacer = WritePacer.forIdentities(3, { writes: 40, perMs: 1000 }, { writes: 1000, perMs: 1000 }, () => time, 0);
    const lanes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { lane, delayMs } = pacer.next(20);
      expect(delayMs).toBe(0);
      pacer.spend(lane, 20);
      lanes.push(lane);
    }
    expect(lanes).toEqual([0, 1, 2, 0, 1, 2]);
    // Every identity spent its 40: the next batch waits for the first identity's window.
    expect(pacer.next(20)).toEqual({ lane: 0, delayMs: 1000 });
  });

  it('holds all identities to the tenant budget, whichever has room of its own', () => {
    const pacer = WritePacer.forIdentities(3, { writes: 40, perMs: 1000 }, { writes: 60, perMs: 2000 }, () => time, 0);
    for (let i = 0; i < 3; i++) {
      const { lane } = pacer.next(20);
      pacer.spend(lane, 20);
    }
    time = 1500; // the identities' windows have passed, not the tenant's
    expect(pacer.next(20).delayMs).toBe(500);
    time = 2000;
    expect(pacer.next(20).delayMs).toBe(0);
  });

  it('sends reads round the identities without spending write budget', () => {
    const pacer = WritePacer.forIdentities(2, { writes: 20, perMs: 1000 }, undefined, () => time, 0);
    expect([pacer.nextReadLane(), pacer.nextReadLane(), pacer.nextReadLane()]).toEqual([0, 1, 0]);
    expect(pacer.next(20).delayMs).toBe(0);
  });
});
