/** The import against real Table Storage (Azurite): transactions, idempotency, resume, and speed. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TableClient } from '@azure/data-tables';
import { createHashRegistry, type HashRegistry } from '../../../../function/src/hashing';
import { createTableClient, ensureTable, fromUserEntity, TableUserRepository } from '../../../../function/src/legacy';
import { startAzurite, type AzuriteTables } from '../../../../function/test/support/azurite';
import { fixture } from '../../../test/fixtures/exports/fixtures';
import { ImportFailedError, runImport, type ImportStore } from './runImport';
import { loadSelfTestAccounts } from './selfTest';
import { TableSink, type TableWriter } from './tableSink';

const BCRYPT = '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO'; // mkpasswd, password "password"

let azurite: AzuriteTables;
let registry: HashRegistry;
let dir: string;
let tables = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  registry = createHashRegistry();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jit-table-import-'));
});
afterAll(async () => {
  await registry.close();
  await azurite?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

async function newTable(): Promise<TableClient> {
  const client = createTableClient({ connectionString: azurite.connectionString, tableName: `Import${++tables}${Date.now() % 100000}` });
  await ensureTable(client);
  return client;
}

function tableStore(client: TableClient, writer: TableWriter = client, batchSize = 100): ImportStore {
  return {
    identity: `table:azurite/${client.tableName}`,
    openSink: async () => new TableSink(writer, client.tableName, { batchSize }),
    repository: async () => new TableUserRepository(client),
  };
}

/** Every entity, without service-managed properties, sorted: what "same table contents" means. */
async function contents(client: TableClient): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const entity of client.listEntities()) {
    const { etag: _etag, timestamp: _timestamp, 'odata.metadata': _meta, ...rest } = entity as Record<string, unknown>;
    out.push(rest);
  }
  return out.sort((a, b) => String(a.rowKey).localeCompare(String(b.rowKey)));
}

