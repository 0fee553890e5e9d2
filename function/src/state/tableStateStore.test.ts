/**
 * The StateStore contract, run against both stores (memory, and Table Storage on a real Azurite), then
 * what only the table store promises: the same answers through several clients at once, as from several
 * function instances.
 */
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type AzuriteTables } from '../../test/support/azurite';
import { startTcpProxy } from '../../test/support/tcpProxy';
import { encodeKey, ensureTable, keyShard } from '../legacy/tableRepository';
import { MemoryStateStore } from './memoryStateStore';
import type { StateStore } from './port';
import { StateStoreError, TableStateStore } from './tableStateStore';

const WINDOW_MS = 15 * 60_000;
let azurite: AzuriteTables;
let tableCount = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

function client(tableName: string): TableClient {
  return TableClient.fromConnectionString(azurite.connectionString, tableName, { allowInsecureConnection: true });
}

async function freshTable(): Promise<string> {
  const name = `State${++tableCount}`;
  await ensureTable(client(name));
  return name;
}

const key = (): string => randomBytes(32).toString('base64url');
const inMs = (ms: number): Date => new Date(Date.now() + ms);

describe.each([
  ['memory', async (): Promise<StateStore> => new MemoryStateStore({ lockoutWindowMs: WINDOW_MS })],
  ['table', async (): Promise<StateStore> => new TableStateStore(client(await freshTable()), { lockoutWindowMs: WINDOW_MS })],
])('StateStore contract (%s)', (kind, create) => {
  let store: StateStore;

  beforeAll(async () => {
    store = await create();
  });

  it('reports its kind', () => {
    expect(store.kind).toBe(kind);
  });

  it('claims a request key once, then reports it pending, then answered', async () => {
    const k = key();
    expect(await store.nonces.claim(k, inMs(60_000))).toEqual({ status: 'claimed' });
    expect(await store.nonces.claim(k, inMs(60_000))).toEqual({ status: 'pending' });
    expect(await store.nonces.lookup(k)).toBeUndefined();
    await store.nonces.record(k, { action: 'Block', title: 'Sign-in blocked', message: 'Your account is disabled.' }, inMs(60_000));
    const answer = { action: 'Block', title: 'Sign-in blocked', message: 'Your account is disabled.' };
    expect(await store.nonces.claim(k, inMs(60_000))).toEqual({ status: 'answered', answer });
    expect(await store.nonces.lookup(k)).toEqual(answer);
  });

  it('records answers without title and message', async () => {
    const k = key();
    await store.nonces.claim(k, inMs(60_000));
    await store.nonces.record(k, { action: 'MigratePassword' }, inMs(60_000));
    expect(await store.nonces.lookup(k)).toEqual({ action: 'MigratePassword' });
  });

  it('records an answer for a key that was never claimed', async () => {
    const k = key();
    await store.nonces.record(k, { action: 'Retry' }, inMs(60_000));
    expect(await store.nonces.claim(k, inMs(60_000))).toEqual({ status: 'answered', answer: { action: 'Retry' } });
  });

  it('lets an abandoned claim be taken over once it expires', async () => {
    const k = key();
    expect(await store.nonces.claim(k, inMs(-1))).toEqual({ status: 'claimed' });
    expect(await store.nonces.claim(k, inMs(60_000))).toEqual({ status: 'claimed' });
    expect(await store.nonces.claim(k, inMs(60_000))).toEqual({ status: 'pending' });
  });

  it('forgets expired answers', async () => {
    const k = key();
    await store.nonces.record(k, { action: 'Retry' }, inMs(-1));
    expect(await store.nonces.lookup(k)).toBeUndefined();
    expect(await store.nonces.claim(k, inMs(60_000))).toEqual({ status: 'claimed' });
  });

  it('grants attempt slots up to the threshold in a sliding window', async () => {
    const t0 = Date.parse('2024-06-01T12:00:00.000Z');
    const at = (minutes: number): Date => new Date(t0 + minutes * 60_000);
    const reserve = (minutes: number, user = 'carol@contoso.com') => store.attempts.reserve(user, at(minutes), 3);
    expect(await reserve(0)).toMatchObject({ granted: true, failures: 1 });
    expect(await reserve(5)).toMatchObject({ granted: true, failures: 2 });
    expect(await reserve(10)).toMatchObject({ granted: true, failures: 3 });
    expect(await reserve(10)).toEqual({ granted: false, failures: 3 });
    expect(await reserve(15)).toMatchObject({ granted: true, failures: 3 }); // the first left the window
    expect(await reserve(31)).toMatchObject({ granted: true, failures: 1 });
    expect(await reserve(31, 'dave@contoso.com')).toMatchObject({ granted: true, failures: 1 }); // per user
  });

  it('releases exactly the reservation it is given, even two taken in the same millisecond', async () => {
    const now = new Date();
    const reserve = () => store.attempts.reserve('frank@contoso.com', now, 2);
    const a = await reserve();
    const b = await reserve();
    if (!a.granted || !b.granted) throw new Error('not granted');
    expect(a.reservation.id).not.toBe(b.reservation.id);
    expect(await reserve()).toEqual({ granted: false, failures: 2 });
    await store.attempts.release('frank@contoso.com', a.reservation);
    expect(await reserve()).toMatchObject({ granted: true, failures: 2 });
    await store.attempts.release('frank@contoso.com', a.reservation); // already released: changes nothing
    expect(await reserve()).toEqual({ granted: false, failures: 2 });
  });

  it('records unconditionally with an infinite threshold, and counts without writing with zero', async () => {
    const now = new Date();
    for (let i = 0; i < 4; i++) await store.attempts.reserve('grace@contoso.com', now, Infinity);
    expect(await store.attempts.reserve('grace@contoso.com', now, 0)).toEqual({ granted: false, failures: 4 });
    expect(await store.attempts.reserve('grace@contoso.com', now, 4)).toEqual({ granted: false, failures: 4 });
  });

  it('keeps usernames with any characters apart', async () => {
    const now = new Date();
    const names = ['a/b', 'a\\b', 'a#b', 'a?b', 'ä@x.com', 'a@x.com', 'A@x.com', '用户', 'x'.repeat(256), 'ü'.repeat(256)];
    for (const name of names) expect(await store.attempts.reserve(name, now, 1)).toMatchObject({ granted: true });
    for (const name of names) expect(await store.attempts.reserve(name, now, 1)).toEqual({ granted: false, failures: 1 });
  });

  it('opens the legacy circuit for the cool-down once enough distinct users tripped it in the window', async () => {
    const t0 = Date.parse('2024-06-01T12:00:00.000Z');
    const rule = { threshold: 3, windowMs: 60_000, cooldownMs: 30_000 };
    const trip = (subject: string, seconds: number) => store.circuit.trip(subject, new Date(t0 + seconds * 1000), rule);
    expect(await store.circuit.read()).toEqual({});
    expect(await trip('u1', 0)).toEqual({});
    expect(await trip('u1', 1)).toEqual({}); // the same user again: still one
    expect(await trip('u2', 2)).toEqual({});
    expect(await trip('u3', 70)).toEqual({}); // u1 and u2 left the window
    expect(await trip('u4', 71)).toEqual({});
    expect(await trip('u5', 72)).toEqual({ openUntil: t0 + 102_000 });
    expect(await store.circuit.read()).toEqual({ openUntil: t0 + 102_000 });
    expect(await trip('u6', 80)).toEqual({ openUntil: t0 + 102_000 }); // not extended while open
    // Closed again: the window starts after the cool-down, so trips from before it do not count.
    expect(await trip('u7', 103)).toEqual({ openUntil: t0 + 102_000 });
    expect(await trip('u8', 104)).toEqual({ openUntil: t0 + 102_000 });
    expect(await trip('u9', 105)).toEqual({ openUntil: t0 + 135_000 });
  });

  it('probes successfully', async () => {
    await expect(store.probe()).resolves.toBeUndefined();
  });

  it('marks migrations', async () => {
    expect(await store.migrations.isMigrated('erin@contoso.com')).toBe(false);
    await store.migrations.markMigrated('erin@contoso.com', new Date('2024-06-01T12:00:00.000Z'));
    await store.migrations.markMigrated('erin@contoso.com', new Date('2024-06-01T12:00:01.000Z')); // idempotent
    expect(await store.migrations.isMigrated('erin@contoso.com')).toBe(true);
    expect(await store.migrations.isMigrated('Erin@contoso.com')).toBe(false); // callers pass normalized names
  });

  it('marks a record superseded by a password set in Entra, apart from the migrated mark', async () => {
    expect(await store.migrations.isSuperseded('fay@contoso.com')).toBe(false);
    await store.migrations.markSuperseded('fay@contoso.com', new Date('2024-06-01T12:00:00.000Z'));
    await store.migrations.markSuperseded('fay@contoso.com', new Date('2024-06-01T12:00:01.000Z')); // idempotent
    expect(await store.migrations.isSuperseded('fay@contoso.com')).toBe(true);
    expect(await store.migrations.isMigrated('fay@contoso.com')).toBe(false);
  });
});

