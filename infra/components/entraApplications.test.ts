import * as pulumi from '@pulumi/pulumi';
import { keyIdFor } from '../providers/graph/applicationEncryptionKey';
import { GRAPH_APP_ID, guidFor, OPENID_SCOPE_ID, RECEIVE_PAYLOAD_ROLE_ID, startMocks, USER_READ_SCOPE_ID, valueOf, type MockWorld, type Recorded } from '../providers/graph/mockSupport';
import type { EntraApplications as EntraApplicationsClass, EntraApplicationsArgs, checkHostName as checkHostNameFn, permissionId as permissionIdFn } from './entraApplications';

const TENANT_ID = '3f2b1c4d-5e6f-4a1b-9c8d-7e6f5a4b3c2d';
const WORKFORCE_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const HOST = 'func-jitmig-dev-x1y2.azurewebsites.net';
const THUMBPRINT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

describe('EntraApplications (under Pulumi mocks)', () => {
  let world: MockWorld;
  let EntraApplications: typeof EntraApplicationsClass;
  let permissionId: typeof permissionIdFn;
  let checkHostName: typeof checkHostNameFn;
  let azuread: typeof import('@pulumi/azuread');
  const ambient = { ARM_TENANT_ID: process.env.ARM_TENANT_ID, ARM_USE_MSI: process.env.ARM_USE_MSI };

  const args = (extra: Partial<EntraApplicationsArgs> = {}): EntraApplicationsArgs => ({
    tenantId: TENANT_ID,
    tenantDomain: 'contosodev',
    graphBaseUrl: 'https://graph.microsoft.com',
    functionHostName: HOST,
    encryptionCertificate: { base64Der: 'MIIB', notBefore: '2026-01-01T00:00:00.000Z', expiresOn: '2027-01-01T00:00:00.000Z', thumbprintHex: THUMBPRINT },
    createTestClient: true,
    ...extra,
  });
  /** Builds the component and waits for every resource it registers. */
  const build = async (name: string, extra: Partial<EntraApplicationsArgs> = {}) => {
    const firstCall = world.calls.length;
    const component = new EntraApplications(name, args(extra), { transformations: [world.capture] });
    await valueOf(pulumi.all([component.identifierUri, component.tokenEncryptionKeyId, component.testSignInUrl]));
    await world.settled();
    const own = (r: Recorded) => r.name.startsWith(`${name}-`);
    return {
      component,
      resources: world.resources.filter(own),
      calls: world.calls.slice(firstCall),
      byType: (type: string) => world.resources.filter((r) => own(r) && r.type === type),
      one: (type: string, resourceName: string) => world.resources.find((r) => r.type === type && r.name === resourceName) as Recorded,
    };
  };

  beforeAll(async () => {
    // A workforce tenant in the environment, as on a CI runner signed in to Azure: it must not leak in.
    process.env.ARM_TENANT_ID = WORKFORCE_TENANT_ID;
    process.env.ARM_USE_MSI = 'true';
    world = await startMocks(pulumi);
    ({ EntraApplications, permissionId, checkHostName } = await import('./entraApplications'));
    azuread = await import('@pulumi/azuread');
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(ambient)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('pins every azuread resource and invoke to one provider for the External ID tenant, whatever ARM_TENANT_ID says', async () => {
    const { resources, calls, byType, component } = await build('pinned');
    const [provider] = byType('pulumi:providers:azuread');
    expect(byType('pulumi:providers:azuread')).toHaveLength(1);
    expect(provider?.inputs).toMatchObject({ tenantId: TENANT_ID, useMsi: 'false', environment: 'global' });
    const reference = `urn:pulumi:dev::entra-jit-migration::jitmigration:entra:EntraApplications$pulumi:providers:azuread::pinned-external-id::provider-pinned-external-id`;
    expect(await valueOf(component.provider.urn)).toBe(reference.split('::provider-')[0]);

    const azureadResources = resources.filter((r) => r.type.startsWith('azuread:'));
    expect(azureadResources.map((r) => r.type).sort()).toEqual([
      'azuread:index/appRoleAssignment:AppRoleAssignment',
      'azuread:index/application:Application',
      'azuread:index/applicationApiAccess:ApplicationApiAccess',
      'azuread:index/applicationIdentifierUri:ApplicationIdentifierUri',
      'azuread:index/applicationRegistration:ApplicationRegistration',
      'azuread:index/servicePrincipal:ServicePrincipal',
      'azuread:index/servicePrincipal:ServicePrincipal',
      'azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant',
    ]);
    for (const resource of azureadResources) expect({ name: resource.name, provider: resource.provider }).toEqual({ name: resource.name, provider: reference });
    const invokes = calls.filter((call) => call.token.startsWith('azuread:'));
    expect(invokes.length).toBeGreaterThan(0);
    for (const call of invokes) expect({ token: call.token, provider: call.provider }).toEqual({ token: call.token, provider: reference });
    // The Graph dynamic resources carry the tenant as an input: the same one.
    for (const resource of resources.filter((r) => r.type.startsWith('pulumi-nodejs:dynamic/graph:'))) expect(resource.inputs.tenantId).toBe(TENANT_ID);
  });

  it('registers the extension API app: single tenant, v2 tokens, Receive.Payload resolved by name and admin-consented', async () => {
    const { one, component } = await build('api');
    const app = one('azuread:index/applicationRegistration:ApplicationRegistration', 'api-extension-api');
    expect(app.inputs).toMatchObject({ signInAudience: 'AzureADMyOrg', requestedAccessTokenVersion: 2 });
    expect(app.inputs.displayName).toMatch(/^JIT password migration extension API/);
    // Looked up by value in the map Graph's principal returns, not hard-coded.
    expect(world.calls).toContainEqual(expect.objectContaining({ token: 'azuread:index/getServicePrincipal:getServicePrincipal', inputs: expect.objectContaining({ clientId: GRAPH_APP_ID }) }));
    const access = one('azuread:index/applicationApiAccess:ApplicationApiAccess', 'api-extension-api-graph');
    expect(access.inputs).toEqual({ applicationId: app.id, apiClientId: GRAPH_APP_ID, roleIds: [RECEIVE_PAYLOAD_ROLE_ID] });

    const uri = one('azuread:index/applicationIdentifierUri:ApplicationIdentifierUri', 'api-extension-api-uri');
    expect(uri.inputs).toEqual({ applicationId: app.id, identifierUri: `api://${HOST}/${app.state.clientId}` });
    expect(await valueOf(component.identifierUri)).toBe(`api://${HOST}/${app.state.clientId}`);
    expect(await valueOf(component.extensionAppId)).toBe(app.state.clientId);
    expect(await valueOf(component.extensionAppObjectId)).toBe(app.state.objectId);

    const principal = one('azuread:index/servicePrincipal:ServicePrincipal', 'api-extension-api');
    expect(principal.inputs).toEqual({ clientId: app.state.clientId });
    const consent = one('azuread:index/appRoleAssignment:AppRoleAssignment', 'api-receive-payload');
    expect(consent.inputs).toEqual({ appRoleId: RECEIVE_PAYLOAD_ROLE_ID, principalObjectId: principal.state.objectId, resourceObjectId: guidFor(`sp:${GRAPH_APP_ID}`) });
  });

  it('ensures the Authentication Events principal and never deletes it', async () => {
    const { one } = await build('events');
    const principal = one('pulumi-nodejs:dynamic/graph:ServicePrincipal', 'events-authentication-events');
    expect(principal.inputs).toMatchObject({ tenantId: TENANT_ID, graphBaseUrl: 'https://graph.microsoft.com', appId: '99045fe1-7639-4a75-9d4a-577b6ca3810f' });
    expect(principal.provider).toBeUndefined();
    expect(world.options.get('pulumi-nodejs:dynamic/graph:ServicePrincipal::events-authentication-events')?.retainOnDelete).toBe(true);
    // The serialized shim loads the named implementation from the bundle.
    expect(principal.inputs.__provider).toContain('graphServicePrincipal');
  });

  it('puts the Key Vault certificate on the extension app with a keyId derived from its thumbprint', async () => {
    const { one, component } = await build('key');
    const app = one('azuread:index/applicationRegistration:ApplicationRegistration', 'key-extension-api');
    const key = one('pulumi-nodejs:dynamic/graph:ApplicationEncryptionKey', 'key-encryption-key');
    expect(key.inputs).toMatchObject({ tenantId: TENANT_ID, applicationObjectId: app.state.objectId, certificate: args().encryptionCertificate });
    expect(await valueOf(component.tokenEncryptionKeyId)).toBe(keyIdFor(THUMBPRINT));
    expect(key.inputs.previousCertificate).toBeUndefined();

    const previous = { base64Der: 'MIIA', notBefore: '2025-01-01T00:00:00.000Z', expiresOn: '2026-02-01T00:00:00.000Z', thumbprintHex: 'ff'.repeat(20) };
    const rotating = await build('rot', { previousEncryptionCertificate: previous, createTestClient: false });
    expect(rotating.one('pulumi-nodejs:dynamic/graph:ApplicationEncryptionKey', 'rot-encryption-key').inputs).toMatchObject({ certificate: args().encryptionCertificate, previousCertificate: previous });
  });

  it('registers the test client for jwt.ms with admin-consented User.Read and a ready sign-in URL', async () => {
    const { one, component } = await build('tc');
    const client = one('azuread:index/application:Application', 'tc-test-client');
    expect(client.inputs).toMatchObject({
      signInAudience: 'AzureADMyOrg',
      web: { redirectUris: ['https://jwt.ms/'], implicitGrant: { idTokenIssuanceEnabled: true } },
      requiredResourceAccesses: [{ resourceAppId: GRAPH_APP_ID, resourceAccesses: [{ id: OPENID_SCOPE_ID, type: 'Scope' }, { id: USER_READ_SCOPE_ID, type: 'Scope' }] }],
    });
    const principal = one('azuread:index/servicePrincipal:ServicePrincipal', 'tc-test-client');
    const grant = one('azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant', 'tc-test-client-consent');
    expect(grant.inputs).toEqual({ servicePrincipalObjectId: principal.state.objectId, resourceServicePrincipalObjectId: guidFor(`sp:${GRAPH_APP_ID}`), claimValues: ['openid', 'User.Read'] });
    expect(grant.inputs.userObjectId).toBeUndefined(); // all users: admin consent
    expect(await valueOf(component.testClientAppId)).toBe(client.state.clientId);
    expect(await valueOf(component.testSignInUrl)).toBe(
      `https://contosodev.ciamlogin.com/${TENANT_ID}/oauth2/v2.0/authorize?client_id=${client.state.clientId}` +
        '&response_type=id_token&redirect_uri=https%3A%2F%2Fjwt.ms%2F&scope=openid&nonce=jit-migration-test&prompt=login',
    );
  });

  it('skips the test client when asked', async () => {
    const { resources, component } = await build('notc', { createTestClient: false, tenantDomain: 'contosodev.onmicrosoft.com' });
    expect(resources.filter((r) => r.name.includes('test-client'))).toEqual([]);
    expect(await valueOf(component.testClientAppId)).toBeUndefined();
    expect(await valueOf(component.testSignInUrl)).toBeUndefined();
  });

  it('maps a national cloud Graph URL to the azuread environment', async () => {
    const { byType } = await build('gov', { graphBaseUrl: 'https://graph.microsoft.us', createTestClient: false });
    expect(byType('pulumi:providers:azuread')[0]?.inputs.environment).toBe('usgovernmentl4');
  });

  it('fails clearly when Graph offers no permission of that exact name (a near miss is not guessed)', async () => {
    // The map the mocked getServicePrincipal returns, as the component receives it.
    const graph = await valueOf(azuread.getServicePrincipalOutput({ clientId: GRAPH_APP_ID }));
    expect(permissionId(graph.appRoleIds, 'CustomAuthenticationExtension.Receive.Payload', 'application permission (app role)')).toBe(RECEIVE_PAYLOAD_ROLE_ID);
    expect(() => permissionId(graph.appRoleIds, 'CustomAuthenticationExtensions.Receive.Payload', 'application permission (app role)')).toThrow(
      /Microsoft Graph in this tenant has no application permission \(app role\) named "CustomAuthenticationExtensions.Receive.Payload" .*check that tenantId is the External ID tenant/,
    );
    expect(() => permissionId(graph.oauth2PermissionScopeIds, 'user.read', 'delegated permission (scope)')).toThrow(/named "user.read"/);
    expect(() => permissionId(undefined, 'openid', 'delegated permission (scope)')).toThrow(/offers 0 others/);
  });

  it('accepts only a bare function host name', () => {
    expect(checkHostName(' Func-JIT.azurewebsites.net ')).toBe('func-jit.azurewebsites.net');
    for (const bad of [`https://${HOST}/`, `${HOST}:443`, `${HOST}/api`, 'localhost']) {
      expect(() => checkHostName(bad)).toThrow(/functionHostName must be a bare host name like func-jit.azurewebsites.net/);
    }
  });

  it('refuses inputs that would build the wrong URIs, naming the setting to fix', () => {
    expect(() => new EntraApplications('bad1', args({ tenantId: 'contoso.onmicrosoft.com' }))).toThrow(/tenantId must be the External ID tenant's ID \(a GUID\)/);
    expect(() => new EntraApplications('bad2', args({ tenantDomain: 'contoso dev' }))).toThrow(/externalIdTenantDomain/);
    expect(() => new EntraApplications('bad3', args({ graphBaseUrl: 'https://graph.example.com' }))).toThrow(/not a Microsoft Graph endpoint/);
  });
});
