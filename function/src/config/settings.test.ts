import { loadSettings, DEFAULTS, type Env } from './settings';

const TENANT = '11111111-2222-3333-4444-555555555555';
const APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----';

function base(extra: Env = {}): Env {
  return { DecryptionPrivateKey: PEM, ExternalIdTenantId: TENANT, ExtensionAppId: APP, LegacyStore: 'file', LegacyUsersFile: '/tmp/users.jsonl', PasswordChangeCheck: 'off', ...extra };
}

function problemsOf(env: Env): string[] {
  const result = loadSettings(env);
  return result.ok ? [] : result.problems.map((p) => `${p.setting} ${p.problem}`);
}

describe('loadSettings', () => {
  it('applies the documented defaults', () => {
    const result = loadSettings(base());
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const s = result.settings;
    expect(s.calloutBudgetMs).toBe(1500);
    expect(s.passwordPolicy).toEqual({ minLength: 8, maxLength: 256, minCharacterClasses: 3 });
    expect(s.lockout.threshold).toBe(5);
    expect(s.lockout.windowMinutes).toBe(15);
    expect(s.onLegacyError.action).toBe('Block');
    expect(s.stateStore).toEqual({ kind: 'memory' });
    expect(s.legacyStore).toEqual({ kind: 'file', usersFile: '/tmp/users.jsonl' });
  });

  it('names every missing required setting at once', () => {
    const problems = problemsOf({});
    expect(problems.some((p) => p.startsWith('DecryptionPrivateKey is not set'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ExternalIdTenantId is not set'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ExtensionAppId is not set'))).toBe(true);
    // Default LegacyStore is table, which needs an endpoint.
    expect(problems.some((p) => p.startsWith('LegacyTableEndpoint is not set'))).toBe(true);
  });

  it('rejects a non-GUID tenant and says what to set', () => {
    expect(problemsOf(base({ ExternalIdTenantId: 'contoso.onmicrosoft.com' }))).toEqual([
      'ExternalIdTenantId is not a GUID: set it to the directory (tenant) ID of the External ID tenant',
    ]);
  });

  it('reports an unresolved Key Vault reference without echoing it', () => {
    const ref = '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/jit/abc)';
    const problems = problemsOf(base({ DecryptionPrivateKey: ref }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DecryptionPrivateKey is an unresolved Key Vault reference/);
    expect(problems[0]).not.toContain('kv.vault.azure.net');
  });

  it('never echoes secret values in problems', () => {
    const problems = problemsOf(base({ LegacyStore: 'http', LegacyServiceUrl: 'http://legacy.example.com/verify', LegacyServiceApiKey: 'super-secret-key', CalloutBudgetMs: 'soon' }));
    expect(problems.join('\n')).not.toContain('super-secret-key');
    expect(problems).toContain('LegacyServiceUrl must use https (plain http is allowed only for loopback hosts)');
    expect(problems).toContain(`CalloutBudgetMs must be a whole number from 200 to 1900 (default ${DEFAULTS.CalloutBudgetMs})`);
  });

  it('with problems, still returns what was read cleanly, for start-up to check in the same round', () => {
    const result = loadSettings(base({ ClockSkewSeconds: 'soon', LegacyUsersFile: '', PasswordChangeCheck: 'sometimes' }));
    if (result.ok) throw new Error('expected problems');
    expect(result.problems.map((p) => p.setting)).toEqual(['PasswordChangeCheck', 'LegacyUsersFile', 'ClockSkewSeconds']);
    expect(result.partial.externalId?.decryptionPrivateKey).toBe(PEM);
    expect(result.partial.stateStore).toEqual({ kind: 'memory' });
    // The parts whose reading found the problem are left out, so nothing is reported twice.
    expect(result.partial.legacyStore).toBeUndefined();
    expect(result.partial.externalId?.passwordChangeCheck).toBeUndefined();
  });

  it('allows plain http only for loopback metadata', () => {
    expect(problemsOf(base({ OpenIdMetadataUrl: 'http://127.0.0.1:9999/t/v2.0/.well-known/openid-configuration' }))).toEqual([]);
    expect(problemsOf(base({ OpenIdMetadataUrl: 'http://login.example.com/.well-known/openid-configuration' }))).toEqual([
      'OpenIdMetadataUrl must use https (plain http is allowed only for loopback hosts)',
    ]);
  });

  it('shares the legacy table account for state unless told otherwise', () => {
    const result = loadSettings(base({ LegacyStore: 'table', LegacyTableEndpoint: 'https://acct.table.core.windows.net', ManagedIdentityClientId: APP }));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.settings.stateStore).toEqual({
      kind: 'table',
      endpoint: 'https://acct.table.core.windows.net',
      connectionString: undefined,
      tableName: 'JitState',
      managedIdentityClientId: APP,
    });
  });

  it('requires a state table for the web-service store (it scales out)', () => {
    expect(problemsOf(base({ LegacyStore: 'http', LegacyServiceUrl: 'https://legacy.example.com/verify' }))[0]).toMatch(/^StateTableEndpoint is not set/);
    expect(problemsOf(base({ LegacyStore: 'http', LegacyServiceUrl: 'https://legacy.example.com/verify', StateStore: 'memory' }))).toEqual([]);
  });

  it('validates table names, choices and policy bounds', () => {
    const problems = problemsOf(base({ StateStore: 'table', StateTableEndpoint: 'https://a.table.core.windows.net', StateTableName: 'jit-state', LegacyErrorAction: 'Allow', PasswordMinLength: '20', PasswordMaxLength: '10' }));
    expect(problems).toEqual(
      expect.arrayContaining([
        'StateTableName must be 3-63 letters and digits, starting with a letter (Azure Table naming rules)',
        'LegacyErrorAction must be one of Block, Retry (default Block)',
        'PasswordMinLength is larger than PasswordMaxLength: make it smaller or equal',
      ]),
    );
  });

  it('accepts case-insensitive choices and normalizes GUID case', () => {
    const result = loadSettings(base({ LegacyErrorAction: 'retry', ExternalIdTenantId: TENANT.toUpperCase() }));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.settings.onLegacyError.action).toBe('Retry');
    expect(result.settings.externalId?.tenantId).toBe(TENANT);
  });

  it('reads StateStoreFailClosed: off by default, true or false only', () => {
    const defaults = loadSettings(base());
    expect(defaults.ok && defaults.settings.stateStoreFailClosed).toBe(false);
    const on = loadSettings(base({ StateStoreFailClosed: 'TRUE' }));
    expect(on.ok && on.settings.stateStoreFailClosed).toBe(true);
    expect(problemsOf(base({ StateStoreFailClosed: 'yes' }))).toEqual(['StateStoreFailClosed must be one of true, false (default false)']);
  });
});

