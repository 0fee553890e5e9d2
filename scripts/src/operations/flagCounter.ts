/**
 * How status and finish count users by migration flag: the one place the operations commands depend on the
 * tenant's kind. External ID answers `GET /users/$count` (an advanced query, graphUsers.ts). Azure AD B2C has
 * no advanced queries (no `$count`, no `$search`, no `ConsistencyLevel: eventual`: learn.microsoft.com/graph/
 * aad-advanced-queries; azure-ad-b2c-jit.md section 7), so there the users are paged through, 999 a request,
 * with progress on stderr. Listing by flag (`$filter=<flag> eq true`) is a basic query and works on both.
 */
import { USERS_PAGE_SIZE, type GraphClient, type User } from '../../../lib/graph';
import type { IdentityPlatform } from '../identityPlatform';
import { createProgress, type Progress } from '../progressBar';
import { countByFlag, type FlagCounts } from './graphUsers';
import { explainUnknownProperty, type MigrationProperty } from './migrationProperty';

export interface FlagCounter {
  countByFlag(property: MigrationProperty): Promise<FlagCounts>;
}

/** Graph's largest page for users (learn.microsoft.com/graph/paging). */

const SILENT: Progress = { tick: () => undefined, stop: () => undefined };

export function flagCounterFor(client: GraphClient, platform: IdentityPlatform, progress: () => Progress = () => SILENT): FlagCounter {
  if (platform === 'externalId') return { countByFlag: (property) => countByFlag(client, property) };
  return { countByFlag: (property) => countByPaging(client, property, progress()) };
}

/** Where the counting progress goes: a bar on a terminal, plain lines elsewhere (progressBar.ts). */
export function countingProgress(stream: NodeJS.WriteStream): () => Progress {
  return () => createProgress({ label: 'counting users', stream });
}

/**
 * Every user, once: flag true = pending, false = migrated; users without the flag (admins, users made
 * elsewhere) count as neither, as `$count` with `eq true`/`eq false` does not count them either.
 */
async function countByPaging(client: GraphClient, property: MigrationProperty, progress: Progress): Promise<FlagCounts> {
  let pending = 0;
  let migrated = 0;
  let unflagged = 0;
  const users = client.list<User>('/users', { query: { $select: `id,identities,${property.name}`, $top: String(USERS_PAGE_SIZE) } });
  try {
    for await (const user of users) {
      const flag = flagValue(user, property.name);
      if (flag === true) pending++;
      else if (flag === false) migrated++;
      else unflagged++;
      progress.tick(1, { pending, migrated, 'without the flag': unflagged });
    }
  } catch (error) {
    throw explainUnknownProperty(error, property);
  } finally {
    progress.stop();
  }
  return { pending, migrated };
}

/** Graph spells the attribute as registered; match it without regard to case, as Graph matches names. */
function flagValue(user: User, name: string): unknown {
  const key = Object.keys(user).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (user as Record<string, unknown>)[key];
}
