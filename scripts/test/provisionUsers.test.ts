/**
 * `provision-users` as an operator runs it: argv in, exit code and output out, against the loopback Graph
 * emulator through JITMIGRATE_GRAPH_URL / JITMIGRATE_GRAPH_TOKEN, reading real export files. The crash test
 * runs the bundled CLI in a child process and kills it with SIGKILL mid-run.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { build } from 'esbuild';
import BUNDLE_EXTERNALS from '../bundle-externals.json';
import type { GraphEmulator } from '../../test/emulators/graph';
import { benchProvisionCommand } from '../src/commands/benchProvision';
import { runProvisionUsers, type ProvisionIo } from '../src/commands/provisionUsers';
import { compareWithInput, EMULATOR_TOKEN, startTenant, TENANT_DOMAIN } from '../src/provisioning/testing/fixtures';

const root = path.resolve(__dirname, '..', '..');

interface Captured {
  io: ProvisionIo;
  stdout(): string;
  stderr(): string;
}

function capture(env: NodeJS.ProcessEnv, extra: Partial<ProvisionIo> = {}): Captured {
  const sink = () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
  };
  const out = sink();
  const err = sink();
  // Virtual time: every wait (Retry-After, pacing) moves the clock forward in full but really lasts at most 40 ms.
  let skipped = 0;
  const now = () => Date.now() + skipped;
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      skipped += Math.max(0, ms - 40);
      const timer = setTimeout(resolve, Math.min(ms, 40));
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  return { io: { stdout: out.stream, stderr: err.stream, env, sleep, now, ...extra }, stdout: out.text, stderr: err.text };
}

/** The generic preset's JSON lines. */
function exportLines(count: number, first = 1): string {
  return Array.from({ length: count }, (_, index) => {
    const n = first + index;
    return JSON.stringify({ username: `user${n}@example.com`, hash: '$2b$04$only.a.test.hash.only.a.test.hash.only.a.tes', displayName: `User ${n}`, givenName: 'Test', surname: `Number${n}` });
  }).join('\n');
}

const emails = (count: number) => Array.from({ length: count }, (_, index) => `user${index + 1}@example.com`);

