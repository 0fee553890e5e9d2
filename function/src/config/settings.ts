import { B2C_AUTH_TYPES, DEFAULT_B2C_API_AUTH, MIN_B2C_SHARED_SECRET_BYTES, type B2cApiAuth } from '../../../lib/b2c/contract';
import { isHttpsOrLoopbackHttp, isLoopbackHost } from '../../../lib/net/loopback';
import { GUID } from '../../../lib/ids/guid';

/**
 * The one configuration loader. Configuration = Azure Functions app settings (environment variables),
 * the same names in Azure, in `jitmigrate serve` and in tests. Every problem names the setting and the fix;
 * no value is ever echoed back (several are secrets or Key Vault references).
 */

export type Env = Readonly<Record<string, string | undefined>>;
export type ErrorAction = 'Block' | 'Retry';

export interface TableLocation {
  /** `https://<account>.table.core.windows.net` (managed identity) — or a connection string for Azurite. */
  readonly endpoint?: string;
  readonly connectionString?: string;
  readonly tableName: string;
  readonly managedIdentityClientId?: string;
}

export type LegacyStoreSettings =
  | ({ readonly kind: 'table' } & TableLocation)
  | { readonly kind: 'file'; readonly usersFile: string }
  | {
      readonly kind: 'http';
      readonly url: string;
      readonly apiKey?: string;
      readonly apiKeyHeader: string;
      readonly timeoutMs: number;
      /** The look-up endpoint B2C mode needs (sign-up, password reset): no password sent. */
      readonly lookupUrl?: string;
    }
  | LegacyB2cSettings;

/** The Azure AD B2C tenant as the legacy store (README "From Azure AD B2C to External ID"). */
export interface LegacyB2cSettings {
  readonly kind: 'b2c';
  /** The B2C tenant's `*.onmicrosoft.com` domain, lower case. */
  readonly tenant: string;
  /** The ROPC app registration in the B2C tenant. */
  readonly clientId: string;
  /** The ROPC user flow or custom policy (b2clogin form). */
  readonly policy: string;
  /** `b2clogin`: Microsoft's documented B2C ROPC; `entra`: the kit's login.microsoftonline.com form with nca=1 (support not confirmed). */
  readonly endpoint: 'b2clogin' | 'entra';
  /** Only the entra form sends one. */
  readonly clientSecret?: string;
  /** Overrides the whole token URL (tests, the sandbox): https, or http on loopback. */
  readonly tokenUrl?: string;
  /** The tenant-wide circuit breaker: distinct users throttled or locked within the window open it for the cool-down. */
  readonly circuit: { readonly threshold: number; readonly windowSeconds: number; readonly cooldownSeconds: number };
}

export type StateStoreSettings = ({ readonly kind: 'table' } & TableLocation) | { readonly kind: 'memory' };

/** How the function signs in to the External ID tenant's Microsoft Graph (README "Password changed in Entra"). */
export type GraphCredentialSettings =
  /** An app registration in the External ID tenant with a certificate made in Key Vault (the default). */
  | { readonly kind: 'certificate'; readonly clientId: string; readonly certificatePem: string }
  /** The managed identity as a federated credential of a multitenant app (unverified in external tenants). */
  | { readonly kind: 'managedIdentity'; readonly clientId: string; readonly managedIdentityClientId?: string }
  /** Test seam: `JITMIGRATE_GRAPH_TOKEN` with a loopback `JITMIGRATE_GRAPH_URL` (emulator, sandbox). */
  | { readonly kind: 'static-token'; readonly token: string };

export type PasswordChangeCheckSettings =
  | { readonly mode: 'off' }
  | { readonly mode: 'graph'; readonly graphBaseUrl: string; readonly credential: GraphCredentialSettings };

export interface PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;
  /** How many of lowercase, uppercase, digit, symbol the password must contain. */
  readonly minCharacterClasses: number;
}

export interface UserMessage {
  readonly title: string;
  readonly message: string;
}

/** Which callers this deployment serves (README "B2C mode"); each one's settings are required only when served. */
export type IdentityPlatform = 'externalId' | 'b2c' | 'both';

/** The External ID callout's own settings (onPasswordSubmit). */
export interface ExternalIdSettings {
  readonly decryptionPrivateKey: string;
  readonly decryptionPrivateKeyPrevious?: string;
  readonly tenantId: string;
  /** `contoso` of contoso.ciamlogin.com; only then is that issuer host trusted. */
  readonly tenantSubdomain?: string;
  readonly extensionAppId: string;
  readonly extensionAppIdentifierUri?: string;
  readonly openIdMetadataUrl?: string;
  readonly passwordChangeCheck: PasswordChangeCheckSettings;
}

