import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readAll, split } from '../../test/fixtures/exports/fixtures';
import { ExportOptionsError, readLegacyExport } from './reader';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-reader-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await fs.writeFile(p, text);
  return p;
}

const BCRYPT = '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO';

describe('readLegacyExport', () => {
  it('normalizes usernames (trim, NFKC, e-mail lower-cased) and keeps other names as they are', async () => {
    const p = await file('names.jsonl', [{ username: '  Ａlice@Example.COM ', hash: BCRYPT }, { username: 'CaseSensitive', hash: BCRYPT }].map((r) => JSON.stringify(r)).join('\n'));
    const { users } = split(await readAll(p, { preset: 'generic' }));
    expect([...users.keys()]).toEqual(['alice@example.com', 'CaseSensitive']);
  });

  it('rejects invalid usernames and the second occurrence of a duplicate, naming the first record', async () => {
    const p = await file(
      'dups.csv',
      ['username,hash', `alice@example.com,${BCRYPT}`, `bad\u0007name,${BCRYPT}`, `ALICE@example.com ,${BCRYPT}`, `${'x'.repeat(257)},${BCRYPT}`].join('\n'),
    );
    const rows = await readAll(p, { preset: 'generic' });
    expect(rows.map((r) => (r.ok ? r.user.username : r.reason.split(':')[0]))).toEqual(['alice@example.com', 'invalid username', 'duplicate username', 'invalid username']);
    expect(rows[2]).toEqual({
      ok: false,
      record: 3,
      username: 'alice@example.com',
      reason: 'duplicate username: record 1 has the same username after normalization (trimmed, NFKC, e-mail addresses lower-cased); record 1 was kept, merge the two accounts or remove this one',
    });
  });

  it('applies --map: other columns, fallbacks, common-field overrides and profile attributes', async () => {
    const p = await file(
      'mapped.csv',
      ['login;mail;pw;state;phone;tier', `jdoe;;${BCRYPT};disabled;+1 555 0100;3`, `;jane@example.com;${BCRYPT};active;;`].join('\n'),
    );
    const rows = await readAll(p, {
      preset: 'generic',
      mapping: { username: 'login|mail', email: 'mail', hash: 'pw', status: 'state', 'attributes.mobilePhone': 'phone', 'attributes.tier': 'tier' },
    });
    const { users } = split(rows);
    expect(users.get('jdoe')).toEqual({ record: 1, username: 'jdoe', hash: BCRYPT, status: 'disabled', mustChangePassword: false, attributes: { mobilePhone: '+1 555 0100', tier: '3' } });
    expect(users.get('jane@example.com')).toMatchObject({ email: 'jane@example.com', status: 'active', attributes: {} });
  });

  it('lets a --map of a common field override the preset logic', async () => {
    const p = await file(
      'aspnet-identity2.csv',
      ['Id,UserName,Email,PasswordHash,LockoutEndDateUtc,LockoutEnabled,Blocked', `1,u1,u1@example.com,${BCRYPT},2999-01-01 00:00:00,True,no`, `2,u2,u2@example.com,${BCRYPT},,False,yes`].join('\n'),
    );
    const plain = split(await readAll(p, { preset: 'aspnet-identity' })).users;
    expect(plain.get('u1@example.com')?.status).toBe('locked'); // Identity 2's LockoutEndDateUtc
    expect(plain.get('u2@example.com')?.status).toBe('active');
    const mapped = split(await readAll(p, { preset: 'aspnet-identity', mapping: { mustChangePassword: 'Blocked' } })).users;
    expect(mapped.get('u2@example.com')?.mustChangePassword).toBe(true);
  });

  it('refuses options that cannot work, before reading anything', () => {
    expect(() => readLegacyExport('/nonexistent', { preset: 'generic', mapping: { nmae: 'x' } })).toThrow(ExportOptionsError);
    expect(() => readLegacyExport('/nonexistent', { preset: 'generic', mapping: { nmae: 'x' } })).toThrow(/--map nmae=…: unknown target for the generic preset; use one of username, email/);
    expect(() => readLegacyExport('/nonexistent', { preset: 'django', mapping: { isActive: '' } })).toThrow(/needs a source column/);
    expect(() => readLegacyExport('/nonexistent', { preset: 'firebase', firebaseHashConfig: { signerKey: '', saltSeparator: 'Bw==', rounds: 8, memCost: 14 } })).toThrow(/signer key is missing/);
    expect(() => readLegacyExport('/nonexistent', { preset: 'ldap' as never })).toThrow(/unknown preset "ldap"/);
  });

  it('says when the preset does not read the file format', async () => {
    const p = await file('kc.csv', 'username,credentials\nx,y\n');
    await expect(readAll(p, { preset: 'keycloak' })).rejects.toThrow(/the keycloak preset reads json-document or json-lines, but .* looks like csv/);
  });

  it('reports a date it cannot read as an invalid field, without the value', async () => {
    const p = await file('dates.csv', ['UserName,Email,PasswordHash,LockoutEnd', `u,u@example.com,${BCRYPT},next tuesday`].join('\n'));
    const [row] = await readAll(p, { preset: 'aspnet-identity' });
    expect(row).toEqual({ ok: false, record: 1, reason: expect.stringMatching(/^invalid field: LockoutEnd must be a date-time such as/) });
    expect(JSON.stringify(row)).not.toContain('tuesday');
  });
});
