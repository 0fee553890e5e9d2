import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHashRegistry, type HashRegistry } from '../../../../function/src/hashing';
import { FileUserRepository } from '../../../../function/src/legacy';
import { fixture, FIREBASE_README_CONFIG } from '../../../test/fixtures/exports/fixtures';
import { FileSink } from './fileSink';
import { ImportFailedError, runImport, type ImportOptions, type ImportStore } from './runImport';
import { loadSelfTestAccounts } from './selfTest';
import type { AcceptedUser, UserSink } from './sink';

const BCRYPT = '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO'; // mkpasswd, password "password"

let dir: string;
let registry: HashRegistry;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-import-'));
  registry = createHashRegistry();
});
afterAll(async () => {
  await registry.close();
  await fs.rm(dir, { recursive: true, force: true });
});

let counter = 0;
function scratch(name: string): string {
  return path.join(dir, `${++counter}-${name}`);
}

/** The sink with `beforeWrite` run before each batch is written (to inject failures or a stop). */
function onWrite(beforeWrite: (batch: readonly AcceptedUser[], call: number) => void): (sink: UserSink) => UserSink {
  let calls = 0;
  return (sink) => ({
    description: sink.description,
    write: async (batch) => {
      beforeWrite(batch, ++calls);
      return sink.write(batch);
    },
    commit: () => sink.commit(),
    finish: () => sink.finish(),
    close: () => sink.close(),
  });
}

function fileStore(usersFile: string, wrap: (sink: UserSink) => UserSink = (s) => s): ImportStore {
  return {
    identity: `file:${usersFile}`,
    openSink: async (resume) => wrap(await FileSink.open(usersFile, resume)),
    repository: () => FileUserRepository.load(usersFile),
  };
}

