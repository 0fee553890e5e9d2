/**
 * `pulumi up` must start on every committed stack: the CLI checks the stack against Pulumi.yaml before the
 * program runs, which mocks skip. These tests apply that check (pulumiCliConfig.ts), then load what the CLI
 * would hand the program through the program's own config source.
 */
import * as pulumi from '@pulumi/pulumi';
import { CONFIG_SCHEMA, ConfigError, loadConfig, type ConfigKey, type InfraConfig } from '../config';
import { PROJECT, REPO_ROOT, readYaml } from './mocks';
import { applyCliConfigRule, committedStackFiles, type ProjectFile, type StackValue } from './pulumiCliConfig';

const project = readYaml('Pulumi.yaml') as ProjectFile;
const key = (k: ConfigKey): string => `${PROJECT}:${k}`;
/**
 * The keys every stack must set. The tenant keys depend on identityPlatform (externalIdTenantId or b2cTenantId,
 * ...), so they have an empty default and the program requires the ones the platform needs (config.ts).
 */
const REQUIRED: ConfigKey[] = ['environment'];

const noMocks: pulumi.runtime.Mocks = {
  newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
  call: (args) => args.inputs,
};

/** Loads config the way `pulumi up` would run the program after the CLI's merge: through pulumiConfigSource. */
async function programConfig(stackName: string, stackConfig: Record<string, StackValue>): Promise<InfraConfig> {
  const result = applyCliConfigRule(project, stackName, stackConfig);
  if (result.error) throw new Error(result.error);
  await pulumi.runtime.setMocks(noMocks, PROJECT, stackName, true);
  // Encrypted values reach the program decrypted; a placeholder stands in for what the test cannot decrypt.
  const values: Record<string, string> = { ...result.config };
  for (const secretKey of result.secretKeys) values[secretKey] = 'decrypted-by-the-cli';
  pulumi.runtime.setAllConfig(values, [...result.secretKeys]);
  return loadConfig();
}

const minimalStack = (): Record<string, StackValue> => ({
  'azure-native:location': 'westeurope',
  [key('environment')]: 'prod',
  [key('externalIdTenantId')]: '00000000-0000-0000-0000-00000000aaaa',
  [key('externalIdTenantDomain')]: 'contoso',
  [key('clientAppIds')]: ['00000000-0000-0000-0000-00000000c001'],
});

describe('the Pulumi CLI config rule (applied before the program runs)', () => {
  test('a key without a default that the stack omits stops the CLI, every such key named at once', () => {
    const withoutDefaults: ProjectFile = { ...project, config: { ...project.config, legacyServiceUrl: { type: 'string' }, previousCertificateName: { type: 'string' } } };
    const { error } = applyCliConfigRule(withoutDefaults, 'dev', minimalStack());
    expect(error).toBe("Stack 'dev' is missing configuration values 'legacyServiceUrl' and 'previousCertificateName'");
  });

  test('a default on a `secret: true` key is plain text, which the CLI refuses for a secret', () => {
    const secretWithDefault: ProjectFile = { ...project, config: { ...project.config, legacyServiceApiKey: { type: 'string', secret: true, default: '' } } };
    expect(applyCliConfigRule(secretWithDefault, 'prod', minimalStack()).error).toBe("Stack 'prod' with configuration key 'legacyServiceApiKey' must be encrypted as it's secret");
    const encrypted = { ...minimalStack(), [key('legacyServiceApiKey')]: { secure: 'v1:abc' } };
    expect(applyCliConfigRule(secretWithDefault, 'prod', encrypted).error).toBeUndefined();
  });

  test('a value of the wrong type stops the CLI', () => {
    const { error } = applyCliConfigRule(project, 'dev', { ...minimalStack(), [key('customExtensionTimeoutMs')]: 'fast' });
    expect(error).toBe("Stack 'dev' with configuration key 'customExtensionTimeoutMs' must be of type 'integer'");
  });

  test('only the environment lacks a default; every other key has one (the tenant keys are the program\'s to require)', () => {
    const withoutDefault = Object.entries(CONFIG_SCHEMA).filter(([, schema]) => !('default' in schema)).map(([k]) => k);
    expect(withoutDefault.sort()).toEqual([...REQUIRED].sort());
    for (const k of Object.keys(project.config ?? {})) expect({ k, secret: project.config![k]!.secret }).toEqual({ k, secret: undefined });
  });
});

