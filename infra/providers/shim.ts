/**
 * Dynamic providers are closure-serialized into Pulumi state and run in a separate process
 * (Pulumi docs "Dynamic providers"; reference sheet azure-pulumi.md 6.3). Serializing our TypeScript
 * modules by value is fragile, so each resource's provider is a tiny shim that captures only a name and,
 * at run time, loads the real implementation from the esbuild bundle `dist/infra/providers.cjs`
 * (built from infra/providers/index.ts by scripts/build.mjs, which the program runs first).
 * The path is resolved against the working directory, which is the project root for `pulumi up` on any
 * machine, so state written on one machine works on another.
 */
import type * as pulumi from '@pulumi/pulumi';

export type ProviderName =
  | 'keyVaultCertificate'
  | 'functionCodeDeployment'
  | 'graphExtensionProperty'
  | 'graphServicePrincipal'
  | 'graphApplicationEncryptionKey'
  | 'graphCustomAuthenticationExtension'
  | 'graphEventListener';

export const PROVIDER_BUNDLE = 'dist/infra/providers.cjs';

/** A serializable provider that delegates every call to `providers[name]` of the bundle. */
export function bundledProvider(name: ProviderName): pulumi.dynamic.ResourceProvider {
  const load = (): pulumi.dynamic.ResourceProvider => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundle = require(require('node:path').resolve(process.cwd(), 'dist/infra/providers.cjs')) as {
      providers: Record<string, pulumi.dynamic.ResourceProvider>;
    };
    const provider = bundle.providers[name];
    if (!provider) throw new Error(`dynamic provider '${name}' is missing from dist/infra/providers.cjs: run npm run build`);
    return provider;
  };
  return {
    check: async (olds, news) => {
      const p = load();
      return p.check ? p.check(olds, news) : { inputs: news };
    },
    diff: async (id, olds, news) => {
      const p = load();
      return p.diff ? p.diff(id, olds, news) : {};
    },
    create: async (inputs) => load().create(inputs),
    read: async (id, props) => {
      const p = load();
      return p.read ? p.read(id, props) : { id, props };
    },
    update: async (id, olds, news) => {
      const p = load();
      return p.update ? p.update(id, olds, news) : { outs: news };
    },
    delete: async (id, props) => {
      const p = load();
      if (p.delete) await p.delete(id, props);
    },
  };
}
