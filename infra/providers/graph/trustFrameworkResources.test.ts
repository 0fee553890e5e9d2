/**
 * The B2C trust framework resources as the program registers them (Pulumi mocks): the key material arrives at
 * the engine as a secret and is listed in `additionalSecretOutputs`, so the state holds it encrypted; the
 * serialized provider is the shim (a name and the bundle path), never the material; the policy XML stays a plain
 * input so `pulumi preview --diff` shows its lines; the program's `dependsOn` reaches the engine untouched.
 */
import * as pulumi from '@pulumi/pulumi';
import { specialSecretSig, specialSigKey } from '@pulumi/pulumi/runtime/rpc';
import { startMocks, valueOf, type MockWorld } from './mockSupport';
import type * as Resources from './resources';

const TARGET = { tenantId: '3f2b1c4d-5e6f-4a1b-9c8d-7e6f5a4b3c2d', graphBaseUrl: 'https://graph.microsoft.com' };
const SECRET = 'Zq8-basic-password-in-config-9d2c41';
const PFX_PASSWORD = 'pfx-password-5e7a';
const KEY_SET = 'pulumi-nodejs:dynamic/graph:TrustFrameworkKeySet';
const POLICY = 'pulumi-nodejs:dynamic/graph:TrustFrameworkPolicy';

describe('GraphTrustFrameworkKeySet and GraphTrustFrameworkPolicy (under Pulumi mocks)', () => {
  let world: MockWorld;
  let resources: typeof Resources;

  beforeAll(async () => {
    world = await startMocks(pulumi);
    resources = await import('./resources');
  });

  const registered = async (type: string, name: string) => {
    await world.settled();
    const found = world.resources.filter((resource) => resource.type === type && resource.name === name);
    expect(found).toHaveLength(1);
    return { ...found[0]!, options: world.options.get(`${type}::${name}`) };
  };
  const isSecret = (value: unknown): boolean => (value as Record<string, unknown> | undefined)?.[specialSigKey] === specialSecretSig;

  it('sends the secret as a Pulumi secret, even when the caller passed it plain, and only there', async () => {
    const keySet = new resources.GraphTrustFrameworkKeySet('jit-password', { ...TARGET, keySetId: 'JitApiPassword', use: 'enc', secret: SECRET }, { transformations: [world.capture] });
    await valueOf(keySet.kid);
    const { inputs, options } = await registered(KEY_SET, 'jit-password');
    expect(isSecret(inputs.secret)).toBe(true);
    expect(inputs.secret.value).toBe(SECRET);
    expect(options?.additionalSecretOutputs).toEqual(expect.arrayContaining(['secret', 'pkcs12']));
    const { secret: _secret, ...rest } = inputs;
    // Everything else, the serialized provider (__provider) included, is free of it.
    expect(String(rest.__provider)).toMatch(/providers\.cjs/);
    expect(JSON.stringify(rest)).not.toContain(SECRET);
  });

  it('treats a .pfx and its password the same way, and keeps the caller\'s own secret outputs', async () => {
    const pfx = { key: Buffer.from('pfx').toString('base64'), password: pulumi.secret(PFX_PASSWORD) };
    new resources.GraphTrustFrameworkKeySet('jit-certificate', { ...TARGET, keySetId: 'JitApiClientCertificate', use: 'sig', pkcs12: pfx }, { transformations: [world.capture], additionalSecretOutputs: ['kid'] });
    const { inputs, options } = await registered(KEY_SET, 'jit-certificate');
    expect(isSecret(inputs.pkcs12)).toBe(true);
    expect(inputs).not.toHaveProperty('secret');
    expect(options?.additionalSecretOutputs).toEqual(expect.arrayContaining(['kid', 'secret', 'pkcs12']));
    const { pkcs12: _pkcs12, ...rest } = inputs;
    expect(JSON.stringify(rest)).not.toContain(PFX_PASSWORD);
  });

  it('keeps the policy XML a plain input and passes the program\'s upload order (dependsOn) through unchanged', async () => {
    const layer = new resources.GraphTrustFrameworkPolicy('jit-layer', { ...TARGET, policyId: 'B2C_1A_JIT_Migration', xml: '<TrustFrameworkPolicy PolicyId="B2C_1A_JIT_Migration"/>' }, { transformations: [world.capture] });
    new resources.GraphTrustFrameworkPolicy('jit-signin', { ...TARGET, policyId: 'B2C_1A_JIT_SignUpOrSignIn', xml: '<TrustFrameworkPolicy PolicyId="B2C_1A_JIT_SignUpOrSignIn"/>' }, {
      transformations: [world.capture],
      dependsOn: [layer],
    });
    const signIn = await registered(POLICY, 'jit-signin');
    expect(signIn.inputs.xml).toBe('<TrustFrameworkPolicy PolicyId="B2C_1A_JIT_SignUpOrSignIn"/>');
    expect(signIn.options?.dependsOn).toEqual([layer]);
    expect((await registered(POLICY, 'jit-layer')).options?.dependsOn).toBeUndefined();
  });
});
