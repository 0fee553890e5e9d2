/**
 * The one typed stack configuration. `loadConfig()` reads `new pulumi.Config()` once, validates every key
 * and throws one error that lists each problem with its fix, so a single round of `pulumi config set`
 * suffices. `CONFIG_SCHEMA` is the source the project schema in Pulumi.yaml mirrors (a test compares them).
 */
import * as pulumi from '@pulumi/pulumi';
import { parseIpv4Block } from './cidr';
import { cloudOf, keyVaultUri } from './clouds';
import { AZURE_PUBLIC_REGIONS, FLEX_CONSUMPTION_REGIONS, regionKey } from './regions';
import { nearest } from './suggest';
import { ENCRYPTION_KEY_SIZES } from '../function/src/crypto/keySizes';
import { GRAPH_API_VERSIONS, JIT_OBJECTS_API_VERSION, type GraphApiVersion } from '../lib/graph/types';
import { PRINCIPAL_TYPES, type PrincipalType } from './roles';
import { ALERT_RULE_IDS, ALERT_RULES, ALERT_WINDOW_MINUTES, type AlertRuleId } from './alerts/queries';
import { B2C_MIGRATION_FLAG, type B2cApiAuth } from '../lib/b2c/contract';
import { B2C_API_AUTHS, B2cPolicyOptionsError, resolveB2cPolicyOptions, type B2cPolicyOption } from '../lib/b2c/policies';
import { B2C_TENANT_DOMAIN } from '../lib/b2c/policies/options';
import { GUID } from '../lib/ids/guid';

export type ConfigType = 'string' | 'integer' | 'boolean' | 'array';

export interface ConfigKeySchema {
  readonly type: ConfigType;
  readonly description: string;
  /**
   * Must be stored encrypted (`pulumi config set --secret`); the program refuses a plain-text value. Not the
   * CLI's `secret: true`: the CLI requires such a key in every stack and refuses a default for it, so an
   * optional secret could not exist (`mergeConfig`/`validateStackConfigValue` in sdk/go/common/workspace/config.go).
   */
  readonly sensitive?: true;
  /**
   * What the CLI hands the program when the stack does not set the key. Every key the stack may omit has
   * one: the CLI stops a key without a default before the program runs ("Stack 'dev' is missing
   * configuration value ..."). Empty string = not set.
   */
  readonly default?: string | number | boolean | readonly string[];
}