describe('ExternalIdTenantSubdomain', () => {
  it('is optional, and read in lower case', () => {
    const without = loadSettings(base());
    expect(without.ok && without.settings.externalId?.tenantSubdomain).toBeUndefined();
    const withIt = loadSettings(base({ ExternalIdTenantSubdomain: 'Contoso' }));
    expect(withIt.ok && withIt.settings.externalId?.tenantSubdomain).toBe('contoso');
  });

  it.each(['contoso.ciamlogin.com', 'contoso.onmicrosoft.com', '-contoso', 'con toso', 'a'.repeat(64), '*'])('refuses %s: the subdomain only', (value) => {
    expect(problemsOf(base({ ExternalIdTenantSubdomain: value }))).toEqual([
      "ExternalIdTenantSubdomain must be the tenant's subdomain only: contoso for contoso.ciamlogin.com (or remove it)",
    ]);
  });
});

describe('PasswordChangeCheck', () => {
  const GRAPH_APP = '99999999-8888-4777-8666-555555555555';
  const graph = (extra: Env = {}) => base({ PasswordChangeCheck: undefined, ...extra });

  it('defaults to graph with a certificate, and then needs the Graph app and its certificate', () => {
    expect(DEFAULTS.PasswordChangeCheck).toBe('graph');
    const problems = problemsOf(graph());
    expect(problems.some((p) => p.startsWith('GraphClientId is not set'))).toBe(true);
    expect(problems.some((p) => p.startsWith('GraphClientCertificate is not set'))).toBe(true);
  });

  it('reads the certificate credential', () => {
    const result = loadSettings(graph({ GraphClientId: GRAPH_APP, GraphClientCertificate: PEM }));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.settings.externalId?.passwordChangeCheck).toEqual({
      mode: 'graph',
      graphBaseUrl: 'https://graph.microsoft.com',
      credential: { kind: 'certificate', clientId: GRAPH_APP, certificatePem: PEM },
    });
  });

  it('reads the managed-identity credential with the identity the app settings name', () => {
    const result = loadSettings(graph({ GraphClientId: GRAPH_APP, GraphAuthentication: 'managedIdentity', ManagedIdentityClientId: APP }));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.settings.externalId?.passwordChangeCheck).toMatchObject({ credential: { kind: 'managedIdentity', clientId: GRAPH_APP, managedIdentityClientId: APP } });
  });

  it('treats an unresolved Key Vault reference as the platform failing to read the vault', () => {
    const problems = problemsOf(graph({ GraphClientId: GRAPH_APP, GraphClientCertificate: '@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/graph)' }));
    expect(problems).toEqual([expect.stringMatching(/^GraphClientCertificate is an unresolved Key Vault reference/)]);
  });

  it('honours the test seams only towards a loopback Graph', () => {
    const result = loadSettings(graph({ JITMIGRATE_GRAPH_URL: 'http://127.0.0.1:4000', JITMIGRATE_GRAPH_TOKEN: 't' }));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.settings.externalId?.passwordChangeCheck).toEqual({ mode: 'graph', graphBaseUrl: 'http://127.0.0.1:4000', credential: { kind: 'static-token', token: 't' } });
    expect(problemsOf(graph({ JITMIGRATE_GRAPH_TOKEN: 't' }))).toContain(
      'JITMIGRATE_GRAPH_TOKEN is a test seam accepted only with a loopback JITMIGRATE_GRAPH_URL: remove it',
    );
    expect(problemsOf(graph({ JITMIGRATE_GRAPH_URL: 'https://graph.contoso.example', JITMIGRATE_GRAPH_TOKEN: 't' }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^JITMIGRATE_GRAPH_URL is a test seam/)]),
    );
  });

  it('off needs nothing else, and ignores the Graph settings', () => {
    const result = loadSettings(base({ PasswordChangeCheck: 'OFF', GraphClientCertificate: '@Microsoft.KeyVault(SecretUri=x)' }));
    expect(result.ok && result.settings.externalId?.passwordChangeCheck).toEqual({ mode: 'off' });
  });

  it('refuses any other mode', () => {
    expect(problemsOf(base({ PasswordChangeCheck: 'legacy' }))).toEqual(['PasswordChangeCheck must be one of graph, off (default graph)']);
  });
});

