/**
 * Bring your own resources (README "Bring your own resources") under mocks: with existingResourceGroupName,
 * existingLogAnalyticsWorkspaceId and existingKeyVaultId the stack registers no group, workspace or vault (nor
 * anything on the vault but its role assignments), and everything that referenced the created ones uses the
 * given ones. Plus the config rules of the three keys.
 */
import { checkExistingKeyVaultSubscription, ConfigError, parseConfig, type ConfigKey, type ConfigSource } from './config';
import { keyVaultUri } from './clouds';
import { BUILT_IN_ROLES } from './roles';
import { configSourceOf, loadStackConfig, MOCK, PROJECT, runProgram, STACK, type ProgramRun } from './test/mocks';

const T = {
  group: 'azure-native:resources:ResourceGroup',
  workspace: 'azure-native:operationalinsights:Workspace',
  appInsights: 'azure-native:applicationinsights:Component',
  vault: 'azure-native:keyvault:Vault',
  secret: 'azure-native:keyvault:Secret',
  diag: 'azure-native:monitor:DiagnosticSetting',
  lock: 'azure-native:authorization:ManagementLockByScope',
  role: 'azure-native:authorization:RoleAssignment',
  storage: 'azure-native:storage:StorageAccount',
} as const;
const key = (k: ConfigKey) => `${PROJECT}:${k}`;
const PLATFORM = `/subscriptions/${MOCK.subscriptionId}/resourceGroups`;
const GROUP = 'rg-landing-zone-jit';
const WORKSPACE_ID = `${PLATFORM}/rg-platform-logs/providers/Microsoft.OperationalInsights/workspaces/law-platform-central`;
const VAULT = { name: 'kv-platform-jit', group: 'rg-platform-secrets' };
const VAULT_ID = `${PLATFORM}/${VAULT.group}/providers/Microsoft.KeyVault/vaults/${VAULT.name}`;

const BRING_YOUR_OWN = {
  [key('existingResourceGroupName')]: GROUP,
  [key('existingLogAnalyticsWorkspaceId')]: WORKSPACE_ID,
  [key('existingKeyVaultId')]: VAULT_ID,
};

const ofType = (run: ProgramRun, type: string) => run.mocks.resources.filter((r) => r.type === type);
/** Every string anywhere in the inputs of every resource the program registered. */
function inputStrings(run: ProgramRun): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  for (const resource of run.mocks.resources) walk(resource.inputs);
  return out;
}

let byo: ProgramRun;

beforeAll(async () => {
  byo = await runProgram({
    overrides: {
      ...BRING_YOUR_OWN,
      // The legacy web service's API key is a Key Vault secret: it must land in the given vault, in its group.
      [key('legacyStore')]: 'http',
      [key('legacyServiceUrl')]: 'https://legacy.example.com/verify',
      [key('legacyServiceApiKey')]: 'not-a-real-key',
    },
  });
}, 180_000);

describe('existingResourceGroupName', () => {
  test('no resource group is created; every resource goes into the given one, at azure-native:location', () => {
    expect(ofType(byo, T.group)).toEqual([]);
    expect(byo.outputs.resourceGroup).toBe(GROUP);
    const groups = new Set(byo.mocks.resources.filter((r) => r.type !== T.secret && 'resourceGroupName' in r.inputs).map((r) => r.inputs.resourceGroupName));
    expect([...groups]).toEqual([GROUP]);
    const location = loadStackConfig()['azure-native:location'];
    for (const type of [T.storage, T.appInsights]) expect(ofType(byo, type).map((r) => r.inputs.location)).toEqual([location]);
  });
});

