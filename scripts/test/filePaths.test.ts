/**
 * Paths a command line names, as an operator gets them wrong: a folder for a file, a file for a folder, a
 * place nothing can be written. Real processes through the bin launcher: a clear error, exit 2, no hang,
 * and nothing written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const bin = path.resolve(__dirname, '..', 'bin', 'jitmigrate.cjs');
const PROPERTY = 'extension_0123456789abcdef0123456789abcdef_toBeMigrated';

function run(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '' } });
}

let dir: string;
let users: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-paths-'));
  await fs.mkdir(path.join(dir, 'folder'));
  await fs.writeFile(path.join(dir, 'plain-file'), 'x');
  users = path.join(dir, 'export.jsonl');
  await fs.writeFile(users, `${JSON.stringify({ username: 'ada@example.com', hash: '$1$rCzDfJtt$DKEhLpg8gxmKMlIBBNXYD0' })}\n`);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

function expectUsageError(result: ReturnType<typeof run>, message: string | RegExp): void {
  expect(result.error).toBeUndefined(); // not timed out
  expect(result.stderr).not.toMatch(/illegal operation|\n\s+at /);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
  expect(result.status).toBe(2);
}

describe('a folder where a file belongs', () => {
  it('import-legacy --input', () => {
    const folder = path.join(dir, 'folder');
    expectUsageError(run(['import-legacy', '--input', folder, '--preset', 'generic', '--users-file', path.join(dir, 'users.jsonl')]), `import-legacy: --input ${folder} is a folder: name the file itself`);
    expect(existsSync(path.join(dir, 'users.jsonl'))).toBe(false);
  });

  it('provision-users --input and --errors', () => {
    const folder = path.join(dir, 'folder');
    const common = ['--migration-property', PROPERTY, '--domain', 'contoso.onmicrosoft.com', '--dry-run'];
    expectUsageError(run(['provision-users', '--input', folder, ...common]), `provision-users: --input ${folder} is a folder: name the file itself`);
    expectUsageError(run(['provision-users', '--input', users, ...common, '--errors', folder]), `provision-users: --errors ${folder} is a folder: name a file (inside it, or elsewhere)`);
  });

  it('status --chart, before the history is appended', () => {
    const history = path.join(dir, 'history.jsonl');
    const result = run(['status', '--migration-property', PROPERTY, '--users-file', users, '--history', history, '--chart', path.join(dir, 'folder')]);
    expectUsageError(result, `--chart ${path.join(dir, 'folder')} is a folder`);
    expect(existsSync(history)).toBe(false);
  });
});

describe('an output that cannot be written', () => {
  it('import-legacy --users-file under a file', () => {
    const target = path.join(dir, 'plain-file', 'users.jsonl');
    expectUsageError(run(['import-legacy', '--input', users, '--preset', 'generic', '--users-file', target]), `${target} cannot be written: part of its path is a file, not a folder (ENOTDIR): choose another path`);
  });

  it('reconcile --report in a folder that does not exist', () => {
    const target = path.join(dir, 'missing', 'report.csv');
    expectUsageError(run(['reconcile', '--migration-property', PROPERTY, '--users-file', users, '--report', target]), `--report ${target} cannot be written: its folder ${path.join(dir, 'missing')} does not exist`);
  });

  it('keygen --out a file, and a path through one', () => {
    const file = path.join(dir, 'plain-file');
    expectUsageError(run(['keygen', '--out', file]), `--out ${file} cannot be used: it is a file, not a folder: choose another folder`);
    expectUsageError(run(['keygen', '--out', path.join(file, 'keys')]), /--out .* cannot be used: part of its path is a file, not a folder \(ENOTDIR\)/);
  });

  (existsSync('/proc/self') ? it : it.skip)('keygen --out under /proc answers instead of spinning', () => {
    expectUsageError(run(['keygen', '--out', '/proc/jit-keys']), '--out /proc/jit-keys cannot be used: /proc/jit-keys could not be created: the file system does not allow a folder there (ENOENT)');
  });
});