describe.each(committedStackFiles(REPO_ROOT).map((s) => [s.stack, s.file] as const))('committed stack %s', (stackName, file) => {
  const stack = readYaml(file) as { config?: Record<string, StackValue> };

  test('passes the CLI check', () => {
    expect(applyCliConfigRule(project, stackName, stack.config ?? {}).error).toBeUndefined();
  });

  test('what the CLI hands over loads without a problem', async () => {
    await expect(programConfig(stackName, stack.config ?? {})).resolves.toBeDefined();
  });
});

test('there is at least the dev stack to check', () => {
  expect(committedStackFiles(REPO_ROOT).map((s) => s.stack)).toContain('dev');
});

describe('optional keys the CLI hands over as their defaults', () => {
  test('a stack that sets only the required keys starts: empty defaults read as unset', async () => {
    const cfg = await programConfig('prod', minimalStack());
    expect(cfg.previousCertificate).toBeUndefined();
    expect(cfg.legacy).toEqual({ kind: 'table', tableName: 'LegacyUsers' });
    expect(cfg.externalId.createTestClient).toBe(false);
  });

  test('a B2C stack sets only its own tenant: the External ID keys\' empty defaults read as unset', async () => {
    const cfg = await programConfig('prod', {
      'azure-native:location': 'westeurope',
      [key('environment')]: 'prod',
      [key('identityPlatform')]: 'b2c',
      [key('b2cTenantId')]: '00000000-0000-0000-0000-0000000000b2',
      [key('b2cTenantDomain')]: 'contosob2c.onmicrosoft.com',
    });
    expect(cfg.identityPlatform).toBe('b2c');
    expect(cfg.b2c).toMatchObject({ tenantId: '00000000-0000-0000-0000-0000000000b2', apiAuth: 'basic', policyPrefix: 'B2C_1A_JIT', basePolicy: 'B2C_1A_TrustFrameworkExtensions', secretVersion: 1 });
    expect(cfg.externalId.tenantId).toBe('');
  });

  test('a stack without any tenant starts, and the program names the External ID keys to set', async () => {
    const { [key('externalIdTenantId')]: _id, [key('externalIdTenantDomain')]: _domain, ...withoutTenant } = minimalStack();
    expect(applyCliConfigRule(project, 'prod', withoutTenant).error).toBeUndefined();
    const message = await programConfig('prod', withoutTenant).catch((error: Error) => error.message);
    expect(message).toMatch(/externalIdTenantId is not set/);
    expect(message).toMatch(/externalIdTenantDomain is not set/);
  });

  test('the web-service store without an API key: the empty default is no key, not an empty secret', async () => {
    const cfg = await programConfig('prod', { ...minimalStack(), [key('legacyStore')]: 'http', [key('legacyServiceUrl')]: 'https://legacy.example.com/verify' });
    expect(cfg.legacy).toEqual({ kind: 'http', serviceUrl: 'https://legacy.example.com/verify' });
  });

  test('an encrypted API key is passed on as a secret', async () => {
    const cfg = await programConfig('prod', {
      ...minimalStack(),
      [key('legacyStore')]: 'http',
      [key('legacyServiceUrl')]: 'https://legacy.example.com/verify',
      [key('legacyServiceApiKey')]: { secure: 'v1:ciphertext' },
    });
    expect(cfg.legacy.kind === 'http' && cfg.legacy.apiKey && pulumi.Output.isInstance(cfg.legacy.apiKey)).toBe(true);
    const apiKey = cfg.legacy.kind === 'http' ? cfg.legacy.apiKey : undefined;
    expect(await new Promise((resolve) => apiKey!.apply(resolve))).toBe('decrypted-by-the-cli');
  });

  test('an API key stored in plain text is refused, without echoing it', async () => {
    const plainKey = 'plain-text-api-key-value';
    const attempt = programConfig('prod', { ...minimalStack(), [key('legacyStore')]: 'http', [key('legacyServiceUrl')]: 'https://legacy.example.com/verify', [key('legacyServiceApiKey')]: plainKey });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    const message = await attempt.catch((error: Error) => error.message);
    expect(message).toMatch(/legacyServiceApiKey is stored in plain text.*pulumi config set --secret legacyServiceApiKey/);
    expect(message).not.toContain(plainKey);
  });
});
