/**
 * The options status, reconcile and finish share: the flag attribute, the tenant, the identity issuer and the
 * legacy store. Validation happens here, once, and every message names the fix.
 */
import { GRAPH_TOKEN_VARIABLE, GRAPH_URL_VARIABLE, graphClientFromEnvironment, type GraphClient } from '../../../lib/graph';
import { UsageError } from '../commands/args';
import { PLATFORM_HELP, PLATFORM_OPTION, platformOption, type IdentityPlatform } from '../identityPlatform';
import type { LegacyStoreOptions } from './legacyStore';
import { parseMigrationProperty, type MigrationProperty } from './migrationProperty';

export const COMMON_OPTIONS = {
  'migration-property': { type: 'string' },
  tenant: { type: 'string' },
  domain: { type: 'string' },
  store: { type: 'string' },
  'table-endpoint': { type: 'string' },
  'table-connection-string': { type: 'string' },
  'table-name': { type: 'string' },
  'users-file': { type: 'string' },
  'b2c-object-id-property': { type: 'string' },
  ...PLATFORM_OPTION,
} as const;

export const COMMON_HELP = `Common options:
  --migration-property extension_<appId without hyphens>_<name>
                             the Boolean flag attribute (required)
  --tenant ID                External ID tenant (GUID or *.onmicrosoft.com) to sign in to with
                             DefaultAzureCredential; not needed when ${GRAPH_TOKEN_VARIABLE} is set
  --domain DOMAIN            the issuer of the users' local identities (the tenant's default domain, like
                             contoso.onmicrosoft.com); when omitted any emailAddress/userName identity counts
  --store table|file         the legacy store (inferred from the options below when omitted)
  --table-endpoint URL       https://<account>.table.core.windows.net, signed in with DefaultAzureCredential
  --table-connection-string S  instead of the endpoint (Azurite, local runs)
  --table-name NAME          default LegacyUsers
  --users-file FILE          the JSON-lines users file (--store file)
  --b2c-object-id-property extension_<appId>_b2cObjectId
                             users moved from Azure AD B2C: the reconcile and finish reports carry
                             each user's B2C object id (provision-users --preset b2c wrote it)
  ${PLATFORM_HELP}
                             (b2c: users are counted by paging, as B2C has no $count; progress on stderr)
Environment: ${GRAPH_URL_VARIABLE} replaces https://graph.microsoft.com, ${GRAPH_TOKEN_VARIABLE} the credential.`;

type CommonValues = { [K in keyof typeof COMMON_OPTIONS]?: string };

export interface CommonOptions {
  readonly migrationProperty: MigrationProperty;
  /** `--platform`: how users are counted (flagCounter.ts). */
  readonly platform: IdentityPlatform;
  readonly tenant?: string;
  readonly domain?: string;
  /** Undefined when no store option was given (allowed only where the store is optional). */
  readonly legacy?: LegacyStoreOptions;
  /** `--b2c-object-id-property`, validated as the flag is: the property provision-users --preset b2c filled. */
  readonly b2cObjectIdProperty?: string;
}

/** `env`: the function's legacy store settings fill in what the options leave open (storeSettingsFrom). */
export function readCommonOptions(values: CommonValues, legacy: 'required', env?: NodeJS.ProcessEnv): CommonOptions & { readonly legacy: LegacyStoreOptions };
export function readCommonOptions(values: CommonValues, legacy: 'optional', env?: NodeJS.ProcessEnv): CommonOptions;
export function readCommonOptions(values: CommonValues, legacy: 'required' | 'optional', env: NodeJS.ProcessEnv = {}): CommonOptions {
  const migrationProperty = parseMigrationProperty(values['migration-property']);
  const domain = values.domain?.trim();
  if (domain !== undefined && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(domain)) {
    throw new UsageError(`--domain must be the issuer of the users' identities, a domain like contoso.onmicrosoft.com`);
  }
  const store = readLegacyStoreOptions(storeSettingsFrom(values, env));
  if (store === undefined && legacy === 'required') {
    throw new UsageError('this command reads the legacy store: pass --store table with --table-endpoint or --table-connection-string, or --store file with --users-file');
  }
  const b2cObjectIdProperty = values['b2c-object-id-property'] === undefined ? undefined : parseMigrationProperty(values['b2c-object-id-property'], '--b2c-object-id-property').name;
  return {
    migrationProperty,
    platform: platformOption(values.platform),
    tenant: values.tenant,
    domain: domain === '' ? undefined : domain,
    legacy: store,
    ...(b2cObjectIdProperty === undefined ? {} : { b2cObjectIdProperty }),
  };
}