/** Every project config key (Pulumi.yaml `config:`, whose types are string | integer | boolean | array). */
export const CONFIG_SCHEMA = {
  environment: { type: 'string', description: 'Environment name used in resource names and tags: 1-8 lower-case letters and digits, starting with a letter (dev, test, prod).' },
  prefix: { type: 'string', description: 'Naming prefix of every resource: 2-10 lower-case letters, digits and single hyphens, starting with a letter.', default: 'jitmig' },
  nameSeed: { type: 'string', description: 'Mixed into the hash suffix of globally unique names; change it only to move to fresh names (e.g. while a destroyed Key Vault is still soft-deleted).', default: '' },
  tags: { type: 'array', description: 'Extra tags for every Azure resource, as "key=value" strings.', default: [] },
  existingResourceGroupName: { type: 'string', description: 'Name of an existing resource group (in the stack\'s subscription and azure-native:location) to deploy everything into, instead of a new one; the stack never changes or deletes it (README "Bring your own resources"). Empty = create the resource group.', default: '' },
  externalIdTenantId: { type: 'string', description: 'Directory (tenant) ID of the Microsoft Entra External ID tenant (GUID). Every azuread resource and Graph call targets this tenant only. Required with identityPlatform externalId; not set with b2c. Empty = unset.', default: '' },
  externalIdTenantDomain: { type: 'string', description: 'Subdomain of the External ID tenant (contoso for contoso.onmicrosoft.com / contoso.ciamlogin.com). Required with identityPlatform externalId; not set with b2c. Empty = unset.', default: '' },
  graphBaseUrl: { type: 'string', description: 'Microsoft Graph endpoint (national clouds differ).', default: 'https://graph.microsoft.com' },
  clientAppIds: { type: 'array', description: 'Client IDs (GUIDs) of the applications whose sign-ins trigger the JIT migration listener.', default: [] },
  migrationPropertyName: { type: 'string', description: 'Name of the Boolean directory extension property that flags users still to migrate (becomes extension_<b2c-extensions-app id>_<name>).', default: 'requiresMigration' },
  customExtensionTimeoutMs: { type: 'integer', description: 'Custom authentication extension timeout in milliseconds (Graph allows 200-2000).', default: 2000 },
  customExtensionMaximumRetries: { type: 'integer', description: 'Custom authentication extension retries (Graph allows 0 or 1).', default: 1 },
  createTestClient: { type: 'boolean', description: 'Create a test client app (redirect https://jwt.ms) and output a ready sign-in URL. The committed dev stack sets it to true; keep it false in production.', default: false },
  certificateName: { type: 'string', description: 'Key Vault certificate holding the RSA key pair Entra encrypts to (1-127 letters, digits, hyphens).', default: 'jit-password-decryption' },
  certificateSubject: { type: 'string', description: 'Subject of the self-signed certificate.', default: 'CN=JitMigration' },
  certificateKeySize: { type: 'integer', description: 'RSA key size: 2048 or 4096 (what Entra accepts for the encryption certificate).', default: 2048 },
  certificateValidityMonths: { type: 'integer', description: 'Certificate validity in months (1-120); also the Graph reader certificate\'s.', default: 12 },
  certificateRenewDaysBeforeExpiry: { type: 'integer', description: 'Key Vault auto-renews the certificate this many days before expiry (1 to 27 x certificateValidityMonths). Run pulumi up --refresh within this window so Entra and the app move to the new key together. Also applies to the Graph reader certificate.', default: 30 },
  previousCertificateName: { type: 'string', description: 'Key rotation override: the certificate whose key stays live as DecryptionPrivateKeyPrevious (e.g. the old one after moving to a new certificateName). Unset: the current certificate\'s previous version, when it has one. Defaults to certificateName when previousCertificateVersion is set. Empty = unset.', default: '' },
  previousCertificateVersion: { type: 'string', description: 'Key rotation override: the version (32 hex characters) of the previous certificate to pin; unset with previousCertificateName means its latest version. Empty = unset.', default: '' },
  alwaysReadyInstances: { type: 'integer', description: 'Flex Consumption always-ready instances for the http group (0 disables; each one is billed while idle).', default: 1 },
  maximumInstanceCount: { type: 'integer', description: 'Flex Consumption maximum instance count (1-1000).', default: 100 },
  instanceMemoryMB: { type: 'integer', description: 'Flex Consumption instance memory: 512, 2048 or 4096.', default: 2048 },
  keyVaultPublicNetworkAccess: { type: 'string', description: 'Key Vault public network access with networkMode=public: Enabled (access stays RBAC-only). Disabled is refused there, since neither the function nor the deployer could reach the vault; networkMode=private turns it off itself (README "Private networking").', default: 'Enabled' },
  existingKeyVaultId: { type: 'string', description: 'ARM id of an existing Key Vault with Azure RBAC authorization, in the stack\'s subscription (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>): the certificates and secrets go there and this stack\'s role assignments are made on it (or its secrets); the vault itself, its diagnostics, network rules and locks stay its owner\'s. networkMode=public only (README "Bring your own resources"). Empty = create the vault.', default: '' },
  networkMode: { type: 'string', description: 'public (default: Key Vault and storage keep public endpoints, RBAC-only) or private (the function\'s outbound traffic goes through a virtual network; Key Vault and storage are reached through private endpoints and their public network access is off; README "Private networking").', default: 'public' },
  virtualNetworkAddressSpace: { type: 'string', description: 'networkMode=private: IPv4 address space of the virtual network this stack creates, /16 to /24; its first half is the function\'s integration subnet, its third quarter the private endpoints\' subnet. Unused with existingSubnetId.', default: '10.80.0.0/22' },
  existingSubnetId: { type: 'string', description: 'networkMode=private: ARM id of an existing subnet, delegated to Microsoft.App/environments, for the function\'s virtual network integration, instead of a new virtual network. Set existingPrivateEndpointSubnetId (same virtual network) with it. Empty = create the network.', default: '' },
  existingPrivateEndpointSubnetId: { type: 'string', description: 'networkMode=private with existingSubnetId: ARM id of an existing subnet (not delegated) of the same virtual network for the Key Vault and storage private endpoints. Empty = unset.', default: '' },
  deployerInPrivateNetwork: { type: 'boolean', description: 'networkMode=private: set true to confirm pulumi up runs inside the virtual network (or a network peered with it that resolves its private DNS zones), e.g. a self-hosted CI agent: it creates the certificates through the vault\'s data plane, which has no public endpoint then. networkMode=private is refused without it.', default: false },
  checkFlexConsumptionRegion: { type: 'boolean', description: 'Refuse an azure-native:location that is not known to offer the Flex Consumption plan (list in infra/regions.ts). Set false for a region Microsoft opened after this release.', default: true },
  logRetentionDays: { type: 'integer', description: 'Log Analytics retention in days (30-730). Not with existingLogAnalyticsWorkspaceId, whose retention is its owner\'s.', default: 30 },
  existingLogAnalyticsWorkspaceId: { type: 'string', description: 'ARM id of an existing Log Analytics workspace (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>) that Application Insights and every diagnostic setting use, instead of a new workspace (README "Bring your own resources"). Empty = create the workspace.', default: '' },
  dashboard: { type: 'boolean', description: 'Deploy the migration dashboard: an Azure Monitor workbook over the function\'s telemetry in this stack\'s Application Insights (migrations per hour, outcomes, failure reasons, latency, lockouts, keyLabel). How many users are left comes from jitmigrate status (README "Migration dashboard").', default: true },
  legacyStore: { type: 'string', description: 'Where legacy credentials live: table (Azure Table Storage in the function storage account), http (legacy web service) or b2c (an Azure AD B2C tenant, b2cTenantId and b2cTenantDomain, checked with ROPC; identityPlatform externalId only; README "From Azure AD B2C to External ID").', default: 'table' },
  legacyB2cUserFlow: { type: 'string', description: 'legacyStore=b2c: name of the ROPC user flow (type resourceOwner) this stack creates in the B2C tenant and the function calls (app setting LegacyB2cPolicy): B2C_1_ followed by letters, digits and underscores.', default: 'B2C_1_ROPC' },
  legacyTableName: { type: 'string', description: 'Azure table of legacy users (legacyStore=table).', default: 'LegacyUsers' },
  stateTableName: { type: 'string', description: 'Azure table of shared state: lockout counters, per-nonce answers.', default: 'JitState' },
  stateStoreFailClosed: { type: 'boolean', description: 'While the state table cannot be reached, answer LegacyErrorAction before any hash is verified (app setting StateStoreFailClosed), instead of going on without lockout and idempotency (false, the default).', default: false },
  legacyServiceUrl: { type: 'string', description: 'https URL of the legacy web service (required when legacyStore=http). Empty = unset.', default: '' },
  legacyServiceApiKey: { type: 'string', sensitive: true, description: 'API key of the legacy web service; stored in Key Vault and referenced by the app, never in an app setting. Set it with pulumi config set --secret legacyServiceApiKey: a plain-text value is refused. Empty = unset.', default: '' },
  assignDeployerCertificatesOfficer: { type: 'boolean', description: 'Assign Key Vault Certificates Officer on the vault to the deploying principal (needed to create the certificate). Set false if it is granted another way.', default: true },
  deployerPrincipalType: { type: 'string', description: 'Kind of the deploying principal, for its role assignment: User (pulumi up from a workstation) or ServicePrincipal (CI with workload identity). ARM rejects a mismatch.', default: 'User' },
  passwordChangeCheck: { type: 'string', description: 'Before migrating a password, the function reads the user\'s createdDateTime and lastPasswordChangeDateTime from the External ID tenant\'s Microsoft Graph and answers Retry when the password changed after the account was created: graph (an app registration with User.Read.All, admin-consented) or off (no Graph reader is created).', default: 'graph' },
  graphAuthentication: { type: 'string', description: 'How the function signs in to the External ID tenant\'s Graph (passwordChangeCheck=graph): certificate (an app registration in the External ID tenant whose certificate is generated inside Key Vault and read through a Key Vault reference) or managedIdentity (a multitenant app in the subscription\'s tenant that trusts the function\'s managed identity, provisioned into the External ID tenant; global cloud only; UNVERIFIED: External ID does not document apps from another tenant).', default: 'certificate' },
  graphApiVersion: { type: 'string', description: 'Microsoft Graph version the custom authentication extension and the listener are managed through: v1.0 (their types are in v1.0 since March 2026) or beta (as the JIT guide\'s examples). Switching an existing stack changes nothing in the tenant: the same objects keep their ids.', default: JIT_OBJECTS_API_VERSION },
  resourceLocks: { type: 'boolean', description: 'Put a CanNotDelete lock on the Key Vault and on the storage account (legacy users, shared state), so neither can be deleted outside pulumi destroy, e.g. with the resource group. Locks need Microsoft.Authorization/locks/* (Owner or User Access Administrator). Set false to deploy without that permission, or before a change that removes something inside them (a role assignment, table or diagnostic setting).', default: true },
  operatorPrincipalId: { type: 'string', description: 'Object id (GUID) of the user, group or service principal that runs jitmigrate import-legacy, status and reconcile: it gets Storage Table Data Contributor on the legacy table only (legacyStore=table). Empty = nobody.', default: '' },
  operatorPrincipalType: { type: 'string', description: 'Kind of operatorPrincipalId, for its role assignment: User, Group or ServicePrincipal. ARM rejects a mismatch.', default: 'User' },
  alerts: { type: 'boolean', description: 'Deploy the alert rules over the function\'s telemetry and the Key Vault\'s logs (README "Alerts"). Without alertEmails, alertWebhookUrl or alertActionGroupId they fire in the portal only (Monitor > Alerts).', default: true },
  alertEmails: { type: 'array', description: 'E-mail addresses the alerts are sent to (an action group this stack creates).', default: [] },
  alertWebhookUrl: { type: 'string', sensitive: true, description: 'https URL the alerts are posted to (common alert schema), e.g. a Teams or incident-tool webhook. It usually carries the receiver\'s token: set it with pulumi config set --secret alertWebhookUrl; a plain-text value is refused. Empty = unset.', default: '' },
  alertActionGroupId: { type: 'string', description: 'ARM id of an existing action group the alerts are also sent to (/subscriptions/<id>/resourceGroups/<group>/providers/microsoft.insights/actionGroups/<name>). Empty = unset.', default: '' },
  alertThresholds: { type: 'array', description: 'Threshold overrides as "rule=number" strings, e.g. "signInRefusals=500"; the rules, units and defaults are listed in README "Alerts".', default: [] },
  alertWindows: { type: 'array', description: 'Look-back window overrides in minutes as "rule=minutes" strings, e.g. "signInRefusals=30"; one of 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880.', default: [] },
  identityPlatform: { type: 'string', description: 'The tenant the users migrate into: externalId (Microsoft Entra External ID: custom authentication extension and listener) or b2c (Azure AD B2C custom policies calling the function\'s /api/b2c endpoints; README "Deploy in B2C mode"). The Azure side (Key Vault, identity, function app, storage, monitoring) is the same in both.', default: 'externalId' },
  b2cTenantId: { type: 'string', description: 'identityPlatform=b2c, or legacyStore=b2c: Directory (tenant) ID of the Azure AD B2C tenant (GUID). Every azuread resource and Graph call in the B2C tenant (B2C mode, or the ROPC app and user flow of legacyStore=b2c) targets this tenant only. Empty = unset.', default: '' },
  b2cTenantDomain: { type: 'string', description: 'identityPlatform=b2c, or legacyStore=b2c: the B2C tenant\'s initial domain, e.g. contosob2c.onmicrosoft.com (the issuer of its local accounts; with legacyStore=b2c the app setting LegacyB2cTenant). Empty = unset.', default: '' },
  b2cApiAuth: { type: 'string', description: 'identityPlatform=b2c: how the policies authenticate to the function: basic (a generated user name and password), apiKey (a generated key in b2cApiKeyHeader) or bearer (a client-credentials token from a caller app registration this stack creates, for an API app registration it also creates). clientCertificate is not deployable by this program yet.', default: 'basic' },
  b2cApiKeyHeader: { type: 'string', description: 'identityPlatform=b2c with b2cApiAuth=apiKey: the HTTP header the key travels in.', default: 'x-api-key' },
  b2cPolicyPrefix: { type: 'string', description: 'identityPlatform=b2c: prefix of the uploaded policy ids (<prefix>_Migration, <prefix>_SignUpOrSignIn, <prefix>_PasswordReset) and of the policy keys they read (<prefix>_ApiPassword, ...); starts with B2C_1A_. Two stacks in one B2C tenant each need their own.', default: 'B2C_1A_JIT' },
  b2cBasePolicy: { type: 'string', description: 'identityPlatform=b2c: the starter-pack policy the migration layer extends; it must already be uploaded to the B2C tenant.', default: 'B2C_1A_TrustFrameworkExtensions' },
  b2cCreateIdentityExperienceFrameworkApps: { type: 'boolean', description: 'identityPlatform=b2c: also create the IdentityExperienceFramework and ProxyIdentityExperienceFramework app registrations the starter pack needs, for a tenant that has none yet (README "Deploy in B2C mode"). Leave false when they exist.', default: false },
  b2cSecretVersion: { type: 'integer', description: 'identityPlatform=b2c: generation of the secrets this stack makes (Basic password, API key, caller app client secret, RequestKeySecret). Raise it by one to rotate them all: the next pulumi up stores new values in Key Vault, the app and the policy keys (README "Deploy in B2C mode").', default: 1 },
  legacyServiceLookupUrl: { type: 'string', description: 'identityPlatform=b2c with legacyStore=http: https URL of the legacy service\'s look-up endpoint (a user by email, no password) that B2C sign-up and password reset need (app setting LegacyServiceLookupUrl; docs/legacy-web-service.md). Empty = unset.', default: '' },
} as const satisfies Record<string, ConfigKeySchema>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

export type LegacyStoreConfig =
  | { readonly kind: 'table'; readonly tableName: string }
  | { readonly kind: 'http'; readonly serviceUrl: string; readonly apiKey?: pulumi.Output<string>; readonly lookupUrl?: string }
  | LegacyB2cStoreConfig;

