import { GraphEmulator } from './index';
import { localUser, rawGraph } from './raw';

describe('Graph emulator: B2C mode (platform b2c)', () => {
  let emulator: GraphEmulator;
  let call: ReturnType<typeof rawGraph>;
  let flag: string;

  beforeEach(async () => {
    emulator = await GraphEmulator.start({ token: 'test-token', platform: 'b2c' });
    call = rawGraph(emulator.url);
    const [b2c] = [...emulator.applications.values()];
    const created = await call('POST', `/applications/${b2c?.id}/extensionProperties`, { body: { name: 'requiresMigration', dataType: 'Boolean', targetObjects: ['User'] } });
    flag = created.body.name;
    expect((await call('POST', '/users', { body: localUser('ada@example.com', { [flag]: true }) })).status).toBe(201);
  });
  afterEach(() => emulator.stop());

  it.each<[string, string, Record<string, string>, string]>([
    ['/users/$count', '/users/$count', {}, '$count is not currently supported.'],
    ['/users/$count with ConsistencyLevel', `/users/$count?$filter=${encodeURIComponent('id ne null')}`, { ConsistencyLevel: 'eventual' }, 'This request is not supported by the service'],
    ['a list with ConsistencyLevel', '/users?$top=5', { ConsistencyLevel: 'eventual' }, 'This request is not supported by the service'],
    ['$count=true', '/users?$count=true', {}, 'This request is not supported by the service'],
    ['$search', `/users?$search=${encodeURIComponent('"displayName:ada"')}`, {}, 'This request is not supported by the service'],
  ])('refuses %s with 400 Request_BadRequest', async (_label, path, headers, message) => {
    const answer = await call('GET', path, { headers });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('Request_BadRequest');
    expect(answer.body.error.message).toContain(message);
  });

  it('refuses the same inside $batch', async () => {
    const answer = await call('POST', '/$batch', { body: { requests: [{ id: '1', method: 'GET', url: '/users/$count', headers: { ConsistencyLevel: 'eventual' } }] } });
    expect(answer.status).toBe(200);
    expect(answer.body.responses[0]).toMatchObject({ id: '1', status: 400, body: { error: { code: 'Request_BadRequest' } } });
  });

  it('answers the basic queries B2C supports: paging with $select and $top, a flag filter, an identities filter', async () => {
    const page = await call('GET', `/users?$select=${encodeURIComponent(`id,identities,${flag}`)}&$top=999`);
    expect(page.status).toBe(200);
    expect(page.body.value).toEqual([expect.objectContaining({ [flag]: true, identities: expect.any(Array) })]);
    expect((await call('GET', `/users?$filter=${encodeURIComponent(`${flag} eq true`)}`)).body.value).toHaveLength(1);
    const identity = `identities/any(c:c/issuerAssignedId eq 'ada@example.com' and c/issuer eq 'emulated.onmicrosoft.com')`;
    expect((await call('GET', `/users?$filter=${encodeURIComponent(identity)}`)).body.value).toHaveLength(1);
  });

  it('an External ID emulator still answers $count', async () => {
    const externalId = await GraphEmulator.start({ token: 'test-token' });
    try {
      const answer = await rawGraph(externalId.url)('GET', '/users/$count', { headers: { ConsistencyLevel: 'eventual' } });
      expect(answer).toMatchObject({ status: 200, body: '0' });
    } finally {
      await externalId.stop();
    }
  });
});
