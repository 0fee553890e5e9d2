/**
 * Composition root: config -> components -> stack outputs. No resource logic lives here.
 * Order avoids cycles: the function's host name is fixed by naming before anything exists, so the Entra
 * apps (whose identifier URI embeds it) come before the function app, which takes their ids as settings;
 * the JIT policies come last and point at the deployed function. The Graph reader (password-change check)
 * sits between the Entra apps, whose tenant provider it uses, and the function app, which takes its client id.
 */
import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as resources from '@pulumi/azure-native/resources';
import { FunctionHosting } from './components/functionHosting';
import { EntraApplications } from './components/entraApplications';
import { GraphReader } from './components/graphReader';
import { JitPolicies } from './components/jitPolicies';
import { KeyMaterial } from './components/keyMaterial';
import { Monitoring } from './components/monitoring';
import { checkDistinctTenants, loadConfig } from './config';
import { lockAgainstDeletion } from './locks';
import { resourceGroupName, resourceNames } from './naming';

const cfg = loadConfig();
for (const warning of cfg.warnings) void pulumi.log.warn(warning);
const check = cfg.passwordChangeCheck;
const azure = authorization.getClientConfigOutput();
// Every subscription-dependent name waits for the tenant check, so a wrong tenant id fails the preview.
const names = pulumi.all([azure.subscriptionId, azure.tenantId]).apply(([subscriptionId, azureTenantId]) => {
  checkDistinctTenants(cfg, azureTenantId);
  return resourceNames({ prefix: cfg.prefix, environment: cfg.environment, stack: cfg.stack, subscriptionId, nameSeed: cfg.nameSeed });
});
const tags = cfg.tags;

// The container of everything below; its name needs no subscription id, so it is known at preview.
const group = new resources.ResourceGroup('resource-group', {
  resourceGroupName: resourceGroupName(cfg.prefix, cfg.environment, cfg.stack),
  location: cfg.location,
  tags,
});
const rg = { resourceGroupName: group.name, location: cfg.location, tags };

const monitoring = new Monitoring('monitoring', {
  ...rg,
  workspaceName: names.logAnalyticsWorkspace,
  appInsightsName: names.applicationInsights,
  retentionInDays: cfg.logRetentionDays,
});

const keys = new KeyMaterial('keys', {
  ...rg,
  vaultName: names.keyVault,
  azureTenantId: azure.tenantId,
  subscriptionId: azure.subscriptionId,
  publicNetworkAccess: cfg.keyVaultPublicNetworkAccess,
  logAnalyticsWorkspaceId: monitoring.workspaceId,
  certificate: cfg.certificate,
  previousCertificate: cfg.previousCertificate,
  legacyServiceApiKey: cfg.legacy.kind === 'http' ? cfg.legacy.apiKey : undefined,
  deployer: cfg.assignDeployerCertificatesOfficer ? { objectId: azure.objectId, principalType: cfg.deployerPrincipalType } : undefined,
  graphClientCertificate: check.mode === 'graph' && check.authentication === 'certificate' ? check.certificate : undefined,
});

// The function must hold a new key before Entra encrypts to it (docs/key-rotation.md "Order within one up"),
// so Entra's key credential waits for the function app. The app is built after the Entra apps (it takes the
// extension app id), so the app is handed over through a promise, resolved once it exists.
let functionAppBuilt!: (appId: pulumi.Output<string>) => void;
const functionApp = pulumi.output(new Promise<pulumi.Output<string>>((resolve) => (functionAppBuilt = resolve)));
const afterFunctionApp = <T>(value: pulumi.Input<T>): pulumi.Output<T> => pulumi.all([value, functionApp]).apply(([v]) => v as T);

const entra = new EntraApplications('entra', {
  tenantId: cfg.externalId.tenantId,
  tenantDomain: cfg.externalId.tenantDomain,
  graphBaseUrl: cfg.externalId.graphBaseUrl,
  functionHostName: names.functionHostName,
  encryptionCertificate: {
    base64Der: afterFunctionApp(keys.encryptionCertificate.base64Der),
    notBefore: afterFunctionApp(keys.encryptionCertificate.notBefore),
    expiresOn: afterFunctionApp(keys.encryptionCertificate.expiresOn),
    thumbprintHex: afterFunctionApp(keys.encryptionCertificate.thumbprintHex),
  },
  // Undefined until the certificate has a previous version; then Entra keeps it listed during rotation.
  previousEncryptionCertificate: keys.previousEncryptionCertificate,
  createTestClient: cfg.externalId.createTestClient,
});

// The managed-identity route's federated credential names the function's identity, which FunctionHosting
// creates after it has taken the reader's client id: handed over through a promise, like the app above.
let functionIdentityBuilt!: (principalId: pulumi.Output<string>) => void;
const functionPrincipalId = pulumi.output(new Promise<pulumi.Output<string>>((resolve) => (functionIdentityBuilt = resolve)));