/** legacyStore=b2c: the B2C tenant the function checks passwords against with ROPC (components/legacyB2c.ts). */
export interface LegacyB2cStoreConfig {
  readonly kind: 'b2c';
  /** b2cTenantId, lower case. */
  readonly tenantId: string;
  /** b2cTenantDomain: `contosob2c.onmicrosoft.com`. */
  readonly tenantDomain: string;
  /** legacyB2cUserFlow: `B2C_1_…`. */
  readonly userFlow: string;
  readonly graphBaseUrl: string;
}

/** The Graph reader behind the function's password-change check (components/graphReader.ts). */
export type PasswordChangeCheckConfig =
  | { readonly mode: 'off' }
  | { readonly mode: 'graph'; readonly authentication: 'certificate'; readonly certificate: CertificateConfig }
  | { readonly mode: 'graph'; readonly authentication: 'managedIdentity' };

/** The Graph client certificate's Key Vault name and subject: fixed, so a stack never renames (replaces) it. */
export const GRAPH_CLIENT_CERTIFICATE = { name: 'jit-graph-client', subject: 'CN=JitMigrationGraphReader', keySize: 2048 } as const;

/** The alert rules' recipients and overrides (components/alerting.ts, README "Alerts"). */
export interface AlertsConfig {
  readonly emails: readonly string[];
  /** A secret Output (the URL usually carries the receiver's token); undefined = no webhook. */
  readonly webhookUrl?: pulumi.Output<string>;
  /** ARM id of an existing action group. */
  readonly actionGroupId?: string;
  readonly thresholds: Readonly<Partial<Record<AlertRuleId, number>>>;
  readonly windowMinutes: Readonly<Partial<Record<AlertRuleId, number>>>;
}

/** networkMode (README "Private networking"); components/network.ts builds the private side. */
export type NetworkConfig =
  | { readonly mode: 'public' }
  | {
      readonly mode: 'private';
      /** The virtual network this stack creates (unused with `existingSubnets`). */
      readonly addressSpace: string;
      /** Subnets of an existing virtual network, instead of a new one. */
      readonly existingSubnets?: { readonly integration: string; readonly privateEndpoints: string };
    };

/** An existing Key Vault (existingKeyVaultId), split into the parts its users need. */
export interface ExistingKeyVault {
  /** As configured: the scope of this stack's role assignments on it. */
  readonly id: string;
  readonly name: string;
  readonly resourceGroupName: string;
  readonly subscriptionId: string;
  /** `https://{name}.{the cloud's Key Vault suffix}/`. */
  readonly uri: string;
}

/** Resources a platform team owns (README "Bring your own resources"); each one unset = the stack creates its own. */
export interface ExistingResources {
  readonly resourceGroupName?: string;
  readonly logAnalyticsWorkspaceId?: string;
  readonly keyVault?: ExistingKeyVault;
}

export interface CertificateConfig {
  readonly name: string;
  readonly subject: string;
  readonly keySize: number;
  readonly validityInMonths: number;
  readonly renewDaysBeforeExpiry: number;
}

/** identityPlatform: the tenant the users migrate into (README "Deploy to Azure"). */
export type IdentityPlatform = 'externalId' | 'b2c';

/** What B2C mode deploys (components/b2cTenant.ts, components/b2cPolicies.ts); set exactly with identityPlatform=b2c. */
export interface B2cConfig {
  readonly tenantId: string;
  /** The initial domain, `contosob2c.onmicrosoft.com`. */
  readonly tenantDomain: string;
  /** clientCertificate is refused by the config (its .pfx policy key cannot be made here yet). */
  readonly apiAuth: Exclude<B2cApiAuth, 'clientCertificate'>;
  /** apiKey only. */
  readonly apiKeyHeader: string;
  readonly policyPrefix: string;
  readonly basePolicy: string;
  readonly createIdentityExperienceFrameworkApps: boolean;
  /** Raised by one = every generated secret is made anew (rotation). */
  readonly secretVersion: number;
  /** The flag on the b2c-extensions-app the policies read (lib/b2c/contract.ts). */
  readonly migrationPropertyName: typeof B2C_MIGRATION_FLAG;
  readonly graphBaseUrl: string;
}

export interface InfraConfig {
  readonly project: string;
  readonly stack: string;
  /** `azure-native:location`. */
  readonly location: string;
  readonly environment: string;
  readonly prefix: string;
  readonly nameSeed: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly identityPlatform: IdentityPlatform;
  /** Set exactly with identityPlatform=b2c. */
  readonly b2c?: B2cConfig;
  /** With identityPlatform=b2c its tenant fields are empty and nothing is made in an External ID tenant. */
  readonly externalId: {
    readonly tenantId: string;
    readonly tenantDomain: string;
    readonly graphBaseUrl: string;
    readonly clientAppIds: readonly string[];
    readonly migrationPropertyName: string;
    readonly timeoutInMilliseconds: number;
    readonly maximumRetries: number;
    readonly createTestClient: boolean;
  };
  readonly certificate: CertificateConfig;
  /** Rotation override; unset = the current certificate's previous version (when one exists). */
  readonly previousCertificate?: { readonly name: string; readonly version?: string };
  readonly hosting: {
    /** The function's own deadline (app setting CalloutBudgetMs), derived from the extension's timeout. */
    readonly calloutBudgetMs: number;
    readonly alwaysReadyInstances: number;
    readonly maximumInstanceCount: number;
    readonly instanceMemoryMB: 512 | 2048 | 4096;
  };
  /** Disabled exactly when `network.mode` is private. */
  readonly keyVaultPublicNetworkAccess: 'Enabled' | 'Disabled';
  readonly network: NetworkConfig;
  /** Unused with `existing.logAnalyticsWorkspaceId`. */
  readonly logRetentionDays: number;
  readonly existing: ExistingResources;
  /** The migration dashboard workbook. */
  readonly dashboard: boolean;
  readonly legacy: LegacyStoreConfig;
  readonly stateTableName: string;
  /** App setting StateStoreFailClosed. */
  readonly stateStoreFailClosed: boolean;
  readonly assignDeployerCertificatesOfficer: boolean;
  readonly deployerPrincipalType: 'User' | 'ServicePrincipal';
  readonly passwordChangeCheck: PasswordChangeCheckConfig;
  /** Graph version the custom extension and the listener are managed through. */
  readonly graphApiVersion: GraphApiVersion;
  /** CanNotDelete locks on the vault and the storage account. */
  readonly resourceLocks: boolean;
  /** Undefined when alerts=false. */
  readonly alerts?: AlertsConfig;
  /** Who runs the CLI against the legacy table (Storage Table Data Contributor on it); undefined = nobody. */
  readonly operator?: { readonly principalId: string; readonly principalType: PrincipalType };
  /** Accepted but doubtful settings, printed at preview (`pulumi.log.warn`). */
  readonly warnings: readonly string[];
}

/** What the parser reads; `pulumiConfigSource()` in a program, a plain object in tests. */
export interface ConfigSource {
  readonly project: string;
  readonly stack: string;
  /** Raw string as the CLI stores it (arrays as JSON); undefined for a sensitive key. */
  get(key: ConfigKey): string | undefined;
  /** Sensitive keys only; the value stays inside a secret Output. Undefined when unset or empty. */
  getSecret(key: ConfigKey): pulumi.Output<string> | undefined;
  /** Whether the stack stores the key encrypted (`pulumi config set --secret`). */
  isSecret(key: ConfigKey): boolean;
  /** Every fully qualified key the stack sets (`pulumi.runtime.allConfig()`), to refuse misspelt ones. */
  keys(): readonly string[];
  readonly location: string | undefined;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid stack configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/; // Azure Table naming; the function's loader checks the same
const KEY_VAULT_OBJECT = /^[0-9a-zA-Z-]{1,127}$/;

/** Collects problems; each message names the key, what is wrong and how to fix it, never a secret value. */
class Reader {
  readonly problems: string[] = [];
  private readonly source: ConfigSource;
  constructor(source: ConfigSource) {
    this.source = source;
  }

  private full(key: ConfigKey): string {
    return `${this.source.project}:${key}`;
  }

  problem(key: ConfigKey, text: string): void {
    this.problems.push(`${this.full(key)} ${text}`);
  }

  private fallback<T>(key: ConfigKey): T | undefined {
    const schema: ConfigKeySchema = CONFIG_SCHEMA[key];
    return schema.default as T | undefined;
  }

  string(key: ConfigKey, fix: string, required = false): string | undefined {
    const raw = this.source.get(key);
    if (raw === undefined || raw === '') {
      const value = this.fallback<string>(key);
      // An empty default is the CLI's way of handing over an unset optional key.
      if ((value === undefined || value === '') && required) this.problem(key, `is not set: ${fix}`);
      return value;
    }
    return raw.trim();
  }

  matching(key: ConfigKey, pattern: RegExp, fix: string, required = false): string | undefined {
    const value = this.string(key, fix, required);
    if (value !== undefined && value !== '' && !pattern.test(value)) {
      this.problem(key, `is '${value}': ${fix}`);
      return undefined;
    }
    return value;
  }

  guid(key: ConfigKey, fix: string): string | undefined {
    return this.matching(key, GUID, fix, true)?.toLowerCase();
  }

