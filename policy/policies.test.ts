/** Each policy of the pack against a resource that keeps the invariant and resources that break it. */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { SECURITY_POLICIES } from './policies';
import { entraApiAppsRequestV2Tokens } from './rules/entraApps';
import { basicPublishingCredentialsOff, functionAppHardening } from './rules/functionApp';
import { keyVaultProtection } from './rules/keyVault';
import { roleAssignmentsOnResources } from './rules/roleAssignments';
import { noSecretsInInputs } from './rules/secrets';
import { storageAccountHardening } from './rules/storage';
import { checkResource, checkStack, type TestResource } from './test/harness';

const RG = '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-jit';
const resource = (type: string, props: Record<string, any>, name = 'r'): TestResource => ({ type, name, props });
const violations = async (policy: ResourceValidationPolicy, r: TestResource) => (await checkResource(policy, r)).violations;

test('the pack holds every policy once, by name', () => {
  const names = SECURITY_POLICIES.map((p) => p.name);
  expect(new Set(names).size).toBe(7);
  for (const policy of SECURITY_POLICIES) expect(policy.enforcementLevel).toBe('mandatory');
});

describe('Key Vault', () => {
  const vault = (properties: Record<string, unknown>) =>
    resource('azure-native:keyvault:Vault', { vaultName: 'kv', properties: { tenantId: 't', sku: { family: 'A', name: 'standard' }, ...properties } });
  const good = { enableRbacAuthorization: true, enablePurgeProtection: true, enableSoftDelete: true, softDeleteRetentionInDays: 90 };

  test('RBAC, purge protection and 90-day soft delete pass', async () => {
    expect(await violations(keyVaultProtection, vault(good))).toEqual([]);
  });

  test.each([
    [{ enableRbacAuthorization: false }, /enableRbacAuthorization: true/],
    [{ enablePurgeProtection: undefined }, /enablePurgeProtection: true/],
    [{ enableSoftDelete: false }, /enableSoftDelete: false/],
    [{ softDeleteRetentionInDays: 7 }, /softDeleteRetentionInDays to at least 90 \(it is 7\)/],
    [{ softDeleteRetentionInDays: undefined }, /at least 90 \(it is not set\)/],
  ])('%j fails', async (change, message) => {
    expect(await violations(keyVaultProtection, vault({ ...good, ...change }))).toEqual([expect.stringMatching(message)]);
  });

  test('other types are not its concern', async () => {
    expect(await checkResource(keyVaultProtection, resource('azure-native:storage:StorageAccount', {}))).toEqual({ applicable: false, violations: [] });
  });
});