const graphReader =
  check.mode === 'off'
    ? undefined
    : new GraphReader(
        'graph-reader',
        check.authentication === 'certificate'
          ? { authentication: 'certificate', externalIdProvider: entra.provider, graphBaseUrl: cfg.externalId.graphBaseUrl, certificate: keys.graphClientCertificate }
          : { authentication: 'managedIdentity', externalIdProvider: entra.provider, graphBaseUrl: cfg.externalId.graphBaseUrl, azureTenantId: azure.tenantId, functionPrincipalId },
      );

const hosting = new FunctionHosting('hosting', {
  ...rg,
  subscriptionId: azure.subscriptionId,
  names: {
    userAssignedIdentity: names.userAssignedIdentity,
    storageAccount: names.storageAccount,
    deploymentContainer: names.deploymentContainer,
    appServicePlan: names.appServicePlan,
    functionApp: names.functionApp,
    functionHostName: names.functionHostName,
    scmHostName: names.scmHostName,
  },
  monitoring: { appInsightsId: monitoring.appInsightsId, connectionString: monitoring.appInsightsConnectionString },
  secrets: [...keys.appSecrets, ...(graphReader?.appSecrets ?? [])],
  externalIdTenantId: cfg.externalId.tenantId,
  externalIdTenantSubdomain: entra.tenantSubdomain,
  passwordChangeCheck: graphReader?.settings ?? { mode: 'off' },
  extensionAppId: entra.extensionAppId,
  extensionAppIdentifierUri: entra.identifierUri,
  legacy: cfg.legacy.kind === 'table' ? cfg.legacy : { kind: 'http', serviceUrl: cfg.legacy.serviceUrl },
  stateTableName: cfg.stateTableName,
  stateStoreFailClosed: cfg.stateStoreFailClosed,
  logAnalyticsWorkspaceId: monitoring.workspaceId,
  operator: cfg.operator,
  scale: cfg.hosting,
  calloutBudgetMs: cfg.hosting.calloutBudgetMs,
});
functionAppBuilt(hosting.app.id);
functionIdentityBuilt(hosting.identity.principalId);

const jit = new JitPolicies(
  'jit',
  {
    tenantId: cfg.externalId.tenantId,
    graphBaseUrl: cfg.externalId.graphBaseUrl,
    functionUrl: hosting.functionUrl,
    // The extension goes live only once Entra has our encryption key.
    identifierUri: pulumi.all([entra.identifierUri, entra.tokenEncryptionKeyId]).apply(([uri]) => uri),
    clientAppIds: entra.testClientAppId.apply((testClient) => [...cfg.externalId.clientAppIds, ...(testClient ? [testClient] : [])]),
    migrationPropertyName: cfg.externalId.migrationPropertyName,
    timeoutInMilliseconds: cfg.externalId.timeoutInMilliseconds,
    maximumRetries: cfg.externalId.maximumRetries,
    graphApiVersion: cfg.graphApiVersion,
  },
  // The extension must not go live before the code that answers it.
  { dependsOn: [hosting] },
);

// CanNotDelete locks (resourceLocks; README "Resource locks"). Each waits for everything the program puts under
// its scope, so it is created last and removed first by pulumi destroy.
if (cfg.resourceLocks) {
  const removal = 'Managed by Pulumi: to remove it, pulumi config set resourceLocks false, then pulumi up.';
  lockAgainstDeletion('keys-vault-delete-lock', {
    scope: keys.vaultId,
    notes: `JIT password migration (stack ${cfg.stack}): this vault holds the key every migrating sign-in is decrypted with. ${removal}`,
    dependsOn: [keys, hosting],
  });
  lockAgainstDeletion('hosting-storage-delete-lock', {
    scope: hosting.storageAccount.id,
    notes: `JIT password migration (stack ${cfg.stack}): this account holds the legacy password hashes of every user not yet migrated. ${removal}`,
    dependsOn: [hosting],
  });
}

export const resourceGroup = group.name;
export const functionAppName = hosting.functionAppName;
export const functionUrl = hosting.functionUrl;
export const deployedPackageSha256 = hosting.deployedSha256;
export const extensionAppId = entra.extensionAppId;
export const identifierUri = entra.identifierUri;
export const customExtensionId = jit.customExtensionId;
export const listenerId = jit.listenerId;
export const migrationPropertyFullName = jit.migrationPropertyFullName;
export const keyVaultName = keys.vaultName;
/** The storage account of the legacy users and the shared state. */
export const storageAccountName = hosting.storageAccount.name;
export const storageAccountId = hosting.storageAccount.id;
/** `https://{account}.table.core.windows.net/`: `jitmigrate ... --table-endpoint`. */
export const tableEndpoint = hosting.tableEndpoint;
/** The legacy users table (`--table-name`); undefined with legacyStore=http. */
export const legacyTableName = cfg.legacy.kind === 'table' ? cfg.legacy.tableName : undefined;
export const certificateThumbprint = keys.certificate.thumbprintHex;
export const certificateExpiresOn = keys.certificate.expiresOn;
export const testSignInUrl = entra.testSignInUrl;
/** Client id of the app the function reads users with (`GraphClientId`); undefined with passwordChangeCheck=off. */
export const graphReaderAppId = graphReader?.clientId;
