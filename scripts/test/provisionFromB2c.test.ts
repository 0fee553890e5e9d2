/**
 * `provision-users --preset b2c` as an operator runs it after `export-b2c`: the B2C object id kept in an
 * extension property, username accounts, disabled accounts, MFA methods (phone and email) throttled,
 * checkpointed and resumed, and the option errors, against the loopback Graph emulator.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { GraphClient, staticToken } from '../../lib/graph';
import type { GraphEmulator } from '../../test/emulators/graph';
import { runFinish } from '../src/commands/finish';
import { runProvisionUsers, type ProvisionIo } from '../src/commands/provisionUsers';
import { runReconcile } from '../src/commands/reconcile';
import type { CommandIo } from '../src/operations/io';
import { EMULATOR_TOKEN, startTenant, TENANT_DOMAIN } from '../src/provisioning/testing/fixtures';

function capture(env: NodeJS.ProcessEnv): { io: ProvisionIo; stdout: () => string; stderr: () => string } {
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
  // Waits (Retry-After, pacing) last at most 20 ms.
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 20)));
  return { io: { stdout: out.stream, stderr: err.stream, env, sleep }, stdout: out.text, stderr: err.text };
}

const objectId = (n: number) => `${String(n).padStart(8, '0')}-0000-4000-8000-00000000b2c0`;

/** Lines as export-b2c writes them. */
function b2cLine(n: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    b2cObjectId: objectId(n),
    classification: 'email',
    username: `user${n}@example.com`,
    email: `user${n}@example.com`,
    displayName: `User ${n}`,
    otherMails: [],
    mobilePhone: `+1206555${String(n).padStart(4, '0')}`,
    accountEnabled: true,
    status: 'active',
    ...extra,
  });
}

