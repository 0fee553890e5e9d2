import { randomUUID } from 'node:crypto';
import { TEST_CERTIFICATE_BASE64_DER } from './fixtures';
import { AUTHENTICATION_EVENTS_APP_ID, B2C_EXTENSIONS_APP_DISPLAY_NAME, GraphEmulator, MICROSOFT_GRAPH_APP_ID, RECEIVE_PAYLOAD_ROLE_ID } from './index';
import { rawGraph } from './raw';

const b2cAppId = 'b7b1c57b-532f-40b8-b5ed-4b7a7ba67401';

describe('Graph emulator: applications, extension properties, service principals', () => {
  let emulator: GraphEmulator;
  let call: ReturnType<typeof rawGraph>;

  beforeEach(async () => {
    emulator = await GraphEmulator.start({ b2cExtensionsAppId: b2cAppId });
    call = rawGraph(emulator.url);
  });
  afterEach(() => emulator.stop());

  const createApp = async (displayName = 'JIT extension') => (await call('POST', '/applications', { body: { displayName } })).body;
  const encryptionKey = (keyId: string, extra: Record<string, unknown> = {}) => ({
    keyId,
    type: 'AsymmetricX509Cert',
    usage: 'Encrypt',
    key: TEST_CERTIFICATE_BASE64_DER,
    displayName: 'CN=JitMigration',
    ...extra,
  });

  it('seeds the b2c-extensions-app, found by startswith(displayName) and by appId', async () => {
    const byName = await call('GET', `/applications?$filter=${encodeURIComponent("startswith(displayName,'b2c-extensions-app')")}&$select=id,appId,displayName`);
    expect(byName.body.value).toEqual([{ id: expect.any(String), appId: b2cAppId, displayName: B2C_EXTENSIONS_APP_DISPLAY_NAME }]);
    const byAppId = await call('GET', `/applications?$filter=${encodeURIComponent(`appId eq '${b2cAppId}'`)}`);
    expect(byAppId.body.value).toHaveLength(1);
    expect((await call('GET', `/applications(appId='${b2cAppId}')`)).body.displayName).toBe(B2C_EXTENSIONS_APP_DISPLAY_NAME);
  });

  it('creates an application (displayName required) and patches its identifierUris, refusing one another app holds', async () => {
    expect((await call('POST', '/applications', { body: {} })).status).toBe(400);
    expect((await call('POST', '/applications', { body: { displayName: 'x', passwordCredentials: [] } })).status).toBe(400);
    const app = await createApp();
    expect(app).toMatchObject({ signInAudience: 'AzureADMyOrg', identifierUris: [], keyCredentials: [], tokenEncryptionKeyId: null });
    const uri = `api://jit.example.net/${app.appId}`;
    expect((await call('PATCH', `/applications/${app.id}`, { body: { identifierUris: [uri], api: { requestedAccessTokenVersion: 2 } } })).status).toBe(204);
    expect(emulator.applications.get(app.id)).toMatchObject({ identifierUris: [uri], api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [] } });
    const other = await createApp('other');
    const taken = await call('PATCH', `/applications/${other.id}`, { body: { identifierUris: [uri] } });
    expect(taken.status).toBe(400);
    expect(taken.body.error.message).toBe('Another object with the same value for property identifierUris already exists.');
    expect((await call('PATCH', `/applications/${other.id}`, { body: { identifierUris: ['not a uri'] } })).status).toBe(400);
    expect((await call('PATCH', `/applications/${other.id}`, { body: { api: { requestedAccessTokenVersion: 3 } } })).status).toBe(400);
  });

  it('accepts the JIT encryption key and returns `key` only on $select=keyCredentials', async () => {
    const app = await createApp();
    const keyId = randomUUID();
    const patched = await call('PATCH', `/applications/${app.id}`, { body: { keyCredentials: [encryptionKey(keyId)], tokenEncryptionKeyId: keyId } });
    expect(patched.status).toBe(204);
    const plain = await call('GET', `/applications/${app.id}`);
    expect(plain.body.tokenEncryptionKeyId).toBe(keyId);
    expect(plain.body.keyCredentials).toEqual([expect.objectContaining({ keyId, usage: 'Encrypt', type: 'AsymmetricX509Cert', key: null, endDateTime: expect.any(String) })]);
    const selected = await call('GET', `/applications/${app.id}?$select=keyCredentials`);
    expect(selected.body.keyCredentials[0].key).toBe(TEST_CERTIFICATE_BASE64_DER);
  });

  it.each([
    ['a PEM certificate as key', (keyId: string) => ({ keyCredentials: [encryptionKey(keyId, { key: `-----BEGIN CERTIFICATE-----\n${TEST_CERTIFICATE_BASE64_DER}\n-----END CERTIFICATE-----` })] }), 'Invalid certificate'],
    ['base64 that is not a certificate', (keyId: string) => ({ keyCredentials: [encryptionKey(keyId, { key: Buffer.from('{"kty":"RSA"}').toString('base64') })] }), 'Invalid certificate'],
    ['no key (as a GET without $select would give back)', (keyId: string) => ({ keyCredentials: [encryptionKey(keyId, { key: null })] }), 'Invalid certificate'],
    ['type Symmetric', (keyId: string) => ({ keyCredentials: [encryptionKey(keyId, { type: 'Symmetric' })] }), "property 'type'"],
    ['usage Sign on an AsymmetricX509Cert', (keyId: string) => ({ keyCredentials: [encryptionKey(keyId, { usage: 'Sign' })] }), "property 'usage'"],
    ['tokenEncryptionKeyId naming no keyCredential', (keyId: string) => ({ keyCredentials: [encryptionKey(keyId)], tokenEncryptionKeyId: randomUUID() }), "property 'tokenEncryptionKeyId'"],
    ['tokenEncryptionKeyId naming a Verify key', (keyId: string) => ({ keyCredentials: [encryptionKey(keyId, { usage: 'Verify' })], tokenEncryptionKeyId: keyId }), "property 'tokenEncryptionKeyId'"],
  ])('refuses %s (400)', async (_label, body, message) => {
    const app = await createApp();
    const response = await call('PATCH', `/applications/${app.id}`, { body: body(randomUUID()) });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(message);
    expect(emulator.applications.get(app.id)?.keyCredentials).toEqual([]);
  });

  it('creates extension properties named extension_{appId without hyphens}_{name}', async () => {
    const [b2c] = (await call('GET', `/applications?$filter=${encodeURIComponent(`appId eq '${b2cAppId}'`)}`)).body.value;
    const path = `/applications/${b2c.id}/extensionProperties`;
    const created = await call('POST', path, { body: { name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'extension_b7b1c57b532f40b8b5ed4b7a7ba67401_toBeMigrated', dataType: 'Boolean', targetObjects: ['User'], isMultiValued: false });
    expect((await call('POST', path, { body: { name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] } })).status).toBe(400);
    expect((await call('POST', path, { body: { name: 'flag', dataType: 'Bool', targetObjects: ['User'] } })).status).toBe(400);
    expect((await call('POST', path, { body: { name: 'flag', dataType: 'Boolean', targetObjects: [] } })).status).toBe(400);
    expect((await call('POST', path, { body: { name: 'has space', dataType: 'Boolean', targetObjects: ['User'] } })).status).toBe(400);
    expect((await call('GET', path)).body.value).toHaveLength(1);
    expect((await call('DELETE', `${path}/${created.body.id}`)).status).toBe(204);
    expect((await call('GET', path)).body.value).toHaveLength(0);
  });

  it('seeds the Microsoft Graph service principal with CustomAuthenticationExtension.Receive.Payload', async () => {
    const graph = await call('GET', `/servicePrincipals(appId='${MICROSOFT_GRAPH_APP_ID}')?$select=id,appRoles`);
    expect(graph.status).toBe(200);
    expect(graph.body.appRoles).toEqual(expect.arrayContaining([expect.objectContaining({ value: 'CustomAuthenticationExtension.Receive.Payload', id: RECEIVE_PAYLOAD_ROLE_ID })]));
    expect(graph.body.appRoles.length).toBeGreaterThan(1);
    const filtered = await call('GET', `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${MICROSOFT_GRAPH_APP_ID}'`)}`);
    expect(filtered.body.value).toHaveLength(1);
  });

  it('creates service principals for tenant apps and first-party apps only, once each', async () => {
    const app = await createApp();
    const created = await call('POST', '/servicePrincipals', { body: { appId: app.appId } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ appId: app.appId, displayName: 'JIT extension' });
    const again = await call('POST', '/servicePrincipals', { body: { appId: app.appId } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('Request_MultipleObjectsWithSameKeyValue');
    expect((await call('POST', '/servicePrincipals', { body: { appId: randomUUID() } })).status).toBe(400);
    expect((await call('POST', '/servicePrincipals', { body: { appId: 'not-a-guid' } })).status).toBe(400);
    expect((await call('POST', '/servicePrincipals', { body: { appId: AUTHENTICATION_EVENTS_APP_ID } })).status).toBe(201);
  });

  it('lets tests see the deletion of the Authentication Events service principal', async () => {
    const { body: sp } = await call('POST', '/servicePrincipals', { body: { appId: AUTHENTICATION_EVENTS_APP_ID } });
    expect(emulator.authenticationEventsServicePrincipalDeleted).toBe(false);
    expect((await call('DELETE', `/servicePrincipals/${sp.id}`)).status).toBe(204);
    expect(emulator.authenticationEventsServicePrincipalDeleted).toBe(true);
  });

  it('assigns an app role once, checking principal, resource and role', async () => {
    const app = await createApp();
    const { body: sp } = await call('POST', '/servicePrincipals', { body: { appId: app.appId } });
    const { body: graph } = await call('GET', `/servicePrincipals(appId='${MICROSOFT_GRAPH_APP_ID}')`);
    const path = `/servicePrincipals/${sp.id}/appRoleAssignments`;
    const body = { principalId: sp.id, resourceId: graph.id, appRoleId: RECEIVE_PAYLOAD_ROLE_ID };
    const assigned = await call('POST', path, { body });
    expect(assigned.status).toBe(201);
    expect(assigned.body).toMatchObject({ ...body, principalType: 'ServicePrincipal', resourceDisplayName: 'Microsoft Graph' });
    expect(assigned.body.id).not.toMatch(/^[0-9a-f-]{36}$/);
    expect((await call('POST', path, { body })).body.error.message).toBe('Permission being assigned already exists on the object');
    expect((await call('POST', path, { body: { ...body, appRoleId: randomUUID() } })).status).toBe(400);
    expect((await call('POST', path, { body: { ...body, principalId: graph.id } })).status).toBe(400);
    expect((await call('POST', path, { body: { ...body, resourceId: randomUUID() } })).status).toBe(404);
    expect((await call('GET', path)).body.value).toHaveLength(1);
    expect((await call('DELETE', `${path}/${assigned.body.id}`)).status).toBe(204);
    expect((await call('GET', path)).body.value).toHaveLength(0);
  });

  it('deleting an application removes its service principal and extension properties', async () => {
    const app = await createApp();
    await call('POST', '/servicePrincipals', { body: { appId: app.appId } });
    await call('POST', `/applications/${app.id}/extensionProperties`, { body: { name: 'x', dataType: 'String', targetObjects: ['User'] } });
    expect((await call('DELETE', `/applications/${app.id}`)).status).toBe(204);
    expect((await call('GET', `/servicePrincipals(appId='${app.appId}')`)).status).toBe(404);
    expect(emulator.extensionProperties.size).toBe(0);
  });
});