describe('TableStateStore across instances', () => {
  let tableName: string;
  /** Four "instances": separate clients, separate connection pools, one table. */
  let instances: TableStateStore[];

  beforeAll(async () => {
    tableName = await freshTable();
    instances = Array.from({ length: 4 }, () => new TableStateStore(client(tableName), { lockoutWindowMs: WINDOW_MS }));
  });

  it('grants exactly the threshold to 50 concurrent reservations through 4 clients', async () => {
    const now = new Date();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => instances[i % 4]!.attempts.reserve('mallory@contoso.com', now, 5)));
    const granted = results.filter((r) => r.granted);
    expect(granted).toHaveLength(5);
    // Every successful conditional write added exactly one slot to what it read.
    expect(granted.map((r) => r.failures).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(results.filter((r) => !r.granted).every((r) => r.failures === 5)).toBe(true);
    expect(await instances[0]!.attempts.reserve('mallory@contoso.com', now, 0)).toEqual({ granted: false, failures: 5 });
  });

  it('loses no concurrent record or release: 20 recorded and 10 released through 4 clients leave 10', async () => {
    const now = new Date();
    const recorded = await Promise.all(Array.from({ length: 20 }, (_, i) => instances[i % 4]!.attempts.reserve('oscar@contoso.com', now, Infinity)));
    await Promise.all(
      recorded.slice(0, 10).map((r, i) => {
        if (!r.granted) throw new Error('not granted');
        return instances[(i + 1) % 4]!.attempts.release('oscar@contoso.com', r.reservation);
      }),
    );
    expect(await instances[0]!.attempts.reserve('oscar@contoso.com', now, 0)).toEqual({ granted: false, failures: 10 });
  });

  it('opens the circuit once for concurrent trips by distinct users through 4 clients, and every client sees it', async () => {
    const now = new Date();
    const rule = { threshold: 8, windowMs: 60_000, cooldownMs: 60_000 };
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => instances[i % 4]!.circuit.trip(`user-${i}`, now, rule)));
    const opened = results.filter((r) => r.openUntil !== undefined);
    expect(opened).toHaveLength(5); // the eighth recorded trip opened it; the four after it found it open
    expect(new Set(opened.map((r) => r.openUntil))).toEqual(new Set([now.getTime() + 60_000]));
    for (const instance of instances) expect(await instance.circuit.read()).toEqual({ openUntil: now.getTime() + 60_000 });
  });

  it('reads rows written before reservations, and keeps them readable as before', async () => {
    const store = new TableStateStore(client(tableName), { lockoutWindowMs: WINDOW_MS });
    const now = Date.now();
    const keys = { partitionKey: `attempts-${keyShard('peggy@contoso.com')}`, rowKey: encodeKey('peggy@contoso.com') };
    await client(tableName).createEntity({ ...keys, username: 'peggy@contoso.com', failures: JSON.stringify([now - 2, now - 1]) });
    const taken = await store.attempts.reserve('peggy@contoso.com', new Date(now), 3);
    expect(taken).toMatchObject({ granted: true, failures: 3 });
    const row = await client(tableName).getEntity<{ failures: string; reservations: string }>(keys.partitionKey, keys.rowKey);
    expect(JSON.parse(row.failures)).toEqual([now - 2, now - 1, now]); // what an older instance counts
    if (!taken.granted) throw new Error('not granted');
    expect(JSON.parse(row.reservations)).toEqual({ [taken.reservation.id]: now });
    await store.attempts.release('peggy@contoso.com', taken.reservation);
    expect(await store.attempts.reserve('peggy@contoso.com', new Date(now), 0)).toEqual({ granted: false, failures: 2 });
  });

  it('grants a request key to exactly one of many concurrent claimers', async () => {
    const k = key();
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => instances[i % 4]!.nonces.claim(k, inMs(60_000))));
    expect(claims.filter((c) => c.status === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.status === 'pending')).toHaveLength(11);
  });

  it('grants an expired claim to exactly one of many concurrent takers', async () => {
    const k = key();
    await instances[0]!.nonces.claim(k, inMs(-1));
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => instances[i % 4]!.nonces.claim(k, inMs(60_000))));
    expect(claims.filter((c) => c.status === 'claimed')).toHaveLength(1);
  });

  it('shows an answer recorded by one instance to the others', async () => {
    const k = key();
    await instances[0]!.nonces.claim(k, inMs(60_000));
    await instances[1]!.nonces.record(k, { action: 'UpdatePassword' }, inMs(60_000));
    expect(await instances[2]!.nonces.claim(k, inMs(60_000))).toEqual({ status: 'answered', answer: { action: 'UpdatePassword' } });
    expect(await instances[3]!.nonces.lookup(k)).toEqual({ action: 'UpdatePassword' });
  });

  it('keeps one row per user, with failures capped', async () => {
    const store = new TableStateStore(client(tableName), { lockoutWindowMs: WINDOW_MS, maxTrackedFailures: 3 });
    const now = Date.now();
    for (let i = 0; i < 5; i++) await store.attempts.reserve('capped@contoso.com', new Date(now + i), Infinity);
    expect(await store.attempts.reserve('capped@contoso.com', new Date(now + 5), 0)).toEqual({ granted: false, failures: 3 });
    const rows = [];
    for await (const row of client(tableName).listEntities<{ username?: string; failures?: string }>()) if (row.username === 'capped@contoso.com') rows.push(row);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.failures!)).toEqual([now + 2, now + 3, now + 4]);
    expect(rows[0]!.partitionKey).toMatch(/^attempts-[0-9a-f]{2}$/);
  });
});