describe('LegacyStore=b2c (README "From Azure AD B2C to External ID")', () => {
  const B2C_APP = '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const b2c = (extra: Env = {}): Env => base({ LegacyStore: 'b2c', LegacyUsersFile: undefined, StateStore: 'memory', LegacyB2cTenant: 'Contoso.onmicrosoft.com', LegacyB2cClientId: B2C_APP, ...extra });

  it('reads the tenant, app, policy and form with their defaults, and the circuit breaker', () => {
    const result = loadSettings(b2c());
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.settings.legacyStore).toEqual({
      kind: 'b2c',
      tenant: 'contoso.onmicrosoft.com',
      clientId: B2C_APP,
      policy: 'B2C_1_ROPC',
      endpoint: 'b2clogin',
      circuit: { threshold: 10, windowSeconds: 60, cooldownSeconds: 60 },
    });
    expect(result.settings.lockedAccount).toEqual({ title: DEFAULTS.LockedAccountTitle, message: DEFAULTS.LockedAccountMessage });
    expect(result.settings.passwordResetRequired).toEqual({ title: DEFAULTS.PasswordResetRequiredTitle, message: DEFAULTS.PasswordResetRequiredMessage });
  });

  it('defaults the state store to Table Storage, as for the web service', () => {
    expect(problemsOf(b2c({ StateStore: undefined }))).toEqual([expect.stringMatching(/^StateTableEndpoint is not set/)]);
  });

  it('requires the tenant domain and the app, and checks their shape', () => {
    expect(problemsOf(b2c({ LegacyB2cTenant: undefined, LegacyB2cClientId: undefined }))).toEqual([
      "LegacyB2cTenant is not set: set it to the B2C tenant's domain, like contoso.onmicrosoft.com",
      'LegacyB2cClientId is not set: set it to the client ID of the ROPC app registration in the B2C tenant',
    ]);
    expect(problemsOf(b2c({ LegacyB2cTenant: 'contoso.b2clogin.com', LegacyB2cClientId: 'ropc-app', LegacyB2cPolicy: 'ROPC' }))).toEqual([
      "LegacyB2cTenant must be the B2C tenant's *.onmicrosoft.com domain, like contoso.onmicrosoft.com",
      'LegacyB2cClientId is not a GUID: set it to the client ID of the ROPC app registration in the B2C tenant',
      'LegacyB2cPolicy must be a user flow (B2C_1_…) or custom policy (B2C_1A_…) name, like B2C_1_ROPC',
    ]);
  });

  it('asks for the client secret only where the form sends one', () => {
    expect(problemsOf(b2c({ LegacyB2cEndpoint: 'entra' }))).toEqual([
      "LegacyB2cClientSecret is not set: the entra form sends a client secret: set it to the ROPC app's secret (a Key Vault reference)",
    ]);
    expect(problemsOf(b2c({ LegacyB2cClientSecret: 's3cret' }))).toEqual([
      'LegacyB2cClientSecret is not used by the b2clogin form (B2C ROPC apps are public clients): remove it, or set LegacyB2cEndpoint=entra',
    ]);
    const entra = loadSettings(b2c({ LegacyB2cEndpoint: 'Entra', LegacyB2cClientSecret: 's3cret', LegacyB2cPolicy: 'B2C_1A_ROPC_Auth' }));
    expect(entra.ok && entra.settings.legacyStore).toMatchObject({ endpoint: 'entra', clientSecret: 's3cret', policy: 'B2C_1A_ROPC_Auth' });
    expect(problemsOf(b2c({ LegacyB2cEndpoint: 'ciamlogin' }))).toEqual(['LegacyB2cEndpoint must be one of b2clogin, entra (default b2clogin)']);
  });

  it('takes a token URL override over https, or plain http on loopback only', () => {
    const local = loadSettings(b2c({ LegacyB2cTokenUrl: 'http://127.0.0.1:7071/contoso.onmicrosoft.com/B2C_1_ROPC/oauth2/v2.0/token' }));
    expect(local.ok && local.settings.legacyStore).toMatchObject({ tokenUrl: 'http://127.0.0.1:7071/contoso.onmicrosoft.com/B2C_1_ROPC/oauth2/v2.0/token' });
    expect(problemsOf(b2c({ LegacyB2cTokenUrl: 'http://b2c.example.com/token' }))).toEqual(['LegacyB2cTokenUrl must use https (plain http is allowed only for loopback hosts)']);
  });

  it('keeps our lockout below B2C\'s smart lockout: LockoutThreshold 10 or more is a start-up problem', () => {
    expect(problemsOf(b2c({ LockoutThreshold: '9' }))).toEqual([]);
    expect(problemsOf(b2c({ LockoutThreshold: '10' }))).toEqual([
      "LockoutThreshold is 10: with LegacyStore=b2c it must be below B2C's smart lockout (10 failures), so our lockout trips first; the default is 5",
    ]);
    expect(problemsOf(base({ LockoutThreshold: '10' }))).toEqual([]); // other stores keep their range
  });

  it('bounds the circuit breaker settings', () => {
    expect(problemsOf(b2c({ LegacyB2cCircuitThreshold: '0', LegacyB2cCircuitWindowSeconds: '3601', LegacyB2cCircuitCooldownSeconds: 'soon' }))).toEqual([
      'LegacyB2cCircuitThreshold must be a whole number from 1 to 1000 (default 10)',
      'LegacyB2cCircuitWindowSeconds must be a whole number from 1 to 3600 (default 60)',
      'LegacyB2cCircuitCooldownSeconds must be a whole number from 1 to 3600 (default 60)',
    ]);
  });

  it('serves the External ID callout only', () => {
    expect(problemsOf(b2c({ IdentityPlatform: 'both', B2cApiAuth: 'basic', B2cBasicUsername: 'b2c', B2cBasicPassword: 'x'.repeat(40) }))).toEqual([
      'LegacyStore is b2c, which serves the External ID callout only: set IdentityPlatform=externalId',
    ]);
  });
});

describe('URL settings', () => {
  it('refuse a user name or password in the URL, without echoing it', () => {
    const result = loadSettings(base({ LegacyStore: 'b2c', LegacyB2cTenant: 'contosob2c.onmicrosoft.com', LegacyB2cClientId: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', LegacyB2cTokenUrl: 'https://svc:hunter2@127.0.0.1:4000/token' }));
    if (result.ok) throw new Error('expected a problem');
    const problem = result.problems.find((p) => p.setting === 'LegacyB2cTokenUrl');
    expect(problem?.problem).toMatch(/must not contain a user name or password/);
    expect(JSON.stringify(result.problems)).not.toContain('hunter2');
  });
});

