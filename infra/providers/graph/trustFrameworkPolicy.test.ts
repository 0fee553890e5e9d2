import { generateB2cPolicies } from '../../../lib/b2c/policies';
import { GraphClient, type GraphResponse, type HttpMethod, type RequestOptions } from '../../../lib/graph';
import { UNKNOWN } from './common';
import { createTrustFrameworkPolicyProvider, sha256Hex, type TrustFrameworkPolicyInputs, type TrustFrameworkPolicyOutputs } from './trustFrameworkPolicy';
import { checked, startHarness, type Harness } from './testSupport';

const TENANT = 'contosob2c.onmicrosoft.com';
const BASE = 'B2C_1A_TrustFrameworkExtensions';
/** What the generator uploads on top of the team's starter pack: the layer, then two relying parties. */
const GENERATED = generateB2cPolicies({
  tenant: TENANT,
  apiUrl: 'https://func-jitmig-dev.azurewebsites.net',
  extensionsAppClientId: '11111111-2222-4333-8444-555555555555',
  extensionsAppObjectId: '66666666-7777-4888-9999-000000000000',
  auth: 'basic',
}).files;
const [LAYER, SIGN_IN, RESET] = GENERATED as [(typeof GENERATED)[number], (typeof GENERATED)[number], (typeof GENERATED)[number]];

/** A minimal policy document, as the starter pack's files are shaped. */
function policyXml(policyId: string, basePolicy?: string, body = '  <ClaimsProviders />\n'): string {
  const base = basePolicy === undefined ? '' : `  <BasePolicy>\n    <TenantId>${TENANT}</TenantId>\n    <PolicyId>${basePolicy}</PolicyId>\n  </BasePolicy>\n`;
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06" ` +
    `PolicySchemaVersion="0.3.0.0" TenantId="${TENANT}" PolicyId="${policyId}" PublicPolicyUri="http://${TENANT}/${policyId}">\n${base}${body}</TrustFrameworkPolicy>\n`
  );
}

