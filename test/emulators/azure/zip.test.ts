/** The strict zip reader agrees with Info-ZIP and rejects damage and path escapes. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ZipFile } from 'yazl';
import { extractZip, InvalidZipError, readZip } from './zip';

async function yazlZip(entries: [string, string][]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, text] of entries) zip.addBuffer(Buffer.from(text), name, { compress: name.endsWith('.txt') });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'zip-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('reads stored and deflated entries written by Info-ZIP', () => {
  writeFileSync(path.join(dir, 'a.txt'), 'hello '.repeat(100));
  writeFileSync(path.join(dir, 'b.bin'), Buffer.from([1, 2, 3]));
  execFileSync('zip', ['-q', '-X', path.join(dir, 'out.zip'), 'a.txt', 'b.bin'], { cwd: dir });
  const entries = readZip(readFileSync(path.join(dir, 'out.zip')));
  expect(entries.map((entry) => [entry.name, entry.data.length])).toEqual([
    ['a.txt', 600],
    ['b.bin', 3],
  ]);
});

it('detects corruption and refuses names that escape the target directory', async () => {
  const zip = await yazlZip([['x.txt', 'some text to compress, some text to compress']]);
  const damaged = Buffer.from(zip);
  damaged[35] = damaged[35]! ^ 0xff; // inside the deflated data
  expect(() => readZip(damaged)).toThrow(InvalidZipError);
  expect(() => readZip(Buffer.from('not a zip'))).toThrow(InvalidZipError);
  // yazl refuses such names, so rename an entry in place (same length, in both headers).
  const evil = Buffer.from(
    (await yazlZip([
      ['ok.js', ''],
      ['xx/evil.js', 'x'],
    ])).toString('latin1').replaceAll('xx/evil.js', '../evil.js'),
    'latin1',
  );
  expect(() => extractZip(evil, dir)).toThrow(/escapes/);
});
