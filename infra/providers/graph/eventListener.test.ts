import { randomUUID } from 'node:crypto';
import { B2C_EXTENSIONS_APP_DISPLAY_NAME } from '../../../test/emulators/graph';
import { UNKNOWN } from './common';
import { createEventListenerProvider, type EventListenerInputs } from './eventListener';
import { checked, startHarness, type Harness } from './testSupport';

type Json = Record<string, any>;
const HOST = 'func-jit-dev.azurewebsites.net';

describe('graphEventListener provider', () => {
  let harness: Harness;
  let provider: ReturnType<typeof createEventListenerProvider>;
  let flag: string;
  let extensionId: string;
  const clientA = randomUUID();
  const clientB = randomUUID();
  const listeners = () => [...harness.emulator.authenticationEventListeners.values()];
  const raw = (extra: Json = {}) => ({
    ...harness.target,
    displayName: 'JIT password migration',
    clientAppIds: [clientB.toUpperCase(), clientA],
    migrationPropertyId: flag,
    customExtensionId: extensionId,
    ...extra,
  });
  const inputs = (extra: Json = {}) => checked<EventListenerInputs>(provider, raw(extra));
  const failures = async (extra: Json) => (await provider.check!({} as EventListenerInputs, raw(extra) as never)).failures;

  beforeEach(async () => {
    harness = await startHarness({ seedAuthenticationEventsServicePrincipal: true });
    provider = createEventListenerProvider(harness.clientFor);
    const b2c = [...harness.emulator.applications.values()].find((app) => app.displayName === B2C_EXTENSIONS_APP_DISPLAY_NAME) as Json;
    flag = (await harness.raw('POST', `/applications/${b2c.id}/extensionProperties`, { body: { name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] } })).body.name;
    const app = (await harness.raw('POST', '/applications', { body: { displayName: 'JIT extension API' } })).body;
    const resourceId = `api://${HOST}/${app.appId}`;
    await harness.raw('PATCH', `/applications/${app.id}`, { body: { identifierUris: [resourceId] } });
    extensionId = (await harness.raw('POST', '/identity/customAuthenticationExtensions', { version: 'beta', body: extensionBody(resourceId) })).body.id;
  });
  afterEach(() => harness.stop());

  it('normalises the app ids and defaults priority 500 and v1.0', async () => {
    expect(await inputs()).toEqual({ ...raw(), apiVersion: 'v1.0', priority: 500, clientAppIds: [clientA, clientB].sort() });
  });

  it.each([
    ['beta', 'v1.0'],
    ['v1.0', 'beta'],
  ] as const)('switching %s to %s is no change, and the same listener answers on the new version', async (from, to) => {
    const { id, outs } = await provider.create(await inputs({ apiVersion: from }));
    const switched = await inputs({ apiVersion: to });
    expect(await provider.diff!(id, outs!, switched)).toEqual({ changes: false });
    const changed = await inputs({ apiVersion: to, priority: 400 });
    const updated = (await provider.update!(id, outs!, changed)).outs!;
    expect(await provider.read!(id, updated)).toEqual({ id, props: updated });
    expect(listeners()).toEqual([expect.objectContaining({ id, priority: 400 })]);
    await provider.delete!(id, updated);
    expect(listeners()).toEqual([]);
  });

  it('names the fix for inputs Graph would refuse', async () => {
    expect(await failures({ clientAppIds: [] })).toEqual([{ property: 'clientAppIds', reason: expect.stringMatching(/client \(application\) IDs/) }]);
    expect(await failures({ clientAppIds: ['my-app'] })).toEqual([{ property: 'clientAppIds', reason: expect.stringMatching(/"my-app"/) }]);
    expect(await failures({ priority: 1001 })).toEqual([{ property: 'priority', reason: expect.stringMatching(/0 to 1000.*use 500/) }]);
    expect(await failures({ migrationPropertyId: 'toBeMigrated' })).toEqual([{ property: 'migrationPropertyId', reason: expect.stringMatching(/extension_\{b2c-extensions-app appId without hyphens\}_\{name\}/) }]);
    expect(await failures({ clientAppIds: [clientA, UNKNOWN], customExtensionId: UNKNOWN, migrationPropertyId: UNKNOWN })).toEqual([]);
  });

  it('creates the listener in the documented shape through 429s, 503s and a post-create 404', async () => {
    await harness.throttleWrites();
    harness.emulator.setFaults({ serverErrorRate: 0.3, notFoundAfterCreateMs: 100, seed: 9 });
    const { id, outs } = await provider.create(await inputs());
    expect(outs).toEqual(await inputs());
    expect(listeners()).toEqual([
      {
        '@odata.type': '#microsoft.graph.onPasswordSubmitListener',
        id,
        displayName: 'JIT password migration',
        priority: 500,
        authenticationEventsFlowId: null,
        conditions: { applications: { includeAllApplications: false, includeApplications: [clientA, clientB].sort().map((appId) => ({ appId })) } },
        handler: { '@odata.type': '#microsoft.graph.onPasswordMigrationCustomExtensionHandler', migrationPropertyId: flag, configuration: null, customExtension: { id: extensionId } },
      },
    ]);
    expect(harness.emulator.stats.throttled).toBeGreaterThan(0);
    expect(harness.emulator.stats.serverErrors).toBeGreaterThan(0);
    expect(harness.waits.length).toBeGreaterThan(harness.emulator.stats.throttled + harness.emulator.stats.serverErrors);
  });

  it('adopts the listener a crashed run created (by name or by its extension) and corrects it', async () => {
    const crashed = (await harness.raw('POST', '/identity/authenticationEventListeners', { version: 'beta', body: { ...bodyOf(await inputs()), displayName: 'renamed by hand', priority: 400 } })).body;
    const { id } = await provider.create(await inputs());
    expect(id).toBe(crashed.id);
    expect(listeners()).toEqual([expect.objectContaining({ id, displayName: 'JIT password migration', priority: 500 })]);
    const writes = harness.emulator.stats.writes;
    expect((await provider.create(await inputs())).id).toBe(id);
    expect(harness.emulator.stats.writes).toBe(writes);
  });

  it('diffs deterministically and replaces (deleting first) only for another tenant', async () => {
    const { id, outs } = await provider.create(await inputs());
    expect(await provider.diff!(id, outs!, await inputs())).toEqual({ changes: false });
    expect(await provider.diff!(id, outs!, await inputs({ clientAppIds: [clientA, clientB, clientA.toUpperCase()], migrationPropertyId: flag.toUpperCase().replace('EXTENSION_', 'extension_') }))).toEqual({ changes: false });
    expect(await provider.diff!(id, outs!, await inputs({ clientAppIds: [clientA] }))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await provider.diff!(id, outs!, await inputs({ tenantId: '11111111-2222-3333-4444-555555555555' }))).toEqual({ changes: true, replaces: ['tenantId'], deleteBeforeReplace: true });
  });

  it('updates the apps in place (PATCH with @odata.type)', async () => {
    const { id, outs } = await provider.create(await inputs());
    const clientC = randomUUID();
    await provider.update!(id, outs!, await inputs({ clientAppIds: [clientC] }));
    expect(listeners()[0]?.conditions).toEqual({ applications: { includeAllApplications: false, includeApplications: [{ appId: clientC }] } });
  });

  it('reads from Graph so drift shows as a diff, and reports a deleted listener gone', async () => {
    const { id, outs } = await provider.create(await inputs());
    expect(await provider.read!(id, outs)).toEqual({ id, props: outs });
    await harness.raw('PATCH', `/identity/authenticationEventListeners/${id}`, {
      version: 'beta',
      body: { '@odata.type': '#microsoft.graph.onPasswordSubmitListener', conditions: { applications: { includeApplications: [{ appId: clientA }] } } },
    });
    const refreshed = await provider.read!(id, outs);
    expect(refreshed.props?.clientAppIds).toEqual([clientA]);
    expect(await provider.diff!(id, refreshed.props!, await inputs())).toMatchObject({ changes: true });
    await harness.raw('DELETE', `/identity/authenticationEventListeners/${id}`, { version: 'beta' });
    expect(await provider.read!(id, outs)).toEqual({ id: '', props: {} });
  });

  it('deletes the listener and tolerates one already gone', async () => {
    const { id, outs } = await provider.create(await inputs());
    await provider.delete!(id, outs!);
    expect(listeners()).toEqual([]);
    await expect(provider.delete!(id, outs!)).resolves.toBeUndefined();
  });
});

function extensionBody(resourceId: string): Json {
  return {
    '@odata.type': '#microsoft.graph.onPasswordSubmitCustomExtension',
    displayName: 'JIT password migration',
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: `https://${HOST}/api/passwordSubmit` },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId },
    clientConfiguration: { timeoutInMilliseconds: 2000, maximumRetries: 1 },
  };
}

function bodyOf(inputs: EventListenerInputs): Json {
  return {
    '@odata.type': '#microsoft.graph.onPasswordSubmitListener',
    displayName: inputs.displayName,
    priority: inputs.priority,
    conditions: { applications: { includeAllApplications: false, includeApplications: inputs.clientAppIds.map((appId) => ({ appId })) } },
    handler: { '@odata.type': '#microsoft.graph.onPasswordMigrationCustomExtensionHandler', migrationPropertyId: inputs.migrationPropertyId, customExtension: { id: inputs.customExtensionId } },
  };
}