export const STORE_SETTINGS_HELP = 'LegacyStore, LegacyUsersFile, LegacyTableEndpoint, LegacyTableConnectionString and LegacyTableName fill in store options not given';

/**
 * The function's app settings for its legacy store (LegacyStore, LegacyUsersFile, LegacyTableEndpoint,
 * LegacyTableConnectionString, LegacyTableName), read as import-legacy reads them: an option given on the
 * command line wins, and settings of the other store are ignored.
 */
function storeSettingsFrom(values: CommonValues, env: NodeJS.ProcessEnv): CommonValues {
  const tableGiven = values['table-endpoint'] !== undefined || values['table-connection-string'] !== undefined;
  const fileGiven = values['users-file'] !== undefined;
  const setting = (name: string): string | undefined => (env[name]?.trim() ? env[name]?.trim() : undefined);
  const kind = values.store ?? (fileGiven ? 'file' : tableGiven ? 'table' : storeKindOfSettings(setting));
  if (kind === 'file' && !fileGiven && setting('LegacyUsersFile')) return { ...values, store: kind, 'users-file': setting('LegacyUsersFile') };
  if (kind !== 'table') return values;
  const endpoint = tableGiven ? undefined : setting('LegacyTableEndpoint');
  return {
    ...values,
    store: kind,
    ...(tableGiven ? {} : endpoint ? { 'table-endpoint': endpoint } : { 'table-connection-string': setting('LegacyTableConnectionString') }),
    'table-name': values['table-name'] ?? setting('LegacyTableName'),
  };
}

/** LegacyStore when it names a store this command reads (not http), else the store whose settings are there. */
function storeKindOfSettings(setting: (name: string) => string | undefined): 'table' | 'file' | undefined {
  const named = setting('LegacyStore');
  if (named === 'table' || named === 'file') return named;
  if (setting('LegacyTableEndpoint') || setting('LegacyTableConnectionString')) return 'table';
  return setting('LegacyUsersFile') ? 'file' : undefined;
}

function readLegacyStoreOptions(values: CommonValues): LegacyStoreOptions | undefined {
  const tableGiven = values['table-endpoint'] !== undefined || values['table-connection-string'] !== undefined;
  const fileGiven = values['users-file'] !== undefined;
  const store = values.store ?? (fileGiven ? 'file' : tableGiven ? 'table' : undefined);
  if (store === undefined) return undefined;
  if (store === 'file') {
    if (!fileGiven) throw new UsageError('--store file needs --users-file FILE (the JSON-lines users file)');
    if (tableGiven) throw new UsageError('--store file does not use --table-endpoint or --table-connection-string: remove them');
    return { store: 'file', usersFile: values['users-file'] };
  }
  if (store === 'table') {
    if (fileGiven) throw new UsageError('--store table does not use --users-file: remove it, or pass --store file');
    if (values['table-endpoint'] !== undefined && values['table-connection-string'] !== undefined) {
      throw new UsageError('pass either --table-endpoint (Entra ID sign-in) or --table-connection-string, not both');
    }
    if (!tableGiven) throw new UsageError('--store table needs --table-endpoint https://<account>.table.core.windows.net or --table-connection-string');
    return {
      store: 'table',
      tableEndpoint: values['table-endpoint'],
      tableConnectionString: values['table-connection-string'],
      tableName: values['table-name'],
    };
  }
  throw new UsageError(`--store must be table or file, got "${store}"`);
}

/** The Graph client the environment configures (`JITMIGRATE_GRAPH_URL`/`_TOKEN`, else DefaultAzureCredential). */
export function graphClientFor(options: CommonOptions, env: NodeJS.ProcessEnv): GraphClient {
  try {
    return graphClientFromEnvironment({ tenantId: options.tenant, env });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
