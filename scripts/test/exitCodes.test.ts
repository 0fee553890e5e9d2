/**
 * One exit-code rule for every `jitmigrate` command, as an operator's script sees it (real processes through the
 * bin launcher): 2 for a usage error, 1 for a runtime failure, 0 for help. `npm test` builds the bundle first.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScriptedServer } from '../../test/emulators/graph/scripted';
import { fixture } from './fixtures/exports/fixtures';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'scripts', 'bin', 'jitmigrate.cjs');
const COMMANDS = ['verify-hash', 'keygen', 'serve', 'sandbox', 'bench', 'import-legacy', 'provision-users', 'status', 'reconcile', 'finish', 'bench-provision'];
const FLAG = 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated';

/** Asynchronous, so an in-process server can answer the child. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-exit-codes-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('jitmigrate exit codes: 2 for usage in every command', () => {
  it.each(COMMANDS)('%s --no-such-option exits 2 and names the option', async (command) => {
    const result = await run([command, '--no-such-option']);
    expect(result.stderr).toMatch(/Unknown option '--no-such-option'/);
    expect(result.code).toBe(2);
  });

  it.each([
    [['keygen', '--bits', '3072'], /--bits must be 2048 or 4096: the RSA key sizes Entra accepts/],
    [['keygen', '--days', '0'], /--days must be a whole number from 1 to 3650/],
    [['verify-hash', 'lines.jsonl'], /Unexpected argument 'lines\.jsonl'/],
    [['serve', '--port', '70000'], /--port must be a whole number from 1 to 65535/],
    [['bench', '--iterations', 'many'], /--iterations must be a whole number/],
    [['status'], /--migration-property is required/],
    [['finish', '--migration-property', FLAG, '--yes'], /--yes confirms --remove-listener-apps or --delete-listener/],
    [['import-legacy', '--input', 'x.csv'], /--preset is required/],
    [['provision-users'], /--input FILE is required/],
    [[], /usage: jitmigrate <command>/],
    [['no-such-command'], /unknown command 'no-such-command'/],
  ])('%j exits 2', async (args, message) => {
    const out = path.join(dir, `keys-${args.join('-')}`);
    const result = await run(args[0] === 'keygen' ? [...args, '--out', out] : args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    if (args[0] === 'keygen') expect(await fs.readdir(out).catch(() => [])).toEqual([]); // nothing written
  });

  it('help exits 0 on stdout', async () => {
    for (const args of [['--help'], ['help'], ['keygen', '--help'], ['finish', '-h']]) {
      const result = await run(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/usage: jitmigrate/);
    }
  });
});

describe('jitmigrate exit codes: 1 for a runtime failure', () => {
  let graph: ScriptedServer;
  beforeAll(async () => {
    graph = await ScriptedServer.start(() => ({ status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } }));
  });
  afterAll(async () => {
    await graph?.stop();
  });

  it.each([
    ['status', ['status', '--migration-property', FLAG, '--store', 'file', '--users-file', 'USERS']],
    ['reconcile', ['reconcile', '--migration-property', FLAG, '--store', 'file', '--users-file', 'USERS', '--dry-run']],
    ['finish', ['finish', '--migration-property', FLAG, '--report', 'REPORT']],
    ['provision-users', ['provision-users', '--input', fixture('generic-users.csv'), '--migration-property', FLAG, '--domain', 'contoso.onmicrosoft.com', '--checkpoint', 'CHECKPOINT']],
  ])('%s exits 1 when Graph refuses', async (_name, args) => {
    const usersFile = path.join(dir, 'users.jsonl');
    const user = { username: 'ann@example.com', hash: '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO', status: 'active', mustChangePassword: false, migrated: false };
    await fs.writeFile(usersFile, `${JSON.stringify(user)}\n`);
    const files: Record<string, string> = { USERS: usersFile, REPORT: path.join(dir, 'never.jsonl'), CHECKPOINT: path.join(dir, 'provision.checkpoint.jsonl') };
    const result = await run(args.map((arg) => files[arg] ?? arg), { JITMIGRATE_GRAPH_URL: graph.url, JITMIGRATE_GRAPH_TOKEN: 'exit-codes-token' });
    expect(result.stdout + result.stderr).toMatch(/Insufficient privileges|403|failed/i);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.code).toBe(1);
  });

  it('import-legacy exits 1 when every record is rejected for one reason (a wrong preset)', async () => {
    const result = await run(['import-legacy', '--input', fixture('keycloak-realm.json'), '--preset', 'generic', '--dry-run']);
    expect(result.stderr).toMatch(/run again with --preset keycloak/);
    expect(result.code).toBe(1);
  });
});
