/**
 * The one typed stack configuration. `loadConfig()` reads `new pulumi.Config()` once, validates every key
 * and throws one error that lists each problem with its fix, so a single round of `pulumi config set`
 * suffices. `CONFIG_SCHEMA` is the source the project schema in Pulumi.yaml mirrors (a test compares them).
 */
import * as pulumi from '@pulumi/pulumi';

export type ConfigType = 'string' | 'integer' | 'boolean' | 'array';

export interface ConfigKeySchema {
  readonly type: ConfigType;
  readonly description: string;
  readonly secret?: true;
  readonly default?: string | number | boolean | readonly string[];
}

/** Every project config key (Pulumi.yaml `config:`; sheet 9: types string | integer | boolean | array). */
export const CONFIG_SCHEMA = {
  environment: { type: 'string', description: 'Environment name used in resource names and tags: 1-8 lower-case letters and digits, starting with a letter (dev, test, prod).' },
  prefix: { type: 'string', description: 'Naming prefix of every resource: 2-10 lower-case letters, digits and single hyphens, starting with a letter.', default: 'jitmig' },
  nameSeed: { type: 'string', description: 'Mixed into the hash suffix of globally unique names; change it only to move to fresh names (e.g. while a destroyed Key Vault is still soft-deleted).', default: '' },
  tags: { type: 'array', description: 'Extra tags for every Azure resource, as "key=value" strings.', default: [] },
  externalIdTenantId: { type: 'string', description: 'Directory (tenant) ID of the Microsoft Entra External ID tenant (GUID). Every azuread resource and Graph call targets this tenant only.' },
  externalIdTenantDomain: { type: 'string', description: 'Subdomain of the External ID tenant (contoso for contoso.onmicrosoft.com / contoso.ciamlogin.com).' },
  graphBaseUrl: { type: 'string', description: 'Microsoft Graph endpoint (national clouds differ).', default: 'https://graph.microsoft.com' },
  clientAppIds: { type: 'array', description: 'Client IDs (GUIDs) of the applications whose sign-ins trigger the JIT migration listener.', default: [] },
  migrationPropertyName: { type: 'string', description: 'Name of the Boolean directory extension property that flags users still to migrate (becomes extension_<b2c-extensions-app id>_<name>).', default: 'requiresMigration' },
  customExtensionTimeoutMs: { type: 'integer', description: 'Custom authentication extension timeout in milliseconds (Graph allows 200-2000).', default: 2000 },
  customExtensionMaximumRetries: { type: 'integer', description: 'Custom authentication extension retries (Graph allows 0 or 1).', default: 1 },
  createTestClient: { type: 'boolean', description: 'Create a test client app (redirect https://jwt.ms) and output a ready sign-in URL. Defaults to true when environment is dev, else false.' },
  certificateName: { type: 'string', description: 'Key Vault certificate holding the RSA key pair Entra encrypts to (1-127 letters, digits, hyphens).', default: 'jit-password-decryption' },
  certificateSubject: { type: 'string', description: 'Subject of the self-signed certificate.', default: 'CN=JitMigration' },
  certificateKeySize: { type: 'integer', description: 'RSA key size: 2048 or 4096 (what Entra accepts for the encryption certificate).', default: 2048 },
  certificateValidityMonths: { type: 'integer', description: 'Certificate validity in months (1-120); also the Graph reader certificate\'s.', default: 12 },
  certificateRenewDaysBeforeExpiry: { type: 'integer', description: 'Key Vault auto-renews the certificate this many days before expiry (1 to 27 x certificateValidityMonths). Run pulumi up --refresh within this window so Entra and the app move to the new key together. Also applies to the Graph reader certificate.', default: 30 },
  previousCertificateName: { type: 'string', description: 'Key rotation override: the certificate whose key stays live as DecryptionPrivateKeyPrevious (e.g. the old one after moving to a new certificateName). Unset: the current certificate\'s previous version, when it has one. Defaults to certificateName when previousCertificateVersion is set.' },
  previousCertificateVersion: { type: 'string', description: 'Key rotation override: the version (32 hex characters) of the previous certificate to pin; unset with previousCertificateName means its latest version.' },
  alwaysReadyInstances: { type: 'integer', description: 'Flex Consumption always-ready instances for the http group (0 disables; each one is billed while idle).', default: 1 },
  maximumInstanceCount: { type: 'integer', description: 'Flex Consumption maximum instance count (1-1000).', default: 100 },
  instanceMemoryMB: { type: 'integer', description: 'Flex Consumption instance memory: 512, 2048 or 4096.', default: 2048 },
  keyVaultPublicNetworkAccess: { type: 'string', description: 'Key Vault public network access: Enabled or Disabled (Disabled needs private networking for the function and the deployer).', default: 'Enabled' },
  logRetentionDays: { type: 'integer', description: 'Log Analytics retention in days (30-730).', default: 30 },
  legacyStore: { type: 'string', description: 'Where legacy credentials live: table (Azure Table Storage in the function storage account) or http (legacy web service).', default: 'table' },
  legacyTableName: { type: 'string', description: 'Azure table of legacy users (legacyStore=table).', default: 'LegacyUsers' },
  stateTableName: { type: 'string', description: 'Azure table of shared state: lockout counters, per-nonce answers.', default: 'JitState' },
  legacyServiceUrl: { type: 'string', description: 'https URL of the legacy web service (required when legacyStore=http).' },
  legacyServiceApiKey: { type: 'string', secret: true, description: 'API key of the legacy web service; stored in Key Vault and referenced by the app, never in an app setting.' },
  assignDeployerCertificatesOfficer: { type: 'boolean', description: 'Assign Key Vault Certificates Officer on the vault to the deploying principal (needed to create the certificate). Set false if it is granted another way.', default: true },
  deployerPrincipalType: { type: 'string', description: 'Kind of the deploying principal, for its role assignment: User (pulumi up from a workstation) or ServicePrincipal (CI with workload identity). ARM rejects a mismatch.', default: 'User' },
  passwordChangeCheck: { type: 'string', description: 'Before migrating a password, the function reads the user\'s createdDateTime and lastPasswordChangeDateTime from the External ID tenant\'s Microsoft Graph and answers Retry when the password changed after the account was created: graph (an app registration with User.Read.All, admin-consented) or off (no Graph reader is created).', default: 'graph' },
  graphAuthentication: { type: 'string', description: 'How the function signs in to the External ID tenant\'s Graph (passwordChangeCheck=graph): certificate (an app registration in the External ID tenant whose certificate is generated inside Key Vault and read through a Key Vault reference) or managedIdentity (a multitenant app in the subscription\'s tenant that trusts the function\'s managed identity, provisioned into the External ID tenant; global cloud only; UNVERIFIED: External ID does not document apps from another tenant).', default: 'certificate' },
} as const satisfies Record<string, ConfigKeySchema>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

