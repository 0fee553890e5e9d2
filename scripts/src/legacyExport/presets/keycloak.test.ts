import { readFileSync } from 'node:fs';
import { createHashRegistry, type HashRegistry } from '../../../../function/src/hashing';
import { fixture, readAll, split } from '../../../test/fixtures/exports/fixtures';
import { missingHashReason } from '../reader';
import { convertKeycloakCredential } from './keycloakCredential';

const file = fixture('keycloak-realm.json');
/** What passlib / argon2-cffi make of the same password, salt and cost (generate.py): the conversion's target. */
const expected = JSON.parse(readFileSync(fixture('keycloak-realm.expected.json'), 'utf8')) as Record<string, string>;
let registry: HashRegistry;
beforeAll(() => {
  registry = createHashRegistry();
});
afterAll(() => registry.close());

describe('keycloak preset (realm export)', () => {
  it('reads the users array of a realm export, signing users in by email, falling back to username', async () => {
    const { users, refused } = split(await readAll(file, { preset: 'keycloak' }));
    expect([...users.keys()]).toEqual(['alice@kc.example', 'bob@kc.example', 'carol@kc.example', 'dan@kc.example', 'erin@kc.example', 'kc-frank', 'ldap@kc.example', 'plain@kc.example']);
    expect(users.get('alice@kc.example')).toMatchObject({ givenName: 'Alice', surname: 'Keycloak', displayName: 'Alice Keycloak', status: 'active', mustChangePassword: false });
    expect(users.get('carol@kc.example')?.mustChangePassword).toBe(true); // requiredActions UPDATE_PASSWORD
    expect(users.get('dan@kc.example')?.status).toBe('disabled'); // enabled: false
    expect(refused.get(8)).toMatch(/^not a person: this is the service account of a Keycloak client/);
  });

  it('converts each credential to exactly the string passlib / argon2-cffi produce for it', async () => {
    const { users } = split(await readAll(file, { preset: 'keycloak' }));
    const byKeycloakName: Record<string, string> = {
      'kc-alice': 'alice@kc.example',
      'kc-bob': 'bob@kc.example',
      'kc-carol': 'carol@kc.example',
      'kc-dan': 'dan@kc.example',
      'kc-erin': 'erin@kc.example',
      'kc-frank': 'kc-frank',
    };
    for (const [keycloakName, username] of Object.entries(byKeycloakName)) expect(users.get(username)?.hash).toBe(expected[keycloakName]);
  });

  it('gives hashes the registry verifies, including a short password Keycloak NUL-padded', async () => {
    const { users } = split(await readAll(file, { preset: 'keycloak' }));
    const accounts: [string, string, string][] = [
      ['alice@kc.example', 'kc sha256 password', 'passlib-pbkdf2-sha256'],
      ['bob@kc.example', 'short', 'passlib-pbkdf2-sha256'],
      ['carol@kc.example', 'kc sha512 password', 'passlib-pbkdf2-sha512'],
      ['dan@kc.example', 'kc sha1 password', 'passlib-pbkdf2-sha1'],
      ['erin@kc.example', 'kc argon2 password', 'argon2id'],
      ['kc-frank', 'old format', 'passlib-pbkdf2-sha256'],
    ];
    for (const [username, password, scheme] of accounts) {
      const hash = users.get(username)!.hash!;
      await expect(registry.verify(password, hash)).resolves.toEqual({ scheme, ok: true });
      await expect(registry.verify(`${password}!`, hash)).resolves.toEqual({ scheme, ok: false });
    }
  });

  it('explains users without a usable credential, and never imports a plaintext one', async () => {
    const { users } = split(await readAll(file, { preset: 'keycloak' }));
    expect(missingHashReason(users.get('ldap@kc.example')!)).toMatch(/^missing hash: the password lives in a user federation provider/);
    const plain = users.get('plain@kc.example')!;
    expect(plain.hash).toBeUndefined();
    expect(missingHashReason(plain)).toMatch(/^plaintext password: /);
    expect(missingHashReason(plain)).not.toContain('Plaintext!1');
  });

  it('refuses what it cannot convert, saying why', () => {
    const credential = (algorithm: string, value: string) => ({
      type: 'password',
      secretData: JSON.stringify({ value, salt: 'AAAAAAAAAAAAAAAAAAAAAA==' }),
      credentialData: JSON.stringify({ hashIterations: 27500, algorithm }),
    });
    expect(convertKeycloakCredential(credential('md5', 'abcd'))).toEqual({ problem: expect.stringMatching(/^unsupported hash: Keycloak hash algorithm 'md5'/) });
    expect(convertKeycloakCredential(credential('pbkdf2-sha512', 'AAAA'))).toEqual({ problem: expect.stringMatching(/^unsupported hash: a pbkdf2-sha512 key shorter than its digest/) });
    expect(convertKeycloakCredential(credential('bcrypt', '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO'))).toEqual({ hash: '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO' });
    expect(convertKeycloakCredential({ type: 'password', secretData: '{not json', credentialData: '{}' })).toEqual({ problem: expect.stringMatching(/^invalid credential: secretData/) });
  });
});
