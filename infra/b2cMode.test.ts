/**
 * identityPlatform=b2c under mocks (README "Deploy in B2C mode"): the committed example stack Pulumi.b2c.yaml
 * and its bearer, apiKey and starter-pack-apps variants. The Azure side is the External ID stacks'; the
 * tenant side is the B2C tenant's objects, the generated secrets, the policy keys and the policies.
 */
import { loadSettings } from '../function/src/config';
import { b2cTokenEndpoint } from '../lib/b2c/policies';
import { B2C_API_CALLER_ROLE, B2C_BASIC_USERNAME } from './components/b2cTenant';
import { checkDistinctTenants, ConfigError, parseConfig, parseConfigValues, type ConfigKey, type InfraConfig } from './config';
import { configSourceOf, loadStackConfig, MOCK, PROJECT, runProgram, type ProgramRun, type RecordedResource } from './test/mocks';

const B2C_STACK = 'Pulumi.b2c.yaml';
const key = (k: ConfigKey): string => `${PROJECT}:${k}`;
const b2cValues = (overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({ ...loadStackConfig(B2C_STACK), ...overrides });
const configOf = (overrides: Record<string, string | undefined> = {}): InfraConfig => parseConfig(configSourceOf(b2cValues(overrides)));
/** The B2C stack instead of the dev stack (runProgram starts from Pulumi.dev.yaml). */
const runB2c = (overrides: Record<string, string | undefined> = {}): Promise<ProgramRun> =>
  runProgram({ overrides: { ...Object.fromEntries(Object.keys(loadStackConfig()).map((k) => [k, undefined])), ...b2cValues(overrides) } });
const problems = (values: Record<string, string | undefined>): string[] => {
  try {
    parseConfig(configSourceOf(values));
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
};

const BEARER = { [key('b2cApiAuth')]: 'bearer' };
const API_KEY = { [key('b2cApiAuth')]: 'apiKey', [key('b2cApiKeyHeader')]: 'x-jit-key' };
const STARTER_APPS = { [key('b2cCreateIdentityExperienceFrameworkApps')]: 'true' };
const TYPES = {
  app: 'azure-native:web:WebApp',
  vaultSecret: 'azure-native:keyvault:Secret',
  vault: 'azure-native:keyvault:Vault',
  keySet: 'pulumi-nodejs:dynamic/graph:TrustFrameworkKeySet',
  policy: 'pulumi-nodejs:dynamic/graph:TrustFrameworkPolicy',
  password: 'random:index/randomPassword:RandomPassword',
  aadProvider: 'pulumi:providers:azuread',
  aadRegistration: 'azuread:index/applicationRegistration:ApplicationRegistration',
  aadApplication: 'azuread:index/application:Application',
} as const;

let basic: ProgramRun;
let bearer: ProgramRun;
let apiKey: ProgramRun;
let starterApps: ProgramRun;
let rotated: ProgramRun;
let cfg: InfraConfig;

beforeAll(async () => {
  cfg = configOf();
  basic = await runB2c();
  bearer = await runB2c(BEARER);
  apiKey = await runB2c(API_KEY);
  starterApps = await runB2c(STARTER_APPS);
  rotated = await runB2c({ [key('b2cSecretVersion')]: '2' });
}, 240_000);

const ofType = (run: ProgramRun, type: string): RecordedResource[] => run.mocks.resources.filter((r) => r.type === type);
const appOf = (run: ProgramRun): RecordedResource => ofType(run, TYPES.app)[0]!;
const settingsOf = (run: ProgramRun): Map<string, string> => new Map((appOf(run).inputs.siteConfig.appSettings as { name: string; value: string }[]).map((s) => [s.name, s.value]));
const hostOf = (run: ProgramRun): string => `${appOf(run).inputs.name}.azurewebsites.net`;
/** The values the stack generated or got from Entra: the mocks' random passwords and the caller's client secret. */
const generatedSecrets = (run: ProgramRun): string[] => [
  ...ofType(run, TYPES.password).map((r) => String(r.state.result)),
  ...run.mocks.resources.filter((r) => r.type === 'azuread:index/applicationPassword:ApplicationPassword').map((r) => String(r.state.value ?? '')).filter((v) => v !== ''),
];

describe('the committed B2C stack', () => {
  test('parses: b2c mode, its tenant, basic auth by default, no External ID tenant', () => {
    expect(cfg.identityPlatform).toBe('b2c');
    expect(cfg.b2c).toMatchObject({ tenantId: '00000000-0000-0000-0000-0000000000b2', tenantDomain: 'contosob2c.onmicrosoft.com', apiAuth: 'basic', policyPrefix: 'B2C_1A_JIT', createIdentityExperienceFrameworkApps: false, secretVersion: 1 });
    expect(cfg.externalId.tenantId).toBe('');
    expect(cfg.passwordChangeCheck).toEqual({ mode: 'off' });
  });

  test('the shared Azure side, none of the External ID tenant side', () => {
    const types = new Set(basic.mocks.resources.map((r) => r.type));
    for (const shared of ['azure-native:keyvault:Vault', 'azure-native:web:WebApp', 'azure-native:storage:StorageAccount', 'azure-native:operationalinsights:Workspace', 'azure-native:managedidentity:UserAssignedIdentity']) {
      expect(types).toContain(shared);
    }
    const components = basic.mocks.resources.filter((r) => !r.custom).map((r) => r.type);
    expect(components).toEqual(expect.arrayContaining(['jitmigration:b2c:B2cTenant', 'jitmigration:b2c:B2cPolicies', 'jitmigration:azure:FunctionHosting', 'jitmigration:azure:KeyMaterial']));
    expect(components.filter((t) => /EntraApplications|JitPolicies|GraphReader/.test(t))).toEqual([]);
    expect([...types].filter((t) => /CustomAuthenticationExtension|EventListener|ApplicationEncryptionKey/.test(t))).toEqual([]);
  });

  test('every azuread resource and Graph object targets the B2C tenant through one pinned provider', () => {
    for (const run of [basic, bearer, starterApps]) {
      const providers = ofType(run, TYPES.aadProvider);
      expect(providers.map((p) => ({ name: p.name, tenantId: p.inputs.tenantId, useMsi: String(p.inputs.useMsi) }))).toEqual([{ name: 'b2c-b2c', tenantId: cfg.b2c!.tenantId, useMsi: 'false' }]);
      for (const r of run.mocks.resources.filter((x) => x.type.startsWith('azuread:'))) expect({ name: r.name, provider: r.provider?.split('::')[3] }).toEqual({ name: r.name, provider: 'b2c-b2c' });
      for (const c of run.mocks.calls.filter((x) => x.token.startsWith('azuread:'))) expect(c.provider?.split('::')[3]).toBe('b2c-b2c');
      for (const r of run.mocks.resources.filter((x) => x.type.startsWith('pulumi-nodejs:dynamic/graph'))) expect({ name: r.name, tenantId: r.inputs.tenantId }).toEqual({ name: r.name, tenantId: cfg.b2c!.tenantId });
    }
  });

  test('the migration flag is looked up on the b2c-extensions-app (requiresMigration), and is the stack output', () => {
    const flag = basic.mocks.resources.find((r) => r.type === 'pulumi-nodejs:dynamic/graph:ExtensionProperty')!;
    expect(flag.inputs).toMatchObject({ name: 'requiresMigration', dataType: 'Boolean', targetObjects: ['User'] });
    expect(basic.outputs.migrationPropertyFullName).toBe(flag.state.fullName);
    expect(ofType(basic, TYPES.aadRegistration).concat(ofType(basic, TYPES.aadApplication))).toEqual([]);
  });
});

describe('the app settings B2C mode writes', () => {
  test.each([
    ['basic', () => basic],
    ['bearer', () => bearer],
    ['apiKey', () => apiKey],
  ])('%s: they load in the function without a problem, and each one is read', (_name, run) => {
    const written = settingsOf(run());
    // In Azure the platform resolves a Key Vault reference before the app reads it: a 64-character secret.
    const env: Record<string, string> = {};
    for (const [name, value] of written) env[name] = /^@Microsoft\.KeyVault\(/.test(value) ? `resolved-${name}-`.padEnd(64, 'x') : value;
    const read = new Set<string>();
    const recording = new Proxy(env, { get: (target, name) => (typeof name === 'string' && read.add(name), target[name as string]) });
    const result = loadSettings(recording);
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(result.ok && result.settings.identityPlatform).toBe('b2c');
    const platform = /^(AzureWebJobsStorage__|APPLICATIONINSIGHTS_|FUNCTIONS_|WEBSITE_)/;
    expect([...written.keys()].filter((name) => !platform.test(name) && !read.has(name))).toEqual([]);
  });

  test('B2C settings, no External ID ones; secrets only as version-pinned references into the stack vault', () => {
    const settings = settingsOf(basic);
    expect({ IdentityPlatform: settings.get('IdentityPlatform'), B2cApiAuth: settings.get('B2cApiAuth'), B2cBasicUsername: settings.get('B2cBasicUsername') }).toEqual({ IdentityPlatform: 'b2c', B2cApiAuth: 'basic', B2cBasicUsername: B2C_BASIC_USERNAME });
    for (const name of ['ExternalIdTenantId', 'ExtensionAppId', 'ExtensionAppIdentifierUri', 'ExternalIdTenantSubdomain', 'PasswordChangeCheck', 'DecryptionPrivateKey', 'DecryptionPrivateKeyPrevious', 'GraphClientId']) expect({ name, value: settings.get(name) }).toEqual({ name, value: undefined });
    const vault = ofType(basic, TYPES.vault)[0]!.inputs.vaultName;
    for (const [name, secretName] of [['B2cBasicPassword', 'b2c-basic-password'], ['RequestKeySecret', 'b2c-request-key-secret']] as const) {
      expect(settings.get(name)).toMatch(new RegExp(`^@Microsoft\\.KeyVault\\(SecretUri=https://${vault}\\.vault\\.azure\\.net/secrets/${secretName}/[0-9a-f]{32}\\)$`));
    }
    expect(settingsOf(apiKey).get('B2cApiKeyHeader')).toBe('x-jit-key');
    expect(settingsOf(apiKey).get('B2cApiKey')).toMatch(/^@Microsoft\.KeyVault\(SecretUri=https:\/\/.*\/secrets\/b2c-api-key\/[0-9a-f]{32}\)$/);
  });

  test('no decryption certificate (B2C sends the password in the TLS body): no vault certificate, no deployer role, no expiry alert', () => {
    expect(basic.mocks.resources.filter((r) => r.type.endsWith(':KeyVaultCertificate'))).toEqual([]);
    expect(ofType(basic, 'azure-native:authorization:RoleAssignment').filter((r) => r.inputs.principalId === MOCK.deployerObjectId)).toEqual([]);
    const alertRules = ofType(basic, 'azure-native:monitor:ScheduledQueryRule').map((r) => r.name);
    expect(alertRules.length).toBeGreaterThan(0);
    expect(alertRules).not.toContain('alerting-certificateNearExpiry');
    expect(basic.outputs.certificateThumbprint ?? undefined).toBeUndefined();
  });

  test('the function identity reads exactly its B2C secrets, nothing of a decryption key', () => {
    const scopes = ofType(basic, 'azure-native:authorization:RoleAssignment')
      .filter((r) => String(r.inputs.scope).includes('/secrets/'))
      .map((r) => String(r.inputs.scope).split('/secrets/')[1])
      .sort();
    expect(scopes).toEqual(['b2c-basic-password', 'b2c-request-key-secret']);
  });
});

describe('the policies and their keys', () => {
  const policies = (run: ProgramRun) => ofType(run, TYPES.policy);
  const basePolicyOf = (xml: string) => /<BasePolicy>\s*<TenantId>[^<]*<\/TenantId>\s*<PolicyId>([^<]+)<\/PolicyId>/.exec(xml)?.[1];

  test('uploaded in dependency order: the keys, the layer on the starter pack\'s base, the relying parties on the layer', () => {
    const registered = basic.mocks.resources.map((r) => r.name);
    const [layer, ...relyingParties] = policies(basic);
    expect([layer, ...relyingParties].map((p) => p!.inputs.policyId)).toEqual(['B2C_1A_JIT_Migration', 'B2C_1A_JIT_SignUpOrSignIn', 'B2C_1A_JIT_PasswordReset']);
    expect(basePolicyOf(layer!.inputs.xml)).toBe(cfg.b2c!.basePolicy);
    for (const rp of relyingParties) expect(basePolicyOf(rp.inputs.xml)).toBe('B2C_1A_JIT_Migration');
    // Under mocks a resource registers once what it depends on has: registration order = upload order.
    for (const keySet of ofType(basic, TYPES.keySet)) expect(registered.indexOf(keySet.name)).toBeLessThan(registered.indexOf(layer!.name));
    for (const rp of relyingParties) expect(registered.indexOf(layer!.name)).toBeLessThan(registered.indexOf(rp.name));
    expect(registered.indexOf('hosting-code')).toBeLessThan(registered.indexOf(ofType(basic, TYPES.keySet)[0]!.name));
    expect(basic.outputs.b2cPolicyIds).toEqual(['B2C_1A_JIT_Migration', 'B2C_1A_JIT_SignUpOrSignIn', 'B2C_1A_JIT_PasswordReset']);
  });

  test('every ServiceUrl names the function\'s real host, none the stand-in used at preview', () => {
    for (const run of [basic, bearer, apiKey]) {
      for (const policy of policies(run)) {
        // The function's endpoints; bearer's token request goes to Entra, not the function.
        const urls = [...String(policy.inputs.xml).matchAll(/<Item Key="ServiceUrl">([^<]+)<\/Item>/g)].map((m) => m[1]).filter((url) => url !== b2cTokenEndpoint(cfg.b2c!.tenantDomain));
        if (policy.inputs.policyId === 'B2C_1A_JIT_Migration') expect(urls.length).toBeGreaterThan(0);
        for (const url of urls) expect(url).toMatch(new RegExp(`^https://${hostOf(run).replace(/\./g, '\\.')}/api/b2c/`));
        expect(policy.inputs.xml).not.toContain('function.azurewebsites.net');
        expect(policy.inputs.xml).toContain(cfg.b2c!.tenantDomain);
      }
    }
    expect(basic.outputs.b2cSignInUrl).toBe(`https://${hostOf(basic)}/api/b2c/signin`);
    expect(basic.outputs.b2cPasswordResetUrl).toBe(`https://${hostOf(basic)}/api/b2c/password-reset`);
  });

  test('the policies name the b2c-extensions-app the flag was found on, and (bearer) the API app', () => {
    const flag = basic.mocks.resources.find((r) => r.type === 'pulumi-nodejs:dynamic/graph:ExtensionProperty')!;
    expect(policies(basic)[0]!.inputs.xml).toContain(flag.state.applicationAppId);
    const apiApp = ofType(bearer, TYPES.aadRegistration).find((r) => r.name === 'b2c-api')!;
    expect(policies(bearer)[0]!.inputs.xml).toContain(`api://${apiApp.state.clientId}/.default`);
  });

  test.each([
    ['basic', () => basic, [['JIT_ApiUsername', 'enc'], ['JIT_ApiPassword', 'enc']]],
    ['apiKey', () => apiKey, [['JIT_ApiKey', 'enc']]],
    ['bearer', () => bearer, [['JIT_ApiClientId', 'sig'], ['JIT_ApiClientSecret', 'sig']]],
  ] as const)('%s: the key sets the policies read, each value a Pulumi secret', (_name, run, expected) => {
    const keySets = ofType(run(), TYPES.keySet);
    expect(keySets.map((k) => [k.inputs.keySetId, k.inputs.use])).toEqual(expected);
    for (const k of keySets) expect(k.secretPaths).toContain('secret');
    expect(run().outputs.b2cKeySetNames).toEqual(expected.map(([id]) => `B2C_1A_${id}`));
  });

  test('a stack with its own b2cPolicyPrefix shares no policy, key set or caller-secret name with the default one (one B2C tenant)', async () => {
    const dev = await runB2c({ ...BEARER, [key('b2cPolicyPrefix')]: 'B2C_1A_JIT_dev' });
    const prod = bearer;
    const names = (run: ProgramRun): string[] => [
      ...ofType(run, TYPES.keySet).map((k) => `B2C_1A_${String(k.inputs.keySetId)}`),
      ...policies(run).map((p) => String(p.inputs.policyId)),
      ...run.mocks.resources.filter((r) => r.type === 'azuread:index/applicationPassword:ApplicationPassword').map((r) => String(r.inputs.displayName)),
    ];
    expect(names(dev)).toEqual(['B2C_1A_JIT_dev_ApiClientId', 'B2C_1A_JIT_dev_ApiClientSecret', 'B2C_1A_JIT_dev_Migration', 'B2C_1A_JIT_dev_SignUpOrSignIn', 'B2C_1A_JIT_dev_PasswordReset', 'B2C policy key B2C_1A_JIT_dev_ApiClientSecret']);
    expect(names(dev).filter((name) => names(prod).includes(name))).toEqual([]);
    // The policies read the keys this stack uploads, not the default stack's.
    for (const p of policies(dev)) expect(String(p.inputs.xml)).not.toMatch(/StorageReferenceId="B2C_1A_JIT_Api/);
    expect(String(policies(dev)[0]!.inputs.xml)).toContain('StorageReferenceId="B2C_1A_JIT_dev_ApiClientSecret"');
  });

  test('basic: the uploaded user name is the function\'s, the password the one in Key Vault', () => {
    const [username, password] = ofType(basic, TYPES.keySet);
    expect(username!.inputs.secret).toBe(B2C_BASIC_USERNAME);
    const stored = ofType(basic, TYPES.vaultSecret).find((s) => s.inputs.secretName === 'b2c-basic-password')!;
    expect(password!.inputs.secret).toBe(stored.inputs.properties.value);
    expect(String(password!.inputs.secret).length).toBe(64);
  });
});

describe('secrets', () => {
  test.each([
    ['basic', () => basic],
    ['bearer', () => bearer],
    ['apiKey', () => apiKey],
  ])('%s: a generated secret is plain nowhere in the recorded inputs, only in a Key Vault secret or a policy key, as a Pulumi secret', (_name, run) => {
    const secrets = generatedSecrets(run());
    expect(secrets.length).toBeGreaterThan(0);
    for (const r of run().mocks.resources) {
      let inputs: Record<string, unknown> = r.inputs;
      if (r.type === TYPES.vaultSecret && secrets.includes(r.inputs.properties?.value)) {
        expect(r.secretPaths.some((p) => p === 'properties' || p === 'properties.value')).toBe(true);
        inputs = { ...r.inputs, properties: { ...r.inputs.properties, value: '(secret)' } };
      }
      if (r.type === TYPES.keySet) {
        expect(r.secretPaths).toContain('secret');
        inputs = { ...r.inputs, secret: '(secret)' };
      }
      const text = JSON.stringify(inputs);
      for (const secret of secrets) expect({ resource: r.name, leaks: text.includes(secret) }).toEqual({ resource: r.name, leaks: false });
    }
    expect(JSON.stringify([...settingsOf(run()).values()])).not.toMatch(/MOCKSECRET/);
  });

  test('raising b2cSecretVersion makes every generated secret anew (rotation as a config change)', () => {
    const values = (run: ProgramRun) => ofType(run, TYPES.password).map((r) => [r.name, r.state.result]);
    expect(values(rotated).map(([name]) => name)).toEqual(values(basic).map(([name]) => name));
    for (const [i, [, value]] of values(rotated).entries()) expect(value).not.toBe(values(basic)[i]![1]);
    expect(ofType(rotated, TYPES.password).every((r) => r.inputs.keepers.secretVersion === '2')).toBe(true);
  });
});

describe('bearer', () => {
  const named = (name: string) => bearer.mocks.resources.find((r) => r.name === name)!;

  test('the API app: v2 tokens, identifier URI api://{appId}, an application role required for a token', () => {
    const api = named('b2c-api');
    expect(api.type).toBe(TYPES.aadRegistration);
    expect(api.inputs).toMatchObject({ requestedAccessTokenVersion: 2, signInAudience: 'AzureADMyOrg' });
    expect(named('b2c-api-uri').inputs.identifierUri).toBe(`api://${api.state.clientId}`);
    expect(named('b2c-api-caller-role').inputs).toMatchObject({ allowedMemberTypes: ['Application'], value: B2C_API_CALLER_ROLE });
    expect(bearer.mocks.resources.find((r) => r.name === 'b2c-api' && r.type === 'azuread:index/servicePrincipal:ServicePrincipal')!.inputs.appRoleAssignmentRequired).toBe(true);
  });

  test('the caller app holds the role; its client id and secret are the policy keys, its id the allowed caller', () => {
    const caller = bearer.mocks.resources.find((r) => r.name === 'b2c-caller' && r.type === TYPES.aadRegistration)!;
    const assignment = named('b2c-caller-role');
    expect(assignment.inputs.appRoleId).toBe(named('b2c-api-caller-role').inputs.roleId);
    expect(named('b2c-caller-secret').inputs.rotateWhenChanged).toEqual({ secretVersion: '1' });
    const settings = settingsOf(bearer);
    expect({ callers: settings.get('B2cCallerAppIds'), api: settings.get('B2cApiAppId'), tenant: settings.get('B2cTenantId'), uri: settings.get('B2cApiAppIdentifierUri') }).toEqual({
      callers: caller.state.clientId,
      api: named('b2c-api').state.clientId,
      tenant: cfg.b2c!.tenantId,
      uri: `api://${named('b2c-api').state.clientId}`,
    });
    const [clientIdKey, clientSecretKey] = ofType(bearer, TYPES.keySet);
    expect(clientIdKey!.inputs.secret).toBe(caller.state.clientId);
    expect(clientSecretKey!.inputs.secret).toBe(named('b2c-caller-secret').state.value);
    // Only RequestKeySecret in the vault: the client secret is B2C's alone.
    expect(ofType(bearer, TYPES.vaultSecret).map((s) => s.inputs.secretName)).toEqual(['b2c-request-key-secret']);
  });
});

describe('the starter pack\'s Identity Experience Framework apps (b2cCreateIdentityExperienceFrameworkApps)', () => {
  test('off by default; on: IdentityExperienceFramework with user_impersonation, the proxy granted it by admin consent', () => {
    const names = (run: ProgramRun) => run.mocks.resources.filter((r) => r.type.startsWith('azuread:')).map((r) => r.inputs.displayName).filter(Boolean);
    expect(names(basic)).toEqual([]);
    expect(names(starterApps)).toEqual(expect.arrayContaining(['IdentityExperienceFramework', 'ProxyIdentityExperienceFramework']));
    const scope = starterApps.mocks.resources.find((r) => r.name === 'b2c-ief-user-impersonation')!;
    expect(scope.inputs).toMatchObject({ value: 'user_impersonation', type: 'Admin' });
    const proxy = starterApps.mocks.resources.find((r) => r.name === 'b2c-proxy-ief' && r.type === TYPES.aadApplication)!;
    expect(proxy.inputs.fallbackPublicClientEnabled).toBe(true);
    expect(proxy.inputs.requiredResourceAccesses[0].resourceAccesses).toEqual([{ id: scope.inputs.scopeId, type: 'Scope' }]);
    const consent = starterApps.mocks.resources.find((r) => r.name === 'b2c-proxy-ief-consent')!;
    expect(consent.inputs.claimValues).toEqual(['user_impersonation']);
  });
});

describe('stack outputs', () => {
  test('B2C outputs in B2C mode; the External ID ones are undefined there', () => {
    for (const name of ['b2cPolicyIds', 'b2cKeySetNames', 'b2cSignInUrl', 'b2cPasswordResetUrl', 'migrationPropertyFullName', 'functionAppName', 'keyVaultName']) expect({ name, set: basic.outputs[name] !== undefined }).toEqual({ name, set: true });
    for (const name of ['extensionAppId', 'identifierUri', 'customExtensionId', 'listenerId', 'testSignInUrl', 'graphReaderAppId']) expect({ name, value: basic.outputs[name] ?? undefined }).toEqual({ name, value: undefined });
  });
});

describe('B2C config validation', () => {
  const dev = (overrides: Record<string, string | undefined> = {}) => ({ ...loadStackConfig(), ...overrides });

  test('b2c mode without its tenant names each key to set', () => {
    const found = problems(b2cValues({ [key('b2cTenantId')]: undefined, [key('b2cTenantDomain')]: undefined })).join('\n');
    expect(found).toMatch(/b2cTenantId is not set: set it to the Directory \(tenant\) ID GUID of the Azure AD B2C tenant/);
    expect(found).toMatch(/b2cTenantDomain is not set: set it to the B2C tenant's initial domain, e\.g\. contosob2c\.onmicrosoft\.com/);
  });

  test('an unknown b2cApiAuth lists the choices; clientCertificate says why it is refused', () => {
    expect(problems(b2cValues({ [key('b2cApiAuth')]: 'oauth' })).join('\n')).toMatch(/b2cApiAuth is 'oauth': set it to one of bearer, basic, clientCertificate, apiKey/);
    expect(problems(b2cValues({ [key('b2cApiAuth')]: 'clientCertificate' })).join('\n')).toMatch(/b2cApiAuth is clientCertificate, which this program does not deploy: Flex Consumption documents neither.*use basic \(default\), apiKey or bearer/);
  });

  test('the policy generator\'s own rules, named by config key', () => {
    const found = problems(b2cValues({ [key('b2cPolicyPrefix')]: 'JIT', [key('b2cTenantDomain')]: 'contoso.b2clogin.com', [key('b2cApiAuth')]: 'apiKey', [key('b2cApiKeyHeader')]: 'Authorization' })).join('\n');
    expect(found).toMatch(/entra-jit-migration:b2cPolicyPrefix must start with B2C_1A_/);
    expect(found).toMatch(/entra-jit-migration:b2cTenantDomain must be the B2C tenant's initial domain/);
    expect(found).toMatch(/entra-jit-migration:b2cApiKeyHeader cannot be Authorization/);
    expect(problems(b2cValues({ [key('b2cPolicyPrefix')]: 'B2C_1A_TrustFramework', [key('b2cBasePolicy')]: 'B2C_1A_TrustFramework_Migration' })).join('\n')).toMatch(/b2cPolicyPrefix would name a generated policy B2C_1A_TrustFramework_Migration, the same as b2cBasePolicy/);
  });

  test('External ID keys in b2c mode, and B2C tenant keys in externalId mode, are refused', () => {
    const mixed = problems(b2cValues({ [key('externalIdTenantId')]: '00000000-0000-0000-0000-000000000001', [key('clientAppIds')]: '["00000000-0000-0000-0000-00000000c001"]', [key('createTestClient')]: 'true', [key('migrationPropertyName')]: 'toBeMigrated' })).join('\n');
    expect(mixed).toMatch(/externalIdTenantId applies to identityPlatform externalId only.*pulumi config rm externalIdTenantId/);
    expect(mixed).toMatch(/clientAppIds applies to identityPlatform externalId only/);
    expect(mixed).toMatch(/createTestClient applies to identityPlatform externalId only/);
    expect(mixed).toMatch(/migrationPropertyName is 'toBeMigrated' while identityPlatform=b2c: the generated policies read the flag requiresMigration/);
    expect(problems(dev({ [key('b2cTenantId')]: '00000000-0000-0000-0000-0000000000b2' })).join('\n')).toMatch(/b2cTenantId is set while identityPlatform=externalId: set identityPlatform b2c/);
    expect(problems(dev({ [key('identityPlatform')]: 'adb2c' })).join('\n')).toMatch(/identityPlatform is 'adb2c': set it to one of externalId, b2c/);
  });

  test('externalId mode still requires its tenant (the key has an empty default now)', () => {
    const found = problems(dev({ [key('externalIdTenantId')]: undefined, [key('externalIdTenantDomain')]: undefined })).join('\n');
    expect(found).toMatch(/externalIdTenantId is not set/);
    expect(found).toMatch(/externalIdTenantDomain is not set/);
  });

  test('a legacy web service in b2c mode needs its look-up endpoint, which becomes LegacyServiceLookupUrl', async () => {
    const http = { [key('legacyStore')]: 'http', [key('legacyServiceUrl')]: 'https://legacy.example.com/verify' };
    expect(problems(b2cValues(http)).join('\n')).toMatch(/legacyServiceLookupUrl is not set while identityPlatform=b2c and legacyStore=http/);
    expect(problems(b2cValues({ ...http, [key('legacyServiceLookupUrl')]: 'https://legacy.example.com/lookup?token=abc' })).join('\n')).toMatch(/legacyServiceLookupUrl carries a credential in its query \(token\)/);
    expect(problems(b2cValues({ [key('legacyServiceLookupUrl')]: 'https://legacy.example.com/lookup' })).join('\n')).toMatch(/legacyServiceLookupUrl is set while legacyStore=table/);
    const run = await runB2c({ ...http, [key('legacyServiceLookupUrl')]: 'https://legacy.example.com/lookup' });
    expect(settingsOf(run).get('LegacyServiceLookupUrl')).toBe('https://legacy.example.com/lookup');
  }, 60_000);

  test('another program gets B2C mode through parseConfigValues, with the same rules', () => {
    const values = { environment: 'prod', identityPlatform: 'b2c', b2cTenantId: '00000000-0000-0000-0000-0000000000b2', b2cTenantDomain: 'contosob2c.onmicrosoft.com', b2cApiAuth: 'bearer' };
    expect(parseConfigValues({ project: 'landing', stack: 'prod', location: 'westeurope', values }).b2c?.apiAuth).toBe('bearer');
    expect(() => parseConfigValues({ project: 'landing', stack: 'prod', location: 'westeurope', values: { ...values, b2cTenantId: 'nope' } })).toThrow(/landing:b2cTenantId is 'nope'/);
  });

  test('the B2C tenant must not be the subscription\'s tenant', () => {
    expect(() => checkDistinctTenants(cfg, cfg.b2c!.tenantId.toUpperCase())).toThrow(/b2cTenantId is 0+-0+-0+-0+-0+b2, the tenant of the Azure subscription/);
    expect(() => checkDistinctTenants(cfg, MOCK.azureTenantId)).not.toThrow();
  });
});