  integer(key: ConfigKey, min: number, max: number, allowed?: readonly number[]): number {
    const raw = this.source.get(key);
    const fallback = this.fallback<number>(key) ?? min;
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    const ok = Number.isInteger(value) && value >= min && value <= max && (!allowed || allowed.includes(value));
    if (!ok) {
      const range = allowed ? `one of ${allowed.join(', ')}` : `a whole number from ${min} to ${max}`;
      this.problem(key, `is '${raw}': set it to ${range} (default ${fallback})`);
      return fallback;
    }
    return value;
  }

  boolean(key: ConfigKey, fallback?: boolean): boolean {
    const raw = this.source.get(key);
    const def = fallback ?? this.fallback<boolean>(key) ?? false;
    if (raw === undefined || raw === '') return def;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    this.problem(key, `is '${raw}': set it to true or false`);
    return def;
  }

  choice<T extends string>(key: ConfigKey, allowed: readonly T[]): T {
    const value = this.string(key, '');
    const fallback = this.fallback<T>(key) ?? allowed[0]!;
    if (value === undefined) return fallback;
    const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (!match) {
      this.problem(key, `is '${value}': set it to one of ${allowed.join(', ')}`);
      return fallback;
    }
    return match;
  }

  stringArray(key: ConfigKey): string[] {
    const raw = this.source.get(key);
    if (raw === undefined || raw === '') return [...((this.fallback<readonly string[]>(key) ?? []) as string[])];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
      this.problem(key, `must be a list of strings: set it with pulumi config set --path '${key}[0]' <value>`);
      return [];
    }
    return parsed.map((item: string) => item.trim());
  }

  httpsUrl(key: ConfigKey, required: boolean, originOnly: boolean): string | undefined {
    const value = this.string(key, 'set it to an https URL', required);
    if (value === undefined || value === '') return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.problem(key, `is not a URL: set it to an https URL`);
      return undefined;
    }
    if (url.protocol !== 'https:') {
      this.problem(key, `must use https: set it to an https URL`);
      return undefined;
    }
    if (originOnly && (url.pathname !== '/' || url.search || url.hash)) {
      this.problem(key, `must be an origin without a path, like https://graph.microsoft.com`);
      return undefined;
    }
    return originOnly ? url.origin : value;
  }
}

