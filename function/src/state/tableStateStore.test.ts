/**
 * The StateStore contract, run against both stores (memory, and Table Storage on a real Azurite), then
 * what only the table store promises: the same answers through several clients at once, as from several
 * function instances.
 */
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type AzuriteTables } from '../../test/support/azurite';
import { ensureTable } from '../legacy/tableRepository';
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

  it('counts failed attempts in a sliding window', async () => {
    const t0 = Date.parse('2024-06-01T12:00:00.000Z');
    const at = (minutes: number): Date => new Date(t0 + minutes * 60_000);
    expect(await store.attempts.count('carol@contoso.com', at(0))).toBe(0);
    expect(await store.attempts.increment('carol@contoso.com', at(0))).toBe(1);
    expect(await store.attempts.increment('carol@contoso.com', at(5))).toBe(2);
    expect(await store.attempts.increment('carol@contoso.com', at(10))).toBe(3);
    expect(await store.attempts.count('carol@contoso.com', at(10))).toBe(3);
    expect(await store.attempts.count('carol@contoso.com', at(15))).toBe(2); // the first left the window
    expect(await store.attempts.count('carol@contoso.com', at(26))).toBe(0);
    expect(await store.attempts.increment('carol@contoso.com', at(26))).toBe(1);
    expect(await store.attempts.count('dave@contoso.com', at(26))).toBe(0); // per user
  });

  it('keeps usernames with any characters apart', async () => {
    const now = new Date();
    const names = ['a/b', 'a\\b', 'a#b', 'a?b', 'ä@x.com', 'a@x.com', 'A@x.com', '用户', 'x'.repeat(256), 'ü'.repeat(256)];
    for (const name of names) await store.attempts.increment(name, now);
    for (const name of names) expect(await store.attempts.count(name, now)).toBe(1);
  });

  it('marks migrations', async () => {
    expect(await store.migrations.isMigrated('erin@contoso.com')).toBe(false);
    await store.migrations.markMigrated('erin@contoso.com', new Date('2024-06-01T12:00:00.000Z'));
    await store.migrations.markMigrated('erin@contoso.com', new Date('2024-06-01T12:00:01.000Z')); // idempotent
    expect(await store.migrations.isMigrated('erin@contoso.com')).toBe(true);
    expect(await store.migrations.isMigrated('Erin@contoso.com')).toBe(false); // callers pass normalized names
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

  it('loses no concurrent increment: 20 through 4 clients end at exactly 20', async () => {
    const now = new Date();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => instances[i % 4]!.attempts.increment('mallory@contoso.com', now)));
    expect(await instances[0]!.attempts.count('mallory@contoso.com', now)).toBe(20);
    // Every successful conditional write added exactly one failure to what it read.
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
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
    for (let i = 0; i < 5; i++) await store.attempts.increment('capped@contoso.com', new Date(now + i));
    expect(await store.attempts.count('capped@contoso.com', new Date(now + 5))).toBe(3);
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
      () => store.attempts.count('a', new Date()),
      () => store.attempts.increment('a', new Date()),
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
    const error = await unreachable.attempts.count('a', new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toBe('Table Storage: could not read failed attempts (ECONNREFUSED): check the endpoint and the network path to the storage account');
  });

  it('works from settings with a connection string (Azurite, http allowed on loopback)', async () => {
    const tableName = await freshTable();
    const store = TableStateStore.fromSettings({ connectionString: azurite.connectionString, tableName, lockoutWindowMs: WINDOW_MS });
    expect(await store.attempts.increment('a', new Date())).toBe(1);
  });
});