/** How B2C's RESTful technical profiles authenticate to the function (`B2cApiAuth`, docs/b2c-contracts.md). */
export type B2cAuthSettings =
  | {
      readonly kind: 'bearer';
      readonly tenantId: string;
      readonly apiAppId: string;
      readonly apiAppIdentifierUri?: string;
      readonly callerAppIds: readonly string[];
      readonly openIdMetadataUrl?: string;
      readonly clockSkewSeconds: number;
    }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'apiKey'; readonly header: string; readonly key: string }
  | { readonly kind: 'clientCertificate'; readonly thumbprints: readonly string[] };

/** The `userMessage` of each 409 only B2C mode answers (lockout, blocked and legacy-error reuse the shared ones). */
export interface B2cMessages {
  readonly wrongPassword: string;
  readonly emailTaken: string;
  readonly accountNotFound: string;
  readonly passwordExpired: string;
}

/** The B2C endpoints' own settings (/api/b2c/*). */
export interface B2cSettings {
  readonly auth: B2cAuthSettings;
  readonly messages: B2cMessages;
  /**
   * Keys the HMAC under which B2C's retry of a request is recognized in the shared store. Absent when the
   * External ID key ring is configured: the key derived from the decryption key serves both then.
   */
  readonly requestKeySecret?: string;
}

export interface Settings {
  readonly identityPlatform: IdentityPlatform;
  /** Present when the External ID callout is served. */
  readonly externalId?: ExternalIdSettings;
  /** Present when the B2C endpoints are served. */
  readonly b2c?: B2cSettings;
  readonly legacyStore: LegacyStoreSettings;
  readonly stateStore: StateStoreSettings;
  readonly calloutBudgetMs: number;
  readonly clockSkewSeconds: number;
  readonly maxRequestBytes: number;
  readonly passwordPolicy: PasswordPolicy;
  readonly lockout: { readonly threshold: number; readonly windowMinutes: number } & UserMessage;
  /** While the state store is down, answer LegacyErrorAction instead of going on without lockout and idempotency. */
  readonly stateStoreFailClosed: boolean;
  readonly blockedAccount: UserMessage;
  /** A locked legacy account (B2C's smart lockout, a store's `locked` status), apart from a disabled one. */
  readonly lockedAccount: UserMessage;
  /** The B2C tenant wants a new password first (expired, must change, MFA): the user resets it in External ID. */
  readonly passwordResetRequired: UserMessage;
  readonly onLegacyError: { readonly action: ErrorAction } & UserMessage;
  readonly timingDecoyHash?: string;
}

export interface SettingProblem {
  readonly setting: string;
  readonly problem: string;
}

/**
 * The settings as far as they could be read when some could not: a part whose reading found a problem is
 * left out, so start-up still checks the others (the key, the stores, Graph) and one round reports every problem.
 */
export type PartialSettings = Omit<Settings, 'externalId' | 'b2c' | 'legacyStore' | 'stateStore'> & {
  readonly externalId?: Partial<ExternalIdSettings>;
  readonly b2c?: B2cSettings;
  readonly legacyStore?: LegacyStoreSettings;
  readonly stateStore?: StateStoreSettings;
};

export type SettingsResult =
  | { readonly ok: true; readonly settings: Settings }
  | { readonly ok: false; readonly problems: readonly SettingProblem[]; readonly partial: PartialSettings };

