import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ExportReadError } from '../errors';
import { readCsv } from './csv';
import { detectFormat, sniffDelimiter } from './detect';
import { readJsonDocument, readTopLevelMember } from './jsonDocument';
import { readJsonLines } from './jsonLines';
import type { SourceItem } from './source';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-formats-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await fs.writeFile(p, text);
  return p;
}

async function all(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('detectFormat', () => {
  it.each([
    ['a.csv', 'csv', 'username,hash\nx,y\n', ','],
    ['a.tsv', 'csv', 'username\thash\n', '\t'],
    ['semicolons.csv', 'csv', 'username;hash;"a,b"\n', ';'],
    ['a.jsonl', 'json-lines', '{"username":"x"}\n', undefined],
    ['lines.json', 'json-lines', '{"username":"x"}\n{"username":"y"}\n', undefined],
    ['doc.json', 'json-document', '{\n  "users": [\n  ]\n}\n', undefined],
    ['one-line.json', 'json-document', '{"users":[{"username":"x"}]}', undefined],
    ['array.json', 'json-document', '[{"username":"x"}]', undefined],
    ['export.txt', 'csv', '\uFEFFId,UserName\n1,a\n', ','],
    ['export.dat', 'json-lines', '# comment\n{"username":"x"}\n', undefined],
  ])('%s is %s', async (name, format, text, delimiter) => {
    const detected = await detectFormat(await file(name, text));
    expect(detected.format).toBe(format);
    if (delimiter) expect(detected.delimiter).toBe(delimiter);
  });

  it('says what to fix for a missing or empty file', async () => {
    await expect(detectFormat(path.join(dir, 'nope.csv'))).rejects.toThrow(/could not be opened \(ENOENT\): check the --input path/);
    await expect(detectFormat(await file('empty.csv', ''))).rejects.toThrow(/is empty/);
  });

  it('counts delimiters outside quotes only', () => {
    expect(sniffDelimiter('"a;b;c;d",x,y\n')).toBe(',');
  });
});

describe('readCsv', () => {
  it('keys rows by the header and numbers data rows from 1', async () => {
    const p = await file('rows.csv', '\uFEFFusername,hash\r\n"alice@x.com","$2b$a,b"\r\n\r\nbob,h2\r\n');
    expect(await all(readCsv(p, { delimiter: ',' }))).toEqual([
      { record: 1, value: { username: 'alice@x.com', hash: '$2b$a,b' } },
      { record: 2, value: { username: 'bob', hash: 'h2' } },
    ]);
  });

  it('reports a row with the wrong field count on its own and keeps going', async () => {
    const p = await file('ragged.csv', 'a,b\n1,2,3\n4,5\n');
    const items = await all(readCsv(p, { delimiter: ',' }));
    expect(items[0]).toEqual({ record: 1, problem: expect.stringMatching(/^malformed record: the row has 3 fields but the header has 2/) });
    expect(items[1]).toEqual({ record: 2, value: { a: '4', b: '5' } });
  });

  it('stops on broken quoting with the line, not the content', async () => {
    const p = await file('broken.csv', 'a,b\n1,"secret-hash\n');
    const error = await all(readCsv(p, { delimiter: ',' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportReadError);
    expect((error as Error).message).toMatch(/is not valid CSV near line \d+ \(CSV_QUOTE_NOT_CLOSED\)/);
    expect((error as Error).message).not.toContain('secret-hash');
  });

  it('refuses a header that names a column twice', async () => {
    const p = await file('twice.csv', 'Email,email\n1,2\n');
    await expect(all(readCsv(p, { delimiter: ',' }))).rejects.toThrow(/names column "email" twice/);
  });

  it('reads a header-less export by position, ignoring a trailing delimiter', async () => {
    const p = await file('positional.csv', 'u1,a@x.com,true,\nu2,b@x.com,false,,\n');
    const items = await all(readCsv(p, { delimiter: ',', headerlessColumns: ['localId', 'email', 'emailVerified'] }));
    expect(items).toEqual([
      { record: 1, value: { localId: 'u1', email: 'a@x.com', emailVerified: 'true' } },
      { record: 2, value: { localId: 'u2', email: 'b@x.com', emailVerified: 'false' } },
    ]);
    // …but when the first cell is the first column name, the row is a header after all.
    const withHeader = await file('positional-header.csv', 'localId,email,emailVerified\nu1,a@x.com,true\n');
    expect(await all(readCsv(withHeader, { delimiter: ',', headerlessColumns: ['localId', 'email', 'emailVerified'] }))).toEqual([
      { record: 1, value: { localId: 'u1', email: 'a@x.com', emailVerified: 'true' } },
    ]);
  });
});

describe('readJsonLines', () => {
  it('numbers records by line and skips blanks and comments', async () => {
    const p = await file('users.jsonl', '\uFEFF# header\n{"username":"a"}\n\n{"username":\n[1]\n{"username":"b"}');
    expect(await all(readJsonLines(p))).toEqual([
      { record: 2, value: { username: 'a' } },
      { record: 4, problem: expect.stringMatching(/^malformed record: the line is not valid JSON/) },
      { record: 5, problem: 'malformed record: the line must be a JSON object' },
      { record: 6, value: { username: 'b' } },
    ]);
  });
});

describe('readJsonDocument', () => {
  const document = JSON.stringify(
    {
      realm: 'demo',
      clients: [{ clientId: 'x', attributes: { users: '[not this]' } }],
      users: [
        { username: 'a', note: 'brackets ] } { [ and "quotes" and \\ backslashes', unicode: 'Zoë 密码 🔑' },
        { username: 'b', credentials: [{ type: 'password', secretData: '{"value":"x"}' }] },
        42,
        { username: 'c' },
      ],
      hash_config: { algorithm: 'SCRYPT', rounds: 8 },
    },
    null,
    2,
  );

  it.each([1, 2, 3, 7, 64, 1024 * 1024])('yields each element of "users", whatever the chunk size (%i)', async (chunkSize) => {
    const p = await file(`doc-${chunkSize}.json`, document);
    const items = await all(readJsonDocument(p, { arrayKey: 'users', chunkSize }));
    expect(items).toEqual([
      { record: 1, value: { username: 'a', note: 'brackets ] } { [ and "quotes" and \\ backslashes', unicode: 'Zoë 密码 🔑' } },
      { record: 2, value: { username: 'b', credentials: [{ type: 'password', secretData: '{"value":"x"}' }] } },
      { record: 3, problem: 'malformed record: the array element is not a JSON object' },
      { record: 4, value: { username: 'c' } },
    ]);
  });

  it('reads a top-level array', async () => {
    const p = await file('top.json', '[{"username":"a"} , {"username":"b"}]');
    expect(await all(readJsonDocument(p, { arrayKey: 'users' }))).toEqual([
      { record: 1, value: { username: 'a' } },
      { record: 2, value: { username: 'b' } },
    ]);
  });

  it('finds a top-level member after the users', async () => {
    const p = await file('member.json', document);
    expect(await readTopLevelMember(p, ['hash_config'])).toEqual({ algorithm: 'SCRYPT', rounds: 8 });
    expect(await readTopLevelMember(p, ['nothing'])).toBeUndefined();
  });

  it('reports a truncated document and a document without users', async () => {
    const truncated = await file('truncated.json', document.slice(0, document.length - 40));
    await expect(all(readJsonDocument(truncated, { arrayKey: 'users' }))).rejects.toThrow(/ends early \(is the file truncated/);
    const noUsers = await file('no-users.json', '{"realm":"demo","clients":[]}');
    await expect(all(readJsonDocument(noUsers, { arrayKey: 'users' }))).rejects.toThrow(/has no top-level "users" array/);
  });

  it('keeps memory flat on a large document (200,000 users)', async () => {
    const p = path.join(dir, 'large.json');
    const handle = await fs.open(p, 'w');
    await handle.write('{"users": [\n');
    const user = (i: number) => JSON.stringify({ localId: `u${i}`, email: `user${i}@example.com`, passwordHash: 'x'.repeat(88), salt: 'y'.repeat(16) }, null, 2);
    for (let i = 0; i < 200_000; i += 1000) {
      await handle.write(Array.from({ length: 1000 }, (_, j) => user(i + j)).join(',\n') + (i + 1000 < 200_000 ? ',\n' : ''));
    }
    await handle.write(']}\n');
    await handle.close();
    // Retained memory, measured after a full collection, while the document is being read.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    let retained = 0;
    for await (const item of readJsonDocument(p, { arrayKey: 'users' })) {
      if ('value' in item) count++;
      if (count % 50_000 === 0) {
        gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed - before);
      }
    }
    expect(count).toBe(200_000);
    // The file is ~40 MB: holding it, or its users, would retain far more than this.
    expect(retained).toBeLessThan(16 * 1024 * 1024);
  });
});
