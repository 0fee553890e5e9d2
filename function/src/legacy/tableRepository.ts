/**
 * The legacy hash store in Azure Table Storage: one entity per user, read with a single point query
 * (PartitionKey + RowKey), the cheapest and fastest Table operation.
 *
 * Also the one place that knows how this project talks to Table Storage (keys, clients, errors); the
 * shared state store uses the same helpers.
 */
import { createHash } from 'node:crypto';
import { TableClient, type TableEntity, type TableEntityResult } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { isLoopbackHost } from '../config/settings';
import { normalizeUsername, PROFILE_FIELDS, profileFields, toUserRecord, UserRecordError } from './normalize';
import { LegacyStoreProbeError, LegacySystemError, type LegacyUserRecord, type LegacyUserRepository } from './port';

/** How long a store's start-up and health probe waits for the table (probeTable). */
export const TABLE_PROBE_TIMEOUT_MS = 3000;
/** Usernames are normalized e-mail-like names: no user can have this row. */
const PROBE_KEYS = { partitionKey: '~probe', rowKey: '~probe' } as const;

/**
 * The table stores' probe (legacy users, shared state): one point read of a row nobody writes, bounded by
 * TABLE_PROBE_TIMEOUT_MS. "No such entity" proves network, credential, role and table in one round trip;
 * any other failure is rethrown for the store to word.
 */
