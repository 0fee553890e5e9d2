import { createHashRegistry, type HashRegistry } from '../../../../function/src/hashing';
import { fixture, readAll, split } from '../../../test/fixtures/exports/fixtures';
import { missingHashReason } from '../reader';

const file = fixture('aspnet-identity-users.csv');
let registry: HashRegistry;
beforeAll(() => {
  registry = createHashRegistry();
});
afterAll(() => registry.close());

describe('aspnet-identity preset (AspNetUsers CSV)', () => {
  it('signs users in by Email, falling back to UserName, with PasswordHash as the hash', async () => {
    const { users } = split(await readAll(file, { preset: 'aspnet-identity' }));
    expect([...users.keys()]).toEqual(['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'dave@contoso.com', 'erin@contoso.com', 'frank']);
    expect(users.get('bob@contoso.com')).toMatchObject({ record: 2, email: 'Bob@Contoso.com', status: 'active', mustChangePassword: false });
    expect(registry.identify(users.get('alice@contoso.com')!.hash!)?.id).toBe('aspnet-identity-v3');
    expect(registry.identify(users.get('bob@contoso.com')!.hash!)?.id).toBe('aspnet-identity-v2');
  });

  it('locks users whose LockoutEnd is ahead while lockout is enabled (UserManager.IsLockedOutAsync)', async () => {
    const { users } = split(await readAll(file, { preset: 'aspnet-identity' }));
    expect(users.get('carol@contoso.com')?.status).toBe('active'); // LockoutEnd 2020: over
    expect(users.get('dave@contoso.com')?.status).toBe('locked'); // DateTimeOffset.MaxValue
    expect(users.get('frank')?.status).toBe('active'); // LockoutEnabled 0: Identity ignores LockoutEnd
  });

  it('explains a user without PasswordHash and rejects the second spelling of a username', async () => {
    const rows = await readAll(file, { preset: 'aspnet-identity' });
    const { users, refused } = split(rows);
    expect(users.get('erin@contoso.com')?.hash).toBeUndefined();
    expect(missingHashReason(users.get('erin@contoso.com')!)).toMatch(/^missing hash: PasswordHash is empty.*external login/);
    expect(refused.get(7)).toMatch(/^duplicate username: record 1 has the same username after normalization/);
  });

  it('produces hashes the registry verifies (vectors from aspnetcore tests and hashlib)', async () => {
    const { users } = split(await readAll(file, { preset: 'aspnet-identity' }));
    const accounts: [string, string][] = [
      ['alice@contoso.com', 'password'],
      ['bob@contoso.com', 'my password'],
      ['carol@contoso.com', 'Ωμέγα 密码'],
    ];
    for (const [username, password] of accounts) {
      const user = users.get(username)!;
      await expect(registry.verify(password, user.hash!, user.params)).resolves.toMatchObject({ ok: true });
      await expect(registry.verify(`${password}x`, user.hash!, user.params)).resolves.toMatchObject({ ok: false });
    }
  });

  it('takes --map overrides and profile attributes', async () => {
    const { users } = split(await readAll(file, { preset: 'aspnet-identity', mapping: { username: 'UserName', 'attributes.mobilePhone': 'PhoneNumber' } }));
    expect(users.get('bob')?.attributes).toEqual({ mobilePhone: '+1 425 555 0100' });
    expect(users.get('alice@contoso.com')?.attributes).toEqual({});
  });
});
