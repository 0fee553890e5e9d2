import { ScriptedServer, type Script, type ScriptedReply } from '../../test/emulators/graph/scripted';
import { GraphClient, GraphError, staticToken, type GraphClientOptions, type ThrottleInfo } from './client';

const TOKEN = 'scripted-secret-token';

describe('GraphClient retries and failures (scripted server)', () => {
  let server: ScriptedServer | undefined;
  let waits: number[];
  let throttles: ThrottleInfo[];

  beforeEach(() => {
    waits = [];
    throttles = [];
  });
  afterEach(() => server?.stop());

  async function clientFor(script: Script, options: Partial<GraphClientOptions> = {}): Promise<GraphClient> {
    server = await ScriptedServer.start(script);
    return new GraphClient({
      baseUrl: server.url,
      token: staticToken(TOKEN),
      sleep: async (ms) => void waits.push(ms),
      onThrottle: (info) => throttles.push(info),
      ...options,
    });
  }

  const ok = { status: 200, body: { value: [] } };
  const throttled = (retryAfter?: string): ScriptedReply => ({
    status: 429,
    headers: retryAfter === undefined ? {} : { 'Retry-After': retryAfter },
    body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } },
  });

  it('waits the Retry-After seconds of a 429, reports the throttle, then succeeds', async () => {
    const graph = await clientFor([throttled('3'), throttled('1'), ok]);
    await expect(graph.get('/users')).resolves.toEqual({ value: [] });
    expect(waits).toEqual([3000, 1000]);
    expect(throttles).toEqual([{ retryAfterMs: 3000, status: 429 }, { retryAfterMs: 1000, status: 429 }]);
  });

  it('accepts Retry-After as an HTTP-date', async () => {
    const graph = await clientFor([throttled(new Date(Date.now() + 5000).toUTCString()), ok]);
    await graph.get('/users');
    expect(waits[0]).toBeGreaterThan(3000);
    expect(waits[0]).toBeLessThanOrEqual(5000);
  });

  it('backs off exponentially with jitter when a 5xx has no Retry-After', async () => {
    const failure = { status: 500, body: { error: { code: 'generalException', message: 'boom' } } };
    const graph = await clientFor([failure, failure, failure, ok]);
    await graph.get('/users');
    expect(waits).toHaveLength(3);
    const [first, second, third] = waits as [number, number, number];
    expect(first).toBeGreaterThanOrEqual(500);
    expect(first).toBeLessThanOrEqual(1000);
    expect(second).toBeGreaterThanOrEqual(1000);
    expect(second).toBeLessThanOrEqual(2000);
    expect(third).toBeGreaterThanOrEqual(2000);
    expect(third).toBeLessThanOrEqual(4000);
  });

  it('retries a 503 with its Retry-After and sends the same client-request-id each time', async () => {
    const graph = await clientFor([{ status: 503, headers: { 'Retry-After': '1' } }, ok]);
    await graph.get('/users');
    expect(waits).toEqual([1000]);
    expect(throttles).toEqual([{ retryAfterMs: 1000, status: 503 }]);
    const ids = server?.requests.map((request) => request.headers['client-request-id']);
    expect(ids?.[0]).toEqual(expect.any(String));
    expect(ids?.[1]).toBe(ids?.[0]);
  });

  it('gives up after maxRetries with a message that says to slow down', async () => {
    const graph = await clientFor([throttled('2')], { maxRetries: 2 });
    const error = (await graph.post('/users', { passwordProfile: { password: 'hunter2-Secret!' } }).catch((caught: unknown) => caught)) as GraphError;
    expect(error).toBeInstanceOf(GraphError);
    expect(error.status).toBe(429);
    expect(error.message).toContain('Graph kept throttling POST /users after 3 attempts: lower the concurrency');
    expect(server?.requests).toHaveLength(3);
  });

  it.each([400, 401, 403, 409, 412])('never retries a %i', async (status) => {
    const graph = await clientFor([{ status, body: { error: { code: 'X', message: 'no' } } }]);
    await expect(graph.get('/users')).rejects.toMatchObject({ status });
    expect(server?.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('blanks a password Graph echoes back, and never puts the token in a message', async () => {
    const password = 'Echoed-Pa55word!';
    const graph = await clientFor([{ status: 400, body: { error: { code: 'Request_BadRequest', message: `The password '${password}' is invalid.` } } }]);
    const error = (await graph.post('/users', { passwordProfile: { password } }).catch((caught: unknown) => caught)) as GraphError;
    expect(error.message).toContain("The password '[redacted]' is invalid.");
    expect(`${error.message}${JSON.stringify(error)}${error.stack}`).not.toContain(password);
    expect(`${error.message}${JSON.stringify(error)}${error.stack}`).not.toContain(TOKEN);
  });

  it('sends the bearer token, JSON and its user agent', async () => {
    const graph = await clientFor([{ status: 201, body: { id: '1' } }], { userAgent: 'jitmigrate/test' });
    await graph.post('/users', { displayName: 'x' }, { headers: { 'x-ms-throttle-priority': 'low' } });
    const [request] = server?.requests ?? [];
    expect(request?.url).toBe('/v1.0/users');
    expect(request?.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'jitmigrate/test', 'x-ms-throttle-priority': 'low' });
    expect(JSON.parse(request?.body ?? '')).toEqual({ displayName: 'x' });
  });

  it('encodes query values and keeps the $ of system query options', async () => {
    const graph = await clientFor([ok]);
    await graph.get('/users', { query: { $filter: "identities/any(c:c/issuerAssignedId eq 'o''neil@example.com')", $top: '5' } });
    const url = server?.requests[0]?.url ?? '';
    expect(url).toMatch(/^\/v1\.0\/users\?\$filter=identities%2Fany\(c%3Ac%2FissuerAssignedId%20eq%20/);
    const query = new URL(url, 'http://x').searchParams;
    expect(query.get('$filter')).toBe("identities/any(c:c/issuerAssignedId eq 'o''neil@example.com')");
    expect(query.get('$top')).toBe('5');
  });

  it('keeps a base URL path prefix (proxies)', async () => {
    server = await ScriptedServer.start([ok]);
    const graph = new GraphClient({ baseUrl: `${server.url}/graph-proxy/`, token: staticToken(TOKEN) });
    await graph.get('/users');
    expect(server.requests[0]?.url).toBe('/graph-proxy/v1.0/users');
  });

  it('refuses a nextLink to another host instead of sending it the token', async () => {
    const graph = await clientFor([{ status: 200, body: { value: [{ id: '1' }], '@odata.nextLink': 'https://attacker.example/v1.0/users?$skiptoken=x' } }]);
    const seen: unknown[] = [];
    const listing = (async () => {
      for await (const item of graph.list('/users')) seen.push(item);
    })();
    await expect(listing).rejects.toThrow(/points to another host \(attacker.example\): refusing to send the token there/);
    expect(seen).toEqual([{ id: '1' }]);
  });

  it('times out a request that gets no answer', async () => {
    const graph = await clientFor([{ status: 200, hang: true }], { timeoutMs: 50, maxRetries: 0 });
    await expect(graph.get('/users')).rejects.toMatchObject({ status: 0, message: expect.stringContaining('timed out after 50 ms') });
  });

  it('retries network failures of idempotent requests but not of a POST', async () => {
    server = await ScriptedServer.start([ok]);
    const closedUrl = server.url;
    await server.stop();
    server = undefined;
    const graph = new GraphClient({ baseUrl: closedUrl, token: staticToken(TOKEN), maxRetries: 2, sleep: async (ms) => void waits.push(ms) });
    await expect(graph.get('/users')).rejects.toMatchObject({ status: 0 });
    expect(waits).toHaveLength(2);
    waits = [];
    const error = (await graph.post('/users', {}).catch((caught: unknown) => caught)) as GraphError;
    expect(error.message).toContain('the create may or may not have happened');
    expect(waits).toEqual([]);
  });

  it('answers a non-count body of $count with an error', async () => {
    const graph = await clientFor([{ status: 200, body: 'lots' }]);
    await expect(graph.count('/users')).rejects.toThrow(/something other than a count/);
  });
});

describe('GraphClient configuration', () => {
  it.each(['http://graph.example.com', 'ftp://127.0.0.1', 'https://graph.microsoft.com/?x=1', 'not a url'])('refuses the base URL %s', (baseUrl) => {
    expect(() => new GraphClient({ baseUrl, token: staticToken('t') })).toThrow(TypeError);
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:1', 'http://[::1]:2', 'https://graph.microsoft.us'])('accepts the base URL %s', (baseUrl) => {
    expect(() => new GraphClient({ baseUrl, token: staticToken('t') })).not.toThrow();
  });

  it('refuses absolute request paths and bad retry settings', async () => {
    const graph = new GraphClient({ token: staticToken('t') });
    await expect(graph.request('GET', 'https://graph.microsoft.com/v1.0/users')).rejects.toThrow(TypeError);
    expect(() => new GraphClient({ token: staticToken('t'), maxRetries: -1 })).toThrow(TypeError);
    expect(() => staticToken(' ')).toThrow(/empty/);
  });
});
