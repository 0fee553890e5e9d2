import { TableClient } from '@azure/data-tables';
import { startAzurite, type AzuriteTables } from '../../test/support/azurite';
import { normalizeUsername, UserRecordError } from './normalize';
import { LegacySystemError, type LegacyUserRecord } from './port';
import {
  createTableClient,
  describeTableFailure,
  encodeKey,
  ensureTable,
  fromUserEntity,
  keyShard,
  TableUserRepository,
  toUserEntity,
  userEntityKeys,
} from './tableRepository';

const HASH = '$2b$04$0123456789abcdefghijkuQ0c8Jm2v6yO0sH8h3k2x7Yb6Qe1Vw3G';
const alice: LegacyUserRecord = { username: 'alice@contoso.com', hash: HASH, status: 'active', mustChangePassword: false, migrated: false };

describe('keys', () => {
  it('shards by two hex digits of SHA-256 and encodes the username as base64url', () => {
    expect(keyShard('alice@contoso.com')).toMatch(/^[0-9a-f]{2}$/);
    expect(userEntityKeys('alice@contoso.com')).toEqual({
      partitionKey: keyShard('alice@contoso.com'),
      rowKey: Buffer.from('alice@contoso.com').toString('base64url'),
    });
  });

  it('gives every spelling of a username the same keys', () => {
    expect(userEntityKeys(' Alice@Contoso.COM ')).toEqual(userEntityKeys('alice@contoso.com'));
  });

  it('spreads users over many partitions', () => {
    const shards = new Set(Array.from({ length: 2000 }, (_, i) => userEntityKeys(`user${i}@contoso.com`).partitionKey));
    expect(shards.size).toBeGreaterThan(240);
  });

  it.each(['a/b', 'a\\b', 'a#b', 'a?b', 'a%2Fb', 'Ünïcödé@example.com', '用户名', '😀'.repeat(80)])('keeps %j free of characters Table keys forbid', (username) => {
    const { partitionKey, rowKey } = userEntityKeys(username);
    for (const key of [partitionKey, rowKey]) {
      expect(key).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
      expect(key.length).toBeLessThanOrEqual(512);
    }
    expect(Buffer.from(rowKey, 'base64url').toString('utf8')).toBe(normalizeUsername(username));
  });

  it('hashes names too long to encode within 1 KiB', () => {
    const long = '😀'.repeat(256); // 1024 UTF-8 bytes → 1366 base64url characters
    const key = encodeKey(long);
    expect(key).toMatch(/^~[A-Za-z0-9_-]{43}$/);
    expect(encodeKey(`${'😀'.repeat(255)}😁`)).not.toBe(key);
  });
});

describe('entities', () => {
  it('round-trips a record with params', () => {
    const record: LegacyUserRecord = { ...alice, params: { salt: 'c2FsdA==', rounds: 8 }, status: 'locked', migrated: true, migratedAt: '2024-06-01T12:00:00.000Z' };
    const entity = toUserEntity(record);
    expect(entity).toEqual({
      ...userEntityKeys('alice@contoso.com'),
      username: 'alice@contoso.com',
      hash: HASH,
      params: '{"salt":"c2FsdA==","rounds":8}',
      status: 'locked',
      mustChangePassword: false,
      migrated: true,
      migratedAt: '2024-06-01T12:00:00.000Z',
    });
    expect(fromUserEntity(entity)).toEqual(record);
  });

  it('omits absent optional properties', () => {
    expect(Object.keys(toUserEntity(alice)).sort()).toEqual(['hash', 'migrated', 'mustChangePassword', 'partitionKey', 'rowKey', 'status', 'username']);
  });

  it('normalizes the username and validates the record on the way in', () => {
    expect(toUserEntity({ ...alice, username: 'Alice@Contoso.com' }).username).toBe('alice@contoso.com');
    expect(() => toUserEntity({ ...alice, status: 'gone' as never })).toThrow(UserRecordError);
  });

  it('rejects malformed entities by field, never by value', () => {
    expect(() => fromUserEntity({ ...toUserEntity(alice), params: `{${HASH}` })).toThrow(/^"params" is not valid JSON text$/);
    expect(() => fromUserEntity({ ...toUserEntity(alice), hash: undefined })).toThrow(/^"hash" must be a non-empty string$/);
  });

  it('ignores the service properties and accepts migratedAt as a Date', () => {
    const entity = { ...toUserEntity(alice), etag: 'W/"x"', timestamp: '2024-01-01T00:00:00Z', 'odata.metadata': 'x', migratedAt: new Date('2024-06-01T12:00:00.000Z') };
    expect(fromUserEntity(entity).migratedAt).toBe('2024-06-01T12:00:00.000Z');
  });

  it('round-trips a profile as optional columns, and reads an empty column as absent', () => {
    const profile = { email: 'alice@contoso.com', displayName: 'Alice Smith', givenName: 'Alice', surname: 'Smith' };
    const entity = toUserEntity({ ...alice, profile: { ...profile, email: 'Alice@Contoso.com' } });
    expect(entity).toMatchObject(profile);
    expect(fromUserEntity(entity)).toEqual({ ...alice, profile });
    expect(fromUserEntity({ ...entity, email: '', displayName: '', givenName: '', surname: 'Smith' })).toEqual({ ...alice, profile: { surname: 'Smith' } });
    expect(fromUserEntity({ ...entity, email: '', displayName: '', givenName: '', surname: '' })).toEqual(alice);
    expect(Object.keys(toUserEntity({ ...alice, profile: { givenName: 'Alice' } })).sort()).toEqual(['givenName', 'hash', 'migrated', 'mustChangePassword', 'partitionKey', 'rowKey', 'status', 'username']);
  });

  it('refuses an invalid profile in either direction, naming the field', () => {
    expect(() => toUserEntity({ ...alice, profile: { givenName: 'x'.repeat(65) } })).toThrow(/^"givenName" must be at most 64 characters/);
    expect(() => fromUserEntity({ ...toUserEntity(alice), email: 'nobody' })).toThrow(new UserRecordError('email', '"email" must be an email address (name@domain)'));
    expect(() => fromUserEntity({ ...toUserEntity(alice), surname: 7 })).toThrow(/^"surname" must be a string$/);
  });
});

