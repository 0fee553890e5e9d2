import * as pulumi from '@pulumi/pulumi';
import { startMocks, valueOf, type MockWorld, type Recorded } from '../providers/graph/mockSupport';
import type { JitPolicies as JitPoliciesClass, JitPoliciesArgs } from './jitPolicies';

const TENANT_ID = '3f2b1c4d-5e6f-4a1b-9c8d-7e6f5a4b3c2d';
const EXTENSION_APP_ID = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const CLIENT_A = 'c1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8';
const FULL_NAME = 'extension_b7b1c57b532f40b8b5ed4b7a7ba67401_toBeMigrated';

describe('JitPolicies (under Pulumi mocks)', () => {
  let world: MockWorld;
  let JitPolicies: typeof JitPoliciesClass;
  let upstream: pulumi.ComponentResource;

  const args = (extra: Partial<JitPoliciesArgs> = {}): JitPoliciesArgs => ({
    tenantId: TENANT_ID,
    graphBaseUrl: 'https://graph.microsoft.com',
    functionUrl: pulumi.output('https://func-jit.azurewebsites.net/api/passwordSubmit'),
    identifierUri: pulumi.output(`api://func-jit.azurewebsites.net/${EXTENSION_APP_ID}`),
    clientAppIds: [pulumi.output(CLIENT_A)],
    migrationPropertyName: 'toBeMigrated',
    timeoutInMilliseconds: 2000,
    maximumRetries: 1,
    ...extra,
  });
  const build = async (name: string, extra: Partial<JitPoliciesArgs> = {}) => {
    const component = new JitPolicies(name, args(extra), { transformations: [world.capture] });
    await valueOf(pulumi.all([component.customExtensionId, component.listenerId, component.migrationPropertyFullName]));
    await world.settled();
    const one = (type: string) => world.resources.find((r) => r.name.startsWith(`${name}-`) && r.type === `pulumi-nodejs:dynamic/graph:${type}`) as Recorded;
    return { component, one, options: (type: string, resourceName: string) => world.options.get(`pulumi-nodejs:dynamic/graph:${type}::${resourceName}`) };
  };

  beforeAll(async () => {
    world = await startMocks(pulumi);
    ({ JitPolicies } = await import('./jitPolicies'));
    upstream = new pulumi.ComponentResource('test:index:Upstream', 'upstream');
  });

  it('creates the migration flag on User, and keeps it on destroy', async () => {
    const { one, options, component } = await build('jit');
    const flag = one('ExtensionProperty');
    expect(flag.inputs).toMatchObject({ tenantId: TENANT_ID, graphBaseUrl: 'https://graph.microsoft.com', name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] });
    expect(options('ExtensionProperty', 'jit-migration-flag')?.retainOnDelete).toBe(true);
    expect(await valueOf(component.migrationPropertyFullName)).toBe(FULL_NAME);
    expect(flag.inputs.__provider).toContain('graphExtensionProperty');
  });

  it('creates the onPasswordSubmit extension for the function, on v1.0 with 2000 ms / 1 retry', async () => {
    const { one, component } = await build('ext');
    const extension = one('CustomAuthenticationExtension');
    expect(extension.inputs).toMatchObject({
      tenantId: TENANT_ID,
      apiVersion: 'v1.0',
      targetUrl: 'https://func-jit.azurewebsites.net/api/passwordSubmit',
      resourceId: `api://func-jit.azurewebsites.net/${EXTENSION_APP_ID}`,
      timeoutInMilliseconds: 2000,
      maximumRetries: 1,
    });
    expect(extension.inputs.displayName).toMatch(/^JIT password migration/);
    expect(await valueOf(component.customExtensionId)).toBe(extension.id);
  });

  it('creates the listener for the client apps, naming the flag and the extension, priority 500', async () => {
    const { one, component } = await build('lst');
    const listener = one('EventListener');
    expect(listener.inputs).toMatchObject({
      tenantId: TENANT_ID,
      apiVersion: 'v1.0',
      clientAppIds: [CLIENT_A],
      priority: 500,
      migrationPropertyId: FULL_NAME,
      customExtensionId: one('CustomAuthenticationExtension').id,
    });
    expect(await valueOf(component.listenerId)).toBe(listener.id);
  });

  it('passes the Graph version, the limits and dependsOn through (the provider checks the limits)', async () => {
    const { one, options } = await build('cfg', { graphApiVersion: 'beta', timeoutInMilliseconds: 1500, maximumRetries: 0, dependsOn: [upstream] });
    expect(one('CustomAuthenticationExtension').inputs).toMatchObject({ apiVersion: 'beta', timeoutInMilliseconds: 1500, maximumRetries: 0 });
    expect(one('EventListener').inputs.apiVersion).toBe('beta');
    for (const [type, name] of [['CustomAuthenticationExtension', 'cfg-password-submit'], ['EventListener', 'cfg-password-submit'], ['ExtensionProperty', 'cfg-migration-flag']] as const) {
      expect(options(type, name)?.dependsOn).toEqual([upstream]);
    }
  });
});
