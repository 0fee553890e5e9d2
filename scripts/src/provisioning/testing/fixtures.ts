/**
 * Shared by the provisioning tests and `bench-provision`: export rows, an emulated tenant with the migration
 * flag registered, and a Graph client wired to a concurrency controller. No jest imports.
 */
import { GraphClient, staticToken, type ThrottleInfo } from '../../../../lib/graph';
import { appToken, GraphEmulator, type GraphEmulatorOptions } from '../../../../test/emulators/graph';
import type { ExportRow, ExportedUser } from '../../legacyExport/types';

export const TENANT_DOMAIN = 'contoso.onmicrosoft.com';
export const EMULATOR_TOKEN = 'provisioning-test-token';

/** Valid rows for `user{n}@example.com`, records numbered from `first`. */
export function exportRows(count: number, options: { first?: number; domain?: string; user?: (record: number) => Partial<ExportedUser> } = {}): ExportRow[] {
  const first = options.first ?? 1;
  return Array.from({ length: count }, (_, index) => {
    const record = first + index;
    const user: ExportedUser = {
      record,
      username: `user${record}@${options.domain ?? 'example.com'}`,
      displayName: `User ${record}`,
      status: 'active',
      mustChangePassword: false,
      attributes: {},
      ...options.user?.(record),
    };
    return { ok: true, user };
  });
}

export function rowsFrom(rows: readonly ExportRow[]): () => AsyncIterable<ExportRow> {
  return async function* () {
    yield* rows;
  };
}

export interface EmulatedTenant {
  emulator: GraphEmulator;
  /** The full extension attribute name, registered for User on the b2c-extensions-app. */
  migrationProperty: string;
}

/** `flagName`: the attribute's name part; B2C's policies read `requiresMigration`. */
export async function startTenant(options: GraphEmulatorOptions = {}, flagName = 'toBeMigrated'): Promise<EmulatedTenant> {
  const emulator = await GraphEmulator.start({ token: EMULATOR_TOKEN, tenantDomain: TENANT_DOMAIN, ...options });
  const client = new GraphClient({ baseUrl: emulator.url, token: staticToken(EMULATOR_TOKEN) });
  const b2c = [...emulator.applications.values()][0] as { id: string };
  const throttle = options.throttle;
  emulator.setThrottle(undefined); // registering the flag is set-up, not part of the measured writes
  const property = await client.post<{ name: string }>(`/applications/${b2c.id}/extensionProperties`, { name: flagName, dataType: 'Boolean', targetObjects: ['User'] });
  emulator.setThrottle(throttle);
  return { emulator, migrationProperty: property.name };
}

export function emulatorClient(emulator: GraphEmulator, options: { onThrottle?: (info: ThrottleInfo) => void; sleep?: (ms: number) => Promise<void>; maxRetries?: number } = {}): GraphClient {
  return new GraphClient({ baseUrl: emulator.url, token: staticToken(EMULATOR_TOKEN), ...options });
}

/**
 * One client per app identity (`--identity`), each calling as its own app: the emulator reads the app id from
 * the bearer (appToken), so each has its own per-app write window. Start the tenant with `token: undefined`.
 */
export function emulatorClientsAs(emulator: GraphEmulator, appIds: readonly string[], options: { onThrottle?: (info: ThrottleInfo) => void; sleep?: (ms: number) => Promise<void> } = {}): GraphClient[] {
  return appIds.map((appId) => new GraphClient({ baseUrl: emulator.url, token: staticToken(appToken(appId)), ...options }));
}

/** `count` distinct app ids. */
export function appIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `0000000${index + 1}-0000-4000-8000-000000000000`);
}

/** Emulator users carrying this email identity. */
export function usersWithEmail(emulator: GraphEmulator, email: string): Array<Record<string, unknown>> {
  return [...emulator.users.values()].filter((user) =>
    (user.identities as Array<{ signInType: string; issuerAssignedId: string }>).some((identity) => identity.signInType === 'emailAddress' && identity.issuerAssignedId === email),
  );
}

/** How many users each email has in the emulated tenant. */
export function identityCounts(emulator: GraphEmulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const user of emulator.users.values()) {
    for (const identity of user.identities as Array<{ signInType: string; issuerAssignedId: string }>) {
      if (identity.signInType === 'emailAddress') counts.set(identity.issuerAssignedId, (counts.get(identity.issuerAssignedId) ?? 0) + 1);
    }
  }
  return counts;
}

/** Lost = input emails with no user; duplicated = emails with more than one. */
export function compareWithInput(emulator: GraphEmulator, emails: readonly string[]): { lost: number; duplicated: number; users: number } {
  const counts = identityCounts(emulator);
  let lost = 0;
  let duplicated = 0;
  for (const email of emails) {
    const count = counts.get(email) ?? 0;
    if (count === 0) lost++;
    if (count > 1) duplicated += count - 1;
  }
  return { lost, duplicated, users: emulator.users.size };
}