describe('jitmigrate provision-users', () => {
  let emulator: GraphEmulator;
  let flag: string;
  let dir: string;
  let input: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    ({ emulator, migrationProperty: flag } = await startTenant());
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-provision-cli-'));
    input = path.join(dir, 'users.jsonl');
    env = { JITMIGRATE_GRAPH_URL: emulator.url, JITMIGRATE_GRAPH_TOKEN: EMULATOR_TOKEN };
  });
  afterEach(async () => {
    await emulator.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const required = () => ['--input', input, '--migration-property', flag, '--domain', TENANT_DOMAIN];
  const checkpointFile = () => `${input}.provision.checkpoint.jsonl`;
  const errorsFile = () => `${input}.provision.errors.jsonl`;
  const passwordsInTenant = () => [...emulator.users.values()].map((user) => (user.passwordProfile as { password: string }).password);

  it('creates every user, prints the summary, and writes the checkpoint and report next to the input', async () => {
    await fs.writeFile(input, exportLines(45));
    const run = capture(env);
    expect(await runProvisionUsers(required(), run.io)).toBe(0);
    expect(compareWithInput(emulator, emails(45))).toEqual({ lost: 0, duplicated: 0, users: 45 });
    expect(run.stdout()).toMatch(/provision-users: 45 records in .*\n\s+created\s+45\n\s+exist already\s+0\n\s+failed\s+0/);
    expect(run.stdout()).toContain('Every user is in the tenant, flagged for just-in-time migration.');
    expect(run.stderr()).toMatch(/provision-users: 45, .*done in/); // the progress reporter's closing line
    expect((await fs.readFile(checkpointFile(), 'utf8')).split('\n').filter((line) => line.includes('"created"'))).toHaveLength(45);
    expect(await fs.readFile(errorsFile(), 'utf8')).toBe('');
    const user = [...emulator.users.values()][0] as Record<string, unknown>;
    expect(user).toMatchObject({ givenName: 'Test', [flag]: true, passwordProfile: { forceChangePasswordNextSignIn: false } });

    // Run again: everything is skipped, nothing is sent.
    const writes = emulator.stats.writes;
    const again = capture(env);
    expect(await runProvisionUsers(required(), again.io)).toBe(0);
    expect(again.stdout()).toMatch(/skipped \(resume\)\s+45/);
    expect(emulator.stats.writes).toBe(writes);
  });

  it('exits 1 when a user fails, lists it in the error report, and never prints or stores a password', async () => {
    const lines = [
      exportLines(3),
      JSON.stringify({ email: '', displayName: 'nobody' }),
      JSON.stringify({ username: 'user1@example.com', displayName: 'again' }),
      JSON.stringify({ username: 'user6@example.com', hash: 'x', givenName: 'g'.repeat(70) }),
    ].join('\n');
    await fs.writeFile(input, lines);
    const errors = path.join(dir, 'report.jsonl');
    const run = capture(env);
    expect(await runProvisionUsers([...required(), '--errors', errors], run.io)).toBe(1);
    expect(run.stdout()).toMatch(/failed\s+3/);
    expect(run.stdout()).toContain('Fix the records in the error report and run the same command again');
    const report = (await fs.readFile(errors, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(report.map((line) => [line.record, line.status, line.code])).toEqual([
      [4, 'failed', 'invalid-row'],
      [5, 'failed', 'invalid-row'],
      [6, 'failed', 'invalid-attribute'],
    ]);
    for (const line of report) expect(Object.keys(line)).toEqual(['record', 'username', 'status', 'code', 'reason']);

    const passwords = passwordsInTenant();
    expect(passwords).toHaveLength(3);
    const everything = [run.stdout(), run.stderr(), await fs.readFile(errors, 'utf8'), await fs.readFile(checkpointFile(), 'utf8')].join('\n');
    for (const password of passwords) expect(everything).not.toContain(password);
  });

  it('reports users already in the tenant as exists and exits 0', async () => {
    await fs.writeFile(input, exportLines(4));
    await runProvisionUsers(required(), capture(env).io);
    await fs.rm(checkpointFile());
    await fs.writeFile(input, exportLines(6));
    const run = capture(env);
    expect(await runProvisionUsers(required(), run.io)).toBe(0);
    expect(run.stdout()).toMatch(/created\s+2\n\s+exist already\s+4/);
    expect(compareWithInput(emulator, emails(6))).toEqual({ lost: 0, duplicated: 0, users: 6 });
  });

  it('rides out throttling: every user created, the summary counts the 429s', async () => {
    emulator.setThrottle({ writesPerWindow: 25, windowMs: 30 });
    await fs.writeFile(input, exportLines(200));
    const run = capture(env);
    expect(await runProvisionUsers(required(), run.io)).toBe(0);
    expect(emulator.stats.throttled).toBeGreaterThan(0);
    expect(run.stdout()).toMatch(/throttled \(429\)\s+[1-9]/);
    expect(compareWithInput(emulator, emails(200))).toEqual({ lost: 0, duplicated: 0, users: 200 });
  });

  it('dry run: writes nothing to Graph or the checkpoint; looks users up only when Graph is configured', async () => {
    await fs.writeFile(input, exportLines(5));
    const offline = capture({});
    expect(await runProvisionUsers([...required(), '--dry-run'], offline.io)).toBe(0);
    expect(offline.stdout()).toMatch(/would create\s+5/);
    expect(offline.stdout()).toContain('not checked: pass --tenant');
    expect(emulator.stats.requests).toBe(1); // only the test's own set-up

    await runProvisionUsers(required(), capture(env).io);
    await fs.rm(checkpointFile());
    await fs.writeFile(input, exportLines(8));
    const writes = emulator.stats.writes;
    const online = capture(env);
    expect(await runProvisionUsers([...required(), '--dry-run'], online.io)).toBe(0);
    expect(online.stdout()).toMatch(/would create\s+3\n\s+exist already\s+5/);
    expect(online.stdout()).toContain('nothing was written to Graph or the checkpoint');
    expect(emulator.stats.writes).toBe(writes);
    await expect(fs.stat(checkpointFile())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stops cleanly on Ctrl-C with exit 130, and the same command resumes', async () => {
    emulator.setFaults({ latencyMs: 2 });
    await fs.writeFile(input, exportLines(300));
    const stop = new AbortController();
    const run = capture(env, { stop: stop.signal });
    const running = runProvisionUsers([...required(), '--max-concurrency', '1'], run.io);
    while (emulator.users.size < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    expect(await running).toBe(130);
    expect(run.stdout()).toMatch(/Interrupted: [\d,]+ records left\. Run the same command again to resume/);
    const first = emulator.users.size;
    expect(first).toBeLessThan(300);

    const resumed = capture(env);
    expect(await runProvisionUsers(required(), resumed.io)).toBe(0);
    expect(resumed.stdout()).toMatch(new RegExp(`skipped \\(resume\\)\\s+${first}`));
    expect(compareWithInput(emulator, emails(300))).toEqual({ lost: 0, duplicated: 0, users: 300 });
  });

  describe('usage errors exit 2 and name the fix', () => {
    it.each<[string, (args: string[]) => string[], RegExp]>([
      ['no --input', (args) => args.slice(2), /--input FILE is required/],
      ['no --migration-property', (args) => [...args.slice(0, 2), ...args.slice(4)], /--migration-property is required: the full extension attribute name/],
      ['a short property name', (args) => args.map((arg) => (arg.startsWith('extension_') ? 'toBeMigrated' : arg)), /put extension_<appId>_ in front/],
      ['a hyphenated appId', (args) => args.map((arg) => (arg.startsWith('extension_') ? 'extension_00001111-aaaa-2222-bbbb-3333cccc4444_x' : arg)), /remove the hyphens/],
      ['no --domain', (args) => args.slice(0, 4), /--domain is required/],
      ['a URL for --domain', (args) => [...args.slice(0, 5), 'https://contoso.onmicrosoft.com'], /--domain must be the tenant's domain/],
      ['an unknown preset', (args) => [...args, '--preset', 'okta'], /--preset okta is unknown: use one of .*generic/],
      ['a bad --max-concurrency', (args) => [...args, '--max-concurrency', '0'], /--max-concurrency must be a whole number from 1 to 32/],
      ['an unknown option', (args) => [...args, '--force'], /Unknown option '--force'/],
      ['a bad --map', (args) => [...args, '--map', 'city'], /--map city: write TARGET=SOURCE/],
      ['an input that does not exist', (args) => args.map((arg) => (arg.endsWith('users.jsonl') ? `${arg}.missing` : arg)), /cannot be read: it does not exist \(ENOENT\): check the path/],
    ])('%s', async (_label, edit, message) => {
      await fs.writeFile(input, exportLines(1));
      const run = capture(env);
      expect(await runProvisionUsers(edit(required()), run.io)).toBe(2);
      expect(run.stderr()).toMatch(message);
      expect(emulator.users.size).toBe(0);
    });

    it('without Graph settings or --tenant, asks for --tenant', async () => {
      await fs.writeFile(input, exportLines(1));
      const run = capture({});
      expect(await runProvisionUsers(required(), run.io)).toBe(2);
      expect(run.stderr()).toMatch(/pass --tenant <External ID tenant ID>/);
    });

    it('a checkpoint from another domain or another input', async () => {
      await fs.writeFile(input, exportLines(3));
      expect(await runProvisionUsers(required(), capture(env).io)).toBe(0);
      const otherDomain = capture(env);
      expect(await runProvisionUsers([...required().slice(0, 5), 'fabrikam.onmicrosoft.com'], otherDomain.io)).toBe(2);
      expect(otherDomain.stderr()).toMatch(/written for --domain contoso.onmicrosoft.com/);

      await fs.writeFile(input, exportLines(3, 10));
      const otherInput = capture(env);
      expect(await runProvisionUsers(required(), otherInput.io)).toBe(2);
      expect(otherInput.stderr()).toMatch(/record 1 is user1@example.com in the checkpoint but user10@example.com in the input: the input changed/);
    });

    it('prints the help with exit 0', async () => {
      const run = capture(env);
      expect(await runProvisionUsers(['--help'], run.io)).toBe(0);
      expect(run.stdout()).toMatch(/^usage: jitmigrate provision-users --input FILE --migration-property NAME --domain DOMAIN/);
    });
  });

  it('survives SIGKILL mid-run: the resume creates nobody twice and loses nobody', async () => {
    const bundle = path.join(dir, 'jitmigrate.cjs');
    await build({
      absWorkingDir: root,
      entryPoints: ['scripts/src/cli.ts'],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: [...BUNDLE_EXTERNALS],
      logLevel: 'error',
      nodePaths: [path.join(root, 'node_modules')],
    });
    // Slow enough to kill in the middle: Graph allows 150 writes per second here.
    emulator.setThrottle({ writesPerWindow: 150, windowMs: 1000 });
    emulator.setFaults({ latencyMs: 1 });
    await fs.writeFile(input, exportLines(900));
    const child = spawn(process.execPath, [bundle, 'provision-users', ...required(), '--max-concurrency', '6'], {
      env: { ...process.env, ...env, NODE_PATH: path.join(root, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let childErr = '';
    child.stderr.on('data', (chunk: Buffer) => (childErr += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (emulator.users.size < 300) {
      if (Date.now() > deadline) throw new Error(`the child never got going: ${childErr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    await exited;
    const atKill = compareWithInput(emulator, emails(900));
    expect(atKill.duplicated).toBe(0);
    expect(atKill.users).toBeLessThan(900);

    emulator.setThrottle(undefined);
    const resumed = capture(env);
    expect(await runProvisionUsers(required(), resumed.io)).toBe(0);
    expect(compareWithInput(emulator, emails(900))).toEqual({ lost: 0, duplicated: 0, users: 900 });
    expect(resumed.stdout()).toMatch(/exist already\s+0/); // in-doubt users were found with their own UPN: created, not foreign
  }, 60_000);
});

describe('jitmigrate provision-users --platform b2c', () => {
  let emulator: GraphEmulator;
  let flag: string;
  let dir: string;
  let input: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    // A B2C tenant refuses $count, $search and ConsistencyLevel; its policies read the flag requiresMigration.
    ({ emulator, migrationProperty: flag } = await startTenant({ platform: 'b2c' }, 'requiresMigration'));
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-provision-b2c-cli-'));
    input = path.join(dir, 'users.jsonl');
    env = { JITMIGRATE_GRAPH_URL: emulator.url, JITMIGRATE_GRAPH_TOKEN: EMULATOR_TOKEN };
  });
  afterEach(async () => {
    await emulator.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const required = () => ['--input', input, '--migration-property', flag, '--domain', TENANT_DOMAIN, '--platform', 'b2c'];

  it('creates B2C local accounts: email identity issued by --domain, the flag, B2C password policies, no UPN of ours', async () => {
    await fs.writeFile(input, [exportLines(2), JSON.stringify({ username: 'user3@example.com', hash: 'x' })].join('\n'));
    const run = capture(env);
    expect(await runProvisionUsers(required(), run.io)).toBe(0);
    expect(compareWithInput(emulator, emails(3))).toEqual({ lost: 0, duplicated: 0, users: 3 });
    const userWith = (email: string) =>
      [...emulator.users.values()].find((user) => (user.identities as Array<{ issuerAssignedId: string }>)[0]?.issuerAssignedId === email) as Record<string, unknown>;
    const first = userWith('user1@example.com');
    const third = userWith('user3@example.com');
    expect(first).toMatchObject({
      accountEnabled: true,
      displayName: 'User 1',
      givenName: 'Test',
      surname: 'Number1',
      [flag]: true,
      passwordPolicies: 'DisablePasswordExpiration, DisableStrongPassword',
      passwordProfile: { forceChangePasswordNextSignIn: false, password: expect.stringMatching(/^.{32}$/) },
    });
    expect((first.identities as unknown[])[0]).toEqual({ signInType: 'emailAddress', issuer: TENANT_DOMAIN, issuerAssignedId: 'user1@example.com' });
    // B2C made the UPN (the emulator's <id>@domain) and no mailNickname was sent.
    expect(first.userPrincipalName).toBe(`${String(first.id)}@${TENANT_DOMAIN}`);
    expect(first).not.toHaveProperty('mailNickname');
    expect(third).toMatchObject({ displayName: 'user3', givenName: null, surname: null }); // no names in the export
    const passwords = [...emulator.users.values()].map((user) => (user.passwordProfile as { password: string }).password);
    expect(new Set(passwords).size).toBe(3);
    const written = [run.stdout(), run.stderr(), await fs.readFile(`${input}.provision.checkpoint.jsonl`, 'utf8')].join('\n');
    for (const password of passwords) expect(written).not.toContain(password);
  });

  it('reports a user whose sign-in name is not an email, and sends nothing for it', async () => {
    await fs.writeFile(input, [exportLines(1), JSON.stringify({ username: 'jdoe', hash: 'x', displayName: 'J. Doe' })].join('\n'));
    const errors = path.join(dir, 'errors.jsonl');
    const run = capture(env);
    expect(await runProvisionUsers([...required(), '--errors', errors], run.io)).toBe(1);
    expect(emulator.users.size).toBe(1);
    const [line] = (await fs.readFile(errors, 'utf8')).trim().split('\n').map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(line).toMatchObject({ record: 2, username: 'jdoe', status: 'failed', code: 'no-email', reason: expect.stringContaining('B2C local accounts sign in with their email') });
  });

  it('rides out throttling and resumes after Ctrl-C, nobody lost or created twice', async () => {
    // Fewer writes per window than a batch holds: every full batch meets a 429, however slow the machine.
    emulator.setThrottle({ writesPerWindow: 10, windowMs: 60 });
    await fs.writeFile(input, exportLines(250));
    const stop = new AbortController();
    const run = capture(env, { stop: stop.signal });
    const running = runProvisionUsers([...required(), '--max-concurrency', '2'], run.io);
    while (emulator.users.size < 60) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    expect(await running).toBe(130);
    const first = emulator.users.size;
    expect(first).toBeLessThan(250);

    const resumed = capture(env);
    expect(await runProvisionUsers(required(), resumed.io)).toBe(0);
    expect(resumed.stdout()).toMatch(new RegExp(`skipped \\(resume\\)\\s+${first}`));
    expect(emulator.stats.throttled).toBeGreaterThan(0);
    expect(compareWithInput(emulator, emails(250))).toEqual({ lost: 0, duplicated: 0, users: 250 });
  });

  it.each<[string, (args: string[]) => string[], RegExp]>([
    ['a flag the B2C policies do not read', (args) => args.map((arg) => arg.replace(/_requiresMigration$/, '_toBeMigrated')), /--platform b2c: the migration policies read the flag .*_requiresMigration; pass --migration-property extension_[0-9a-f]{32}_requiresMigration/],
    ['an unknown platform', (args) => [...args.slice(0, -1), 'aadb2c'], /--platform must be externalId .* or b2c .*got "aadb2c"/],
    ['an External ID checkpoint', (args) => args, /written for --platform externalId/],
  ])('usage error, exit 2: %s', async (label, edit, message) => {
    await fs.writeFile(input, exportLines(1));
    if (label === 'an External ID checkpoint') expect(await runProvisionUsers(required().slice(0, -2), capture(env).io)).toBe(0);
    const users = emulator.users.size;
    const run = capture(env);
    expect(await runProvisionUsers(edit(required()), run.io)).toBe(2);
    expect(run.stderr()).toMatch(message);
    expect(emulator.users.size).toBe(users);
  });
});

describe('jitmigrate bench-provision', () => {
  it('resumes its interrupted runs (crash and Ctrl-C) with no user lost or duplicated', async () => {
    const printed: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const args = ['--users', '300', '--paced-users', '300', '--resume-users', '400', '--writes', '200', '--window-ms', '1000', '--latency-ms', '1', '--identity-users', '480', '--app-writes', '20', '--app-window-ms', '500'];
      expect(await benchProvisionCommand.run(args)).toBe(0);
    } finally {
      write.mockRestore();
    }
    const output = printed.join('');
    // Timing is not asserted: only that each resume ended with every user, once.
    expect(output).toMatch(/crash \(answers lost\) \+ resume\s+400\s.*\s0\s+0\s+0 lost, 0 dup\s+yes/);
    expect(output).toMatch(/Ctrl-C \+ resume\s+400\s.*\s0\s+0\s+0 lost, 0 dup\s+yes/);
    // The whole write budget: 1 and 3 identities under both ceilings, every user once; the share is printed with its verdict.
    expect(output).toMatch(/1 identity \(two-level pacing\)\s+160\s.*\s0\s+0\s+report, 0 lost\s+yes/);
    expect(output).toMatch(/3 identities \(two-level pacing\)\s+480\s/);
    expect(output).toMatch(/3 identities \(two-level pacing\): [\d.]+ % of the tenant ceiling \(target >= 95 %\): (MET|MISSED)/);
  }, 60_000);
});
