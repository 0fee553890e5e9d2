import { GraphEmulator } from '../../test/emulators/graph';
import { localUser } from '../../test/emulators/graph/raw';
import { GraphClient, GraphError, staticToken, type GraphClientOptions } from './client';
import type { User } from './types';

const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-token-value.sig';
const PASSWORD = 'Sup3r-Secret-Pa55word!';

describe('GraphClient against the emulator', () => {
  let emulator: GraphEmulator;
  let waits: number[];
  let flag: string;
  const client = (options: Partial<GraphClientOptions> = {}) =>
    new GraphClient({ baseUrl: emulator.url, token: staticToken(TOKEN), sleep: async (ms) => void waits.push(ms), ...options });

  beforeEach(async () => {
    emulator = await GraphEmulator.start({ token: TOKEN });
    waits = [];
    const b2c = [...emulator.applications.values()][0] as { id: string };
    flag = (await client().post<{ name: string }>(`/applications/${b2c.id}/extensionProperties`, { name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] })).name;
  });
  afterEach(() => emulator.stop());

  it('creates, reads with $select, updates and deletes a user', async () => {
    const graph = client();
    const created = await graph.post<User>('/users', localUser('ada@example.com', { [flag]: true }));
    const id = created.id as string;
    const read = await graph.get<User>(`/users/${id}`, { query: { $select: `id,identities,${flag}` } });
    expect(read.identities?.[0]?.issuerAssignedId).toBe('ada@example.com');
    expect(read[flag]).toBe(true);

    await graph.patch(`/users/${id}`, { [flag]: false });
    expect(emulator.users.get(id)?.[flag]).toBe(false);

    const response = await graph.request('DELETE', `/users/${id}`);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect(await graph.delete(`/users/${id}`, { ignoreNotFound: true })).toBe(false);
    await expect(graph.delete(`/users/${id}`)).rejects.toMatchObject({ status: 404, code: 'Request_ResourceNotFound' });
  });

  it('follows @odata.nextLink through every page', async () => {
    const graph = client();
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await graph.post('/users', localUser(`${name}@example.com`));
    const before = emulator.stats.requests;
    const names: string[] = [];
    for await (const user of graph.list<User>('/users', { query: { $top: '3', $select: 'displayName' } })) names.push(user.displayName as string);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(emulator.stats.requests - before).toBe(3);
  });

  it('counts with ConsistencyLevel: eventual and a $filter', async () => {
    const graph = client();
    await graph.post('/users', localUser('ada@example.com', { [flag]: true }));
    await graph.post('/users', localUser('bob@example.com', { [flag]: true }));
    await graph.post('/users', localUser('cy@example.com'));
    expect(await graph.count('/users')).toBe(3);
    expect(await graph.count('/users', `${flag} eq true`)).toBe(2);
    const filter = "identities/any(c:c/issuerAssignedId eq 'bob@example.com' and c/issuer eq 'emulated.onmicrosoft.com')";
    expect(await graph.count('/users', filter)).toBe(1);
  });

  it('uses the request apiVersion over the default', async () => {
    const graph = client({ apiVersion: 'beta' });
    await graph.post('/users', localUser('ada@example.com'));
    expect((await graph.request('GET', '/users', { apiVersion: 'v1.0' })).status).toBe(200);
  });

  it('retries a 404 right after a create only when asked', async () => {
    emulator.setFaults({ notFoundAfterCreateMs: 120 });
    // Record the back-off but wait only 50 ms of real time, so the replication delay passes quickly.
    const realWait = client({
      sleep: async (ms) => {
        waits.push(ms);
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
    });
    const created = await realWait.post<User>('/users', localUser('ada@example.com'));

    const before = emulator.stats.requests;
    await expect(realWait.get(`/users/${created.id}`)).rejects.toMatchObject({ status: 404 });
    expect(emulator.stats.requests - before).toBe(1);
    expect(waits).toEqual([]);

    const read = await realWait.get<User>(`/users/${created.id}`, { retryNotFound: true });
    expect(read.id).toBe(created.id);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((ms) => ms >= 250 && ms <= 8000)).toBe(true);
  });

  it('gives up on a 404 after notFoundRetries', async () => {
    const graph = client({ notFoundRetries: 2 });
    await expect(graph.get('/users/00000000-0000-0000-0000-000000000000', { retryNotFound: true })).rejects.toMatchObject({ status: 404 });
    expect(waits).toHaveLength(2);
  });

  it('never retries a 400 and explains it with Graph code and request-id, without the body or token', async () => {
    const graph = client();
    await graph.post('/users', localUser('ada@example.com'));
    const before = emulator.stats.requests;
    const error = await graph.post('/users', localUser('ada@example.com', { passwordProfile: { password: PASSWORD } })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphError);
    const graphError = error as GraphError;
    expect(emulator.stats.requests - before).toBe(1);
    expect(waits).toEqual([]);
    expect(graphError).toMatchObject({ status: 400, code: 'Request_BadRequest', method: 'POST', path: '/users', requestId: expect.any(String) });
    expect(graphError.message).toContain('Another object with the same value for property identities already exists.');
    expect(graphError.message).toContain(`request-id ${graphError.requestId}`);
    expectNoSecrets(graphError);
  });

  it('says a refused token (401) is a tenant or credential problem, without echoing it', async () => {
    const error = await new GraphClient({ baseUrl: emulator.url, token: staticToken(`${TOKEN}-wrong`) }).get('/users').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken' });
    expect((error as Error).message).toMatch(/^the Graph token was refused: check the credential's tenant/);
    expectNoSecrets(error as GraphError);
  });

  it('names the permission problem (403) with method and path, never the query', async () => {
    emulator.setPermissions(['User.Read.All']);
    const error = await client().post('/users', localUser('ada@example.com', { passwordProfile: { password: PASSWORD } })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 403, code: 'Authorization_RequestDenied' });
    expect((error as Error).message).toContain("the identity lacks a Graph permission for POST /users (see the README's permission list)");
    expectNoSecrets(error as GraphError);

    const filtered = await client({ maxRetries: 0 })
      .get('/applications', { query: { $filter: "displayName eq 'ada@example.com'" } })
      .catch((caught: unknown) => caught);
    expect((filtered as Error).message).toContain('GET /applications ');
    expect((filtered as Error).message).not.toContain('ada@example.com');
  });

  function expectNoSecrets(error: GraphError): void {
    const everything = `${error.message}\n${error.stack}\n${JSON.stringify(error)}\n${String(error.graphMessage)}`;
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain('secret-token-value');
    expect(everything).not.toContain(PASSWORD);
  }
});
