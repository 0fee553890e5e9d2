import { createHashRegistry, type HashRegistry } from '../../../../function/src/hashing';
import { fixture, readAll, split } from '../../../test/fixtures/exports/fixtures';
import { acceptUser } from '../importer/acceptUser';
import { missingHashReason } from '../reader';

let registry: HashRegistry;
beforeAll(() => {
  registry = createHashRegistry();
});
afterAll(() => registry.close());

describe.each([
  ['CSV', 'generic-users.csv'],
  ['JSON lines', 'generic-users.jsonl'],
])('generic preset (%s)', (_format, name) => {
  const file = fixture(name);

  it('reads username (or email), hash, params, names, status and mustChangePassword', async () => {
    const { users } = split(await readAll(file, { preset: 'generic' }));
    expect(users.get('gen-bcrypt@example.com')).toMatchObject({ displayName: 'Gen Bcrypt', givenName: 'Gen', surname: 'Bcrypt', status: 'active', mustChangePassword: false });
    expect(users.get('gen-sha512@example.com')?.status).toBe('locked');
    expect(users.get('gen-ssha@example.com')).toMatchObject({ email: 'gen-ssha@example.com', mustChangePassword: true, status: 'active' });
    expect(users.get('gen-phpass')?.status).toBe('disabled');
    expect(users.get('gen-firebase@example.com')?.params).toMatchObject({ algorithm: 'firebase-scrypt', rounds: 4, memCost: 8 });
  });

  it('verifies every recognized hash with its test password', async () => {
    const { users } = split(await readAll(file, { preset: 'generic' }));
    for (const username of ['gen-bcrypt@example.com', 'gen-sha512@example.com', 'gen-ssha@example.com', 'gen-phpass', 'gen-firebase@example.com']) {
      const user = users.get(username)!;
      await expect(registry.verify('password', user.hash!, user.params)).resolves.toMatchObject({ ok: true });
    }
  });

  it('rejects what it must, each with a reason that says what to fix', async () => {
    const rows = await readAll(file, { preset: 'generic' });
    const recordOf = (n: number) => (name.endsWith('.jsonl') ? n + 1 : n); // JSON lines: line 1 is a comment
    const { users, refused } = split(rows);
    expect(acceptUser(users.get('gen-md5@example.com')!, registry)).toEqual({ ok: false, reason: expect.stringMatching(/^unrecognized hash: a bare 32-digit hex value \(unsalted MD5\?\)/) });
    expect(refused.get(recordOf(7))).toBe('invalid field: status must be one of active, disabled, locked');
    expect(refused.get(recordOf(8))).toMatch(/^missing username: the generic preset reads "username", then "email"/);
    expect(refused.get(recordOf(9))).toMatch(new RegExp(`^duplicate username: record ${recordOf(1)} has the same username`));
    expect(missingHashReason(users.get('gen-nohash@example.com')!)).toMatch(/^missing hash: the "hash" field is empty/);
  });
});
