import { AUTHENTICATION_EVENTS_APP_ID, GraphClient, type ListOptions } from '../../../lib/graph';
import { createServicePrincipalProvider, type ServicePrincipalInputs } from './servicePrincipal';
import { checked, startHarness, type Harness } from './testSupport';

const principalsFor = (harness: Harness, appId: string) => [...harness.emulator.servicePrincipals.values()].filter((sp) => sp.appId === appId);

describe('graphServicePrincipal provider', () => {
  let harness: Harness;
  afterEach(() => harness.stop());

  const inputsFor = async (provider: ReturnType<typeof createServicePrincipalProvider>, appId = AUTHENTICATION_EVENTS_APP_ID) =>
    checked<ServicePrincipalInputs>(provider, { ...harness.target, appId: appId.toUpperCase() });

  it('checks and normalises its inputs, naming the fix', async () => {
    harness = await startHarness();
    const provider = createServicePrincipalProvider(harness.clientFor);
    const ok = await provider.check!({} as ServicePrincipalInputs, { ...harness.target, graphBaseUrl: 'https://graph.microsoft.com/', appId: AUTHENTICATION_EVENTS_APP_ID.toUpperCase() });
    expect(ok).toEqual({ inputs: { ...harness.target, appId: AUTHENTICATION_EVENTS_APP_ID }, failures: [] });

    const bad = await provider.check!({} as ServicePrincipalInputs, { tenantId: 'contoso', graphBaseUrl: 'http://graph.example.com', appId: 'nope' } as ServicePrincipalInputs);
    expect(bad.failures?.map((failure) => failure.property)).toEqual(['tenantId', 'graphBaseUrl', 'appId']);
    expect(bad.failures?.[0]?.reason).toMatch(/External ID tenant ID/);
    expect(bad.failures?.[1]?.reason).toMatch(/https/);
  });

  it('creates the Authentication Events principal through throttling, 503s and replication 404s', async () => {
    harness = await startHarness();
    const provider = createServicePrincipalProvider(harness.clientFor);
    await harness.throttleWrites();
    harness.emulator.setFaults({ serverErrorRate: 0.3, notFoundAfterCreateMs: 150, seed: 7 });
    const inputs = await inputsFor(provider);
    const { id, outs } = await provider.create(inputs);

    expect(principalsFor(harness, AUTHENTICATION_EVENTS_APP_ID)).toEqual([expect.objectContaining({ id })]);
    expect(outs).toEqual({ ...inputs, objectId: id, displayName: 'Azure Active Directory Authentication Extensions' });
    expect(harness.emulator.stats.throttled).toBeGreaterThan(0);
    expect(harness.emulator.stats.serverErrors).toBeGreaterThan(0);
    // Every 429 and 503 waited once; the waits beyond those are the replication 404 being retried.
    expect(harness.waits.length).toBeGreaterThan(harness.emulator.stats.throttled + harness.emulator.stats.serverErrors);
  });

  it('adopts a principal that already exists, and one left by a crashed run, without a second POST', async () => {
    harness = await startHarness({ seedAuthenticationEventsServicePrincipal: true });
    const provider = createServicePrincipalProvider(harness.clientFor);
    const [existing] = principalsFor(harness, AUTHENTICATION_EVENTS_APP_ID);
    const writes = harness.emulator.stats.writes;
    const { id } = await provider.create(await inputsFor(provider));
    expect(id).toBe(existing?.id);
    expect(harness.emulator.stats.writes).toBe(writes);

    // A previous run created the principal for our app, then died before saving state.
    const app = (await harness.raw('POST', '/applications', { body: { displayName: 'extension api' } })).body;
    const crashed = (await harness.raw('POST', '/servicePrincipals', { body: { appId: app.appId } })).body;
    const again = await provider.create(await inputsFor(provider, app.appId));
    expect(again.id).toBe(crashed.id);
    expect(principalsFor(harness, app.appId)).toHaveLength(1);
  });

  it('adopts the principal when its POST loses a race (409)', async () => {
    harness = await startHarness();
    let lookups = 0;
    // The first lookup misses a principal someone else creates a moment later.
    class RacingClient extends GraphClient {
      override async *list<T>(path: string, options?: ListOptions): AsyncIterable<T> {
        if (lookups++ === 0) return;
        yield* super.list<T>(path, options);
      }
    }
    const provider = createServicePrincipalProvider(() => new RacingClient(harness.clientOptions));
    const raced = (await harness.raw('POST', '/servicePrincipals', { body: { appId: AUTHENTICATION_EVENTS_APP_ID } })).body;
    const { id } = await provider.create(await inputsFor(provider));
    expect(id).toBe(raced.id);
    expect(lookups).toBe(2);
  });

  it('diffs deterministically: unchanged inputs are no change, another appId or tenant is a replacement', async () => {
    harness = await startHarness();
    const provider = createServicePrincipalProvider(harness.clientFor);
    const inputs = await inputsFor(provider);
    const { id, outs } = await provider.create(inputs);
    // Second apply with the same program: check again, then diff against the stored outputs.
    const again = await inputsFor(provider);
    expect(await provider.diff!(id, outs!, again)).toEqual({ changes: false });
    expect(await provider.diff!(id, outs!, { ...again, appId: '00000003-0000-0000-c000-000000000000' })).toMatchObject({ changes: true, replaces: ['appId'] });
    expect(await provider.diff!(id, outs!, { ...again, tenantId: '11111111-2222-3333-4444-555555555555' })).toMatchObject({ changes: true, replaces: ['tenantId'] });
  });

  it('reads from Graph: follows a re-created principal by appId and reports a deleted one gone', async () => {
    harness = await startHarness();
    const provider = createServicePrincipalProvider(harness.clientFor);
    const { id, outs } = await provider.create(await inputsFor(provider));
    expect(await provider.read!(id, outs)).toEqual({ id, props: outs });

    await harness.raw('DELETE', `/servicePrincipals/${id}`);
    const recreated = (await harness.raw('POST', '/servicePrincipals', { body: { appId: AUTHENTICATION_EVENTS_APP_ID } })).body;
    expect(await provider.read!(id, outs)).toEqual({ id: recreated.id, props: { ...outs, objectId: recreated.id } });

    await harness.raw('DELETE', `/servicePrincipals/${recreated.id}`);
    expect(await provider.read!(recreated.id, outs)).toEqual({ id: '', props: {} });
    // An update (after that refresh) brings it back.
    const { outs: updated } = await provider.update!(id, outs!, outs!);
    expect(principalsFor(harness, AUTHENTICATION_EVENTS_APP_ID)).toEqual([expect.objectContaining({ id: updated?.objectId })]);
  });

  it('never deletes the principal: destroy leaves 99045fe1 in the tenant', async () => {
    harness = await startHarness();
    const provider = createServicePrincipalProvider(harness.clientFor);
    const { id, outs } = await provider.create(await inputsFor(provider));
    await provider.delete!(id, outs!);
    await provider.delete!(id, outs!);
    expect(principalsFor(harness, AUTHENTICATION_EVENTS_APP_ID)).toHaveLength(1);
    expect(harness.emulator.authenticationEventsServicePrincipalDeleted).toBe(false);
  });
});