export type LegacyStoreConfig =
  | { readonly kind: 'table'; readonly tableName: string }
  | { readonly kind: 'http'; readonly serviceUrl: string; readonly apiKey?: pulumi.Output<string> };

/** The Graph reader behind the function's password-change check (components/graphReader.ts). */
export type PasswordChangeCheckConfig =
  | { readonly mode: 'off' }
  | { readonly mode: 'graph'; readonly authentication: 'certificate'; readonly certificate: CertificateConfig }
  | { readonly mode: 'graph'; readonly authentication: 'managedIdentity' };

/** The Graph client certificate's Key Vault name and subject: fixed, so a stack never renames (replaces) it. */
export const GRAPH_CLIENT_CERTIFICATE = { name: 'jit-graph-client', subject: 'CN=JitMigrationGraphReader', keySize: 2048 } as const;

export interface CertificateConfig {
  readonly name: string;
  readonly subject: string;
  readonly keySize: number;
  readonly validityInMonths: number;
  readonly renewDaysBeforeExpiry: number;
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
    readonly alwaysReadyInstances: number;
    readonly maximumInstanceCount: number;
    readonly instanceMemoryMB: 512 | 2048 | 4096;
  };
  readonly keyVaultPublicNetworkAccess: 'Enabled' | 'Disabled';
  readonly logRetentionDays: number;
  readonly legacy: LegacyStoreConfig;
  readonly stateTableName: string;
  readonly assignDeployerCertificatesOfficer: boolean;
  readonly deployerPrincipalType: 'User' | 'ServicePrincipal';
  readonly passwordChangeCheck: PasswordChangeCheckConfig;
}

/** What the parser reads; `pulumiConfigSource()` in a program, a plain object in tests. */
export interface ConfigSource {
  readonly project: string;
  readonly stack: string;
  /** Raw string as the CLI stores it (arrays as JSON). */
  get(key: ConfigKey): string | undefined;
  /** Secret keys only; the value stays inside a secret Output. */
  getSecret(key: ConfigKey): pulumi.Output<string> | undefined;
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

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
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
      if (value === undefined && required) this.problem(key, `is not set: ${fix}`);
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

  const tenantId = r.guid('externalIdTenantId', 'set it to the Directory (tenant) ID GUID of the External ID tenant (Entra admin center > Overview)') ?? '';
  const domainRaw = r.string('externalIdTenantDomain', 'set it to the tenant subdomain, e.g. contoso for contoso.onmicrosoft.com', true);
  let tenantDomain = '';
  if (domainRaw !== undefined) {
    if (/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(domainRaw)) tenantDomain = domainRaw.toLowerCase();
    else r.problem('externalIdTenantDomain', `is '${domainRaw}': set only the subdomain, e.g. contoso for contoso.onmicrosoft.com or contoso.ciamlogin.com`);
  }
  const graphBaseUrl = r.httpsUrl('graphBaseUrl', true, true) ?? 'https://graph.microsoft.com';

  const clientAppIds = r.stringArray('clientAppIds').map((id) => id.toLowerCase());
  clientAppIds.forEach((id, i) => {
    if (!GUID.test(id)) r.problem('clientAppIds', `entry ${i} '${id}' is not a GUID: set each entry to an application (client) ID`);
  });
  if (new Set(clientAppIds).size !== clientAppIds.length) r.problem('clientAppIds', 'lists an application twice: remove the duplicate');