describe('TableStateStore errors', () => {
  it('maps a missing table to StateStoreError with the fix', async () => {
    const store = new TableStateStore(client('NoSuchTable'), { lockoutWindowMs: WINDOW_MS });
    for (const operation of [
      () => store.nonces.claim(key(), inMs(1000)),
      () => store.nonces.lookup(key()),
      () => store.attempts.reserve('a', new Date(), 5),
      () => store.attempts.release('a', { id: 'x', at: 0 }),
      () => store.migrations.isMigrated('a'),
    ]) {
      const error = await operation().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateStoreError);
      expect((error as Error).message).toMatch(/\(HTTP 404 TableNotFound\): the table does not exist/);
    }
    await expect(store.nonces.record(key(), { action: 'Retry' }, inMs(1000))).rejects.toBeInstanceOf(StateStoreError);
    await expect(store.migrations.markMigrated('a', new Date())).rejects.toBeInstanceOf(StateStoreError);
  });

  it('rejects a request key that is not base64url', async () => {
    const store = new TableStateStore(client(await freshTable()), { lockoutWindowMs: WINDOW_MS });
    await expect(store.nonces.claim('not/base64', inMs(1000))).rejects.toThrow(new StateStoreError('the request key is not base64url'));
  });

  it('reports an unreachable account without the connection string', async () => {
    const unreachable = TableStateStore.fromSettings({
      connectionString: azurite.connectionString.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:9'),
      tableName: 'JitState',
      lockoutWindowMs: WINDOW_MS,
    });
    const error = await unreachable.attempts.reserve('a', new Date(), 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toBe('Table Storage: could not read failed attempts (ECONNREFUSED): check the endpoint and the network path to the storage account');
  });

  it('fails fast for a second after the account gave no response, but the probe always asks', async () => {
    const proxy = await startTcpProxy(Number(new URL(azurite.tableEndpoint).port));
    try {
      const store = TableStateStore.fromSettings({ connectionString: azurite.connectionString.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${proxy.port}`), tableName: await freshTable(), lockoutWindowMs: WINDOW_MS });
      const timed = async (work: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> => {
        const started = performance.now();
        const error = await work().then(() => undefined, (e: unknown) => e);
        return { ms: performance.now() - started, error };
      };
      await proxy.down();
      const first = await timed(() => store.attempts.reserve('a', new Date(), 5));
      expect(first.error).toBeInstanceOf(StateStoreError);
      const next = await timed(() => store.nonces.lookup(key()));
      expect(next.error).toBeInstanceOf(StateStoreError);
      expect(next.ms).toBeLessThan(first.ms / 4); // no network attempt, no SDK retries
      await proxy.up();
      await expect(store.probe()).resolves.toBeUndefined(); // the health check sees the store back at once
      expect((await timed(() => store.attempts.reserve('a', new Date(), 5))).error).toBeInstanceOf(StateStoreError);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await store.attempts.reserve('a', new Date(), 5)).toMatchObject({ granted: true, failures: 1 });
    } finally {
      await proxy.close();
    }
  });

  it('works from settings with a connection string (Azurite, http allowed on loopback)', async () => {
    const tableName = await freshTable();
    const store = TableStateStore.fromSettings({ connectionString: azurite.connectionString, tableName, lockoutWindowMs: WINDOW_MS });
    expect(await store.attempts.reserve('a', new Date(), 5)).toMatchObject({ granted: true, failures: 1 });
  });
});

describe('TableStateStore probe', () => {
  const probeError = async (store: TableStateStore): Promise<StateStoreError> => {
    const error = await store.probe().catch((e: unknown) => e);
    if (!(error instanceof StateStoreError)) throw new Error(`expected a StateStoreError, got ${String(error)}`);
    return error;
  };
  const fromConnectionString = (connectionString: string, tableName: string) => TableStateStore.fromSettings({ connectionString, tableName, lockoutWindowMs: WINDOW_MS });

  it('names a missing table as the table name setting, with the fix', async () => {
    const error = await probeError(fromConnectionString(azurite.connectionString, 'NoSuchTable'));
    expect(error.fault).toBe('table-name');
    expect(error.message).toBe('names a table that does not exist in the storage account (HTTP 404 TableNotFound): create it (the Pulumi program does) or correct StateTableName');
  });

  it('names a refused key as the account, without the key', async () => {
    const wrongKey = azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${randomBytes(64).toString('base64')}`);
    const error = await probeError(fromConnectionString(wrongKey, await freshTable()));
    expect(error.fault).toBe('account');
    expect(error.message).toMatch(/^was refused by the storage account \(HTTP 403[ \w]*\): check the account name and key in the connection string$/);
  });

  it('names an unreachable account', async () => {
    const error = await probeError(fromConnectionString(azurite.connectionString.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:9'), 'JitState'));
    expect(error.fault).toBe('account');
    expect(error.message).toBe('could not be reached (ECONNREFUSED): check the endpoint and the network path to the storage account (firewall, private endpoint)');
  });

  it('passes on a memory store', async () => {
    await expect(new MemoryStateStore({ lockoutWindowMs: WINDOW_MS }).probe()).resolves.toBeUndefined();
  });
});
