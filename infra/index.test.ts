/**
 * The whole Pulumi program under mocks with the Pulumi.dev.yaml config. Every security property of the
 * issue is a pure check over the recorded resources that returns its violations; each check runs on the
 * real program (no violations) and on a mutated copy (a violation), so none can pass vacuously.
 */
import * as pulumi from '@pulumi/pulumi';
import { loadSettings } from '../function/src/config';
import { CALLOUT_NETWORK_MARGIN_MS, checkDistinctTenants, CONFIG_SCHEMA, ConfigError, GRAPH_CLIENT_CERTIFICATE, parseConfig, type ConfigKey, type ConfigSource, type InfraConfig } from './config';
import { FLEX_FORBIDDEN_SETTINGS, FUNCTION_ROUTE } from './components/functionHosting';
import { TOKEN_EXCHANGE_AUDIENCE } from './components/graphReader';
import { keyVaultReference } from './components/keyMaterial';
import { keyIdFor } from './providers/graph/applicationEncryptionKey';
import { NAME_RULES, resourceNames, stableSuffix } from './naming';
import { BUILT_IN_ROLES, roleAssignmentName, roleDefinitionId, uuidV5 } from './roles';
import { configSourceOf, fakeGuid, loadStackConfig, MOCK, PROJECT, readYaml, runProgram, STACK, type ProgramRun, type RecordedCall, type RecordedResource } from './test/mocks';

// ---------------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------------

/** A workforce tenant that must never reach the External ID side (set as ARM_TENANT_ID for every run). */
const WORKFORCE_TENANT = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const API_KEY_SENTINEL = 'SENTINEL-legacy-api-key-7f3c9b';
/** A renewal happened: the certificate reports this previous version (mocks). */
const RENEWED_FROM = 'fedcba9876543210fedcba9876543210';
/** Legacy web service with an API key, no always-ready instances, no test client. */
const HTTP_OVERRIDES = {
  [`${PROJECT}:legacyStore`]: 'http',
  [`${PROJECT}:legacyServiceUrl`]: 'https://legacy.example.com/verify',
  [`${PROJECT}:legacyServiceApiKey`]: API_KEY_SENTINEL,
  [`${PROJECT}:alwaysReadyInstances`]: '0',
  [`${PROJECT}:createTestClient`]: 'false',
};
/** Rotation to a new certificate name, the old one kept live (explicit override). */
const ROTATION_OVERRIDES = {
  [`${PROJECT}:certificateName`]: 'jit-password-decryption-2027',
  [`${PROJECT}:previousCertificateName`]: 'jit-password-decryption',
  [`${PROJECT}:previousCertificateVersion`]: '0123456789abcdef0123456789abcdef',
};

/** The password-change check through the managed-identity route; and switched off. */
const MANAGED_IDENTITY_OVERRIDES = { [`${PROJECT}:graphAuthentication`]: 'managedIdentity', [`${PROJECT}:externalIdTenantDomain`]: 'fabrikam-ciam' };
const CHECK_OFF_OVERRIDES = { [`${PROJECT}:passwordChangeCheck`]: 'off' };
/** Microsoft Graph's User.Read.All app role id, as the mocked Graph principal reports it. */
const USER_READ_ALL_ROLE_ID = 'df021288-bdef-4463-88db-98f22de89214';

/** A ConfigSource over a flat record of fully qualified keys, as the CLI stores them. */
const sourceOf = configSourceOf;

const devValues = (): Record<string, string | undefined> => loadStackConfig();
const configOf = (overrides: Record<string, string | undefined> = {}): InfraConfig => parseConfig(sourceOf({ ...devValues(), ...overrides }));

interface Snapshot {
  resources: RecordedResource[];
  calls: RecordedCall[];
  cfg: InfraConfig;
  /** Values that must never appear in any resource input outside their Key Vault secret. */
  secrets: string[];
}

const snap = (run: ProgramRun, cfg: InfraConfig, secrets: string[] = []): Snapshot => ({ resources: run.mocks.resources, calls: run.mocks.calls, cfg, secrets });
const clone = (s: Snapshot): Snapshot => ({ ...s, resources: structuredClone(s.resources), calls: structuredClone(s.calls) });