/** Parses and validates; throws `ConfigError` listing every problem. Pure apart from reading `source`. */
export function parseConfig(source: ConfigSource): InfraConfig {
  const r = new Reader(source);
  const warnings: string[] = [];

  // A misspelt key would otherwise be ignored and its default used without a word.
  const known = Object.keys(CONFIG_SCHEMA);
  for (const fullKey of source.keys()) {
    const [namespace, key] = fullKey.includes(':') ? (fullKey.split(/:(.*)/s) as [string, string]) : [source.project, fullKey];
    if (namespace !== source.project || known.includes(key)) continue;
    const suggestion = nearest(key, known);
    r.problems.push(
      `${source.project}:${key} is not a setting of this project${suggestion ? `: did you mean ${suggestion}?` : ''} Remove it (pulumi config rm ${key})${suggestion ? ` and set ${suggestion} instead` : ''}; the settings are listed in Pulumi.yaml`,
    );
  }

  const location = source.location?.trim();
  if (!location) r.problems.push(`azure-native:location is not set: pulumi config set azure-native:location <region>, e.g. westeurope (a region that offers Flex Consumption)`);

  const environment = r.matching('environment', /^[a-z][a-z0-9]{0,7}$/, 'set it to 1-8 lower-case letters and digits starting with a letter, e.g. dev or prod', true) ?? 'invalid';
  const prefix = r.matching('prefix', /^(?!.*--)[a-z][a-z0-9-]{0,8}[a-z0-9]$/, 'use 2-10 lower-case letters, digits and single hyphens, starting with a letter') ?? 'invalid';
  const nameSeed = r.matching('nameSeed', /^[a-z0-9-]{0,32}$/, 'use up to 32 lower-case letters, digits and hyphens') ?? '';

  const tags: Record<string, string> = {};
  for (const entry of r.stringArray('tags')) {
    const match = /^([^=<>%&\\?/]{1,512})=(.{0,256})$/.exec(entry);
    if (!match) {
      r.problem('tags', `entry '${entry}' is not "key=value" (key 1-512 characters without < > % & \\ ? /, value up to 256)`);
      continue;
    }
    tags[match[1]!.trim()] = match[2]!.trim();
  }
  // Fixed tags last, so a stack cannot mislabel what manages a resource.
  Object.assign(tags, { environment, 'managed-by': 'pulumi', project: source.project });

  const identityPlatform = r.choice('identityPlatform', ['externalId', 'b2c'] as const);
  const b2cMode = identityPlatform === 'b2c';
  /** An External ID key set in B2C mode is refused: a stack never reads as if it deployed both. */
  const externalIdOnly = (key: ConfigKey, isSet: boolean): void => {
    if (b2cMode && isSet) r.problem(key, `applies to identityPlatform externalId only, and this stack sets identityPlatform b2c: remove it (pulumi config rm ${key})`);
  };
  const isSet = (key: ConfigKey): boolean => (source.get(key) ?? '').trim() !== '';
  externalIdOnly('externalIdTenantId', isSet('externalIdTenantId'));
  externalIdOnly('externalIdTenantDomain', isSet('externalIdTenantDomain'));
  const tenantId = b2cMode ? '' : (r.guid('externalIdTenantId', 'set it to the Directory (tenant) ID GUID of the External ID tenant (Entra admin center > Overview)') ?? '');
  const domainRaw = b2cMode ? undefined : r.string('externalIdTenantDomain', 'set it to the tenant subdomain, e.g. contoso for contoso.onmicrosoft.com', true);
  let tenantDomain = '';
  if (domainRaw !== undefined && domainRaw !== '') {
    if (/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(domainRaw)) tenantDomain = domainRaw.toLowerCase();
    else r.problem('externalIdTenantDomain', `is '${domainRaw}': set only the subdomain, e.g. contoso for contoso.onmicrosoft.com or contoso.ciamlogin.com`);
  }
  let graphBaseUrl = r.httpsUrl('graphBaseUrl', true, true) ?? 'https://graph.microsoft.com';
  let cloud = 'global';
  try {
    cloud = cloudOf(graphBaseUrl);
  } catch (error) {
    r.problem('graphBaseUrl', `is '${graphBaseUrl}': ${(error as Error).message.replace(/^graphBaseUrl "[^"]*" /, '')}`);
    graphBaseUrl = 'https://graph.microsoft.com';
  }

  // Region lists hold for the public cloud only (regions.ts).
  const checkRegion = r.boolean('checkFlexConsumptionRegion');
  if (location && cloud === 'global') {
    const region = regionKey(location);
    if (!AZURE_PUBLIC_REGIONS.includes(region)) {
      const suggestion = nearest(region, AZURE_PUBLIC_REGIONS);
      r.problems.push(`azure-native:location is '${location}', which is not an Azure region${suggestion ? `: did you mean ${suggestion}?` : ''} Set it with pulumi config set azure-native:location <region> (az account list-locations -o table)`);
    } else if (checkRegion && !FLEX_CONSUMPTION_REGIONS.includes(region)) {
      r.problems.push(
        `azure-native:location is '${location}', a region without the Flex Consumption plan the function runs on: choose one of ${FLEX_CONSUMPTION_REGIONS.filter((x) => !x.endsWith('euap')).join(', ')}; if Microsoft has since opened Flex Consumption there (az functionapp list-flexconsumption-locations), set checkFlexConsumptionRegion to false`,
      );
    }
  }

  const clientAppIds = r.stringArray('clientAppIds').map((id) => id.toLowerCase());
  clientAppIds.forEach((id, i) => {
    if (!GUID.test(id)) r.problem('clientAppIds', `entry ${i} '${id}' is not a GUID: set each entry to an application (client) ID`);
  });
  const duplicates = [...new Set(clientAppIds.filter((id, i) => clientAppIds.indexOf(id) !== i))];
  if (duplicates.length > 0) r.problem('clientAppIds', `lists ${duplicates.join(', ')} more than once: remove the duplicate entr${duplicates.length === 1 ? 'y' : 'ies'}`);

  // Graph: extension_<32 hex>_<name>; letters and digits keep the name valid everywhere it appears.
  const migrationPropertyName = r.matching('migrationPropertyName', /^[A-Za-z][A-Za-z0-9]{0,63}$/, 'use 1-64 letters and digits, starting with a letter') ?? 'requiresMigration';
  if (b2cMode && migrationPropertyName !== B2C_MIGRATION_FLAG) {
    r.problem('migrationPropertyName', `is '${migrationPropertyName}' while identityPlatform=b2c: the generated policies read the flag ${B2C_MIGRATION_FLAG}; remove it (pulumi config rm migrationPropertyName)`);
  }
  // Graph customExtensionClientConfiguration: timeout 200-2000 ms, retries 0-1 (docs/entra-contracts.md#custom-extension). The function
  // must answer inside it: its own deadline is the timeout less the network margin, and at least its minimum.
  const timeoutInMilliseconds = r.integer('customExtensionTimeoutMs', 200, 2000);
  const calloutBudgetMs = timeoutInMilliseconds - CALLOUT_NETWORK_MARGIN_MS;
  if (calloutBudgetMs < MIN_CALLOUT_BUDGET_MS) {
    r.problem(
      'customExtensionTimeoutMs',
      `is ${timeoutInMilliseconds}: Entra would give up before the function could answer (it keeps ${CALLOUT_NETWORK_MARGIN_MS} ms for the network and needs at least ${MIN_CALLOUT_BUDGET_MS} ms itself); set it to ${MIN_CALLOUT_BUDGET_MS + CALLOUT_NETWORK_MARGIN_MS}-2000, default 2000`,
    );
  }
  const maximumRetries = r.integer('customExtensionMaximumRetries', 0, 1);
  const createTestClient = r.boolean('createTestClient');
  externalIdOnly('clientAppIds', clientAppIds.length > 0);
  externalIdOnly('createTestClient', createTestClient);
  if (createTestClient && environment !== 'dev' && !b2cMode) {
    warnings.push(
      `${source.project}:createTestClient is true in environment '${environment}': it creates a test app with tenant-wide consent and a public sign-in URL. Set it to false (pulumi config set createTestClient false) unless this stack is for testing`,
    );
  }
  if (clientAppIds.length === 0 && !createTestClient && !b2cMode) {
    r.problem('clientAppIds', 'is empty and createTestClient is false: the migration listener would apply to no application; list the client IDs of your sign-in apps');
  }

  const validityInMonths = r.integer('certificateValidityMonths', 1, 120);
  const certificate: CertificateConfig = {
    name: r.matching('certificateName', KEY_VAULT_OBJECT, 'use 1-127 letters, digits and hyphens (Key Vault object name)') ?? 'invalid',
    subject: r.matching('certificateSubject', /^CN=[^,;]{1,64}$/, 'use CN=<name>, e.g. CN=JitMigration') ?? 'CN=JitMigration',
    keySize: r.integer('certificateKeySize', Math.min(...ENCRYPTION_KEY_SIZES), Math.max(...ENCRYPTION_KEY_SIZES), ENCRYPTION_KEY_SIZES),
    validityInMonths,
    // Key Vault's limit for lifetime-action days: validity in months x 27.
    renewDaysBeforeExpiry: r.integer('certificateRenewDaysBeforeExpiry', 1, validityInMonths * 27),
  };

  const previousName = r.matching('previousCertificateName', KEY_VAULT_OBJECT, 'use the Key Vault name of the previous certificate');
  const previousVersion = r.matching('previousCertificateVersion', /^[0-9a-f]{32}$/i, 'use the 32-hex-character version id (az keyvault certificate list-versions)')?.toLowerCase();
  let previousCertificate: InfraConfig['previousCertificate'];
  if (previousName || previousVersion) {
    const name = previousName || certificate.name;
    if (name === certificate.name && !previousVersion) {
      r.problem('previousCertificateVersion', `is not set while previousCertificateName is the current certificate: pin the old version, or both settings resolve to the same (latest) key`);
    }
    previousCertificate = previousVersion ? { name, version: previousVersion } : { name };
  }

  const alwaysReadyInstances = r.integer('alwaysReadyInstances', 0, 1000);
  const maximumInstanceCount = r.integer('maximumInstanceCount', 1, 1000);
  if (alwaysReadyInstances > maximumInstanceCount) r.problem('alwaysReadyInstances', `(${alwaysReadyInstances}) exceeds maximumInstanceCount (${maximumInstanceCount}): lower it or raise the maximum`);
  const instanceMemoryMB = r.integer('instanceMemoryMB', 512, 4096, [512, 2048, 4096]) as 512 | 2048 | 4096;

  const network = networkConfig(r, cloud);
  const vaultAccessSetting = r.choice('keyVaultPublicNetworkAccess', ['Enabled', 'Disabled'] as const);
  if (vaultAccessSetting === 'Disabled' && network.mode === 'public') {
    r.problem(
      'keyVaultPublicNetworkAccess',
      'is Disabled while networkMode=public, which has no private endpoint or virtual network integration: the function could not read its keys and pulumi up could not create the certificate. Keep Enabled (access stays RBAC-only: only the function identity and the deployer hold roles), or set networkMode private, which closes the vault and storage to the internet itself (README "Private networking")',
    );
  }
  const keyVaultPublicNetworkAccess = network.mode === 'private' ? 'Disabled' : vaultAccessSetting;
  const logRetentionDays = r.integer('logRetentionDays', 30, 730);
  const existing = existingResources(r, network.mode, cloud, logRetentionDays);
  const dashboard = r.boolean('dashboard');

  const tableFix = 'use 3-63 letters and digits starting with a letter (Azure Table naming)';
  const legacyStore = r.choice('legacyStore', ['table', 'http', 'b2c'] as const);
  const legacyTableName = r.matching('legacyTableName', TABLE_NAME, tableFix) ?? 'LegacyUsers';
  const stateTableName = r.matching('stateTableName', TABLE_NAME, tableFix) ?? 'JitState';
  const stateStoreFailClosed = r.boolean('stateStoreFailClosed');
  if (legacyStore === 'table' && legacyTableName.toLowerCase() === stateTableName.toLowerCase()) {
    r.problem('stateTableName', 'equals legacyTableName: give the shared state its own table');
  }
  let legacy: LegacyStoreConfig;
  const apiKey = source.getSecret('legacyServiceApiKey');
  if (apiKey && !source.isSecret('legacyServiceApiKey')) {
    r.problem('legacyServiceApiKey', 'is stored in plain text in the stack file: set it again with pulumi config set --secret legacyServiceApiKey <key>, and rotate the key, since the plain value may already be in version control');
  }
  if (legacyStore === 'http') {
    const serviceUrl = credentialFree(r, 'legacyServiceUrl', r.httpsUrl('legacyServiceUrl', true, false)) ?? '';
    // B2C sign-up and password reset look a user up without a password (function setting LegacyServiceLookupUrl).
    const lookupUrl = credentialFree(r, 'legacyServiceLookupUrl', r.httpsUrl('legacyServiceLookupUrl', false, false));
    if (b2cMode && !lookupUrl && !isSet('legacyServiceLookupUrl')) {
      r.problem('legacyServiceLookupUrl', 'is not set while identityPlatform=b2c and legacyStore=http: B2C sign-up and password reset look a user up without a password; set it to the legacy service\'s look-up endpoint (docs/legacy-web-service.md)');
    }
    legacy = { kind: 'http', serviceUrl, ...(apiKey ? { apiKey } : {}), ...(lookupUrl ? { lookupUrl } : {}) };
  } else {
    if (source.get('legacyServiceUrl')) r.problem('legacyServiceUrl', `is set while legacyStore=${legacyStore}: remove it or set legacyStore=http`);
    if (isSet('legacyServiceLookupUrl')) r.problem('legacyServiceLookupUrl', `is set while legacyStore=${legacyStore}: remove it or set legacyStore=http`);
    if (apiKey) r.problem('legacyServiceApiKey', `is set while legacyStore=${legacyStore}: remove it (pulumi config rm legacyServiceApiKey) or set legacyStore=http`);
    legacy = legacyStore === 'b2c' ? legacyB2cStore(r, b2cMode, graphBaseUrl, tenantId) : { kind: 'table', tableName: legacyTableName };
  }
  // The CLI hands an unset key over as its default: only another name is a setting made for nothing.
  if (legacyStore !== 'b2c' && (source.get('legacyB2cUserFlow') ?? '').trim() !== String(CONFIG_SCHEMA.legacyB2cUserFlow.default) && isSet('legacyB2cUserFlow')) r.problem('legacyB2cUserFlow', `is set while legacyStore=${legacyStore}: remove it (pulumi config rm legacyB2cUserFlow) or set legacyStore=b2c`);
  const assignDeployerCertificatesOfficer = r.boolean('assignDeployerCertificatesOfficer');
  const deployerPrincipalType = r.choice('deployerPrincipalType', ['User', 'ServicePrincipal'] as const);

  const checkMode = r.choice('passwordChangeCheck', ['graph', 'off'] as const);
  const graphAuthentication = r.choice('graphAuthentication', ['certificate', 'managedIdentity'] as const);
  let passwordChangeCheck: PasswordChangeCheckConfig = { mode: 'off' };
  if (b2cMode) {
    // The check reads the External ID tenant; B2C mode has none (README "Deploy in B2C mode").
  } else if (checkMode === 'graph' && graphAuthentication === 'certificate') {
    // Signing key of the reader app: validity and renewal follow the decryption certificate's, so one
    // scheduled `pulumi up --refresh` picks up both renewals.
    passwordChangeCheck = {
      mode: 'graph',
      authentication: 'certificate',
      certificate: { ...GRAPH_CLIENT_CERTIFICATE, validityInMonths, renewDaysBeforeExpiry: certificate.renewDaysBeforeExpiry },
    };
    for (const key of ['certificateName', 'previousCertificateName'] as const) {
      const taken = key === 'certificateName' ? certificate.name : previousCertificate?.name;
      if (taken?.toLowerCase() === GRAPH_CLIENT_CERTIFICATE.name) {
        r.problem(key, `is '${taken}', the Key Vault name of the Graph client certificate: choose another name`);
      }
    }
  } else if (checkMode === 'graph') {
    // The function asks its identity for audience api://AzureADTokenExchange and presents it to
    // login.microsoftonline.com: the global cloud's values (learn entra/workload-id "Configure an application
    // to trust a managed identity"); other clouds use other audiences and issuers.
    if (graphBaseUrl !== 'https://graph.microsoft.com') {
      r.problem('graphAuthentication', `is managedIdentity while graphBaseUrl is ${graphBaseUrl}: that route is set up for the global cloud only; use certificate`);
    }
    passwordChangeCheck = { mode: 'graph', authentication: 'managedIdentity' };
  }

  const graphApiVersion = r.choice('graphApiVersion', GRAPH_API_VERSIONS);
  const resourceLocks = r.boolean('resourceLocks');
  const alerts = alertsConfig(r, source);
  const operatorPrincipalId = r.matching('operatorPrincipalId', GUID, "set it to the operator's object id (a GUID): az ad signed-in-user show --query id -o tsv, or a group's id")?.toLowerCase();
  const operatorPrincipalType = r.choice('operatorPrincipalType', PRINCIPAL_TYPES);
  let operator: InfraConfig['operator'];
  if (operatorPrincipalId && legacy.kind !== 'table') {
    r.problem('operatorPrincipalId', `is set while legacyStore=${legacy.kind}: there is no legacy table to grant access to; remove it (pulumi config rm operatorPrincipalId) or set legacyStore=table`);
  } else if (operatorPrincipalId) {
    operator = { principalId: operatorPrincipalId, principalType: operatorPrincipalType };
  }

  const b2c = b2cConfig(r, source, b2cMode, graphBaseUrl, legacyStore === 'b2c');

  if (r.problems.length > 0) throw new ConfigError(r.problems);

  return deepFreeze<InfraConfig>({
    project: source.project,
    stack: source.stack,
    location: location!,
    environment,
    prefix,
    nameSeed,
    tags,
    identityPlatform,
    ...(b2c ? { b2c } : {}),
    externalId: { tenantId, tenantDomain, graphBaseUrl, clientAppIds, migrationPropertyName, timeoutInMilliseconds, maximumRetries, createTestClient },
    certificate,
    ...(previousCertificate ? { previousCertificate } : {}),
    hosting: { calloutBudgetMs, alwaysReadyInstances, maximumInstanceCount, instanceMemoryMB },
    keyVaultPublicNetworkAccess,
    network,
    logRetentionDays,
    existing,
    dashboard,
    legacy,
    stateTableName,
    stateStoreFailClosed,
    assignDeployerCertificatesOfficer,
    deployerPrincipalType,
    passwordChangeCheck,
    warnings,
    graphApiVersion,
    resourceLocks,
    ...(alerts ? { alerts } : {}),
    ...(operator ? { operator } : {}),
  });
}

