import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileUserRepository, parseUserLine, UsersFileError } from './fileRepository';
import { MAX_LINE_BYTES } from './usersFile';
import { LegacySystemError } from './port';

const HASH = '$2b$04$0123456789abcdefghijkuQ0c8Jm2v6yO0sH8h3k2x7Yb6Qe1Vw3G';
let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-file-repo-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function writeUsers(lines: string[], eol = '\n'): Promise<string> {
  const file = path.join(dir, 'users.jsonl');
  await fs.writeFile(file, lines.join(eol) + eol);
  return file;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}

async function loadError(file: string): Promise<UsersFileError> {
  try {
    await FileUserRepository.load(file);
  } catch (error) {
    expect(error).toBeInstanceOf(UsersFileError);
    return error as UsersFileError;
  }
  throw new Error('expected load to fail');
}

describe('parseUserLine', () => {
  it('skips blank and comment lines', () => {
    expect(parseUserLine('', 1)).toBeUndefined();
    expect(parseUserLine('   ', 2)).toBeUndefined();
    expect(parseUserLine('# exported 2024-05-01', 3)).toBeUndefined();
  });

  it('parses a record and normalizes its username', () => {
    expect(parseUserLine(`{"username":" Alice@Contoso.com","hash":"${HASH}"}`, 1)).toEqual({
      username: 'alice@contoso.com',
      hash: HASH,
      status: 'active',
      mustChangePassword: false,
      migrated: false,
    });
  });

  it('names the line and never echoes the line, even for broken JSON', () => {
    expect(() => parseUserLine(`{"username":"a","hash":"${HASH}"`, 7)).toThrow(new UsersFileError('users file line 7: is not valid JSON', []));
    try {
      parseUserLine(`{"username":"a","hash":"${HASH}","status":"gone"}`, 8);
    } catch (error) {
      expect((error as Error).message).toBe('users file line 8: "status" must be one of active, disabled, locked');
      expect((error as UsersFileError).problems).toEqual([{ line: 8, problem: '"status" must be one of active, disabled, locked' }]);
    }
    expect.assertions(3);
  });
});

