/**
 * The deployment as a component (jitMigration.ts) under mocks: the standalone program keeps its resources at the
 * stack's root (URNs unchanged); the example embedding program (examples/embedded) gets them all under one
 * `JitMigration`, with its provider, bring-your-own resources and typed outputs. Plus `parseConfigValues`.
 */
import * as pulumi from '@pulumi/pulumi';
import { ConfigError, parseConfigValues } from './config';
import { MOCK, runProgram, type ProgramRun } from './test/mocks';

const COMPONENT = 'jitmigration:azure:JitMigration';
const EMBEDDING = { project: 'landing-zone', stack: 'prod' };
const TENANT = '00000000-0000-4000-8000-0000000000e1';
const CLIENT = '00000000-0000-4000-8000-00000000c0c1';

/** `urn:pulumi:stack::project::type::name` → type (with the parent's type before a `$`). */
const typeOf = (urn: string) => urn.split('::')[2]!;

let standalone: ProgramRun;
let embedded: ProgramRun;

beforeAll(async () => {
  standalone = await runProgram();
  embedded = await runProgram({
    embedding: {
      ...EMBEDDING,
      config: {
        'landing:subscriptionId': MOCK.subscriptionId,
        'landing:location': 'westeurope',
        'landing:externalIdTenantId': TENANT,
        'landing:externalIdTenantDomain': 'contosoprod',
        'landing:clientAppIds': JSON.stringify([CLIENT]),
      },
      secretKeys: [],
      load: () => import('../examples/embedded/index'),
    },
  });
}, 180_000);

describe('the standalone program', () => {
  test('registers no JitMigration: its resources stay at the stack root, with the URNs they always had', () => {
    expect(standalone.urns.length).toBeGreaterThan(20);
    expect(standalone.urns.filter((urn) => urn.includes(COMPONENT))).toEqual([]);
    expect(standalone.urns).toContain('urn:pulumi:dev::entra-jit-migration::azure-native:resources:ResourceGroup::resource-group');
    expect(standalone.urns).toContain('urn:pulumi:dev::entra-jit-migration::jitmigration:azure:KeyMaterial::keys');
  });
});

describe('JitMigration in another program (examples/embedded)', () => {
  test('one component; the top-level components and resources are its children', () => {
    expect(embedded.urns.filter((urn) => typeOf(urn) === COMPONENT)).toEqual([`urn:pulumi:prod::landing-zone::${COMPONENT}::jit-migration`]);
    const children = embedded.urns.filter((urn) => typeOf(urn).startsWith(`${COMPONENT}$`)).map((urn) => typeOf(urn).split('$')[1]);
    expect(children).toEqual(expect.arrayContaining(['jitmigration:azure:Monitoring', 'jitmigration:azure:KeyMaterial', 'jitmigration:azure:FunctionHosting', 'jitmigration:entra:JitPolicies', 'azure-native:authorization:ManagementLockByScope']));
    // Nothing of the deployment at the root but the program's own provider.
    const atRoot = embedded.urns.filter((urn) => !typeOf(urn).includes('$') && typeOf(urn) !== COMPONENT);
    expect(atRoot).toEqual(['urn:pulumi:prod::landing-zone::pulumi:providers:azure-native::landing-zone']);
  });

  test('the component\'s azure-native provider reaches every Azure resource and the client-config invoke', () => {
    const azure = embedded.mocks.resources.filter((r) => r.custom && r.type.startsWith('azure-native:'));
    expect(azure.length).toBeGreaterThan(10);
    for (const resource of azure) expect({ resource: resource.name, provider: resource.provider?.split('::')[3] }).toEqual({ resource: resource.name, provider: 'landing-zone' });
    const clientConfig = embedded.mocks.calls.filter((c) => c.token === 'azure-native:authorization:getClientConfig');
    expect(clientConfig.map((c) => c.provider?.split('::')[3])).toEqual(['landing-zone']);
  });

  test('its bring-your-own settings, prefix and tags apply', () => {
    expect(embedded.mocks.resources.filter((r) => r.type === 'azure-native:resources:ResourceGroup' || r.type === 'azure-native:operationalinsights:Workspace')).toEqual([]);
    const account = embedded.mocks.resources.find((r) => r.type === 'azure-native:storage:StorageAccount')!;
    expect(account.inputs.resourceGroupName).toBe('rg-identity-jit-prod');
    expect(account.inputs.tags).toMatchObject({ 'cost-center': '4711', environment: 'prod', project: EMBEDDING.project });
    expect(String(embedded.outputs.keyVaultName)).toMatch(/lzjit/);
  });

  test('the deployment\'s outputs are the component\'s public properties', () => {
    expect(embedded.outputs.functionUrl).toMatch(/^https:\/\/.+lzjit.+\.azurewebsites\.net\//);
    expect(Object.keys(embedded.outputs).sort()).toEqual(['certificateExpiresOn', 'functionUrl', 'keyVaultName', 'tableEndpoint']);
    expect(embedded.outputs.tableEndpoint).toBe(`https://${account(embedded)}.table.core.windows.net/`);
  });
});

const account = (run: ProgramRun) => run.mocks.resources.find((r) => r.type === 'azure-native:storage:StorageAccount')!.inputs.accountName as string;

describe('parseConfigValues', () => {
  const base = { project: 'landing-zone', stack: 'prod', location: 'westeurope' };
  const values = { environment: 'prod', externalIdTenantId: TENANT, externalIdTenantDomain: 'contosoprod', clientAppIds: [CLIENT] };

  test('typed values get the stack config\'s defaults and rules', () => {
    const cfg = parseConfigValues({ ...base, values: { ...values, certificateKeySize: 4096, alerts: false } });
    expect(cfg).toMatchObject({ location: 'westeurope', prefix: 'jitmig', certificate: { keySize: 4096 }, externalId: { clientAppIds: [CLIENT] }, logRetentionDays: 30 });
    expect(cfg.alerts).toBeUndefined();
  });

  test('every problem is reported at once, with the key and the fix', () => {
    let error: unknown;
    try {
      parseConfigValues({ ...base, values: { ...values, certificateKeySize: 3072, existingKeyVaultId: 'kv-platform' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^landing-zone:certificateKeySize is '3072': set it to one of 2048, 4096/),
      expect.stringMatching(/^landing-zone:existingKeyVaultId is 'kv-platform': set it to a Key Vault's ARM id/),
    ]);
  });

  test('sensitive keys are taken only as secrets, and stay secret', async () => {
    const cfg = parseConfigValues({ ...base, values: { ...values, legacyStore: 'http', legacyServiceUrl: 'https://legacy.example.com/verify' }, secrets: { legacyServiceApiKey: 'not-a-real-key' } });
    const apiKey = cfg.legacy.kind === 'http' ? cfg.legacy.apiKey : undefined;
    expect(apiKey).toBeDefined();
    expect(await pulumi.isSecret(apiKey!)).toBe(true);
  });
});