describe('createTableClient', () => {
  it('needs an endpoint or a connection string', () => {
    expect(() => createTableClient({ tableName: 'LegacyUsers' })).toThrow(/neither a table endpoint nor a connection string is set/);
  });

  it('never quotes a malformed connection string', () => {
    const secret = 'AccountName=x;AccountKey=c2VjcmV0LWtleQ==';
    expect(() => createTableClient({ connectionString: secret, tableName: 'LegacyUsers' })).toThrow(/^the table connection string is malformed/);
    try {
      createTableClient({ connectionString: secret, tableName: 'LegacyUsers' });
    } catch (error) {
      expect((error as Error).message).not.toContain('c2VjcmV0');
    }
  });

  it('builds an Entra ID client for an endpoint', () => {
    const client = createTableClient({ endpoint: 'https://contoso.table.core.windows.net', tableName: 'LegacyUsers', managedIdentityClientId: '11111111-2222-3333-4444-555555555555' });
    expect(client.tableName).toBe('LegacyUsers');
    expect(client.url).toBe('https://contoso.table.core.windows.net');
  });
});

describe('describeTableFailure', () => {
  it.each([
    [{ name: 'RestError', statusCode: 403, message: '{"odata.error":{"code":"AuthorizationPermissionMismatch"}}' }, "Table Storage: could not read the user (HTTP 403 AuthorizationPermissionMismatch): give the function app's identity the 'Storage Table Data Contributor' role on the storage account"],
    [{ name: 'RestError', statusCode: 503, code: 'ServerBusy' }, 'Table Storage: could not read the user (HTTP 503 ServerBusy)'],
    [{ name: 'RestError', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND contoso.table.core.windows.net' }, 'Table Storage: could not read the user (ENOTFOUND): check the endpoint and the network path to the storage account'],
    [{ name: 'AbortError', message: 'The operation was aborted.' }, 'Table Storage: read the user was cancelled'],
    [new Error('sig=SECRET'), 'Table Storage: could not read the user (no response): check the endpoint and the network path to the storage account'],
  ])('describes %j safely', (error, expected) => {
    expect(describeTableFailure(error, 'read the user')).toBe(expected);
  });

  const WRONG_KEY = 'the storage account did not accept the credentials (a wrong account key, or an expired SAS or token; not a missing role): check the account name and key in the connection string';
  it.each([
    ['Azure Storage, a wrong shared key', { name: 'RestError', statusCode: 403, message: '{"odata.error":{"code":"AuthenticationFailed","message":{"lang":"en-US","value":"Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature."}}}' }, `(HTTP 403 AuthenticationFailed): ${WRONG_KEY}`],
    ['Azurite, a wrong shared key', { name: 'RestError', statusCode: 403, message: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Error>\n  <Code>AuthorizationFailure</Code>\n  <Message>Server failed to authenticate the request. Make sure the value of the Authorization header is formed correctly including the signature.\n</Message>\n</Error>' }, `(HTTP 403 AuthorizationFailure): ${WRONG_KEY}`],
    ['a missing role', { name: 'RestError', statusCode: 403, message: '{"odata.error":{"code":"AuthorizationPermissionMismatch","message":{"lang":"en-US","value":"This request is not authorized to perform this operation using this permission."}}}' }, "(HTTP 403 AuthorizationPermissionMismatch): give the function app's identity the 'Storage Table Data Contributor' role on the storage account"],
    ['a role or the network rules', { name: 'RestError', statusCode: 403, message: '{"odata.error":{"code":"AuthorizationFailure","message":{"lang":"en-US","value":"This request is not authorized to perform this operation."}}}' }, "(HTTP 403 AuthorizationFailure): give the function app's identity the 'Storage Table Data Contributor' role on the storage account, and check the account's network rules (firewall, private endpoint)"],
    ['account keys turned off', { name: 'RestError', statusCode: 403, message: '{"odata.error":{"code":"KeyBasedAuthenticationNotPermitted"}}' }, '(HTTP 403 KeyBasedAuthenticationNotPermitted): the storage account allows no account-key access: use the table endpoint, signed in with Entra ID, instead of a connection string'],
  ])('tells a credential failure from a missing role: %s', (_label, error, expected) => {
    expect(describeTableFailure(error, 'read the user')).toBe(`Table Storage: could not read the user ${expected}`);
  });

  it('names the identity that needs the role', () => {
    const missingRole = { name: 'RestError', statusCode: 403, message: '{"odata.error":{"code":"AuthorizationPermissionMismatch"}}' };
    expect(describeTableFailure(missingRole, 'write users', 'your az login')).toBe("Table Storage: could not write users (HTTP 403 AuthorizationPermissionMismatch): give your az login the 'Storage Table Data Contributor' role on the storage account");
  });
});

describe('TableUserRepository on Azurite', () => {
  let azurite: AzuriteTables;
  let client: TableClient;
  let repo: TableUserRepository;

  beforeAll(async () => {
    azurite = await startAzurite();
    client = TableClient.fromConnectionString(azurite.connectionString, 'LegacyUsers', { allowInsecureConnection: true });
    await ensureTable(client);
    await ensureTable(client); // already exists: fine
    repo = new TableUserRepository(client);
    await client.createEntity(toUserEntity(alice));
    await client.createEntity(toUserEntity({ ...alice, username: 'bob', params: { cost: 4 }, status: 'disabled', mustChangePassword: true }));
  });

  afterAll(async () => {
    await azurite?.stop();
  });

  it('is the table kind', () => {
    expect(repo.kind).toBe('table');
  });

  it('finds users by point read', async () => {
    expect(await repo.findByUsername('alice@contoso.com')).toEqual(alice);
    expect(await repo.findByUsername('bob')).toEqual({ ...alice, username: 'bob', params: { cost: 4 }, status: 'disabled', mustChangePassword: true });
    expect(await repo.findByUsername('nobody@contoso.com')).toBeUndefined();
  });

  it('works from settings with the Azurite connection string', async () => {
    const fromSettings = TableUserRepository.fromSettings({ connectionString: azurite.connectionString, tableName: 'LegacyUsers' });
    expect(await fromSettings.findByUsername('alice@contoso.com')).toEqual(alice);
  });

  it('treats a missing table as a failure, not as an unknown user', async () => {
    const missing = new TableUserRepository(TableClient.fromConnectionString(azurite.connectionString, 'NoSuchTable', { allowInsecureConnection: true }));
    const error = await missing.findByUsername('alice@contoso.com').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacySystemError);
    expect((error as Error).message).toBe('Table Storage: could not read the user (HTTP 404 TableNotFound): the table does not exist; check the table name setting or deploy the infrastructure');
  });

  it('rejects a malformed entity without showing its values', async () => {
    const keys = userEntityKeys('broken@contoso.com');
    await client.createEntity({ ...keys, username: 'broken@contoso.com', hash: HASH, status: 'weird' });
    const error = await repo.findByUsername('broken@contoso.com').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacySystemError);
    expect((error as Error).message).toBe('the user\'s entity in the legacy table is malformed: "status" must be one of active, disabled, locked');
  });

  it('passes the abort signal to the read', async () => {
    const error = await repo.findByUsername('alice@contoso.com', AbortSignal.abort()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacySystemError);
    expect((error as Error).message).toBe('Table Storage: read the user was cancelled');
  });

  it('marks a user migrated by merging, idempotently, leaving the rest alone', async () => {
    await client.createEntity(toUserEntity({ ...alice, username: 'carol@contoso.com', params: { cost: 4 } }));
    const at = new Date('2024-06-01T12:00:00.000Z');
    await repo.markMigrated('carol@contoso.com', at);
    await repo.markMigrated('carol@contoso.com', at);
    expect(await repo.findByUsername('carol@contoso.com')).toEqual({ ...alice, username: 'carol@contoso.com', params: { cost: 4 }, migrated: true, migratedAt: at.toISOString() });
  });

  it('stores and reads a profile, and a mark leaves it alone', async () => {
    const dana = { ...alice, username: 'dana@contoso.com', profile: { email: 'dana@contoso.com', displayName: 'Dana Scully', givenName: 'Dana', surname: 'Scully' } };
    await client.createEntity(toUserEntity(dana));
    expect(await repo.findByUsername('dana@contoso.com')).toEqual(dana);
    await repo.markMigrated('dana@contoso.com', new Date('2024-06-01T12:00:00.000Z'));
    expect(await repo.findByUsername('dana@contoso.com')).toEqual({ ...dana, migrated: true, migratedAt: '2024-06-01T12:00:00.000Z' });
  });

  it('marks a record superseded by merging supersededAt only, and reads it back', async () => {
    await client.createEntity(toUserEntity({ ...alice, username: 'sue@contoso.com' }));
    const at = new Date('2026-02-01T10:00:00.000Z');
    await repo.markSuperseded('sue@contoso.com', at);
    expect(await repo.findByUsername('sue@contoso.com')).toEqual({ ...alice, username: 'sue@contoso.com', supersededAt: at.toISOString() });
    await expect(repo.markSuperseded('ghost@contoso.com', at)).rejects.toThrow(new LegacySystemError('the user is not in the legacy table, so it was not marked superseded'));
  });

  it('does not create an entity when marking an unknown user', async () => {
    await expect(repo.markMigrated('ghost@contoso.com', new Date())).rejects.toThrow(new LegacySystemError('the user is not in the legacy table, so it was not marked migrated'));
    const { partitionKey, rowKey } = userEntityKeys('ghost@contoso.com');
    await expect(client.getEntity(partitionKey, rowKey)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('reports a wrong account key as the key, not as a missing role', async () => {
    const wrongKey = azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${Buffer.alloc(64, 7).toString('base64')}`);
    const repository = TableUserRepository.fromSettings({ connectionString: wrongKey, tableName: 'LegacyUsers' });
    const error = await repository.findByUsername('alice@contoso.com').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacySystemError);
    expect((error as Error).message).toMatch(/^Table Storage: could not read the user \(HTTP 403 \w+\): the storage account did not accept the credentials .*check the account name and key in the connection string$/);
    expect((error as Error).message).not.toMatch(/Storage Table Data Contributor|AccountKey/);
    const creating = await ensureTable(TableClient.fromConnectionString(wrongKey, 'OtherTable', { allowInsecureConnection: true })).catch((e: unknown) => e);
    expect((creating as Error).message).toMatch(/could not create the table \(HTTP 403 \w+\): the storage account did not accept the credentials/);
  });

  it('goes on when Create Table is refused for a role scoped to the table but the table can be read', async () => {
    const refused = Object.assign(new Error('{"odata.error":{"code":"AuthorizationPermissionMismatch"}}'), { statusCode: 403 });
    const pages = (readable: boolean) => ({
      byPage: () => ({ next: async () => (readable ? { done: false, value: [] } : Promise.reject(refused)) }),
    });
    const scoped = { createTable: async () => Promise.reject(refused), listEntities: () => pages(true) } as unknown as TableClient;
    await expect(ensureTable(scoped)).resolves.toBeUndefined();
    const noRole = { createTable: async () => Promise.reject(refused), listEntities: () => pages(false) } as unknown as TableClient;
    await expect(ensureTable(noRole)).rejects.toThrow(/could not create the table \(HTTP 403 AuthorizationPermissionMismatch\): give .*Storage Table Data Contributor/);
  });

  it('reports an unreachable store by its network error code only', async () => {
    const down = TableUserRepository.fromSettings({ connectionString: azurite.connectionString.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:9'), tableName: 'LegacyUsers' });
    const error = await down.findByUsername('alice@contoso.com').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacySystemError);
    expect((error as Error).message).toBe('Table Storage: could not read the user (ECONNREFUSED): check the endpoint and the network path to the storage account');
    expect((error as Error).message).not.toContain('AccountKey');
  });
});
