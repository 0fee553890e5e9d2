import { GraphEmulator } from './index';
import { localUser, rawGraph } from './raw';

describe('Graph emulator: users', () => {
  let emulator: GraphEmulator;
  let call: ReturnType<typeof rawGraph>;
  let flag: string;

  beforeEach(async () => {
    emulator = await GraphEmulator.start({ token: 'test-token' });
    call = rawGraph(emulator.url);
    const [b2c] = [...emulator.applications.values()];
    const created = await call('POST', `/applications/${b2c?.id}/extensionProperties`, { body: { name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] } });
    flag = created.body.name;
  });
  afterEach(() => emulator.stop());

  it('refuses a missing or wrong bearer token with a Graph error body', async () => {
    const missing = await call('GET', '/users', { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    expect(missing.body.error.innerError).toEqual(expect.objectContaining({ 'request-id': expect.any(String), date: expect.any(String) }));
    expect((await call('GET', '/users', { token: 'other' })).status).toBe(401);
  });

  it('creates a local account, adds the userPrincipalName identity and never returns the password', async () => {
    const created = await call('POST', '/users', { body: localUser('Ada@Example.com', { [flag]: true }) });
    expect(created.status).toBe(201);
    expect(created.body.passwordProfile).toBeNull();
    expect(created.body.creationType).toBe('LocalAccount');
    const stored = emulator.users.get(created.body.id);
    expect(stored?.identities).toEqual([
      { signInType: 'emailAddress', issuer: 'emulated.onmicrosoft.com', issuerAssignedId: 'Ada@Example.com' },
      { signInType: 'userPrincipalName', issuer: 'emulated.onmicrosoft.com', issuerAssignedId: `${created.body.id}@emulated.onmicrosoft.com` },
    ]);
    expect(stored?.[flag]).toBe(true);
  });

  it.each([
    ['no displayName', { displayName: undefined }, "A value is required for property 'displayName' of resource 'User'."],
    ['no accountEnabled', { accountEnabled: undefined }, "A value is required for property 'accountEnabled' of resource 'User'."],
    ['no passwordProfile', { passwordProfile: undefined }, "A value is required for property 'passwordProfile' of resource 'User'."],
    ['a weak password', { passwordProfile: { password: 'password' } }, 'does not comply with password complexity requirements'],
    ['an unknown property', { favouriteColour: 'blue' }, "Property 'favouriteColour' does not exist as a declared property or extension property."],
    ['an unregistered extension attribute', { extension_00000000000000000000000000000000_x: true }, 'does not exist as a declared property or extension property'],
    ['an emailAddress identity that is not an email', { identities: [{ signInType: 'emailAddress', issuer: 'emulated.onmicrosoft.com', issuerAssignedId: 'ada' }] }, 'valid email address'],
    ['an identity without issuer', { identities: [{ signInType: 'emailAddress', issuerAssignedId: 'a@b.co' }] }, "property 'issuer'"],
    ['neither identities nor userPrincipalName', { identities: undefined }, "property 'userPrincipalName'"],
    ['a string for a Boolean attribute', { FLAG: 'true' }, 'expected Boolean'],
  ])('refuses a user with %s (400)', async (_label, change, message) => {
    const body: Record<string, unknown> = localUser('ada@example.com');
    for (const [name, value] of Object.entries(change)) {
      if (name === 'FLAG') body[flag] = value;
      else if (value === undefined) delete body[name];
      else body[name] = value;
    }
    const response = await call('POST', '/users', { body });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('Request_BadRequest');
    expect(response.body.error.message).toContain(message);
    expect(emulator.users.size).toBe(0);
  });

  it('refuses a second user with the same sign-in name, ignoring case', async () => {
    expect((await call('POST', '/users', { body: localUser('ada@example.com') })).status).toBe(201);
    const duplicate = await call('POST', '/users', { body: localUser('ADA@example.com') });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error).toMatchObject({ code: 'Request_BadRequest', message: 'Another object with the same value for property identities already exists.' });
  });

  it('returns the default properties unless $select names identities or extension attributes', async () => {
    const { body: user } = await call('POST', '/users', { body: localUser('ada@example.com', { [flag]: true }) });
    const plain = await call('GET', `/users/${user.id}`);
    expect(plain.body).toEqual(expect.objectContaining({ id: user.id, displayName: 'ada' }));
    expect(plain.body.identities).toBeUndefined();
    expect(plain.body[flag]).toBeUndefined();
    const selected = await call('GET', `/users/${user.id}?$select=id,identities,${flag}`);
    expect(Object.keys(selected.body).sort()).toEqual([flag, 'id', 'identities'].sort());
    expect((await call('GET', `/users/${user.id}?$select=nonsense`)).status).toBe(400);
    expect((await call('GET', `/users/${encodeURIComponent(user.userPrincipalName)}`)).body.id).toBe(user.id);
  });

  it('filters on identities (issuer and issuerAssignedId both required) and on extension attributes', async () => {
    await call('POST', '/users', { body: localUser('ada@example.com', { [flag]: true }) });
    await call('POST', '/users', { body: localUser('bob@example.com', { [flag]: false }) });
    await call('POST', '/users', { body: localUser('cy@example.com') });
    const find = (filter: string) => call('GET', `/users?$select=displayName&$filter=${encodeURIComponent(filter)}`);

    const byIdentity = await find("identities/any(c:c/issuerAssignedId eq 'ADA@example.com' and c/issuer eq 'emulated.onmicrosoft.com')");
    expect(byIdentity.body.value).toEqual([{ displayName: 'ada' }]);
    // For emailAddress identities Graph ignores the issuer value (objectIdentity, "Filtering").
    expect((await find("identities/any(c:c/issuerAssignedId eq 'ada@example.com' and c/issuer eq 'other.example')")).body.value).toHaveLength(1);
    const idOnly = await find("identities/any(c:c/issuerAssignedId eq 'ada@example.com')");
    expect(idOnly.status).toBe(400);
    expect(idOnly.body.error.code).toBe('Request_UnsupportedQuery');

    expect((await find(`${flag} eq true`)).body.value).toEqual([{ displayName: 'ada' }]);
    // Users that never had the attribute are null, not false.
    expect((await find(`${flag} eq false`)).body.value).toEqual([{ displayName: 'bob' }]);
    expect((await find('passwordProfile eq null')).status).toBe(400);
    expect((await find("displayName eq 'ada' or")).status).toBe(400);
    const notEqual = await find(`${flag} ne true`);
    expect(notEqual.body.error.code).toBe('Request_UnsupportedQuery');
  });

  it('pages with $top and an @odata.nextLink that keeps the query', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await call('POST', '/users', { body: localUser(`${name}@example.com`) });
    const first = await call('GET', '/users?$top=2&$select=displayName');
    expect(first.body.value).toHaveLength(2);
    const next = new URL(first.body['@odata.nextLink']);
    expect(next.origin).toBe(emulator.url);
    expect(next.searchParams.get('$select')).toBe('displayName');
    const seen = [...first.body.value];
    let link: string | undefined = first.body['@odata.nextLink'];
    while (link) {
      const page = await call('GET', link.slice(`${emulator.url}/v1.0`.length));
      seen.push(...page.body.value);
      link = page.body['@odata.nextLink'];
    }
    expect(seen.map((user) => user.displayName)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect((await call('GET', '/users?$top=1000')).status).toBe(400);
  });

  it('counts only as an advanced query (ConsistencyLevel: eventual), as text/plain', async () => {
    await call('POST', '/users', { body: localUser('ada@example.com', { [flag]: true }) });
    await call('POST', '/users', { body: localUser('bob@example.com') });
    const refused = await call('GET', '/users/$count');
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe('$count is not currently supported.');
    const counted = await call('GET', `/users/$count?$filter=${encodeURIComponent(`${flag} eq true`)}`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(counted.status).toBe(200);
    expect(counted.headers.get('content-type')).toContain('text/plain');
    expect(counted.body).toBe('1');
    const listed = await call('GET', '/users?$count=true', { headers: { ConsistencyLevel: 'eventual' } });
    expect(listed.body['@odata.count']).toBe(2);
    expect((await call('GET', '/users?$count=true')).body['@odata.count']).toBeUndefined();
  });

  it('updates extension attributes and the password, and deletes', async () => {
    const { body: user } = await call('POST', '/users', { body: localUser('ada@example.com', { [flag]: true }) });
    expect((await call('PATCH', `/users/${user.id}`, { body: { [flag]: false, passwordProfile: { password: 'An0ther-l0ng-one!', forceChangePasswordNextSignIn: false } } })).status).toBe(204);
    expect(emulator.users.get(user.id)?.[flag]).toBe(false);
    expect((await call('PATCH', `/users/${user.id}`, { body: { [flag]: null } })).status).toBe(204);
    expect(emulator.users.get(user.id)?.[flag]).toBeUndefined();
    expect((await call('PATCH', `/users/${user.id}`, { body: { passwordProfile: { password: 'weak' } } })).status).toBe(400);
    expect((await call('DELETE', `/users/${user.id}`)).status).toBe(204);
    const gone = await call('GET', `/users/${user.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('Request_ResourceNotFound');
  });

  it('refuses malformed requests: bad JSON, no Content-Type, unknown version, path or method', async () => {
    const badJson = await call('POST', '/users', { rawBody: '{"displayName":', headers: { 'Content-Type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.message).toContain('Unable to read JSON request payload');
    expect((await call('POST', '/users', { rawBody: JSON.stringify(localUser('a@b.co')), headers: { 'Content-Type': 'text/plain' } })).status).toBe(400);
    const version = await fetch(`${emulator.url}/v2.0/users`, { headers: { Authorization: 'Bearer test-token' } });
    expect(version.status).toBe(400);
    expect((await call('GET', '/groups')).status).toBe(400);
    expect((await call('PUT', '/users')).status).toBe(405);
    expect((await call('POST', '/users', { body: [] })).status).toBe(400);
  });

  it('serves v1.0 and beta from one store', async () => {
    const { body: user } = await call('POST', '/users', { body: localUser('ada@example.com'), version: 'beta' });
    expect((await call('GET', `/users/${user.id}`, { version: 'v1.0' })).status).toBe(200);
  });

  it('answers 403 Authorization_RequestDenied when the token lacks the permission', async () => {
    emulator.setPermissions(['User.Read.All']);
    expect((await call('GET', '/users')).status).toBe(200);
    const denied = await call('POST', '/users', { body: localUser('ada@example.com') });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('Authorization_RequestDenied');
  });

  it('hides a just-created user from GET by id for the replication delay', async () => {
    emulator.setFaults({ notFoundAfterCreateMs: 80 });
    const { body: user } = await call('POST', '/users', { body: localUser('ada@example.com') });
    expect((await call('GET', `/users/${user.id}`)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await call('GET', `/users/${user.id}`)).status).toBe(200);
  });

  it('injects 503s with Retry-After 1, reproducibly for a seed', async () => {
    const pattern = async () => {
      emulator.setFaults({ serverErrorRate: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await call('GET', '/users')).status);
      return statuses;
    };
    const first = await pattern();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
    const failed = await call('GET', '/users');
    if (failed.status === 503) expect(failed.headers.get('retry-after')).toBe('1');
    expect(emulator.stats.serverErrors).toBeGreaterThan(0);
  });
});