export async function probeTable(client: TableClient, keys: { readonly partitionKey: string; readonly rowKey: string }): Promise<void> {
  try {
    await client.getEntity(keys.partitionKey, keys.rowKey, { abortSignal: AbortSignal.timeout(TABLE_PROBE_TIMEOUT_MS) });
  } catch (error) {
    if (!isEntityNotFound(error)) throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Keys

/**
 * A stable two-hex-digit shard (256 values) of a key. Table Storage scales by partition, and a
 * partition is served by one server, so sequential or skewed names (every user `@contoso.com`) are
 * spread evenly by hashing instead of by their own spelling.
 */
export function keyShard(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 2);
}

/**
 * A RowKey for arbitrary text. Keys may not contain `/ \ # ?` or control characters and are limited to
 * 1 KiB, i.e. 512 UTF-16 characters ("Characters disallowed in key fields", Understanding the Table
 * service data model). base64url uses none of those characters; text too long to encode within the
 * limit becomes `~` + base64url(SHA-256), and `~` never occurs in base64url, so the two forms cannot meet.
 */
const MAX_ENCODED_KEY = 512;

export function encodeKey(text: string): string {
  const encoded = Buffer.from(text, 'utf8').toString('base64url');
  if (encoded.length <= MAX_ENCODED_KEY) return encoded;
  return `~${createHash('sha256').update(text, 'utf8').digest('base64url')}`;
}

/** Where a user's entity lives. The username is normalized first, so any spelling finds the same row. */
export function userEntityKeys(username: string): { partitionKey: string; rowKey: string } {
  const normalized = normalizeUsername(username);
  return { partitionKey: keyShard(normalized), rowKey: encodeKey(normalized) };
}

// ---------------------------------------------------------------------------------------------------
// Entities

/**
 * The stored shape of a user. `params` is JSON text: Table properties are scalars. The profile is flat
 * (optional columns, absent or empty when unknown), as in the users file.
 */
export interface UserEntity {
  partitionKey: string;
  rowKey: string;
  username: string;
  hash: string;
  params?: string;
  status: string;
  mustChangePassword: boolean;
  migrated: boolean;
  migratedAt?: string;
  supersededAt?: string;
  email?: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
}

/** The entity for a user record, for the importer and the sandbox (`createEntity`/`upsertEntity`). */
export function toUserEntity(record: LegacyUserRecord): TableEntity<UserEntity> {
  const { profile, ...fields } = record;
  const checked = toUserRecord({ ...fields, ...profileFields(profile) });
  const entity: TableEntity<UserEntity> = {
    ...userEntityKeys(checked.username),
    username: checked.username,
    hash: checked.hash,
    status: checked.status,
    mustChangePassword: checked.mustChangePassword,
    migrated: checked.migrated,
  };
  if (checked.params) entity.params = JSON.stringify(checked.params);
  if (checked.migratedAt) entity.migratedAt = checked.migratedAt;
  if (checked.supersededAt) entity.supersededAt = checked.supersededAt;
  Object.assign(entity, profileFields(checked.profile));
  return entity;
}

/** The user record in an entity; throws UserRecordError (naming the field, not its value) when malformed. */
export function fromUserEntity(stored: object): LegacyUserRecord {
  const entity = stored as Readonly<Record<string, unknown>>;
  let params: unknown;
  if (typeof entity.params === 'string' && entity.params !== '') {
    try {
      params = JSON.parse(entity.params);
    } catch {
      throw new UserRecordError('params', '"params" is not valid JSON text');
    }
  }
  return toUserRecord({
    username: entity.username,
    hash: entity.hash,
    params,
    status: entity.status,
    mustChangePassword: entity.mustChangePassword,
    migrated: entity.migrated,
    migratedAt: entity.migratedAt instanceof Date ? entity.migratedAt.toISOString() : entity.migratedAt,
    supersededAt: entity.supersededAt instanceof Date ? entity.supersededAt.toISOString() : entity.supersededAt,
    ...Object.fromEntries(PROFILE_FIELDS.map((field) => [field, entity[field]])),
  });
}

// ---------------------------------------------------------------------------------------------------
// Clients

export interface TableSettings {
  /** `https://<account>.table.core.windows.net`, used with managed identity (Azure). */
  readonly endpoint?: string;
  /** A connection string, for Azurite and local development. */
  readonly connectionString?: string;
  readonly tableName: string;
  /** Client ID of the user-assigned managed identity; without it, DefaultAzureCredential is used. */
  readonly managedIdentityClientId?: string;
  /** Plain http; defaults to true only when the endpoint is on a loopback host (Azurite). */
  readonly allowInsecureConnection?: boolean;
}

/**
 * Every caller waits inside Entra's 2-second callout budget: retry quickly and give up soon instead of the
 * SDK's default multi-second backoff (the caller's deadline abandons the request anyway).
 */
const RETRY_OPTIONS = { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 400 };

const credentials = new Map<string, TokenCredential>();

/** One credential per identity and process, so tokens are cached and shared by every table client. */
function credentialFor(managedIdentityClientId: string | undefined): TokenCredential {
  const key = managedIdentityClientId ?? '';
  let credential = credentials.get(key);
  if (!credential) {
    // A user-assigned identity is named exactly; otherwise DefaultAzureCredential finds a system-assigned
    // identity in Azure or the developer's Azure CLI sign-in locally.
    credential = managedIdentityClientId ? new ManagedIdentityCredential({ clientId: managedIdentityClientId }) : new DefaultAzureCredential();
    credentials.set(key, credential);
  }
  return credential;
}

/** A TableClient from settings: an endpoint with Entra ID auth in Azure, or a connection string for Azurite. */
export function createTableClient(s: TableSettings): TableClient {
  if (s.endpoint) {
    const allowInsecureConnection = s.allowInsecureConnection ?? isLoopbackUrl(s.endpoint);
    return new TableClient(s.endpoint, s.tableName, credentialFor(s.managedIdentityClientId), { allowInsecureConnection, retryOptions: RETRY_OPTIONS });
  }
  if (s.connectionString) {
    const allowInsecureConnection = s.allowInsecureConnection ?? isLoopbackConnectionString(s.connectionString);
    try {
      return TableClient.fromConnectionString(s.connectionString, s.tableName, { allowInsecureConnection, retryOptions: RETRY_OPTIONS });
    } catch {
      // The SDK's message may quote the connection string; ours does not.
      throw new Error('the table connection string is malformed: use the connection string shown for the storage account (or Azurite)');
    }
  }
  throw new Error('neither a table endpoint nor a connection string is set: set the endpoint (managed identity) or a connection string (Azurite)');
}

function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

function isLoopbackConnectionString(connectionString: string): boolean {
  if (/(^|;)\s*UseDevelopmentStorage\s*=\s*true/i.test(connectionString)) return true;
  const endpoint = /(?:^|;)\s*TableEndpoint\s*=\s*([^;]+)/i.exec(connectionString)?.[1];
  return endpoint !== undefined && isLoopbackUrl(endpoint.trim());
}

/** Creates the table if it does not exist (the infrastructure normally has; Azurite starts empty). */
export async function ensureTable(client: TableClient): Promise<void> {
  try {
    await client.createTable();
  } catch (error) {
    const failure = tableFailure(error);
    if (failure.status === 409) return;
    // A role scoped to the one table (the stack's operatorPrincipalId) may not cover Create Table, which Azure
    // Storage may authorize at the account: a table that can be read exists, and is all the caller needs.
    if (failure.refusal === 'permission' && (await tableIsReadable(client))) return;
    const hint = failure.status === 400 ? ': check the table name (3-63 letters and digits, starting with a letter)' : '';
    throw new Error(describeTableFailure(error, 'create the table') + hint);
  }
}

async function tableIsReadable(client: TableClient): Promise<boolean> {
  try {
    await client.listEntities({ queryOptions: { select: ['PartitionKey'] } }).byPage({ maxPageSize: 1 }).next();
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Errors

export interface TableFailure {
  /** HTTP status, when the service answered. */
  readonly status?: number;
  /** The service's error code (`ResourceNotFound`, `TableNotFound`, …) or a network code (`ECONNREFUSED`). */
  readonly code?: string;
  readonly aborted: boolean;
  /**
   * Why a 401/403 refused the request: `credentials` when the account could not authenticate it (a wrong
   * account key, an expired SAS or token), `shared-key-disabled` when the account takes no key at all,
   * `permission` when it knew the caller and refused the operation (a missing role, the network rules).
   */
  readonly refusal?: 'credentials' | 'shared-key-disabled' | 'permission';
}

/**
 * Azure Storage answers a bad shared key with `AuthenticationFailed`, and Azurite with `AuthorizationFailure`;
 * both say "Server failed to authenticate the request". A missing role is `AuthorizationPermissionMismatch`.
 */
const CREDENTIAL_CODES = new Set(['AuthenticationFailed', 'InvalidAuthenticationInfo']);
const NOT_AUTHENTICATED = /Server failed to authenticate the request/i;

/** What went wrong, read from an SDK error without its message (which can hold request details). */
export function tableFailure(error: unknown): TableFailure {
  const e = (error ?? {}) as { name?: unknown; statusCode?: unknown; code?: unknown; message?: unknown };
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  let code = typeof e.code === 'string' ? e.code : undefined;
  if (!code) {
    // The Table service puts its code in the error body (OData JSON, or XML as from Azurite); the SDK passes the body on as the message.
    code = /"code"\s*:\s*"([A-Za-z]+)"/.exec(message)?.[1] ?? /<Code>([A-Za-z]+)<\/Code>/.exec(message)?.[1];
  }
  if (code && !/^[A-Za-z0-9_]{1,64}$/.test(code)) code = undefined;
  let refusal: TableFailure['refusal'];
  if (status === 401 || status === 403) {
    if (code === 'KeyBasedAuthenticationNotPermitted') refusal = 'shared-key-disabled';
    else if ((code !== undefined && CREDENTIAL_CODES.has(code)) || NOT_AUTHENTICATED.test(message)) refusal = 'credentials';
    else refusal = 'permission';
  }
  return { status, code, aborted: e.name === 'AbortError', ...(refusal ? { refusal } : {}) };
}

/** True for "no such entity", but not for "no such table" (a misconfiguration that must not look like an unknown user). */
export function isEntityNotFound(error: unknown): boolean {
  const f = tableFailure(error);
  return f.status === 404 && f.code !== 'TableNotFound';
}

/** Status and code, e.g. `HTTP 404 TableNotFound` or `ECONNREFUSED`. */
export function failureSummary(f: TableFailure): string {
  return [f.status ? `HTTP ${f.status}` : undefined, f.code].filter(Boolean).join(' ') || 'no response';
}

/** The fix for a refused request; `identity` is who needs the role (the function app's, or the operator's own sign-in). */
function refusalFix(refusal: NonNullable<TableFailure['refusal']>, code: string | undefined, identity: string): string {
  switch (refusal) {
    case 'credentials':
      return 'the storage account did not accept the credentials (a wrong account key, or an expired SAS or token; not a missing role): check the account name and key in the connection string';
    case 'shared-key-disabled':
      return 'the storage account allows no account-key access: use the table endpoint, signed in with Entra ID, instead of a connection string';
    case 'permission':
      return code === 'AuthorizationFailure'
        ? `give ${identity} the 'Storage Table Data Contributor' role on the storage account, and check the account's network rules (firewall, private endpoint)`
        : `give ${identity} the 'Storage Table Data Contributor' role on the storage account`;
  }
}

const FUNCTION_APP_IDENTITY = "the function app's identity";

/** A safe, actionable description of a failed Table operation: status and code, never values or URLs. */
export function describeTableFailure(error: unknown, operation: string, identity: string = FUNCTION_APP_IDENTITY): string {
  const f = tableFailure(error);
  if (f.aborted) return `Table Storage: ${operation} was cancelled`;
  const what = failureSummary(f);
  let fix = '';
  if (f.code === 'TableNotFound') fix = ': the table does not exist; check the table name setting or deploy the infrastructure';
  else if (f.refusal !== undefined) fix = `: ${refusalFix(f.refusal, f.code, identity)}`;
  else if (f.status === undefined) fix = ': check the endpoint and the network path to the storage account';
  return `Table Storage: could not ${operation} (${what})${fix}`;
}

// ---------------------------------------------------------------------------------------------------
// Repository

export class TableUserRepository implements LegacyUserRepository {
  readonly kind = 'table' as const;

  constructor(private readonly client: TableClient) {}

  static fromSettings(s: TableSettings): TableUserRepository {
    return new TableUserRepository(createTableClient(s));
  }

  /** probeTable on a key no user has, its failure worded with the setting at fault. */
  async probe(): Promise<void> {
    try {
      await probeTable(this.client, PROBE_KEYS);
    } catch (error) {
      const failure = tableFailure(error);
      if (failure.aborted) throw new LegacyStoreProbeError(`did not answer within ${TABLE_PROBE_TIMEOUT_MS / 1000} s: check the endpoint and the network path to the storage account (firewall, private endpoint)`, 'account');
      throw new LegacyStoreProbeError(describeTableFailure(error, 'read the legacy table'), failure.code === 'TableNotFound' ? 'table-name' : 'account');
    }
  }

  async findByUsername(normalizedUsername: string, signal?: AbortSignal): Promise<LegacyUserRecord | undefined> {
    const { partitionKey, rowKey } = userEntityKeys(normalizedUsername);
    let entity: TableEntityResult<Record<string, unknown>>;
    try {
      entity = await this.client.getEntity(partitionKey, rowKey, { abortSignal: signal });
    } catch (error) {
      if (isEntityNotFound(error)) return undefined;
      throw new LegacySystemError(describeTableFailure(error, 'read the user'));
    }
    try {
      return fromUserEntity(entity);
    } catch (error) {
      const field = error instanceof UserRecordError ? error.message : 'invalid';
      throw new LegacySystemError(`the user's entity in the legacy table is malformed: ${field}`);
    }
  }

  markMigrated(normalizedUsername: string, at: Date): Promise<void> {
    return this.mergeMark(normalizedUsername, { migrated: true, migratedAt: at.toISOString() }, 'migrated');
  }

  markSuperseded(normalizedUsername: string, at: Date): Promise<void> {
    return this.mergeMark(normalizedUsername, { supersededAt: at.toISOString() }, 'superseded');
  }

  /** Merge (not replace) so only the mark's fields change; If-Match `*` so a deleted user is not recreated. */
  private async mergeMark(normalizedUsername: string, fields: Partial<UserEntity>, mark: 'migrated' | 'superseded'): Promise<void> {
    try {
      await this.client.updateEntity({ ...userEntityKeys(normalizedUsername), ...fields }, 'Merge');
    } catch (error) {
      if (isEntityNotFound(error)) throw new LegacySystemError(`the user is not in the legacy table, so it was not marked ${mark}`);
      throw new LegacySystemError(describeTableFailure(error, `mark the user ${mark}`));
    }
  }
}
