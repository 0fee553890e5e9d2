/** End to end over the JSON-lines store: Entra-shaped requests through the real endpoint. */
import { promises as fs } from 'node:fs';
import { PasswordSubmitEndpoint } from '../../src/app/httpEntry';
import { actionOf, CapturingSink, signIn, startHarness, type Harness } from '../support/harness';
import { sampleUsers, STRONG, WEAK, writeUsersFile, type SampleUser } from '../support/users';

let h: Harness;
let users: SampleUser[];
let usersFile: string;
let endpoint: PasswordSubmitEndpoint;
const sink = new CapturingSink();

beforeAll(async () => {
  h = await startHarness();
  users = await sampleUsers();
  usersFile = await writeUsersFile(users);
  endpoint = new PasswordSubmitEndpoint({ ...h.baseEnv, LegacyStore: 'file', LegacyUsersFile: usersFile, LockoutThreshold: '3' });
});

afterAll(async () => {
  await endpoint.close();
  await h.stop();
});

describe('decision table end to end (file store)', () => {
  it.each([
    ['alice@contoso.com', STRONG, 'MigratePassword'],
    ['bob@contoso.com', STRONG, 'MigratePassword'],
    ['  Alice@Contoso.COM ', STRONG, 'MigratePassword'],
    ['weak@contoso.com', WEAK, 'UpdatePassword'],
    ['mustchange@contoso.com', STRONG, 'UpdatePassword'],
    ['alice@contoso.com', 'Wrong-Horse-9', 'Retry'],
    ['nobody@contoso.com', STRONG, 'Retry'],
    ['disabled@contoso.com', STRONG, 'Block'],
    ['locked@contoso.com', STRONG, 'Block'],
    ['disabled@contoso.com', 'Wrong-Horse-9', 'Retry'],
    ['migrated@contoso.com', STRONG, 'MigratePassword'],
  ])('%s with %s → %s', async (username, password, expected) => {
    const { response, nonce } = await signIn(endpoint, sink, h, username, password);
    expect(response.status).toBe(200);
    expect(actionOf(response)).toBe(expected);
    const body = response.jsonBody as { data: Record<string, unknown> };
    expect(body.data.nonce).toBe(nonce);
    expect(body.data['@odata.type']).toBe('microsoft.graph.onPasswordSubmitResponseData');
    expect((body.data.actions as unknown[]).length).toBe(1);
  });

  it('reports the legacy look-up and verify time separately from the total latency', () => {
    const events = sink.events('jit.passwordSubmit').filter((e) => e.replayed === false);
    expect(events.length).toBeGreaterThan(5);
    for (const e of events) {
      expect(typeof e.verifyMs).toBe('number');
      expect(e.verifyMs as number).toBeLessThanOrEqual(e.latencyMs as number);
    }
  });

  it('puts the configured message on Block', async () => {
    const { response } = await signIn(endpoint, sink, h, 'disabled@contoso.com', STRONG);
    const action = (response.jsonBody as { data: { actions: Record<string, string>[] } }).data.actions[0]!;
    expect(action.title).toBe('Sign-in blocked');
    expect(action.message).toMatch(/disabled/);
  });

  it('marks the legacy record migrated after MigratePassword, without delaying the reply', async () => {
    const { action } = await signIn(endpoint, sink, h, 'bob@contoso.com', STRONG);
    expect(action).toBe('MigratePassword');
    const runtime = await endpoint.getRuntime();
    if (!runtime.ready) throw new Error('runtime not ready');
    await runtime.background.drain();
    const lines = (await fs.readFile(usersFile, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const bob = lines.find((l) => l.username === 'bob@contoso.com')!;
    expect(bob.migrated).toBe(true);
    expect(Date.parse(String(bob.migratedAt))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('answers a repeated nonce with the first answer and counts the failure once', async () => {
    const nonce = 'retry-nonce-1';
    const first = await signIn(endpoint, sink, h, 'mallory@contoso.com', 'Bad-Guess-1', { nonce });
    const second = await signIn(endpoint, sink, h, 'mallory@contoso.com', 'Bad-Guess-1', { nonce });
    expect(first.action).toBe('Retry');
    expect(second.action).toBe('Retry');
    expect(sink.events('jit.passwordSubmit').filter((e) => e.replayed === true).length).toBeGreaterThanOrEqual(1);
    // Threshold 3: one counted failure so far, so two more distinct failures are needed to lock out.
    expect((await signIn(endpoint, sink, h, 'mallory@contoso.com', 'Bad-Guess-2')).action).toBe('Retry');
    expect((await signIn(endpoint, sink, h, 'mallory@contoso.com', 'Bad-Guess-3')).action).toBe('Retry');
    const locked = await signIn(endpoint, sink, h, 'mallory@contoso.com', STRONG);
    expect(locked.action).toBe('Block');
    expect((locked.response.jsonBody as { data: { actions: Record<string, string>[] } }).data.actions[0]!.title).toBe('Too many attempts');
  });

  it('never hands one request\'s answer to another that reuses its nonce', async () => {
    const nonce = 'shared-nonce';
    expect((await signIn(endpoint, sink, h, 'alice@contoso.com', 'Not-Her-Password-1', { nonce })).action).toBe('Retry');
    expect((await signIn(endpoint, sink, h, 'alice@contoso.com', STRONG, { nonce })).action).toBe('MigratePassword');
  });
});
