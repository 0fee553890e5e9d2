import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingHashReason, readLegacyExport } from '../reader';
import type { ExportRow } from '../types';

const ID = '5f0c7e2a-3b1d-4c8e-9a7f-2d6e1b4c8a90';
const line = (extra: Record<string, unknown>) =>
  JSON.stringify({ b2cObjectId: ID, classification: 'email', username: 'ada@example.com', email: 'ada@example.com', otherMails: [], accountEnabled: true, status: 'active', ...extra });

async function read(lines: string[]): Promise<ExportRow[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-b2c-preset-'));
  try {
    const file = path.join(dir, 'users.jsonl');
    await fs.writeFile(file, lines.join('\n'));
    const rows: ExportRow[] = [];
    for await (const row of readLegacyExport(file, { preset: 'b2c' })) rows.push(row);
    return rows;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('b2c preset (export-b2c JSON lines)', () => {
  it('keeps the object id, the sign-in kind and the phone; a disabled account stays disabled', async () => {
    const rows = await read([
      line({ displayName: 'Ada', givenName: 'Ada', surname: 'Lovelace', mobilePhone: '+447700900123' }),
      line({ b2cObjectId: ID.toUpperCase().replace('5F0C', '6F0C'), classification: 'username', username: 'grace_h', email: undefined, accountEnabled: false, status: 'disabled' }),
    ]);
    expect(rows[0]).toMatchObject({ ok: true, user: { username: 'ada@example.com', email: 'ada@example.com', displayName: 'Ada', status: 'active', b2c: { objectId: ID, signInType: 'emailAddress', mobilePhone: '+447700900123' } } });
    expect(rows[1]).toMatchObject({ ok: true, user: { username: 'grace_h', status: 'disabled', b2c: { objectId: ID.replace('5f0c', '6f0c'), signInType: 'userName' } } });
    expect(rows[1]?.ok && rows[1].user.email).toBeUndefined();
    // No hash: import-legacy has nothing to store, and says why.
    expect(rows[0]?.ok && missingHashReason(rows[0].user)).toMatch(/B2C exports no password hashes.*provision-users --preset b2c/);
  });

  it.each([
    [{ b2cObjectId: 'not-a-guid' }, 'b2cObjectId must be the B2C user\'s object id (a GUID)'],
    [{ classification: 'social' }, 'classification must be email or username'],
    [{ classification: 'username', username: 'not valid!', email: undefined }, 'External ID usernames are letters, digits, - and _'],
  ])('refuses a line with %j', async (extra, reason) => {
    const [row] = await read([line(extra)]);
    expect(row).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
  });
});