describe('storage account', () => {
  const account = (change: Record<string, unknown>) =>
    resource('azure-native:storage:StorageAccount', { accountName: 'st', allowSharedKeyAccess: false, allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2', ...change });

  test('no shared key, no public blobs, TLS 1.2 passes', async () => {
    expect(await violations(storageAccountHardening, account({}))).toEqual([]);
  });

  test.each([
    [{ allowSharedKeyAccess: undefined }, /allowSharedKeyAccess: false/],
    [{ allowBlobPublicAccess: true }, /allowBlobPublicAccess: false/],
    [{ minimumTlsVersion: 'TLS1_0' }, /minimumTlsVersion: 'TLS1_2' \(it is TLS1_0\)/],
  ])('%j fails', async (change, message) => {
    expect(await violations(storageAccountHardening, account(change))).toEqual([expect.stringMatching(message)]);
  });
});

describe('function app', () => {
  const IDENTITY = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-jit`;
  const app = (change: Record<string, unknown>) =>
    resource('azure-native:web:WebApp', {
      name: 'func-jit',
      kind: 'functionapp,linux',
      httpsOnly: true,
      identity: { type: 'UserAssigned', userAssignedIdentities: [IDENTITY] },
      siteConfig: { ftpsState: 'Disabled' },
      ...change,
    });

  test('HTTPS only, FTPS off, a user-assigned identity passes', async () => {
    expect(await violations(functionAppHardening, app({}))).toEqual([]);
  });

  test.each([
    [{ httpsOnly: false }, /httpsOnly: true/],
    [{ siteConfig: { ftpsState: 'FtpsOnly' } }, /ftpsState: 'Disabled' \(it is FtpsOnly\)/],
    [{ siteConfig: {} }, /not set, which allows FTP/],
    [{ identity: { type: 'SystemAssigned' } }, /user-assigned identity/],
    [{ identity: { type: 'UserAssigned', userAssignedIdentities: [] } }, /user-assigned identity/],
  ])('%j fails', async (change, message) => {
    expect(await violations(functionAppHardening, app(change))).toEqual([expect.stringMatching(message)]);
  });

  test('a web app that is not a function app is out of scope', async () => {
    expect(await checkResource(functionAppHardening, app({ kind: 'app,linux', httpsOnly: false }))).toEqual({ applicable: false, violations: [] });
  });

  describe('basic publishing credentials (stack)', () => {
    const policyFor = (type: 'Ftp' | 'Scm', allow: boolean, site = 'func-jit') =>
      resource(`azure-native:web:WebApp${type}Allowed`, { name: site, resourceGroupName: 'rg-jit', allow }, `${site}-${type}`);

    test('FTP and SCM policies with allow: false on the app pass', async () => {
      expect(await checkStack(basicPublishingCredentialsOff, [app({}), policyFor('Ftp', false), policyFor('Scm', false)])).toEqual({ applicable: true, violations: [] });
    });

    test('a missing or allowing policy fails', async () => {
      const { violations: found } = await checkStack(basicPublishingCredentialsOff, [app({}), policyFor('Ftp', true), policyFor('Scm', false, 'other-site')]);
      expect(found).toEqual([
        expect.stringMatching(/allow: false on web.WebAppFtpAllowed func-jit-Ftp/),
        expect.stringMatching(/Add a web.WebAppFtpAllowed with allow: false for function app func-jit/),
        expect.stringMatching(/Add a web.WebAppScmAllowed with allow: false for function app func-jit/),
      ]);
    });
  });
});

describe('role assignments', () => {
  const assignment = (scope: string) => resource('azure-native:authorization:RoleAssignment', { scope, principalId: 'p', roleDefinitionId: 'd' });

  test.each([`${RG}/providers/Microsoft.KeyVault/vaults/kv-jit/secrets/DecryptionKey`, `${RG}/providers/Microsoft.Storage/storageAccounts/st/tableServices/default/tables/T`])(
    'a resource scope passes: %s',
    async (scope) => {
      expect(await violations(roleAssignmentsOnResources, assignment(scope))).toEqual([]);
    },
  );

  test.each([
    '/subscriptions/11111111-2222-3333-4444-555555555555',
    RG,
    `${RG}/`,
    '/providers/Microsoft.Management/managementGroups/root',
    '/',
  ])('a broad scope fails: %s', async (scope) => {
    expect(await violations(roleAssignmentsOnResources, assignment(scope))).toEqual([expect.stringMatching(/Scope the role assignment to the resource/)]);
  });
});

describe('no private key or secret in inputs', () => {
  // Built at run time so the repository holds no literal key block.
  const PEM = ['-----BEGIN', 'RSA PRIVATE KEY-----\nMIIEfake\n-----END', 'RSA PRIVATE KEY-----'].join(' ');
  const SECRET_VALUE = 'hunter2-not-a-real-secret';
  const webApp = (appSettings: { name: string; value: string }[]) => resource('azure-native:web:WebApp', { name: 'func', siteConfig: { appSettings } });

  test('Key Vault references, plain settings and a Key Vault secret value pass', async () => {
    expect(
      await violations(
        noSecretsInInputs,
        webApp([
          { name: 'DecryptionPrivateKey', value: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/key)' },
          { name: 'ExternalIdTenantId', value: 'tenant' },
          { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' },
          { name: 'PasswordChangeCheck', value: 'graph' },
        ]),
      ),
    ).toEqual([]);
    expect(await violations(noSecretsInInputs, resource('azure-native:keyvault:Secret', { secretName: 'LegacyServiceApiKey', properties: { value: SECRET_VALUE } }))).toEqual([]);
    expect(await violations(noSecretsInInputs, resource('azure-native:web:WebAppApplicationSettings', { properties: { ClientSecret: '@Microsoft.KeyVault(VaultName=kv;SecretName=s)' } }))).toEqual([]);
    // A B2C policy key's value is where B2C reads the secret (kept a Pulumi secret in state).
    expect(await violations(noSecretsInInputs, resource('pulumi-nodejs:dynamic/graph:TrustFrameworkKeySet', { keySetId: 'JitApiPassword', use: 'enc', secret: SECRET_VALUE }))).toEqual([]);
  });

  test.each([
    ['a PEM private key in any input', resource('azure-native:keyvault:Secret', { secretName: 'k', properties: { value: PEM } }), /properties.value holds a PEM private key/],
    ['a PEM private key in a tag', resource('azure-native:resources:ResourceGroup', { tags: { note: PEM } }), /tags.note holds a PEM private key/],
    ['an account key in a connection string', webApp([{ name: 'Storage', value: `DefaultEndpointsProtocol=https;AccountName=st;AccountKey=${SECRET_VALUE}` }]), /siteConfig.appSettings\[0\].value holds an account key/],
    ['a SAS signature', resource('azure-native:web:WebApp', { siteConfig: { appSettings: [{ name: 'PackageUrl', value: `https://st.blob.core.windows.net/c/p.zip?sv=1&sig=${SECRET_VALUE}` }] } }), /holds an account key or SAS signature/],
    ['a secret-named property', resource('azure-native:compute:VirtualMachine', { osProfile: { adminPassword: SECRET_VALUE } }), /osProfile.adminPassword looks like a secret/],
    ['a secret-named property of another Graph resource', resource('pulumi-nodejs:dynamic/graph:TrustFrameworkPolicy', { secret: SECRET_VALUE }), /secret looks like a secret/],
    ['a secret-named app setting with a plain value', webApp([{ name: 'LegacyServiceApiKey', value: SECRET_VALUE }]), /App setting LegacyServiceApiKey \(siteConfig.appSettings\[0\]\) must be a Key Vault reference/],
    ['an upper-case secret-named app setting', webApp([{ name: 'AZURE_CLIENT_SECRET', value: SECRET_VALUE }]), /App setting AZURE_CLIENT_SECRET/],
    ['a secret-named app setting in WebAppApplicationSettings', resource('azure-native:web:WebAppApplicationSettings', { properties: { ClientSecret: SECRET_VALUE } }), /App setting ClientSecret/],
  ])('%s fails, without the value in the message', async (_case, r, message) => {
    const found = await violations(noSecretsInInputs, r);
    expect(found).toEqual([expect.stringMatching(message)]);
    expect(found.join('\n')).not.toMatch(/hunter2|MIIE/);
  });
});

