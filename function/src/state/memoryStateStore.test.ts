/** Memory-only behaviour. The StateStore contract itself runs against both stores in tableStateStore.test.ts. */
import { MemoryStateStore } from './memoryStateStore';

const MINUTE = 60_000;
const T0 = Date.parse('2024-06-01T12:00:00.000Z');

describe('MemoryStateStore', () => {
  it('is the memory kind', () => {
    expect(new MemoryStateStore({ lockoutWindowMs: MINUTE }).kind).toBe('memory');
    expect(() => new MemoryStateStore({ lockoutWindowMs: 0 })).toThrow(RangeError);
  });

  it('follows the injected clock for nonces', async () => {
    let now = T0;
    const store = new MemoryStateStore({ lockoutWindowMs: MINUTE, now: () => now });
    expect(await store.nonces.claim('k', new Date(T0 + 1000))).toEqual({ status: 'claimed' });
    expect(await store.nonces.claim('k', new Date(T0 + 1000))).toEqual({ status: 'pending' });
    now = T0 + 1000;
    expect(await store.nonces.claim('k', new Date(T0 + 5000))).toEqual({ status: 'claimed' });
    await store.nonces.record('k', { action: 'Retry' }, new Date(T0 + 5000));
    now = T0 + 4999;
    expect(await store.nonces.lookup('k')).toEqual({ action: 'Retry' });
    now = T0 + 5000;
    expect(await store.nonces.lookup('k')).toBeUndefined();
  });

  it('counts attempts by the time it is given, not the wall clock, and releases by it too', async () => {
    const store = new MemoryStateStore({ lockoutWindowMs: MINUTE }); // wall clock is years after T0
    const first = await store.attempts.reserve('a', new Date(T0), 5);
    expect(await store.attempts.reserve('a', new Date(T0 + 1000), 5)).toMatchObject({ granted: true, failures: 2 });
    if (!first.granted) throw new Error('not granted');
    await store.attempts.release('a', first.reservation);
    expect(await store.attempts.reserve('a', new Date(T0 + 1000), 0)).toEqual({ granted: false, failures: 1 });
  });

  it('caps tracked failures per user', async () => {
    const store = new MemoryStateStore({ lockoutWindowMs: MINUTE, maxTrackedFailures: 5 });
    for (let i = 0; i < 9; i++) await store.attempts.reserve('a', new Date(T0 + i), Infinity);
    expect(await store.attempts.reserve('a', new Date(T0 + 10), 0)).toEqual({ granted: false, failures: 5 });
  });

  it('bounds memory: the oldest entries go beyond the cap', async () => {
    const store = new MemoryStateStore({ lockoutWindowMs: MINUTE, maxEntries: 3, now: () => T0 });
    for (const key of ['k1', 'k2', 'k3', 'k4']) await store.nonces.record(key, { action: 'Block' }, new Date(T0 + MINUTE));
    expect(await store.nonces.lookup('k1')).toBeUndefined();
    expect(await store.nonces.lookup('k4')).toEqual({ action: 'Block' });
    for (const user of ['u1', 'u2', 'u3', 'u4']) await store.migrations.markMigrated(user, new Date(T0));
    expect(await store.migrations.isMigrated('u1')).toBe(false);
    expect(await store.migrations.isMigrated('u4')).toBe(true);
    for (const user of ['s1', 's2', 's3', 's4']) await store.migrations.markSuperseded(user, new Date(T0));
    expect(await store.migrations.isSuperseded('s1')).toBe(false);
    expect(await store.migrations.isSuperseded('s4')).toBe(true);
    expect(await store.migrations.isMigrated('s4')).toBe(false);
  });

  it('sweeps expired entries as time passes', async () => {
    let now = T0;
    const store = new MemoryStateStore({ lockoutWindowMs: MINUTE, maxEntries: 1000, now: () => now });
    for (let i = 0; i < 100; i++) await store.nonces.claim(`old${i}`, new Date(T0 + 1000));
    for (let i = 0; i < 100; i++) await store.attempts.reserve(`user${i}`, new Date(T0), 5);
    now = T0 + 2 * MINUTE;
    await store.nonces.claim('fresh', new Date(now + 1000));
    await store.attempts.reserve('fresh', new Date(now), 5);
    const sizes = store as unknown as { nonces: { entries: { size: number } }; attempts: { failures: { size: number } } };
    expect(sizes.nonces.entries.size).toBe(1);
    expect(sizes.attempts.failures.size).toBe(1);
  });
});