const ofType = (s: Snapshot, type: string): RecordedResource[] => s.resources.filter((r) => r.type === type);
function single(s: Snapshot, type: string): RecordedResource {
  const found = ofType(s, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}
const T = {
  rg: 'azure-native:resources:ResourceGroup',
  uami: 'azure-native:managedidentity:UserAssignedIdentity',
  storage: 'azure-native:storage:StorageAccount',
  container: 'azure-native:storage:BlobContainer',
  table: 'azure-native:storage:Table',
  vault: 'azure-native:keyvault:Vault',
  secret: 'azure-native:keyvault:Secret',
  diag: 'azure-native:monitor:DiagnosticSetting',
  plan: 'azure-native:web:AppServicePlan',
  app: 'azure-native:web:WebApp',
  aadApp: 'azuread:index/application:Application',
  aadPrincipal: 'azuread:index/servicePrincipal:ServicePrincipal',
  aadConsent: 'azuread:index/appRoleAssignment:AppRoleAssignment',
  aadCertificate: 'azuread:index/applicationCertificate:ApplicationCertificate',
  aadFederated: 'azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential',
  ftp: 'azure-native:web:WebAppFtpAllowed',
  scm: 'azure-native:web:WebAppScmAllowed',
  workspace: 'azure-native:operationalinsights:Workspace',
  insights: 'azure-native:applicationinsights:Component',
  role: 'azure-native:authorization:RoleAssignment',
} as const;

const vaultCertificates = (s: Snapshot): RecordedResource[] => s.resources.filter((r) => r.type.endsWith(':KeyVaultCertificate'));
/** The decryption certificate (the Graph reader's, when there is one, has its own name). */
const certificateOf = (s: Snapshot): RecordedResource => {
  const found = vaultCertificates(s).filter((r) => r.inputs.certificateName === s.cfg.certificate.name);
  if (found.length !== 1) throw new Error(`expected one KeyVaultCertificate named ${s.cfg.certificate.name}, found ${found.length}`);
  return found[0]!;
};
const graphCertificateOf = (s: Snapshot): RecordedResource | undefined => vaultCertificates(s).find((r) => r.inputs.certificateName === GRAPH_CLIENT_CERTIFICATE.name);
/** The Graph reader's resources: every one is a child of the GraphReader component or its vault certificate. */
const graphReaderResources = (s: Snapshot): RecordedResource[] =>
  s.resources.filter((r) => r.name.startsWith('graph-reader') || r.name === 'keys-graph-client-certificate' || r.name === `hosting-secrets-user-${GRAPH_CLIENT_CERTIFICATE.name}`);

const settingsOf = (app: RecordedResource): Map<string, string> =>
  new Map((app.inputs.siteConfig?.appSettings ?? []).map((s: { name: string; value: string }) => [s.name, s.value]));

// ---------------------------------------------------------------------------------------------------------
// Checks: each returns the list of violations (empty = compliant)
// ---------------------------------------------------------------------------------------------------------

function checkStorage(s: Snapshot): string[] {
  const v: string[] = [];
  for (const acct of ofType(s, T.storage)) {
    const i = acct.inputs;
    if (i.allowSharedKeyAccess !== false) v.push(`${acct.name}: allowSharedKeyAccess must be false`);
    if (i.minimumTlsVersion !== 'TLS1_2') v.push(`${acct.name}: minimumTlsVersion must be TLS1_2`);
    if (i.allowBlobPublicAccess !== false) v.push(`${acct.name}: allowBlobPublicAccess must be false`);
    if (i.enableHttpsTrafficOnly !== true) v.push(`${acct.name}: enableHttpsTrafficOnly must be true`);
    if (!NAME_RULES.storageAccount.pattern.test(i.accountName)) v.push(`${acct.name}: invalid account name ${i.accountName}`);
  }
  for (const c of ofType(s, T.container)) if (c.inputs.publicAccess !== 'None') v.push(`${c.name}: container publicAccess must be None`);
  if (ofType(s, T.storage).length !== 1) v.push('expected exactly one storage account');
  return v;
}

function checkKeyVault(s: Snapshot): string[] {
  const v: string[] = [];
  const vaults = ofType(s, T.vault);
  if (vaults.length !== 1) return ['expected exactly one Key Vault'];
  const vault = vaults[0]!;
  const p = vault.inputs.properties ?? {};
  if (p.enableRbacAuthorization !== true) v.push('vault: enableRbacAuthorization must be true');
  if (p.enablePurgeProtection !== true) v.push('vault: enablePurgeProtection must be true');
  if (p.enableSoftDelete !== true) v.push('vault: enableSoftDelete must be true');
  if (p.softDeleteRetentionInDays !== 90) v.push('vault: softDeleteRetentionInDays must be 90');
  if (p.publicNetworkAccess !== s.cfg.keyVaultPublicNetworkAccess) v.push(`vault: publicNetworkAccess must follow config (${s.cfg.keyVaultPublicNetworkAccess})`);
  if (p.tenantId !== MOCK.azureTenantId) v.push('vault: tenantId must be the subscription tenant, not the External ID tenant');
  if (Array.isArray(p.accessPolicies) && p.accessPolicies.length > 0) v.push('vault: no access policies with RBAC');
  const workspace = single(s, T.workspace);
  const diag = ofType(s, T.diag).filter((d) => d.inputs.resourceUri === vault.id);
  if (diag.length !== 1) v.push('vault: needs exactly one diagnostic setting');
  for (const d of diag) {
    if (d.inputs.workspaceId !== workspace.id) v.push('vault diagnostics: must go to the Log Analytics workspace');
    const logs: { categoryGroup?: string; category?: string; enabled: boolean }[] = d.inputs.logs ?? [];
    if (!logs.some((l) => l.enabled && (l.categoryGroup === 'allLogs' || l.categoryGroup === 'audit' || l.category === 'AuditEvent'))) v.push('vault diagnostics: audit logs must be enabled');
  }
  return v;
}

function checkMonitoring(s: Snapshot): string[] {
  const v: string[] = [];
  const workspace = single(s, T.workspace);
  const ai = single(s, T.insights);
  if (ai.inputs.disableLocalAuth !== true) v.push('App Insights: disableLocalAuth must be true');
  if (ai.inputs.workspaceResourceId !== workspace.id) v.push('App Insights: must be workspace-based on the stack workspace');
  if (workspace.inputs.features?.disableLocalAuth !== true) v.push('Log Analytics: features.disableLocalAuth must be true');
  return v;
}

function checkWebApp(s: Snapshot): string[] {
  const v: string[] = [];
  const app = single(s, T.app);
  const uami = single(s, T.uami);
  const plan = single(s, T.plan);
  const account = single(s, T.storage);
  const i = app.inputs;
  const sc = i.siteConfig ?? {};
  const fac = i.functionAppConfig ?? {};
  if (i.httpsOnly !== true) v.push('app: httpsOnly must be true');
  if (!['1.2', '1.3'].includes(sc.minTlsVersion)) v.push('app: siteConfig.minTlsVersion must be >= 1.2');
  if (!['1.2', '1.3'].includes(sc.scmMinTlsVersion)) v.push('app: siteConfig.scmMinTlsVersion must be >= 1.2');
  if (sc.ftpsState !== 'Disabled') v.push("app: siteConfig.ftpsState must be 'Disabled'");
  if (i.kind !== 'functionapp,linux') v.push('app: kind must be functionapp,linux');
  if (i.serverFarmId !== plan.id) v.push('app: must run on the stack plan');
  if (plan.inputs.sku?.name !== 'FC1' || plan.inputs.sku?.tier !== 'FlexConsumption' || plan.inputs.reserved !== true) v.push('plan: must be FC1 FlexConsumption, reserved (Linux)');
  if (fac.runtime?.name !== 'node' || fac.runtime?.version !== '22') v.push('app: functionAppConfig.runtime must be node 22');
  const storage = fac.deployment?.storage ?? {};
  if (storage.type !== 'blobContainer' || !String(storage.value ?? '').startsWith(account.state.primaryEndpoints.blob)) v.push('app: deployment storage must be a blob container of the stack account');
  if (storage.authentication?.type !== 'UserAssignedIdentity' || storage.authentication?.userAssignedIdentityResourceId !== uami.id) v.push('app: deployment storage must authenticate with the UAMI');
  if (storage.authentication?.storageAccountConnectionStringName) v.push('app: no connection string for deployment storage');
  if (i.identity?.type !== 'UserAssigned' || !(i.identity?.userAssignedIdentities ?? []).includes(uami.id)) v.push('app: identity must be the UAMI');
  if (i.keyVaultReferenceIdentity !== uami.id) v.push('app: keyVaultReferenceIdentity must be the UAMI resource id');
  if (sc.linuxFxVersion !== undefined || sc.functionAppScaleLimit !== undefined) v.push('app: no linuxFxVersion/functionAppScaleLimit on Flex');
  if (i.autoGeneratedDomainNameLabelScope !== undefined) v.push('app: the host name must stay {name}.azurewebsites.net (Entra identifier URI)');
  const scale = fac.scaleAndConcurrency ?? {};
  if (scale.maximumInstanceCount !== s.cfg.hosting.maximumInstanceCount) v.push('app: maximumInstanceCount must follow config');
  if (scale.instanceMemoryMB !== s.cfg.hosting.instanceMemoryMB) v.push('app: instanceMemoryMB must follow config');
  const ready = (scale.alwaysReady ?? []).reduce((n: number, r: { instanceCount: number }) => n + r.instanceCount, 0);
  if (ready !== s.cfg.hosting.alwaysReadyInstances) v.push('app: always-ready instances must follow config');
  return v;
}

function checkBasicAuth(s: Snapshot): string[] {
  const v: string[] = [];
  const app = single(s, T.app);
  for (const type of [T.ftp, T.scm]) {
    const policies = ofType(s, type).filter((p) => p.inputs.name === app.inputs.name);
    if (policies.length !== 1 || policies[0]!.inputs.allow !== false) v.push(`${type}: basic publishing credentials must be disabled (allow: false)`);
  }
  return v;
}

const KV_REFERENCE = /^@Microsoft\.KeyVault\(SecretUri=https:\/\/([a-z0-9-]+)\.vault\.azure\.net\/secrets\/([0-9a-zA-Z-]+)(\/[0-9a-f]{32})?\)$/;

function checkAppSettings(s: Snapshot): string[] {
  const v: string[] = [];
  const app = single(s, T.app);
  const settings = settingsOf(app);
  const uami = single(s, T.uami);
  const account = single(s, T.storage);
  const vault = single(s, T.vault);
  const ai = single(s, T.insights);
  const expect = (name: string, value: string | undefined) => {
    if (settings.get(name) !== value) v.push(`setting ${name} must be ${value ?? '(absent)'}`);
  };
  for (const name of FLEX_FORBIDDEN_SETTINGS) if (settings.has(name)) v.push(`setting ${name} must not be set on Flex`);
  for (const name of settings.keys()) if (/^AzureWebJobsStorage$|ConnectionString$|AccountKey/i.test(name) && name !== 'APPLICATIONINSIGHTS_CONNECTION_STRING') v.push(`setting ${name}: no key-based connection settings`);
  expect('AzureWebJobsStorage__credential', 'managedidentity');
  expect('AzureWebJobsStorage__clientId', uami.state.clientId);
  expect('AzureWebJobsStorage__blobServiceUri', account.state.primaryEndpoints.blob);
  expect('AzureWebJobsStorage__queueServiceUri', account.state.primaryEndpoints.queue);
  expect('AzureWebJobsStorage__tableServiceUri', account.state.primaryEndpoints.table);
  expect('APPLICATIONINSIGHTS_CONNECTION_STRING', ai.state.connectionString);
  expect('APPLICATIONINSIGHTS_AUTHENTICATION_STRING', `ClientId=${uami.state.clientId};Authorization=AAD`);
  expect('ManagedIdentityClientId', uami.state.clientId);
  expect('ExternalIdTenantId', s.cfg.externalId.tenantId);
  if (!/^[0-9a-f-]{36}$/.test(settings.get('ExtensionAppId') ?? '')) v.push('setting ExtensionAppId must be the extension app client id');
  const host = `${single(s, T.app).inputs.name}.azurewebsites.net`;
  if (settings.get('ExtensionAppIdentifierUri') !== `api://${host}/${settings.get('ExtensionAppId')}`) v.push('setting ExtensionAppIdentifierUri must be api://{function host}/{ExtensionAppId}');
  expect('LegacyStore', s.cfg.legacy.kind);
  expect('StateTableEndpoint', account.state.primaryEndpoints.table);
  expect('StateTableName', s.cfg.stateTableName);
  if (s.cfg.legacy.kind === 'table') {
    expect('LegacyTableEndpoint', account.state.primaryEndpoints.table);
    expect('LegacyTableName', s.cfg.legacy.tableName);
    expect('LegacyServiceApiKey', undefined);
  } else if (s.cfg.legacy.kind === 'http') {
    expect('LegacyServiceUrl', s.cfg.legacy.serviceUrl);
  }
  // The password-change check: the tenant subdomain always; the Graph reader's settings only when it is on.
  const check = s.cfg.passwordChangeCheck;
  expect('ExternalIdTenantSubdomain', s.cfg.externalId.tenantDomain);
  expect('PasswordChangeCheck', check.mode);
  expect('GraphAuthentication', check.mode === 'graph' ? check.authentication : undefined);
  expect('GraphBaseUrl', check.mode === 'graph' ? s.cfg.externalId.graphBaseUrl : undefined);
  const readerApp = ofType(s, T.aadApp).find((a) => a.name === 'graph-reader-app' || a.name === 'graph-reader-home-app');
  expect('GraphClientId', check.mode === 'graph' ? (readerApp?.state.clientId ?? 'the Graph reader app client id') : undefined);
  // Secret-bearing settings hold Key Vault references into the stack vault, and nothing else:
  // [setting, secret name, version (undefined = versionless/latest)].
  const cert = certificateOf(s);
  const expected: [string, string, string | undefined][] = [['DecryptionPrivateKey', s.cfg.certificate.name, cert.state.version]];
  if (s.cfg.previousCertificate) expected.push(['DecryptionPrivateKeyPrevious', s.cfg.previousCertificate.name, s.cfg.previousCertificate.version]);
  else if (cert.state.previousVersion) expected.push(['DecryptionPrivateKeyPrevious', s.cfg.certificate.name, cert.state.previousVersion]);
  if (s.cfg.legacy.kind === 'http' && s.cfg.legacy.apiKey) expected.push(['LegacyServiceApiKey', 'legacy-service-api-key', undefined]);
  // Pinned like the decryption key: the app moves to a renewed key together with the reader app's credential.
  const graphCertificate = graphCertificateOf(s);
  if (check.mode === 'graph' && check.authentication === 'certificate') expected.push(['GraphClientCertificate', GRAPH_CLIENT_CERTIFICATE.name, graphCertificate?.state.version ?? 'the Graph client certificate version']);
  for (const [name, secretName, version] of expected) {
    const m = KV_REFERENCE.exec(settings.get(name) ?? '');
    if (!m) v.push(`setting ${name} must be a Key Vault reference`);
    else {
      if (m[1] !== vault.inputs.vaultName) v.push(`setting ${name} must reference the stack vault`);
      if (m[2] !== secretName) v.push(`setting ${name} must reference secret ${secretName}`);
      if (m[3] !== (version ? `/${version}` : undefined)) v.push(`setting ${name} must reference version ${version ?? '(latest)'}`);
    }
  }
  for (const name of ['DecryptionPrivateKeyPrevious', 'LegacyServiceApiKey', 'GraphClientCertificate']) {
    if (settings.has(name) && !expected.some(([e]) => e === name)) v.push(`setting ${name} must be absent here`);
  }
  return v;
}

/** No secret value, PEM block or private key anywhere in any resource input (the Key Vault secret excepted). */
function checkNoSecretsInInputs(s: Snapshot): string[] {
  const v: string[] = [];
  for (const r of s.resources) {
    let inputs: unknown = r.inputs;
    if (r.type === T.secret) {
      // The one place a secret value may be: sent as a Pulumi secret (encrypted in state).
      if (!r.secretPaths.some((p) => p === 'properties' || p === 'properties.value')) v.push(`${r.name}: the Key Vault secret value must be a Pulumi secret`);
      const { value: _stored, ...rest } = r.inputs.properties ?? {};
      inputs = { ...r.inputs, properties: rest };
    }
    const text = JSON.stringify(inputs);
    if (/-----BEGIN|PRIVATE KEY|MII[A-Za-z0-9+/]{60,}/.test(text)) v.push(`${r.type} ${r.name}: key or certificate material in inputs`);
    for (const secret of s.secrets) if (text.includes(secret)) v.push(`${r.type} ${r.name}: a secret value in inputs`);
    // Outputs too: what a provider stores in state (the vault certificates report public facts only).
    if (/-----BEGIN|PRIVATE KEY/.test(JSON.stringify(r.state))) v.push(`${r.type} ${r.name}: key material in outputs (state)`);
  }
  return v;
}

/** Least privilege: exactly the expected (role, scope) pairs, each well-formed and deterministically named. */
function checkRoleAssignments(s: Snapshot): string[] {
  const v: string[] = [];
  const uami = single(s, T.uami);
  const account = single(s, T.storage);
  const vault = single(s, T.vault);
  const ai = single(s, T.insights);
  const tables = ofType(s, T.table);
  const tableId = (name: string) => tables.find((t) => t.inputs.tableName === name)?.id ?? `missing table ${name}`;
  const expected = new Set<string>([
    `StorageBlobDataOwner ${account.id}`,
    `MonitoringMetricsPublisher ${ai.id}`,
    `StorageTableDataContributor ${tableId(s.cfg.stateTableName)}`,
    ...(s.cfg.legacy.kind === 'table' ? [`StorageTableDataContributor ${tableId(s.cfg.legacy.tableName)}`] : []),
    `KeyVaultSecretsUser ${vault.id}/secrets/${s.cfg.certificate.name}`,
    ...(s.cfg.previousCertificate && s.cfg.previousCertificate.name !== s.cfg.certificate.name ? [`KeyVaultSecretsUser ${vault.id}/secrets/${s.cfg.previousCertificate.name}`] : []),
    ...(s.cfg.legacy.kind === 'http' && s.cfg.legacy.apiKey ? [`KeyVaultSecretsUser ${vault.id}/secrets/legacy-service-api-key`] : []),
    ...(s.cfg.passwordChangeCheck.mode === 'graph' && s.cfg.passwordChangeCheck.authentication === 'certificate'
      ? [`KeyVaultSecretsUser ${vault.id}/secrets/${GRAPH_CLIENT_CERTIFICATE.name}`]
      : []),
  ]);
  const roleByGuid = new Map<string, string>(Object.entries(BUILT_IN_ROLES).map(([name, guid]) => [guid, name]));
  const actual = new Set<string>();
  for (const ra of ofType(s, T.role)) {
    const i = ra.inputs;
    const guid = /^\/subscriptions\/([0-9a-f-]{36})\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/.exec(i.roleDefinitionId ?? '');
    if (!guid || guid[1] !== MOCK.subscriptionId) {
      v.push(`${ra.name}: roleDefinitionId must be subscription-scoped`);
      continue;
    }
    if (i.roleAssignmentName !== roleAssignmentName(i.scope, i.principalId, guid[2]!)) v.push(`${ra.name}: name must be the deterministic GUID of scope+principal+role`);
    if (/^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?$/i.test(i.scope)) v.push(`${ra.name}: scope ${i.scope} is too broad`);
    if (i.principalId === MOCK.deployerObjectId) {
      // The deployer's one assignment: Certificates Officer on the vault, to create the certificate.
      if (guid[2] !== BUILT_IN_ROLES.KeyVaultCertificatesOfficer || i.scope !== vault.id) v.push(`${ra.name}: the deployer gets only Key Vault Certificates Officer on the vault`);
      if (i.principalType !== s.cfg.deployerPrincipalType) v.push(`${ra.name}: the deployer's principalType must follow config`);
      continue;
    }
    if (i.principalId !== uami.state.principalId) v.push(`${ra.name}: unexpected principal`);
    if (i.principalType !== 'ServicePrincipal') v.push(`${ra.name}: principalType must be ServicePrincipal`);
    actual.add(`${roleByGuid.get(guid[2]!) ?? guid[2]} ${i.scope}`);
  }
  for (const e of expected) if (!actual.has(e)) v.push(`missing role assignment: ${e}`);
  for (const a of actual) if (!expected.has(a)) v.push(`unexpected (broader or extra) role assignment: ${a}`);
  const deployer = ofType(s, T.role).filter((r) => r.inputs.principalId === MOCK.deployerObjectId);
  if (deployer.length !== (s.cfg.assignDeployerCertificatesOfficer ? 1 : 0)) v.push('deployer Certificates Officer assignment must follow assignDeployerCertificatesOfficer');
  return v;
}

/** azuread: an explicit provider pinned to the External ID tenant for every resource and invoke. */
function checkExternalTenantIsolation(s: Snapshot): string[] {
  const v: string[] = [];
  const tenant = s.cfg.externalId.tenantId;
  // The one exception: the managed-identity route's home app and its federated credential live in the
  // subscription's tenant, through a provider pinned to that tenant.
  const check = s.cfg.passwordChangeCheck;
  const homeRoute = check.mode === 'graph' && check.authentication === 'managedIdentity';
  const tenantOf = (name: string) => (homeRoute && ['graph-reader-azure-tenant', 'graph-reader-home-app', 'graph-reader-managed-identity'].includes(name) ? MOCK.azureTenantId : tenant);
  const providers = new Map<string, RecordedResource>();
  for (const p of ofType(s, 'pulumi:providers:azuread')) providers.set(`urn:pulumi:${STACK}::${PROJECT}::pulumi:providers:azuread::${p.name}::${p.id}`, p);
  if (providers.size === 0) v.push('no explicit azuread provider');
  for (const p of providers.values()) if (p.inputs.tenantId !== tenantOf(p.name)) v.push(`azuread provider ${p.name}: tenantId must be the External ID tenant`);
  const pinned = (ref: string | undefined, expected: string) => {
    if (!ref) return false;
    const name = ref.split('::')[3];
    const p = [...providers.values()].find((x) => x.name === name && ref.endsWith(`::${x.id}`));
    return p !== undefined && p.inputs.tenantId === expected;
  };
  for (const r of s.resources.filter((x) => x.type.startsWith('azuread:'))) {
    if (!pinned(r.provider, tenantOf(r.name))) v.push(`${r.type} ${r.name}: must use the ${tenantOf(r.name) === tenant ? 'External ID' : "subscription tenant's"} azuread provider`);
  }
  for (const c of s.calls.filter((x) => x.token.startsWith('azuread:'))) if (!pinned(c.provider, tenant)) v.push(`invoke ${c.token}: must use the External ID azuread provider`);
  // Graph dynamic resources carry their tenant as an input.
  for (const r of s.resources.filter((x) => x.type.startsWith('pulumi-nodejs:dynamic') && 'tenantId' in x.inputs)) {
    if (r.inputs.tenantId !== tenant) v.push(`${r.name}: Graph resource must target the External ID tenant`);
  }
  if (JSON.stringify(s.resources.map((r) => r.inputs)).includes(WORKFORCE_TENANT)) v.push('the workforce ARM_TENANT_ID leaked into an input');
  return v;
}

/**
 * The password-change check's Graph reader: one app holding Microsoft Graph User.Read.All and nothing else,
 * admin-consented in the External ID tenant, signed in with the vault certificate's public half (certificate
 * route) or a federated credential for the function's identity (managed-identity route); nothing when off.
 */
function checkGraphReader(s: Snapshot): string[] {
  const v: string[] = [];
  const check = s.cfg.passwordChangeCheck;
  const graphCertificate = graphCertificateOf(s);
  if (check.mode === 'off') {
    for (const r of graphReaderResources(s)) v.push(`${r.type} ${r.name}: no Graph reader with passwordChangeCheck=off`);
    if (graphCertificate) v.push('no Graph client certificate with passwordChangeCheck=off');
    return v;
  }
  const certificateRoute = check.authentication === 'certificate';
  const apps = ofType(s, T.aadApp).filter((a) => a.name.startsWith('graph-reader'));
  if (apps.length !== 1) return [`expected one Graph reader app, found ${apps.length}`];
  const app = apps[0]!;
  const requested = (app.inputs.requiredResourceAccesses ?? []).flatMap((r: { resourceAppId: string; resourceAccesses: { id: string; type: string }[] }) =>
    r.resourceAccesses.map((a) => `${r.resourceAppId} ${a.type} ${a.id}`),
  );
  if (JSON.stringify(requested) !== JSON.stringify([`${MOCK.graphAppId} Role ${USER_READ_ALL_ROLE_ID}`])) v.push(`${app.name}: must request Microsoft Graph User.Read.All (application) and nothing else`);
  if (app.inputs.signInAudience !== (certificateRoute ? 'AzureADMyOrg' : 'AzureADMultipleOrgs')) v.push(`${app.name}: single-tenant on the certificate route, multitenant on the managed-identity route`);
  if (!String(app.inputs.displayName).startsWith('JIT password migration Graph reader')) v.push(`${app.name}: display name must say what it is`);
  const principals = ofType(s, T.aadPrincipal).filter((p) => p.inputs.clientId === app.state.clientId);
  if (principals.length !== 1) v.push(`${app.name}: needs exactly one service principal (in the External ID tenant)`);
  const consents = ofType(s, T.aadConsent).filter((c) => principals.some((p) => p.state.objectId === c.inputs.principalObjectId));
  const consented = consents.map((c) => `${c.inputs.appRoleId} on ${c.inputs.resourceObjectId}`);
  if (JSON.stringify(consented) !== JSON.stringify([`${USER_READ_ALL_ROLE_ID} on ${fakeGuid(`sp:${MOCK.graphAppId}`)}`])) v.push(`${app.name}: its principal must hold exactly User.Read.All on Microsoft Graph (admin consent), got ${consented.join(', ') || 'none'}`);
  const certificates = ofType(s, T.aadCertificate).filter((c) => c.inputs.applicationId === app.id);
  const federated = ofType(s, T.aadFederated).filter((c) => c.inputs.applicationId === app.id);
  if (s.resources.some((r) => r.type.startsWith('azuread:index/applicationPassword') || r.type.startsWith('azuread:index/servicePrincipalPassword'))) v.push('no client secret anywhere');
  if (certificateRoute) {
    const vault = single(s, T.vault);
    if (!graphCertificate) v.push('certificate route: the Graph client certificate must be generated inside Key Vault');
    else if (graphCertificate.inputs.vaultUri !== `https://${vault.inputs.vaultName}.vault.azure.net/` || graphCertificate.inputs.keySize !== 2048) v.push('the Graph client certificate: RSA 2048 in the stack vault');
    if (federated.length > 0) v.push('certificate route: no federated credential');
    if (certificates.length !== 1) v.push(`certificate route: expected one certificate credential on ${app.name}, found ${certificates.length}`);
    else {
      const c = certificates[0]!.inputs;
      const facts = graphCertificate?.state ?? {};
      if (c.type !== 'AsymmetricX509Cert' || c.encoding !== 'base64' || c.value !== facts.certificateBase64Der) v.push('the credential must be the vault certificate\'s public DER');
      const seconds = (iso: unknown) => String(iso).replace(/\.000Z$/, 'Z');
      if (c.startDate !== seconds(facts.notBefore) || c.endDate !== seconds(facts.expiresOn)) v.push('the credential\'s dates must be the certificate\'s, in whole seconds (as azuread reads them back)');
      if (c.keyId !== keyIdFor(String(facts.thumbprintHex))) v.push('the credential\'s keyId must derive from the certificate thumbprint');
    }
  } else {
    if (graphCertificate) v.push('managed-identity route: no Graph client certificate');
    if (certificates.length > 0) v.push('managed-identity route: no certificate credential');
    const expected = { audiences: [TOKEN_EXCHANGE_AUDIENCE], issuer: `https://login.microsoftonline.com/${MOCK.azureTenantId}/v2.0`, subject: single(s, T.uami).state.principalId };
    const actual = federated.map((f) => ({ audiences: f.inputs.audiences, issuer: f.inputs.issuer, subject: f.inputs.subject }));
    if (JSON.stringify(actual) !== JSON.stringify([expected])) v.push(`managed-identity route: one federated credential for the function's identity: ${JSON.stringify(expected)}`);
  }
  return v;
}

const CHECKS = {
  checkStorage,
  checkKeyVault,
  checkMonitoring,
  checkWebApp,
  checkBasicAuth,
  checkAppSettings,
  checkNoSecretsInInputs,
  checkRoleAssignments,
  checkExternalTenantIsolation,
  checkGraphReader,
};

// ---------------------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------------------

let dev: ProgramRun;
let again: ProgramRun;
let http: ProgramRun;
let rotated: ProgramRun;
let mi: ProgramRun;
let off: ProgramRun;
let devCfg: InfraConfig;
let httpCfg: InfraConfig;
let rotatedCfg: InfraConfig;
let miCfg: InfraConfig;
let offCfg: InfraConfig;
const savedTenant = process.env.ARM_TENANT_ID;

beforeAll(async () => {
  process.env.ARM_TENANT_ID = WORKFORCE_TENANT;
  devCfg = configOf();
  httpCfg = configOf(HTTP_OVERRIDES);
  rotatedCfg = configOf(ROTATION_OVERRIDES);
  miCfg = configOf(MANAGED_IDENTITY_OVERRIDES);
  offCfg = configOf(CHECK_OFF_OVERRIDES);
  dev = await runProgram();
  again = await runProgram();
  http = await runProgram({ overrides: HTTP_OVERRIDES, certificatePreviousVersion: RENEWED_FROM });
  rotated = await runProgram({ overrides: ROTATION_OVERRIDES, certificatePreviousVersion: RENEWED_FROM });
  mi = await runProgram({ overrides: MANAGED_IDENTITY_OVERRIDES });
  off = await runProgram({ overrides: CHECK_OFF_OVERRIDES });
}, 240_000);

afterAll(() => {
  if (savedTenant === undefined) delete process.env.ARM_TENANT_ID;
  else process.env.ARM_TENANT_ID = savedTenant;
});

describe('security properties, resource by resource', () => {
  for (const [name, check] of Object.entries(CHECKS)) {
    test(`${name}: dev stack complies`, () => {
      expect(check(snap(dev, devCfg, []))).toEqual([]);
    });
    test(`${name}: http legacy store, renewed certificate, private vault complies`, () => {
      expect(check(snap(http, httpCfg, [API_KEY_SENTINEL]))).toEqual([]);
    });
    test(`${name}: rotation to a new certificate name complies`, () => {
      expect(check(snap(rotated, rotatedCfg))).toEqual([]);
    });
    test(`${name}: Graph reader through the managed identity complies`, () => {
      expect(check(snap(mi, miCfg))).toEqual([]);
    });
    test(`${name}: password-change check off complies`, () => {
      expect(check(snap(off, offCfg))).toEqual([]);
    });
  }
});

type Base = 'http' | 'mi' | 'off';
const baseOf = (which: Base): Snapshot => (which === 'mi' ? snap(mi, miCfg) : which === 'off' ? snap(off, offCfg) : snap(http, httpCfg, [API_KEY_SENTINEL]));
const setting = (s: Snapshot, name: string): { name: string; value: string } => single(s, T.app).inputs.siteConfig.appSettings.find((x: { name: string }) => x.name === name);
const named = (s: Snapshot, type: string, name: string): RecordedResource => s.resources.find((r) => r.type === type && r.name === name)!;

/** [check, what is broken, mutation, base run (default http)]: each must produce at least one violation. */
const MUTATIONS: [keyof typeof CHECKS, string, (s: Snapshot) => void, Base?][] = [
  ['checkStorage', 'shared keys on', (s) => void (single(s, T.storage).inputs.allowSharedKeyAccess = true)],
  ['checkStorage', 'TLS 1.0', (s) => void (single(s, T.storage).inputs.minimumTlsVersion = 'TLS1_0')],
  ['checkStorage', 'public blobs', (s) => void (single(s, T.storage).inputs.allowBlobPublicAccess = true)],
  ['checkStorage', 'public container', (s) => void (single(s, T.container).inputs.publicAccess = 'Blob')],
  ['checkKeyVault', 'access policies', (s) => void (single(s, T.vault).inputs.properties.enableRbacAuthorization = false)],
  ['checkKeyVault', 'no purge protection', (s) => void delete single(s, T.vault).inputs.properties.enablePurgeProtection],
  ['checkKeyVault', 'soft delete 7 days', (s) => void (single(s, T.vault).inputs.properties.softDeleteRetentionInDays = 7)],
  ['checkKeyVault', 'no diagnostics', (s) => void (s.resources = s.resources.filter((r) => r.type !== T.diag))],
  ['checkKeyVault', 'metrics only', (s) => void (ofType(s, T.diag).find((d) => d.inputs.resourceUri === single(s, T.vault).id)!.inputs.logs = [])],
  ['checkKeyVault', 'public access ignores config', (s) => void (single(s, T.vault).inputs.properties.publicNetworkAccess = s.cfg.keyVaultPublicNetworkAccess === 'Enabled' ? 'Disabled' : 'Enabled')],
  ['checkKeyVault', 'External ID tenant on the vault', (s) => void (single(s, T.vault).inputs.properties.tenantId = s.cfg.externalId.tenantId)],
  ['checkMonitoring', 'App Insights local auth', (s) => void (single(s, T.insights).inputs.disableLocalAuth = false)],
  ['checkMonitoring', 'classic App Insights', (s) => void delete single(s, T.insights).inputs.workspaceResourceId],
  ['checkMonitoring', 'workspace keys', (s) => void (single(s, T.workspace).inputs.features = {})],
  ['checkWebApp', 'http allowed', (s) => void (single(s, T.app).inputs.httpsOnly = false)],
  ['checkWebApp', 'TLS 1.0', (s) => void (single(s, T.app).inputs.siteConfig.minTlsVersion = '1.0')],
  ['checkWebApp', 'FTPS allowed', (s) => void (single(s, T.app).inputs.siteConfig.ftpsState = 'FtpsOnly')],
  ['checkWebApp', 'node 20', (s) => void (single(s, T.app).inputs.functionAppConfig.runtime.version = '20')],
  ['checkWebApp', 'deployment by connection string', (s) => void (single(s, T.app).inputs.functionAppConfig.deployment.storage.authentication = { type: 'StorageAccountConnectionString', storageAccountConnectionStringName: 'DEPLOY' })],
  ['checkWebApp', 'system identity for references', (s) => void delete single(s, T.app).inputs.keyVaultReferenceIdentity],
  ['checkWebApp', 'linuxFxVersion on Flex', (s) => void (single(s, T.app).inputs.siteConfig.linuxFxVersion = 'Node|22')],
  ['checkWebApp', 'max instances ignore config', (s) => void (single(s, T.app).inputs.functionAppConfig.scaleAndConcurrency.maximumInstanceCount = 1000)],
  ['checkWebApp', 'random host name', (s) => void (single(s, T.app).inputs.autoGeneratedDomainNameLabelScope = 'TenantReuse')],
  ['checkBasicAuth', 'FTP basic auth on', (s) => void (single(s, T.ftp).inputs.allow = true)],
  ['checkBasicAuth', 'SCM policy missing', (s) => void (s.resources = s.resources.filter((r) => r.type !== T.scm))],
  ['checkAppSettings', 'FUNCTIONS_WORKER_RUNTIME', (s) => void single(s, T.app).inputs.siteConfig.appSettings.push({ name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' })],
  ['checkAppSettings', 'WEBSITE_RUN_FROM_PACKAGE', (s) => void single(s, T.app).inputs.siteConfig.appSettings.push({ name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' })],
  ['checkAppSettings', 'key-based host storage', (s) => void single(s, T.app).inputs.siteConfig.appSettings.push({ name: 'AzureWebJobsStorage', value: 'DefaultEndpointsProtocol=https;AccountKey=x' })],
  [
    'checkAppSettings',
    'a PEM key instead of a reference',
    (s) => void (single(s, T.app).inputs.siteConfig.appSettings.find((x: { name: string }) => x.name === 'DecryptionPrivateKey').value = '-----BEGIN PRIVATE KEY-----'),
  ],
  ['checkAppSettings', 'App Insights with keys only', (s) => void (single(s, T.app).inputs.siteConfig.appSettings = single(s, T.app).inputs.siteConfig.appSettings.filter((x: { name: string }) => x.name !== 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'))],
  ['checkNoSecretsInInputs', 'PEM in a tag', (s) => void (single(s, T.vault).inputs.tags = { key: '-----BEGIN PRIVATE KEY-----' })],
  ['checkNoSecretsInInputs', 'API key stored in plain text', (s) => void Object.assign(single(s, T.secret), { secretPaths: [] })],
  ['checkNoSecretsInInputs', 'secret in an app setting', (s) => void single(s, T.app).inputs.siteConfig.appSettings.push({ name: 'X', value: s.secrets[0] ?? API_KEY_SENTINEL })],
  ['checkRoleAssignments', 'resource-group scope', (s) => void (ofType(s, T.role)[0]!.inputs.scope = single(s, T.rg).id)],
  ['checkRoleAssignments', 'vault scope for the app', (s) => {
    const ra = ofType(s, T.role).find((r) => r.inputs.roleDefinitionId.endsWith(BUILT_IN_ROLES.KeyVaultSecretsUser))!;
    ra.inputs.scope = single(s, T.vault).id;
    ra.inputs.roleAssignmentName = roleAssignmentName(ra.inputs.scope, ra.inputs.principalId, BUILT_IN_ROLES.KeyVaultSecretsUser);
  }],
  ['checkRoleAssignments', 'tenant-level role definition id', (s) => void (ofType(s, T.role)[0]!.inputs.roleDefinitionId = `/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.StorageBlobDataOwner}`)],
  ['checkRoleAssignments', 'random assignment name', (s) => void (ofType(s, T.role).find((r) => r.inputs.principalType)!.inputs.roleAssignmentName = '00000000-0000-0000-0000-000000000000')],
  ['checkRoleAssignments', 'deployer typed wrongly', (s) => void (ofType(s, T.role).find((r) => r.inputs.principalId === MOCK.deployerObjectId)!.inputs.principalType = 'ServicePrincipal')],
  ['checkAppSettings', 'current key not pinned', (s) => {
    const setting = single(s, T.app).inputs.siteConfig.appSettings.find((x: { name: string }) => x.name === 'DecryptionPrivateKey');
    setting.value = setting.value.replace(/\/[0-9a-f]{32}\)$/, ')');
  }],
  ['checkAppSettings', 'previous key dropped', (s) => void (single(s, T.app).inputs.siteConfig.appSettings = single(s, T.app).inputs.siteConfig.appSettings.filter((x: { name: string }) => x.name !== 'DecryptionPrivateKeyPrevious'))],
  ['checkRoleAssignments', 'principalType omitted', (s) => void delete ofType(s, T.role).find((r) => r.inputs.principalType)!.inputs.principalType],
  ['checkRoleAssignments', 'Owner instead of Blob Data Owner', (s) => {
    const ra = ofType(s, T.role).find((r) => r.inputs.roleDefinitionId.endsWith(BUILT_IN_ROLES.StorageBlobDataOwner))!;
    const owner = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
    ra.inputs.roleDefinitionId = roleDefinitionId(MOCK.subscriptionId, owner);
    ra.inputs.roleAssignmentName = roleAssignmentName(ra.inputs.scope, ra.inputs.principalId, owner);
  }],
  ['checkExternalTenantIsolation', 'default azuread provider', (s) => void delete (s.resources.find((r) => r.type.startsWith('azuread:')) as { provider?: string }).provider],
  ['checkExternalTenantIsolation', 'provider on the workforce tenant', (s) => void (ofType(s, 'pulumi:providers:azuread')[0]!.inputs.tenantId = WORKFORCE_TENANT)],
  ['checkExternalTenantIsolation', 'invoke without provider', (s) => void s.calls.push({ token: 'azuread:index/getClientConfig:getClientConfig', inputs: {} })],
  ['checkAppSettings', 'no tenant subdomain', (s) => void (single(s, T.app).inputs.siteConfig.appSettings = single(s, T.app).inputs.siteConfig.appSettings.filter((x: { name: string }) => x.name !== 'ExternalIdTenantSubdomain'))],
  ['checkAppSettings', 'Graph client key as a PEM', (s) => void (setting(s, 'GraphClientCertificate').value = '-----BEGIN PRIVATE KEY-----')],
  ['checkAppSettings', 'Graph client key not pinned', (s) => void (setting(s, 'GraphClientCertificate').value = setting(s, 'GraphClientCertificate').value.replace(/\/[0-9a-f]{32}\)$/, ')'))],
  ['checkAppSettings', 'GraphClientId not the reader app', (s) => void (setting(s, 'GraphClientId').value = fakeGuid('another app'))],
  ['checkAppSettings', 'Graph settings with the check off', (s) => void single(s, T.app).inputs.siteConfig.appSettings.push({ name: 'GraphClientId', value: fakeGuid('x') }), 'off'],
  ['checkRoleAssignments', 'Graph client key unreadable', (s) => void (s.resources = s.resources.filter((r) => !(r.type === T.role && String(r.inputs.scope).endsWith(`/secrets/${GRAPH_CLIENT_CERTIFICATE.name}`))))],
  ['checkGraphReader', 'a second Graph permission', (s) => void named(s, T.aadApp, 'graph-reader-app').inputs.requiredResourceAccesses[0].resourceAccesses.push({ id: MOCK.receivePayloadRoleId, type: 'Role' })],
  ['checkGraphReader', 'a delegated permission instead', (s) => void (named(s, T.aadApp, 'graph-reader-app').inputs.requiredResourceAccesses[0].resourceAccesses[0].type = 'Scope')],
  ['checkGraphReader', 'Directory.Read.All consented', (s) => void (named(s, T.aadConsent, 'graph-reader-user-read-all').inputs.appRoleId = '7ab1d382-f21e-4acd-a863-ba3e13f7da61')],
  ['checkGraphReader', 'no admin consent', (s) => void (s.resources = s.resources.filter((r) => r.name !== 'graph-reader-user-read-all'))],
  ['checkGraphReader', 'multitenant app on the certificate route', (s) => void (named(s, T.aadApp, 'graph-reader-app').inputs.signInAudience = 'AzureADMultipleOrgs')],
  ['checkGraphReader', 'credential from another certificate', (s) => void (named(s, T.aadCertificate, 'graph-reader-certificate').inputs.value = Buffer.from('another').toString('base64'))],
  ['checkGraphReader', 'credential dates with milliseconds (perpetual replacement)', (s) => void (named(s, T.aadCertificate, 'graph-reader-certificate').inputs.startDate = '2026-01-01T00:00:00.000Z')],
  ['checkGraphReader', 'no vault certificate', (s) => void (s.resources = s.resources.filter((r) => r.name !== 'keys-graph-client-certificate'))],
  ['checkGraphReader', 'a client secret', (s) => void s.resources.push({ ...named(s, T.aadCertificate, 'graph-reader-certificate'), type: 'azuread:index/applicationPassword:ApplicationPassword', name: 'graph-reader-secret' })],
  ['checkGraphReader', 'federated credential for another identity', (s) => void (named(s, T.aadFederated, 'graph-reader-managed-identity').inputs.subject = fakeGuid('someone else')), 'mi'],
  ['checkGraphReader', 'federated credential for another audience', (s) => void (named(s, T.aadFederated, 'graph-reader-managed-identity').inputs.audiences = ['api://AzureADTokenExchangeUSGov']), 'mi'],
  ['checkGraphReader', 'single-tenant home app', (s) => void (named(s, T.aadApp, 'graph-reader-home-app').inputs.signInAudience = 'AzureADMyOrg'), 'mi'],
  ['checkGraphReader', 'a reader app with the check off', (s) => void s.resources.push({ ...single(s, T.uami), type: T.aadApp, name: 'graph-reader-app' }), 'off'],
  ['checkExternalTenantIsolation', 'home app through the External ID provider', (s) => void ((named(s, T.aadApp, 'graph-reader-home-app') as { provider?: string }).provider = named(s, T.aadPrincipal, 'graph-reader-app').provider), 'mi'],
  ['checkExternalTenantIsolation', 'reader principal in the subscription tenant', (s) => void ((named(s, T.aadPrincipal, 'graph-reader-app') as { provider?: string }).provider = named(s, T.aadApp, 'graph-reader-home-app').provider), 'mi'],
];

describe('each check can fail', () => {
  test.each(MUTATIONS.map(([check, what, mutate, which]) => [check, what, mutate, which ?? 'http'] as const))('%s detects: %s', (check, _what, mutate, which) => {
    const base = baseOf(which);
    const copy = clone(base);
    mutate(copy);
    expect(CHECKS[check](copy).length).toBeGreaterThan(0);
    expect(CHECKS[check](base)).toEqual([]); // the mutation, not the base, is what fails
  });
});

describe('the bundled program is the source program', () => {
  test('dist/infra/program.cjs registers the same resources with the same inputs and outputs', async () => {
    const bundled = await runProgram({ entry: 'bundle' });
    // `__provider` is the serialized dynamic-provider shim: the same code, formatted by another transpiler.
    const withoutProvider = ({ __provider, ...inputs }: Record<string, unknown>) => (expect(__provider === undefined || typeof __provider === 'string').toBe(true), inputs);
    const shape = (run: ProgramRun) =>
      run.mocks.resources.map((r) => ({ type: r.type, name: r.name, inputs: withoutProvider(r.inputs) })).sort((a, b) => `${a.type}/${a.name}`.localeCompare(`${b.type}/${b.name}`));
    expect(shape(bundled).length).toBeGreaterThan(20);
    expect(shape(bundled)).toEqual(shape(dev));
    expect(Object.keys(bundled.outputs).sort()).toEqual(Object.keys(dev.outputs).sort());
  });
});

describe('determinism: a second run with unchanged config changes nothing', () => {
  const view = (run: ProgramRun) =>
    run.mocks.resources.map((r) => ({ type: r.type, name: r.name, provider: r.provider, inputs: r.inputs })).sort((a, b) => `${a.type}/${a.name}`.localeCompare(`${b.type}/${b.name}`));

  test('same resources, names and inputs', () => {
    expect(dev.mocks.resources.length).toBeGreaterThan(20);
    expect(view(again)).toEqual(view(dev));
    expect(again.outputs).toEqual(dev.outputs);
  });

  test('a changed config does change inputs (the comparison is not vacuous)', () => {
    expect(view(http)).not.toEqual(view(dev));
  });

  test('no timestamps of the run in inputs', () => {
    const stamps = JSON.stringify(view(dev)).match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/g) ?? [];
    const nearNow = stamps.filter((t) => Math.abs(Date.parse(`${t}Z`) - Date.now()) < 2 * 86_400_000);
    expect(nearNow).toEqual([]);
  });
});

describe('rotation order within one up (docs/key-rotation.md)', () => {
  // The SDK registers a resource only once its inputs resolved: under mocks, order of registration = dependency order.
  const position = (run: ProgramRun, suffix: string) => {
    const i = run.mocks.resources.findIndex((r) => r.type.endsWith(suffix));
    expect(i).toBeGreaterThanOrEqual(0);
    return i;
  };

  test.each([
    ['the function app (new key settings)', 'the Entra key credential', ':WebApp', ':ApplicationEncryptionKey'],
    ['the Entra key credential', 'the custom extension', ':ApplicationEncryptionKey', ':CustomAuthenticationExtension'],
    ['the code deployment', 'the custom extension', ':FunctionCodeDeployment', ':CustomAuthenticationExtension'],
  ])('%s before %s', (_a, _b, first, second) => {
    for (const run of [dev, http]) expect(position(run, first)).toBeLessThan(position(run, second));
  });

  test('a renewed certificate stays listed in Entra as the previous one', () => {
    const key = (run: ProgramRun) => run.mocks.resources.find((r) => r.type.endsWith(':ApplicationEncryptionKey'))!;
    const cert = certificateOf(snap(http, httpCfg));
    expect(key(http).inputs.previousCertificate).toEqual({
      base64Der: cert.state.previousCertificateBase64Der,
      notBefore: cert.state.previousNotBefore,
      expiresOn: cert.state.previousExpiresOn,
      thumbprintHex: cert.state.previousThumbprintHex,
    });
    expect(key(http).inputs.certificate.thumbprintHex).toBe(cert.state.thumbprintHex);
    expect(key(dev).inputs.previousCertificate).toBeUndefined();
  });
});

describe('stack outputs', () => {
  test('all present', () => {
    for (const key of ['functionUrl', 'extensionAppId', 'identifierUri', 'customExtensionId', 'listenerId', 'migrationPropertyFullName', 'keyVaultName', 'certificateThumbprint', 'certificateExpiresOn', 'testSignInUrl', 'graphReaderAppId']) {
      expect(Object.keys(dev.outputs)).toContain(key);
    }
    const app = single(snap(dev, devCfg), T.app);
    expect(dev.outputs.functionUrl).toBe(`https://${app.inputs.name}.azurewebsites.net${FUNCTION_ROUTE}`);
    expect(dev.outputs.keyVaultName).toBe(single(snap(dev, devCfg), T.vault).inputs.vaultName);
    expect(dev.outputs.identifierUri).toBe(`api://${app.inputs.name}.azurewebsites.net/${dev.outputs.extensionAppId}`);
    for (const key of ['extensionAppId', 'customExtensionId', 'listenerId', 'migrationPropertyFullName', 'certificateThumbprint', 'certificateExpiresOn']) {
      expect(typeof dev.outputs[key]).toBe('string');
    }
    expect(String(dev.outputs.migrationPropertyFullName)).toMatch(new RegExp(`^extension_[0-9a-f]{32}_${devCfg.externalId.migrationPropertyName}$`));
  });

  test('test sign-in URL only with the test client', () => {
    expect(devCfg.externalId.createTestClient).toBe(true);
    expect(String(dev.outputs.testSignInUrl)).toMatch(/^https:\/\//);
    expect(http.outputs.testSignInUrl ?? undefined).toBeUndefined();
  });
});

describe('Pulumi.yaml and Pulumi.dev.yaml', () => {
  const project = readYaml('Pulumi.yaml');
  const stack = readYaml(`Pulumi.${STACK}.yaml`);

  test('project: nodejs, main infra/main.cjs (builds and loads the bundled program; no ts-node)', () => {
    expect(project.name).toBe(PROJECT);
    expect(project.runtime).toEqual({ name: 'nodejs', options: { typescript: false } });
    expect(project.main).toBe('infra/main.cjs');
  });

  test('the config schema mirrors CONFIG_SCHEMA: every key, type, secret flag, default, description', () => {
    expect(Object.keys(project.config).sort()).toEqual(Object.keys(CONFIG_SCHEMA).sort());
    for (const [key, schema] of Object.entries(CONFIG_SCHEMA) as [ConfigKey, { type: string; description: string; default?: unknown }][]) {
      const declared = project.config[key];
      expect({ key, type: declared.type, secret: declared.secret, default: declared.default, description: declared.description }).toEqual({
        key,
        type: schema.type,
        secret: undefined,
        default: schema.default,
        description: schema.description,
      });
      if (schema.type === 'array') expect(declared.items).toEqual({ type: 'string' });
    }
  });

  test('the dev stack sets only declared keys, with values of the declared type, and is valid', () => {
    for (const [fullKey, value] of Object.entries<unknown>(stack.config)) {
      const [ns, key] = fullKey.split(':') as [string, ConfigKey];
      if (ns === 'azure-native') continue;
      expect(ns).toBe(PROJECT);
      const schema = CONFIG_SCHEMA[key];
      expect(schema).toBeDefined();
      const type = Array.isArray(value) ? 'array' : typeof value === 'number' ? 'integer' : typeof value;
      expect({ key, type }).toEqual({ key, type: schema.type });
    }
    expect(stack.config['azure-native:location']).toBeTruthy();
    expect(() => configOf()).not.toThrow();
  });
});

describe('config validation', () => {
  const problems = (overrides: Record<string, string | undefined>): string[] => {
    try {
      configOf(overrides);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return [...(error as ConfigError).problems];
    }
  };
  const key = (k: ConfigKey) => `${PROJECT}:${k}`;

  test('the dev stack parses into a frozen object', () => {
    expect(Object.isFrozen(devCfg)).toBe(true);
    expect(Object.isFrozen(devCfg.externalId.clientAppIds)).toBe(true);
    expect(devCfg.externalId).toMatchObject({ tenantId: '00000000-0000-0000-0000-000000000001', graphBaseUrl: 'https://graph.microsoft.com', migrationPropertyName: 'requiresMigration', timeoutInMilliseconds: 2000, maximumRetries: 1 });
    expect(devCfg.tags).toMatchObject({ owner: 'identity-team', environment: 'dev', 'managed-by': 'pulumi' });
  });

  test.each([
    ['externalIdTenantId', 'not-a-guid', /externalIdTenantId .*GUID/],
    ['externalIdTenantId', undefined, /externalIdTenantId is not set/],
    ['externalIdTenantDomain', 'contoso.onmicrosoft.com', /only the subdomain/],
    ['customExtensionTimeoutMs', '100', /from 200 to 2000/],
    ['customExtensionTimeoutMs', '2001', /from 200 to 2000/],
    ['customExtensionMaximumRetries', '2', /from 0 to 1/],
    ['clientAppIds', '["nope"]', /entry 0 'nope' is not a GUID/],
    ['clientAppIds', 'nope', /list of strings/],
    ['prefix', 'Bad_Prefix', /lower-case/],
    ['environment', 'production1', /1-8 lower-case/],
    ['graphBaseUrl', 'http://graph.microsoft.com', /https/],
    ['graphBaseUrl', 'https://graph.microsoft.com/v1.0', /origin without a path/],
    ['certificateKeySize', '3072', /one of 2048, 4096/],
    ['certificateRenewDaysBeforeExpiry', '400', /from 1 to 324/],
    ['instanceMemoryMB', '1024', /one of 512, 2048, 4096/],
    ['maximumInstanceCount', '0', /from 1 to 1000/],
    ['alwaysReadyInstances', '50', /exceeds maximumInstanceCount/],
    ['keyVaultPublicNetworkAccess', 'sometimes', /one of Enabled, Disabled/],
    ['legacyStore', 'ldap', /one of table, http/],
    ['legacyTableName', '1bad', /Azure Table naming/],
    ['previousCertificateName', 'jit-password-decryption', /pin the old version/],
    ['previousCertificateVersion', 'v1', /32-hex/],
    ['createTestClient', 'yes', /true or false/],
    ['migrationPropertyName', 'requires_migration', /letters and digits/],
    ['passwordChangeCheck', 'sometimes', /passwordChangeCheck is 'sometimes': set it to one of graph, off/],
    ['graphAuthentication', 'secret', /graphAuthentication is 'secret': set it to one of certificate, managedIdentity/],
    ['certificateName', 'jit-graph-client', /certificateName is 'jit-graph-client', the Key Vault name of the Graph client certificate: choose another name/],
    ['graphApiVersion', 'v2', /graphApiVersion is 'v2': set it to one of v1.0, beta/],
    ['resourceLocks', 'yes', /resourceLocks is 'yes': set it to true or false/],
    ['operatorPrincipalId', 'me@contoso.com', /operatorPrincipalId is 'me@contoso.com': set it to the operator's object id \(a GUID\)/],
    ['operatorPrincipalType', 'Application', /operatorPrincipalType is 'Application': set it to one of User, Group, ServicePrincipal/],
  ] as [ConfigKey, string | undefined, RegExp][])('%s = %s is rejected with a fix', (k, value, message) => {
    const found = problems({ [key(k)]: value });
    expect(found.join('\n')).toMatch(message);
    expect(found.join('\n')).toContain(`${PROJECT}:`);
  });

  test.each([
    ['clientAppId', 'clientAppIds'],
    ['customExtensionTimeoutMS', 'customExtensionTimeoutMs'],
    ['legacyServiceApikey', 'legacyServiceApiKey'],
  ])('a misspelt key (%s) is refused, naming the real key (%s)', (misspelt, real) => {
    const found = problems({ [`${PROJECT}:${misspelt}`]: '1' }).join('\n');
    expect(found).toContain(`${PROJECT}:${misspelt} is not a setting of this project: did you mean ${real}?`);
    expect(found).toContain(`pulumi config rm ${misspelt}`);
  });

  test('an unknown key with no near match is refused too; other namespaces are left alone', () => {
    expect(problems({ [`${PROJECT}:somethingElseEntirely`]: 'x' }).join('\n')).toMatch(/somethingElseEntirely is not a setting of this project Remove it/);
    expect(problems({ 'azuread:tenantId': 'x', 'azure-native:subscriptionId': 'y' })).toEqual([]);
  });

  test.each([
    ['francesouth', /'francesouth', a region without the Flex Consumption plan.*checkFlexConsumptionRegion to false/],
    ['westeruope', /'westeruope', which is not an Azure region: did you mean westeurope\?/],
    ['moon-base-1', /'moon-base-1', which is not an Azure region/],
  ])('azure-native:location %s is refused', (location, message) => {
    expect(problems({ 'azure-native:location': location }).join('\n')).toMatch(message);
  });

  test('a region is accepted in display form, and a newer Flex region through checkFlexConsumptionRegion', () => {
    expect(configOf({ 'azure-native:location': 'West Europe' }).location).toBe('West Europe');
    expect(problems({ 'azure-native:location': 'francesouth', [key('checkFlexConsumptionRegion')]: 'false' })).toEqual([]);
    expect(problems({ 'azure-native:location': 'usgovvirginia', [key('graphBaseUrl')]: 'https://graph.microsoft.us' })).toEqual([]);
  });

  test('the function deadline (CalloutBudgetMs) is derived from the extension timeout, and too short a timeout is refused', () => {
    expect(devCfg.hosting.calloutBudgetMs).toBe(2000 - CALLOUT_NETWORK_MARGIN_MS);
    expect(configOf({ [key('customExtensionTimeoutMs')]: '1200' }).hosting.calloutBudgetMs).toBe(1200 - CALLOUT_NETWORK_MARGIN_MS);
    expect(problems({ [key('customExtensionTimeoutMs')]: '600' }).join('\n')).toMatch(/customExtensionTimeoutMs is 600: Entra would give up before the function could answer.*set it to 700-2000/);
    expect(settingsOf(single(snap(dev, devCfg), T.app)).get('CalloutBudgetMs')).toBe(String(2000 - CALLOUT_NETWORK_MARGIN_MS));
  });

  test.each([
    ['dev', () => snap(dev, devCfg)],
    ['http', () => snap(http, httpCfg)],
    ['managed identity', () => snap(mi, miCfg)],
    ['check off', () => snap(off, offCfg)],
  ])('the app settings of the %s stack load in the function without a problem, and each one is read', (_name, snapshot) => {
    const written = settingsOf(single(snapshot(), T.app));
    // In Azure the platform resolves a Key Vault reference before the app reads it.
    const env: Record<string, string> = {};
    for (const [name, value] of written) env[name] = /^@Microsoft\.KeyVault\(/.test(value) ? `resolved:${name}` : value;
    const read = new Set<string>();
    const recording = new Proxy(env, { get: (target, name) => (typeof name === 'string' && read.add(name), target[name as string]) });
    const result = loadSettings(recording);
    expect(result.ok ? [] : result.problems).toEqual([]);
    const platform = /^(AzureWebJobsStorage__|APPLICATIONINSIGHTS_|FUNCTIONS_|WEBSITE_)/;
    expect([...written.keys()].filter((name) => !platform.test(name) && !read.has(name))).toEqual([]);
  });

  test('stateStoreFailClosed reaches the app setting StateStoreFailClosed (off by default)', () => {
    expect(devCfg.stateStoreFailClosed).toBe(false);
    expect(settingsOf(single(snap(dev, devCfg), T.app)).get('StateStoreFailClosed')).toBe('false');
    expect(configOf({ [key('stateStoreFailClosed')]: 'true' }).stateStoreFailClosed).toBe(true);
    expect(problems({ [key('stateStoreFailClosed')]: 'sometimes' }).join('\n')).toMatch(/stateStoreFailClosed is 'sometimes': set it to true or false/);
  });

  test.each([
    ['https://svc:hunter2@legacy.example.com/verify', /user name or password/],
    ['https://legacy.example.com/verify?apikey=abc123', /credential in its query \(apikey\)/],
    ['https://legacy.example.com/api/verify?code=abc123&x=1', /credential in its query \(code\)/],
  ])('a legacy service URL carrying a credential is refused without echoing it: %s', (url, message) => {
    const found = problems({ [key('legacyStore')]: 'http', [key('legacyServiceUrl')]: url }).join('\n');
    expect(found).toMatch(message);
    expect(found).toMatch(/pulumi config set --secret legacyServiceApiKey/);
    expect(found).not.toMatch(/hunter2|abc123/);
  });

  test('createTestClient outside dev is accepted with a warning printed at preview', () => {
    expect(configOf({ [key('environment')]: 'prod' }).warnings.join('\n')).toMatch(/createTestClient is true in environment 'prod'.*pulumi config set createTestClient false/);
    expect(devCfg.warnings).toEqual([]);
    expect(configOf({ [key('environment')]: 'prod', [key('createTestClient')]: 'false' }).warnings).toEqual([]);
  });

  test('graphBaseUrl is checked with the config, before any resource: only Microsoft Graph endpoints', () => {
    expect(problems({ [key('graphBaseUrl')]: 'https://graph.example.com' }).join('\n')).toMatch(/graphBaseUrl is 'https:\/\/graph.example.com': is not a Microsoft Graph endpoint: use one of https:\/\/graph.microsoft.com/);
  });

  test('a duplicate client app id is named', () => {
    const id = '00000000-0000-0000-0000-00000000c001';
    expect(problems({ [key('clientAppIds')]: JSON.stringify([id, id.toUpperCase()]) }).join('\n')).toContain(`clientAppIds lists ${id} more than once`);
  });

  test('a private Key Vault is refused in public network mode, saying why and pointing at networkMode private', () => {
    expect(problems({ [key('keyVaultPublicNetworkAccess')]: 'Disabled' }).join('\n')).toMatch(
      /keyVaultPublicNetworkAccess is Disabled while networkMode=public, which has no private endpoint.*or set networkMode private/,
    );
    // networkMode private closes the vault itself: the same setting is accepted there.
    const privateMode = { [key('networkMode')]: 'private', [key('deployerInPrivateNetwork')]: 'true' };
    expect(problems({ ...privateMode, [key('keyVaultPublicNetworkAccess')]: 'Disabled' })).toEqual([]);
    expect(configOf(privateMode).keyVaultPublicNetworkAccess).toBe('Disabled');
  });

  test('the External ID tenant must not be the subscription\'s tenant', () => {
    expect(() => checkDistinctTenants(devCfg, devCfg.externalId.tenantId.toUpperCase())).toThrow(/externalIdTenantId is 0+-0+-0+-0+-0+1, the tenant of the Azure subscription/);
    expect(() => checkDistinctTenants(devCfg, MOCK.azureTenantId)).not.toThrow();
  });

  test('every problem is reported at once', () => {
    const found = problems({ [key('externalIdTenantId')]: 'x', [key('customExtensionTimeoutMs')]: '5', [key('customExtensionMaximumRetries')]: '3', 'azure-native:location': undefined });
    expect(found).toHaveLength(4);
    expect(found.join('\n')).toMatch(/azure-native:location is not set/);
  });

  test('legacy web service: URL required, API key kept secret and never echoed', () => {
    expect(problems({ [key('legacyStore')]: 'http' }).join('\n')).toMatch(/legacyServiceUrl is not set/);
    expect(problems({ [key('legacyStore')]: 'http', [key('legacyServiceUrl')]: 'ftp://legacy' }).join('\n')).toMatch(/https/);
    const withKeyOnTable = problems({ [key('legacyServiceApiKey')]: API_KEY_SENTINEL });
    expect(withKeyOnTable.join('\n')).toMatch(/legacyServiceApiKey is set while legacyStore=table/);
    expect(withKeyOnTable.join('\n')).not.toContain(API_KEY_SENTINEL);
    expect(httpCfg.legacy.kind).toBe('http');
    const apiKey = httpCfg.legacy.kind === 'http' ? httpCfg.legacy.apiKey : undefined;
    expect(apiKey && pulumi.Output.isInstance(apiKey)).toBe(true);
    return expect(pulumi.isSecret(apiKey as pulumi.Output<string>)).resolves.toBe(true);
  });

  test('createTestClient is off unless the stack sets it (the committed dev stack does)', () => {
    expect(devCfg.externalId.createTestClient).toBe(true);
    expect(configOf({ [key('createTestClient')]: undefined }).externalId.createTestClient).toBe(false);
    expect(configOf({ [key('createTestClient')]: undefined, [key('environment')]: 'prod' }).externalId.createTestClient).toBe(false);
  });

  test('the operator gets the legacy table only: refused without one, lower-cased, typed as configured', () => {
    const operator = 'AB12CD34-0000-4000-8000-00000000E001';
    expect(problems({ [key('operatorPrincipalId')]: operator, ...HTTP_OVERRIDES }).join('\n')).toMatch(/operatorPrincipalId is set while legacyStore=http: there is no legacy table/);
    expect(configOf({ [key('operatorPrincipalId')]: operator }).operator).toEqual({ principalId: operator.toLowerCase(), principalType: 'User' });
    expect(configOf({ [key('operatorPrincipalId')]: operator, [key('operatorPrincipalType')]: 'servicePrincipal' }).operator?.principalType).toBe('ServicePrincipal');
    expect(devCfg.operator).toBeUndefined();
  });

  test('JIT objects through Graph v1.0 and resource locks on, unless set otherwise', () => {
    expect(configOf({ [key('graphApiVersion')]: undefined, [key('resourceLocks')]: undefined })).toMatchObject({ graphApiVersion: 'v1.0', resourceLocks: true });
    expect(configOf({ [key('graphApiVersion')]: 'BETA', [key('resourceLocks')]: 'false' })).toMatchObject({ graphApiVersion: 'beta', resourceLocks: false });
  });

  test('a listener with no application is rejected', () => {
    expect(problems({ [key('clientAppIds')]: '[]', [key('createTestClient')]: 'false' }).join('\n')).toMatch(/no application/);
  });

  test('password-change check: graph through a Key Vault certificate by default, its validity and renewal the decryption certificate\'s', () => {
    const defaults = configOf({ [key('passwordChangeCheck')]: undefined, [key('graphAuthentication')]: undefined, [key('certificateValidityMonths')]: '24', [key('certificateRenewDaysBeforeExpiry')]: '45' });
    expect(defaults.passwordChangeCheck).toEqual({
      mode: 'graph',
      authentication: 'certificate',
      certificate: { name: 'jit-graph-client', subject: 'CN=JitMigrationGraphReader', keySize: 2048, validityInMonths: 24, renewDaysBeforeExpiry: 45 },
    });
    expect(miCfg.passwordChangeCheck).toEqual({ mode: 'graph', authentication: 'managedIdentity' });
    expect(configOf({ [key('passwordChangeCheck')]: 'OFF' }).passwordChangeCheck).toEqual({ mode: 'off' });
    // Without the reader certificate its name is free.
    expect(configOf({ ...CHECK_OFF_OVERRIDES, [key('certificateName')]: 'jit-graph-client' }).certificate.name).toBe('jit-graph-client');
  });

  test('the managed-identity route is refused outside the global cloud, with the alternative', () => {
    expect(problems({ ...MANAGED_IDENTITY_OVERRIDES, [key('graphBaseUrl')]: 'https://graph.microsoft.us' }).join('\n')).toMatch(/graphAuthentication is managedIdentity while graphBaseUrl is https:\/\/graph.microsoft.us: .*global cloud only; use certificate/);
    expect(problems({ [key('graphBaseUrl')]: 'https://graph.microsoft.us' })).toEqual([]);
  });

  test('rotation override: previousCertificateVersion alone pins the current name', () => {
    expect(configOf({ [key('previousCertificateVersion')]: RENEWED_FROM }).previousCertificate).toEqual({ name: devCfg.certificate.name, version: RENEWED_FROM });
    expect(rotatedCfg.previousCertificate).toEqual({ name: 'jit-password-decryption', version: '0123456789abcdef0123456789abcdef' });
    expect(devCfg.previousCertificate).toBeUndefined();
  });
});

describe('password-change check (Graph reader)', () => {
  const names = (run: ProgramRun, cfg: InfraConfig) => graphReaderResources(snap(run, cfg)).map((r) => `${r.type} ${r.name}`).sort();

  test('certificate route: stable names, the same on a second run', () => {
    expect(names(dev, devCfg)).toEqual(
      [
        'azure-native:authorization:RoleAssignment hosting-secrets-user-jit-graph-client',
        'azuread:index/appRoleAssignment:AppRoleAssignment graph-reader-user-read-all',
        'azuread:index/application:Application graph-reader-app',
        'azuread:index/applicationCertificate:ApplicationCertificate graph-reader-certificate',
        'azuread:index/servicePrincipal:ServicePrincipal graph-reader-app',
        'jitmigration:entra:GraphReader graph-reader',
        'pulumi-nodejs:dynamic/azure:KeyVaultCertificate keys-graph-client-certificate',
      ].sort(),
    );
    expect(names(again, devCfg)).toEqual(names(dev, devCfg));
    expect(graphCertificateOf(snap(dev, devCfg))?.inputs).toMatchObject({ certificateName: 'jit-graph-client', subject: 'CN=JitMigrationGraphReader', keySize: 2048, validityInMonths: 12, renewDaysBeforeExpiry: 30 });
  });

  test('managed-identity route: a home app with a federated credential, no certificate, no secret to read', () => {
    expect(names(mi, miCfg)).toEqual(
      [
        'azuread:index/appRoleAssignment:AppRoleAssignment graph-reader-user-read-all',
        'azuread:index/application:Application graph-reader-home-app',
        'azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential graph-reader-managed-identity',
        'azuread:index/servicePrincipal:ServicePrincipal graph-reader-app',
        'jitmigration:entra:GraphReader graph-reader',
        'pulumi:providers:azuread graph-reader-azure-tenant',
      ].sort(),
    );
    expect(settingsOf(single(snap(mi, miCfg), T.app)).has('GraphClientCertificate')).toBe(false);
  });

  test('the stack output is the GraphClientId the function gets', () => {
    for (const [run, cfg] of [[dev, devCfg], [mi, miCfg]] as const) {
      expect(run.outputs.graphReaderAppId).toMatch(/^[0-9a-f-]{36}$/);
      expect(settingsOf(single(snap(run, cfg), T.app)).get('GraphClientId')).toBe(run.outputs.graphReaderAppId);
    }
  });

  test('off: nothing of the reader, PasswordChangeCheck=off and the subdomain only', () => {
    expect(names(off, offCfg)).toEqual([]);
    expect(off.outputs.graphReaderAppId ?? undefined).toBeUndefined();
    const settings = settingsOf(single(snap(off, offCfg), T.app));
    expect(settings.get('PasswordChangeCheck')).toBe('off');
    expect(settings.get('ExternalIdTenantSubdomain')).toBe('contosodev');
    expect([...settings.keys()].filter((name) => name.startsWith('Graph'))).toEqual([]);
    expect(vaultCertificates(snap(off, offCfg))).toHaveLength(1);
  });

  test('ExternalIdTenantSubdomain follows externalIdTenantDomain', () => {
    expect(settingsOf(single(snap(dev, devCfg), T.app)).get('ExternalIdTenantSubdomain')).toBe('contosodev');
    expect(settingsOf(single(snap(mi, miCfg), T.app)).get('ExternalIdTenantSubdomain')).toBe('fabrikam-ciam');
  });
});

describe('naming', () => {
  const base = { prefix: 'jitmig', environment: 'dev', stack: 'dev', subscriptionId: MOCK.subscriptionId };

  test('deterministic, and every name is within Azure rules', () => {
    const a = resourceNames(base);
    expect(resourceNames({ ...base })).toEqual(a);
    expect(a.storageAccount).toMatch(NAME_RULES.storageAccount.pattern);
    expect(a.keyVault).toMatch(NAME_RULES.keyVault.pattern);
    expect(a.functionApp).toMatch(NAME_RULES.functionApp.pattern);
    expect(a.functionHostName).toBe(`${a.functionApp}.azurewebsites.net`);
    expect(a.scmHostName).toBe(`${a.functionApp}.scm.azurewebsites.net`);
  });

  test('the unique suffix depends on subscription, stack and seed only', () => {
    const a = resourceNames(base);
    expect(resourceNames({ ...base, subscriptionId: '22222222-2222-3333-4444-555555555555' }).storageAccount).not.toBe(a.storageAccount);
    expect(resourceNames({ ...base, stack: 'dev2' }).keyVault).not.toBe(a.keyVault);
    expect(resourceNames({ ...base, nameSeed: '2' }).functionApp).not.toBe(a.functionApp);
    expect(stableSuffix(['A', 'b'])).toBe(stableSuffix(['a', 'B']));
  });

  test('the longest allowed prefix and environment still give valid names', () => {
    const n = resourceNames({ ...base, prefix: 'abcdefgh-j', environment: 'abcdefgh' });
    expect(n.storageAccount.length).toBeLessThanOrEqual(24);
    expect(n.keyVault).toMatch(NAME_RULES.keyVault.pattern);
    expect(n.functionApp).toMatch(NAME_RULES.functionApp.pattern);
  });

  test('two stacks with the same environment never share a name; a stack named after its environment keeps the plain names', () => {
    const devNames = resourceNames(base);
    expect(devNames.resourceGroup).toBe('rg-jitmig-dev');
    expect(devNames.userAssignedIdentity).toBe('id-jitmig-dev');
    for (const other of ['dev2', 'Feature_Branch.1']) {
      const copy = resourceNames({ ...base, stack: other });
      for (const name of Object.keys(devNames) as (keyof typeof devNames)[]) {
        if (name === 'suffix') continue;
        expect({ name, value: copy[name] }).not.toEqual({ name, value: devNames[name] });
      }
    }
    expect(resourceNames({ ...base, stack: 'dev2' }).resourceGroup).toBe('rg-jitmig-dev-dev2');
    expect(resourceNames({ ...base, stack: 'Feature_Branch.1' }).resourceGroup).toMatch(/^rg-jitmig-dev-s[0-9a-z]{6}$/);
  });

  test('the program uses these names', () => {
    const expected = resourceNames({ prefix: devCfg.prefix, environment: devCfg.environment, stack: STACK, subscriptionId: MOCK.subscriptionId, nameSeed: devCfg.nameSeed });
    const s = snap(dev, devCfg);
    expect(single(s, T.storage).inputs.accountName).toBe(expected.storageAccount);
    expect(single(s, T.vault).inputs.vaultName).toBe(expected.keyVault);
    expect(single(s, T.app).inputs.name).toBe(expected.functionApp);
    expect(single(s, T.rg).inputs.resourceGroupName).toBe(expected.resourceGroup);
  });
});

describe('roles', () => {
  test('uuidV5 matches RFC 4122 (Python uuid.uuid5(NAMESPACE_DNS, "python.org"))', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  test('assignment names are stable and case-insensitive in the ARM id', () => {
    const a = roleAssignmentName('/subscriptions/X/resourceGroups/RG', 'P', BUILT_IN_ROLES.KeyVaultSecretsUser);
    expect(roleAssignmentName('/subscriptions/x/resourcegroups/rg', 'p', BUILT_IN_ROLES.KeyVaultSecretsUser)).toBe(a);
    expect(roleAssignmentName('/subscriptions/x/resourcegroups/rg2', 'p', BUILT_IN_ROLES.KeyVaultSecretsUser)).not.toBe(a);
  });

  test('role definition ids are subscription-scoped', () => {
    expect(roleDefinitionId(MOCK.subscriptionId, BUILT_IN_ROLES.StorageBlobDataOwner)).toBe(
      `/subscriptions/${MOCK.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/b7e6dc6d-f1e8-4753-8033-0f276bb0955b`,
    );
    expect(() => roleDefinitionId('sub', BUILT_IN_ROLES.StorageBlobDataOwner)).toThrow(/not a GUID/);
  });

  test('Key Vault references only for secret URIs', () => {
    expect(keyVaultReference('https://kv.vault.azure.net/secrets/a-b')).toBe('@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/a-b)');
    expect(() => keyVaultReference('-----BEGIN PRIVATE KEY-----')).toThrow(/not a Key Vault secret URI/);
  });
});
