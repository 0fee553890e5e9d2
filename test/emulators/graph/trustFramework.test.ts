import { GraphEmulator } from './index';
import { rawGraph } from './raw';

const TENANT_ID = '0b9a1d4e-5c6f-4a7b-8c9d-0e1f2a3b4c5d';
const policy = (id: string, base?: string) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06" PolicyId="${id}">` +
  `${base ? `<BasePolicy><TenantId>emulated.onmicrosoft.com</TenantId><PolicyId>${base}</PolicyId></BasePolicy>` : ''}</TrustFrameworkPolicy>\n`;

describe('Graph emulator: B2C trustFramework policies and key sets (beta)', () => {
  let emulator: GraphEmulator;
  let call: ReturnType<typeof rawGraph>;
  const put = (id: string, xml: string, contentType = 'application/xml') =>
    call('PUT', `/trustFramework/policies/${id}/$value`, { version: 'beta', rawBody: xml, headers: { 'Content-Type': contentType } });

  beforeEach(async () => {
    emulator = await GraphEmulator.start({ tenantId: TENANT_ID });
    call = rawGraph(emulator.url);
  });
  afterEach(() => emulator.stop());

  it('PUT $value answers 201 then 200, needs application/xml, and GET $value serves it back with the TenantObjectId', async () => {
    expect((await put('B2C_1A_Base', policy('B2C_1A_Base'), 'application/json')).status).toBe(400);
    const textXml = await put('B2C_1A_Base', policy('B2C_1A_Base'), 'text/xml');
    expect(textXml).toMatchObject({ status: 415, body: { error: { code: 'UnsupportedMediaType' } } });
    expect((await put('B2C_1A_Base', policy('B2C_1A_Base'))).status).toBe(201);
    expect((await put('B2C_1A_BASE', policy('B2C_1A_Base'))).status).toBe(200);
    const served = await call('GET', '/trustFramework/policies/b2c_1a_base/$value', { version: 'beta' });
    expect(served.headers.get('content-type')).toBe('application/xml');
    expect(served.body).toBe(policy('B2C_1A_Base').replace('PolicyId="B2C_1A_Base">', `PolicyId="B2C_1A_Base" TenantObjectId="${TENANT_ID}">`));
    expect((await call('GET', '/trustFramework/policies', { version: 'beta' })).body).toEqual({ value: [{ id: 'B2C_1A_Base' }] });
    expect((await call('DELETE', '/trustFramework/policies/B2C_1A_Base', { version: 'beta' })).status).toBe(204);
    expect((await call('GET', '/trustFramework/policies/B2C_1A_Base/$value', { version: 'beta' })).status).toBe(404);
  });

  it('refuses, changing nothing: malformed XML, another PolicyId, a base not uploaded yet, and what the test scripts', async () => {
    const refusal = async (id: string, xml: string) => {
      const answer = await put(id, xml);
      expect(answer.status).toBe(400);
      return answer.body.error.message as string;
    };
    expect(await refusal('B2C_1A_X', '<TrustFrameworkPolicy PolicyId="B2C_1A_X">')).toMatch(/^Validation failed: the policy "B2C_1A_X" .* is not well-formed XML/);
    expect(await refusal('B2C_1A_X', policy('B2C_1A_Y'))).toMatch(/PolicyId "B2C_1A_Y" in the document does not match the policy "B2C_1A_X"/);
    expect(await refusal('B2C_1A_X', policy('B2C_1A_X', 'B2C_1A_Base'))).toMatch(/Base policy "B2C_1A_Base" of tenant "emulated.onmicrosoft.com" was not found/);
    await put('B2C_1A_Base', policy('B2C_1A_Base'));
    emulator.refusePolicyUploads((id, xml) => (id === 'B2C_1A_X' && xml.includes('B2C_1A_Base') ? 'Validation failed: the technical profile is insecure.' : undefined));
    expect(await refusal('B2C_1A_X', policy('B2C_1A_X', 'B2C_1A_Base'))).toBe('Validation failed: the technical profile is insecure.');
    expect([...emulator.trustFrameworkPolicies.keys()]).toEqual(['b2c_1a_base']);
    emulator.refusePolicyUploads(undefined);
    expect((await put('B2C_1A_X', policy('B2C_1A_X', 'B2C_1A_Base'))).status).toBe(201);
  });

  it('key sets: B2C_1A_ prefix, 409 on a duplicate, uploads whose material is never served, the newest key active', async () => {
    const created = await call('POST', '/trustFramework/keySets', { version: 'beta', body: { id: 'JitApiKey' } });
    expect(created).toMatchObject({ status: 201, body: { id: 'B2C_1A_JitApiKey', keys: [] } });
    expect(created.headers.get('location')).toBe("/trustFramework/keySets('B2C_1A_JitApiKey')");
    expect((await call('POST', '/trustFramework/keySets', { version: 'beta', body: { id: 'JitApiKey' } })).status).toBe(409);
    const path = '/trustFramework/keySets/B2C_1A_JitApiKey';
    expect((await call('POST', `${path}/uploadSecret`, { version: 'beta', body: { use: 'both', k: 'x' } })).status).toBe(400);
    const first = await call('POST', `${path}/uploadSecret`, { version: 'beta', body: { use: 'enc', k: 'first-secret', nbf: 1508969811 } });
    const second = await call('POST', `${path}/uploadSecret`, { version: 'beta', body: { use: 'enc', k: 'second-secret' } });
    expect(first.body).toEqual({ kid: expect.any(String), kty: 'oct', use: 'enc', nbf: 1508969811 });
    expect((await call('GET', `${path}/getActiveKey`, { version: 'beta' })).body).toEqual(second.body);
    const read = await call('GET', path, { version: 'beta' });
    expect(read.body).toEqual({ id: 'B2C_1A_JitApiKey', keys: [first.body, second.body] });
    expect(JSON.stringify(read.body)).not.toMatch(/first-secret|second-secret/);
    expect((await call('POST', `${path}/uploadPkcs12`, { version: 'beta', body: { key: 'not base64!', password: 'p' } })).status).toBe(400);
    expect((await call('DELETE', path, { version: 'beta' })).status).toBe(204);
    expect((await call('GET', `${path}/getActiveKey`, { version: 'beta' })).status).toBe(404);
  });

  it('needs the trust framework permissions, and a new object answers 404 to reads during the replication delay', async () => {
    emulator.setPermissions(['Policy.ReadWrite.TrustFramework']);
    expect((await call('POST', '/trustFramework/keySets', { version: 'beta', body: { id: 'JitApiKey' } })).status).toBe(403);
    expect((await put('B2C_1A_Base', policy('B2C_1A_Base'))).status).toBe(201);
    emulator.setPermissions(undefined);
    emulator.setFaults({ notFoundAfterCreateMs: 60_000 });
    expect((await put('B2C_1A_Other', policy('B2C_1A_Other'))).status).toBe(201);
    expect((await call('GET', '/trustFramework/policies/B2C_1A_Other/$value', { version: 'beta' })).status).toBe(404);
    expect((await call('POST', '/trustFramework/keySets', { version: 'beta', body: { id: 'JitApiKey' } })).status).toBe(201);
    expect((await call('POST', '/trustFramework/keySets/B2C_1A_JitApiKey/uploadSecret', { version: 'beta', body: { use: 'enc', k: 's' } })).status).toBe(404);
  });
});