async function generatedExport(count: number, name: string): Promise<string> {
  const lines = ['username,hash'];
  for (let i = 1; i <= count; i++) lines.push(`user${i}@example.com,${i % 9 === 0 ? 'not-a-hash' : BCRYPT}`);
  const file = path.join(dir, name);
  await fs.writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe('runImport to Azure Table Storage (Azurite)', () => {
  it('upserts users the function can read, and self-tests them from the table', async () => {
    const client = await newTable();
    const report = await runImport({
      registry,
      input: fixture('keycloak-realm.json'),
      read: { preset: 'keycloak' },
      store: tableStore(client),
      selfTest: await loadSelfTestAccounts(fixture('keycloak-realm.selftest.jsonl')),
    });
    expect(report).toMatchObject({ outcome: 'complete', imported: 6, rejected: 3 });
    expect(report.selfTest?.every((r) => r.ok)).toBe(true);

    const entities = await contents(client);
    expect(entities).toHaveLength(6);
    const carol = entities.map((e) => fromUserEntity(e)).find((r) => r.username === 'carol@kc.example');
    expect(carol).toMatchObject({ status: 'active', mustChangePassword: true, migrated: false });
    const repository = new TableUserRepository(client);
    expect(await repository.findByUsername('DAN@kc.example')).toMatchObject({ status: 'disabled' });
  });

  it('re-importing never duplicates and never un-migrates', async () => {
    const client = await newTable();
    const input = fixture('django-auth_user.csv');
    await runImport({ registry, input, read: { preset: 'django' }, store: tableStore(client) });
    await new TableUserRepository(client).markMigrated('ada@example.org', new Date('2025-02-03T04:05:06Z'));
    const before = await contents(client);

    await runImport({ registry, input, read: { preset: 'django' }, store: tableStore(client) });
    const after = await contents(client);
    expect(after).toHaveLength(5);
    expect(after).toEqual(before);
    expect(after.find((e) => e.username === 'ada@example.org')).toMatchObject({ migrated: true });
  });

  it('carries the profile into the table, and a re-import without it clears it but keeps the migration mark', async () => {
    const client = await newTable();
    const input = path.join(dir, 'profiles.csv');
    await fs.writeFile(input, ['username,email,displayName,givenName,surname,hash', `ada,Ada@Example.org,Ada Lovelace,Ada,Lovelace,${BCRYPT}`, `grace@example.org,,,Grace,,${BCRYPT}`].join('\n') + '\n');
    await runImport({ registry, input, read: { preset: 'generic' }, store: tableStore(client) });
    const repository = new TableUserRepository(client);
    expect((await repository.findByUsername('ada'))?.profile).toEqual({ email: 'ada@example.org', displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace' });
    expect((await repository.findByUsername('grace@example.org'))?.profile).toEqual({ givenName: 'Grace' });
    await repository.markMigrated('ada', new Date('2025-02-03T04:05:06Z'));

    await fs.writeFile(input, ['username,surname,hash', `ada,King,${BCRYPT}`].join('\n') + '\n');
    await runImport({ registry, input, read: { preset: 'generic' }, store: tableStore(client) });
    expect(await repository.findByUsername('ada')).toMatchObject({ migrated: true, profile: { surname: 'King' } });
    expect((await repository.findByUsername('ada'))?.profile).toEqual({ surname: 'King' });
  });

  it('resumes after the store fails mid-import and ends with the same table as a clean run', async () => {
    const input = await generatedExport(900, 'resume.csv');
    const clean = await newTable();
    await runImport({ registry, input, read: { preset: 'generic' }, store: tableStore(clean, clean, 50), checkpointEvery: 200 });

    const client = await newTable();
    const checkpointFile = path.join(dir, 'resume-checkpoint.json');
    const rejectsFile = path.join(dir, 'resume-rejects.jsonl');
    let transactions = 0;
    const failing: TableWriter = {
      submitTransaction: async (actions) => {
        if (++transactions > 300) throw Object.assign(new Error('injected'), { statusCode: 403, code: 'AuthorizationFailure' });
        return client.submitTransaction(actions);
      },
      upsertEntity: (entity, mode) => client.upsertEntity(entity, mode),
    };
    const error = await runImport({ registry, input, read: { preset: 'generic' }, store: tableStore(client, failing, 50), checkpointEvery: 200, checkpointFile, rejectsFile }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImportFailedError);
    expect((error as Error).message).toMatch(/^Table Storage: could not write users \(HTTP 403 AuthorizationFailure\): give the identity the import runs as \(your az login/);
    const committed = (error as ImportFailedError).lastCommittedRecord;
    expect(committed).toBeGreaterThan(0);
    expect(committed % 200).toBe(0);
    expect(JSON.parse(await fs.readFile(checkpointFile, 'utf8'))).toMatchObject({ lastRecord: committed, complete: false });

    const resumed = await runImport({ registry, input, read: { preset: 'generic' }, store: tableStore(client, client, 50), checkpointEvery: 200, checkpointFile, rejectsFile });
    expect(resumed).toMatchObject({ outcome: 'complete', skippedByResume: committed });
    expect(await contents(client)).toEqual(await contents(clean));
    const rejects = (await fs.readFile(rejectsFile, 'utf8')).trim().split('\n');
    expect(rejects).toHaveLength(100); // every 9th of 900, each exactly once
    expect(new Set(rejects).size).toBe(100);
  });

  it('imports 20,000 generic rows in a few seconds', async () => {
    const input = await generatedExport(20_000, 'large.csv');
    const client = await newTable();
    const started = Date.now();
    const report = await runImport({ registry, input, read: { preset: 'generic' }, store: tableStore(client) });
    const seconds = (Date.now() - started) / 1000;
    expect(report).toMatchObject({ outcome: 'complete', read: 20_000, imported: 20_000 - 2222, rejected: 2222 });
    let count = 0;
    for await (const _ of client.listEntities({ queryOptions: { select: ['RowKey'] } })) count++;
    expect(count).toBe(20_000 - 2222);
    expect(seconds).toBeLessThan(15);
  }, 60_000);
});
