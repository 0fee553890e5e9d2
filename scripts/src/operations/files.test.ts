import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../commands/args';
import { describeFileError, errorMessage, makeDirectory, requireInputFile, requireOutputFile } from './files';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-files-'));
  await fs.writeFile(path.join(dir, 'file.txt'), 'x');
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  return (error as Error).message;
}

describe('requireInputFile', () => {
  it('accepts a readable file', async () => {
    await expect(requireInputFile(path.join(dir, 'file.txt'), '--input')).resolves.toBeUndefined();
  });

  it('refuses a folder, a missing file and a path through a file, naming the option and the fix', async () => {
    expect(await refusal(requireInputFile(dir, '--input'))).toBe(`--input ${dir} is a folder: name the file itself`);
    expect(await refusal(requireInputFile(path.join(dir, 'nope.csv'), '--input'))).toBe(`--input ${path.join(dir, 'nope.csv')} cannot be read: it does not exist (ENOENT): check the path`);
    expect(await refusal(requireInputFile(path.join(dir, 'file.txt', 'x'), '--self-test'))).toMatch(/^--self-test .* cannot be read: part of its path is a file, not a folder \(ENOTDIR\): check the path$/);
  });
});

describe('requireOutputFile', () => {
  it('accepts a new file in a writable folder, and an existing file', async () => {
    await expect(requireOutputFile(path.join(dir, 'new.jsonl'), '--errors')).resolves.toBeUndefined();
    await expect(requireOutputFile(path.join(dir, 'file.txt'), '--errors')).resolves.toBeUndefined();
    expect(existsSync(path.join(dir, 'new.jsonl'))).toBe(false); // a check, not a write
  });

  it('refuses a folder, a missing folder and a path through a file', async () => {
    expect(await refusal(requireOutputFile(dir, '--report'))).toBe(`--report ${dir} is a folder: name a file (inside it, or elsewhere)`);
    expect(await refusal(requireOutputFile(path.join(dir, 'no', 'r.csv'), '--report'))).toBe(
      `--report ${path.join(dir, 'no', 'r.csv')} cannot be written: its folder ${path.join(dir, 'no')} does not exist: create the folder first or choose another path`,
    );
    expect(await refusal(requireOutputFile(path.join(dir, 'file.txt', 'r.csv'), '--report'))).toMatch(/cannot be written: part of its path is a file, not a folder \(ENOTDIR\): choose another path$/);
  });
});

describe('makeDirectory', () => {
  it('makes the missing folders, 0700', async () => {
    const target = path.join(dir, 'a', 'b');
    await makeDirectory(target, '--out');
    expect((await fs.stat(target)).mode & 0o777).toBe(0o700);
    await expect(makeDirectory(target, '--out')).resolves.toBeUndefined();
  });

  it('refuses a file, or a path through one', async () => {
    expect(await refusal(makeDirectory(path.join(dir, 'file.txt'), '--out'))).toBe(`--out ${path.join(dir, 'file.txt')} cannot be used: it is a file, not a folder: choose another folder`);
    expect(await refusal(makeDirectory(path.join(dir, 'file.txt', 'keys'), '--out'))).toMatch(/cannot be used: part of its path is a file, not a folder \(ENOTDIR\)/);
  });

  // Node's recursive mkdir spins at full CPU here (mkdir answers ENOENT although /proc exists).
  (existsSync('/proc/self') ? it : it.skip)('answers at once under /proc instead of spinning', async () => {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running after 5 s'), 5000)));
    try {
      const outcome = await Promise.race([refusal(makeDirectory('/proc/jit-keys', '--out')), hang]);
      expect(outcome).toBe('--out /proc/jit-keys cannot be used: /proc/jit-keys could not be created: the file system does not allow a folder there (ENOENT): choose another folder');
    } finally {
      clearTimeout(timer);
    }
  });
});

describe('errors in words', () => {
  it('turns a raw Node.js error into its path and a reason, without Node\'s text', async () => {
    const opened = await fs.open(path.join(dir, 'file.txt', 'x')).then(() => undefined, (e: unknown) => e);
    expect(errorMessage(opened)).toBe(`${path.join(dir, 'file.txt', 'x')} could not be used (open): part of its path is a file, not a folder (ENOTDIR): check the path and its permissions`);
    const read = await fs.readFile(dir).then(() => undefined, (e: unknown) => e); // no path on a read
    expect(errorMessage(read)).toBe('a file could not be used (read): it is a folder, not a file (EISDIR): check the path and its permissions');
    expect(errorMessage(new Error('ours, already saying what to fix'))).toBe('ours, already saying what to fix');
    expect(describeFileError(Object.assign(new Error(), { code: 'EWHATEVER' }))).toBe('EWHATEVER');
  });
});
