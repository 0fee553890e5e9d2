/**
 * The stand-in over the Graph emulator's users: an account made through Graph (as provision-users --platform b2c
 * makes it) is the one a journey signs in, and what the journey writes is what Graph answers afterwards.
 */
import { B2C_MIGRATION_FLAG } from '../../../lib/b2c/contract';
import { B2C_LEGACY_PASSWORD_POLICIES } from '../../../lib/b2c/policies';
import { GraphClient, staticToken } from '../../../lib/graph';
import { EMULATOR_TOKEN, startTenant } from '../../../scripts/src/provisioning/testing/fixtures';
import type { GraphEmulator } from '../graph';
import type { LegacyUser } from './fakeFunctionApi';
import { GraphEmulatorB2cDirectory, type JourneyResult } from './index';
import { EXTENSIONS_APP_ID, startHarness, TENANT, type Harness } from './testPolicies';

const PRE = 'pre@example.com';
const LEGACY_PASSWORD = 'Legacy-Pass1!';
const LEGACY_ONLY = 'legacy@example.com';

interface GraphUser {
  id: string;
  displayName?: string;
  passwordPolicies?: string;
  lastPasswordChangeDateTime?: string;
  identities?: { signInType: string; issuer: string; issuerAssignedId: string }[];
  [name: string]: unknown;
}

function expectOk(result: JourneyResult): asserts result is JourneyResult & { ok: true } {
  if (!result.ok) throw new Error(`journey failed on ${result.page}: ${result.userMessage}`);
}

describe('B2C stand-in on the Graph emulator directory', () => {
  let emulator: GraphEmulator;
  let flag: string;
  let graph: GraphClient;
  let harness: Harness;

  beforeEach(async () => {
    ({ emulator, migrationProperty: flag } = await startTenant({ platform: 'b2c', tenantDomain: TENANT, b2cExtensionsAppId: EXTENSIONS_APP_ID }, B2C_MIGRATION_FLAG));
    graph = new GraphClient({ baseUrl: emulator.url, token: staticToken(EMULATOR_TOKEN) });
    const legacy = new Map<string, LegacyUser>([
      [PRE, { password: LEGACY_PASSWORD, profile: { displayName: 'Pre Provisioned' } }],
      [LEGACY_ONLY, { password: LEGACY_PASSWORD, profile: { email: LEGACY_ONLY, displayName: 'Lee Gacy', givenName: 'Lee', surname: 'Gacy' } }],
    ]);
    harness = await startHarness('basic', legacy, { directory: new GraphEmulatorB2cDirectory(emulator) });
  });
  afterEach(async () => {
    await harness.api.stop();
    await emulator.stop();
  });

  /** The B2C local-account shape provision-users --platform b2c posts (azure-ad-b2c-jit.md section 7). */
  function provisionThroughGraph(email: string): Promise<GraphUser> {
    return graph.post<GraphUser>('/users', {
      accountEnabled: true,
      displayName: 'Pre Provisioned',
      identities: [{ signInType: 'emailAddress', issuer: TENANT, issuerAssignedId: email }],
      passwordProfile: { password: 'Random-Unknown-1!', forceChangePasswordNextSignIn: false },
      passwordPolicies: 'DisablePasswordExpiration',
      [flag]: true,
    });
  }

  it('migrates a user made through Graph, and Graph then reads the cleared flag, the new policies and the password change', async () => {
    const made = await provisionThroughGraph(PRE);
    const before = await graph.get<GraphUser>(`/users/${made.id}`, { query: { $select: `lastPasswordChangeDateTime,${flag}` } });
    expect(before[flag]).toBe(true);
    emulator.setClock(() => new Date(Date.now() + 60_000));

    const result = await harness.standIn.signIn(PRE, LEGACY_PASSWORD);
    expectOk(result);
    expect(result.objectId).toBe(made.id);

    const after = await graph.get<GraphUser>(`/users/${made.id}`, { query: { $select: `passwordPolicies,lastPasswordChangeDateTime,${flag}` } });
    expect(after).toMatchObject({ passwordPolicies: B2C_LEGACY_PASSWORD_POLICIES, [flag]: false });
    expect(Date.parse(after.lastPasswordChangeDateTime!)).toBeGreaterThan(Date.parse(before.lastPasswordChangeDateTime!));
    expect(emulator.passwordMatches(made.id, LEGACY_PASSWORD)).toBe(true);
    const migrated = await graph.page<GraphUser>('/users', { query: { $filter: `${flag} eq false`, $select: 'id' } });
    expect(migrated.value.map((user) => user.id)).toEqual([made.id]);
    // The flag is now false: the next sign-in is B2C's own password check against the emulator's user.
    expect((await harness.standIn.signIn(PRE, LEGACY_PASSWORD)).trace.restCalls).toEqual([]);
  });

  it('creates a legacy-only user in Graph as a B2C local account with the legacy profile', async () => {
    const result = await harness.standIn.signIn(LEGACY_ONLY, LEGACY_PASSWORD);
    expectOk(result);
    const created = await graph.get<GraphUser>(`/users/${result.objectId}`, { query: { $select: `displayName,givenName,surname,identities,userPrincipalName,${flag}` } });
    expect(created).toMatchObject({ displayName: 'Lee Gacy', givenName: 'Lee', surname: 'Gacy', userPrincipalName: `${result.objectId}@${TENANT}`, [flag]: false });
    expect(created.identities).toContainEqual({ signInType: 'emailAddress', issuer: TENANT, issuerAssignedId: LEGACY_ONLY });
  });

  it('refuses a wrong password for a user made through Graph and leaves the user as Graph made it', async () => {
    const made = await provisionThroughGraph(PRE);
    const result = await harness.standIn.signIn(PRE, 'Wrong-Pass1!');
    expect(result.ok).toBe(false);
    expect(await graph.get<GraphUser>(`/users/${made.id}`, { query: { $select: `passwordPolicies,${flag}` } })).toMatchObject({ passwordPolicies: 'DisablePasswordExpiration', [flag]: true });
    expect(emulator.passwordMatches(made.id, 'Random-Unknown-1!')).toBe(true);
  });
});
