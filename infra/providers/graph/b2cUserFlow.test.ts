import { GraphClient, type GraphResponse, type HttpMethod, type RequestOptions } from '../../../lib/graph';
import { createB2cUserFlowProvider, type B2cUserFlowInputs, type B2cUserFlowOutputs } from './b2cUserFlow';
import { UNKNOWN } from './common';
import { checked, startHarness, type Harness } from './testSupport';

describe('graphB2cUserFlow provider', () => {
  let harness: Harness;
  let provider: ReturnType<typeof createB2cUserFlowProvider>;
  let requests: Array<{ method: string; path: string; apiVersion?: string; body?: unknown }>;
  const ropc = (overrides: Partial<Record<keyof B2cUserFlowInputs, unknown>> = {}) => ({ ...harness.target, userFlowId: 'ROPC', userFlowType: 'resourceOwner', userFlowTypeVersion: 1, ...overrides });
  const inputs = (overrides: Partial<Record<keyof B2cUserFlowInputs, unknown>> = {}) => checked<B2cUserFlowInputs>(provider, ropc(overrides));
  const create = async (overrides: Partial<Record<keyof B2cUserFlowInputs, unknown>> = {}) => {
    const { id, outs } = await provider.create(await inputs(overrides));
    return { id, outs: outs as B2cUserFlowOutputs };
  };
  const stored = () => [...harness.emulator.b2cUserFlows.values()];

  beforeEach(async () => {
    harness = await startHarness();
    requests = [];
    class RecordingClient extends GraphClient {
      override request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<GraphResponse<T>> {
        requests.push({ method, path, apiVersion: options.apiVersion, ...(options.body === undefined ? {} : { body: options.body }) });
        return super.request<T>(method, path, options);
      }
    }
    provider = createB2cUserFlowProvider(() => new RecordingClient(harness.clientOptions));
  });
  afterEach(() => harness.stop());

  it('checks the inputs before anything is sent, naming the fix; the name gets B2C\'s prefix', async () => {
    expect(await inputs()).toEqual({ ...harness.target, userFlowId: 'B2C_1_ROPC', userFlowType: 'resourceOwner', userFlowTypeVersion: 1 });
    expect((await inputs({ userFlowId: 'b2c_1_ropc' })).userFlowId).toBe('B2C_1_ropc');
    expect((await inputs({ userFlowId: UNKNOWN })).userFlowId).toBe(UNKNOWN);
    const failures = async (overrides: Partial<Record<keyof B2cUserFlowInputs, unknown>>) => (await provider.check!({} as B2cUserFlowInputs, ropc(overrides) as never)).failures;
    expect(await failures({ userFlowId: 'B2C_1A_ROPC' })).toEqual([{ property: 'userFlowId', reason: expect.stringMatching(/B2C_1A_ROPC names a custom policy.*a user flow is named B2C_1_/) }]);
    expect(await failures({ userFlowId: 'ROPC flow' })).toEqual([{ property: 'userFlowId', reason: expect.stringMatching(/must be B2C_1_ followed by letters, digits and underscores/) }]);
    expect(await failures({ userFlowType: 'ropc' })).toEqual([{ property: 'userFlowType', reason: expect.stringMatching(/must be one of signUp, .*resourceOwner, got "ropc"/) }]);
    expect(await failures({ userFlowTypeVersion: 0 })).toEqual([{ property: 'userFlowTypeVersion', reason: expect.stringMatching(/must be a positive number/) }]);
    expect(await failures({ tenantId: 'contosob2c.onmicrosoft.com' })).toEqual([{ property: 'tenantId', reason: expect.stringMatching(/the B2C tenant ID \(a GUID\)/) }]);
    expect(requests).toEqual([]);
  });

  it('creates with POST /beta/identity/b2cUserFlows (name without the prefix), reads, diffs and deletes', async () => {
    const { id, outs } = await create();
    expect(id).toBe('B2C_1_ROPC');
    expect(outs).toEqual({ ...harness.target, userFlowId: 'B2C_1_ROPC', userFlowType: 'resourceOwner', userFlowTypeVersion: 1 });
    expect(requests[0]).toEqual({ method: 'POST', path: '/identity/b2cUserFlows', apiVersion: 'beta', body: { id: 'ROPC', userFlowType: 'resourceOwner', userFlowTypeVersion: 1 } });
    expect(stored()).toEqual([expect.objectContaining({ id: 'B2C_1_ROPC', userFlowType: 'resourceOwner', userFlowTypeVersion: 1 })]);

    // Unchanged (another case of the name is the same flow): no change. The type or version: a new flow.
    expect(await provider.diff!(id, outs, await inputs())).toEqual({ changes: false });
    expect(await provider.diff!(id, outs, await inputs({ userFlowId: 'B2C_1_ropc' }))).toEqual({ changes: false });
    expect(await provider.diff!(id, outs, await inputs({ userFlowType: 'signIn' }))).toEqual({ changes: true, replaces: ['userFlowType'], deleteBeforeReplace: false });
    expect(await provider.diff!(id, outs, await inputs({ userFlowTypeVersion: 2 }))).toEqual({ changes: true, replaces: ['userFlowTypeVersion'], deleteBeforeReplace: false });
    expect(await provider.diff!(id, outs, await inputs({ userFlowId: 'JIT_ROPC' }))).toEqual({ changes: true, replaces: ['userFlowId'], deleteBeforeReplace: false });
    const moved = await inputs({ graphBaseUrl: 'https://graph.microsoft.us' });
    expect(await provider.diff!(id, outs, moved)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const sent = requests.length;
    expect((await provider.update!(id, outs, moved)).outs).toEqual({ ...moved, userFlowId: 'B2C_1_ROPC' });
    expect(requests.length).toBe(sent);

    expect(await provider.read!(id, outs)).toEqual({ id, props: outs });
    await provider.delete!(id, outs);
    expect(requests.at(-1)).toEqual({ method: 'DELETE', path: '/identity/b2cUserFlows/B2C_1_ROPC', apiVersion: 'beta' });
    expect(stored()).toEqual([]);
    expect(await provider.read!(id, outs)).toEqual({ id: '', props: {} });
    await expect(provider.delete!(id, outs)).resolves.toBeUndefined();
  });

  it('refresh: a flow changed outside Pulumi comes back as B2C serves it, so the next preview replaces it', async () => {
    const { id, outs } = await create();
    await harness.raw('DELETE', '/identity/b2cUserFlows/B2C_1_ROPC', { version: 'beta' });
    await harness.raw('POST', '/identity/b2cUserFlows', { version: 'beta', body: { id: 'ROPC', userFlowType: 'signIn', userFlowTypeVersion: 3 } });
    const refreshed = await provider.read!(id, outs);
    expect(refreshed.props).toMatchObject({ userFlowType: 'signIn', userFlowTypeVersion: 3 });
    expect(await provider.diff!(id, refreshed.props as B2cUserFlowOutputs, await inputs())).toMatchObject({ changes: true, replaces: ['userFlowType', 'userFlowTypeVersion'] });
  });

  it('a create retried after a lost answer (409) adopts the flow; never a second one, never one of another type', async () => {
    const crashed = await harness.raw('POST', '/identity/b2cUserFlows', { version: 'beta', body: { id: 'ROPC', userFlowType: 'resourceOwner', userFlowTypeVersion: 1 } });
    expect(crashed.status).toBe(201);
    expect((await harness.raw('POST', '/identity/b2cUserFlows', { version: 'beta', body: { id: 'ROPC', userFlowType: 'resourceOwner', userFlowTypeVersion: 1 } })).status).toBe(409);
    const { id } = await create();
    expect(id).toBe('B2C_1_ROPC');
    expect(stored()).toHaveLength(1);

    await harness.raw('POST', '/identity/b2cUserFlows', { version: 'beta', body: { id: 'SignIn', userFlowType: 'signUpOrSignIn', userFlowTypeVersion: 3 } });
    await expect(create({ userFlowId: 'B2C_1_SignIn' })).rejects.toThrow(/already has a user flow B2C_1_SignIn of type signUpOrSignIn, not resourceOwner: choose another name/);
    expect(stored().find((flow) => flow.id === 'B2C_1_SignIn')).toMatchObject({ userFlowType: 'signUpOrSignIn' });
  });

  it('waits out a 429 storm, 503s and the replication delay after the create, and makes one flow', async () => {
    await harness.throttleWrites();
    harness.emulator.setFaults({ serverErrorRate: 0.3, seed: 7, notFoundAfterCreateMs: 150 });
    const { id } = await create();
    expect(id).toBe('B2C_1_ROPC');
    expect(harness.emulator.stats.throttled).toBeGreaterThan(0);
    expect(harness.emulator.stats.serverErrors).toBeGreaterThan(0);
    expect(stored()).toHaveLength(1);
  });
});
