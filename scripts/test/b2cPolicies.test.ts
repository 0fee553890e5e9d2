/**
 * `jitmigrate b2c-policies`: the files it writes, what it prints (upload order, policy keys), and usage errors
 * that name the flags and write nothing. In-process through runB2cPolicies, and once through the bin launcher.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateB2cPolicies } from '../../lib/b2c/policies';
import { B2C_POLICIES_SCHEMA, runB2cPolicies } from '../src/commands/b2cPolicies';
import type { CommandIo } from '../src/operations/io';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'scripts', 'bin', 'jitmigrate.cjs');
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const OBJECT_ID = '66666666-7777-8888-9999-000000000000';
const API_APP_ID = '99999999-8888-7777-6666-555555555555';
const FILES = ['B2C_1A_JIT_Migration.xml', 'B2C_1A_JIT_PasswordReset.xml', 'B2C_1A_JIT_SignUpOrSignIn.xml'];

const required = (out: string) => ['--tenant', 'contoso.onmicrosoft.com', '--api-url', 'https://func-jit.azurewebsites.net', '--extensions-app-client-id', CLIENT_ID, '--extensions-app-object-id', OBJECT_ID, '--out', out];

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { env: {}, out: (text) => void out.push(text), err: (text) => void err.push(text), now: () => new Date(0) };
  const code = await runB2cPolicies(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-b2c-policies-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('jitmigrate b2c-policies', () => {
  it('writes the three files the library generates, creating --out, and prints the upload order and the keys', async () => {
    const out = path.join(dir, 'policies', 'contoso');
    const result = await run([...required(out), '--auth', 'basic']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect((await fs.readdir(out)).sort()).toEqual(FILES);
    const expected = generateB2cPolicies({ tenant: 'contoso.onmicrosoft.com', apiUrl: 'https://func-jit.azurewebsites.net', auth: 'basic', extensionsAppClientId: CLIENT_ID, extensionsAppObjectId: OBJECT_ID });
    for (const file of expected.files) expect(await fs.readFile(path.join(out, file.fileName), 'utf8')).toBe(file.xml);
    const order = ['B2C_1A_JIT_Migration', 'B2C_1A_JIT_SignUpOrSignIn', 'B2C_1A_JIT_PasswordReset'].map((id) => result.stdout.indexOf(`. ${id}`));
    expect(order.every((at, index) => at > 0 && (index === 0 || at > order[index - 1]!))).toBe(true);
    expect(result.stdout).toContain('B2C_1A_JIT_ApiUsername');
    expect(result.stdout).toContain('B2C_1A_JIT_ApiPassword');
    expect(result.stdout).toContain('Key usage Encryption');
    expect(result.stdout).toContain('PUT https://graph.microsoft.com/beta/trustFramework/policies/{id}/$value');
    expect(result.stdout).not.toContain('B2C_1A_JIT_ApiClientSecret');
  });

  it('replaces its own files on a second run, byte for byte', async () => {
    expect((await run([...required(dir), '--auth', 'apiKey', '--api-key-header', 'x-functions-key'])).code).toBe(0);
    const first = await fs.readFile(path.join(dir, FILES[0]!), 'utf8');
    expect((await run([...required(dir), '--auth', 'apiKey', '--api-key-header', 'x-functions-key'])).code).toBe(0);
    expect(await fs.readFile(path.join(dir, FILES[0]!), 'utf8')).toBe(first);
    expect(first).toContain('<Key Id="x-functions-key" StorageReferenceId="B2C_1A_JIT_ApiKey" />');
  });

  it('--json: one object with the files in upload order and the keys of bearer', async () => {
    const result = await run([...required(dir), '--auth', 'bearer', '--api-app-id', API_APP_ID, '--policy-prefix', 'B2C_1A_Contoso', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { schema: string; auth: string; uploadOrder: string[]; files: { policyId: string; path: string }[]; policyKeys: { name: string; usage: string }[] };
    expect(summary.schema).toBe(B2C_POLICIES_SCHEMA);
    expect(summary.auth).toBe('bearer');
    expect(summary.uploadOrder).toEqual(['B2C_1A_Contoso_Migration', 'B2C_1A_Contoso_SignUpOrSignIn', 'B2C_1A_Contoso_PasswordReset']);
    expect(summary.files.map((file) => file.path)).toEqual(summary.uploadOrder.map((id) => path.join(dir, `${id}.xml`)));
    expect(summary.policyKeys.map((key) => [key.name, key.usage])).toEqual([
      ['B2C_1A_Contoso_ApiClientId', 'Signature'],
      ['B2C_1A_Contoso_ApiClientSecret', 'Signature'],
    ]);
  });

  it.each([
    [['--auth', 'basic', '--api-url', 'https://func-jit.azurewebsites.net/api'], /^--api-url must be the function app's origin alone/],
    [['--auth', 'bearer'], /^--api-app-id or --api-scope is required with --auth bearer/],
    [['--auth', 'basic', '--api-app-id', API_APP_ID], /^--api-app-id only applies with --auth bearer \(--auth is basic\): leave it out/],
    [['--auth', 'oauth'], /^--auth must be one of bearer, basic, clientCertificate, apiKey/],
    [['--auth', 'apiKey', '--api-key-header', 'Host'], /^--api-key-header cannot be Host/],
    [['--auth', 'basic', '--policy-prefix', 'JIT'], /^--policy-prefix must start with B2C_1A_/],
    [['--auth', 'basic', '--tenant', 'contoso.com'], /^--tenant must be the B2C tenant's initial domain/],
  ])('%j is a usage error (exit 2) naming the flag, and writes nothing', async (extra, message) => {
    const out = path.join(dir, 'out');
    const result = await run([...required(out), ...extra]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.replace(/^jitmigrate b2c-policies: /, '')).toMatch(message);
    await expect(fs.stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('without --out, or with --out a file, is a usage error', async () => {
    const withoutOut = await run(required(dir).slice(0, -2));
    expect(withoutOut.code).toBe(2);
    expect(withoutOut.stderr).toContain('--out is required');
    const file = path.join(dir, 'file');
    await fs.writeFile(file, 'x');
    const intoFile = await run([...required(file), '--auth', 'basic']);
    expect(intoFile.code).toBe(2);
    expect(intoFile.stderr).toContain(`--out ${file} cannot be used: it is a file, not a folder`);
  });

  it('runs through the jitmigrate launcher, listed in the command list', () => {
    const result = spawnSync(process.execPath, [bin, 'b2c-policies', ...required(dir), '--auth', 'clientCertificate'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('B2C_1A_JIT_ApiClientCertificate');
    expect(result.stdout).toContain('uploadPkcs12');
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(help.stdout).toMatch(/b2c-policies\s+write the Azure AD B2C custom policies/);
  });
});
