/**
 * FunctionHosting: the Flex Consumption function app and everything it runs on, identity-only (no keys):
 * a user-assigned managed identity (UAMI), the host storage account (deployment container, legacy-users
 * and state tables), the FC1 plan, the app, and the UAMI's least-privilege role assignments.
 * Layout follows Azure-Samples/functions-quickstart-typescript-azd; Flex rules: Learn "Flex Consumption plan".
 */
import * as pulumi from '@pulumi/pulumi';
import * as managedidentity from '@pulumi/azure-native/managedidentity';
import * as monitor from '@pulumi/azure-native/monitor';
import * as storage from '@pulumi/azure-native/storage';
import * as web from '@pulumi/azure-native/web';
import { buildFunctionPackage, type FunctionPackage } from '../bundle/functionPackage';
import { FunctionCodeDeployment } from '../providers/functionCodeDeployment';
import { assignRole, type PrincipalType } from '../roles';
import type { PasswordChangeCheckSettings } from './graphReader';
import type { AppSecret } from './keyMaterial';
import type { PrivateEndpoints } from './network';

/** The function's route (function/src/functions/onPasswordSubmit.ts). */
export const FUNCTION_ROUTE = '/api/onPasswordSubmit';

/** App settings Flex rejects or ignores (Learn "App settings reference for Azure Functions": "Flex Consumption plan deprecations"). */
export const FLEX_FORBIDDEN_SETTINGS = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_TIME_ZONE',
  'TZ',
  'AzureWebJobsStorage',
] as const;

export type HostedLegacyStore =
  | { readonly kind: 'table'; readonly tableName: string }
  | { readonly kind: 'http'; readonly serviceUrl: string; readonly lookupUrl?: string }
  /** The B2C tenant checked with ROPC: its LegacyB2c* settings (LegacyB2c.appSettings). */
  | { readonly kind: 'b2c'; readonly settings: readonly AppSetting[] };

/** A plain (non-secret) app setting. */
export type AppSetting = { readonly name: string; readonly value: pulumi.Input<string> };

/**
 * The tenant side the function serves (app setting IdentityPlatform): the External ID callout's settings, or
 * B2C mode's (B2cTenant.appSettings; its secrets arrive as Key Vault references in `secrets`).
 */
export type HostedPlatform =
  | {
      readonly kind: 'externalId';
      readonly tenantId: string;
      /** `contoso` of contoso.ciamlogin.com (EntraApplications.tenantSubdomain): the function trusts that issuer host too. */
      readonly tenantSubdomain: string;
      /** GraphReader.settings, or `{ mode: 'off' }`. */
      readonly passwordChangeCheck: PasswordChangeCheckSettings;
      /** From EntraApplications; they depend on the host name only, so there is no cycle. */
      readonly extensionAppId: pulumi.Input<string>;
      readonly extensionAppIdentifierUri: pulumi.Input<string>;
    }
  | { readonly kind: 'b2c'; readonly settings: readonly AppSetting[] };

export interface FunctionHostingNames {
  userAssignedIdentity: pulumi.Input<string>;
  storageAccount: pulumi.Input<string>;
  deploymentContainer: pulumi.Input<string>;
  appServicePlan: pulumi.Input<string>;
  functionApp: pulumi.Input<string>;
  /** `{functionApp}.azurewebsites.net`, fixed before the app exists (the Entra identifier URI embeds it). */
  functionHostName: pulumi.Input<string>;
  scmHostName: pulumi.Input<string>;
}

