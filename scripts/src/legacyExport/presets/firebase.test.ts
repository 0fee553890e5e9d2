import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHashRegistry, type HashRegistry } from '../../../../function/src/hashing';
import { FIREBASE_README_CONFIG, fixture, readAll, split } from '../../../test/fixtures/exports/fixtures';
import { FieldError } from '../fields';
import { missingHashReason } from '../reader';
import { parseFirebaseHashConfig } from './firebase';

const json = fixture('firebase-users.json');
const csv = fixture('firebase-users.csv');
let registry: HashRegistry;
beforeAll(() => {
  registry = createHashRegistry();
});
afterAll(() => registry.close());

describe('firebase preset (auth:export)', () => {
  it.each([
    ['JSON', json],
    ['CSV (no header, positional)', csv],
  ])('reads the %s export with the project hash config into firebase-scrypt params', async (_format, file) => {
    const { users, refused } = split(await readAll(file, { preset: 'firebase', firebaseHashConfig: FIREBASE_README_CONFIG }));
    expect([...users.keys()]).toEqual(['user1@example.com', 'zoë@example.com', 'disabled@example.com', 'google-only@example.com']);
    const user1 = users.get('user1@example.com')!;
    expect(user1.params).toEqual({ algorithm: 'firebase-scrypt', salt: '42xEC+ixf3L2lw==', ...FIREBASE_README_CONFIG });
    expect(users.get('disabled@example.com')?.status).toBe('disabled');
    expect(users.get('zoë@example.com')?.displayName).toBe('Zoë "Z" Zed');
    expect(refused.get(5)).toMatch(/^missing username: Firebase users sign in by email/);
  });

  it('gives hashes the registry verifies (firebase/scrypt README vector; hashlib.scrypt + AES-CTR)', async () => {
    const { users } = split(await readAll(json, { preset: 'firebase', firebaseHashConfig: FIREBASE_README_CONFIG }));
    for (const [username, password] of [
      ['user1@example.com', 'user1password'],
      ['zoë@example.com', 'pässwörd 密码'],
      ['disabled@example.com', 'disabled pw'],
    ] as const) {
      const user = users.get(username)!;
      await expect(registry.verify(password, user.hash!, user.params)).resolves.toEqual({ scheme: 'firebase-scrypt', ok: true });
    }
    await expect(registry.verify('user2password', users.get('user1@example.com')!.hash!, users.get('user1@example.com')!.params)).resolves.toMatchObject({ ok: false });
  });

  it('explains provider-only users and a missing project config', async () => {
    const withConfig = split(await readAll(json, { preset: 'firebase', firebaseHashConfig: FIREBASE_README_CONFIG }));
    expect(missingHashReason(withConfig.users.get('google-only@example.com')!)).toMatch(/^missing hash: .*signs in with google\.com only/);
    const without = split(await readAll(json, { preset: 'firebase' }));
    expect(without.users.get('user1@example.com')?.hash).toBeUndefined();
    expect(missingHashReason(without.users.get('user1@example.com')!)).toMatch(/^missing hash parameters: .*--firebase-signer-key/);
  });

  it('uses a hash_config block the export carries (console names), even after the users', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-firebase-'));
    const document = JSON.parse(await fs.readFile(json, 'utf8')) as Record<string, unknown>;
    const withConfig = {
      ...document,
      hash_config: { algorithm: 'SCRYPT', base64_signer_key: FIREBASE_README_CONFIG.signerKey, base64_salt_separator: 'Bw==', rounds: 8, mem_cost: 14 },
    };
    const file = path.join(dir, 'users.json');
    await fs.writeFile(file, JSON.stringify(withConfig, null, 2));
    const { users } = split(await readAll(file, { preset: 'firebase' }));
    const user1 = users.get('user1@example.com')!;
    await expect(registry.verify('user1password', user1.hash!, user1.params)).resolves.toMatchObject({ ok: true });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('validates the hash config, naming the parameter and never its value', () => {
    expect(() => parseFirebaseHashConfig({ ...FIREBASE_README_CONFIG, rounds: 9 }, 'flags')).toThrow(new FieldError('flags: rounds must be a whole number from 1 to 8'));
    expect(() => parseFirebaseHashConfig({ ...FIREBASE_README_CONFIG, signerKey: 'not base64!' }, 'flags')).toThrow(/signer key is not base64/);
    expect(() => parseFirebaseHashConfig({ ...FIREBASE_README_CONFIG, algorithm: 'HMAC_SHA256' }, 'flags')).toThrow(/algorithm must be SCRYPT/);
    expect(parseFirebaseHashConfig({ base64_signer_key: FIREBASE_README_CONFIG.signerKey, base64_salt_separator: 'Bw==', rounds: '8', mem_cost: '14' }, 'block')).toEqual(FIREBASE_README_CONFIG);
  });
});