describe('existingLogAnalyticsWorkspaceId', () => {
  test('no workspace is created; Application Insights and every diagnostic setting use the given one', () => {
    expect(ofType(byo, T.workspace)).toEqual([]);
    expect(ofType(byo, T.appInsights).map((r) => r.inputs.workspaceResourceId)).toEqual([WORKSPACE_ID]);
    const settings = ofType(byo, T.diag);
    expect(settings.length).toBeGreaterThanOrEqual(2); // the storage account's table and blob services
    for (const setting of settings) expect(setting.inputs.workspaceId).toBe(WORKSPACE_ID);
    expect(inputStrings(byo).filter((s) => /Microsoft\.OperationalInsights\/workspaces\//i.test(s) && s !== WORKSPACE_ID)).toEqual([]);
  });
});

describe('existingKeyVaultId', () => {
  test('no vault is created, and nothing is put on it but role assignments: no diagnostic setting, lock or endpoint', () => {
    expect(ofType(byo, T.vault)).toEqual([]);
    const onVault = byo.mocks.resources.filter((r) => [r.inputs.scope, r.inputs.resourceUri].some((id) => typeof id === 'string' && id.toLowerCase().startsWith(VAULT_ID.toLowerCase())));
    expect([...new Set(onVault.map((r) => r.type))]).toEqual([T.role]);
    // resourceLocks (on by default) still locks the storage account the stack owns.
    expect(ofType(byo, T.lock).map((l) => l.inputs.scope)).toEqual([ofType(byo, T.storage)[0]!.id]);
    expect(byo.outputs.keyVaultName).toBe(VAULT.name);
  });

  test('the role assignments this stack needs are scoped to the given vault and its secrets', () => {
    const scopes = ofType(byo, T.role)
      .filter((r) => String(r.inputs.scope).includes('/Microsoft.KeyVault/'))
      .map((r) => ({ scope: r.inputs.scope, role: String(r.inputs.roleDefinitionId).split('/').pop() }));
    expect(scopes).toContainEqual({ scope: VAULT_ID, role: BUILT_IN_ROLES.KeyVaultCertificatesOfficer });
    expect(scopes).toContainEqual({ scope: `${VAULT_ID}/secrets/legacy-service-api-key`, role: BUILT_IN_ROLES.KeyVaultSecretsUser });
    expect(scopes).toContainEqual({ scope: `${VAULT_ID}/secrets/jit-password-decryption`, role: BUILT_IN_ROLES.KeyVaultSecretsUser });
    for (const { scope } of scopes) expect(scope.startsWith(VAULT_ID)).toBe(true);
  });

  test('certificates, the secret and every Key Vault reference use the given vault', () => {
    const uri = `https://${VAULT.name}.vault.azure.net/`;
    const certificates = byo.mocks.resources.filter((r) => r.type.endsWith('KeyVaultCertificate') || ('certificateName' in r.inputs && 'vaultUri' in r.inputs));
    expect(certificates.length).toBeGreaterThanOrEqual(1);
    for (const certificate of certificates) expect(certificate.inputs.vaultUri).toBe(uri);
    expect(ofType(byo, T.secret).map((s) => ({ group: s.inputs.resourceGroupName, vault: s.inputs.vaultName }))).toEqual([{ group: VAULT.group, vault: VAULT.name }]);
    const strings = inputStrings(byo);
    expect(strings.filter((s) => /\.vault\.azure\.net/i.test(s) && !s.includes(uri))).toEqual([]);
    expect(strings.filter((s) => /Microsoft\.KeyVault\/vaults\//i.test(s) && !s.startsWith(VAULT_ID))).toEqual([]);
    expect(strings.some((s) => s.startsWith(`@Microsoft.KeyVault(SecretUri=${uri}secrets/`))).toBe(true);
  });
});

describe('bring-your-own configuration', () => {
  const sourceOf = configSourceOf;
  const parse = (extra: Record<string, string | undefined>) => parseConfig(sourceOf({ ...loadStackConfig(), ...extra }));
  const problems = (extra: Record<string, string | undefined>): string => {
    try {
      parse(extra);
      return '';
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.join('\n');
    }
  };
  const privateMode = { [key('networkMode')]: 'private', [key('deployerInPrivateNetwork')]: 'true' };

  test('unset by default: the stack creates its own', () => {
    expect(parse({}).existing).toEqual({});
  });

  test('the given ids are parsed; the vault URI follows the cloud of graphBaseUrl', () => {
    expect(parse(BRING_YOUR_OWN).existing).toEqual({
      resourceGroupName: GROUP,
      logAnalyticsWorkspaceId: WORKSPACE_ID,
      keyVault: { id: VAULT_ID, name: VAULT.name, resourceGroupName: VAULT.group, subscriptionId: MOCK.subscriptionId, uri: `https://${VAULT.name}.vault.azure.net/` },
    });
    expect(keyVaultUri('KV-Gov', 'usgovernmentl4')).toBe('https://kv-gov.vault.usgovcloudapi.net/');
    expect(keyVaultUri('kv-cn', 'china')).toBe('https://kv-cn.vault.azure.cn/');
  });

  test.each([
    ['existingResourceGroupName', 'rg-ends-with-period.', /existingResourceGroupName is 'rg-ends-with-period\.': set it to the name of an existing resource group/],
    ['existingLogAnalyticsWorkspaceId', 'law-platform-central', /existingLogAnalyticsWorkspaceId is 'law-platform-central': set it to a workspace's ARM id/],
    ['existingLogAnalyticsWorkspaceId', VAULT_ID, /existingLogAnalyticsWorkspaceId is '.*': set it to a workspace's ARM id/],
    ['existingKeyVaultId', WORKSPACE_ID, /existingKeyVaultId is '.*': set it to a Key Vault's ARM id/],
    ['existingKeyVaultId', `${VAULT_ID}/secrets/x`, /existingKeyVaultId is '.*': set it to a Key Vault's ARM id/],
  ])('%s %s is refused with the fix', (k, value, message) => {
    expect(problems({ [key(k as ConfigKey)]: value })).toMatch(message);
  });

  test('logRetentionDays other than its default is refused with an existing workspace: its retention is the owner\'s', () => {
    expect(problems({ [key('existingLogAnalyticsWorkspaceId')]: WORKSPACE_ID, [key('logRetentionDays')]: '90' })).toMatch(
      /logRetentionDays is 90 while existingLogAnalyticsWorkspaceId is set: .*pulumi config rm logRetentionDays/,
    );
    expect(problems({ [key('logRetentionDays')]: '90' })).toBe('');
  });

  test('an existing vault is refused with networkMode=private: its private endpoint and DNS are its owner\'s', () => {
    expect(problems({ ...privateMode, [key('existingKeyVaultId')]: VAULT_ID })).toMatch(/existingKeyVaultId is set while networkMode=private: .*use networkMode public/);
    expect(problems(privateMode)).toBe('');
  });

  test('an existing vault must be in the subscription the stack deploys to', () => {
    const cfg = parse(BRING_YOUR_OWN);
    expect(() => checkExistingKeyVaultSubscription(cfg, MOCK.subscriptionId.toUpperCase())).not.toThrow();
    expect(() => checkExistingKeyVaultSubscription(cfg, MOCK.azureTenantId)).toThrow(/existingKeyVaultId is in subscription 11111111-.*, not 99999999-.*: use a vault in this subscription/);
    expect(() => checkExistingKeyVaultSubscription(parse({}), MOCK.azureTenantId)).not.toThrow();
  });
});