/** Defaults, stated once; the README's configuration reference lists the same values. */
export const DEFAULTS = {
  LegacyStore: 'table',
  LegacyTableName: 'LegacyUsers',
  StateTableName: 'JitState',
  LegacyServiceApiKeyHeader: 'x-api-key',
  LegacyServiceTimeoutMs: 1000,
  CalloutBudgetMs: 1500,
  ClockSkewSeconds: 60,
  MaxRequestBytes: 65536,
  PasswordMinLength: 8,
  PasswordMaxLength: 256,
  PasswordMinCharacterClasses: 3,
  LockoutThreshold: 5,
  LockoutWindowMinutes: 15,
  LockoutTitle: 'Too many attempts',
  LockoutMessage: 'Too many incorrect passwords. Wait 15 minutes and try again, or reset your password.',
  StateStoreFailClosed: false,
  BlockedAccountTitle: 'Sign-in blocked',
  BlockedAccountMessage: 'Your account is disabled. Contact support to restore access.',
  LockedAccountTitle: 'Account locked',
  LockedAccountMessage: 'Your account is locked for now after too many attempts. Try again later, or reset your password.',
  PasswordResetRequiredTitle: 'Password reset required',
  PasswordResetRequiredMessage: 'Your password must be changed. Use "Forgot password?" to set a new one.',
  LegacyB2cPolicy: 'B2C_1_ROPC',
  LegacyB2cEndpoint: 'b2clogin' as LegacyB2cSettings['endpoint'],
  LegacyB2cCircuitThreshold: 10,
  LegacyB2cCircuitWindowSeconds: 60,
  LegacyB2cCircuitCooldownSeconds: 60,
  LegacyErrorAction: 'Block' as ErrorAction,
  LegacyErrorTitle: 'Sign-in unavailable',
  LegacyErrorMessage: 'We could not verify your password right now. Try again in a few minutes.',
  PasswordChangeCheck: 'graph' as 'graph' | 'off',
  GraphAuthentication: 'certificate' as 'certificate' | 'managedIdentity',
  GraphBaseUrl: 'https://graph.microsoft.com',
  IdentityPlatform: 'externalId' as IdentityPlatform,
  B2cApiAuth: DEFAULT_B2C_API_AUTH as B2cAuthSettings['kind'],
  B2cApiKeyHeader: 'x-api-key',
  B2cWrongPasswordMessage: 'Invalid user name or password.',
  B2cEmailTakenMessage: 'There is a user with same email address.',
  B2cAccountNotFoundMessage: 'We could not find an account for that email address.',
  B2cPasswordExpiredMessage: 'Your password has expired. Use "Forgot your password?" to set a new one.',
} as const;

/** One DNS label, lower case: the External ID tenant's subdomain (`contoso` of contoso.ciamlogin.com). */
export const TENANT_SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

export { isLoopbackHost };

/**
 * Reads the app settings. Collects every problem instead of stopping at the first, so one fix round suffices;
 * with problems it also returns what could be read, for start-up to check the rest (key, files, stores).
 */