export interface FunctionHostingArgs {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  subscriptionId: pulumi.Input<string>;
  names: FunctionHostingNames;
  tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
  monitoring: { appInsightsId: pulumi.Input<string>; connectionString: pulumi.Input<string> };
  /** From KeyMaterial (and GraphReader): Key Vault references and the secret scopes the UAMI may read. */
  secrets: readonly AppSecret[];
  platform: HostedPlatform;
  legacy: HostedLegacyStore;
  stateTableName: string;
  /** App setting StateStoreFailClosed (README "Security"). */
  stateStoreFailClosed: boolean;
  scale: { alwaysReadyInstances: number; maximumInstanceCount: number; instanceMemoryMB: 512 | 2048 | 4096 };
  /** The function's deadline (app setting CalloutBudgetMs), inside the custom extension's timeout. */
  calloutBudgetMs: number;
  /** Log Analytics workspace for the storage account's table and blob logs (Monitoring.workspaceId). */
  logAnalyticsWorkspaceId: pulumi.Input<string>;
  /** Who runs jitmigrate against the legacy table: Storage Table Data Contributor on that table (table store only). */
  operator?: { principalId: string; principalType: PrincipalType };
  /**
   * networkMode=private: the app's outbound traffic goes through `integrationSubnetId`, the storage account
   * gets private endpoints (blob, queue, table) and loses its public network access; the app waits for them
   * and for `waitFor` (the vault's endpoint). Unset = public endpoints, as before.
   */
  privateNetwork?: { integrationSubnetId: pulumi.Input<string>; endpoints: PrivateEndpoints; waitFor: readonly pulumi.Resource[] };
  /** Defaults to `buildFunctionPackage()` (deterministic esbuild zip). */
  codePackage?: pulumi.Input<FunctionPackage>;
}

type Setting = AppSetting;

export class FunctionHosting extends pulumi.ComponentResource {
  readonly identity: managedidentity.UserAssignedIdentity;
  readonly storageAccount: storage.StorageAccount;
  /** `https://{account}.table.core.windows.net/`: the legacy and state tables' endpoint. */
  readonly tableEndpoint: pulumi.Output<string>;
  readonly plan: web.AppServicePlan;
  readonly app: web.WebApp;
  readonly deployment: FunctionCodeDeployment;
  readonly functionAppName: pulumi.Output<string>;
  readonly defaultHostName: pulumi.Output<string>;
  /** `https://{host}/api/onPasswordSubmit`; fails the deployment if ARM assigned another host name. */
  readonly functionUrl: pulumi.Output<string>;
  readonly deployedSha256: pulumi.Output<string>;

