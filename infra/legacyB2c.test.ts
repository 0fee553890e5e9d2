/**
 * legacyStore=b2c under mocks (README "From Azure AD B2C to External ID", "As code"): the committed example stack
 * Pulumi.b2c-to-externalid.yaml, an External ID deployment whose legacy system is an Azure AD B2C tenant. The
 * External ID side is the dev stack's; in the B2C tenant the ROPC app and user flow, through the one provider
 * B2C mode uses; in the External ID tenant the b2cObjectId property; the function's LegacyB2c* settings.
 */
import { loadSettings } from '../function/src/config';
import { B2C_OBJECT_ID_PROPERTY, ROPC_GRAPH_SCOPES } from './components/legacyB2c';
import { checkDistinctTenants, ConfigError, parseConfig, type ConfigKey, type InfraConfig } from './config';
import { configSourceOf, loadStackConfig, MOCK, PROJECT, runProgram, type ProgramRun, type RecordedResource } from './test/mocks';

const STACK_FILE = 'Pulumi.b2c-to-externalid.yaml';
const B2C_TENANT = '00000000-0000-0000-0000-0000000000b2';
const key = (k: ConfigKey): string => `${PROJECT}:${k}`;
const stackValues = (overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({ ...loadStackConfig(STACK_FILE), ...overrides });
const problems = (values: Record<string, string | undefined>): string[] => {
  try {
    parseConfig(configSourceOf(values));
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
};
const TYPES = {
  app: 'azure-native:web:WebApp',
  aadProvider: 'pulumi:providers:azuread',
  aadApplication: 'azuread:index/application:Application',
  userFlow: 'pulumi-nodejs:dynamic/graph:B2cUserFlow',
  extensionProperty: 'pulumi-nodejs:dynamic/graph:ExtensionProperty',
} as const;

/** Another committed stack instead of the dev stack (runProgram starts from Pulumi.dev.yaml). */
const runStack = (values: Record<string, string | undefined>): Promise<ProgramRun> =>
  runProgram({ overrides: { ...Object.fromEntries(Object.keys(loadStackConfig()).map((k) => [k, undefined])), ...values } });

let run: ProgramRun;
let b2cMode: ProgramRun;
let cfg: InfraConfig;

beforeAll(async () => {
  cfg = parseConfig(configSourceOf(stackValues()));
  run = await runStack(stackValues());
  b2cMode = await runStack(loadStackConfig('Pulumi.b2c.yaml'));
}, 180_000);

const ofType = (type: string): RecordedResource[] => run.mocks.resources.filter((r) => r.type === type);
const settings = (): Map<string, string> => new Map((ofType(TYPES.app)[0]!.inputs.siteConfig.appSettings as { name: string; value: string }[]).map((s) => [s.name, s.value]));
const providerName = (r: { provider?: string }): string | undefined => r.provider?.split('::')[3];

describe('the committed b2c-to-externalid stack', () => {
  test('parses: External ID mode, the B2C tenant as the legacy store through the B2C mode keys, the ROPC user flow B2C_1_ROPC', () => {
    expect(cfg.identityPlatform).toBe('externalId');
    expect(cfg.b2c).toBeUndefined();
    expect(cfg.legacy).toEqual({ kind: 'b2c', tenantId: B2C_TENANT, tenantDomain: 'contosob2c.onmicrosoft.com', userFlow: 'B2C_1_ROPC', graphBaseUrl: 'https://graph.microsoft.com' });
  });

  test('its app settings load in the function without a problem, each one is read, and LegacyStore is b2c', () => {
    const written = settings();
    // In Azure the platform resolves a Key Vault reference before the app reads it.
    const env: Record<string, string> = {};
    for (const [name, value] of written) env[name] = /^@Microsoft\.KeyVault\(/.test(value) ? `resolved:${name}` : value;
    const read = new Set<string>();
    const recording = new Proxy(env, { get: (target, name) => (typeof name === 'string' && read.add(name), target[name as string]) });
    const result = loadSettings(recording);
    expect(result.ok ? [] : result.problems).toEqual([]);
    const legacy = result.ok ? result.settings.legacyStore : undefined;
    expect(legacy).toMatchObject({ kind: 'b2c', tenant: 'contosob2c.onmicrosoft.com', policy: 'B2C_1_ROPC', endpoint: 'b2clogin' });
    expect(legacy).not.toHaveProperty('clientSecret');
    const platform = /^(AzureWebJobsStorage__|APPLICATIONINSIGHTS_|FUNCTIONS_|WEBSITE_)/;
    expect([...written.keys()].filter((name) => !platform.test(name) && !read.has(name))).toEqual([]);
  });

  test('the LegacyB2c settings name the ROPC app and the user flow the stack made; no secret, no legacy table', () => {
    const s = settings();
    const app = ofType(TYPES.aadApplication).find((r) => r.name === 'legacy-b2c-ropc')!;
    expect({ store: s.get('LegacyStore'), tenant: s.get('LegacyB2cTenant'), clientId: s.get('LegacyB2cClientId'), policy: s.get('LegacyB2cPolicy'), endpoint: s.get('LegacyB2cEndpoint') }).toEqual({
      store: 'b2c',
      tenant: 'contosob2c.onmicrosoft.com',
      clientId: app.state.clientId,
      policy: ofType(TYPES.userFlow)[0]!.state.userFlowId,
      endpoint: 'b2clogin',
    });
    for (const name of ['LegacyB2cClientSecret', 'LegacyB2cTokenUrl', 'LegacyTableName', 'LegacyTableEndpoint', 'LegacyServiceUrl']) expect({ name, value: s.get(name) }).toEqual({ name, value: undefined });
    expect(ofType('azure-native:storage:Table').map((t) => t.inputs.tableName)).toEqual(['JitState']);
  });
});

describe('the B2C tenant side', () => {
  test('one azuread provider for the B2C tenant, configured as B2C mode\'s; every B2C object goes through it', () => {
    const b2cProviders = ofType(TYPES.aadProvider).filter((p) => p.inputs.tenantId === B2C_TENANT);
    expect(b2cProviders.map((p) => ({ name: p.name, useMsi: String(p.inputs.useMsi), environment: p.inputs.environment }))).toEqual([{ name: 'legacy-b2c-tenant', useMsi: 'false', environment: 'global' }]);
    // The same factory (components/b2cTenantProvider.ts) as B2C mode's provider, whose name and URN stay as they were.
    const b2cModeProviders = b2cMode.mocks.resources.filter((r) => r.type === TYPES.aadProvider);
    expect(b2cModeProviders.map((p) => p.name)).toEqual(['b2c-b2c']);
    expect(b2cProviders[0]!.inputs).toEqual(b2cModeProviders[0]!.inputs);
    const b2cObjects = run.mocks.resources.filter((r) => r.type.startsWith('azuread:') && providerName(r) === 'legacy-b2c-tenant');
    expect(b2cObjects.map((r) => r.name).sort()).toEqual(['legacy-b2c-ropc', 'legacy-b2c-ropc', 'legacy-b2c-ropc-consent']);
    expect(run.mocks.calls.filter((c) => c.token.startsWith('azuread:') && providerName(c) === 'legacy-b2c-tenant').map((c) => c.inputs.clientId)).toEqual([MOCK.graphAppId]);
    // The External ID objects stay on the External ID tenant's provider.
    const entraProvider = ofType(TYPES.aadProvider).find((p) => p.inputs.tenantId === cfg.externalId.tenantId)!;
    for (const r of run.mocks.resources.filter((x) => x.type.startsWith('azuread:') && !x.name.startsWith('legacy-b2c'))) expect({ name: r.name, provider: providerName(r) }).toEqual({ name: r.name, provider: entraProvider.name });
  });

  test('the ROPC app as B2C requires it: public client, oauth2AllowImplicitFlow (implicit tokens), openid and offline_access consented', () => {
    const app = ofType(TYPES.aadApplication).find((r) => r.name === 'legacy-b2c-ropc')!;
    expect(app.inputs).toMatchObject({
      signInAudience: 'AzureADandPersonalMicrosoftAccount',
      fallbackPublicClientEnabled: true,
      web: { implicitGrant: { accessTokenIssuanceEnabled: true, idTokenIssuanceEnabled: true } },
      api: { requestedAccessTokenVersion: 2 },
    });
    expect(app.inputs.requiredResourceAccesses).toEqual([
      { resourceAppId: MOCK.graphAppId, resourceAccesses: [{ id: '37f7f235-527c-4136-accd-4a02d197296e', type: 'Scope' }, { id: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182', type: 'Scope' }] },
    ]);
    const principal = run.mocks.resources.find((r) => r.name === 'legacy-b2c-ropc' && r.type === 'azuread:index/servicePrincipal:ServicePrincipal')!;
    expect(principal.inputs.clientId).toBe(app.state.clientId);
    const consent = run.mocks.resources.find((r) => r.name === 'legacy-b2c-ropc-consent')!;
    expect(consent.inputs).toMatchObject({ servicePrincipalObjectId: principal.state.objectId, claimValues: [...ROPC_GRAPH_SCOPES] });
    expect(consent.inputs.userObjectId).toBeUndefined();
  });

  test('the ROPC user flow: resourceOwner in the B2C tenant, named by legacyB2cUserFlow', () => {
    expect(ofType(TYPES.userFlow).map(({ inputs: { __provider: _shim, ...inputs } }) => inputs)).toEqual([{ tenantId: B2C_TENANT, graphBaseUrl: 'https://graph.microsoft.com', userFlowId: 'B2C_1_ROPC', userFlowType: 'resourceOwner', userFlowTypeVersion: 1 }]);
  });

  test('the b2cObjectId String property is made in the External ID tenant, beside the migration flag', () => {
    const properties = ofType(TYPES.extensionProperty);
    const objectId = properties.find((p) => p.inputs.name === B2C_OBJECT_ID_PROPERTY)!;
    expect(objectId.inputs).toMatchObject({ tenantId: cfg.externalId.tenantId, dataType: 'String', targetObjects: ['User'] });
    expect(properties.map((p) => p.inputs.tenantId)).toEqual([cfg.externalId.tenantId, cfg.externalId.tenantId]);
  });

  test('stack outputs: the ROPC app id, the user flow id and the b2cObjectId property\'s full name', () => {
    const app = ofType(TYPES.aadApplication).find((r) => r.name === 'legacy-b2c-ropc')!;
    const objectId = ofType(TYPES.extensionProperty).find((p) => p.inputs.name === B2C_OBJECT_ID_PROPERTY)!;
    expect({ app: run.outputs.legacyB2cRopcAppId, flow: run.outputs.legacyB2cUserFlowId, property: run.outputs.b2cObjectIdPropertyFullName }).toEqual({
      app: app.state.clientId,
      flow: 'B2C_1_ROPC',
      property: objectId.state.fullName,
    });
    expect(run.outputs.b2cObjectIdPropertyFullName).toMatch(/^extension_[0-9a-f]{32}_b2cObjectId$/);
    expect(run.outputs.legacyTableName ?? undefined).toBeUndefined();
  });
});

describe('legacyStore=b2c validation', () => {
  test('without the B2C tenant each key is named with its fix', () => {
    const found = problems(stackValues({ [key('b2cTenantId')]: undefined, [key('b2cTenantDomain')]: undefined })).join('\n');
    expect(found).toMatch(/b2cTenantId is not set: set it to the Directory \(tenant\) ID GUID of the Azure AD B2C tenant users migrate from/);
    expect(found).toMatch(/b2cTenantDomain is not set: set it to the B2C tenant's initial domain, e\.g\. contosob2c\.onmicrosoft\.com/);
  });

  test('a b2clogin host, a custom policy name, the External ID tenant as B2C tenant: each refused with the fix', () => {
    expect(problems(stackValues({ [key('b2cTenantDomain')]: 'contosob2c.b2clogin.com' })).join('\n')).toMatch(/b2cTenantDomain is 'contosob2c\.b2clogin\.com': set it to the B2C tenant's initial domain/);
    expect(problems(stackValues({ [key('legacyB2cUserFlow')]: 'B2C_1A_ROPC_Auth' })).join('\n')).toMatch(/legacyB2cUserFlow is 'B2C_1A_ROPC_Auth': set it to B2C_1_ followed by .*B2C_1A_ names a custom policy/);
    expect(problems(stackValues({ [key('b2cTenantId')]: '00000000-0000-0000-0000-000000000001' })).join('\n')).toMatch(/b2cTenantId is externalIdTenantId: set it to the B2C tenant users migrate from/);
  });

  test('B2C mode cannot use the B2C tenant as its legacy store; other stores refuse the legacy B2C keys', () => {
    const b2cMode = { ...loadStackConfig('Pulumi.b2c.yaml'), [key('legacyStore')]: 'b2c' };
    expect(problems(b2cMode).join('\n')).toMatch(/legacyStore is b2c while identityPlatform=b2c: the B2C tenant as the legacy store serves the External ID callout only/);
    const table = problems(stackValues({ [key('legacyStore')]: 'table' })).join('\n');
    expect(table).toMatch(/b2cTenantId is set while identityPlatform=externalId: set identityPlatform b2c to deploy B2C mode, or legacyStore b2c/);
    expect(problems(stackValues({ [key('legacyStore')]: 'table', [key('b2cTenantId')]: undefined, [key('b2cTenantDomain')]: undefined, [key('legacyB2cUserFlow')]: 'B2C_1_JIT_ROPC' })).join('\n')).toMatch(/legacyB2cUserFlow is set while legacyStore=table: remove it/);
    expect(problems(stackValues({ [key('legacyServiceUrl')]: 'https://legacy.example.com/verify' })).join('\n')).toMatch(/legacyServiceUrl is set while legacyStore=b2c/);
    expect(problems(stackValues({ [key('operatorPrincipalId')]: '00000000-0000-0000-0000-0000000000aa' })).join('\n')).toMatch(/operatorPrincipalId is set while legacyStore=b2c: there is no legacy table/);
    expect(problems(stackValues({ [key('legacyStore')]: 'adb2c' })).join('\n')).toMatch(/legacyStore is 'adb2c': set it to one of table, http, b2c/);
  });

  test('the B2C tenant must not be the subscription\'s tenant', () => {
    expect(() => checkDistinctTenants(cfg, B2C_TENANT.toUpperCase())).toThrow(/b2cTenantId is 0+-0+-0+-0+-0+b2, the tenant of the Azure subscription/);
    expect(() => checkDistinctTenants(cfg, MOCK.azureTenantId)).not.toThrow();
  });
});