describe('FileUserRepository', () => {
  it('loads users, skipping comments and blank lines, and finds them by normalized username', async () => {
    const file = await writeUsers([
      '# legacy export',
      `{"username":"alice@contoso.com","hash":"${HASH}"}`,
      '',
      `{"username":"Bob@Contoso.com","hash":"${HASH}","status":"disabled","mustChangePassword":true,"params":{"cost":4}}`,
    ]);
    const repo = await FileUserRepository.load(file);
    expect(repo.kind).toBe('file');
    expect(repo.size).toBe(2);
    expect(await repo.findByUsername('bob@contoso.com')).toEqual({
      username: 'bob@contoso.com',
      hash: HASH,
      params: { cost: 4 },
      status: 'disabled',
      mustChangePassword: true,
      migrated: false,
    });
    expect(await repo.findByUsername('Bob@Contoso.com')).toBeUndefined(); // callers pass normalized names
    expect(await repo.findByUsername('nobody@contoso.com')).toBeUndefined();
    expect((await all(repo.records())).map((r) => r.username)).toEqual(['alice@contoso.com', 'bob@contoso.com']);
  });

  it('reads CRLF files and a UTF-8 byte order mark', async () => {
    const file = path.join(dir, 'users.jsonl');
    await fs.writeFile(file, `\uFEFF{"username":"a@x.com","hash":"${HASH}"}\r\n{"username":"b@x.com","hash":"${HASH}"}\r\n`);
    const repo = await FileUserRepository.load(file);
    expect(repo.size).toBe(2);
    await repo.markMigrated('b@x.com', new Date('2024-01-02T03:04:05.000Z'));
    const text = await fs.readFile(file, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(3);
  });

  it('reports every invalid line with its number, without values', async () => {
    const file = await writeUsers([
      `{"username":"a@x.com","hash":"${HASH}"}`,
      `{"username":"b@x.com","hash":"${HASH}",}`,
      `{"username":"c@x.com"}`,
      `["${HASH}"]`,
      `{"username":"A@X.com","hash":"${HASH}"}`,
    ]);
    const error = await loadError(file);
    expect(error.problems.map((p) => p.line)).toEqual([2, 3, 4, 5]);
    expect(error.message).toContain('has 4 invalid lines');
    expect(error.message).toContain('line 2: is not valid JSON');
    expect(error.message).toContain('line 3: "hash" must be a non-empty string');
    expect(error.message).toContain('line 5: has the same username as line 1');
    expect(error.message).not.toContain(HASH);
    expect(error.message).not.toContain('c@x.com');
  });

  it('lists at most 20 problems and counts the rest', async () => {
    const file = await writeUsers(Array.from({ length: 25 }, () => 'nope'));
    const error = await loadError(file);
    expect(error.problems).toHaveLength(25);
    expect(error.message).toContain('line 20: is not valid JSON; and 5 more');
    expect(error.message).not.toContain('line 21');
  });

  it('explains a missing file', async () => {
    const error = await loadError(path.join(dir, 'missing.jsonl'));
    expect(error.message).toMatch(/could not be read \(ENOENT\)/);
  });

  it('reads the profile fields, and keeps them on a line that a mark rewrites', async () => {
    const profile = { email: 'bob@contoso.com', displayName: 'Bob Jones', givenName: 'Bob', surname: 'Jones' };
    const file = await writeUsers([
      `{"username":"bob","hash":"${HASH}","email":"Bob@Contoso.com","displayName":"Bob Jones","givenName":"Bob","surname":"Jones"}`,
      `{"username":"carol@contoso.com","hash":"${HASH}","displayName":"","givenName":"Carol"}`,
    ]);
    const repo = await FileUserRepository.load(file);
    expect(await repo.findByUsername('bob')).toMatchObject({ profile });
    expect((await repo.findByUsername('carol@contoso.com'))?.profile).toEqual({ givenName: 'Carol' });

    await repo.markMigrated('bob', new Date('2024-01-02T03:04:05.000Z'));
    await repo.markSuperseded('carol@contoso.com', new Date('2024-01-03T03:04:05.000Z'));
    repo.close();
    const reloaded = await FileUserRepository.load(file);
    expect(await reloaded.findByUsername('bob')).toMatchObject({ migrated: true, profile });
    expect(await reloaded.findByUsername('carol@contoso.com')).toMatchObject({ supersededAt: '2024-01-03T03:04:05.000Z', profile: { givenName: 'Carol' } });
    const [bobLine] = (await fs.readFile(file, 'utf8')).split('\n');
    // As written: the email keeps its spelling, only the marks are added.
    expect(JSON.parse(bobLine!)).toMatchObject({ email: 'Bob@Contoso.com', displayName: 'Bob Jones', givenName: 'Bob', surname: 'Jones', migrated: true });
    reloaded.close();
  });

  it('refuses a line with an invalid profile field, naming the line and the field', async () => {
    const file = await writeUsers([`{"username":"bob","hash":"${HASH}","email":"not an address"}`, `{"username":"carol","hash":"${HASH}","surname":"${'x'.repeat(65)}"}`]);
    const error = await loadError(file);
    expect(error.problems).toEqual([
      { line: 1, problem: '"email" must be an email address (name@domain)' },
      { line: 2, problem: '"surname" must be at most 64 characters without control characters' },
    ]);
    expect(error.message).not.toContain('not an address');
  });

  it('marks users migrated in memory and in the file, changing only that line', async () => {
    const lines = [
      '# keep me',
      `{"username":"Alice@Contoso.com","hash":"${HASH}","status":"active"}`,
      `{"username":"bob@contoso.com","hash":"${HASH}"}`,
    ];
    const file = await writeUsers(lines);
    const repo = await FileUserRepository.load(file);
    const at = new Date('2024-06-01T12:00:00.000Z');
    await repo.markMigrated('alice@contoso.com', at);

    expect(await repo.findByUsername('alice@contoso.com')).toMatchObject({ migrated: true, migratedAt: at.toISOString() });
    const written = (await fs.readFile(file, 'utf8')).split('\n');
    expect(written[0]).toBe(lines[0]);
    // The original spelling and field order are kept; only the migration fields are added.
    expect(written[1]).toBe(`{"username":"Alice@Contoso.com","hash":"${HASH}","status":"active","migrated":true,"migratedAt":"2024-06-01T12:00:00.000Z"}`);
    expect(written[2]).toBe(lines[2]);
    expect(written[3]).toBe('');

    await repo.markMigrated('alice@contoso.com', at); // idempotent
    expect((await fs.readFile(file, 'utf8')).split('\n')[1]).toBe(written[1]);
    const reloaded = await FileUserRepository.load(file);
    expect(await reloaded.findByUsername('alice@contoso.com')).toMatchObject({ migrated: true, migratedAt: at.toISOString() });
    expect(await fs.readdir(dir)).toEqual(['users.jsonl']); // no temporary files left behind
  });

  it('loses no mark when many are made at once', async () => {
    const users = Array.from({ length: 60 }, (_, i) => `user${i}@contoso.com`);
    const file = await writeUsers(users.map((u) => JSON.stringify({ username: u, hash: HASH })));
    const repo = await FileUserRepository.load(file);
    const at = new Date('2024-06-01T12:00:00.000Z');
    await Promise.all(users.map((u) => repo.markMigrated(u, at)));
    const reloaded = await FileUserRepository.load(file);
    expect((await all(reloaded.records())).every((r) => r.migrated && r.migratedAt === at.toISOString())).toBe(true);
    expect(await fs.readdir(dir)).toEqual(['users.jsonl']);
  });

  it('finds users after marks changed the length of lines before theirs, and writes later marks in the right place', async () => {
    const users = ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com'];
    const file = await writeUsers(['# header', ...users.map((u) => JSON.stringify({ username: u, hash: HASH })), '']);
    const repo = await FileUserRepository.load(file);
    await repo.markMigrated('b@x.com', new Date('2024-06-01T00:00:00.000Z')); // b's line grows: c and d move
    expect(await repo.findByUsername('d@x.com')).toMatchObject({ username: 'd@x.com', migrated: false });
    await repo.markSuperseded('c@x.com', new Date('2024-06-02T00:00:00.000Z'));
    await repo.markMigrated('a@x.com', new Date('2024-06-03T00:00:00.000Z'));
    expect(await repo.findByUsername('c@x.com')).toMatchObject({ migrated: false, supersededAt: '2024-06-02T00:00:00.000Z' });
    expect(await repo.findByUsername('d@x.com')).toMatchObject({ migrated: false });
    const written = (await fs.readFile(file, 'utf8')).split('\n');
    expect(written[0]).toBe('# header');
    expect(written.slice(1, 5).map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      { username: 'a@x.com', hash: HASH, migrated: true, migratedAt: '2024-06-03T00:00:00.000Z' },
      { username: 'b@x.com', hash: HASH, migrated: true, migratedAt: '2024-06-01T00:00:00.000Z' },
      { username: 'c@x.com', hash: HASH, supersededAt: '2024-06-02T00:00:00.000Z' },
      { username: 'd@x.com', hash: HASH },
    ]);
    expect((await all((await FileUserRepository.load(file)).records())).map((r) => r.migrated)).toEqual([true, true, false, false]);
    repo.close();
  });

  it('serves the file as loaded when it is replaced on disk, as a copy in memory would', async () => {
    const file = await writeUsers([`{"username":"a@x.com","hash":"${HASH}"}`]);
    const repo = await FileUserRepository.load(file);
    const other = path.join(dir, 'other.jsonl');
    await fs.writeFile(other, `{"username":"zed@x.com","hash":"${HASH}"}\n`);
    await fs.rename(other, file);
    expect(await repo.findByUsername('a@x.com')).toMatchObject({ username: 'a@x.com' });
    expect(await repo.findByUsername('zed@x.com')).toBeUndefined();
    repo.close();
  });

  it('says why a file cannot be read, never "unknown error"', async () => {
    expect((await loadError(dir)).message).toBe(`users file ${dir} could not be read (EISDIR): it is a folder, not a file: pass the users file itself`);
    expect((await loadError(path.join(dir, 'missing.jsonl'))).message).toBe(`users file ${path.join(dir, 'missing.jsonl')} could not be read (ENOENT): it does not exist: check the path`);
    const underFile = path.join(await writeUsers([]), 'users.jsonl');
    expect((await loadError(underFile)).message).toContain('could not be read (ENOTDIR): part of its path is a file, not a folder');
  });

  it('names a line too long to be a record without holding it, and goes on to the next', async () => {
    const file = path.join(dir, 'users.jsonl');
    const long = 'x'.repeat(MAX_LINE_BYTES + 10);
    await fs.writeFile(file, `{"username":"a@x.com","hash":"${HASH}"}\n${long}\n{"username":"b@x.com","hash":"${HASH}"}\n${long}`);
    const error = await loadError(file);
    expect(error.problems).toEqual([
      { line: 2, problem: `is longer than ${MAX_LINE_BYTES} bytes: is this a users file (one JSON object a line)?` },
      { line: 4, problem: `is longer than ${MAX_LINE_BYTES} bytes: is this a users file (one JSON object a line)?` },
    ]);
  });

  it('rejects marking an unknown user', async () => {
    const repo = await FileUserRepository.load(await writeUsers([`{"username":"a@x.com","hash":"${HASH}"}`]));
    await expect(repo.markMigrated('ghost@x.com', new Date())).rejects.toBeInstanceOf(LegacySystemError);
  });

  it('reports a failed save as a LegacySystemError with the cause code only', async () => {
    const repo = await FileUserRepository.load(await writeUsers([`{"username":"a@x.com","hash":"${HASH}"}`]));
    await fs.rm(dir, { recursive: true });
    const error = await repo.markMigrated('a@x.com', new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacySystemError);
    expect((error as Error).message).toBe('the users file could not be saved (ENOENT): check that the function can write to its folder');
    // Memory already holds the mark; the next successful save writes it too.
    expect((await repo.findByUsername('a@x.com'))?.migrated).toBe(true);
  });
});
