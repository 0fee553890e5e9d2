/** The likely cause named when most records are refused: the missing column and the preset that fits. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixture } from '../../../test/fixtures/exports/fixtures';
import { checkPresetFit, describePresetFit } from './presetFit';

describe('checkPresetFit', () => {
  it('finds the preset whose required columns the file has, and each export fits its own preset', async () => {
    expect(await checkPresetFit(fixture('aspnet-identity-users.csv'), { preset: 'django' })).toEqual({
      format: 'csv',
      missing: [{ target: 'hash', sources: ['password'] }],
      fitting: ['aspnet-identity'],
    });
    for (const [file, preset] of [
      ['aspnet-identity-users.csv', 'aspnet-identity'],
      ['django-auth_user.csv', 'django'],
      ['firebase-users.json', 'firebase'],
      ['keycloak-realm.json', 'keycloak'],
      ['generic-users.csv', 'generic'],
      ['generic-users.jsonl', 'generic'],
    ] as const) {
      expect(await checkPresetFit(fixture(file), { preset })).toMatchObject({ missing: [] });
    }
  });

  it('looks where --map says, and names the field to map when no preset fits', async () => {
    expect(await checkPresetFit(fixture('aspnet-identity-users.csv'), { preset: 'django', mapping: { hash: 'PasswordHash' } })).toMatchObject({ missing: [] });

    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-preset-fit-'));
    const file = path.join(dir, 'login.jsonl');
    await fs.writeFile(file, `${JSON.stringify({ login: 'ann@example.com', pw: '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO' })}\n`);
    const fit = await checkPresetFit(file, { preset: 'generic' });
    expect(fit).toEqual({ format: 'json-lines', missing: [{ target: 'username', sources: ['username', 'email'] }, { target: 'hash', sources: ['hash'] }], fitting: [] });
    const cause = describePresetFit(fit!, file, 'generic');
    expect(cause).toBe(`${file} has no field "username" or "email" (username) and "hash" for the generic preset, and no other preset fits it: name the field with --map username=<field>, or export the users again`);
    expect(cause).not.toContain('$2b$'); // the file's values are never quoted
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('gives no cause when the columns fit, and no fit for a file it cannot read', async () => {
    expect(describePresetFit({ format: 'csv', missing: [], fitting: [] }, 'x.csv', 'generic')).toBeUndefined();
    expect(await checkPresetFit(path.join(os.tmpdir(), 'no-such-export.csv'), { preset: 'generic' })).toBeUndefined();
  });
});