/** The config key each policy-generator option comes from: the generator's own checks word the problem. */
const B2C_OPTION_KEYS: Partial<Record<B2cPolicyOption, ConfigKey>> = {
  tenant: 'b2cTenantDomain',
  auth: 'b2cApiAuth',
  basePolicy: 'b2cBasePolicy',
  policyPrefix: 'b2cPolicyPrefix',
  apiKeyHeader: 'b2cApiKeyHeader',
};

/**
 * identityPlatform=b2c: the B2C keys, validated by the policy generator itself (one copy of its rules) with
 * stand-ins for what only the deployment knows (the function's host, the b2c-extensions-app, the API app).
 * With externalId: undefined, and a B2C tenant set anyway is refused.
 */
function b2cConfig(r: Reader, source: ConfigSource, b2cMode: boolean, graphBaseUrl: string, legacyB2c: boolean): B2cConfig | undefined {
  if (!b2cMode) {
    // legacyStore=b2c reads them itself (legacyB2cStore).
    for (const key of legacyB2c ? [] : (['b2cTenantId', 'b2cTenantDomain'] as const)) {
      if ((source.get(key) ?? '').trim() !== '') {
        r.problem(key, `is set while identityPlatform=externalId: set identityPlatform b2c to deploy B2C mode, or legacyStore b2c to check passwords against this B2C tenant (README "From Azure AD B2C to External ID"), or remove it (pulumi config rm ${key})`);
      }
    }
    return undefined;
  }
  const tenantId = r.guid('b2cTenantId', 'set it to the Directory (tenant) ID GUID of the Azure AD B2C tenant (Azure portal > Azure AD B2C > Overview)') ?? '';
  const tenantDomain = (r.string('b2cTenantDomain', "set it to the B2C tenant's initial domain, e.g. contosob2c.onmicrosoft.com", true) ?? '').toLowerCase();
  const auth = r.choice('b2cApiAuth', B2C_API_AUTHS);
  if (auth === 'clientCertificate') {
    r.problem(
      'b2cApiAuth',
      'is clientCertificate, which this program does not deploy: Flex Consumption documents neither enforcing incoming client certificates nor stripping a forged X-ARR-ClientCert header (README "B2C mode"), and the policy key would be a .pfx with the private key (uploadPkcs12) the stack does not make; use basic (default), apiKey or bearer',
    );
  }
  const apiKeyHeader = r.string('b2cApiKeyHeader', '') ?? 'x-api-key';
  const policyPrefix = r.string('b2cPolicyPrefix', '') ?? '';
  const basePolicy = r.string('b2cBasePolicy', '') ?? '';
  if (tenantDomain !== '' && auth !== 'clientCertificate') {
    const standIn = '00000000-0000-4000-8000-000000000000';
    try {
      resolveB2cPolicyOptions({
        tenant: tenantDomain,
        apiUrl: 'https://function.azurewebsites.net',
        auth,
        extensionsAppClientId: standIn,
        extensionsAppObjectId: standIn,
        basePolicy,
        policyPrefix,
        ...(auth === 'apiKey' ? { apiKeyHeader } : {}),
        ...(auth === 'bearer' ? { apiAppId: standIn } : {}),
      });
    } catch (error) {
      if (!(error instanceof B2cPolicyOptionsError)) throw error;
      const nameOf = (option: B2cPolicyOption): string => B2C_OPTION_KEYS[option] ?? option;
      for (const found of error.problems) r.problems.push(`${source.project}:${new B2cPolicyOptionsError([found]).describe(nameOf)}`);
    }
  }
  return {
    tenantId,
    tenantDomain,
    apiAuth: auth === 'clientCertificate' ? 'basic' : auth,
    apiKeyHeader,
    policyPrefix,
    basePolicy,
    createIdentityExperienceFrameworkApps: r.boolean('b2cCreateIdentityExperienceFrameworkApps'),
    secretVersion: r.integer('b2cSecretVersion', 1, 1_000_000),
    migrationPropertyName: B2C_MIGRATION_FLAG,
    graphBaseUrl,
  };
}

/** A user flow's name as B2C gives it (`B2C_1_` + the name the POST carries); custom policies are B2C_1A_. */
const USER_FLOW_NAME = /^B2C_1_[A-Za-z0-9_]{1,100}$/;

/**
 * legacyStore=b2c: the B2C tenant the function checks passwords against (ROPC), named by the same b2cTenantId and
 * b2cTenantDomain B2C mode uses. The External ID callout only: B2C mode's own sign-ins are B2C's.
 */
function legacyB2cStore(r: Reader, b2cMode: boolean, graphBaseUrl: string, externalIdTenantId: string): LegacyB2cStoreConfig {
  if (b2cMode) {
    r.problem('legacyStore', 'is b2c while identityPlatform=b2c: the B2C tenant as the legacy store serves the External ID callout only (the function refuses LegacyStore=b2c with IdentityPlatform=b2c); set identityPlatform externalId to migrate from B2C into External ID, or choose table or http');
    return { kind: 'b2c', tenantId: '', tenantDomain: '', userFlow: '', graphBaseUrl };
  }
  const tenantId = r.guid('b2cTenantId', 'set it to the Directory (tenant) ID GUID of the Azure AD B2C tenant users migrate from (Azure portal > Azure AD B2C > Overview)') ?? '';
  const domainRaw = r.string('b2cTenantDomain', "set it to the B2C tenant's initial domain, e.g. contosob2c.onmicrosoft.com", true) ?? '';
  let tenantDomain = '';
  if (domainRaw !== '' && B2C_TENANT_DOMAIN.test(domainRaw)) tenantDomain = domainRaw.toLowerCase();
  else if (domainRaw !== '') r.problem('b2cTenantDomain', `is '${domainRaw}': set it to the B2C tenant's initial domain, e.g. contosob2c.onmicrosoft.com (not a b2clogin.com host or a custom domain)`);
  if (tenantId !== '' && tenantId === externalIdTenantId) {
    r.problem('b2cTenantId', 'is externalIdTenantId: set it to the B2C tenant users migrate from, and externalIdTenantId to the External ID tenant they migrate into');
  }
  const userFlow = r.matching('legacyB2cUserFlow', USER_FLOW_NAME, 'set it to B2C_1_ followed by letters, digits and underscores, e.g. B2C_1_ROPC (a user flow; B2C_1A_ names a custom policy)') ?? 'B2C_1_ROPC';
  return { kind: 'b2c', tenantId, tenantDomain, userFlow, graphBaseUrl };
}

const SUBNET_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.Network\/virtualNetworks\/[-\w.]{2,64}\/subnets\/[-\w.]{1,80}$/i;
/** The smallest and largest virtual network this stack creates: halves and quarters stay usable subnets. */
const ADDRESS_SPACE_PREFIX = { min: 16, max: 24 } as const;

