/**
 * The `jitmigrate` CLI as an operator runs it: the bin launcher, the bundled CLI, real processes.
 * `npm test` builds the bundle first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { ensureTable } from '../../function/src/legacy';
import { startAzurite, type AzuriteTables } from '../../function/test/support/azurite';
import { FakeEntra } from '../../function/test/support/fakeEntra';
import { sampleUsers, STRONG, writeUsersFile } from '../../function/test/support/users';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'scripts', 'bin', 'jitmigrate.cjs');

function run(args: string[], input?: string, env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', env, timeout: 60_000 });
}

describe('jitmigrate verify-hash', () => {
  it('writes one result per input line, in order, and exits 0', () => {
    const lines = [
      { hash: '$1$rCzDfJtt$DKEhLpg8gxmKMlIBBNXYD0', password: 'password' }, // mkpasswd -m md5 (vector file)
      { hash: '$1$rCzDfJtt$DKEhLpg8gxmKMlIBBNXYD0', password: 'password1' },
      { hash: 'not-a-hash', password: 'x' },
      { hash: '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=', password: 'password' },
    ].map((l) => JSON.stringify(l));
    const result = run(['verify-hash'], [...lines, 'this is not json', ''].join('\n'));
    expect(result.status).toBe(0);
    const out = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toEqual([
      { ok: true, scheme: 'md5-crypt' },
      { ok: false, scheme: 'md5-crypt' },
      { ok: false, error: 'unrecognized hash format' },
      { ok: true, scheme: 'ldap-sha' },
      { ok: false, error: 'the line is not valid JSON' },
    ]);
    expect(result.stdout).not.toContain('password');
  });

  it('verifies Firebase scrypt with its params', () => {
    // The firebase/scrypt README's published vector.
    const vector = {
      hash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==',
      password: 'user1password',
      params: { algorithm: 'firebase-scrypt', salt: '42xEC+ixf3L2lw==', signerKey: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==', saltSeparator: 'Bw==', rounds: 8, memCost: 14 },
    };
    const result = run(['verify-hash'], `${JSON.stringify(vector)}\n${JSON.stringify({ ...vector, password: 'user2password' })}\n`);
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { ok: true, scheme: 'firebase-scrypt' },
      { ok: false, scheme: 'firebase-scrypt' },
    ]);
  });
});

describe('jitmigrate keygen', () => {
  it('writes the key files with mode 0600 and never prints the private key', async () => {
    const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'jit-keygen-')), 'keys');
    const result = run(['keygen', '--out', dir]);
    expect(result.status).toBe(0);
    for (const name of ['decryption-key.pem', 'private-key.pem', 'certificate.pem', 'key-credential.json']) {
      const stat = await fs.stat(path.join(dir, name));
      expect(stat.mode & 0o777).toBe(0o600);
    }
    const privateKeyPem = await fs.readFile(path.join(dir, 'private-key.pem'), 'utf8');
    expect(result.stdout + result.stderr).not.toContain(privateKeyPem.split('\n')[1]!);
    expect(result.stdout + result.stderr).not.toMatch(/PRIVATE KEY/);

    const certificate = new X509Certificate(await fs.readFile(path.join(dir, 'certificate.pem')));
    expect(certificate.checkPrivateKey(createPrivateKey(privateKeyPem))).toBe(true);
    const credential = JSON.parse(await fs.readFile(path.join(dir, 'key-credential.json'), 'utf8')) as {
      keyCredentials: { keyId: string; type: string; usage: string; key: string }[];
      tokenEncryptionKeyId: string;
      x5t: string;
    };
    const entry = credential.keyCredentials[0]!;
    expect(entry).toMatchObject({ type: 'AsymmetricX509Cert', usage: 'Encrypt' });
    expect(entry.keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(credential.tokenEncryptionKeyId).toBe(entry.keyId);
    expect(Buffer.from(entry.key, 'base64').equals(certificate.raw)).toBe(true);
    const x5t = createHash('sha1').update(certificate.raw).digest('base64url');
    expect(credential.x5t).toBe(x5t);
    expect(result.stdout).toContain(x5t);
    expect((certificate.publicKey.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048).toBe(true);

    // A second run refuses to overwrite the key: a usage error (choose another --out, or --force).
    const again = run(['keygen', '--out', dir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists: choose another --out directory or pass --force/);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('jitmigrate serve', () => {
  it('serves the same endpoint on loopback from the app settings', async () => {
    const tenantId = '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091';
    const extensionAppId = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
    const entra = await FakeEntra.start({ tenantId, extensionAppId });
    const keys = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'jit-serve-')), 'keys');
    expect(run(['keygen', '--out', keys]).status).toBe(0);
    const usersFile = await writeUsersFile(await sampleUsers());
    const port = await freePort();
    const env = {
      ...process.env,
      DecryptionPrivateKey: await fs.readFile(path.join(keys, 'decryption-key.pem'), 'utf8'),
      ExternalIdTenantId: tenantId,
      PasswordChangeCheck: 'off',
      ExtensionAppId: extensionAppId,
      OpenIdMetadataUrl: entra.metadataUrl,
      LegacyStore: 'file',
      LegacyUsersFile: usersFile,
    };
    const child = spawn(process.execPath, [bin, 'serve', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const url = `http://127.0.0.1:${port}/api/onPasswordSubmit`;
    try {
      let health: Response | undefined;
      for (let i = 0; i < 200 && !health; i++) {
        health = await fetch(url).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 50));
      }
      expect(health?.status).toBe(200);
      const certificatePem = await fs.readFile(path.join(keys, 'certificate.pem'), 'utf8');
      const context = await entra.encryptPasswordContext({ username: 'alice@contoso.com', password: STRONG, nonce: 'serve-nonce' }, certificatePem);
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${await entra.mintAccessToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify(entra.passwordSubmitBody(context)),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        data: { '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData', actions: [{ '@odata.type': 'microsoft.graph.passwordSubmit.MigratePassword' }], nonce: 'serve-nonce' },
      });
      expect((await fetch(`http://127.0.0.1:${port}/elsewhere`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await entra.stop();
    }
    expect(output).toContain('jit.passwordSubmit');
    expect(output).not.toContain(STRONG);
  });

  it('starts not ready, naming the settings to fix, instead of crashing', async () => {
    const { status, body, stderr } = await firstHealthAnswer({ PATH: process.env.PATH ?? '' });
    expect(status).toBe(503);
    expect((body as { problems: { setting: string }[] }).problems.map((p) => p.setting)).toEqual(expect.arrayContaining(['DecryptionPrivateKey', 'ExternalIdTenantId', 'ExtensionAppId']));
    expect(stderr).toMatch(/DecryptionPrivateKey is not set/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names a settings problem, a broken key and a missing users file in the same start-up message', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      ExternalIdTenantId: '6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f',
      ExtensionAppId: 'c0ffee00-1234-4abc-9def-0123456789ab',
      DecryptionPrivateKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
      LegacyStore: 'file',
      LegacyUsersFile: '/nonexistent/users.jsonl',
      PasswordChangeCheck: 'off',
      ClockSkewSeconds: 'soon',
    };
    const { status, stderr } = await firstHealthAnswer(env);
    expect(status).toBe(503);
    const named = stderr.split('\n').map((line) => line.split(' ')[0]);
    expect(named).toEqual(expect.arrayContaining(['ClockSkewSeconds', 'DecryptionPrivateKey', 'LegacyUsersFile']));
    expect(stderr).not.toContain('not a key');
  });
});

/** `jitmigrate serve` as a child process until its first health-check answer; then stopped. */
async function firstHealthAnswer(env: NodeJS.ProcessEnv): Promise<{ status: number | undefined; body: unknown; stderr: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let status: number | undefined;
  let body: unknown;
  try {
    let health: Response | undefined;
    for (let i = 0; i < 200 && !health; i++) {
      health = await fetch(`http://127.0.0.1:${port}/api/onPasswordSubmit`).catch(() => undefined);
      if (!health) await new Promise((r) => setTimeout(r, 50));
    }
    status = health?.status;
    body = health ? await health.json() : undefined;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  // Read after the exit: everything the host wrote is in.
  return { status, body, stderr };
}

/** `jitmigrate serve` as a child process, ready once it answers the health check. */
async function startServe(env: NodeJS.ProcessEnv): Promise<{ url: string; output: () => string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}/api/onPasswordSubmit`;
  for (let i = 0; i < 200 && !(await fetch(url).catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    url,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('jitmigrate serve over a shared state table (Azurite)', () => {
  const tenantId = '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091';
  const extensionAppId = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
  let entra: FakeEntra;
  let azurite: AzuriteTables;
  let certificatePem: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [entra, azurite] = await Promise.all([FakeEntra.start({ tenantId, extensionAppId }), startAzurite()]);
    const keys = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'jit-serve-')), 'keys');
    expect(run(['keygen', '--out', keys]).status).toBe(0);
    certificatePem = await fs.readFile(path.join(keys, 'certificate.pem'), 'utf8');
    await ensureTable(TableClient.fromConnectionString(azurite.connectionString, 'JitState', { allowInsecureConnection: true }));
    env = {
      ...process.env,
      DecryptionPrivateKey: await fs.readFile(path.join(keys, 'decryption-key.pem'), 'utf8'),
      ExternalIdTenantId: tenantId,
      ExtensionAppId: extensionAppId,
      OpenIdMetadataUrl: entra.metadataUrl,
      PasswordChangeCheck: 'off',
      LegacyStore: 'file',
      LegacyUsersFile: await writeUsersFile(await sampleUsers()),
      StateStore: 'table',
      StateTableConnectionString: azurite.connectionString,
      LockoutThreshold: '5',
    };
  });

  afterAll(async () => {
    await Promise.all([entra?.stop(), azurite?.stop()]);
  });

  async function post(url: string, username: string, password: string): Promise<{ status: number; action?: string; title?: string }> {
    const context = await entra.encryptPasswordContext({ username, password, nonce: `serve-${Math.random()}` }, certificatePem);
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${await entra.mintAccessToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify(entra.passwordSubmitBody(context)),
    });
    const body = (await response.json().catch(() => ({}))) as { data?: { actions?: { '@odata.type': string; title?: string }[] } };
    const action = body.data?.actions?.[0];
    return { status: response.status, action: action?.['@odata.type'].replace('microsoft.graph.passwordSubmit.', ''), title: action?.title };
  }

  it('verifies at most LockoutThreshold of 50 concurrent wrong passwords sent to two serve processes', async () => {
    const servers = await Promise.all([startServe(env), startServe(env)]);
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post(servers[i % 2]!.url, 'mallory@contoso.com', `Wrong-Guess-${i}`)));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      const retries = answers.filter((a) => a.action === 'Retry').length;
      process.stdout.write(`jitmigrate serve, 50 concurrent wrong passwords over two processes: ${retries} Retry\n`);
      expect(retries).toBeGreaterThan(0);
      expect(retries).toBeLessThanOrEqual(5);
      // The rest were refused unverified: locked out (or, on a loaded machine, out of time).
      expect(answers.filter((a) => a.action !== 'Retry').every((a) => a.action === 'Block')).toBe(true);
      expect(answers.some((a) => a.title === 'Too many attempts')).toBe(true);
      for (const server of servers) expect(await post(server.url, 'mallory@contoso.com', STRONG)).toMatchObject({ action: 'Block', title: 'Too many attempts' });
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });

  it('starts not ready when the state table does not exist, naming StateTableName', async () => {
    const server = await startServe({ ...env, StateTableName: 'NoSuchTable' });
    try {
      const health = await fetch(server.url);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { problems: unknown[] }).problems).toEqual([
        { setting: 'StateTableName', problem: expect.stringMatching(/^names a table that does not exist in the storage account .*or correct StateTableName$/) },
      ]);
      expect((await post(server.url, 'alice@contoso.com', STRONG)).status).toBe(503);
    } finally {
      await server.stop();
    }
    expect(server.output()).toMatch(/Not ready \(GET answers 503\) until these settings are fixed:\nStateTableName names a table that does not exist/);
  });
});

/** The rows of the sandbox's table whose header matches, up to the blank line after it. */
function tableRows(stdout: string, header: RegExp): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => header.test(line));
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 2, end < 0 ? undefined : end);
}

/** The rows of the sandbox's B2C table (the one headed `journey  user ...`). */
function b2cTableRows(stdout: string): string[] {
  return tableRows(stdout, /^journey\s+user\s+attempt\s+what happened\s+REST calls\s+as expected/);
}

describe('npm start (sandbox)', () => {
  it('signs the sample users in and exits 0 with every answer as expected', () => {
    const result = run(['sandbox']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Every answer was the expected one\./);
    for (const action of ['MigratePassword', 'UpdatePassword', 'Retry', 'Block']) expect(result.stdout).toContain(action);
    // Entra clears the flag after MigratePassword/UpdatePassword; status counts Graph's flags (checked against status itself below).
    expect(result.stdout).toMatch(/Migration progress \(as jitmigrate status counts it\): 7 of 10 users migrated \(70 %\), 3 pending \(flag still true, disabled and locked-out users included\), 0 failed/);
    expect(result.stdout).toContain('jitmigrate status --history progress.jsonl --chart progress.html');
    expect(result.stdout).toMatch(/Imported 10 legacy users into Azurite with import-legacy \(schemes: .*bcrypt.*\)/);
    // Provisioned into the Graph emulator, checked against it: the old legacy password after a reset in Entra is refused.
    expect(result.stdout).toMatch(/Provisioned 10 External ID users in the Graph emulator with provision-users, created 30 days ago/);
    expect(result.stdout).toMatch(/judy@contoso\.com .*reset in Entra after provisioning; old legacy password\s+Retry\s+yes/);
    expect(result.stdout).toMatch(/Superseded: 1 legacy record\(s\): a password set in Entra replaced the legacy one/);

    // The B2C half: one row per journey of the data file, each checked against the stand-in's directory.
    const journeys = (JSON.parse(readFileSync(path.join(root, 'scripts', 'sandbox', 'sample-b2c-journeys.json'), 'utf8')) as { journeys: unknown[] }).journeys;
    const b2cRows = b2cTableRows(result.stdout);
    expect(b2cRows).toHaveLength(journeys.length);
    for (const row of b2cRows) expect(row).toMatch(/ yes\s*$/);
    const row = (journey: string, user: string, attempt: string, happened: string, calls: string): RegExp =>
      new RegExp(`^${[journey, user, attempt, happened, calls].map((cell) => cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+')}\\s+yes`, 'm');
    expect(result.stdout).toMatch(row('signIn', 'alice@contoso.com', 'pre-provisioned, right password', 'signed in: password migrated, flag cleared', 'signin 200'));
    expect(result.stdout).toMatch(row('signIn', 'alice@contoso.com', 'again: flag now false', 'signed in by B2C alone', 'none'));
    expect(result.stdout).toMatch(row('signIn', 'bob@contoso.com', 'legacy only (stored as Bob@Contoso.com), right password', 'account created with the legacy profile (Bob Jones)', 'signin 200'));
    expect(result.stdout).toMatch(row('signIn', 'erin@contoso.com', 'pre-provisioned, wrong password', 'refused: Invalid user name or password.', 'signin 409'));
    expect(result.stdout).toMatch(row('signIn', 'ivan@contoso.com', 'right password, locked out', 'refused: Too many incorrect passwords. Wait 15 minutes and try again, or reset your password.', 'signin 409'));
    expect(result.stdout).toMatch(row('signIn', 'dave@contoso.com', 'migrated before (flag false), B2C password', 'signed in by B2C alone', 'none'));
    expect(result.stdout).toMatch(row('signUp', 'frank@contoso.com', 'legacy email, not migrated yet', 'refused: There is a user with same email address.', 'signup 409'));
    expect(result.stdout).toMatch(row('signUp', 'newcomer@contoso.com', 'new email', 'account created (sign-up)', 'signup 200'));
    expect(result.stdout).toMatch(row('passwordReset', 'judy@contoso.com', 'legacy only, new password', 'account created with the legacy profile', 'password-reset 200'));
    expect(result.stdout).toMatch(row('signIn', 'judy@contoso.com', 'with the new password', 'signed in by B2C alone', 'none'));
    // The B2C directory is a B2C-mode Graph emulator that provision-users filled; status counts what the journeys wrote there.
    expect(result.stdout).toMatch(/B2C directory: a Graph emulator in B2C mode; provisioned 4 B2C users in it with provision-users --platform b2c \(flag extension_[0-9a-f]{32}_requiresMigration\)/);
    expect(result.stdout).toContain(
      'B2C migration progress (as jitmigrate status --platform b2c counts it, paging through the users): 4 of 10 users migrated (40 %), ' +
        '3 pending (flag still true, disabled and locked-out users included), 3 failed (not provisioned).',
    );

    // From B2C to External ID: export-b2c's counts, the phone method read back, and one row per first sign-in of the data file.
    expect(result.stdout).toContain(
      'export-b2c, run in-process against it: 8 users read; exported 5 (email 5, username 0; 1 disabled, to be created disabled); ' +
        'not migrated 3, reported: social 1 [facebook.com 1], guest 1, username-only 1.',
    );
    expect(result.stdout).toMatch(/provision-users --preset b2c --mfa-methods phone into the External ID Graph emulator: 5 of 5 exported users created \(flag extension_[0-9a-f]{32}_toBeMigrated, B2C object id in extension_[0-9a-f]{32}_b2cObjectId\)/);
    expect(result.stdout).toContain("Phone method carried over: mia@contoso.com has mobile +44 7700900123 in External ID (read back from the emulator's phoneMethods).");
    const signIns = (JSON.parse(readFileSync(path.join(root, 'scripts', 'sandbox', 'sample-b2c-to-externalid.json'), 'utf8')) as { signIns: { password: string }[] }).signIns;
    const migrationRows = tableRows(result.stdout, /^username\s+attempt\s+action\s+message shown\s+ROPC calls\s+as expected\s+ms/);
    expect(migrationRows).toHaveLength(signIns.length);
    const cells = (...values: string[]): string => values.map((cell) => cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+');
    const ms = (row: string): number => Number(/(\d+)\s*$/.exec(row)![1]);
    expect(migrationRows[0]).toMatch(new RegExp(`^${cells('mia@contoso.com', 'B2C password, verified by ROPC', 'MigratePassword', '1', 'yes')}\\s+\\d+\\s*$`));
    expect(migrationRows[1]).toMatch(new RegExp(`^${cells('noah@contoso.com', 'wrong password', 'Retry', '1', 'yes')}\\s+\\d+\\s*$`));
    expect(migrationRows[2]).toMatch(new RegExp(`^${cells('noah@contoso.com', 'right password on the next try', 'MigratePassword', '1', 'yes')}\\s+\\d+\\s*$`));
    expect(migrationRows[3]).toMatch(
      new RegExp(`^${cells('olivia@contoso.com', 'account locked in B2C', 'Block', 'Your account is locked for now after too many attempts. Try again later, or reset your password.', '1', 'yes')}`),
    );
    expect(migrationRows[4]).toMatch(
      new RegExp(`^${cells('liam@contoso.com', 'B2C hangs: LegacyErrorAction (Block) at the deadline', 'Block', 'We could not verify your password right now. Try again in a few minutes.', '1', 'yes')}`),
    );
    // The hang is cut off by the callout's deadline (CalloutBudgetMs 500 there), before Entra gives up at 2 s.
    expect(ms(migrationRows[4]!)).toBeGreaterThanOrEqual(500);
    expect(ms(migrationRows[4]!)).toBeLessThan(2000);
    for (const { password } of signIns) expect(result.stdout).not.toContain(password);
  });

  it('--port names a port in use: a clear error, not a raw EADDRINUSE', async () => {
    const busy = net.createServer();
    const port = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as net.AddressInfo).port)));
    try {
      const result = run(['sandbox', '--port', String(port)]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is in use: stop what listens there or choose another --port`);
      expect(result.stderr).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      busy.close();
    }
  });

  it('--serve --port: writes its settings for serve --settings, never a secret value, and counts progress as status does', async () => {
    const cwd = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'jit-sandbox-serve-')));
    const port = await freePort();
    const sandbox = spawn(process.execPath, [bin, 'sandbox', '--serve', '--port', String(port)], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    sandbox.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    sandbox.stderr.on('data', (c: Buffer) => (stdout += c.toString()));
    const sandboxExit = new Promise<number | null>((resolve) => sandbox.once('exit', (code) => resolve(code)));
    let stopOwn: (() => Promise<unknown>) | undefined;
    try {
      for (let i = 0; i < 1200 && !stdout.includes('npx jitmigrate serve'); i++) await new Promise((r) => setTimeout(r, 50));
      expect((await fetch(`http://127.0.0.1:${port}/api/onPasswordSubmit`)).status).toBe(200);

      const settingsFile = path.join(cwd, '.sandbox', 'local.settings.json');
      expect(stdout).toContain(`The function's settings are in ${settingsFile}`);
      const settingsText = await fs.readFile(settingsFile, 'utf8');
      const values = (JSON.parse(settingsText) as { Values: Record<string, string> }).Values;
      const secrets: Record<string, string> = {};
      for (const name of ['DecryptionPrivateKey', 'LegacyTableConnectionString', 'JITMIGRATE_GRAPH_TOKEN']) {
        const file = path.join(cwd, '.sandbox', 'secrets', name);
        expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
        secrets[name] = await fs.readFile(file, 'utf8');
        expect(values[name]).toBeUndefined();
        expect(stdout).not.toContain(secrets[name]);
        expect(settingsText).not.toContain(secrets[name]);
      }
      expect(stdout + settingsText).not.toMatch(/PRIVATE KEY|AccountKey=/);

      // The B2C function: its own settings and secret files, and the printed curl lines work with the written secret.
      for (let i = 0; i < 200 && !/Serve your own copy of it:\n\n {2}.*\n/.test(stdout); i++) await new Promise((r) => setTimeout(r, 50));
      const b2cSettingsText = await fs.readFile(path.join(cwd, '.sandbox', 'b2c', 'local.settings.json'), 'utf8');
      expect((JSON.parse(b2cSettingsText) as { Values: Record<string, string> }).Values).toMatchObject({ IdentityPlatform: 'b2c', B2cApiAuth: 'basic', LegacyTableName: 'LegacyUsersB2c', StateTableName: 'JitStateB2c' });
      for (const name of ['B2cBasicPassword', 'RequestKeySecret', 'LegacyTableConnectionString', 'StateTableConnectionString']) {
        const file = path.join(cwd, '.sandbox', 'b2c', 'secrets', name);
        expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
        const secret = await fs.readFile(file, 'utf8');
        expect(stdout).not.toContain(secret);
        expect(b2cSettingsText).not.toContain(secret);
      }
      const healthUrl = /\n {2}curl -s (http:\S+\/api\/b2c\/health) /.exec(stdout)![1]!;
      expect((await fetch(healthUrl)).status).toBe(200);
      const [, user, passwordFile, bodyFile, signInUrl] = /\n {2}curl -s -u "([\w-]+):\$\(cat (\S+)\)" -H 'content-type: application\/json' -d @(\S+) (http:\S+\/api\/b2c\/signin)\n/.exec(stdout)!;
      expect((await fs.stat(path.join(cwd, bodyFile!))).mode & 0o777).toBe(0o600);
      const body = await fs.readFile(path.join(cwd, bodyFile!), 'utf8');
      const b2cPost = (authorization: string) => fetch(signInUrl!, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
      expect((await b2cPost(`Basic ${Buffer.from(`${user}:not-the-password`).toString('base64')}`)).status).toBe(401);
      const b2cSignIn = await b2cPost(`Basic ${Buffer.from(`${user}:${await fs.readFile(path.join(cwd, passwordFile!), 'utf8')}`).toString('base64')}`);
      expect(b2cSignIn.status).toBe(200);
      expect(await b2cSignIn.json()).toMatchObject({ migrationOutcome: 'migrated' });

      // status, pointed at the sandbox's emulators, counts what the sandbox printed.
      const flag = /\(flag (extension_\w+)\)/.exec(stdout)![1]!;
      const status = run(['status', '--migration-property', flag, '--table-connection-string', secrets.LegacyTableConnectionString!, '--json'], undefined, {
        PATH: process.env.PATH ?? '',
        JITMIGRATE_GRAPH_URL: values.JITMIGRATE_GRAPH_URL,
        JITMIGRATE_GRAPH_TOKEN: secrets.JITMIGRATE_GRAPH_TOKEN,
      });
      expect(status.status).toBe(0);
      const t = (JSON.parse(status.stdout) as { totals: { users: number; migrated: number; pending: number; failed: number; percentMigrated: number } }).totals;
      expect(stdout).toContain(`Migration progress (as jitmigrate status counts it): ${t.migrated} of ${t.users} users migrated (${t.percentMigrated} %), ${t.pending} pending`);
      expect(stdout).toContain(`, ${t.failed} failed (not provisioned)`);

      // The printed command serves a working copy (npx resolves to this checkout's bin).
      const command = /\n {2}(DecryptionPrivateKey=.* npx jitmigrate serve .*)\n/.exec(stdout)![1]!;
      const ownPort = await freePort();
      const runnable = command.replace('npx jitmigrate', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)}`).replace(/--port \d+$/, `--port ${ownPort}`);
      // Its own process group, so the shell and the serve it runs stop together.
      const own = spawn('sh', ['-c', runnable], { cwd, stdio: 'ignore', detached: true, env: { PATH: process.env.PATH ?? '' } });
      const ownExit = new Promise((resolve) => own.once('exit', resolve));
      stopOwn = () => {
        try {
          process.kill(-own.pid!, 'SIGTERM');
        } catch {
          // already gone
        }
        return ownExit;
      };
      let health: Response | undefined;
      for (let i = 0; i < 200 && !health; i++) {
        health = await fetch(`http://127.0.0.1:${ownPort}/api/onPasswordSubmit`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 50));
      }
      expect(health?.status).toBe(200);
      const signIn = await fetch(`http://127.0.0.1:${ownPort}/api/onPasswordSubmit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await fs.readFile(path.join(cwd, '.sandbox', 'token'), 'utf8')}`, 'content-type': 'application/json' },
        body: await fs.readFile(path.join(cwd, '.sandbox', 'request.json'), 'utf8'),
      });
      expect(signIn.status).toBe(200);
    } finally {
      await stopOwn?.();
      sandbox.kill('SIGTERM');
      expect(await sandboxExit).toBe(0);
      await fs.rm(cwd, { recursive: true, force: true });
    }
  }, 90_000);
});