  // Graph: extension_<32 hex>_<name>; letters and digits keep the name valid everywhere it appears.
  const migrationPropertyName = r.matching('migrationPropertyName', /^[A-Za-z][A-Za-z0-9]{0,63}$/, 'use 1-64 letters and digits, starting with a letter') ?? 'requiresMigration';
  // Graph customExtensionClientConfiguration: timeout 200-2000 ms, retries 0-1 (entra sheet 2.1).
  const timeoutInMilliseconds = r.integer('customExtensionTimeoutMs', 200, 2000);
  const maximumRetries = r.integer('customExtensionMaximumRetries', 0, 1);
  const createTestClient = r.boolean('createTestClient', environment === 'dev');
  if (clientAppIds.length === 0 && !createTestClient) {
    r.problem('clientAppIds', 'is empty and createTestClient is false: the migration listener would apply to no application; list the client IDs of your sign-in apps');
  }

  const validityInMonths = r.integer('certificateValidityMonths', 1, 120);
  const certificate: CertificateConfig = {
    name: r.matching('certificateName', KEY_VAULT_OBJECT, 'use 1-127 letters, digits and hyphens (Key Vault object name)') ?? 'invalid',
    subject: r.matching('certificateSubject', /^CN=[^,;]{1,64}$/, 'use CN=<name>, e.g. CN=JitMigration') ?? 'CN=JitMigration',
    keySize: r.integer('certificateKeySize', 2048, 4096, [2048, 4096]),
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

  const keyVaultPublicNetworkAccess = r.choice('keyVaultPublicNetworkAccess', ['Enabled', 'Disabled'] as const);
  const logRetentionDays = r.integer('logRetentionDays', 30, 730);

  const tableFix = 'use 3-63 letters and digits starting with a letter (Azure Table naming)';
  const legacyStore = r.choice('legacyStore', ['table', 'http'] as const);
  const legacyTableName = r.matching('legacyTableName', TABLE_NAME, tableFix) ?? 'LegacyUsers';
  const stateTableName = r.matching('stateTableName', TABLE_NAME, tableFix) ?? 'JitState';
  if (legacyStore === 'table' && legacyTableName.toLowerCase() === stateTableName.toLowerCase()) {
    r.problem('stateTableName', 'equals legacyTableName: give the shared state its own table');
  }
  let legacy: LegacyStoreConfig;
  const apiKey = source.getSecret('legacyServiceApiKey');
  if (legacyStore === 'http') {
    const serviceUrl = r.httpsUrl('legacyServiceUrl', true, false) ?? '';
    legacy = apiKey ? { kind: 'http', serviceUrl, apiKey } : { kind: 'http', serviceUrl };
  } else {
    if (source.get('legacyServiceUrl')) r.problem('legacyServiceUrl', 'is set while legacyStore=table: remove it or set legacyStore=http');
    if (apiKey) r.problem('legacyServiceApiKey', 'is set while legacyStore=table: remove it (pulumi config rm legacyServiceApiKey) or set legacyStore=http');
    legacy = { kind: 'table', tableName: legacyTableName };
  }
  const assignDeployerCertificatesOfficer = r.boolean('assignDeployerCertificatesOfficer');
  const deployerPrincipalType = r.choice('deployerPrincipalType', ['User', 'ServicePrincipal'] as const);

  const checkMode = r.choice('passwordChangeCheck', ['graph', 'off'] as const);
  const graphAuthentication = r.choice('graphAuthentication', ['certificate', 'managedIdentity'] as const);
  let passwordChangeCheck: PasswordChangeCheckConfig = { mode: 'off' };
  if (checkMode === 'graph' && graphAuthentication === 'certificate') {
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

  if (r.problems.length > 0) throw new ConfigError(r.problems);

  return deepFreeze<InfraConfig>({
    project: source.project,
    stack: source.stack,
    location: location!,
    environment,
    prefix,
    nameSeed,
    tags,
    externalId: { tenantId, tenantDomain, graphBaseUrl, clientAppIds, migrationPropertyName, timeoutInMilliseconds, maximumRetries, createTestClient },
    certificate,
    ...(previousCertificate ? { previousCertificate } : {}),
    hosting: { alwaysReadyInstances, maximumInstanceCount, instanceMemoryMB },
    keyVaultPublicNetworkAccess,
    logRetentionDays,
    legacy,
    stateTableName,
    assignDeployerCertificatesOfficer,
    deployerPrincipalType,
    passwordChangeCheck,
  });
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
  return {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    get: (key) => (CONFIG_SCHEMA[key] as ConfigKeySchema).secret ? undefined : config.get(key),
    getSecret: (key) => ((CONFIG_SCHEMA[key] as ConfigKeySchema).secret ? config.getSecret(key) : undefined),
    location: new pulumi.Config('azure-native').get('location'),
  };
}

export function loadConfig(source: ConfigSource = pulumiConfigSource()): InfraConfig {
  return parseConfig(source);
}