export function loadSettings(env: Env): SettingsResult {
  const problems: SettingProblem[] = [];
  const reader = new SettingReader(env, problems);

  const identityPlatform = reader.choice('IdentityPlatform', ['externalId', 'b2c', 'both'] as const, DEFAULTS.IdentityPlatform);
  const servesExternalId = identityPlatform !== 'b2c';
  const servesB2c = identityPlatform !== 'externalId';

  /** The value read, or undefined when reading it found a problem (so start-up does not check it further). */
  const cleanly = <T>(read: () => T): T | undefined => {
    const known = problems.length;
    const value = read();
    return problems.length === known ? value : undefined;
  };

  const managedIdentityClientId = reader.optional('ManagedIdentityClientId') ?? reader.optional('AZURE_CLIENT_ID');
  const externalId = servesExternalId ? readExternalId(reader, problems, managedIdentityClientId) : undefined;
  const legacyKindRead = cleanly(() => reader.choice('LegacyStore', ['table', 'file', 'http', 'b2c'] as const, DEFAULTS.LegacyStore));
  const legacyKind = legacyKindRead ?? DEFAULTS.LegacyStore;
  // Checked whatever the store, like the lockout settings: a bad value is a problem before it is ever used.
  const circuit = {
    threshold: reader.integer('LegacyB2cCircuitThreshold', DEFAULTS.LegacyB2cCircuitThreshold, 1, 1000),
    windowSeconds: reader.integer('LegacyB2cCircuitWindowSeconds', DEFAULTS.LegacyB2cCircuitWindowSeconds, 1, 3600),
    cooldownSeconds: reader.integer('LegacyB2cCircuitCooldownSeconds', DEFAULTS.LegacyB2cCircuitCooldownSeconds, 1, 3600),
  };
  const legacyTable = (): TableLocation => reader.tableLocation('Legacy', DEFAULTS.LegacyTableName, managedIdentityClientId, true);
  const legacyStore = cleanly((): LegacyStoreSettings | undefined => {
    switch (legacyKindRead) {
      case undefined:
        return undefined;
      case 'table':
        return { kind: 'table', ...legacyTable() };
      case 'file':
        return { kind: 'file', usersFile: reader.required('LegacyUsersFile', 'set it to the path of the JSON-lines users file') ?? '' };
      case 'http':
        return {
          kind: 'http',
          url: reader.url('LegacyServiceUrl', true) ?? '',
          apiKey: reader.secret('LegacyServiceApiKey', false, 'set it to the API key (a Key Vault reference in Azure)'),
          apiKeyHeader: reader.optional('LegacyServiceApiKeyHeader') ?? DEFAULTS.LegacyServiceApiKeyHeader,
          timeoutMs: reader.integer('LegacyServiceTimeoutMs', DEFAULTS.LegacyServiceTimeoutMs, 50, 2000),
          lookupUrl: reader.url('LegacyServiceLookupUrl', false),
        };
      case 'b2c':
        return readLegacyB2c(reader, problems, circuit);
    }
  });

  // Shared state defaults to Table Storage: the function scales out and Entra's retry may land anywhere.
  // Process memory is only acceptable for a single local instance over the file store.
  const stateStore = cleanly((): StateStoreSettings => {
    const stateKind = reader.choice('StateStore', ['table', 'memory'] as const, legacyKind === 'file' ? 'memory' : 'table');
    if (stateKind === 'memory') return { kind: 'memory' };
    const own = reader.tableLocation('State', DEFAULTS.StateTableName, managedIdentityClientId, false);
    const fallback = legacyKind === 'table' ? legacyTable() : undefined;
    const location: TableLocation = {
      tableName: own.tableName,
      managedIdentityClientId,
      endpoint: own.endpoint ?? (own.connectionString ? undefined : fallback?.endpoint),
      connectionString: own.connectionString ?? (own.endpoint ? undefined : fallback?.connectionString),
    };
    if (!location.endpoint && !location.connectionString) {
      problems.push({
        setting: 'StateTableEndpoint',
        problem: 'is not set: set StateTableEndpoint (or StateTableConnectionString) to the storage account that holds the shared state table, or StateStore=memory for a single local instance',
      });
    }
    return { kind: 'table', ...location };
  });

  const calloutBudgetMs = reader.integer('CalloutBudgetMs', DEFAULTS.CalloutBudgetMs, 200, 1900);
  const clockSkewSeconds = reader.integer('ClockSkewSeconds', DEFAULTS.ClockSkewSeconds, 0, 600);
  const maxRequestBytes = reader.integer('MaxRequestBytes', DEFAULTS.MaxRequestBytes, 1024, 1048576);
  const minLength = reader.integer('PasswordMinLength', DEFAULTS.PasswordMinLength, 1, 256);
  const maxLength = reader.integer('PasswordMaxLength', DEFAULTS.PasswordMaxLength, 1, 1024);
  if (minLength > maxLength) {
    problems.push({ setting: 'PasswordMinLength', problem: 'is larger than PasswordMaxLength: make it smaller or equal' });
  }
  const minCharacterClasses = reader.integer('PasswordMinCharacterClasses', DEFAULTS.PasswordMinCharacterClasses, 0, 4);
  const lockoutThreshold = reader.integer('LockoutThreshold', DEFAULTS.LockoutThreshold, 1, 1000);
  const lockoutWindowMinutes = reader.integer('LockoutWindowMinutes', DEFAULTS.LockoutWindowMinutes, 1, 1440);
  const stateStoreFailClosed = reader.choice('StateStoreFailClosed', ['true', 'false'] as const, DEFAULTS.StateStoreFailClosed ? 'true' : 'false') === 'true';
  const legacyErrorAction = reader.choice('LegacyErrorAction', ['Block', 'Retry'] as const, DEFAULTS.LegacyErrorAction);
  const timingDecoyHash = reader.optional('TimingDecoyHash');
  const b2c = servesB2c ? cleanly(() => readB2c(reader, problems, clockSkewSeconds, externalId?.decryptionPrivateKey !== undefined)) : undefined;
  if (servesB2c && legacyStore?.kind === 'http' && !legacyStore.lookupUrl) {
    problems.push({
      setting: 'LegacyServiceLookupUrl',
      problem: 'is not set: B2C sign-up and password reset look a user up without a password; set it to the legacy service\'s look-up endpoint (docs/legacy-web-service.md)',
    });
  }

  if (legacyKind === 'b2c') {
    // B2C's smart lockout locks an account after 10 failures from one IP, and every failure comes from ours.
    if (lockoutThreshold >= B2C_SMART_LOCKOUT_FAILURES) {
      problems.push({
        setting: 'LockoutThreshold',
        problem: `is ${lockoutThreshold}: with LegacyStore=b2c it must be below B2C's smart lockout (${B2C_SMART_LOCKOUT_FAILURES} failures), so our lockout trips first; the default is ${DEFAULTS.LockoutThreshold}`,
      });
    }
    if (servesB2c) {
      problems.push({ setting: 'LegacyStore', problem: 'is b2c, which serves the External ID callout only: set IdentityPlatform=externalId' });
    }
  }

  const partial: PartialSettings = {
    identityPlatform,
    externalId,
    b2c,
    legacyStore,
    stateStore,
    calloutBudgetMs,
    clockSkewSeconds,
    maxRequestBytes,
    passwordPolicy: { minLength, maxLength, minCharacterClasses },
    lockout: {
      threshold: lockoutThreshold,
      windowMinutes: lockoutWindowMinutes,
      title: reader.optional('LockoutTitle') ?? DEFAULTS.LockoutTitle,
      message: reader.optional('LockoutMessage') ?? DEFAULTS.LockoutMessage,
    },
    stateStoreFailClosed,
    blockedAccount: {
      title: reader.optional('BlockedAccountTitle') ?? DEFAULTS.BlockedAccountTitle,
      message: reader.optional('BlockedAccountMessage') ?? DEFAULTS.BlockedAccountMessage,
    },
    lockedAccount: {
      title: reader.optional('LockedAccountTitle') ?? DEFAULTS.LockedAccountTitle,
      message: reader.optional('LockedAccountMessage') ?? DEFAULTS.LockedAccountMessage,
    },
    passwordResetRequired: {
      title: reader.optional('PasswordResetRequiredTitle') ?? DEFAULTS.PasswordResetRequiredTitle,
      message: reader.optional('PasswordResetRequiredMessage') ?? DEFAULTS.PasswordResetRequiredMessage,
    },
    onLegacyError: {
      action: legacyErrorAction,
      title: reader.optional('LegacyErrorTitle') ?? DEFAULTS.LegacyErrorTitle,
      message: reader.optional('LegacyErrorMessage') ?? DEFAULTS.LegacyErrorMessage,
    },
    timingDecoyHash,
  };
  const completeExternalId = externalId && isComplete(externalId) ? externalId : undefined;
  if (problems.length > 0 || !legacyStore || !stateStore || (servesExternalId && !completeExternalId) || (servesB2c && !b2c)) {
    return { ok: false, problems, partial };
  }
  return { ok: true, settings: { ...partial, externalId: completeExternalId, b2c, legacyStore, stateStore } };
}

