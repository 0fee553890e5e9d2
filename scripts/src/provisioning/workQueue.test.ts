import type { UserDraft } from './userPlan';
import { WorkQueue, type Work } from './workQueue';

const work = (record: number): Work => ({ draft: { record, username: `u${record}`, email: `u${record}@example.com`, profile: {} } as UserDraft, attempts: 0 });
const records = (items: Work[] | undefined) => items?.map((item) => item.draft.record);

describe('WorkQueue', () => {
  it('cuts creates into batches of 20, holding a partial batch until the input ends', () => {
    const queue = new WorkQueue();
    for (let record = 1; record <= 45; record++) queue.addCreate(work(record));
    expect(queue.take(false)).toMatchObject({ kind: 'create', items: expect.any(Array) });
    expect(records(queue.take(false)?.items)).toEqual(Array.from({ length: 20 }, (_, index) => 21 + index));
    expect(queue.take(false)).toBeUndefined();
    expect(records(queue.take(true)?.items)).toEqual([41, 42, 43, 44, 45]);
    expect(queue.take(true)).toBeUndefined();
  });

  it('never builds a batch above 20, nor accepts a batch size above it', () => {
    const queue = new WorkQueue();
    for (let record = 1; record <= 100; record++) queue.addLookup(work(record));
    let batch;
    while ((batch = queue.take(true))) expect(batch.items.length).toBeLessThanOrEqual(20);
    expect(() => new WorkQueue(21)).toThrow(RangeError);
  });

  it('sends look-ups first, but a partial look-up batch waits while full create batches are ready', () => {
    const queue = new WorkQueue(2);
    queue.addCreate(work(1));
    queue.addCreate(work(2));
    queue.addLookup(work(3));
    expect(queue.take(false)).toMatchObject({ kind: 'create' });
    expect(queue.take(false)).toMatchObject({ kind: 'lookup', items: [expect.objectContaining({ draft: expect.objectContaining({ record: 3 }) })] });
  });

  it('puts retries and unsent batches back at the front', () => {
    const queue = new WorkQueue(2);
    queue.addCreate(work(1));
    queue.addCreate(work(2));
    queue.addCreate(work(3), true);
    const batch = queue.take(true);
    expect(records(batch?.items)).toEqual([3, 1]);
    queue.putBack(batch!);
    expect(records(queue.take(true)?.items)).toEqual([3, 1]);
    expect(queue.size).toBe(1);
    expect(records(queue.drain())).toEqual([2]);
    expect(queue.size).toBe(0);
  });

  it('holds methods for a full batch while creates are queued, then sends them; they go back as they came', () => {
    const queue = new WorkQueue(2);
    const method = (record: number) => ({ draft: work(record).draft, userId: `id-${record}`, method: 'phone' as const, value: '+1 2065550100', attempts: 0 });
    queue.addCreate(work(1));
    queue.addCreate(work(2));
    queue.addMethod(method(3));
    expect(queue.take(false)).toMatchObject({ kind: 'create' });
    const batch = queue.take(false);
    expect(batch).toMatchObject({ kind: 'methods', items: [expect.objectContaining({ userId: 'id-3' })] });
    queue.putBack(batch!);
    expect(queue.size).toBe(1);
    expect(queue.take(true)).toMatchObject({ kind: 'methods' });
  });
});
