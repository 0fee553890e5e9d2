/**
 * The whole deployment: config -> components -> outputs. No resource logic lives here. `deployJitMigration` is
 * the one copy of it: the standalone program (index.ts) calls it at the stack's root, so its resources keep the
 * URNs they always had; the `JitMigration` component calls it under itself, for another Pulumi program to
 * instantiate with typed args (README "Use it from another Pulumi program").
 * Order avoids cycles: the function's host name is fixed by naming before anything exists, so the Entra
 * apps (whose identifier URI embeds it) come before the function app, which takes their ids as settings;
 * the JIT policies come last and point at the deployed function. The Graph reader (password-change check)
 * sits between the Entra apps, whose tenant provider it uses, and the function app, which takes its client id.
 * identityPlatform=b2c swaps the tenant side only (README "Deploy in B2C mode"): the B2C tenant's objects and the
 * generated secrets come before the function app, which takes their settings; the policy keys and the policies
 * come last, after the function. The Azure components are the same in both modes.
 */
import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as resources from '@pulumi/azure-native/resources';
import { Alerting } from './components/alerting';
import { B2cPolicies } from './components/b2cPolicies';
import { B2cTenant } from './components/b2cTenant';
import { MigrationDashboard } from './components/dashboard';
import { FunctionHosting } from './components/functionHosting';
import { EntraApplications } from './components/entraApplications';
import { GraphReader } from './components/graphReader';
import { JitPolicies } from './components/jitPolicies';
import { KeyMaterial } from './components/keyMaterial';
import { LegacyB2c } from './components/legacyB2c';
import { Monitoring } from './components/monitoring';
import { PrivateNetwork } from './components/network';
import { checkDistinctTenants, checkExistingKeyVaultSubscription, type InfraConfig } from './config';
import { lockAgainstDeletion } from './locks';
import { resourceGroupName, resourceNames, stem } from './naming';


/** What the deployment hands back: the standalone program's stack outputs, the component's public properties. */
export interface JitMigrationOutputs {
  readonly resourceGroup: pulumi.Output<string>;
  readonly functionAppName: pulumi.Output<string>;
  readonly functionUrl: pulumi.Output<string>;
  readonly deployedPackageSha256: pulumi.Output<string>;
  /** External ID only (undefined with identityPlatform=b2c), like the custom extension and listener ids. */
  readonly extensionAppId: pulumi.Output<string> | undefined;
  readonly identifierUri: pulumi.Output<string> | undefined;
  readonly customExtensionId: pulumi.Output<string> | undefined;
  readonly listenerId: pulumi.Output<string> | undefined;
  /** `extension_{b2c-extensions-app id}_{name}`: the External ID tenant's flag, or with b2c the B2C tenant's. */
  readonly migrationPropertyFullName: pulumi.Output<string>;
  /** identityPlatform=b2c only: the uploaded policy ids (layer first), the policy key names (`B2C_1A_...`), and
   *  the endpoints the policies call. Undefined with externalId. */
  readonly b2cPolicyIds: pulumi.Output<string[]> | undefined;
  readonly b2cKeySetNames: pulumi.Output<string[]> | undefined;
  readonly b2cSignInUrl: pulumi.Output<string> | undefined;
  readonly b2cPasswordResetUrl: pulumi.Output<string> | undefined;
  readonly keyVaultName: pulumi.Output<string>;
  /** The storage account of the legacy users and the shared state. */
  readonly storageAccountName: pulumi.Output<string>;
  readonly storageAccountId: pulumi.Output<string>;
  /** `https://{account}.table.core.windows.net/`: `jitmigrate ... --table-endpoint`. */
  readonly tableEndpoint: pulumi.Output<string>;
  /** The legacy users table (`--table-name`); undefined with legacyStore=http or b2c. */
  readonly legacyTableName: string | undefined;
  /** legacyStore=b2c only: the ROPC app's client id and the ROPC user flow in the B2C tenant, and the full name of
   *  the External ID extension property that keeps each user's B2C object id (`--b2c-object-id-property`). */
  readonly legacyB2cRopcAppId: pulumi.Output<string> | undefined;
  readonly legacyB2cUserFlowId: pulumi.Output<string> | undefined;
  readonly b2cObjectIdPropertyFullName: pulumi.Output<string> | undefined;
  /** The decryption certificate's; undefined with identityPlatform=b2c, which has none. */
  readonly certificateThumbprint: pulumi.Output<string> | undefined;
  readonly certificateExpiresOn: pulumi.Output<string> | undefined;
  readonly testSignInUrl: pulumi.Output<string | undefined>;
  /** Client id of the app the function reads users with (`GraphClientId`); undefined with passwordChangeCheck=off. */
  readonly graphReaderAppId: pulumi.Output<string> | undefined;
  /** The action group made from alertEmails / alertWebhookUrl; undefined without them or with alerts=false. */
  readonly alertActionGroup: pulumi.Output<string> | undefined;
  /** The migration dashboard workbook's ARM id (open it from the portal: Monitor > Workbooks); undefined with dashboard=false. */
  readonly dashboardWorkbookId: pulumi.Output<string> | undefined;
}