/** B2C's smart lockout: failed sign-ins from one IP before the account locks (learn.microsoft.com/azure/active-directory-b2c/threat-management). */
const B2C_SMART_LOCKOUT_FAILURES = 10;
const B2C_TENANT_DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.onmicrosoft\.com$/;
/** A user flow (`B2C_1_…`) or a custom policy (`B2C_1A_…`). */
const B2C_POLICY = /^B2C_1A?_[A-Za-z0-9_.-]{1,200}$/i;

/** `LegacyStore=b2c`: the B2C tenant, its ROPC app and policy, the form, and the circuit breaker. */
function readLegacyB2c(reader: SettingReader, problems: SettingProblem[], circuit: LegacyB2cSettings['circuit']): LegacyB2cSettings {
  const tenant = reader.required('LegacyB2cTenant', "set it to the B2C tenant's domain, like contoso.onmicrosoft.com")?.toLowerCase() ?? '';
  if (tenant !== '' && !B2C_TENANT_DOMAIN.test(tenant)) {
    problems.push({ setting: 'LegacyB2cTenant', problem: "must be the B2C tenant's *.onmicrosoft.com domain, like contoso.onmicrosoft.com" });
  }
  const clientId = reader.guid('LegacyB2cClientId', 'set it to the client ID of the ROPC app registration in the B2C tenant') ?? '';
  const policy = reader.optional('LegacyB2cPolicy') ?? DEFAULTS.LegacyB2cPolicy;
  if (!B2C_POLICY.test(policy)) problems.push({ setting: 'LegacyB2cPolicy', problem: 'must be a user flow (B2C_1_…) or custom policy (B2C_1A_…) name, like B2C_1_ROPC' });
  const endpoint = reader.choice('LegacyB2cEndpoint', ['b2clogin', 'entra'] as const, DEFAULTS.LegacyB2cEndpoint);
  const clientSecret = reader.secret('LegacyB2cClientSecret', endpoint === 'entra', 'the entra form sends a client secret: set it to the ROPC app\'s secret (a Key Vault reference)');
  if (endpoint === 'b2clogin' && clientSecret !== undefined) {
    problems.push({ setting: 'LegacyB2cClientSecret', problem: 'is not used by the b2clogin form (B2C ROPC apps are public clients): remove it, or set LegacyB2cEndpoint=entra' });
  }
  const tokenUrl = reader.url('LegacyB2cTokenUrl', false);
  return {
    kind: 'b2c',
    tenant,
    clientId,
    policy,
    endpoint,
    ...(clientSecret !== undefined && endpoint === 'entra' ? { clientSecret } : {}),
    ...(tokenUrl !== undefined ? { tokenUrl } : {}),
    circuit,
  };
}

function isComplete(s: Partial<ExternalIdSettings>): s is ExternalIdSettings {
  return s.decryptionPrivateKey !== undefined && s.tenantId !== undefined && s.extensionAppId !== undefined && s.passwordChangeCheck !== undefined;
}

