import { GraphEmulator } from './index';
import { localUser, rawGraph } from './raw';

const json = { 'Content-Type': 'application/json' };
const createUserItem = (id: string, email = `${id}@example.com`) => ({ id, method: 'POST', url: '/users', body: localUser(email), headers: json });

describe('Graph emulator: $batch', () => {
  let emulator: GraphEmulator;
  let call: ReturnType<typeof rawGraph>;

  beforeEach(async () => {
    emulator = await GraphEmulator.start();
    call = rawGraph(emulator.url);
  });
  afterEach(() => emulator.stop());

  it('runs each item and answers {responses:[{id,status,headers,body}]} in an order of its own', async () => {
    const response = await call('POST', '/$batch', {
      body: { requests: [createUserItem('1'), createUserItem('2'), { id: '3', method: 'GET', url: 'users/$count', headers: { ConsistencyLevel: 'eventual' } }] },
    });
    expect(response.status).toBe(200);
    const ids = response.body.responses.map((item: { id: string }) => item.id);
    expect(ids).toEqual(['3', '2', '1']);
    const byId = Object.fromEntries(response.body.responses.map((item: { id: string }) => [item.id, item]));
    expect(byId['1']).toMatchObject({ status: 201, headers: expect.objectContaining({ 'Content-Type': expect.stringContaining('application/json') }), body: { id: expect.any(String) } });
    expect(byId['3']).toMatchObject({ status: 200, body: '2' });
    expect(emulator.stats).toMatchObject({ batches: 1, requests: 3, writes: 2 });
  });

  it.each([
    ['21 requests', { requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' })) }, 'at most 20'],
    ['no requests', { requests: [] }, 'non-empty'],
    ['duplicate ids (ids are case-insensitive)', { requests: [{ id: 'a', method: 'GET', url: '/users' }, { id: 'A', method: 'GET', url: '/users' }] }, 'duplicate request id'],
    ['a body without Content-Type', { requests: [{ id: '1', method: 'POST', url: '/users', body: localUser('a@b.co') }] }, 'no Content-Type'],
    ['no method', { requests: [{ id: '1', url: '/users' }] }, 'method'],
    ['dependsOn a later request', { requests: [{ id: '1', method: 'GET', url: '/users', dependsOn: ['2'] }, { id: '2', method: 'GET', url: '/users' }] }, 'depends on'],
  ])('refuses a batch with %s (400 for the whole batch)', async (_label, body, message) => {
    const response = await call('POST', '/$batch', { body });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(message);
    expect(emulator.stats.requests).toBe(0);
  });

  it('answers 400 for an item with a versioned or absolute URL, or a body sent as a string', async () => {
    const response = await call('POST', '/$batch', {
      body: {
        requests: [
          { id: 'versioned', method: 'GET', url: '/v1.0/users' },
          { id: 'absolute', method: 'GET', url: `${emulator.url}/v1.0/users` },
          { id: 'stringified', method: 'POST', url: '/users', body: JSON.stringify(localUser('a@b.co')), headers: json },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.responses.map((item: { status: number }) => item.status)).toEqual([400, 400, 400]);
  });

  it('fails a dependent request with 424 when its dependency fails', async () => {
    const response = await call('POST', '/$batch', {
      body: {
        requests: [
          { ...createUserItem('1'), body: { displayName: 'no password' } },
          { id: '2', method: 'GET', url: '/users', dependsOn: ['1'] },
        ],
      },
    });
    const byId = Object.fromEntries(response.body.responses.map((item: { id: string; status: number }) => [item.id, item.status]));
    expect(byId).toEqual({ '1': 400, '2': 424 });
  });
});

describe('Graph emulator: throttling', () => {
  let emulator: GraphEmulator;
  let call: ReturnType<typeof rawGraph>;

  beforeEach(async () => {
    emulator = await GraphEmulator.start({ tenantId: '11111111-2222-3333-4444-555555555555', throttle: { writesPerWindow: 3, windowMs: 300 } });
    call = rawGraph(emulator.url);
  });
  afterEach(() => emulator.stop());

  it('counts writes per window and answers 429 with Retry-After and x-ms-throttle headers', async () => {
    for (const name of ['a', 'b', 'c']) expect((await call('POST', '/users', { body: localUser(`${name}@example.com`) })).status).toBe(201);
    const throttled = await call('POST', '/users', { body: localUser('d@example.com') });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.headers.get('x-ms-throttle-scope')).toBe(`Tenant_Application/Write/${emulator.callerAppId}/11111111-2222-3333-4444-555555555555`);
    expect(throttled.headers.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
    expect(throttled.body.error.code).toBe('TooManyRequests');
    expect((await call('GET', '/users')).status).toBe(200);
    expect(emulator.stats).toMatchObject({ writes: 3, throttled: 1 });
    expect(emulator.users.size).toBe(3);

    await new Promise((resolve) => setTimeout(resolve, 320));
    expect((await call('POST', '/users', { body: localUser('d@example.com') })).status).toBe(201);
  });

  it('warns with x-ms-throttle-limit-percentage above 0.8 of the limit', async () => {
    emulator.setThrottle({ writesPerWindow: 5, windowMs: 1000, scope: 'tenant' });
    const percentages: Array<string | null> = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) percentages.push((await call('POST', '/users', { body: localUser(`${name}@example.com`) })).headers.get('x-ms-throttle-limit-percentage'));
    expect(percentages).toEqual([null, null, null, null, '1.00']);
    const throttled = await call('POST', '/users', { body: localUser('f@example.com') });
    expect(throttled.headers.get('x-ms-throttle-scope')).toMatch(/^Tenant\/Write\//);
  });

  it('throttles items inside a $batch one by one', async () => {
    const requests = ['a', 'b', 'c', 'd', 'e'].map((name) => createUserItem(name));
    const response = await call('POST', '/$batch', { body: { requests } });
    const byId = Object.fromEntries(response.body.responses.map((item: { id: string; status: number; headers: Record<string, string> }) => [item.id, item]));
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => byId[id].status)).toEqual([201, 201, 201, 429, 429]);
    expect(byId.d.headers['Retry-After']).toBe('1');
    expect(emulator.stats).toMatchObject({ writes: 3, throttled: 2, batches: 1 });
  });

  it('can be switched off', async () => {
    emulator.setThrottle(undefined);
    for (const name of ['a', 'b', 'c', 'd', 'e']) expect((await call('POST', '/users', { body: localUser(`${name}@example.com`) })).status).toBe(201);
  });
});
