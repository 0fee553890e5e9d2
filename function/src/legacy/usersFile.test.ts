import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeUsersFile, openUsersFile, readLineAt, readUsersFile, usersOfFile, UsersFileProblems, type UsersFileEntry } from './usersFile';

const HASH = '$2b$04$0123456789abcdefghijkuQ0c8Jm2v6yO0sH8h3k2x7Yb6Qe1Vw3G';
let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-users-file-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function entries(file: string): Promise<UsersFileEntry[]> {
  const list: UsersFileEntry[] = [];
  for await (const entry of usersOfFile(file)) list.push(entry);
  return list;
}

describe('reading a users file a line at a time', () => {
  it('numbers lines and finds each one back at its offset, across read chunks, CRLF and a byte order mark', async () => {
    const file = path.join(dir, 'users.jsonl');
    // About 1.6 MB: lines straddle the 1 MiB read chunk; every 1000th line is a comment.
    const lines = Array.from({ length: 12_000 }, (_, i) => (i % 1000 === 999 ? '# comment' : JSON.stringify({ username: `user${i}@x.com`, hash: HASH, status: 'active' })));
    await fs.writeFile(file, `\uFEFF${lines.join('\r\n')}`); // and no line break at the end
    const read = await entries(file);
    expect(read).toHaveLength(12_000 - 12);
    expect(read[0]).toMatchObject({ line: 1, offset: 3, record: { username: 'user0@x.com' } });
    expect(read.at(-1)).toMatchObject({ line: 12_000 - 1, record: { username: 'user11998@x.com' } });
    const fd = await openUsersFile(file);
    try {
      for (const entry of read.filter((_, i) => i % 997 === 0 || i === read.length - 1)) {
        expect(await readLineAt(fd, file, entry.offset)).toEqual({ text: lines[entry.line - 1], length: entry.length });
      }
    } finally {
      await closeUsersFile(fd);
    }
  });

  it('reports invalid lines after reading everything, as one error that names their numbers', async () => {
    const file = path.join(dir, 'users.jsonl');
    await fs.writeFile(file, [`{"username":"a@x.com","hash":"${HASH}"}`, 'nope', `{"username":"b@x.com","hash":"${HASH}","status":"gone"}`, `{"username":"c@x.com","hash":"${HASH}"}`].join('\n'));
    const seen: string[] = [];
    const problems = new UsersFileProblems(file);
    const fd = await openUsersFile(file);
    try {
      for await (const entry of readUsersFile(fd, problems)) seen.push(entry.record.username);
    } finally {
      await closeUsersFile(fd);
    }
    expect(seen).toEqual(['a@x.com', 'c@x.com']);
    expect(() => problems.throwIfAny()).toThrow(`users file ${file} has 2 invalid lines: line 2: is not valid JSON; line 3: "status" must be one of active, disabled, locked`);
    await expect(entries(file)).rejects.toThrow('has 2 invalid lines');
  });
});
