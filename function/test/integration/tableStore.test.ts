/**
 * End to end over Azure Table Storage (Azurite), with two endpoint instances that share nothing but the
 * storage account: Entra's retry may land on another instance, and lockout counts must hold across them.
 */
import { TableClient } from '@azure/data-tables';
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import { ensureTable, TableUserRepository, toUserEntity, userEntityKeys } from '../../src/legacy/tableRepository';
import { startAzurite } from '../support/azurite';
import { CapturingSink, signIn, startHarness, type Harness } from '../support/harness';
import { sampleUsers, STRONG, WEAK } from '../support/users';

let h: Harness;
let azurite: Awaited<ReturnType<typeof startAzurite>>;
let instanceA: PasswordSubmitEndpoint;
let instanceB: PasswordSubmitEndpoint;
let users: TableClient;
const sink = new CapturingSink();

beforeAll(async () => {
  [h, azurite] = await Promise.all([startHarness(), startAzurite()]);
  users = TableClient.fromConnectionString(azurite.connectionString, 'LegacyUsers', { allowInsecureConnection: true });
  await ensureTable(users);
  await ensureTable(TableClient.fromConnectionString(azurite.connectionString, 'JitState', { allowInsecureConnection: true }));
  for (const user of await sampleUsers()) await users.createEntity(toUserEntity(user.record));
  const env = { ...h.baseEnv, LegacyStore: 'table', LegacyTableConnectionString: azurite.connectionString, LockoutThreshold: '3' };
  instanceA = new PasswordSubmitEndpoint(env);
  instanceB = new PasswordSubmitEndpoint(env);
});

afterAll(async () => {
  await Promise.all([instanceA?.close(), instanceB?.close()]);
  await Promise.all([h?.stop(), azurite?.stop()]);
});

describe('table store across instances', () => {
  it('answers the decision table from Table Storage', async () => {
    expect((await signIn(instanceA, sink, h, 'alice@contoso.com', STRONG)).action).toBe('MigratePassword');
    expect((await signIn(instanceA, sink, h, 'weak@contoso.com', WEAK)).action).toBe('UpdatePassword');
    expect((await signIn(instanceB, sink, h, 'locked@contoso.com', STRONG)).action).toBe('Block');
    expect((await signIn(instanceB, sink, h, 'ghost@contoso.com', STRONG)).action).toBe('Retry');
  });

  it('marks the user migrated in the table after MigratePassword', async () => {
    expect((await signIn(instanceA, sink, h, 'bob@contoso.com', STRONG)).action).toBe('MigratePassword');
    const runtime = await instanceA.getRuntime();
    if (!runtime.ready) throw new Error('not ready');
    await runtime.background.drain();
    const repo = new TableUserRepository(users);
    const bob = await repo.findByUsername('bob@contoso.com');
    expect(bob?.migrated).toBe(true);
    expect(bob?.migratedAt).toBeDefined();
    const { partitionKey, rowKey } = userEntityKeys('bob@contoso.com');
    const entity = await users.getEntity(partitionKey, rowKey);
    expect(entity.migrated).toBe(true);
  });

  it('gives a retry on the other instance the first answer, without a second legacy check or count', async () => {
    const nonce = 'cross-instance-nonce';
    const first = await signIn(instanceA, sink, h, 'mallory@contoso.com', 'Guess-1x', { nonce });
    const retry = await signIn(instanceB, sink, h, 'mallory@contoso.com', 'Guess-1x', { nonce });
    expect(first.action).toBe('Retry');
    expect(retry.action).toBe('Retry');
    const replayed = sink.events('jit.passwordSubmit').filter((e) => e.replayed === true);
    expect(replayed.length).toBe(1);
    expect(replayed[0]!.scheme).toBeUndefined();
    // Lockout threshold 3: the replay did not count, so two more failures (on either instance) lock out.
    expect((await signIn(instanceB, sink, h, 'mallory@contoso.com', 'Guess-2x')).action).toBe('Retry');
    expect((await signIn(instanceA, sink, h, 'mallory@contoso.com', 'Guess-3x')).action).toBe('Retry');
    expect((await signIn(instanceB, sink, h, 'mallory@contoso.com', STRONG)).action).toBe('Block');
  });

  it('counts concurrent failures from both instances without losing any', async () => {
    const attempts = Array.from({ length: 6 }, (_, i) => signIn(i % 2 ? instanceA : instanceB, sink, h, 'alice@contoso.com', `Nope-${i}-x`));
    const results = await Promise.all(attempts);
    // Some may already see the lockout; none may be MigratePassword.
    expect(results.every((r) => r.action === 'Retry' || r.action === 'Block')).toBe(true);
    expect((await signIn(instanceA, sink, h, 'alice@contoso.com', STRONG)).action).toBe('Block');
  });
});
