import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BatchRequest } from '../../../lib/graph';
import type { GraphEmulator } from '../../../test/emulators/graph';
import type { ExportRow } from '../legacyExport/types';
import { CheckpointFile } from './checkpoint';
import { AdaptiveConcurrency } from './concurrency';
import { provisionUsers, type GraphBatcher, type ProvisionRunOptions } from './engine';
import { ErrorReportFile } from './errorReport';
import { generatePassword } from './password';
import { compareWithInput, emulatorClient, exportRows, rowsFrom, startTenant, TENANT_DOMAIN, usersWithEmail } from './testing/fixtures';
import { SimulatedCrash } from './testing/simulatedCrash';
import { WriteBudget } from './writeBudget';

/** Waits at most this long for a Retry-After, so the emulator's small windows keep the suite fast. */
const MAX_WAIT_MS = 60;
const fastSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, MAX_WAIT_MS)));

describe('provisionUsers against the Graph emulator', () => {
  let emulator: GraphEmulator;
  let migrationProperty: string;
  let dir: string;
  let passwords: string[];

  beforeEach(async () => {
    ({ emulator, migrationProperty } = await startTenant());
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-provision-'));
    passwords = [];
  });
  afterEach(async () => {
    await emulator.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const target = () => ({ domain: TENANT_DOMAIN, migrationProperty });
  const files = () => ({ checkpoint: path.join(dir, 'run.checkpoint.jsonl'), errors: path.join(dir, 'run.errors.jsonl') });

  type RunOverrides = Partial<ProvisionRunOptions> & { maxConcurrency?: number; wrapGraph?: (graph: GraphBatcher) => GraphBatcher; crash?: SimulatedCrash };

  /** A run wired as the command wires it, with fast waits and every generated password recorded. */
  async function start(rows: readonly ExportRow[], overrides: RunOverrides = {}) {
    const { maxConcurrency, wrapGraph, crash, ...options } = overrides;
    const concurrency = new AdaptiveConcurrency({ max: maxConcurrency ?? 4 });
    const client = emulatorClient(emulator, {
      sleep: crash ? crash.sleep(fastSleep) : fastSleep,
      onThrottle: (info) => concurrency.onThrottle({ ...info, retryAfterMs: Math.min(info.retryAfterMs, MAX_WAIT_MS) }),
    });
    const checkpoint = await CheckpointFile.open(files().checkpoint, target(), { readOnly: options.dryRun });
    const errors = await ErrorReportFile.create(files().errors);
    let graph: GraphBatcher = wrapGraph ? wrapGraph(client) : client;
    if (crash) graph = crash.graph(graph);
    const running = provisionUsers({
      rows: rowsFrom(rows),
      target: target(),
      graph,
      checkpoint: crash ? crash.checkpoint(checkpoint) : checkpoint,
      errors,
      concurrency,
      newPassword: () => {
        const password = generatePassword();
        passwords.push(password);
        return password;
      },
      ...options,
    });
    const close = async () => {
      await checkpoint.close();
      await errors.close();
    };
    return { running, close };
  }

  async function run(rows: readonly ExportRow[], overrides: RunOverrides = {}) {
    const { running, close } = await start(rows, overrides);
    try {
      return await running;
    } finally {
      await close();
    }
  }

  const readLines = async (file: string) =>
    (await fs.readFile(file, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('creates each user with the body the JIT listener needs', async () => {
    const rows = exportRows(3, {
      user: (record) =>
        record === 1
          ? { givenName: 'Ada', surname: 'Lovelace', displayName: undefined, attributes: { city: 'London' } }
          : record === 2
            ? { status: 'disabled', displayName: undefined }
            : { status: 'locked' },
    });
    const summary = await run(rows);
    expect(summary).toMatchObject({ records: 3, created: 3, exists: 0, failedTotal: 0, notAttempted: 0, interrupted: false });

    const [ada] = usersWithEmail(emulator, 'user1@example.com');
    expect(ada).toMatchObject({
      accountEnabled: true,
      displayName: 'Ada Lovelace',
      givenName: 'Ada',
      surname: 'Lovelace',
      city: 'London',
      creationType: 'LocalAccount',
      passwordPolicies: 'DisablePasswordExpiration',
      [migrationProperty]: true,
      passwordProfile: { forceChangePasswordNextSignIn: false, password: expect.any(String) },
    });
    expect(ada?.userPrincipalName).toMatch(new RegExp(`^[0-9a-f]{32}@${TENANT_DOMAIN.replace(/\./g, '\\.')}$`));
    expect(ada?.mailNickname).toBe(String(ada?.userPrincipalName).split('@')[0]);
    expect(ada?.identities).toEqual([
      { signInType: 'emailAddress', issuer: TENANT_DOMAIN, issuerAssignedId: 'user1@example.com' },
      { signInType: 'userPrincipalName', issuer: TENANT_DOMAIN, issuerAssignedId: ada?.userPrincipalName },
    ]);
    // Disabled in the legacy system → disabled here; the display name falls back to the email's local part.
    expect(usersWithEmail(emulator, 'user2@example.com')[0]).toMatchObject({ accountEnabled: false, displayName: 'user2' });
    // Locked stays enabled: the JIT function blocks while the lock holds.
    expect(usersWithEmail(emulator, 'user3@example.com')[0]).toMatchObject({ accountEnabled: true, displayName: 'User 3' });

    const stored = [...emulator.users.values()].map((user) => (user.passwordProfile as { password: string }).password);
    expect(new Set(stored).size).toBe(3);
    expect(stored.sort()).toEqual([...passwords].sort());

    const lines = await readLines(files().checkpoint);
    expect(lines[0]).toMatchObject({ format: 'jitmigrate-provision-users', domain: TENANT_DOMAIN, migrationProperty });
    const created = lines.filter((line) => line.state === 'created');
    expect(created.map((line) => line.record).sort()).toEqual([1, 2, 3]);
    expect(created.every((line) => emulator.users.has(String(line.id)))).toBe(true);
    expect(lines.filter((line) => line.state === 'sending')).toHaveLength(3);
  });

  it('sends $batch requests of at most 20 and respects the concurrency cap', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const summary = await run(exportRows(205), {
      maxConcurrency: 3,
      wrapGraph: (graph) => ({
        batch: (async (requests: BatchRequest[]) => {
          sizes.push(requests.length);
          peak = Math.max(peak, ++inFlight);
          try {
            return await graph.batch(requests);
          } finally {
            inFlight--;
          }
        }) as GraphBatcher['batch'],
      }),
    });
    expect(summary.created).toBe(205);
    expect(Math.max(...sizes)).toBe(20);
    expect(sizes.filter((size) => size < 20)).toEqual([5]);
    expect(emulator.stats.batches).toBe(11);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('rides out 429s: every user created once, sending paused for Retry-After', async () => {
    emulator.setThrottle({ writesPerWindow: 60, windowMs: 50 });
    const rows = exportRows(400);
    const summary = await run(rows, { maxConcurrency: 8 });
    expect(emulator.stats.throttled).toBeGreaterThan(0);
    expect(summary.throttled).toBeGreaterThan(0);
    expect(summary).toMatchObject({ created: 400, failedTotal: 0 });
    expect(compareWithInput(emulator, rows.map((_, index) => `user${index + 1}@example.com`))).toEqual({ lost: 0, duplicated: 0, users: 400 });
  });

  it('retries 5xx answers without creating anyone twice', async () => {
    emulator.setFaults({ serverErrorRate: 0.25, seed: 7 });
    const rows = exportRows(150);
    const summary = await run(rows);
    expect(emulator.stats.serverErrors).toBeGreaterThan(0);
    expect(summary).toMatchObject({ created: 150, failedTotal: 0 });
    expect(compareWithInput(emulator, rows.map((_, index) => `user${index + 1}@example.com`))).toEqual({ lost: 0, duplicated: 0, users: 150 });
  });

  it('reports users already in the tenant as exists, never duplicates them, and flags the unflagged ones', async () => {
    const client = emulatorClient(emulator);
    const identity = (email: string) => [{ signInType: 'emailAddress', issuer: TENANT_DOMAIN, issuerAssignedId: email }];
    const body = (email: string, extra: Record<string, unknown>) => ({
      displayName: email,
      accountEnabled: true,
      identities: identity(email),
      passwordProfile: { password: generatePassword() },
      ...extra,
    });
    const flagged = await client.post<{ id: string }>('/users', body('user2@example.com', { [migrationProperty]: true }));
    const unflagged = await client.post<{ id: string }>('/users', body('user4@example.com', {}));

    const summary = await run(exportRows(5));
    expect(summary).toMatchObject({ created: 3, exists: 2, existsNotFlagged: 1, failedTotal: 0 });
    expect(emulator.users.size).toBe(5);
    const lines = await readLines(files().checkpoint);
    expect(lines.find((line) => line.record === 2 && line.state === 'exists')).toMatchObject({ id: flagged.id, flagged: true });
    expect(lines.find((line) => line.record === 4 && line.state === 'exists')).toMatchObject({ id: unflagged.id, flagged: false });
    const report = await readLines(files().errors);
    expect(report).toEqual([
      { record: 4, username: 'user4@example.com', status: 'exists', code: 'not-flagged', reason: expect.stringContaining(`PATCH /users/${unflagged.id}`) },
    ]);
  });

  it('writes a per-user error report that says what to fix', async () => {
    const rows: ExportRow[] = [
      ...exportRows(2),
      { ok: false, record: 3, reason: 'the hash column is not valid base64', username: 'broken@example.com' },
      ...exportRows(1, { first: 4, user: () => ({ username: 'carol', email: undefined }) }),
      ...exportRows(1, { first: 5, user: () => ({ username: 'not-an-email' , email: 'dave@@example' }) }),
      ...exportRows(1, { first: 6, user: () => ({ username: 'user1@example.com' }) }),
      ...exportRows(1, { first: 7, user: () => ({ attributes: { favouriteColour: 'blue' } }) }),
      ...exportRows(1, { first: 8, user: () => ({ attributes: { mail: 'not a mail address' } }) }),
    ];
    const summary = await run(rows);
    expect(summary.created).toBe(2);
    expect(summary.failed).toEqual({ 'invalid-row': 1, 'no-email': 1, 'invalid-email': 1, 'duplicate-in-input': 1, 'invalid-attribute': 1, 'graph-rejected': 1 });
    const report = await readLines(files().errors);
    const byRecord = new Map(report.map((line) => [line.record, line]));
    expect(byRecord.get(3)).toEqual({ record: 3, username: 'broken@example.com', status: 'failed', code: 'invalid-row', reason: 'the hash column is not valid base64' });
    expect(byRecord.get(4)).toMatchObject({ username: 'carol', code: 'no-email', reason: expect.stringContaining('add one to the export') });
    expect(byRecord.get(5)).toMatchObject({ code: 'invalid-email', reason: expect.stringContaining('correct it in the export') });
    expect(byRecord.get(6)).toMatchObject({ code: 'duplicate-in-input', reason: expect.stringContaining('record 1 has the same email') });
    expect(byRecord.get(7)).toMatchObject({ code: 'invalid-attribute', reason: expect.stringContaining('extension_<appId>_favouriteColour') });
    expect(byRecord.get(8)).toMatchObject({ code: 'graph-rejected', reason: expect.stringMatching(/Invalid value specified for property 'mail'.*correct the record/) });
    expect(emulator.users.size).toBe(2);
  });

  it('stops at the first user when Graph does not know the migration flag, naming the fix', async () => {
    migrationProperty = 'extension_0123456789abcdef0123456789abcdef_toBeMigrated';
    const summary = await run(exportRows(100), { maxConcurrency: 1 });
    expect(summary.stoppedBecause).toMatch(/extension_0123456789abcdef0123456789abcdef_toBeMigrated.*create it or correct --migration-property/);
    expect(summary.failed).toEqual({ 'unknown-migration-property': 20 });
    expect(summary.notAttempted).toBe(80);
    expect(emulator.users.size).toBe(0);
  });

  it('survives a crash that loses the answers of batches in flight: the resume creates no duplicate and loses no one', async () => {
    emulator.setFaults({ latencyMs: 1 });
    const rows = exportRows(600);
    const emails = rows.map((_, index) => `user${index + 1}@example.com`);
    const crash = new SimulatedCrash();
    let answered = 0;
    const crashed = await start(rows, {
      maxConcurrency: 6,
      crash,
      wrapGraph: (graph) => ({
        batch: (async (requests: BatchRequest[]) => {
          const responses = await graph.batch(requests);
          if (++answered === 8) crash.crash();
          return responses;
        }) as GraphBatcher['batch'],
      }),
    });
    void crashed.running; // never settles, like a killed process
    await waitFor(() => crash.hasCrashed);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the batches in flight reach Graph; their answers are lost
    await crashed.close();
    const before = compareWithInput(emulator, emails);
    expect(before.duplicated).toBe(0);
    expect(before.users).toBeGreaterThan(0);
    expect(before.users).toBeLessThan(600);
    expect(crash.lostAnswers).toBeGreaterThan(0);
    // Users Graph created whose outcome never reached the checkpoint: the resume must find, not re-create, them.
    const lines = await readLines(files().checkpoint);
    const last = new Map(lines.filter((line) => typeof line.record === 'number').map((line) => [line.record as number, line]));
    const inDoubt = [...last.values()].filter((line) => line.state === 'sending' && usersWithEmail(emulator, String(line.email)).length === 1);
    expect(inDoubt.length).toBeGreaterThan(0);

    const resumed = await run(rows, { maxConcurrency: 6 });
    expect(compareWithInput(emulator, emails)).toEqual({ lost: 0, duplicated: 0, users: 600 });
    expect(resumed.failedTotal).toBe(0);
    expect(resumed.created + resumed.skippedByResume).toBe(600);
    expect(resumed.exists).toBe(0); // in-doubt users found with our own UPN count as created
  });
  it('treats the duplicate-identity 400 as exists when the checkpoint lost its in-flight lines', async () => {
    const rows = exportRows(120);
    const emails = rows.map((_, index) => `user${index + 1}@example.com`);
    const crash = new SimulatedCrash();
    let answered = 0;
    const crashed = await start(rows, {
      maxConcurrency: 4,
      crash,
      wrapGraph: (graph) => ({
        batch: (async (requests: BatchRequest[]) => {
          const responses = await graph.batch(requests);
          if (++answered === 2) crash.crash();
          return responses;
        }) as GraphBatcher['batch'],
      }),
    });
    void crashed.running;
    await waitFor(() => crash.hasCrashed);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await crashed.close();
    // Worst case: the write-ahead lines are gone too (say, the checkpoint was restored from an older copy).
    const kept = (await fs.readFile(files().checkpoint, 'utf8')).split('\n').filter((line) => !line.includes('"state":"sending"'));
    await fs.writeFile(files().checkpoint, kept.join('\n'));
    const inTenant = emulator.users.size;

    const resumed = await run(rows);
    expect(compareWithInput(emulator, emails)).toEqual({ lost: 0, duplicated: 0, users: 120 });
    expect(resumed.failedTotal).toBe(0);
    expect(resumed.exists).toBe(inTenant - resumed.skippedByResume);
    expect(resumed.exists).toBeGreaterThan(0);
  });

  it('stops cleanly when aborted (Ctrl-C): batches in flight are recorded, the rest is left for the resume', async () => {
    emulator.setFaults({ latencyMs: 2 });
    const rows = exportRows(400);
    const controller = new AbortController();
    let answered = 0;
    const interrupted = await run(rows, {
      signal: controller.signal,
      maxConcurrency: 2,
      wrapGraph: (graph) => ({
        batch: (async (requests: BatchRequest[]) => {
          const responses = await graph.batch(requests);
          if (++answered === 3) controller.abort();
          return responses;
        }) as GraphBatcher['batch'],
      }),
    });
    expect(interrupted.interrupted).toBe(true);
    expect(interrupted.created).toBe(emulator.users.size);
    expect(interrupted.created + interrupted.notAttempted).toBe(400);
    const lines = await readLines(files().checkpoint);
    const sent = lines.filter((line) => line.state === 'sending').length;
    expect(lines.filter((line) => line.state === 'created')).toHaveLength(sent); // every batch sent was recorded

    const resumed = await run(rows);
    expect(resumed).toMatchObject({ skippedByResume: interrupted.created, created: 400 - interrupted.created, interrupted: false });
    expect(compareWithInput(emulator, rows.map((_, index) => `user${index + 1}@example.com`))).toEqual({ lost: 0, duplicated: 0, users: 400 });
  });

  it('dry run: reads and looks up, writes nothing to Graph or the checkpoint', async () => {
    const client = emulatorClient(emulator);
    await client.post('/users', {
      displayName: 'existing',
      accountEnabled: true,
      identities: [{ signInType: 'emailAddress', issuer: TENANT_DOMAIN, issuerAssignedId: 'user3@example.com' }],
      passwordProfile: { password: generatePassword() },
      [migrationProperty]: true,
    });
    const writesBefore = emulator.stats.writes;
    const rows = [...exportRows(30), { ok: false as const, record: 31, reason: 'unreadable row' }];
    const summary = await run(rows, { dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, existenceChecked: true, wouldCreate: 29, exists: 1, created: 0, failedTotal: 1 });
    expect(emulator.stats.writes).toBe(writesBefore);
    expect(emulator.users.size).toBe(1);
    await expect(fs.stat(files().checkpoint)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readLines(files().errors)).toEqual([expect.objectContaining({ record: 31, code: 'invalid-row' })]);
    expect(passwords).toEqual([]);
  });

  it('dry run without Graph: validates and plans offline', async () => {
    const requestsBefore = emulator.stats.requests;
    const checkpoint = await CheckpointFile.open(files().checkpoint, target(), { readOnly: true });
    const errors = await ErrorReportFile.create(files().errors);
    const summary = await provisionUsers({ rows: rowsFrom(exportRows(5)), target: target(), checkpoint, errors, concurrency: new AdaptiveConcurrency({ max: 2 }), dryRun: true });
    await errors.close();
    expect(summary).toMatchObject({ wouldCreate: 5, existenceChecked: false, exists: 0 });
    expect(emulator.stats.requests).toBe(requestsBefore);
  });

  it('paces creates under a known write limit, so Graph never has to throttle', async () => {
    emulator.setThrottle({ writesPerWindow: 40, windowMs: 250 });
    const rows = exportRows(200);
    const started = Date.now();
    const summary = await run(rows, { writeBudget: new WriteBudget({ writes: 40, perMs: 250 }, Date.now, 30), maxConcurrency: 8 });
    expect(summary).toMatchObject({ created: 200, throttled: 0 });
    expect(emulator.stats.throttled).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 250);
  });

  it('retries a record Graph refused once it is corrected, and refuses a changed email for a created one', async () => {
    const broken = [...exportRows(2), ...exportRows(1, { first: 3, user: () => ({ attributes: { mail: 'not a mail address' } }) })];
    expect((await run(broken)).failed).toEqual({ 'graph-rejected': 1 });
    const fixed = [...exportRows(2), ...exportRows(1, { first: 3, user: () => ({ username: 'carol@example.com', attributes: { mail: 'carol@example.com' } }) })];
    expect(await run(fixed)).toMatchObject({ created: 1, skippedByResume: 2, failedTotal: 0 });
    expect(usersWithEmail(emulator, 'carol@example.com')).toHaveLength(1);

    const changed = [...exportRows(1), ...exportRows(1, { first: 2, user: () => ({ username: 'someone.else@example.com' }) }), ...fixed.slice(2)];
    await expect(run(changed)).rejects.toThrow(/record 2 is user2@example.com in the checkpoint but someone.else@example.com in the input/);
  });

  it('never writes a password to the checkpoint or the error report', async () => {
    await run([...exportRows(50), ...exportRows(1, { first: 51, user: () => ({ attributes: { mail: 'bad mail' } }) })]);
    expect(passwords.length).toBeGreaterThanOrEqual(51);
    const written = (await fs.readFile(files().checkpoint, 'utf8')) + (await fs.readFile(files().errors, 'utf8'));
    for (const password of passwords) expect(written).not.toContain(password);
    expect(written).not.toMatch(/password"\s*:/i);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