  constructor(name: string, args: FunctionHostingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitmigration:azure:FunctionHosting', name, {}, opts);
    const child = { parent: this };
    const { resourceGroupName, location, tags } = args;

    this.identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceGroupName, location, resourceName: args.names.userAssignedIdentity, tags },
      child,
    );
    const principalId = this.identity.principalId;
    const clientId = this.identity.clientId;
    const grant = (suffix: string, role: Parameters<typeof assignRole>[1]['role'], scope: pulumi.Input<string>, description: string) =>
      assignRole(`${name}-${suffix}`, { scope, principalId, role, subscriptionId: args.subscriptionId, principalType: 'ServicePrincipal', description }, child);

    this.storageAccount = new storage.StorageAccount(
      `${name}-storage`,
      {
        resourceGroupName,
        location,
        accountName: args.names.storageAccount,
        kind: 'StorageV2',
        sku: { name: 'Standard_LRS' },
        accessTier: 'Hot',
        // Identity only: no account keys, no SAS, no anonymous blobs (as the quickstart sample).
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
        allowBlobPublicAccess: false,
        allowCrossTenantReplication: false,
        isLocalUserEnabled: false,
        minimumTlsVersion: 'TLS1_2',
        enableHttpsTrafficOnly: true,
        dnsEndpointType: 'Standard',
        // Flex deploys from the platform: a Deny firewall breaks deployment without private networking, where
        // the app reads the package through its virtual network integration instead.
        publicNetworkAccess: args.privateNetwork ? 'Disabled' : 'Enabled',
        networkRuleSet: { defaultAction: args.privateNetwork ? 'Deny' : 'Allow', bypass: 'AzureServices' },
        tags,
      },
      child,
    );
    const account = this.storageAccount;
    const endpoints = account.primaryEndpoints;
    this.tableEndpoint = endpoints.table;
    // The host uses all three services (AzureWebJobsStorage__*ServiceUri below).
    const privateEndpoints = (['blob', 'queue', 'table'] as const).map((group) => args.privateNetwork?.endpoints.connect(`${name}-storage-${group}-endpoint`, account.id, group, child));
    const networkReady = args.privateNetwork ? [...privateEndpoints.filter((e) => e !== undefined), ...args.privateNetwork.waitFor] : [];

    // Every read, write and delete of the legacy hashes (table) and of the code package (blob) is logged where
    // the vault's audit log goes. Logs exist per service, so the settings sit on the service sub-resources.
    for (const service of ['table', 'blob'] as const) {
      new monitor.DiagnosticSetting(
        `${name}-storage-${service}-diagnostics`,
        {
          name: 'to-log-analytics',
          resourceUri: pulumi.interpolate`${account.id}/${service}Services/default`,
          workspaceId: args.logAnalyticsWorkspaceId,
          // allLogs: StorageRead, StorageWrite, StorageDelete.
          logs: [{ categoryGroup: 'allLogs', enabled: true }],
          metrics: [{ category: 'Transaction', enabled: true }],
        },
        child,
      );
    }

    // Management-plane (ARM) creation: works with shared keys off, unlike storage.Blob (pulumi-azure-native#2015).
    const container = new storage.BlobContainer(
      `${name}-deployment-container`,
      { resourceGroupName, accountName: account.name, containerName: args.names.deploymentContainer, publicAccess: 'None' },
      child,
    );
    const stateTable = new storage.Table(`${name}-state-table`, { resourceGroupName, accountName: account.name, tableName: args.stateTableName }, child);
    const legacyTable =
      args.legacy.kind === 'table'
        ? new storage.Table(`${name}-legacy-table`, { resourceGroupName, accountName: account.name, tableName: args.legacy.tableName }, child)
        : undefined;

    this.plan = new web.AppServicePlan(
      `${name}-plan`,
      {
        resourceGroupName,
        location,
        name: args.names.appServicePlan,
        kind: 'functionapp',
        reserved: true, // Linux
        sku: { name: 'FC1', tier: 'FlexConsumption' },
        tags,
      },
      child,
    );

    // --- Role assignments: one per need, at the narrowest scope that works. ---
    // Host storage (AzureWebJobsStorage: host locks and keys) and the deployment container the platform
    // writes with this identity: the account.
    const blobOwner = grant('blob-data-owner', 'StorageBlobDataOwner', account.id, 'Function host storage and Flex deployment package (UAMI)');
    const tableRoles = [grant('state-table-contributor', 'StorageTableDataContributor', stateTable.id, 'JIT shared state: lockout counters, per-nonce answers (UAMI)')];
    if (legacyTable) {
      tableRoles.push(grant('legacy-table-contributor', 'StorageTableDataContributor', legacyTable.id, 'Legacy users table: read records, mark migrated (UAMI)'));
    }
    if (args.operator && !legacyTable) {
      throw new Error('FunctionHosting: an operator is given while the legacy store is not a table: there is no legacy table to grant access to');
    }
    if (args.operator && legacyTable) {
      // The table, not the account: the operator reads and marks legacy users, never the state or the code.
      assignRole(
        `${name}-operator-legacy-table-contributor`,
        {
          scope: legacyTable.id,
          principalId: args.operator.principalId,
          principalType: args.operator.principalType,
          role: 'StorageTableDataContributor',
          subscriptionId: args.subscriptionId,
          description: 'Operator: jitmigrate import-legacy, status and reconcile on the legacy users table',
        },
        child,
      );
    }
    const metricsPublisher = grant('metrics-publisher', 'MonitoringMetricsPublisher', args.monitoring.appInsightsId, 'Entra-authenticated Application Insights ingestion (UAMI)');
    // Key Vault Secrets User per secret, not per vault: the app can read its own keys and nothing else.
    const seen = new Set<string>();
    const secretRoles = args.secrets
      .filter((s) => !seen.has(s.secretName) && seen.add(s.secretName))
      .map((s) => grant(`secrets-user-${s.secretName}`, 'KeyVaultSecretsUser', s.scope, `Resolve the ${s.setting} Key Vault reference (UAMI)`));

    const settings: Setting[] = [
      // Identity-based host storage (learn AF/functions-reference "identity-based connections").
      { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' },
      { name: 'AzureWebJobsStorage__clientId', value: clientId },
      { name: 'AzureWebJobsStorage__blobServiceUri', value: endpoints.blob },
      { name: 'AzureWebJobsStorage__queueServiceUri', value: endpoints.queue },
      { name: 'AzureWebJobsStorage__tableServiceUri', value: endpoints.table },
      { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: args.monitoring.connectionString },
      { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: pulumi.interpolate`ClientId=${clientId};Authorization=AAD` },
      // The function's own settings (README "Configuration reference").
      { name: 'ManagedIdentityClientId', value: clientId },
      { name: 'LegacyStore', value: args.legacy.kind },
      { name: 'StateTableEndpoint', value: endpoints.table },
      { name: 'StateTableName', value: args.stateTableName },
      { name: 'StateStoreFailClosed', value: String(args.stateStoreFailClosed) },
      { name: 'CalloutBudgetMs', value: String(args.calloutBudgetMs) },
      ...(args.legacy.kind === 'table'
        ? [
            { name: 'LegacyTableEndpoint', value: endpoints.table },
            { name: 'LegacyTableName', value: args.legacy.tableName },
          ]
        : args.legacy.kind === 'b2c'
          ? args.legacy.settings
          : [{ name: 'LegacyServiceUrl', value: args.legacy.serviceUrl }, ...(args.legacy.lookupUrl ? [{ name: 'LegacyServiceLookupUrl', value: args.legacy.lookupUrl }] : [])]),
    ];
    const platform = args.platform;
    // IdentityPlatform is left to its default (externalId) there, so an External ID app keeps its settings as they were.
    const check: PasswordChangeCheckSettings = platform.kind === 'externalId' ? platform.passwordChangeCheck : { mode: 'off' };
    if (platform.kind === 'externalId') {
      settings.push(
        { name: 'ExternalIdTenantId', value: platform.tenantId },
        { name: 'ExtensionAppId', value: platform.extensionAppId },
        { name: 'ExtensionAppIdentifierUri', value: platform.extensionAppIdentifierUri },
        { name: 'ExternalIdTenantSubdomain', value: platform.tenantSubdomain },
        { name: 'PasswordChangeCheck', value: check.mode },
      );
    } else {
      settings.push({ name: 'IdentityPlatform', value: 'b2c' }, ...platform.settings);
    }
    if (check.mode === 'graph') {
      settings.push(
        { name: 'GraphAuthentication', value: check.authentication },
        { name: 'GraphClientId', value: check.clientId },
        { name: 'GraphBaseUrl', value: check.graphBaseUrl },
      );
    }
    // The certificate route's key arrives as a secret (GraphReader.appSecrets); without it the function would
    // report GraphClientCertificate missing at every start.
    const hasGraphCertificate = args.secrets.some((s) => s.setting === 'GraphClientCertificate');
    if (hasGraphCertificate !== (check.mode === 'graph' && check.authentication === 'certificate')) {
      throw new Error(
        `FunctionHosting: the GraphClientCertificate secret is ${hasGraphCertificate ? 'passed' : 'missing'} while PasswordChangeCheck=${check.mode}` +
          `${check.mode === 'graph' ? ` with GraphAuthentication=${check.authentication}` : ''}: pass GraphReader.appSecrets in secrets exactly for the certificate route`,
      );
    }
    for (const name of [...settings.map((s) => s.name), ...args.secrets.map((s) => s.setting)]) {
      if ((FLEX_FORBIDDEN_SETTINGS as readonly string[]).includes(name)) throw new Error(`FunctionHosting: app setting ${name} must not be set on Flex Consumption`);
    }
    // Secrets only as Key Vault references, resolved by the platform with keyVaultReferenceIdentity;
    // a reference that is undefined (no previous key yet) leaves its setting out. Sorted: a stable diff.
    const appSettings = pulumi.all([pulumi.output(settings), pulumi.all(args.secrets.map((s) => s.reference))]).apply(([plain, references]) =>
      [...plain, ...args.secrets.flatMap((s, i) => (references[i] ? [{ name: s.setting, value: references[i]! }] : []))].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      ),
    );

    const scale = args.scale;
    this.app = new web.WebApp(
      `${name}-app`,
      {
        resourceGroupName,
        location,
        name: args.names.functionApp,
        kind: 'functionapp,linux',
        serverFarmId: this.plan.id,
        httpsOnly: true,
        clientCertEnabled: false, // callers authenticate with Entra bearer tokens, checked in code
        publicNetworkAccess: 'Enabled', // Entra calls the extension from the internet
        identity: { type: 'UserAssigned', userAssignedIdentities: [this.identity.id] },
        keyVaultReferenceIdentity: this.identity.id,
        // Outbound only: Key Vault references, storage and the legacy service go through the network.
        ...(args.privateNetwork ? { virtualNetworkSubnetId: args.privateNetwork.integrationSubnetId, outboundVnetRouting: { allTraffic: true } } : {}),
        functionAppConfig: {
          deployment: {
            storage: {
              type: 'blobContainer',
              value: pulumi.interpolate`${endpoints.blob}${container.name}`,
              authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: this.identity.id },
            },
          },
          runtime: { name: 'node', version: '22' },
          scaleAndConcurrency: {
            maximumInstanceCount: scale.maximumInstanceCount,
            instanceMemoryMB: scale.instanceMemoryMB,
            // "http" is the group of all HTTP-triggered functions (learn AF/flex-consumption-plan "Always ready").
            alwaysReady: scale.alwaysReadyInstances > 0 ? [{ name: 'http', instanceCount: scale.alwaysReadyInstances }] : [],
          },
        },
        siteConfig: {
          minTlsVersion: '1.2',
          scmMinTlsVersion: '1.2',
          ftpsState: 'Disabled',
          http20Enabled: true,
          appSettings,
        },
        tags,
      },
      // Roles first, so the first start resolves its Key Vault references and reaches storage.
      { parent: this, dependsOn: [blobOwner, metricsPublisher, ...tableRoles, ...secretRoles, ...networkReady] },
    );

    // Basic (user/password) publishing off for FTP and SCM: deployments use Entra tokens.
    const ftp = new web.WebAppFtpAllowed(`${name}-ftp-basic-auth`, { resourceGroupName, name: this.app.name, allow: false }, child);
    const scm = new web.WebAppScmAllowed(`${name}-scm-basic-auth`, { resourceGroupName, name: this.app.name, allow: false }, child);

    const codePackage = pulumi.output(args.codePackage ?? buildFunctionPackage());
    this.deployment = new FunctionCodeDeployment(
      `${name}-code`,
      {
        functionAppId: this.app.id,
        scmHostName: args.names.scmHostName,
        zipPath: codePackage.zipPath,
        zipSha256: codePackage.sha256,
      },
      // A new app (replacement) needs the code again; deleting the app deletes its code (provider docs).
      { parent: this, dependsOn: [this.app, blobOwner, ftp, scm], replaceWith: [this.app], deletedWith: this.app },
    );

    this.functionAppName = this.app.name;
    this.defaultHostName = this.app.defaultHostName;
    this.functionUrl = pulumi.all([this.app.defaultHostName, args.names.functionHostName]).apply(([actual, expected]) => {
      if (actual.toLowerCase() !== expected.toLowerCase()) {
        throw new Error(`FunctionHosting: the app's host name is ${actual}, not ${expected}; the Entra identifier URI assumes the latter. Do not set autoGeneratedDomainNameLabelScope.`);
      }
      return `https://${actual.toLowerCase()}${FUNCTION_ROUTE}`;
    });
    this.deployedSha256 = this.deployment.deployedSha256;
    this.registerOutputs({ functionUrl: this.functionUrl, principalId, clientId, deployedSha256: this.deployedSha256 });
  }
}
