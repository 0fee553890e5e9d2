import { AUTHENTICATION_EVENTS_APP_ID, GraphEmulator, MICROSOFT_GRAPH_APP_ID, RECEIVE_PAYLOAD_ROLE_ID } from './index';
import { rawGraph } from './raw';

const FUNCTION_HOST = 'jit-fn.azurewebsites.net';

describe('Graph emulator: custom authentication extensions and event listeners', () => {
  let emulator: GraphEmulator;
  let call: ReturnType<typeof rawGraph>;
  let extensionApp: { id: string; appId: string };
  let resourceId: string;
  let migrationPropertyId: string;

  beforeEach(async () => {
    emulator = await GraphEmulator.start();
    call = rawGraph(emulator.url);
    extensionApp = (await call('POST', '/applications', { body: { displayName: 'JIT extension' } })).body;
    resourceId = `api://${FUNCTION_HOST}/${extensionApp.appId}`;
    await call('PATCH', `/applications/${extensionApp.id}`, { body: { identifierUris: [resourceId] } });
    const b2c = [...emulator.applications.values()].find((app) => app.appId === emulator.b2cExtensionsAppId);
    migrationPropertyId = (await call('POST', `/applications/${b2c?.id}/extensionProperties`, { body: { name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] } })).body.name;
  });
  afterEach(() => emulator.stop());

  const extensionBody = (changes: Record<string, unknown> = {}) => ({
    '@odata.type': '#microsoft.graph.onPasswordSubmitCustomExtension',
    displayName: 'OnPasswordSubmitCustomExtension',
    description: 'Validate password',
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: `https://${FUNCTION_HOST}/api/onPasswordSubmit` },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId },
    clientConfiguration: { timeoutInMilliseconds: 2000, maximumRetries: 1 },
    ...changes,
  });
  const listenerBody = (extensionId: string, changes: Record<string, unknown> = {}) => ({
    '@odata.type': '#microsoft.graph.onPasswordSubmitListener',
    displayName: 'JIT migration listener',
    conditions: { applications: { includeAllApplications: false, includeApplications: [{ appId: '63856651-13d9-4784-9abf-20758d509e19' }] } },
    priority: 500,
    handler: { '@odata.type': '#microsoft.graph.onPasswordMigrationCustomExtensionHandler', migrationPropertyId, customExtension: { id: extensionId } },
    ...changes,
  });
  const prerequisites = () => call('POST', '/servicePrincipals', { body: { appId: AUTHENTICATION_EVENTS_APP_ID } });
  const createExtension = async () => {
    await prerequisites();
    return (await call('POST', '/identity/customAuthenticationExtensions', { body: extensionBody() })).body;
  };

  it('fails with AADB2C90063 while the Authentication Events service principal is missing', async () => {
    const response = await call('POST', '/identity/customAuthenticationExtensions', { body: extensionBody(), version: 'beta' });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('AADB2C90063');
  });

  it('creates the extension (201), readable from v1.0 and beta', async () => {
    await prerequisites();
    const created = await call('POST', '/identity/customAuthenticationExtensions', { body: extensionBody(), version: 'beta' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...extensionBody(), id: expect.any(String) });
    expect((await call('GET', `/identity/customAuthenticationExtensions/${created.body.id}`)).body.id).toBe(created.body.id);
    expect((await call('GET', '/identity/customAuthenticationExtensions', { version: 'beta' })).body.value).toHaveLength(1);
  });

  it.each([
    ['no @odata.type', { '@odata.type': undefined }, 'subtype of CustomAuthenticationExtension'],
    ['another extension type', { '@odata.type': '#microsoft.graph.onTokenIssuanceStartCustomExtension' }, 'subtype of CustomAuthenticationExtension'],
    ['an http targetUrl', { endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: `http://${FUNCTION_HOST}/api` } }, 'endpointConfiguration'],
    ['no endpoint @odata.type', { endpointConfiguration: { targetUrl: `https://${FUNCTION_HOST}/api` } }, 'endpointConfiguration'],
    ['a resourceId not of the form api://{fqdn}/{appId}', { authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: 'api://api.contoso.com/passwordvalidation' } }, "ResourceId should be in the format of 'api://{fully qualified domain name}/{appid}'"],
    ['a resourceId host other than the targetUrl host', { endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: 'https://elsewhere.example.net/api' } }, 'should match that of the targetUrl'],
    ['a timeout over 2000 ms', { clientConfiguration: { timeoutInMilliseconds: 2500, maximumRetries: 1 } }, 'between 200 and 2000'],
    ['a timeout under 200 ms', { clientConfiguration: { timeoutInMilliseconds: 100 } }, 'between 200 and 2000'],
    ['two retries', { clientConfiguration: { maximumRetries: 2 } }, 'Values of 0 or 1'],
    ['an unknown property', { encryptionConfiguration: {} }, "Property 'encryptionConfiguration' does not exist"],
  ])('refuses an extension with %s (400)', async (_label, changes, message) => {
    await prerequisites();
    const body: Record<string, unknown> = extensionBody(changes);
    for (const [name, value] of Object.entries(body)) if (value === undefined) delete body[name];
    const response = await call('POST', '/identity/customAuthenticationExtensions', { body });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(message);
  });

  it('refuses a resourceId the app does not carry in identifierUris', async () => {
    await prerequisites();
    await call('PATCH', `/applications/${extensionApp.id}`, { body: { identifierUris: [] } });
    const response = await call('POST', '/identity/customAuthenticationExtensions', { body: extensionBody() });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('IdentifierUris');
  });

  it('validates the authentication configuration: service principal, then the Receive.Payload grant', async () => {
    const extension = await createExtension();
    const validate = () => call('POST', `/identity/customAuthenticationExtensions/${extension.id}/validateAuthenticationConfiguration`, { version: 'beta' });
    expect((await validate()).body.errors).toEqual([expect.objectContaining({ code: 'ServicePrincipalNotFound' })]);
    const { body: sp } = await call('POST', '/servicePrincipals', { body: { appId: extensionApp.appId } });
    expect((await validate()).body).toMatchObject({ errors: [], warnings: [expect.objectContaining({ code: 'PermissionNotGrantedToServicePrincipal' })] });
    const { body: graph } = await call('GET', `/servicePrincipals(appId='${MICROSOFT_GRAPH_APP_ID}')`);
    await call('POST', `/servicePrincipals/${sp.id}/appRoleAssignments`, { body: { principalId: sp.id, resourceId: graph.id, appRoleId: RECEIVE_PAYLOAD_ROLE_ID } });
    expect((await validate()).body).toMatchObject({ resourceId, errors: [], warnings: [] });
  });

  it('updates an extension only with @odata.type (204) and deletes it', async () => {
    const extension = await createExtension();
    const path = `/identity/customAuthenticationExtensions/${extension.id}`;
    expect((await call('PATCH', path, { body: { clientConfiguration: { timeoutInMilliseconds: 1500 } } })).status).toBe(400);
    const patched = await call('PATCH', path, { body: { '@odata.type': '#microsoft.graph.onPasswordSubmitCustomExtension', clientConfiguration: { timeoutInMilliseconds: 1500, maximumRetries: 0 } } });
    expect(patched.status).toBe(204);
    expect(emulator.customAuthenticationExtensions.get(extension.id)?.clientConfiguration).toEqual({ timeoutInMilliseconds: 1500, maximumRetries: 0 });
    expect((await call('PATCH', path, { body: { '@odata.type': '#microsoft.graph.onPasswordSubmitCustomExtension', clientConfiguration: { timeoutInMilliseconds: 5000 } } })).status).toBe(400);
    expect((await call('DELETE', path)).status).toBe(204);
    expect((await call('GET', path)).status).toBe(404);
  });

  it('creates a listener for the migration handler (201)', async () => {
    const extension = await createExtension();
    const created = await call('POST', '/identity/authenticationEventListeners', { body: listenerBody(extension.id), version: 'beta' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      '@odata.type': '#microsoft.graph.onPasswordSubmitListener',
      priority: 500,
      handler: { migrationPropertyId, customExtension: { id: extension.id } },
      conditions: { applications: { includeApplications: [{ appId: '63856651-13d9-4784-9abf-20758d509e19' }] } },
    });
    expect((await call('GET', '/identity/authenticationEventListeners')).body.value).toHaveLength(1);
  });

  it.each([
    ['the wrong @odata.type', { '@odata.type': '#microsoft.graph.onTokenIssuanceStartListener' }, '@odata.type'],
    ['no priority', { priority: undefined }, "property 'priority'"],
    ['no application condition', { conditions: { applications: { includeAllApplications: false, includeApplications: [] } } }, 'includeApplications'],
    ['an appId that is not a GUID', { conditions: { applications: { includeApplications: [{ appId: 'client' }] } } }, 'includeApplications'],
    ['migrationAttributeId instead of migrationPropertyId', { handler: { '@odata.type': '#microsoft.graph.onPasswordMigrationCustomExtensionHandler', migrationAttributeId: 'x', customExtension: { id: 'x' } } }, 'migrationAttributeId'],
    ['an unknown migration property', { handler: { '@odata.type': '#microsoft.graph.onPasswordMigrationCustomExtensionHandler', migrationPropertyId: 'extension_00000000000000000000000000000000_x', customExtension: { id: 'x' } } }, 'migrationPropertyId'],
    ['no handler @odata.type', { handler: { migrationPropertyId: 'x' } }, 'handler'],
  ])('refuses a listener with %s (400)', async (_label, changes, message) => {
    const extension = await createExtension();
    const body: Record<string, unknown> = listenerBody(extension.id, changes);
    for (const [name, value] of Object.entries(body)) if (value === undefined) delete body[name];
    const response = await call('POST', '/identity/authenticationEventListeners', { body });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(message);
  });

  it('refuses a listener naming a missing extension, and patches only with @odata.type', async () => {
    const extension = await createExtension();
    expect((await call('POST', '/identity/authenticationEventListeners', { body: listenerBody('00000000-0000-0000-0000-000000000000') })).status).toBe(400);
    const { body: listener } = await call('POST', '/identity/authenticationEventListeners', { body: listenerBody(extension.id) });
    const path = `/identity/authenticationEventListeners/${listener.id}`;
    expect((await call('PATCH', path, { body: { priority: 400 } })).status).toBe(400);
    expect((await call('PATCH', path, { body: { '@odata.type': '#microsoft.graph.onPasswordSubmitListener', priority: 400 } })).status).toBe(204);
    expect(emulator.authenticationEventListeners.get(listener.id)?.priority).toBe(400);
    expect((await call('DELETE', path)).status).toBe(204);
  });
});