/**
 * Deploys everything `cfg` describes. `parent` undefined = the stack's root (the standalone program: URNs as
 * they always were); otherwise every top-level resource is its child and inherits its providers.
 */
export function deployJitMigration(cfg: InfraConfig, parent?: pulumi.Resource): JitMigrationOutputs {
  const child = { parent };
  for (const warning of cfg.warnings) void pulumi.log.warn(warning);
  const check = cfg.passwordChangeCheck;
  const azure = authorization.getClientConfigOutput({ parent });
  // Every subscription-dependent name waits for the tenant check, so a wrong tenant id fails the preview.
  const names = pulumi.all([azure.subscriptionId, azure.tenantId]).apply(([subscriptionId, azureTenantId]) => {
    checkDistinctTenants(cfg, azureTenantId);
    checkExistingKeyVaultSubscription(cfg, subscriptionId);
    return resourceNames({ prefix: cfg.prefix, environment: cfg.environment, stack: cfg.stack, subscriptionId, nameSeed: cfg.nameSeed });
  });
  const tags = cfg.tags;

  // The container of everything below; its name needs no subscription id, so it is known at preview.
  // existingResourceGroupName: a platform team's group, neither created nor touched (README "Bring your own resources").
  const group = cfg.existing.resourceGroupName
    ? undefined
    : new resources.ResourceGroup(
        'resource-group',
        { resourceGroupName: resourceGroupName(cfg.prefix, cfg.environment, cfg.stack), location: cfg.location, tags },
        child,
      );
  const rg = { resourceGroupName: group ? group.name : pulumi.output(cfg.existing.resourceGroupName!), location: cfg.location, tags };

  const monitoring = new Monitoring(
    'monitoring',
    {
      ...rg,
      workspaceName: names.logAnalyticsWorkspace,
      appInsightsName: names.applicationInsights,
      retentionInDays: cfg.logRetentionDays,
      existingWorkspaceId: cfg.existing.logAnalyticsWorkspaceId,
    },
    child,
  );

  // Callout activity over the function's telemetry (README "Migration dashboard").
  const dashboard = cfg.dashboard ? new MigrationDashboard('dashboard', { ...rg, appInsightsId: monitoring.appInsightsId, stack: cfg.stack }, child) : undefined;

  // networkMode=private only: the public default creates no network resource (README "Private networking").
  const privateNetwork =
    cfg.network.mode === 'private'
      ? new PrivateNetwork('network', { ...rg, virtualNetworkName: names.virtualNetwork, addressSpace: cfg.network.addressSpace, existingSubnets: cfg.network.existingSubnets }, child)
      : undefined;

  const keys = new KeyMaterial(
    'keys',
    {
      ...rg,
      vaultName: names.keyVault,
      existingVault: cfg.existing.keyVault,
      azureTenantId: azure.tenantId,
      subscriptionId: azure.subscriptionId,
      publicNetworkAccess: cfg.keyVaultPublicNetworkAccess,
      privateEndpoints: privateNetwork,
      logAnalyticsWorkspaceId: monitoring.workspaceId,
      // B2C mode has no encrypted payload: no decryption certificate, so no certificate at all and no deployer role for it.
      ...(cfg.b2c ? {} : { certificate: cfg.certificate, previousCertificate: cfg.previousCertificate }),
      legacyServiceApiKey: cfg.legacy.kind === 'http' ? cfg.legacy.apiKey : undefined,
      deployer: cfg.assignDeployerCertificatesOfficer && !cfg.b2c ? { objectId: azure.objectId, principalType: cfg.deployerPrincipalType } : undefined,
      graphClientCertificate: check.mode === 'graph' && check.authentication === 'certificate' ? check.certificate : undefined,
    },
    child,
  );

  // The function must hold a new key before Entra encrypts to it (docs/key-rotation.md "Order within one up"),
  // so Entra's key credential waits for the function app. The app is built after the Entra apps (it takes the
  // extension app id), so the app is handed over through a promise, resolved once it exists.
  let functionAppBuilt!: (appId: pulumi.Output<string>) => void;
  const functionApp = pulumi.output(new Promise<pulumi.Output<string>>((resolve) => (functionAppBuilt = resolve)));
  const afterFunctionApp = <T>(value: pulumi.Input<T>): pulumi.Output<T> => pulumi.all([value, functionApp]).apply(([v]) => v as T);

  const b2cMode = cfg.b2c !== undefined;
  // The External ID tenant side (skipped with identityPlatform=b2c, whose tenant side is B2cTenant below).
  const entra = b2cMode
    ? undefined
    : new EntraApplications(
          'entra',
          {
            tenantId: cfg.externalId.tenantId,
            tenantDomain: cfg.externalId.tenantDomain,
            graphBaseUrl: cfg.externalId.graphBaseUrl,
            functionHostName: names.functionHostName,
            encryptionCertificate: {
              base64Der: afterFunctionApp(keys.encryptionCertificate!.base64Der),
              notBefore: afterFunctionApp(keys.encryptionCertificate!.notBefore),
              expiresOn: afterFunctionApp(keys.encryptionCertificate!.expiresOn),
              thumbprintHex: afterFunctionApp(keys.encryptionCertificate!.thumbprintHex),
            },
            // Undefined until the certificate has a previous version; then Entra keeps it listed during rotation.
            previousEncryptionCertificate: keys.previousEncryptionCertificate,
            createTestClient: cfg.externalId.createTestClient,
          },
          child,
        );

  // The managed-identity route's federated credential names the function's identity, which FunctionHosting
  // creates after it has taken the reader's client id: handed over through a promise, like the app above.
  let functionIdentityBuilt!: (principalId: pulumi.Output<string>) => void;
  const functionPrincipalId = pulumi.output(new Promise<pulumi.Output<string>>((resolve) => (functionIdentityBuilt = resolve)));

  const graphReader =
    check.mode === 'off' || !entra
      ? undefined
      : new GraphReader(
          'graph-reader',
          check.authentication === 'certificate'
            ? { authentication: 'certificate', externalIdProvider: entra.provider, graphBaseUrl: cfg.externalId.graphBaseUrl, certificate: keys.graphClientCertificate }
            : { authentication: 'managedIdentity', externalIdProvider: entra.provider, graphBaseUrl: cfg.externalId.graphBaseUrl, azureTenantId: azure.tenantId, functionPrincipalId },
          child,
        );

  // legacyStore=b2c (External ID only): the ROPC app and user flow in the B2C tenant, the b2cObjectId property here.
  const legacyB2c =
    cfg.legacy.kind === 'b2c' && entra
      ? new LegacyB2c('legacy-b2c', { config: cfg.legacy, externalId: { tenantId: cfg.externalId.tenantId, graphBaseUrl: cfg.externalId.graphBaseUrl } }, child)
      : undefined;

  // identityPlatform=b2c: the B2C tenant's objects and the generated secrets, kept in the stack's vault.
  const b2cTenant = cfg.b2c ? new B2cTenant('b2c', { config: cfg.b2c, keys }, child) : undefined;

  const hosting = new FunctionHosting(
    'hosting',
    {
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
      secrets: [...keys.appSecrets, ...(graphReader?.appSecrets ?? []), ...(b2cTenant?.appSecrets ?? [])],
      platform: entra
        ? {
            kind: 'externalId',
            tenantId: cfg.externalId.tenantId,
            tenantSubdomain: entra.tenantSubdomain,
            passwordChangeCheck: graphReader?.settings ?? { mode: 'off' },
            extensionAppId: entra.extensionAppId,
            extensionAppIdentifierUri: entra.identifierUri,
          }
        : { kind: 'b2c', settings: b2cTenant!.appSettings },
      legacy:
        cfg.legacy.kind === 'table'
          ? cfg.legacy
          : cfg.legacy.kind === 'b2c'
            ? { kind: 'b2c', settings: legacyB2c!.appSettings }
            : { kind: 'http', serviceUrl: cfg.legacy.serviceUrl, ...(cfg.legacy.lookupUrl ? { lookupUrl: cfg.legacy.lookupUrl } : {}) },
      stateTableName: cfg.stateTableName,
      stateStoreFailClosed: cfg.stateStoreFailClosed,
      logAnalyticsWorkspaceId: monitoring.workspaceId,
      operator: cfg.operator,
      scale: cfg.hosting,
      calloutBudgetMs: cfg.hosting.calloutBudgetMs,
      privateNetwork: privateNetwork && { integrationSubnetId: privateNetwork.integrationSubnetId, endpoints: privateNetwork, waitFor: keys.privateEndpoint ? [keys.privateEndpoint] : [] },
    },
    child,
  );
  functionAppBuilt(hosting.app.id);
  functionIdentityBuilt(hosting.identity.principalId);

  const jit = !entra
    ? undefined
    : new JitPolicies(
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
          { ...child, dependsOn: [hosting] },
        );

  // The B2C policy keys and policies: after the function (its code answers them, and holds a rotated secret first).
  const b2cPolicies =
    cfg.b2c && b2cTenant
      ? new B2cPolicies(
          'b2c-policies',
          {
            config: cfg.b2c,
            functionOrigin: hosting.functionUrl.apply((url) => new URL(url).origin),
            extensionsAppClientId: b2cTenant.extensionsAppClientId,
            extensionsAppObjectId: b2cTenant.extensionsAppObjectId,
            ...(b2cTenant.apiAppId ? { apiAppId: b2cTenant.apiAppId } : {}),
            policyKeyValues: b2cTenant.policyKeyValues,
          },
          { ...child, dependsOn: [hosting] },
        )
      : undefined;

  // Alert rules over the function's telemetry and the vault's logs (README "Alerts"); alerts=false: none.
  const alerting = cfg.alerts
    ? new Alerting(
        'alerting',
        {
          ...rg,
          namePrefix: stem(cfg.prefix, cfg.environment, cfg.stack),
          appInsightsId: monitoring.appInsightsId,
          keyVaultId: keys.vaultId,
          // The version the app is pinned to: the rule follows it when pulumi up --refresh deploys a renewal.
          certificateExpiresOn: keys.certificate?.expiresOn,
          config: cfg.alerts,
        },
        child,
      )
    : undefined;

  // CanNotDelete locks (resourceLocks; README "Resource locks"). Each waits for everything the program puts under
  // its scope, so it is created last and removed first by pulumi destroy.
  if (cfg.resourceLocks) {
    const removal = 'Managed by Pulumi: to remove it, pulumi config set resourceLocks false, then pulumi up.';
    // An existing vault is its owner's to lock (README "Bring your own resources").
    if (keys.vault) {
      lockAgainstDeletion('keys-vault-delete-lock', {
        scope: keys.vaultId,
        notes: `JIT password migration (stack ${cfg.stack}): this vault holds the key every migrating sign-in is decrypted with. ${removal}`,
        dependsOn: [keys, hosting],
        parent,
      });
    }
    lockAgainstDeletion('hosting-storage-delete-lock', {
      scope: hosting.storageAccount.id,
      notes: `JIT password migration (stack ${cfg.stack}): this account holds the legacy password hashes of every user not yet migrated. ${removal}`,
      dependsOn: [hosting],
      parent,
    });
  }

  return {
    resourceGroup: rg.resourceGroupName,
    functionAppName: hosting.functionAppName,
    functionUrl: hosting.functionUrl,
    deployedPackageSha256: hosting.deployedSha256,
    extensionAppId: entra?.extensionAppId,
    identifierUri: entra?.identifierUri,
    customExtensionId: jit?.customExtensionId,
    listenerId: jit?.listenerId,
    migrationPropertyFullName: jit ? jit.migrationPropertyFullName : b2cTenant!.migrationPropertyFullName,
    b2cPolicyIds: b2cPolicies?.policyIds,
    b2cKeySetNames: b2cPolicies?.keySetNames,
    b2cSignInUrl: b2cPolicies?.signInUrl,
    b2cPasswordResetUrl: b2cPolicies?.passwordResetUrl,
    keyVaultName: keys.vaultName,
    storageAccountName: hosting.storageAccount.name,
    storageAccountId: hosting.storageAccount.id,
    tableEndpoint: hosting.tableEndpoint,
    legacyTableName: cfg.legacy.kind === 'table' ? cfg.legacy.tableName : undefined,
    legacyB2cRopcAppId: legacyB2c?.ropcAppId,
    legacyB2cUserFlowId: legacyB2c?.userFlowId,
    b2cObjectIdPropertyFullName: legacyB2c?.b2cObjectIdPropertyFullName,
    certificateThumbprint: keys.certificate?.thumbprintHex,
    certificateExpiresOn: keys.certificate?.expiresOn,
    testSignInUrl: entra ? entra.testSignInUrl : pulumi.output(undefined),
    graphReaderAppId: graphReader?.clientId,
    alertActionGroup: alerting?.actionGroup?.id,
    dashboardWorkbookId: dashboard?.workbookId,
  };
}

/** The typed args of `JitMigration`: the parsed, validated configuration (`parseConfigValues` in config.ts). */
export type JitMigrationArgs = InfraConfig;

/** `JitMigration`'s public properties: the deployment's outputs (declaration merging; the constructor assigns them). */
export interface JitMigration extends JitMigrationOutputs {}

/**
 * The whole deployment as one component, for another Pulumi program (README "Use it from another Pulumi program").
 * Its resources sit under it, so its `providers` option (e.g. an azure-native provider for another subscription)
 * reaches every Azure resource; the Entra components bring their own azuread providers.
 */
export class JitMigration extends pulumi.ComponentResource {
  constructor(name: string, args: JitMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitmigration:azure:JitMigration', name, {}, opts);
    const outputs = deployJitMigration(args, this);
    Object.assign(this, outputs);
    this.registerOutputs({ functionUrl: outputs.functionUrl, resourceGroup: outputs.resourceGroup, keyVaultName: outputs.keyVaultName });
  }
}
