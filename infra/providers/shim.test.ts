import * as pulumi from '@pulumi/pulumi';
import { bundledProvider, type ProviderName } from './shim';

const names: ProviderName[] = [
  'keyVaultCertificate',
  'functionCodeDeployment',
  'graphExtensionProperty',
  'graphServicePrincipal',
  'graphApplicationEncryptionKey',
  'graphCustomAuthenticationExtension',
  'graphEventListener',
];

describe('bundledProvider', () => {
  // npm test builds dist/infra/providers.cjs first; the shim loads it from the working directory.
  it.each(names)('%s resolves to an implementation in the bundle', async (name) => {
    const bundle = require(`${process.cwd()}/dist/infra/providers.cjs`) as { providers: Record<string, pulumi.dynamic.ResourceProvider> };
    expect(typeof bundle.providers[name]?.create).toBe('function');
    // The shim delegates: it answers exactly what the bundled implementation answers.
    const olds = { marker: 'old' };
    const news = { marker: 'new' };
    const direct = await bundle.providers[name]!.diff!('id', olds, news).catch((e: Error) => e.message);
    await expect(bundledProvider(name).diff!('id', olds, news).catch((e: Error) => e.message)).resolves.toEqual(direct);
  });

  it('serializes to a closure that captures no project module', async () => {
    const provider = bundledProvider('graphEventListener');
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { isFactoryFunction: true });
    expect(serialized.text).toContain('dist/infra/providers.cjs');
    expect(serialized.text).not.toMatch(/lib\/graph|GraphClient/);
    expect(serialized.text.length).toBeLessThan(20_000);
  });
});
