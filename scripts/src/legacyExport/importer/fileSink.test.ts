import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LegacyUserRecord } from '../../../../function/src/legacy';
import { FileSink } from './fileSink';

const HASH = '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-file-sink-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const user = (n: number, extra: Partial<LegacyUserRecord> = {}): LegacyUserRecord => ({ username: `user${n}@example.com`, hash: HASH, status: 'active', mustChangePassword: false, migrated: false, ...extra });
const batch = (numbers: number[]) => numbers.map((n) => ({ record: n, user: user(n, { status: 'locked' }) }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const usernames = async (file: string) => (await fs.readFile(file, 'utf8')).trimEnd().split('\n').map((line) => (JSON.parse(line) as { username: string }).username);

/** An old users file: users 1-40, every 4th marked migrated, with a comment and a blank line the merge drops. */
async function oldUsersFile(): Promise<string> {
  const file = path.join(dir, 'users.jsonl');
  const lines = range(1, 40).map((n) => JSON.stringify(n % 4 === 0 ? { ...user(n), migrated: true, migratedAt: '2025-01-02T03:04:05.000Z' } : { username: `user${n}@example.com`, hash: HASH }));
  await fs.writeFile(file, ['# exported 2025-01-01', ...lines.slice(0, 20), '', ...lines.slice(20)].join('\n') + '\n');
  return file;
}

describe('FileSink merging into an existing users file', () => {
  it('replaces re-imported users keeping their marks, and carries the others over once, in file order', async () => {
    const file = await oldUsersFile();
    const sink = await FileSink.open(file);
    await sink.write(batch(range(30, 60)));
    await sink.commit();
    await sink.finish();
    await sink.close();

    expect(await usernames(file)).toEqual([...range(30, 60), ...range(1, 29)].map((n) => `user${n}@example.com`));
    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.username === 'user32@example.com')).toMatchObject({ status: 'locked', migrated: true, migratedAt: '2025-01-02T03:04:05.000Z' });
    expect(lines.find((line) => line.username === 'user33@example.com')).toEqual({ username: 'user33@example.com', hash: HASH, status: 'locked', mustChangePassword: false });
    expect(lines.find((line) => line.username === 'user8@example.com')).toMatchObject({ status: 'active', migrated: true });
  });

  it('keeps a superseded mark, both on a re-imported user and on one carried over', async () => {
    const file = path.join(dir, 'users.jsonl');
    const supersededAt = '2026-02-03T04:05:06.000Z';
    await fs.writeFile(file, [user(1, { supersededAt }), user(2, { supersededAt })].map((u) => JSON.stringify(u)).join('\n') + '\n');
    const sink = await FileSink.open(file);
    await sink.write(batch([1]));
    await sink.commit();
    await sink.finish();
    await sink.close();
    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.username, line.supersededAt])).toEqual([
      ['user1@example.com', supersededAt],
      ['user2@example.com', supersededAt],
    ]);
  });

  it('writes the profile flat, and keeps it on a user carried over', async () => {
    const file = path.join(dir, 'users.jsonl');
    await fs.writeFile(file, `${JSON.stringify({ ...user(2), displayName: 'Two', email: 'two@example.com' })}\n`);
    const sink = await FileSink.open(file);
    await sink.write([{ record: 1, user: user(1, { profile: { email: 'one@example.com', displayName: 'One Person', givenName: 'One', surname: 'Person' } }) }]);
    await sink.commit();
    await sink.finish();
    await sink.close();
    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { username: 'user1@example.com', hash: HASH, status: 'active', mustChangePassword: false, email: 'one@example.com', displayName: 'One Person', givenName: 'One', surname: 'Person' },
      { username: 'user2@example.com', hash: HASH, status: 'active', mustChangePassword: false, email: 'two@example.com', displayName: 'Two' },
    ]);
  });

  it('after an interrupted run, does not carry over again the users that run already wrote', async () => {
    const file = await oldUsersFile();
    const first = await FileSink.open(file);
    await first.write(batch(range(1, 10)));
    const { usersFileBytes } = await first.commit();
    await first.write(batch(range(11, 15))); // written but never committed: the resume drops it
    await first.close();

    const resumed = await FileSink.open(file, usersFileBytes);
    await resumed.write(batch(range(11, 45)));
    await resumed.commit();
    await resumed.finish();
    await resumed.close();

    const names = await usernames(file);
    expect(names).toEqual(range(1, 45).map((n) => `user${n}@example.com`));
    const marked = (await fs.readFile(file, 'utf8')).split('\n').filter((line) => line.includes('"migrated":true'));
    expect(marked).toHaveLength(10);
  });

  it('refuses an existing file with invalid lines or a repeated username, naming the lines, and writes nothing', async () => {
    const file = path.join(dir, 'users.jsonl');
    await fs.writeFile(file, [JSON.stringify(user(1)), '{"username":', JSON.stringify(user(2)), JSON.stringify({ ...user(1), username: ' USER1@example.com' })].join('\n'));
    await expect(FileSink.open(file)).rejects.toThrow(/users file .* has 2 invalid lines: line 2: is not valid JSON; line 4: has the same username as line 1/);
    await expect(fs.access(`${file}.importing`)).rejects.toThrow();
  });
});
