/**
 * Dynamic providers are closure-serialized into Pulumi state and run in a separate process
 * (Pulumi docs "Dynamic providers"). Serializing our TypeScript
 * modules by value is fragile, so each resource's provider is a tiny shim that captures only a name and the
 * bundle's path and, at run time, loads the real implementation from the esbuild bundle
 * `dist/infra/providers.cjs` (built from infra/providers/index.ts by scripts/build.mjs, which the program runs
 * first).
 *
 * The path is found from this module, not from the working directory, so a program that imports the
 * components from another directory still finds the bundle. It is computed when the program runs and captured
 * as a string: Pulumi never captures `__dirname` (it would mean the provider process's own), so the closure
 * must not read it. State written on another machine (or by a moved checkout) names a path that does not
 * exist here; the shim then falls back to `dist/infra/providers.cjs` under the working directory, the project
 * root for `pulumi up`.
 */
import path from 'node:path';
import type * as pulumi from '@pulumi/pulumi';

export type ProviderName =
  | 'keyVaultCertificate'
  | 'functionCodeDeployment'
  | 'graphExtensionProperty'
  | 'graphServicePrincipal'
  | 'graphApplicationEncryptionKey'
  | 'graphCustomAuthenticationExtension'
  | 'graphEventListener'
  | 'graphTrustFrameworkPolicy'
  | 'graphTrustFrameworkKeySet'
  | 'graphB2cUserFlow';

export const PROVIDER_BUNDLE = 'dist/infra/providers.cjs';

/**
 * The bundle, from this module's directory: the source (infra/providers/shim.ts) and the bundled program
 * (dist/infra/program.cjs, which inlines this module) both sit two levels below the project root.
 */
export const PROVIDER_BUNDLE_PATH = path.resolve(__dirname, '..', '..', PROVIDER_BUNDLE);

/** A serializable provider that delegates every call to `providers[name]` of the bundle. */
export function bundledProvider(name: ProviderName): pulumi.dynamic.ResourceProvider {
  // Plain strings: the serialized closure captures their values, not this module.
  const recorded = PROVIDER_BUNDLE_PATH;
  const fallback = PROVIDER_BUNDLE;
  const load = (): pulumi.dynamic.ResourceProvider => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const nodePath = require('node:path') as typeof import('node:path');
    const fs = require('node:fs') as typeof import('node:fs');
    const candidates = [recorded, nodePath.resolve(process.cwd(), fallback)];
    const file = candidates.find((candidate) => fs.existsSync(candidate));
    if (file === undefined) throw new Error(`the dynamic provider bundle is in neither ${candidates.join(' nor ')}: run npm run build in the project`);
    const bundle = require(file) as { providers: Record<string, pulumi.dynamic.ResourceProvider> };
    /* eslint-enable @typescript-eslint/no-require-imports */
    const provider = bundle.providers[name];
    if (!provider) throw new Error(`dynamic provider '${name}' is missing from ${file}: run npm run build`);
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
