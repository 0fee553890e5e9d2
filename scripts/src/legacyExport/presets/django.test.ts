import { createHashRegistry, type HashRegistry } from '../../../../function/src/hashing';
import { fixture, readAll, split } from '../../../test/fixtures/exports/fixtures';
import { acceptUser } from '../importer/acceptUser';
import { missingHashReason } from '../reader';

const file = fixture('django-auth_user.csv');
let registry: HashRegistry;
beforeAll(() => {
  registry = createHashRegistry();
});
afterAll(() => registry.close());

describe('django preset (auth_user CSV)', () => {
  it('signs users in by email, falling back to username', async () => {
    const { users } = split(await readAll(file, { preset: 'django' }));
    expect([...users.keys()]).toEqual(['ada@example.org', 'grace@example.org', 'linus@example.org', 'ken', 'dennis@example.org', 'sam@example.org', 'old@example.org']);
    expect(users.get('ada@example.org')).toMatchObject({ givenName: 'Ada', surname: 'Lovelace', displayName: 'Ada Lovelace', email: 'ada@example.org' });
  });

  it('maps is_active = f to disabled', async () => {
    const { users } = split(await readAll(file, { preset: 'django' }));
    expect(users.get('dennis@example.org')?.status).toBe('disabled');
    expect(users.get('ada@example.org')?.status).toBe('active');
  });

  it('recognizes every Django hasher the registry supports and verifies them (hashes from Django make_password)', async () => {
    const { users } = split(await readAll(file, { preset: 'django' }));
    const accounts: [string, string, string][] = [
      ['ada@example.org', 'correct horse', 'django-pbkdf2-sha256'],
      ['grace@example.org', 'pässwörd 密码', 'django-argon2'],
      ['linus@example.org', 'bcrypt-sha256 pw', 'django-bcrypt-sha256'],
      ['ken', 'plain bcrypt', 'django-bcrypt'],
      ['dennis@example.org', 'sha1 legacy', 'django-pbkdf2-sha1'],
    ];
    for (const [username, password, scheme] of accounts) {
      const user = users.get(username)!;
      expect(registry.identify(user.hash!)?.id).toBe(scheme);
      await expect(registry.verify(password, user.hash!)).resolves.toEqual({ scheme, ok: true });
    }
  });

  it('refuses unusable passwords and unsupported hashers with a reason that says what to do', async () => {
    const rows = await readAll(file, { preset: 'django' });
    const { users, refused } = split(rows);
    const social = users.get('sam@example.org')!;
    expect(social.hash).toBeUndefined();
    expect(missingHashReason(social)).toMatch(/^unusable password: Django marks this account as having no password/);
    const old = acceptUser(users.get('old@example.org')!, registry);
    expect(old).toEqual({ ok: false, reason: expect.stringMatching(/^unrecognized hash: a Django-style "sha1\$" hash is in no format the verifier supports/) });
    expect(refused.get(8)).toMatch(/^duplicate username: record 1/);
  });
});