/** The External ID callout's settings; a part with a problem is left out (PartialSettings). */
function readExternalId(reader: SettingReader, problems: SettingProblem[], managedIdentityClientId: string | undefined): Partial<ExternalIdSettings> {
  const decryptionPrivateKey = reader.secret('DecryptionPrivateKey', true, 'set it to the PEM private key (optionally followed by its certificate), normally a Key Vault reference');
  const decryptionPrivateKeyPrevious = reader.secret('DecryptionPrivateKeyPrevious', false, 'set it to the previous PEM key or remove the setting');
  const tenantId = reader.guid('ExternalIdTenantId', 'set it to the directory (tenant) ID of the External ID tenant');
  const tenantSubdomain = reader.optional('ExternalIdTenantSubdomain')?.toLowerCase();
  if (tenantSubdomain !== undefined && !TENANT_SUBDOMAIN.test(tenantSubdomain)) {
    problems.push({ setting: 'ExternalIdTenantSubdomain', problem: 'must be the tenant\'s subdomain only: contoso for contoso.ciamlogin.com (or remove it)' });
  }
  const extensionAppId = reader.guid('ExtensionAppId', 'set it to the client ID of the custom authentication extension app registration');
  const extensionAppIdentifierUri = reader.optional('ExtensionAppIdentifierUri');
  const openIdMetadataUrl = reader.url('OpenIdMetadataUrl', false);
  const known = problems.length;
  const passwordChangeCheck = readPasswordChangeCheck(reader, problems, managedIdentityClientId);
  return {
    decryptionPrivateKey,
    decryptionPrivateKeyPrevious,
    tenantId,
    tenantSubdomain: tenantSubdomain && TENANT_SUBDOMAIN.test(tenantSubdomain) ? tenantSubdomain : undefined,
    extensionAppId,
    extensionAppIdentifierUri,
    openIdMetadataUrl,
    passwordChangeCheck: problems.length === known ? passwordChangeCheck : undefined,
  };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const THUMBPRINT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The B2C endpoints' settings (README "B2C mode"): the caller authentication, the messages, the retry key. */
function readB2c(reader: SettingReader, problems: SettingProblem[], clockSkewSeconds: number, hasKeyRing: boolean): B2cSettings {
  const kind = reader.choice('B2cApiAuth', Object.keys(B2C_AUTH_TYPES) as B2cApiAuth[], DEFAULTS.B2cApiAuth);
  const longSecret = (name: string, fix: string): string => {
    const value = reader.secret(name, true, fix) ?? '';
    if (value !== '' && Buffer.byteLength(value, 'utf8') < MIN_B2C_SHARED_SECRET_BYTES) {
      problems.push({ setting: name, problem: `is shorter than ${MIN_B2C_SHARED_SECRET_BYTES} bytes: generate a random one (jitmigrate keygen prints how) and store it in Key Vault` });
    }
    return value;
  };
  let auth: B2cAuthSettings;
  switch (kind) {
    case 'bearer': {
      const tenantId = reader.guid('B2cTenantId', 'set it to the directory (tenant) ID of the B2C tenant that issues the client-credentials token') ?? '';
      const apiAppId = reader.guid('B2cApiAppId', 'set it to the client ID of the API app registration B2C requests a token for (the token audience)') ?? '';
      const callers = (reader.required('B2cCallerAppIds', 'set it to the client ID(s), comma-separated, of the app registration whose client credentials the policy uses') ?? '')
        .split(',')
        .map((id) => id.trim().toLowerCase())
        .filter((id) => id !== '');
      if (callers.some((id) => !GUID.test(id))) problems.push({ setting: 'B2cCallerAppIds', problem: 'must be client IDs (GUIDs), comma-separated' });
      auth = {
        kind,
        tenantId,
        apiAppId,
        apiAppIdentifierUri: reader.optional('B2cApiAppIdentifierUri'),
        callerAppIds: callers,
        openIdMetadataUrl: reader.url('B2cOpenIdMetadataUrl', false),
        clockSkewSeconds,
      };
      break;
    }
    case 'basic':
      auth = {
        kind,
        username: reader.required('B2cBasicUsername', 'set it to the user name in the B2C policy key <policy prefix>_ApiUsername (B2C_1A_JIT_ApiUsername by default)') ?? '',
        password: longSecret('B2cBasicPassword', 'set it to the password in the B2C policy key <policy prefix>_ApiPassword (B2C_1A_JIT_ApiPassword by default), a Key Vault reference'),
      };
      break;
    case 'apiKey': {
      const header = reader.optional('B2cApiKeyHeader') ?? DEFAULTS.B2cApiKeyHeader;
      if (!HEADER_NAME.test(header)) problems.push({ setting: 'B2cApiKeyHeader', problem: 'is not a valid HTTP header name: use letters, digits and dashes, e.g. x-api-key' });
      auth = { kind, header: header.toLowerCase(), key: longSecret('B2cApiKey', 'set it to the key in the B2C policy key <policy prefix>_ApiKey (B2C_1A_JIT_ApiKey by default), a Key Vault reference') };
      break;
    }
    case 'clientCertificate': {
      const thumbprints = (reader.required('B2cClientCertificateThumbprints', 'set it to the SHA-1 or SHA-256 thumbprint(s), comma-separated, of the certificate in the B2C policy key <policy prefix>_ApiClientCertificate (B2C_1A_JIT_ApiClientCertificate by default)') ?? '')
        .split(',')
        .map((t) => t.trim().replaceAll(':', '').toLowerCase())
        .filter((t) => t !== '');
      if (thumbprints.some((t) => !THUMBPRINT.test(t))) {
        problems.push({ setting: 'B2cClientCertificateThumbprints', problem: 'must be hex SHA-1 (40 characters) or SHA-256 (64 characters) thumbprints, comma-separated' });
      }
      auth = { kind, thumbprints };
      break;
    }
  }
  const requestKeySecret = hasKeyRing ? undefined : reader.secret('RequestKeySecret', false, '');
  if (!hasKeyRing) {
    if (requestKeySecret === undefined) {
      problems.push({
        setting: 'RequestKeySecret',
        problem: `is not set: without DecryptionPrivateKey, B2C mode needs a random secret of at least ${MIN_B2C_SHARED_SECRET_BYTES} bytes (a Key Vault reference) to recognize B2C's retries`,
      });
    } else if (Buffer.byteLength(requestKeySecret, 'utf8') < MIN_B2C_SHARED_SECRET_BYTES) {
      problems.push({ setting: 'RequestKeySecret', problem: `is shorter than ${MIN_B2C_SHARED_SECRET_BYTES} bytes: generate a random one and store it in Key Vault` });
    }
  }
  return {
    auth,
    requestKeySecret,
    messages: {
      wrongPassword: reader.optional('B2cWrongPasswordMessage') ?? DEFAULTS.B2cWrongPasswordMessage,
      emailTaken: reader.optional('B2cEmailTakenMessage') ?? DEFAULTS.B2cEmailTakenMessage,
      accountNotFound: reader.optional('B2cAccountNotFoundMessage') ?? DEFAULTS.B2cAccountNotFoundMessage,
      passwordExpired: reader.optional('B2cPasswordExpiredMessage') ?? DEFAULTS.B2cPasswordExpiredMessage,
    },
  };
}

/** Test seams shared with the CLI (lib/graph/environment.ts); honoured only towards a loopback Graph. */
const GRAPH_URL_SEAM = 'JITMIGRATE_GRAPH_URL';
const GRAPH_TOKEN_SEAM = 'JITMIGRATE_GRAPH_TOKEN';

/** `PasswordChangeCheck` and the Graph credential it needs; `graph` is the default, so a forgotten setting fails safe. */
function readPasswordChangeCheck(reader: SettingReader, problems: SettingProblem[], managedIdentityClientId: string | undefined): PasswordChangeCheckSettings {
  const known = problems.length;
  const mode = reader.choice('PasswordChangeCheck', ['graph', 'off'] as const, DEFAULTS.PasswordChangeCheck);
  // An unknown mode is the one problem to report; its credential settings would only add noise.
  if (mode === 'off' || problems.length > known) return { mode: 'off' };
  const seamUrl = reader.optional(GRAPH_URL_SEAM);
  const seamToken = reader.optional(GRAPH_TOKEN_SEAM);
  let graphBaseUrl = reader.url('GraphBaseUrl', false) ?? DEFAULTS.GraphBaseUrl;
  if (seamUrl !== undefined) {
    if (!isLoopbackUrl(seamUrl)) {
      problems.push({ setting: GRAPH_URL_SEAM, problem: 'is a test seam for a loopback Graph emulator: remove it (use GraphBaseUrl for a national cloud)' });
    } else {
      graphBaseUrl = seamUrl;
    }
  }
  if (seamToken !== undefined) {
    if (seamUrl === undefined || !isLoopbackUrl(seamUrl)) {
      problems.push({ setting: GRAPH_TOKEN_SEAM, problem: `is a test seam accepted only with a loopback ${GRAPH_URL_SEAM}: remove it` });
      return { mode, graphBaseUrl, credential: { kind: 'static-token', token: '' } };
    }
    return { mode, graphBaseUrl, credential: { kind: 'static-token', token: seamToken } };
  }
  const fix = 'set it to the client ID of the app registration that reads users in the External ID tenant (the Pulumi program makes it), or PasswordChangeCheck=off';
  const clientId = reader.guid('GraphClientId', fix) ?? '';
  const kind = reader.choice('GraphAuthentication', ['certificate', 'managedIdentity'] as const, DEFAULTS.GraphAuthentication);
  if (kind === 'managedIdentity') return { mode, graphBaseUrl, credential: { kind, clientId, managedIdentityClientId } };
  const certificatePem =
    reader.secret('GraphClientCertificate', true, 'set it to the PEM private key and certificate of the Graph app\'s credential (a Key Vault reference), or PasswordChangeCheck=off') ?? '';
  return { mode, graphBaseUrl, credential: { kind, clientId, certificatePem } };
}

function isLoopbackUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

/** Formats problems for an operator: one line each, setting first. */
export function describeProblems(problems: readonly SettingProblem[]): string {
  return problems.map((p) => `${p.setting} ${p.problem}`).join('\n');
}

class SettingReader {
  constructor(
    private readonly env: Env,
    private readonly problems: SettingProblem[],
  ) {}

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  required(name: string, fix: string): string | undefined {
    const value = this.optional(name);
    if (value === undefined) this.problems.push({ setting: name, problem: `is not set: ${fix}` });
    return value;
  }

  /** A secret setting. An unresolved Key Vault reference means the platform could not read the vault. */
  secret(name: string, isRequired: boolean, fix: string): string | undefined {
    const value = isRequired ? this.required(name, fix) : this.optional(name);
    if (value !== undefined && KEY_VAULT_REFERENCE.test(value)) {
      this.problems.push({
        setting: name,
        problem:
          "is an unresolved Key Vault reference: give the function app's identity the 'Key Vault Secrets User' role on the secret, set keyVaultReferenceIdentity to that identity, and check the secret URI",
      });
      return undefined;
    }
    return value;
  }

  guid(name: string, fix: string): string | undefined {
    const value = this.required(name, fix);
    if (value !== undefined && !GUID.test(value)) {
      this.problems.push({ setting: name, problem: `is not a GUID: ${fix}` });
      return undefined;
    }
    return value?.toLowerCase();
  }

  url(name: string, isRequired: boolean): string | undefined {
    const value = isRequired ? this.required(name, 'set it to an https URL') : this.optional(name);
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.problems.push({ setting: name, problem: 'is not a valid URL: set it to an https URL' });
      return undefined;
    }
    if (!isHttpsOrLoopbackHttp(parsed)) {
      this.problems.push({ setting: name, problem: 'must use https (plain http is allowed only for loopback hosts)' });
      return undefined;
    }
    // A credential in the URL would travel as Basic authentication and show wherever the URL is logged.
    if (parsed.username || parsed.password) {
      this.problems.push({ setting: name, problem: 'must not contain a user name or password: put the credential in its own secret setting' });
      return undefined;
    }
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push({ setting: name, problem: `must be a whole number from ${min} to ${max} (default ${fallback})` });
      return fallback;
    }
    return value;
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
    if (!match) {
      this.problems.push({ setting: name, problem: `must be one of ${allowed.join(', ')} (default ${fallback})` });
      return fallback;
    }
    return match;
  }

  /** `<Prefix>TableEndpoint` | `<Prefix>TableConnectionString`, `<Prefix>TableName`. */
  tableLocation(prefix: string, defaultName: string, managedIdentityClientId: string | undefined, isRequired: boolean): TableLocation {
    const endpoint = this.url(`${prefix}TableEndpoint`, false);
    const connectionString = this.secret(`${prefix}TableConnectionString`, false, '');
    if (isRequired && !endpoint && !connectionString && !this.problems.some((p) => p.setting.startsWith(`${prefix}Table`))) {
      this.problems.push({
        setting: `${prefix}TableEndpoint`,
        problem: `is not set: set ${prefix}TableEndpoint to https://<account>.table.core.windows.net (managed identity) or ${prefix}TableConnectionString for Azurite`,
      });
    }
    const tableName = this.optional(`${prefix}TableName`) ?? defaultName;
    if (!TABLE_NAME.test(tableName)) {
      this.problems.push({ setting: `${prefix}TableName`, problem: 'must be 3-63 letters and digits, starting with a letter (Azure Table naming rules)' });
    }
    return { endpoint, connectionString, tableName, managedIdentityClientId };
  }
}
