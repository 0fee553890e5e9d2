import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { REPO_ROOT, runProgram } from '../test/mocks';
import { bundledProvider, PROVIDER_BUNDLE, PROVIDER_BUNDLE_PATH, type ProviderName } from './shim';

const names: ProviderName[] = [
  'keyVaultCertificate',
  'functionCodeDeployment',
  'graphExtensionProperty',
  'graphServicePrincipal',
  'graphApplicationEncryptionKey',
  'graphCustomAuthenticationExtension',
  'graphEventListener',
  'graphTrustFrameworkPolicy',
  'graphTrustFrameworkKeySet',
  'graphB2cUserFlow',
];

type Bundle = { providers: Record<string, pulumi.dynamic.ResourceProvider> };
const OLDS = { marker: 'old' };
const NEWS = { marker: 'new' };

/**
 * What Pulumi's provider process does with a serialized `__provider` (@pulumi/pulumi cmd/dynamic-provider:
 * `requireFromString(text).handler()`), in a fresh Node process whose working directory is `cwd`; answers what
 * `diff` printed, or the error. The serialized text is written to `scratch` (default `cwd`).
 */
async function diffInProviderProcess(serialized: string, cwd: string, scratch = cwd): Promise<string> {
  const file = path.join(scratch, 'serialized-provider.js');
  await writeFile(file, serialized);
  const script = `require(${JSON.stringify(file)}).handler().diff('id', ${JSON.stringify(OLDS)}, ${JSON.stringify(NEWS)})
    .then((answer) => console.log(JSON.stringify(answer)), (error) => console.log('error: ' + error.message));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { cwd, timeout: 20_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim())));
  });
}

/** As @pulumi/pulumi dynamic/index.js serializes `__provider`. */
const serialize = async (name: ProviderName): Promise<string> => {
  const provider = bundledProvider(name);
  return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
};

describe('bundledProvider', () => {
  let elsewhere: string;
  beforeAll(async () => {
    elsewhere = await mkdtemp(path.join(tmpdir(), 'jit-shim-'));
  });
  afterAll(() => rm(elsewhere, { recursive: true, force: true }));

  // npm test builds dist/infra/providers.cjs first.
  it.each(names)('%s resolves to an implementation in the bundle', async (name) => {
    const bundle = require(PROVIDER_BUNDLE_PATH) as Bundle;
    expect(typeof bundle.providers[name]?.create).toBe('function');
    // The shim delegates: it answers exactly what the bundled implementation answers.
    const direct = await bundle.providers[name]!.diff!('id', OLDS, NEWS).catch((e: Error) => e.message);
    await expect(bundledProvider(name).diff!('id', OLDS, NEWS).catch((e: Error) => e.message)).resolves.toEqual(direct);
  });

  it('finds the bundle from the module, not from the working directory', () => {
    expect(PROVIDER_BUNDLE_PATH).toBe(path.join(REPO_ROOT, PROVIDER_BUNDLE));
  });

  it('serializes to a closure that captures the bundle path and no project module', async () => {
    const text = await serialize('graphEventListener');
    expect(text).toContain(JSON.stringify(PROVIDER_BUNDLE_PATH));
    expect(text).not.toMatch(/lib\/graph|GraphClient|__dirname/);
    expect(text.length).toBeLessThan(20_000);
  });

  it('runs in the provider process from any working directory', async () => {
    const direct = await (require(PROVIDER_BUNDLE_PATH) as Bundle).providers.graphEventListener!.diff!('id', OLDS, NEWS);
    expect(JSON.parse(await diffInProviderProcess(await serialize('graphEventListener'), elsewhere))).toEqual(direct);
  });

  it('state from another machine: an absent recorded path falls back to the project root, and names both when that fails too', async () => {
    const moved = (await serialize('graphEventListener')).split(JSON.stringify(PROVIDER_BUNDLE_PATH)).join(JSON.stringify('/elsewhere/checkout/dist/infra/providers.cjs'));
    const direct = await (require(PROVIDER_BUNDLE_PATH) as Bundle).providers.graphEventListener!.diff!('id', OLDS, NEWS);
    // The provider process runs in the project root, as under `pulumi up`.
    expect(JSON.parse(await diffInProviderProcess(moved, REPO_ROOT, elsewhere))).toEqual(direct);
    expect(await diffInProviderProcess(moved, elsewhere)).toBe(
      `error: the dynamic provider bundle is in neither /elsewhere/checkout/dist/infra/providers.cjs nor ${path.join(elsewhere, PROVIDER_BUNDLE)}: run npm run build in the project`,
    );
  });

  it('the bundled program (dist/infra/program.cjs, what pulumi up loads) records the same path', async () => {
    const run = await runProgram({ entry: 'bundle' });
    const listener = run.mocks.resources.find((r) => r.type === 'pulumi-nodejs:dynamic/graph:EventListener');
    const serialized = String(listener?.inputs.__provider);
    expect(serialized).toContain(JSON.stringify(PROVIDER_BUNDLE_PATH));
    expect(await diffInProviderProcess(serialized, elsewhere)).toMatch(/^\{/);
  }, 120_000);
});
