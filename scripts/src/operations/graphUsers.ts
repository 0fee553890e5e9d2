/**
 * Users in External ID as the operations commands read them: counted and listed by their migration flag,
 * and matched to legacy records by their local identity.
 *
 * Graph facts relied on (learn.microsoft.com/graph/api/resources/user, objectidentity, aad-advanced-queries):
 * `identities`, `createdDateTime`, `lastPasswordChangeDateTime` and extension attributes come back only when
 * `$select`ed; `/users/$count` needs `ConsistencyLevel: eventual` and is eventually consistent; an
 * `extension_x eq false` filter does not match users that never had the attribute; an identities filter must
 * name both issuerAssignedId and issuer.
 */
import { GraphError, graphErrorForBatchItem, MAX_BATCH_REQUESTS, USERS_PAGE_SIZE, type GraphClient, type ObjectIdentity, type User } from '../../../lib/graph';
import { normalizeUsername } from '../../../function/src/legacy';
import { passwordChangedAfterCreation } from '../../../function/src/entra';
import { explainUnknownProperty, type MigrationProperty } from './migrationProperty';

/** Graph's largest page for users (learn.microsoft.com/graph/paging). */
export { PASSWORD_SET_AT_CREATION_TOLERANCE_MS, passwordChangedAfterCreation } from '../../../function/src/entra';

export interface DirectoryUser {
  readonly id: string;
  /** The local identity's sign-in name, normalized as the legacy store keys it; undefined when there is none. */
  readonly username?: string;
  readonly createdDateTime?: string;
  /** `lastPasswordChangeDateTime` when it is readable and later than creation (see the tolerance above). */
  readonly passwordChangedAt?: string;
  /** The B2C user's object id (`--b2c-object-id-property`, set by provision-users --preset b2c): the join to the B2C tenant. */
  readonly b2cObjectId?: string;
}

export interface FlagCounts {
  /** Flag true: not migrated yet. */
  readonly pending: number;
  /** Flag false: Entra holds the password. */
  readonly migrated: number;
}

export async function countByFlag(client: GraphClient, property: MigrationProperty): Promise<FlagCounts> {
  try {
    const [pending, migrated] = await Promise.all([client.count('/users', `${property.name} eq true`), client.count('/users', `${property.name} eq false`)]);
    return { pending, migrated };
  } catch (error) {
    throw explainUnknownProperty(error, property);
  }
}

/**
 * Whether this tenant (and the caller's permissions) return `lastPasswordChangeDateTime`. A 400 means the
 * property is not available here; anything else (401, 403, network) is a real failure and is thrown.
 */
export async function canReadPasswordChanges(client: GraphClient): Promise<boolean> {
  try {
    await client.get('/users', { query: { $top: '1', $select: 'id,lastPasswordChangeDateTime' } });
    return true;
  } catch (error) {
    if (error instanceof GraphError && error.status === 400) return false;
    throw error;
  }
}

export interface UserListOptions {
  /** Only identities issued by this domain count (the tenant's default domain for local accounts). */
  readonly domain?: string;
  readonly readPasswordChanges?: boolean;
  /** Read this extension property as the user's B2C object id. */
  readonly b2cObjectIdProperty?: string;
}

/** Every user whose flag has the given value, with what the joins need. */
export async function* usersWithFlag(client: GraphClient, property: MigrationProperty, flag: boolean, options: UserListOptions = {}): AsyncIterable<DirectoryUser> {
  const select = ['id', 'identities', 'createdDateTime', ...(options.readPasswordChanges ? ['lastPasswordChangeDateTime'] : []), ...(options.b2cObjectIdProperty ? [options.b2cObjectIdProperty] : [])];
  const pages = client.list<User>('/users', { query: { $filter: `${property.name} eq ${flag}`, $select: select.join(','), $top: String(USERS_PAGE_SIZE) } });
  try {
    for await (const user of pages) {
      if (typeof user.id !== 'string') continue;
      yield toDirectoryUser(user, options.domain, options.b2cObjectIdProperty);
    }
  } catch (error) {
    throw explainUnknownProperty(error, property);
  }
}

function toDirectoryUser(user: User, domain: string | undefined, b2cObjectIdProperty?: string): DirectoryUser {
  const created = typeof user.createdDateTime === 'string' ? user.createdDateTime : undefined;
  const changed = typeof user.lastPasswordChangeDateTime === 'string' ? user.lastPasswordChangeDateTime : undefined;
  return {
    id: user.id as string,
    username: localUsername(user.identities, domain),
    createdDateTime: created,
    passwordChangedAt: passwordChangedAfterCreation(created, changed),
    ...b2cObjectIdOf(user, b2cObjectIdProperty),
  };
}

/** Graph spells an extension property as registered: match the name without regard to case. */
function b2cObjectIdOf(user: User, property: string | undefined): { b2cObjectId?: string } {
  if (property === undefined) return {};
  const key = Object.keys(user).find((name) => name.toLowerCase() === property.toLowerCase());
  const value = key === undefined ? undefined : (user as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? { b2cObjectId: value } : {};
}

/**
 * The sign-in name of the user's local account (`emailAddress` or `userName` identity; objectIdentity), issued
 * by `domain` when given, normalized as the legacy store normalizes usernames.
 */
export function localUsername(identities: readonly ObjectIdentity[] | undefined, domain?: string): string | undefined {
  const local = (identities ?? []).find(
    (identity) =>
      /^(emailAddress|userName)$/i.test(identity.signInType) &&
      typeof identity.issuerAssignedId === 'string' &&
      (domain === undefined || String(identity.issuer).toLowerCase() === domain.toLowerCase()),
  );
  return local === undefined ? undefined : normalizeUsername(local.issuerAssignedId);
}

/** OData string literals double their single quotes (learn.microsoft.com/graph/query-parameters, "Escaping"). */
export function identityFilter(username: string, domain: string): string {
  const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
  return `identities/any(c:c/issuerAssignedId eq ${quote(username)} and c/issuer eq ${quote(domain)})`;
}

/**
 * Looks users up by local identity, 20 filters per `$batch`. The map holds each username's user id, or
 * undefined when no user has that identity.
 */
export async function findUsersByIdentity(client: GraphClient, usernames: readonly string[], domain: string): Promise<Map<string, string | undefined>> {
  const found = new Map<string, string | undefined>();
  const unique = [...new Set(usernames)];
  for (let start = 0; start < unique.length; start += MAX_BATCH_REQUESTS) {
    const chunk = unique.slice(start, start + MAX_BATCH_REQUESTS);
    const requests = chunk.map((username, index) => ({
      id: String(index),
      method: 'GET' as const,
      url: `/users?$filter=${encodeURIComponent(identityFilter(username, domain))}&$select=id`,
    }));
    const responses = await client.batch<{ value?: Array<{ id?: string }> }>(requests);
    responses.forEach((response, index) => {
      const request = requests[index];
      if (request === undefined) return;
      if (response.status !== 200) throw graphErrorForBatchItem(request, response);
      found.set(chunk[index] as string, response.body?.value?.[0]?.id);
    });
  }
  return found;
}