describe('jitmigrate provision-users --preset b2c', () => {
  let emulator: GraphEmulator;
  let flag: string;
  let objectIdProperty: string;
  let dir: string;
  let input: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    ({ emulator, migrationProperty: flag } = await startTenant());
    const client = new GraphClient({ baseUrl: emulator.url, token: staticToken(EMULATOR_TOKEN) });
    const app = [...emulator.applications.values()][0] as { id: string };
    objectIdProperty = (await client.post<{ name: string }>(`/applications/${app.id}/extensionProperties`, { name: 'b2cObjectId', dataType: 'String', targetObjects: ['User'] })).name;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-provision-b2c-'));
    input = path.join(dir, 'users.jsonl');
    env = { JITMIGRATE_GRAPH_URL: emulator.url, JITMIGRATE_GRAPH_TOKEN: EMULATOR_TOKEN };
  });
  afterEach(async () => {
    await emulator.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const args = (...extra: string[]) => ['--input', input, '--migration-property', flag, '--domain', TENANT_DOMAIN, '--preset', 'b2c', ...extra];
  const userWith = (signInName: string) =>
    [...emulator.users.values()].find((user) => (user.identities as Array<{ issuerAssignedId: string }>).some((identity) => identity.issuerAssignedId === signInName)) as Record<string, unknown>;
  const errorsFile = () => `${input}.provision.errors.jsonl`;

  it('creates each B2C user with its object id, a username identity only for username lines, disabled users disabled', async () => {
    await fs.writeFile(
      input,
      [
        b2cLine(1),
        b2cLine(2, { classification: 'username', username: 'ada_lovelace', email: undefined, mobilePhone: undefined }),
        b2cLine(3, { accountEnabled: false, status: 'disabled' }),
      ].join('\n'),
    );
    const run = capture(env);
    expect(await runProvisionUsers(args('--b2c-object-id-property', objectIdProperty), run.io)).toBe(0);
    expect(run.stdout()).toMatch(/created\s+3/);
    expect(userWith('user1@example.com')).toMatchObject({
      accountEnabled: true,
      [flag]: true,
      [objectIdProperty]: objectId(1),
      identities: expect.arrayContaining([{ signInType: 'emailAddress', issuer: TENANT_DOMAIN, issuerAssignedId: 'user1@example.com' }]),
      passwordProfile: { forceChangePasswordNextSignIn: false },
    });
    const ada = userWith('ada_lovelace');
    expect(ada).toMatchObject({ [objectIdProperty]: objectId(2) });
    // One sign-in identity, the username (the emulator adds the UPN identity, as Graph does).
    expect((ada.identities as Array<{ signInType: string }>).filter((identity) => identity.signInType !== 'userPrincipalName')).toEqual([
      { signInType: 'userName', issuer: TENANT_DOMAIN, issuerAssignedId: 'ada_lovelace' },
    ]);
    expect(userWith('user3@example.com')).toMatchObject({ accountEnabled: false, [objectIdProperty]: objectId(3) });
    const passwords = [...emulator.users.values()].map((user) => (user.passwordProfile as { password: string }).password);
    expect(new Set(passwords).size).toBe(3);
  });

  it('registers the phone (in Graph\'s format) and the sign-in email, reports a phone it cannot place, and resumes methods', async () => {
    await fs.writeFile(
      input,
      [
        b2cLine(1),
        b2cLine(2, { mobilePhone: '+44 (0)20 7946 0958' }),
        b2cLine(3, { mobilePhone: '206 555 0100' }),
        b2cLine(4, { classification: 'username', username: 'grace', email: undefined }),
      ].join('\n'),
    );
    // A first run without --mfa-methods, then the same with it: the users are skipped, their methods are not.
    expect(await runProvisionUsers(args(), capture(env).io)).toBe(0);
    emulator.setThrottle({ writesPerWindow: 3, windowMs: 200 });
    const run = capture(env);
    expect(await runProvisionUsers(args('--mfa-methods', 'both'), run.io)).toBe(0);
    expect(run.stdout()).toMatch(/skipped \(resume\)\s+4/);
    expect(run.stdout()).toMatch(/MFA methods\s+6\s+registered/);
    const methods = (signInName: string) => emulator.authenticationMethods(String(userWith(signInName).id));
    expect(methods('user1@example.com').phones.get('mobile')).toBe('+1 2065550001');
    expect(methods('user1@example.com').email).toBe('user1@example.com');
    expect(methods('user2@example.com').phones.get('mobile')).toBe('+44 2079460958');
    expect(methods('user3@example.com').phones.size).toBe(0);
    expect(methods('user3@example.com').email).toBe('user3@example.com');
    expect(methods('grace').phones.get('mobile')).toBe('+1 2065550004');
    expect(methods('grace').email).toBeUndefined(); // a username account has no verified email
    const report = (await fs.readFile(errorsFile(), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(report).toEqual([expect.objectContaining({ record: 3, status: 'changed', code: 'unparseable-phone', reason: expect.stringContaining('"206 555 0100" has no country code') })]);
    expect(emulator.stats.throttled).toBeGreaterThan(0);

    // Checkpointed: a third run sends nothing.
    emulator.setThrottle(undefined);
    const writes = emulator.stats.writes;
    const again = capture(env);
    expect(await runProvisionUsers(args('--mfa-methods', 'phone,email'), again.io)).toBe(0);
    expect(again.stdout()).toMatch(/MFA methods\s+0\s+registered/);
    expect(emulator.stats.writes).toBe(writes);
  });

  it('counts a method already registered as done (409), and stops with the permission to grant on 403', async () => {
    await fs.writeFile(input, b2cLine(1));
    expect(await runProvisionUsers(args(), capture(env).io)).toBe(0);
    const id = String(userWith('user1@example.com').id);
    emulator.authenticationMethods(id).phones.set('mobile', '+1 2065550001');
    const run = capture(env);
    expect(await runProvisionUsers(args('--mfa-methods', 'phone'), run.io)).toBe(0);
    expect(run.stdout()).toMatch(/MFA methods\s+0\s+registered, 1 already there/);

    await fs.writeFile(input, [b2cLine(1), b2cLine(2)].join('\n'));
    emulator.setPermissions(['User.ReadWrite.All']);
    const denied = capture(env);
    expect(await runProvisionUsers(args('--mfa-methods', 'email'), denied.io)).toBe(1);
    expect(denied.stdout()).toMatch(/UserAuthenticationMethod\.ReadWrite\.All/);
  });

  it('reconcile and finish carry each user\'s B2C object id when given --b2c-object-id-property', async () => {
    await fs.writeFile(input, [b2cLine(1), b2cLine(2)].join('\n'));
    expect(await runProvisionUsers(args('--b2c-object-id-property', objectIdProperty), capture(env).io)).toBe(0);
    const io: CommandIo = { env, out: () => undefined, err: () => undefined, now: () => new Date() };
    const usersFile = path.join(dir, 'legacy.jsonl');
    await fs.writeFile(usersFile, `${JSON.stringify({ username: 'user1@example.com', hash: '$2b$04$not.a.real.hash.only.for.this.test.xx', status: 'active', mustChangePassword: false, migrated: false })}\n`);
    const common = ['--migration-property', flag, '--domain', TENANT_DOMAIN, '--b2c-object-id-property', objectIdProperty];
    const readLines = async (file: string) => (await fs.readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

    const finishReport = path.join(dir, 'never-migrated.jsonl');
    expect(await runFinish([...common, '--report', finishReport], io)).toBe(0);
    expect((await readLines(finishReport)).map((row) => [row.username, row.b2cObjectId])).toEqual(
      expect.arrayContaining([['user1@example.com', objectId(1)], ['user2@example.com', objectId(2)]]),
    );

    const reconcileReport = path.join(dir, 'reconcile.csv');
    expect(await runReconcile([...common, '--store', 'file', '--users-file', usersFile, '--dry-run', '--report', reconcileReport], io)).toBe(0);
    const [header, ...rows] = (await fs.readFile(reconcileReport, 'utf8')).trim().split('\r\n');
    expect(header?.split(',').at(-1)).toBe('b2cObjectId');
    expect(rows.some((row) => row.includes('user2@example.com') && row.endsWith(objectId(2)))).toBe(true);

    const badProperty = capture(env);
    expect(await runFinish(['--migration-property', flag, '--b2c-object-id-property', 'b2cObjectId', '--report', finishReport], { ...io, err: (text) => void badProperty.io.stderr.write(text) })).toBe(2);
    expect(badProperty.stderr()).toMatch(/--b2c-object-id-property "b2cObjectId" looks like a short name/);
  });

  describe('option errors exit 2, name the fix, and change nothing', () => {
    it.each<[string, string[], RegExp, string[] | null]>([
      ['--b2c-object-id-property without --preset b2c', ['--b2c-object-id-property', 'extension_00001111aaaa2222bbbb3333cccc4444_b2cObjectId'], /applies to B2C users: pass --preset b2c/, ['--preset', 'generic']],
      ['a short --b2c-object-id-property', ['--b2c-object-id-property', 'b2cObjectId'], /--b2c-object-id-property must be the full extension attribute name .*_b2cObjectId/, null],
      ['--mfa-methods sms', ['--mfa-methods', 'sms'], /--mfa-methods must be phone, email or both/, null],
      ['--mfa-methods without --preset b2c', ['--mfa-methods', 'phone'], /--mfa-methods applies to B2C users/, ['--preset', 'generic']],
      ['--preset b2c with --platform b2c', ['--platform', 'b2c'], /remove --platform b2c/, null],
      ['an --identity without a kind', ['--identity', '00001111-aaaa-2222-bbbb-3333cccc4444:secret=x', '--tenant', 'contoso.onmicrosoft.com'], /"secret" is not a credential kind/, null],
      ['an --identity that is not a client id', ['--identity', 'app:cert=/a.pem', '--tenant', 'contoso.onmicrosoft.com'], /application \(client\) id, a GUID/, null],
      ['the same --identity twice', ['--identity', '00001111-aaaa-2222-bbbb-3333cccc4444:cert=/a.pem', '--identity', '00001111-aaaa-2222-bbbb-3333cccc4444:token-file=/t', '--tenant', 'contoso.onmicrosoft.com'], /given twice/, null],
      ['--identity without --tenant', ['--identity', '00001111-aaaa-2222-bbbb-3333cccc4444:cert=/a.pem'], /pass --tenant/, null],
      ['--identity with JITMIGRATE_GRAPH_TOKEN', ['--identity', '00001111-aaaa-2222-bbbb-3333cccc4444:cert=/a.pem', '--tenant', 'contoso.onmicrosoft.com'], /use one or the other/, null],
    ])('%s', async (_label, extra, message, presetOverride) => {
      await fs.writeFile(input, b2cLine(1));
      const argv = args(...extra);
      if (presetOverride) argv.splice(argv.indexOf('--preset'), 2, ...presetOverride);
      const run = capture(env);
      expect(await runProvisionUsers(argv, run.io)).toBe(2);
      expect(run.stderr()).toMatch(message);
      expect(emulator.users.size).toBe(0);
    });
  });
});