describe('graphTrustFrameworkPolicy provider', () => {
  let harness: Harness;
  let provider: ReturnType<typeof createTrustFrameworkPolicyProvider>;
  let requests: Array<{ method: string; path: string; apiVersion?: string; contentType?: string }>;
  const stored = (policyId: string) => harness.emulator.trustFrameworkPolicies.get(policyId.toLowerCase())?.xml as string | undefined;
  const inputs = (policyId: string, xml: string) => checked<TrustFrameworkPolicyInputs>(provider, { ...harness.target, policyId, xml });
  /** What a crashed run, the portal or the starter-pack upload put there, straight over the wire. */
  const upload = (policyId: string, xml: string) =>
    harness.raw('PUT', `/trustFramework/policies/${policyId}/$value`, { version: 'beta', rawBody: xml, headers: { 'Content-Type': 'application/xml' } });
  const create = async (policyId: string, xml: string) => {
    const { id, outs } = await provider.create(await inputs(policyId, xml));
    return { id, outs: outs as TrustFrameworkPolicyOutputs };
  };

  beforeEach(async () => {
    harness = await startHarness();
    requests = [];
    class RecordingClient extends GraphClient {
      override request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<GraphResponse<T>> {
        requests.push({ method, path, apiVersion: options.apiVersion, contentType: options.rawBody?.contentType });
        return super.request<T>(method, path, options);
      }
    }
    provider = createTrustFrameworkPolicyProvider(() => new RecordingClient(harness.clientOptions));
    expect((await upload(BASE, policyXml(BASE))).status).toBe(201);
  });
  afterEach(() => harness.stop());

  it('checks the id and the document before anything is sent, and normalises line endings only', async () => {
    const crlf = LAYER.xml.replace(/\n/g, '\r\n');
    expect(await inputs(LAYER.policyId, crlf)).toEqual({ ...harness.target, policyId: LAYER.policyId, xml: LAYER.xml });
    // Unknown during preview (the function's host name): passes through.
    expect(await inputs(LAYER.policyId, UNKNOWN)).toMatchObject({ xml: UNKNOWN });
    const failures = async (policyId: string, xml: unknown) => (await provider.check!({} as TrustFrameworkPolicyInputs, { ...harness.target, policyId, xml } as never)).failures;
    expect(await failures('JIT_SignIn', policyXml('JIT_SignIn'))).toEqual([{ property: 'policyId', reason: expect.stringMatching(/must be B2C_1A_ followed by/) }]);
    expect(await failures('B2C_1A_X', '<TrustFrameworkPolicy PolicyId="B2C_1A_X"><BasePolicy></TrustFrameworkPolicy>')).toEqual([
      { property: 'xml', reason: expect.stringMatching(/^xml of B2C_1A_X is not well-formed XML: .* at line 1\. Fix the file$/) },
    ]);
    expect(await failures('B2C_1A_X', policyXml('B2C_1A_Y'))).toEqual([{ property: 'xml', reason: expect.stringMatching(/PolicyId "B2C_1A_Y" but policyId is "B2C_1A_X".*make them the same/) }]);
    expect(await failures('B2C_1A_X', '  ')).toEqual([{ property: 'xml', reason: expect.stringMatching(/xml is missing/) }]);
    expect(requests).toEqual([]);
  });

  it('creates, reads, updates, diffs and deletes a policy with PUT/GET/DELETE on /beta/trustFramework/policies', async () => {
    const { id, outs } = await create(LAYER.policyId, LAYER.xml);
    expect(id).toBe(LAYER.policyId);
    expect(outs).toEqual({ ...harness.target, policyId: LAYER.policyId, xml: LAYER.xml, sha256: sha256Hex(LAYER.xml) });
    expect(stored(LAYER.policyId)).toBe(LAYER.xml);
    expect(requests[0]).toEqual({ method: 'PUT', path: `/trustFramework/policies/${LAYER.policyId}/$value`, apiVersion: 'beta', contentType: 'application/xml' });

    // Unchanged: no upload. The same file with CRLF line endings or another case of the id is the same policy.
    expect(await provider.diff!(id, outs, await inputs(LAYER.policyId, LAYER.xml))).toEqual({ changes: false });
    expect(await provider.diff!(id, outs, await inputs(LAYER.policyId.toUpperCase(), LAYER.xml.replace(/\n/g, '\r\n')))).toEqual({ changes: false });
    // B2C serves the policy back with a TenantObjectId on its root: a refresh is still no change.
    const refreshed = await provider.read!(id, outs);
    expect(refreshed).toEqual({ id, props: outs });

    // One changed line: an update (a new PUT of the same policy), never a replace that would delete it.
    const edited = LAYER.xml.replace('</TrustFrameworkPolicy>', '  <!-- audited change -->\n</TrustFrameworkPolicy>');
    const news = await inputs(LAYER.policyId, edited);
    expect(await provider.diff!(id, outs, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const { outs: updated } = await provider.update!(id, outs, news);
    expect(updated).toEqual({ ...news, sha256: sha256Hex(edited) });
    expect(stored(LAYER.policyId)).toBe(edited);
    expect(harness.emulator.trustFrameworkPolicies.size).toBe(2);
    // Another tenant or another id is another policy.
    expect(await provider.diff!(id, updated!, await inputs('B2C_1A_Other', policyXml('B2C_1A_Other')))).toMatchObject({ changes: true, replaces: ['policyId'] });

    await provider.delete!(id, updated!);
    expect(stored(LAYER.policyId)).toBeUndefined();
    expect(await provider.read!(id, updated)).toEqual({ id: '', props: {} });
    // Already gone: destroy still succeeds.
    await expect(provider.delete!(id, updated!)).resolves.toBeUndefined();
  });

  it('a refresh after an edit in the portal holds B2C\'s text, so the next up shows the lines and uploads ours again', async () => {
    const { id, outs } = await create(LAYER.policyId, LAYER.xml);
    const portal = LAYER.xml.replace('</TrustFrameworkPolicy>', '  <!-- edited in the portal -->\n</TrustFrameworkPolicy>');
    await upload(LAYER.policyId, portal);
    const refreshed = (await provider.read!(id, outs)).props as TrustFrameworkPolicyOutputs;
    expect(refreshed.xml).toContain('<!-- edited in the portal -->');
    expect(await provider.diff!(id, refreshed, await inputs(LAYER.policyId, LAYER.xml))).toMatchObject({ changes: true, replaces: [] });
  });

  it('adopts a policy a crashed run already uploaded: PUT replaces it, nothing is duplicated', async () => {
    await upload(LAYER.policyId, policyXml(LAYER.policyId, BASE));
    const { outs } = await create(LAYER.policyId, LAYER.xml);
    expect(outs.sha256).toBe(sha256Hex(LAYER.xml));
    expect(stored(LAYER.policyId)).toBe(LAYER.xml);
    expect(harness.emulator.trustFrameworkPolicies.size).toBe(2);
  });

  it('waits out a 429 storm and 503s, following Retry-After', async () => {
    await harness.throttleWrites();
    const { outs } = await create(LAYER.policyId, LAYER.xml);
    expect(stored(LAYER.policyId)).toBe(LAYER.xml);
    expect(harness.emulator.stats.throttled).toBeGreaterThan(0);
    // Retry-After in seconds, as the throttle sent it (the window is 600 s).
    expect(harness.waits.some((ms) => ms >= 500_000)).toBe(true);

    harness.emulator.setThrottle(undefined);
    harness.emulator.setFaults({ serverErrorRate: 0.5, seed: 7 });
    const edited = LAYER.xml.replace('</TrustFrameworkPolicy>', '<!-- v2 -->\n</TrustFrameworkPolicy>');
    await provider.update!(LAYER.policyId, outs, await inputs(LAYER.policyId, edited));
    expect(stored(LAYER.policyId)).toBe(edited);
    expect(harness.emulator.stats.serverErrors).toBeGreaterThan(0);
  });

  it('does not return from a create before B2C serves the policy (replication), so the next file can name it as its base', async () => {
    harness.emulator.setFaults({ notFoundAfterCreateMs: 150 });
    const { id, outs } = await create(LAYER.policyId, LAYER.xml);
    expect(requests.map((request) => request.method)).toEqual(['PUT', 'GET']);
    // The read-back met 404s and waited them out.
    expect(harness.waits.length).toBeGreaterThan(0);
    expect(await provider.read!(id, outs)).toEqual({ id, props: outs });
  });

  it('uploads in the order the program gives (dependsOn) and never reorders: a relying party before its layer is refused', async () => {
    const chain = [LAYER, SIGN_IN, RESET];
    // Out of order: B2C's refusal names the missing base, nothing is retried or uploaded in its place.
    await expect(create(SIGN_IN.policyId, SIGN_IN.xml)).rejects.toThrow(
      new RegExp(`^B2C refused policy ${SIGN_IN.policyId} \\(HTTP 400\\): .*Base policy "${LAYER.policyId}" .*not found.*upload what it names first`),
    );
    expect(requests).toEqual([expect.objectContaining({ method: 'PUT', path: `/trustFramework/policies/${SIGN_IN.policyId}/$value` })]);
    expect(stored(SIGN_IN.policyId)).toBeUndefined();
    expect(stored(LAYER.policyId)).toBeUndefined();

    requests = [];
    for (const file of chain) await create(file.policyId, file.xml);
    expect(requests.filter((request) => request.method === 'PUT').map((request) => request.path)).toEqual(chain.map((file) => `/trustFramework/policies/${file.policyId}/$value`));
    for (const file of chain) expect(stored(file.policyId)).toBe(file.xml);
  });

  it('reports B2C\'s own text for a refused upload and leaves the earlier policies (and the refused one\'s last version) in place', async () => {
    const layer = await create(LAYER.policyId, LAYER.xml);
    const signIn = await create(SIGN_IN.policyId, SIGN_IN.xml);
    const b2cText =
      `Validation failed: 1 validation error(s) found in policy "${RESET.policyId.toUpperCase()}" of tenant "${TENANT}". ` +
      `Technical profile "REST-JitMigration-Verify" in policy must set AllowInsecureAuthInProduction to true when AuthenticationType is None.`;
    harness.emulator.refusePolicyUploads((policyId) => (policyId.toLowerCase() === RESET.policyId.toLowerCase() || policyId === SIGN_IN.policyId ? b2cText : undefined));

    await expect(create(RESET.policyId, RESET.xml)).rejects.toThrow(`B2C refused policy ${RESET.policyId} (HTTP 400): ${b2cText}`);
    expect(stored(RESET.policyId)).toBeUndefined();
    // A refused update keeps the version B2C has.
    const edited = SIGN_IN.xml.replace('</TrustFrameworkPolicy>', '<!-- v2 -->\n</TrustFrameworkPolicy>');
    await expect(provider.update!(signIn.id, signIn.outs, await inputs(SIGN_IN.policyId, edited))).rejects.toThrow(b2cText);
    expect(stored(SIGN_IN.policyId)).toBe(SIGN_IN.xml);
    expect(stored(LAYER.policyId)).toBe(layer.outs.xml);
    expect(stored(BASE)).toBe(policyXml(BASE));
  });
});
