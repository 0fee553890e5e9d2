import * as pulumi from '@pulumi/pulumi';
import { keyIdFor } from '../providers/graph/applicationEncryptionKey';
import { GRAPH_APP_ID, guidFor, startMocks, valueOf, type MockWorld, type Recorded } from '../providers/graph/mockSupport';
import type { GraphReader as GraphReaderClass, GraphReaderArgs } from './graphReader';
import type { GraphClientCertificate } from './keyMaterial';

const TENANT_ID = '3f2b1c4d-5e6f-4a1b-9c8d-7e6f5a4b3c2d';
const AZURE_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PRINCIPAL_ID = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const THUMBPRINT = 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678';
const DER = 'MIIBfakeDerOfTheGraphClientCertificate';
const REFERENCE = `@Microsoft.KeyVault(SecretUri=https://kv-jitmig-dev.vault.azure.net/secrets/jit-graph-client/${'ab'.repeat(16)})`;
/** Not Microsoft's id: proves the permission is looked up by its value in the tenant's Graph principal. */
const USER_READ_ALL_IN_TENANT = '0e1d2c3b-4a59-4687-8796-a5b4c3d2e1f0';

type Dependent = { allResources(): Promise<Set<pulumi.Resource>> };

describe('GraphReader (under Pulumi mocks)', () => {
  let world: MockWorld;
  let GraphReader: typeof GraphReaderClass;
  let azuread: typeof import('@pulumi/azuread');
  let externalId: import('@pulumi/azuread').Provider;

  const certificate = (): GraphClientCertificate => ({
    certificate: {
      base64Der: pulumi.output(DER),
      notBefore: pulumi.output('2026-01-01T00:00:00.000Z'),
      expiresOn: pulumi.output('2027-01-01T00:00:00.000Z'),
      thumbprintHex: pulumi.output(THUMBPRINT),
    },
    secret: {
      setting: 'GraphClientCertificate',
      secretName: 'jit-graph-client',
      reference: pulumi.output<string | undefined>(REFERENCE),
      scope: pulumi.output('/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-jitmig-dev/secrets/jit-graph-client'),
    },
  });

  const build = async (name: string, args: GraphReaderArgs) => {
    const reader = new GraphReader(name, args, { transformations: [world.capture] });
    await valueOf(pulumi.all([reader.clientId, ...reader.appSecrets.map((s) => s.reference)]));
    await world.settled();
    const own = (r: Recorded) => r.name.startsWith(`${name}-`);
    return {
      reader,
      resources: world.resources.filter(own),
      one: (type: string, resourceName: string) => {
        const found = world.resources.filter((r) => r.type === type && r.name === resourceName);
        expect(found).toHaveLength(1);
        return found[0]!;
      },
    };
  };

  /** URNs of every resource an output depends on: what Pulumi turns into the dependent resource's dependencies. */
  const dependencies = async (output: pulumi.Output<unknown>): Promise<string[]> => {
    const resources = await (output as unknown as Dependent).allResources();
    return Promise.all([...resources].map((r) => valueOf(r.urn)));
  };

  beforeAll(async () => {
    world = await startMocks(pulumi);
    ({ GraphReader } = await import('./graphReader'));
    azuread = await import('@pulumi/azuread');
    externalId = new azuread.Provider('external-id', { tenantId: TENANT_ID, useMsi: false });
    world.graphAppRoleIds['User.Read.All'] = USER_READ_ALL_IN_TENANT;
  });

  it('certificate route: a single-tenant app with User.Read.All only, consented, and the vault certificate as its credential', async () => {
    const { reader, resources, one } = await build('cert', { authentication: 'certificate', externalIdProvider: externalId, graphBaseUrl: 'https://graph.microsoft.com', certificate: certificate() });
    const app = one('azuread:index/application:Application', 'cert-app');
    expect(app.inputs).toEqual({
      displayName: 'JIT password migration Graph reader (dev)',
      signInAudience: 'AzureADMyOrg',
      requiredResourceAccesses: [{ resourceAppId: GRAPH_APP_ID, resourceAccesses: [{ id: USER_READ_ALL_IN_TENANT, type: 'Role' }] }],
    });
    const principal = one('azuread:index/servicePrincipal:ServicePrincipal', 'cert-app');
    expect(principal.inputs).toEqual({ clientId: app.state.clientId });
    const consent = one('azuread:index/appRoleAssignment:AppRoleAssignment', 'cert-user-read-all');
    expect(consent.inputs).toEqual({ appRoleId: USER_READ_ALL_IN_TENANT, principalObjectId: principal.state.objectId, resourceObjectId: guidFor(`sp:${GRAPH_APP_ID}`) });
    // The public DER and the certificate's own dates, in the whole-second form azuread reads back: no diff on refresh.
    const credential = one('azuread:index/applicationCertificate:ApplicationCertificate', 'cert-certificate');
    // azuread marks `value` sensitive, so even this public certificate is a secret in state.
    const { value, ...rest } = credential.inputs;
    expect(value).toEqual(expect.objectContaining({ value: DER }));
    expect(rest).toEqual({
      applicationId: app.id,
      type: 'AsymmetricX509Cert',
      encoding: 'base64',
      startDate: '2026-01-01T00:00:00Z',
      endDate: '2027-01-01T00:00:00Z',
      keyId: keyIdFor(THUMBPRINT),
    });
    expect(resources.map((r) => r.type).sort()).toEqual([
      'azuread:index/appRoleAssignment:AppRoleAssignment',
      'azuread:index/application:Application',
      'azuread:index/applicationCertificate:ApplicationCertificate',
      'azuread:index/servicePrincipal:ServicePrincipal',
    ]);
    // Every resource and the Graph lookup in the External ID tenant, through its pinned provider.
    const pinned = `${await valueOf(externalId.urn)}::`;
    for (const r of resources) expect({ name: r.name, provider: r.provider?.startsWith(pinned) }).toEqual({ name: r.name, provider: true });
    expect(world.calls.filter((c) => c.token === 'azuread:index/getServicePrincipal:getServicePrincipal').every((c) => c.provider?.startsWith(pinned))).toBe(true);
    expect(JSON.stringify(resources.map((r) => [r.inputs, r.state]))).not.toMatch(/PRIVATE KEY|-----BEGIN/);

    expect(await valueOf(reader.clientId)).toBe(app.state.clientId);
    expect(reader.settings).toMatchObject({ mode: 'graph', authentication: 'certificate', graphBaseUrl: 'https://graph.microsoft.com' });
    expect(reader.appSecrets).toHaveLength(1);
    expect(reader.appSecrets[0]).toMatchObject({ setting: 'GraphClientCertificate', secretName: 'jit-graph-client' });
    expect(await valueOf(reader.appSecrets[0]!.reference)).toBe(REFERENCE);
  });

  it('certificate route: the app setting waits for the credential, GraphClientId for the consent too', async () => {
    const { reader } = await build('order', { authentication: 'certificate', externalIdProvider: externalId, graphBaseUrl: 'https://graph.microsoft.com', certificate: certificate() });
    const credential = expect.stringMatching(/ApplicationCertificate::order-certificate$/);
    expect(await dependencies(reader.appSecrets[0]!.reference)).toEqual(expect.arrayContaining([credential]));
    expect(await dependencies(reader.clientId)).toEqual(expect.arrayContaining([credential, expect.stringMatching(/AppRoleAssignment::order-user-read-all$/)]));
  });

  it('managed-identity route: a multitenant home app trusting the function identity, its principal and consent in the External ID tenant', async () => {
    const { reader, resources, one } = await build('mi', {
      authentication: 'managedIdentity',
      externalIdProvider: externalId,
      graphBaseUrl: 'https://graph.microsoft.com',
      azureTenantId: pulumi.output(AZURE_TENANT_ID),
      functionPrincipalId: pulumi.output(PRINCIPAL_ID),
    });
    const home = one('pulumi:providers:azuread', 'mi-azure-tenant');
    expect(home.inputs).toMatchObject({ tenantId: AZURE_TENANT_ID, environment: 'global' });
    const app = one('azuread:index/application:Application', 'mi-home-app');
    expect(app.inputs).toMatchObject({ signInAudience: 'AzureADMultipleOrgs', requiredResourceAccesses: [{ resourceAppId: GRAPH_APP_ID, resourceAccesses: [{ id: USER_READ_ALL_IN_TENANT, type: 'Role' }] }] });
    const federated = one('azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential', 'mi-managed-identity');
    expect(federated.inputs).toMatchObject({
      applicationId: app.id,
      audiences: ['api://AzureADTokenExchange'],
      issuer: `https://login.microsoftonline.com/${AZURE_TENANT_ID}/v2.0`,
      subject: PRINCIPAL_ID,
    });
    for (const r of [app, federated]) expect(r.provider).toMatch(/pulumi:providers:azuread::mi-azure-tenant::/);
    const principal = one('azuread:index/servicePrincipal:ServicePrincipal', 'mi-app');
    expect(principal.inputs).toEqual({ clientId: app.state.clientId });
    const consent = one('azuread:index/appRoleAssignment:AppRoleAssignment', 'mi-user-read-all');
    expect(consent.inputs).toEqual({ appRoleId: USER_READ_ALL_IN_TENANT, principalObjectId: principal.state.objectId, resourceObjectId: guidFor(`sp:${GRAPH_APP_ID}`) });
    const pinned = `${await valueOf(externalId.urn)}::`;
    for (const r of [principal, consent]) expect(r.provider?.startsWith(pinned)).toBe(true);
    expect(resources.filter((r) => r.type.includes('applicationCertificate'))).toEqual([]);
    expect(reader.appSecrets).toEqual([]);
    expect(reader.settings).toMatchObject({ mode: 'graph', authentication: 'managedIdentity' });
    expect(await valueOf(reader.clientId)).toBe(app.state.clientId);
    expect(await dependencies(reader.clientId)).toEqual(expect.arrayContaining([expect.stringMatching(/ApplicationFederatedIdentityCredential::mi-managed-identity$/)]));
  });

  it('refuses the certificate route without the Key Vault certificate, naming the fix', () => {
    expect(() => new GraphReader('nocert', { authentication: 'certificate', externalIdProvider: externalId, graphBaseUrl: 'https://graph.microsoft.com', certificate: undefined })).toThrow(
      /GraphReader: the certificate route needs the Key Vault certificate: pass graphClientCertificate to KeyMaterial/,
    );
  });
});
