import { GraphClient, type GraphResponse, type HttpMethod, type RequestOptions } from '../../../lib/graph';
import { UNKNOWN } from './common';
import { createCustomAuthenticationExtensionProvider, type CustomAuthenticationExtensionInputs } from './customAuthenticationExtension';
import { checked, startHarness, type Harness } from './testSupport';

type Json = Record<string, any>;
const HOST = 'func-jit-dev.azurewebsites.net';

describe('graphCustomAuthenticationExtension provider', () => {
  let harness: Harness;
  let provider: ReturnType<typeof createCustomAuthenticationExtensionProvider>;
  let resourceId: string;
  let requests: Array<{ method: string; path: string; apiVersion?: string }>;
  const extensions = () => [...harness.emulator.customAuthenticationExtensions.values()];
  const raw = (extra: Json = {}) => ({
    ...harness.target,
    displayName: 'JIT password migration',
    targetUrl: `https://${HOST}/api/passwordSubmit`,
    resourceId,
    ...extra,
  });
  const inputs = (extra: Json = {}) => checked<CustomAuthenticationExtensionInputs>(provider, raw(extra));
  const failures = async (extra: Json) => (await provider.check!({} as CustomAuthenticationExtensionInputs, raw(extra) as never)).failures;

  beforeEach(async () => {
    harness = await startHarness({ seedAuthenticationEventsServicePrincipal: true });
    requests = [];
    // Records which Graph version each call used.
    class RecordingClient extends GraphClient {
      override request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<GraphResponse<T>> {
        requests.push({ method, path, apiVersion: options.apiVersion });
        return super.request<T>(method, path, options);
      }
    }
    provider = createCustomAuthenticationExtensionProvider(() => new RecordingClient(harness.clientOptions));
    const app = (await harness.raw('POST', '/applications', { body: { displayName: 'JIT extension API' } })).body;
    resourceId = `api://${HOST}/${app.appId}`;
    await harness.raw('PATCH', `/applications/${app.id}`, { body: { identifierUris: [resourceId] } });
  });
  afterEach(() => harness.stop());

  it('defaults to v1.0, 2000 ms and 1 retry', async () => {
    expect(await inputs()).toEqual({ ...raw(), apiVersion: 'v1.0', description: '', timeoutInMilliseconds: 2000, maximumRetries: 1 });
  });

  it('refuses a timeout or retry count Graph would reject, saying what to set', async () => {
    expect(await failures({ timeoutInMilliseconds: 100 })).toEqual([
      { property: 'timeoutInMilliseconds', reason: 'timeoutInMilliseconds must be a whole number from 200 to 2000 (Graph customExtensionClientConfiguration), got 100: set it to 2000, the recommended value' },
    ]);
    expect(await failures({ maximumRetries: 2 })).toEqual([
      { property: 'maximumRetries', reason: 'maximumRetries must be 0 or 1 (Graph customExtensionClientConfiguration), got 2: set it to 1, or 0 to never call the function twice' },
    ]);
    expect(await failures({ timeoutInMilliseconds: 2001, maximumRetries: -1 })).toHaveLength(2);
    // During a preview they may be unknown: checked for real at apply time.
    expect(await failures({ timeoutInMilliseconds: UNKNOWN, maximumRetries: UNKNOWN, resourceId: UNKNOWN })).toEqual([]);
  });

  it('refuses an endpoint External ID would reject', async () => {
    expect(await failures({ resourceId: resourceId.replace(HOST, 'other.example.net') })).toEqual([{ property: 'resourceId', reason: expect.stringMatching(/DomainNameDoesNotMatch/) }]);
    expect(await failures({ resourceId: 'api://passwordvalidation' })).toEqual([{ property: 'resourceId', reason: expect.stringMatching(/api:\/\/\{function host\}\/\{extension appId\}/) }]);
    expect(await failures({ targetUrl: `http://${HOST}/api/passwordSubmit` })).toEqual([{ property: 'targetUrl', reason: expect.stringMatching(/https/) }]);
    expect(await failures({ targetUrl: 'https://graph.microsoft.com/v1.0/me', resourceId: 'api://graph.microsoft.com/' + resourceId.split('/').pop() })).toEqual([
      { property: 'targetUrl', reason: expect.stringMatching(/must not point to Microsoft Graph/) },
    ]);
    expect(await failures({ apiVersion: 'v2' })).toEqual([{ property: 'apiVersion', reason: 'apiVersion must be "v1.0" (the default) or "beta" (as the JIT guide\'s examples), got "v2"' }]);
  });

  it('creates the extension on /v1.0 through 429s, 503s and a post-create 404', async () => {
    await harness.throttleWrites();
    harness.emulator.setFaults({ serverErrorRate: 0.3, notFoundAfterCreateMs: 100, seed: 5 });
    const { id, outs } = await provider.create(await inputs());
    expect(outs).toEqual(await inputs());
    expect(extensions()).toEqual([
      {
        '@odata.type': '#microsoft.graph.onPasswordSubmitCustomExtension',
        id,
        displayName: 'JIT password migration',
        description: null,
        behaviorOnError: null,
        endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: `https://${HOST}/api/passwordSubmit` },
        authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId },
        clientConfiguration: { timeoutInMilliseconds: 2000, maximumRetries: 1 },
      },
    ]);
    expect(new Set(requests.map((request) => request.apiVersion))).toEqual(new Set(['v1.0']));
    expect(harness.emulator.stats.throttled).toBeGreaterThan(0);
    expect(harness.emulator.stats.serverErrors).toBeGreaterThan(0);
    expect(harness.waits.length).toBeGreaterThan(harness.emulator.stats.throttled + harness.emulator.stats.serverErrors);
  });

  it('uses beta when asked', async () => {
    await provider.create(await inputs({ apiVersion: 'beta' }));
    expect(new Set(requests.map((request) => request.apiVersion))).toEqual(new Set(['beta']));
  });

  it.each([
    ['beta', 'v1.0'],
    ['v1.0', 'beta'],
  ] as const)('switching %s to %s is no change, and the same object answers on the new version', async (from, to) => {
    const { id, outs } = await provider.create(await inputs({ apiVersion: from }));
    const switched = await inputs({ apiVersion: to });
    expect(await provider.diff!(id, outs!, switched)).toEqual({ changes: false });
    // What a later change, a refresh and a destroy then send: the new version, the same id.
    requests.length = 0;
    const changed = await inputs({ apiVersion: to, timeoutInMilliseconds: 1500 });
    expect(await provider.diff!(id, outs!, changed)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const updated = (await provider.update!(id, outs!, changed)).outs!;
    expect(await provider.read!(id, updated)).toEqual({ id, props: updated });
    expect(extensions()).toEqual([expect.objectContaining({ id, clientConfiguration: { timeoutInMilliseconds: 1500, maximumRetries: 1 } })]);
    await provider.delete!(id, updated);
    expect(extensions()).toEqual([]);
    expect(new Set(requests.map((request) => request.apiVersion))).toEqual(new Set([to]));
  });

  it('surfaces AADB2C90063 when the Authentication Events principal is missing', async () => {
    const principal = [...harness.emulator.servicePrincipals.values()].find((sp) => sp.appId === '99045fe1-7639-4a75-9d4a-577b6ca3810f') as Json;
    await harness.raw('DELETE', `/servicePrincipals/${principal.id}`);
    await expect(provider.create(await inputs())).rejects.toThrow(/AADB2C90063/);
  });

  it('adopts and corrects the extension a crashed run created; refuses to guess between duplicates', async () => {
    const stale = { ...(await inputs()), timeoutInMilliseconds: 1000 };
    const crashed = (await harness.raw('POST', '/identity/customAuthenticationExtensions', { version: 'beta', body: bodyOf(stale) })).body;
    const { id } = await provider.create(await inputs());
    expect(id).toBe(crashed.id);
    expect(extensions()).toHaveLength(1);
    expect(extensions()[0]?.clientConfiguration).toEqual({ timeoutInMilliseconds: 2000, maximumRetries: 1 });

    const writes = harness.emulator.stats.writes;
    await provider.create(await inputs());
    expect(harness.emulator.stats.writes).toBe(writes); // already matching: no PATCH

    await harness.raw('POST', '/identity/customAuthenticationExtensions', { version: 'beta', body: bodyOf(stale) });
    await expect(provider.create(await inputs())).rejects.toThrow(/2 onPasswordSubmit custom authentication extensions are named "JIT password migration"/);
  });

  it('diffs deterministically: no change on a second apply, PATCHes in place, replaces only for another tenant', async () => {
    const { id, outs } = await provider.create(await inputs());
    expect(await provider.diff!(id, outs!, await inputs())).toEqual({ changes: false });
    expect(await provider.diff!(id, outs!, await inputs({ resourceId: resourceId.toUpperCase().replace('API://', 'api://') }))).toEqual({ changes: false });
    expect(await provider.diff!(id, outs!, await inputs({ timeoutInMilliseconds: 1500 }))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await provider.diff!(id, outs!, await inputs({ tenantId: '11111111-2222-3333-4444-555555555555' }))).toMatchObject({ replaces: ['tenantId'] });
    expect(await provider.diff!(id, outs!, { ...(await inputs()), targetUrl: UNKNOWN } as never)).toMatchObject({ changes: true, replaces: [] });
  });

  it('updates in place with @odata.type (PATCH)', async () => {
    const { id, outs } = await provider.create(await inputs());
    const news = await inputs({ timeoutInMilliseconds: 1500, maximumRetries: 0, description: 'Validates legacy passwords' });
    expect((await provider.update!(id, outs!, news)).outs).toEqual(news);
    expect(extensions()[0]).toMatchObject({ id, description: 'Validates legacy passwords', clientConfiguration: { timeoutInMilliseconds: 1500, maximumRetries: 0 } });
  });

  it('reads from Graph so drift shows as a diff, and reports a deleted extension gone', async () => {
    const { id, outs } = await provider.create(await inputs());
    expect(await provider.read!(id, outs)).toEqual({ id, props: outs });
    await harness.raw('PATCH', `/identity/customAuthenticationExtensions/${id}`, {
      version: 'beta',
      body: { '@odata.type': '#microsoft.graph.onPasswordSubmitCustomExtension', clientConfiguration: { timeoutInMilliseconds: 500, maximumRetries: 1 } },
    });
    const refreshed = await provider.read!(id, outs);
    expect(refreshed.props?.timeoutInMilliseconds).toBe(500);
    expect(await provider.diff!(id, refreshed.props!, await inputs())).toMatchObject({ changes: true });
    await harness.raw('DELETE', `/identity/customAuthenticationExtensions/${id}`, { version: 'beta' });
    expect(await provider.read!(id, outs)).toEqual({ id: '', props: {} });
  });

  it('deletes the extension and tolerates one already gone', async () => {
    const { id, outs } = await provider.create(await inputs());
    await provider.delete!(id, outs!);
    expect(extensions()).toEqual([]);
    await expect(provider.delete!(id, outs!)).resolves.toBeUndefined();
  });
});

function bodyOf(inputs: CustomAuthenticationExtensionInputs): Json {
  return {
    '@odata.type': '#microsoft.graph.onPasswordSubmitCustomExtension',
    displayName: inputs.displayName,
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: inputs.targetUrl },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: inputs.resourceId },
    clientConfiguration: { timeoutInMilliseconds: inputs.timeoutInMilliseconds, maximumRetries: inputs.maximumRetries },
  };
}