describe('Entra API applications', () => {
  test('an application registration with v2 tokens passes; without, it fails', async () => {
    const registration = (version?: number) => resource('azuread:index/applicationRegistration:ApplicationRegistration', { displayName: 'api', requestedAccessTokenVersion: version });
    expect(await violations(entraApiAppsRequestV2Tokens, registration(2))).toEqual([]);
    expect(await violations(entraApiAppsRequestV2Tokens, registration(1))).toEqual([expect.stringMatching(/requestedAccessTokenVersion: 2/)]);
    expect(await violations(entraApiAppsRequestV2Tokens, registration())).toEqual([expect.stringMatching(/requestedAccessTokenVersion: 2/)]);
  });

  test('an application exposing an API needs api.requestedAccessTokenVersion 2; a client-only one is out of scope', async () => {
    const application = (props: Record<string, unknown>) => resource('azuread:index/application:Application', { displayName: 'app', ...props });
    expect(await violations(entraApiAppsRequestV2Tokens, application({ identifierUris: ['api://x'], api: { requestedAccessTokenVersion: 2 } }))).toEqual([]);
    expect(await violations(entraApiAppsRequestV2Tokens, application({ identifierUris: ['api://x'] }))).toEqual([expect.stringMatching(/api.requestedAccessTokenVersion: 2/)]);
    expect(await checkResource(entraApiAppsRequestV2Tokens, application({ web: { redirectUris: ['https://jwt.ms'] } }))).toEqual({ applicable: false, violations: [] });
  });
});
