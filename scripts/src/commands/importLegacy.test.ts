/** `jitmigrate import-legacy` run in-process: options, exit codes, output, and one run against Azurite. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createTableClient, TableUserRepository } from '../../../function/src/legacy';
import { startAzurite, type AzuriteTables } from '../../../function/test/support/azurite';
import { fixture, FIREBASE_README_CONFIG } from '../../test/fixtures/exports/fixtures';
import { importLegacy } from './importLegacy';

/** A stream that keeps what is written, standing in for stdout/stderr (not a TTY: plain progress lines). */
function capture(): NodeJS.WriteStream & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  }) as unknown as NodeJS.WriteStream & { text(): string };
  stream.text = () => chunks.join('');
  return stream;
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await importLegacy(argv, { stdout, stderr, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let dir: string;
let azurite: AzuriteTables;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-import-cli-'));
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

const hashesIn = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split(/[\s,"]+/)
    .filter((token) => /^(\$|pbkdf2_|argon2\$|bcrypt|AQAAAA|AAAB)/.test(token) && token.length > 20);

describe('import-legacy usage errors exit 2 and say what to fix', () => {
  it.each([
    [[], /--input FILE is required/],
    [['--input', 'x.csv'], /--preset is required: one of aspnet-identity, django, firebase, keycloak, generic/],
    [['--input', 'x.csv', '--preset', 'ldap'], /--preset ldap is unknown/],
    [['--input', 'x.jsonl', '--preset', 'b2c'], /--preset b2c is for provision-users: B2C exports no password hashes/],
    [['--input', 'x.csv', '--preset', 'generic', '--nope'], /Unknown option '--nope'/],
    [['--input', 'x.csv', '--preset', 'generic', '--map', 'username'], /--map username: write TARGET=SOURCE/],
    [['--input', fixture('generic-users.csv'), '--preset', 'generic', '--map', 'usrename=login', '--dry-run'], /--map usrename=…: unknown target/],
    [['--input', 'x.csv', '--preset', 'generic'], /the table store needs --table-endpoint/],
    [['--input', 'missing.csv', '--preset', 'generic', '--dry-run'], /--input missing\.csv cannot be read: it does not exist \(ENOENT\): check the path/],
    [['--input', 'x.csv', '--preset', 'generic', '--store', 'file'], /--store file needs --users-file/],
    [['--input', 'x.csv', '--preset', 'generic', '--dry-run', '--batch-size', '500'], /--batch-size must be a whole number from 1 to 100/],
    [['--input', 'x.csv', '--preset', 'generic', '--dry-run', '--firebase-rounds', '8'], /pass all four Firebase hash parameters/],
    [['--input', fixture('firebase-users.json'), '--preset', 'firebase', '--dry-run'], /Firebase password hashes need the project's hash parameters: pass --firebase-signer-key/],
    [['--input', fixture('generic-users.csv'), '--preset', 'keycloak', '--dry-run'], /the keycloak preset reads json-document or json-lines/],
    [['--input', 'x.csv', '--preset', 'generic', '--dry-run', '--max-reject-share', '101'], /--max-reject-share must be a whole number from 0 to 100/],
  ])('%j', async (argv, message) => {
    const result = await run(argv as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('prints help with exit 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/usage: jitmigrate import-legacy --input FILE --preset PRESET/);
  });
});

describe('import-legacy', () => {
  it('imports to a users file, writes rejects, passes the self-test and prints a summary, never a hash or password', async () => {
    const usersFile = path.join(dir, 'django-users.jsonl');
    const rejects = path.join(dir, 'django-rejects.jsonl');
    const result = await run([
      '--input', fixture('django-auth_user.csv'), '--preset', 'django', '--users-file', usersFile,
      '--rejects', rejects, '--self-test', fixture('django-auth_user.selftest.jsonl'), '--checkpoint', path.join(dir, 'django.checkpoint'),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^import-legacy → users file .*django-users\.jsonl: done in /);
    expect(result.stdout).toMatch(/read\s+8/);
    expect(result.stdout).toMatch(/imported\s+5/);
    expect(result.stdout).toMatch(/rejected\s+3\s+\(see .*django-rejects\.jsonl\)/);
    expect(result.stdout).toMatch(/unusable password\s+1/);
    expect(result.stdout).toMatch(/schemes\s+.*django-pbkdf2-sha256 1/);
    expect(result.stdout).toMatch(/Self-test: 5 of 5 test accounts verified/);
    expect(result.stdout).toMatch(/Rejected records do not fail the import \(exit code 0\)/);
    expect(result.stderr).toMatch(/import-legacy: 8, .*done in/); // the plain progress line
    const output = result.stdout + result.stderr + readFileSync(rejects, 'utf8');
    for (const hash of hashesIn(fixture('django-auth_user.csv'))) expect(output).not.toContain(hash);
    for (const line of readFileSync(fixture('django-auth_user.selftest.jsonl'), 'utf8').trim().split('\n')) {
      expect(output).not.toContain((JSON.parse(line) as { password: string }).password);
    }
  });

  it('exits 1 when a self-test account fails', async () => {
    const selfTest = path.join(dir, 'bad-selftest.jsonl');
    await fs.writeFile(selfTest, `${JSON.stringify({ username: 'alice@contoso.com', password: 'not her password' })}\n`);
    const result = await run(['--input', fixture('aspnet-identity-users.csv'), '--preset', 'aspnet-identity', '--dry-run', '--self-test', selfTest]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}alice@contoso\.com: the password does not match the stored aspnet-identity-v3 hash/);
    expect(result.stdout).toMatch(/Self-test failed \(exit code 1\)/);
    expect(result.stdout).not.toContain('not her password');
  });

  it('dry run writes no store and shows the first rejects when there is no rejects file', async () => {
    const usersFile = path.join(dir, 'dry.jsonl');
    const result = await run(['--input', fixture('generic-users.jsonl'), '--preset', 'generic', '--dry-run', '--users-file', usersFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dry run: nothing was written to the store/);
    expect(result.stdout).toMatch(/would import\s+5/);
    expect(result.stdout).toMatch(/First rejects \(record: reason\):\n {2}7: unrecognized hash: a bare 32-digit hex value/);
    expect(existsSync(usersFile)).toBe(false);
  });

  it('imports Firebase users with the hash parameters given as flags', async () => {
    const usersFile = path.join(dir, 'firebase.jsonl');
    const result = await run([
      '--input', fixture('firebase-users.json'), '--preset', 'firebase', '--store', 'file', '--users-file', usersFile,
      '--firebase-signer-key', FIREBASE_README_CONFIG.signerKey, '--firebase-salt-separator', 'Bw==', '--firebase-rounds', '8', '--firebase-mem-cost', '14',
      '--self-test', fixture('firebase-users.selftest.jsonl'),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/imported\s+3/);
    expect(result.stdout).toMatch(/Self-test: 3 of 3/);
    expect(result.stdout + result.stderr).not.toContain(FIREBASE_README_CONFIG.signerKey);
  });

  it('imports into Table Storage with a connection string from the environment, idempotently', async () => {
    const env = { LegacyTableConnectionString: azurite.connectionString, LegacyTableName: 'CliUsers' };
    const argv = ['--input', fixture('keycloak-realm.json'), '--preset', 'keycloak', '--self-test', fixture('keycloak-realm.selftest.jsonl'), '--batch-size', '2'];
    const first = await run(argv, env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/import-legacy → table CliUsers \(127\.0\.0\.1:\d+\/devstoreaccount1\)/);
    expect(first.stdout).toMatch(/Self-test: 6 of 6/);
    expect(first.stdout + first.stderr).not.toMatch(/AccountKey|Eby8vdM02/);
    const second = await run(argv, env);
    expect(second.code).toBe(0);
    const client = createTableClient({ connectionString: azurite.connectionString, tableName: 'CliUsers' });
    let count = 0;
    for await (const _ of client.listEntities()) count++;
    expect(count).toBe(6);
    expect(await new TableUserRepository(client).findByUsername('erin@kc.example')).toMatchObject({ hash: expect.stringMatching(/^\$argon2id\$v=19\$m=7168,t=5,p=1\$/) });
  });

  it('exits 1 when most records are rejected for one reason, naming the missing column and the preset that fits', async () => {
    const usersFile = path.join(dir, 'wrong-preset.jsonl');
    const result = await run(['--input', fixture('django-auth_user.csv'), '--preset', 'aspnet-identity', '--users-file', usersFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/imported\s+0/);
    expect(result.stdout).toMatch(/Too many records rejected as "missing hash" \(exit code 1\)/);
    expect(result.stderr).toMatch(
      /import-legacy: 7 of 8 records were rejected as "missing hash", more than --max-reject-share 50 %\. Likely cause: .*django-auth_user\.csv has no column "PasswordHash" \(hash\) for the aspnet-identity preset; its columns are those of the django preset: run again with --preset django\./,
    );
    for (const hash of hashesIn(fixture('django-auth_user.csv'))) expect(result.stdout + result.stderr).not.toContain(hash);

    // Every record rejected for one reason fails even when the share allows everything; JSON has fields.
    const keycloak = await run(['--input', fixture('keycloak-realm.json'), '--preset', 'generic', '--dry-run', '--max-reject-share', '100']);
    expect(keycloak.code).toBe(1);
    expect(keycloak.stderr).toMatch(/every record \(9\) was rejected as "missing hash"\. Likely cause: .*keycloak-realm\.json has no field "hash" for the generic preset; its fields are those of the keycloak preset: run again with --preset keycloak\./);
  });

  it('fails above --max-reject-share (default 50 %) for one reason, and says when the columns are not the cause', async () => {
    const input = path.join(dir, 'mostly-unrecognized.csv');
    const bcrypt = '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO';
    await fs.writeFile(input, ['username,hash', `a@example.com,${bcrypt}`, 'b@example.com,not-a-hash-1', 'c@example.com,not-a-hash-2', 'd@example.com,not-a-hash-3', ''].join('\n'));
    const rejects = path.join(dir, 'mostly-unrecognized.rejects.jsonl');
    const failing = await run(['--input', input, '--preset', 'generic', '--dry-run', '--rejects', rejects]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain(`3 of 4 records were rejected as "unrecognized hash", more than --max-reject-share 50 %. Likely cause: the file has the columns the generic preset reads, so the records themselves are the cause: read the reasons in ${rejects}.`);

    const allowed = await run(['--input', input, '--preset', 'generic', '--dry-run', '--max-reject-share', '75%']);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).not.toMatch(/Likely cause/);
    expect(allowed.stdout).toMatch(/Rejected records do not fail the import \(exit code 0\)/);
  });

  it('refuses a checkpoint from another import with exit 2', async () => {
    const usersFile = path.join(dir, 'cp-users.jsonl');
    const checkpoint = path.join(dir, 'other.checkpoint');
    expect((await run(['--input', fixture('generic-users.csv'), '--preset', 'generic', '--users-file', usersFile, '--checkpoint', checkpoint])).code).toBe(0);
    const result = await run(['--input', fixture('generic-users.jsonl'), '--preset', 'generic', '--users-file', usersFile, '--checkpoint', checkpoint]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/belongs to another import/);
  });
});

// The bundled CLI as an operator runs it. `npm test` builds first (node scripts/build.mjs); building here would
// rewrite the hash worker under the feet of suites running in parallel, so a missing bundle skips this.
const root = path.resolve(__dirname, '..', '..', '..');
const bundle = path.join(root, 'dist', 'cli', 'jitmigrate.cjs');
const built = existsSync(bundle) && readFileSync(bundle, 'utf8').includes('usage: jitmigrate import-legacy --input FILE');
(built ? describe : describe.skip)('jitmigrate import-legacy (bundled CLI process)', () => {
  it('imports a file store and exits 0', () => {
    const usersFile = path.join(os.tmpdir(), `jit-cli-${process.pid}.jsonl`);
    const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'bin', 'jitmigrate.cjs'), 'import-legacy', '--input', fixture('generic-users.csv'), '--preset', 'generic', '--users-file', usersFile], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/imported\s+5/);
    expect(existsSync(usersFile)).toBe(true);
  });

  it('stops cleanly on Ctrl-C (SIGINT) with exit 130 and resumes to the same result as a clean run', async () => {
    const input = path.join(dir, 'sigint.csv');
    const rows = ['username,hash'];
    for (let i = 1; i <= 200_000; i++) rows.push(`user${i}@example.com,$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO`);
    await fs.writeFile(input, `${rows.join('\n')}\n`);
    const cli = (usersFile: string, extra: string[] = []) => [path.join(root, 'scripts', 'bin', 'jitmigrate.cjs'), 'import-legacy', '--input', input, '--preset', 'generic', '--users-file', usersFile, ...extra];

    const clean = path.join(dir, 'sigint-clean.jsonl');
    expect(spawnSync(process.execPath, cli(clean), { encoding: 'utf8', timeout: 120_000 }).status).toBe(0);

    const usersFile = path.join(dir, 'sigint-users.jsonl');
    const checkpoint = path.join(dir, 'sigint.checkpoint');
    const child = spawn(process.execPath, cli(usersFile, ['--checkpoint', checkpoint, '--checkpoint-every', '5000']), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    while (!existsSync(checkpoint)) await new Promise((resolve) => setTimeout(resolve, 20)); // the first batch is committed
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/Stopping: writing what was read so far and saving the checkpoint/);
    expect(stdout).toMatch(/stopped after record \d+/);
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { lastRecord: number; complete: boolean };
    expect(saved.complete).toBe(false);
    expect(saved.lastRecord).toBeGreaterThan(0);
    expect(saved.lastRecord).toBeLessThan(200_000);

    const resumed = spawnSync(process.execPath, cli(usersFile, ['--checkpoint', checkpoint, '--checkpoint-every', '5000']), { encoding: 'utf8', timeout: 120_000 });
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`skipped by resume\\s+${saved.lastRecord.toLocaleString('en-US')}`));
    expect(readFileSync(usersFile, 'utf8')).toBe(readFileSync(clean, 'utf8'));
  }, 120_000);
});
