import { GraphEmulator } from '../../test/emulators/graph';
import { localUser } from '../../test/emulators/graph/raw';
import { ScriptedServer } from '../../test/emulators/graph/scripted';
import { GraphClient, graphErrorForBatchItem, staticToken, type ThrottleInfo } from './client';
import type { BatchRequest } from './types';

const createUser = (id: string): BatchRequest => ({ id, method: 'POST', url: '/users', body: localUser(`user${id}@example.com`) });

describe('GraphClient.batch against the emulator', () => {
  let emulator: GraphEmulator;
  let waits: number[];
  let throttles: ThrottleInfo[];

  afterEach(() => emulator.stop());

  /** Records each wait, and really waits a little so the emulator's tiny throttle window can pass. */
  const clientFor = (realWaitMs = 0) =>
    new GraphClient({
      baseUrl: emulator.url,
      token: staticToken('t'),
      onThrottle: (info) => throttles.push(info),
      sleep: async (ms) => {
        waits.push(ms);
        if (realWaitMs > 0) await new Promise((resolve) => setTimeout(resolve, realWaitMs));
      },
    });

  beforeEach(() => {
    waits = [];
    throttles = [];
  });

  it('returns one answer per request, in request order, though Graph answers in any order', async () => {
    emulator = await GraphEmulator.start();
    const requests: BatchRequest[] = [createUser('1'), { id: 'count', method: 'GET', url: '/users/$count', headers: { ConsistencyLevel: 'eventual' } }, createUser('2')];
    const responses = await clientFor().batch(requests);
    expect(responses.map((response) => [response.id, response.status])).toEqual([['1', 201], ['count', 200], ['2', 201]]);
    expect(emulator.stats.batches).toBe(1);
  });

  it('retries the items that came back 429 after their Retry-After, until all succeed', async () => {
    emulator = await GraphEmulator.start({ throttle: { writesPerWindow: 5, windowMs: 100 } });
    const requests = Array.from({ length: 12 }, (_, index) => createUser(String(index + 1)));
    const responses = await clientFor(120).batch(requests);
    expect(responses.map((response) => response.id)).toEqual(requests.map((request) => request.id));
    expect(responses.every((response) => response.status === 201)).toBe(true);
    expect(emulator.users.size).toBe(12);
    expect(emulator.stats.batches).toBe(3);
    expect(emulator.stats.throttled).toBe(7 + 2);
    expect(waits).toEqual([1000, 1000]);
    expect(throttles).toEqual([{ retryAfterMs: 1000, status: 429 }, { retryAfterMs: 1000, status: 429 }]);
  });

  it('retries items that failed with 503 (seeded faults) and reports final failures per item', async () => {
    emulator = await GraphEmulator.start({ faults: { serverErrorRate: 0.4, seed: 3 } });
    const requests = Array.from({ length: 20 }, (_, index) => createUser(String(index + 1)));
    const responses = await clientFor().batch(requests);
    expect(responses.every((response) => response.status === 201)).toBe(true);
    expect(emulator.stats.serverErrors).toBeGreaterThan(0);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((ms) => ms === 1000)).toBe(true);

    // A bad item is final at once and comes back as a GraphError on request.
    const [bad] = await clientFor().batch([{ id: 'bad', method: 'POST', url: '/users', body: { displayName: 'x', passwordProfile: { password: 'Secret-Pa55!' } } }]);
    expect(bad?.status).toBe(400);
    const error = graphErrorForBatchItem({ id: 'bad', method: 'POST', url: '/users', body: {} }, bad as never);
    expect(error).toMatchObject({ status: 400, code: 'Request_BadRequest', path: '/users' });
    expect(error.message).toContain("A value is required for property 'accountEnabled'");
  });

  it('refuses 21 requests before sending anything', async () => {
    emulator = await GraphEmulator.start();
    const requests = Array.from({ length: 21 }, (_, index) => createUser(String(index)));
    await expect(clientFor().batch(requests)).rejects.toThrow(/at most 20 requests, got 21/);
    expect(emulator.stats.batches).toBe(0);
  });

  it('refuses duplicate ids, versioned URLs and unknown dependencies before sending', async () => {
    emulator = await GraphEmulator.start();
    const graph = clientFor();
    await expect(graph.batch([createUser('a'), createUser('A')])).rejects.toThrow(/unique/);
    await expect(graph.batch([{ id: '1', method: 'GET', url: '/v1.0/users' }])).rejects.toThrow(/relative to the API version/);
    await expect(graph.batch([{ id: '1', method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' }])).rejects.toThrow(/relative/);
    await expect(graph.batch([{ id: '1', method: 'GET', url: '/users', dependsOn: ['9'] }])).rejects.toThrow(/not in the batch/);
    expect(emulator.stats.batches).toBe(0);
    expect(await graph.batch([])).toEqual([]);
  });

  it('gives up on items after maxRetries and returns their last answer', async () => {
    emulator = await GraphEmulator.start({ throttle: { writesPerWindow: 1, windowMs: 60_000 } });
    const graph = new GraphClient({ baseUrl: emulator.url, token: staticToken('t'), maxRetries: 2, sleep: async (ms) => void waits.push(ms) });
    const responses = await graph.batch([createUser('1'), createUser('2')]);
    expect(responses.map((response) => response.status)).toEqual([201, 429]);
    expect(waits).toHaveLength(2);
  });
});

describe('GraphClient.batch dependencies (scripted server)', () => {
  let server: ScriptedServer;
  afterEach(() => server.stop());

  it('re-sends a 424 whose dependency is retried, and drops links to requests that already succeeded', async () => {
    const bodies: Array<{ requests: BatchRequest[] }> = [];
    server = await ScriptedServer.start((request, index) => {
      bodies.push(JSON.parse(request.body));
      if (index === 0) {
        return {
          status: 200,
          body: {
            responses: [
              { id: 'c', status: 424, headers: {}, body: { error: { code: 'FailedDependency', message: 'failed dependency' } } },
              { id: 'b', status: 429, headers: { 'Retry-After': '2' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } },
              { id: 'a', status: 201, headers: {}, body: { id: 'A' } },
            ],
          },
        };
      }
      return { status: 200, body: { responses: [{ id: 'b', status: 201, headers: {}, body: {} }, { id: 'c', status: 200, headers: {}, body: {} }] } };
    });
    const waits: number[] = [];
    const graph = new GraphClient({ baseUrl: server.url, token: staticToken('t'), sleep: async (ms) => void waits.push(ms) });
    const responses = await graph.batch([
      { id: 'a', method: 'POST', url: '/applications', body: { displayName: 'x' } },
      { id: 'b', method: 'GET', url: '/users', dependsOn: ['a'] },
      { id: 'c', method: 'GET', url: '/users', dependsOn: ['b'] },
    ]);
    expect(responses.map((response) => [response.id, response.status])).toEqual([['a', 201], ['b', 201], ['c', 200]]);
    expect(waits).toEqual([2000]);
    expect(bodies[0]?.requests[0]?.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(bodies[1]?.requests).toEqual([
      { id: 'b', method: 'GET', url: '/users' },
      { id: 'c', method: 'GET', url: '/users', dependsOn: ['b'] },
    ]);
  });
});
