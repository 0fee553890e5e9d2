import { loadSettings, DEFAULTS, type Env } from './settings';

const TENANT = '11111111-2222-3333-4444-555555555555';
const APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----';

function base(extra: Env = {}): Env {
  return { DecryptionPrivateKey: PEM, ExternalIdTenantId: TENANT, ExtensionAppId: APP, LegacyStore: 'file', LegacyUsersFile: '/tmp/users.jsonl', ...extra };
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
    expect(result.settings.tenantId).toBe(TENANT);
  });
});