/** networkMode and the keys that only apply to one mode (README "Private networking"). */
function networkConfig(r: Reader, cloud: string): NetworkConfig {
  const mode = r.choice('networkMode', ['public', 'private'] as const);
  const integration = r.matching('existingSubnetId', SUBNET_ID, 'set it to a subnet\'s ARM id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>') ?? '';
  const privateEndpoints = r.matching('existingPrivateEndpointSubnetId', SUBNET_ID, 'set it to a subnet\'s ARM id, like existingSubnetId') ?? '';
  const deployerInside = r.boolean('deployerInPrivateNetwork');
  const addressSpace = r.string('virtualNetworkAddressSpace', 'set it to an IPv4 block such as 10.80.0.0/22', false) ?? '';
  if (mode === 'public') {
    for (const [key, set] of [['existingSubnetId', integration], ['existingPrivateEndpointSubnetId', privateEndpoints], ['deployerInPrivateNetwork', deployerInside]] as const) {
      if (set) r.problem(key, `is set while networkMode=public: remove it (pulumi config rm ${key}) or set networkMode private`);
    }
    return { mode };
  }
  // The private DNS zone names (privatelink.vaultcore.azure.net, privatelink.<service>.core.windows.net) are the global cloud's.
  if (cloud !== 'global') r.problem('networkMode', `is private while graphBaseUrl is in the ${cloud} cloud: the private DNS zones are set up for the global cloud only; use networkMode public`);
  if (!deployerInside) {
    r.problem(
      'networkMode',
      'is private, which turns the Key Vault\'s public endpoint off: pulumi up creates and reads the certificates through the vault\'s data plane, which is then reachable only from inside the virtual network. Run pulumi up from there (a self-hosted agent in the network, or a network peered with it that resolves its private DNS zones) and confirm with pulumi config set deployerInPrivateNetwork true',
    );
  }
  if (Boolean(integration) !== Boolean(privateEndpoints)) {
    r.problem(integration ? 'existingPrivateEndpointSubnetId' : 'existingSubnetId', 'must be set together with the other existing subnet: give both subnet ids (the function\'s integration subnet and the private endpoints\' subnet), or neither to create the network');
  } else if (integration && privateEndpoints) {
    const vnetOf = (id: string) => id.replace(/\/subnets\/[^/]+$/, '').toLowerCase();
    if (vnetOf(integration) !== vnetOf(privateEndpoints)) {
      r.problem('existingPrivateEndpointSubnetId', 'is in another virtual network than existingSubnetId: use two subnets of one virtual network, whose private DNS zones the function then resolves');
    } else if (integration.toLowerCase() === privateEndpoints.toLowerCase()) {
      r.problem('existingPrivateEndpointSubnetId', 'is existingSubnetId: private endpoints cannot sit in the delegated integration subnet; give a second subnet');
    }
    return { mode, addressSpace, existingSubnets: { integration, privateEndpoints } };
  }
  try {
    const block = parseIpv4Block(addressSpace);
    if (block.prefixLength < ADDRESS_SPACE_PREFIX.min || block.prefixLength > ADDRESS_SPACE_PREFIX.max) {
      r.problem('virtualNetworkAddressSpace', `is a /${block.prefixLength}: use a /${ADDRESS_SPACE_PREFIX.min} to /${ADDRESS_SPACE_PREFIX.max}, e.g. 10.80.0.0/22`);
    }
  } catch (error) {
    r.problem('virtualNetworkAddressSpace', (error as Error).message.replace(/^'[^']*' /, `is '${addressSpace}', which `));
  }
  return { mode, addressSpace };
}

// Azure naming rules: resource group 1-90 characters not ending in a period; workspace 4-63 letters, digits and
// hyphens; vault 3-24 letters, digits and hyphens, starting with a letter.
const RESOURCE_GROUP_NAME = /^[-\w.()]{0,89}[-\w()]$/;
const WORKSPACE_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.OperationalInsights\/workspaces\/[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/i;
const KEY_VAULT_ID = /^\/subscriptions\/([0-9a-f-]{36})\/resourceGroups\/([-\w.()]{1,90})\/providers\/Microsoft\.KeyVault\/vaults\/([A-Za-z](?:[A-Za-z0-9]|-(?!-)){1,22}[A-Za-z0-9])$/i;

/** existingResourceGroupName, existingLogAnalyticsWorkspaceId, existingKeyVaultId (README "Bring your own resources"). */
function existingResources(r: Reader, networkMode: NetworkConfig['mode'], cloud: string, logRetentionDays: number): ExistingResources {
  const resourceGroupName = r.matching('existingResourceGroupName', RESOURCE_GROUP_NAME, 'set it to the name of an existing resource group: 1-90 letters, digits, _ - . ( ), not ending with a period') || undefined;
  const logAnalyticsWorkspaceId =
    r.matching('existingLogAnalyticsWorkspaceId', WORKSPACE_ID, "set it to a workspace's ARM id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>") || undefined;
  const retentionDefault = CONFIG_SCHEMA.logRetentionDays.default;
  if (logAnalyticsWorkspaceId && logRetentionDays !== retentionDefault) {
    r.problem('logRetentionDays', `is ${logRetentionDays} while existingLogAnalyticsWorkspaceId is set: the stack creates no workspace, so its retention is the workspace owner's; remove it (pulumi config rm logRetentionDays)`);
  }
  const vaultId = r.matching('existingKeyVaultId', KEY_VAULT_ID, "set it to a Key Vault's ARM id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>") || undefined;
  let keyVault: ExistingKeyVault | undefined;
  if (vaultId && networkMode === 'private') {
    // The stack would put a private endpoint on the owner's vault and a privatelink.vaultcore.azure.net zone
    // without the owner's records in its network: the vault's private reachability is the owner's to arrange.
    r.problem('existingKeyVaultId', 'is set while networkMode=private: an existing vault\'s private endpoint and DNS are its owner\'s, and this stack would add its own; use networkMode public, or remove existingKeyVaultId (pulumi config rm existingKeyVaultId) to let the stack create a private vault');
  } else if (vaultId) {
    const [, subscriptionId, group, name] = KEY_VAULT_ID.exec(vaultId)!;
    keyVault = { id: vaultId, name: name!, resourceGroupName: group!, subscriptionId: subscriptionId!.toLowerCase(), uri: keyVaultUri(name!, cloud) };
  }
  return { ...(resourceGroupName ? { resourceGroupName } : {}), ...(logAnalyticsWorkspaceId ? { logAnalyticsWorkspaceId } : {}), ...(keyVault ? { keyVault } : {}) };
}

/**
 * The stack's Key Vault secret and role definitions live in the provider's subscription, so an existing vault
 * must be there too. Known only once the provider has signed in: index.ts calls this with the tenant check.
 */
export function checkExistingKeyVaultSubscription(cfg: Pick<InfraConfig, 'project' | 'existing'>, subscriptionId: string): void {
  const vault = cfg.existing.keyVault;
  if (vault && vault.subscriptionId !== subscriptionId.toLowerCase()) {
    throw new ConfigError([
      `${cfg.project}:existingKeyVaultId is in subscription ${vault.subscriptionId}, not ${subscriptionId.toLowerCase()}, the one the stack deploys to: use a vault in this subscription, or remove existingKeyVaultId to let the stack create its own`,
    ]);
  }
}

/** What the Entra callout keeps for the network round trip and TLS: the default 2000 ms timeout leaves the
 *  function its default 1500 ms deadline. */
export const CALLOUT_NETWORK_MARGIN_MS = 500;
/** The function's smallest deadline (CalloutBudgetMs, function/src/config/settings.ts: 200-1900). */
export const MIN_CALLOUT_BUDGET_MS = 200;

/** Query parameters that carry a credential; the URL lands in a plain app setting. */
const CREDENTIAL_PARAMETER = /^(api[-_]?key|key|code|token|access[-_]?token|sig|signature|secret|client[-_]?secret|password|pwd|auth)$/i;

/** Refuses a legacy service URL with a user:password@ part or a key in its query: it would sit in clear text. */
function credentialFree(r: { problem(key: ConfigKey, text: string): void }, key: 'legacyServiceUrl' | 'legacyServiceLookupUrl', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const url = new URL(value);
  const fix = 'put the key in legacyServiceApiKey instead (pulumi config set --secret legacyServiceApiKey <key>): the URL is stored in a plain app setting, the key in Key Vault';
  if (url.username || url.password) {
    r.problem(key, `carries a user name or password (user:password@): remove it and ${fix}`);
    return undefined;
  }
  const named = [...url.searchParams.keys()].filter((name) => CREDENTIAL_PARAMETER.test(name));
  if (named.length > 0) {
    r.problem(key, `carries a credential in its query (${named.join(', ')}): remove it and ${fix}`);
    return undefined;
  }
  return value;
}

/**
 * The External ID tenant must not be the subscription's (workforce) tenant: the JIT objects and the sign-in
 * apps would land in the wrong directory. The Azure tenant is known only once the provider has signed in, so
 * index.ts calls this at preview, before any name depending on the subscription resolves.
 */
export function checkDistinctTenants(cfg: Pick<InfraConfig, 'project' | 'externalId' | 'b2c'> & { readonly legacy?: LegacyStoreConfig }, azureTenantId: string): void {
  const b2cTenantId = cfg.b2c?.tenantId ?? (cfg.legacy?.kind === 'b2c' ? cfg.legacy.tenantId : undefined);
  if (b2cTenantId !== undefined && azureTenantId.toLowerCase() === b2cTenantId) {
    throw new ConfigError([
      `${cfg.project}:b2cTenantId is ${b2cTenantId}, the tenant of the Azure subscription you are signed in to: set it to the Azure AD B2C tenant's id (Azure AD B2C > Overview), not the workforce tenant's`,
    ]);
  }
  if (cfg.externalId.tenantId !== '' && azureTenantId.toLowerCase() === cfg.externalId.tenantId) {
    throw new ConfigError([
      `${cfg.project}:externalIdTenantId is ${cfg.externalId.tenantId}, the tenant of the Azure subscription you are signed in to: set it to the External ID tenant's id (Entra admin center of the external tenant > Overview), not the workforce tenant's`,
    ]);
  }
}

const ACTION_GROUP_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[-\w.()]{1,90}\/providers\/microsoft\.insights\/actionGroups\/[^/]{1,260}$/i;
const EMAIL = /^[^@\s"<>,;]+@[^@\s"<>,;]+\.[^@\s"<>,;]+$/;

/** alertWebhookUrl, checked inside its secret Output; the error never repeats the URL (it may hold a token). */
export function httpsWebhookUrl(project: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') throw new ConfigError([`${project}:alertWebhookUrl is not an https URL: set it again with pulumi config set --secret alertWebhookUrl https://...`]);
  return url.href;
}

/** alerts and its recipients and overrides; undefined when alerts=false. */
function alertsConfig(r: Reader, source: ConfigSource): AlertsConfig | undefined {
  const enabled = r.boolean('alerts');
  const emails = r.stringArray('alertEmails');
  emails.forEach((email, i) => {
    if (!EMAIL.test(email)) r.problem('alertEmails', `entry ${i} '${email}' is not an e-mail address: set each entry to one address, like ops@contoso.com`);
  });
  const actionGroupId = r.matching('alertActionGroupId', ACTION_GROUP_ID, 'set it to an action group\'s ARM id: /subscriptions/<id>/resourceGroups/<group>/providers/microsoft.insights/actionGroups/<name>');
  const secretUrl = source.getSecret('alertWebhookUrl');
  if (secretUrl && !source.isSecret('alertWebhookUrl')) {
    r.problem('alertWebhookUrl', 'is stored in plain text in the stack file: set it again with pulumi config set --secret alertWebhookUrl <url>, and renew the webhook if its token may already be in version control');
  }
  // A secret is only readable inside the Output: a URL that is not https stops the deployment there.
  const webhookUrl = secretUrl?.apply((value) => httpsWebhookUrl(source.project, value));
  const thresholds = ruleOverrides(r, 'alertThresholds', 'number', (id, value) => {
    const { min, max, unit } = ALERT_RULES.find((rule) => rule.id === id)!.threshold;
    return Number.isInteger(value) && value >= min && value <= max ? undefined : `a whole number from ${min} to ${max} (${unit})`;
  });
  const windowMinutes = ruleOverrides(r, 'alertWindows', 'minutes', (_id, value) =>
    (ALERT_WINDOW_MINUTES as readonly number[]).includes(value) ? undefined : `one of ${ALERT_WINDOW_MINUTES.join(', ')} minutes`,
  );
  if (!enabled) {
    for (const key of ['alertEmails', 'alertActionGroupId', 'alertWebhookUrl', 'alertThresholds', 'alertWindows'] as const) {
      const set = key === 'alertWebhookUrl' ? secretUrl !== undefined : (source.get(key) ?? '') !== '' && source.get(key) !== '[]';
      if (set) r.problem(key, `is set while alerts=false: remove it (pulumi config rm ${key}) or set alerts true`);
    }
    return undefined;
  }
  return { emails, ...(webhookUrl ? { webhookUrl } : {}), ...(actionGroupId ? { actionGroupId } : {}), thresholds, windowMinutes };
}

/** "rule=value" entries of alertThresholds / alertWindows, each rule once, each value checked by `invalid`. */
function ruleOverrides(r: Reader, key: 'alertThresholds' | 'alertWindows', what: string, invalid: (id: AlertRuleId, value: number) => string | undefined): Partial<Record<AlertRuleId, number>> {
  const overrides: Partial<Record<AlertRuleId, number>> = {};
  for (const entry of r.stringArray(key)) {
    const match = /^([A-Za-z0-9]+)\s*=\s*(\S+)$/.exec(entry);
    if (!match) {
      r.problem(key, `entry '${entry}' is not "rule=${what}", e.g. "signInRefusals=${key === 'alertWindows' ? 30 : 500}"`);
      continue;
    }
    const [, name, raw] = match as unknown as [string, string, string];
    const id = ALERT_RULE_IDS.find((known) => known === name);
    if (!id) {
      const suggestion = nearest(name, ALERT_RULE_IDS);
      r.problem(key, `entry '${entry}' names no alert rule${suggestion ? `: did you mean ${suggestion}?` : ''} The rules are ${ALERT_RULE_IDS.join(', ')}`);
      continue;
    }
    if (id in overrides) {
      r.problem(key, `sets ${id} more than once: keep one entry`);
      continue;
    }
    const value = Number(raw);
    const expected = invalid(id, value);
    if (expected !== undefined) r.problem(key, `entry '${entry}': set ${id} to ${expected}`);
    else overrides[id] = value;
  }
  return overrides;
}

/** Freezes plain objects and arrays; leaves Outputs (secrets) alone. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !pulumi.Output.isInstance(value) && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The program's source: the project's config bag, read once, plus `azure-native:location`. */
export function pulumiConfigSource(): ConfigSource {
  const config = new pulumi.Config();
  const project = pulumi.getProject();
  const sensitive = (key: ConfigKey): boolean => (CONFIG_SCHEMA[key] as ConfigKeySchema).sensitive === true;
  return {
    project,
    stack: pulumi.getStack(),
    get: (key) => (sensitive(key) ? undefined : config.get(key)),
    // The CLI hands an unset optional key over as its default, '': that is "not set", not an empty secret.
    getSecret: (key) => (sensitive(key) && (config.get(key) ?? '').trim() !== '' ? config.getSecret(key) : undefined),
    // The language host lists the encrypted keys in PULUMI_CONFIG_SECRET_KEYS; the SDK reads them here.
    isSecret: (key) => runtimeIsConfigSecret(`${project}:${key}`),
    keys: () => Object.keys(pulumi.runtime.allConfig()),
    location: new pulumi.Config('azure-native').get('location'),
  };
}

/** `isConfigSecret` is exported by @pulumi/pulumi's runtime but not typed. Without it nothing can be verified,
 *  so a missing function fails the check (the operator sees the plain-text refusal) rather than passing it. */
function runtimeIsConfigSecret(fullKey: string): boolean {
  const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
  return typeof isConfigSecret === 'function' ? isConfigSecret(fullKey) : false;
}

export function loadConfig(source: ConfigSource = pulumiConfigSource()): InfraConfig {
  return parseConfig(source);
}

/** The keys that must be handed over as secrets (CONFIG_SCHEMA `sensitive`). */
export type SensitiveConfigKey = { [K in ConfigKey]: (typeof CONFIG_SCHEMA)[K] extends { readonly sensitive: true } ? K : never }[ConfigKey];

/** Typed config values, as another Pulumi program hands them to `JitMigration` (same keys and rules as Pulumi.yaml). */
export type ConfigValues = { readonly [K in Exclude<ConfigKey, SensitiveConfigKey>]?: string | number | boolean | readonly string[] };

export interface ConfigValuesInput {
  /** Used in messages and the `project` tag. */
  readonly project: string;
  /** Used in resource names and tags, like a stack name. */
  readonly stack: string;
  /** The Azure region (what `azure-native:location` is to the standalone program). */
  readonly location: string;
  readonly values: ConfigValues;
  /** legacyServiceApiKey, alertWebhookUrl: kept inside secret Outputs. */
  readonly secrets?: { readonly [K in SensitiveConfigKey]?: pulumi.Input<string> };
}

/**
 * `parseConfig` over typed values instead of a stack's config: the same validation, defaults and single error
 * listing every problem (README "Use it from another Pulumi program").
 */
export function parseConfigValues(input: ConfigValuesInput): InfraConfig {
  const values = input.values as Partial<Record<ConfigKey, string | number | boolean | readonly string[]>>;
  const secrets = (input.secrets ?? {}) as Partial<Record<ConfigKey, pulumi.Input<string>>>;
  const sensitive = (key: ConfigKey): boolean => (CONFIG_SCHEMA[key] as ConfigKeySchema).sensitive === true;
  return parseConfig({
    project: input.project,
    stack: input.stack,
    // As the CLI hands values over: strings, lists as JSON.
    get: (key) => {
      const value = sensitive(key) ? undefined : values[key];
      return value === undefined ? undefined : Array.isArray(value) ? JSON.stringify(value) : String(value);
    },
    getSecret: (key) => (sensitive(key) && secrets[key] !== undefined && secrets[key] !== '' ? pulumi.secret(secrets[key]) : undefined),
    // Handed over apart from the plain values, and wrapped as secrets: never a plain-text value.
    isSecret: (key) => sensitive(key),
    keys: () => [...Object.keys(values), ...Object.keys(secrets)].map((key) => `${input.project}:${key}`),
    location: input.location,
  });
}