/** A generic CSV of `count` users; every 7th has an unsalted MD5 (rejected), every 11th repeats an earlier name. */
async function generatedExport(count: number): Promise<string> {
  const lines = ['username,hash,status'];
  for (let i = 1; i <= count; i++) {
    const username = i % 11 === 0 ? `user${i - 5}@example.com` : `user${i}@example.com`;
    const hash = i % 7 === 0 ? '5f4dcc3b5aa765d61d8327deb882cf99' : BCRYPT;
    lines.push(`${username},${hash},${i % 13 === 0 ? 'disabled' : 'active'}`);
  }
  const file = scratch('export.csv');
  await fs.writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function readLines(file: string): Promise<string[]> {
  return (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

function options(overrides: Partial<ImportOptions> & Pick<ImportOptions, 'input' | 'read'>): ImportOptions {
  return { registry, ...overrides };
}

describe('runImport to the file store', () => {
  it('imports, logs rejects as {record, username?, reason} without hashes, and counts schemes', async () => {
    const usersFile = scratch('users.jsonl');
    const rejectsFile = scratch('rejects.jsonl');
    const report = await runImport(options({ input: fixture('django-auth_user.csv'), read: { preset: 'django' }, store: fileStore(usersFile), rejectsFile }));
    expect(report).toMatchObject({ dryRun: false, outcome: 'complete', read: 8, imported: 5, rejected: 3, skippedByResume: 0 });
    expect(report.rejectsByCategory).toEqual({ 'unusable password': 1, 'unrecognized hash': 1, 'duplicate username': 1 });
    expect(report.schemes).toEqual({ 'django-pbkdf2-sha256': 1, 'django-argon2': 1, 'django-bcrypt-sha256': 1, 'django-bcrypt': 1, 'django-pbkdf2-sha1': 1 });

    const stored = [];
    for await (const record of (await FileUserRepository.load(usersFile)).records()) stored.push(record);
    expect(stored.map((r) => r.username)).toEqual(['ada@example.org', 'grace@example.org', 'linus@example.org', 'ken', 'dennis@example.org']);
    expect(stored.find((r) => r.username === 'dennis@example.org')?.status).toBe('disabled');
    expect((await fs.stat(usersFile)).mode & 0o777).toBe(0o600);

    const rejects = (await readLines(rejectsFile)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rejects.map((r) => Object.keys(r).sort())).toEqual([['reason', 'record', 'username'], ['reason', 'record', 'username'], ['reason', 'record', 'username']]);
    expect(rejects.map((r) => [r.record, r.username])).toEqual([
      [6, 'sam@example.org'],
      [7, 'old@example.org'],
      [8, 'ada@example.org'],
    ]);
    const csv = await fs.readFile(fixture('django-auth_user.csv'), 'utf8');
    for (const hash of csv.split('\n').slice(1).map((line) => line.split(',')[1]?.replace(/^"/, '')).filter(Boolean)) {
      expect(await fs.readFile(rejectsFile, 'utf8')).not.toContain(hash!.slice(0, 30));
    }
  });

  it('dry run: validates, reports and self-tests against the parsed export, writing no store', async () => {
    const usersFile = scratch('users.jsonl');
    const rejectsFile = scratch('rejects.jsonl');
    const selfTest = await loadSelfTestAccounts(fixture('keycloak-realm.selftest.jsonl'));
    const report = await runImport(options({ input: fixture('keycloak-realm.json'), read: { preset: 'keycloak' }, rejectsFile, selfTest }));
    expect(report).toMatchObject({ dryRun: true, outcome: 'complete', read: 9, imported: 6, rejected: 3 });
    expect(report.selfTest?.map((r) => [r.username, r.ok])).toEqual(selfTest.map((a) => [a.username, true]));
    await expect(fs.access(usersFile)).rejects.toThrow();
    expect(await readLines(rejectsFile)).toHaveLength(3);
  });

  it('self-test: reports pass and fail per account, saying why, never the password', async () => {
    const usersFile = scratch('users.jsonl');
    const selfTestFile = scratch('selftest.jsonl');
    await fs.writeFile(
      selfTestFile,
      [
        { username: 'User1@Example.com', password: 'user1password' },
        { username: 'zoë@example.com', password: 'wrong password 123' },
        { username: 'google-only@example.com', password: 'x' },
        { username: 'nobody@example.com', password: 'x' },
      ]
        .map((a) => JSON.stringify(a))
        .join('\n'),
    );
    const report = await runImport(
      options({ input: fixture('firebase-users.json'), read: { preset: 'firebase', firebaseHashConfig: FIREBASE_README_CONFIG }, store: fileStore(usersFile), selfTest: await loadSelfTestAccounts(selfTestFile) }),
    );
    expect(report.selfTest).toEqual([
      { username: 'user1@example.com', ok: true, scheme: 'firebase-scrypt' },
      { username: 'zoë@example.com', ok: false, scheme: 'firebase-scrypt', problem: expect.stringMatching(/^the password does not match the stored firebase-scrypt hash/) },
      { username: 'google-only@example.com', ok: false, problem: expect.stringMatching(/^not imported \(missing hash: /) },
      { username: 'nobody@example.com', ok: false, problem: expect.stringMatching(/^not in the store/) },
    ]);
    expect(JSON.stringify(report)).not.toContain('wrong password 123');
  });

  it('re-running is idempotent: no duplicates, migration marks kept, other users carried over', async () => {
    const usersFile = scratch('users.jsonl');
    await fs.writeFile(usersFile, `${JSON.stringify({ username: 'kept@example.com', hash: BCRYPT })}\n`);
    const input = fixture('aspnet-identity-users.csv');
    await runImport(options({ input, read: { preset: 'aspnet-identity' }, store: fileStore(usersFile) }));
    const first = await FileUserRepository.load(usersFile);
    await first.markMigrated('alice@contoso.com', new Date('2025-01-02T03:04:05Z'));

    const again = await runImport(options({ input, read: { preset: 'aspnet-identity' }, store: fileStore(usersFile) }));
    expect(again.imported).toBe(5);
    const records = [];
    for await (const record of (await FileUserRepository.load(usersFile)).records()) records.push(record);
    expect(records.map((r) => r.username).sort()).toEqual(['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'dave@contoso.com', 'frank', 'kept@example.com']);
    expect(records.find((r) => r.username === 'alice@contoso.com')).toMatchObject({ migrated: true, migratedAt: '2025-01-02T03:04:05.000Z' });
    expect(records.find((r) => r.username === 'dave@contoso.com')?.status).toBe('locked');
  });

  it('carries the profile into the users file, refuses a user whose profile breaks a rule, and a re-import replaces it', async () => {
    const usersFile = scratch('users.jsonl');
    const rejectsFile = scratch('rejects.jsonl');
    const input = scratch('profiles.csv');
    await fs.writeFile(
      input,
      [
        'username,email,displayName,givenName,surname,hash',
        `ada,Ada@Example.org,Ada Lovelace,Ada,Lovelace,${BCRYPT}`,
        `grace@example.org,,,Grace,,${BCRYPT}`,
        `bad@example.org,not-an-address,,,,${BCRYPT}`,
        `plain@example.org,,,,,${BCRYPT}`,
      ].join('\n') + '\n',
    );
    const report = await runImport(options({ input, read: { preset: 'generic' }, store: fileStore(usersFile), rejectsFile }));
    expect(report).toMatchObject({ imported: 3, rejected: 1 });
    expect((await readLines(rejectsFile)).map((line) => JSON.parse(line))).toEqual([
      { record: 3, username: 'bad@example.org', reason: 'invalid record: "email" must be an email address (name@domain)' },
    ]);
    const repository = await FileUserRepository.load(usersFile);
    expect((await repository.findByUsername('ada'))?.profile).toEqual({ email: 'ada@example.org', displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace' });
    expect((await repository.findByUsername('grace@example.org'))?.profile).toEqual({ givenName: 'Grace' });
    expect(await repository.findByUsername('plain@example.org')).not.toHaveProperty('profile');
    await repository.markMigrated('ada', new Date('2025-01-02T03:04:05Z'));
    repository.close();

    await fs.writeFile(input, ['username,displayName,hash', `ada,Countess of Lovelace,${BCRYPT}`].join('\n') + '\n');
    await runImport(options({ input, read: { preset: 'generic' }, store: fileStore(usersFile) }));
    const again = await FileUserRepository.load(usersFile);
    expect(await again.findByUsername('ada')).toMatchObject({ migrated: true, profile: { displayName: 'Countess of Lovelace' } });
    expect((await again.findByUsername('ada'))?.profile).toEqual({ displayName: 'Countess of Lovelace' });
    expect((await again.findByUsername('grace@example.org'))?.profile).toEqual({ givenName: 'Grace' }); // carried over
    again.close();
  });

  it('resumes after a failure: skips what was committed, and ends exactly like a clean run', async () => {
    const input = await generatedExport(100);
    const clean = { usersFile: scratch('clean.jsonl'), rejects: scratch('clean-rejects.jsonl') };
    await runImport(options({ input, read: { preset: 'generic' }, store: fileStore(clean.usersFile), rejectsFile: clean.rejects, checkpointEvery: 10 }));

    const usersFile = scratch('users.jsonl');
    const rejectsFile = scratch('rejects.jsonl');
    const checkpointFile = scratch('checkpoint.json');
    const failOnFourthWrite = onWrite((_batch, call) => {
      if (call === 4) throw new Error('disk full (injected)');
    });
    const failed = await runImport(
      options({ input, read: { preset: 'generic' }, store: fileStore(usersFile, failOnFourthWrite), rejectsFile, checkpointFile, checkpointEvery: 10 }),
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ImportFailedError);
    expect(failed).toMatchObject({ lastCommittedRecord: 30, message: 'disk full (injected)' });
    expect(JSON.parse(await fs.readFile(checkpointFile, 'utf8'))).toMatchObject({ lastRecord: 30, complete: false });
    await expect(fs.access(usersFile)).rejects.toThrow(); // nothing published until the end

    const notes: string[] = [];
    const resumed = await runImport(options({ input, read: { preset: 'generic' }, store: fileStore(usersFile), rejectsFile, checkpointFile, checkpointEvery: 10, note: (l) => notes.push(l) }));
    expect(resumed).toMatchObject({ outcome: 'complete', read: 100, skippedByResume: 30 });
    expect(notes.join('\n')).toMatch(/Resuming after record 30/);
    expect(await fs.readFile(usersFile, 'utf8')).toBe(await fs.readFile(clean.usersFile, 'utf8'));
    expect(await fs.readFile(rejectsFile, 'utf8')).toBe(await fs.readFile(clean.rejects, 'utf8'));
    expect(JSON.parse(await fs.readFile(checkpointFile, 'utf8'))).toMatchObject({ lastRecord: 100, complete: true });

    const rerun = await runImport(options({ input, read: { preset: 'generic' }, store: fileStore(usersFile), rejectsFile, checkpointFile }));
    expect(rerun.outcome).toBe('already-complete');
  });

  it('refuses to resume when the partly written users file is gone (users would be lost)', async () => {
    const input = await generatedExport(30);
    const usersFile = scratch('users.jsonl');
    const checkpointFile = scratch('checkpoint.json');
    const failing = onWrite((batch) => {
      if (batch.some((u) => u.record > 20)) throw new Error('injected');
    });
    await expect(runImport(options({ input, read: { preset: 'generic' }, store: fileStore(usersFile, failing), checkpointFile, checkpointEvery: 10 }))).rejects.toThrow(ImportFailedError);
    await fs.rm(`${usersFile}.importing`);
    await expect(runImport(options({ input, read: { preset: 'generic' }, store: fileStore(usersFile), checkpointFile, checkpointEvery: 10 }))).rejects.toThrow(
      /users\.jsonl\.importing is missing or shorter than the checkpoint says: delete the checkpoint/,
    );
  });

  it('stops cleanly on request after the current batch and continues from the checkpoint', async () => {
    const input = await generatedExport(60);
    const clean = scratch('clean.jsonl');
    await runImport(options({ input, read: { preset: 'generic' }, store: fileStore(clean) }));

    const usersFile = scratch('users.jsonl');
    const checkpointFile = scratch('checkpoint.json');
    const stop = new AbortController();
    const stopAfterSecondWrite = onWrite((_batch, call) => {
      if (call === 2) stop.abort(); // Ctrl-C arrives while the second batch is written
    });
    const stopped = await runImport(options({ input, read: { preset: 'generic' }, store: fileStore(usersFile, stopAfterSecondWrite), checkpointFile, checkpointEvery: 10, stop: stop.signal }));
    expect(stopped).toMatchObject({ outcome: 'stopped', lastCommittedRecord: 20 });
    const resumed = await runImport(options({ input, read: { preset: 'generic' }, store: fileStore(usersFile), checkpointFile, checkpointEvery: 10 }));
    expect(resumed).toMatchObject({ outcome: 'complete', skippedByResume: 20 });
    expect(await fs.readFile(usersFile, 'utf8')).toBe(await fs.readFile(clean, 'utf8'));
  });

  it('refuses a checkpoint written for another import', async () => {
    const checkpointFile = scratch('checkpoint.json');
    const usersFile = scratch('users.jsonl');
    await runImport(options({ input: fixture('generic-users.csv'), read: { preset: 'generic' }, store: fileStore(usersFile), checkpointFile }));
    await expect(runImport(options({ input: fixture('generic-users.jsonl'), read: { preset: 'generic' }, store: fileStore(usersFile), checkpointFile }))).rejects.toThrow(
      /belongs to another import \(different input file\)/,
    );
  });
});
