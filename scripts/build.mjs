// Bundles the function, its hash worker and the CLI with esbuild. Output is deterministic:
// the same sources give byte-identical files (no timestamps, no absolute paths).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import path from 'node:path';
import { nodeRuntimeWarning } from './node-runtime.mjs';

const runtimeWarning = nodeRuntimeWarning();
if (runtimeWarning !== undefined) process.stderr.write(`warning: ${runtimeWarning}\n`);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Native addons load their own prebuilt binaries, and piscina starts threads from its own worker file, at run
// time: they ship beside the bundle in node_modules. @azure/functions-core exists only inside the Functions host.
// vega and vega-lite (the CLI's progress chart) are ES modules with a top-level await, which a CommonJS bundle
// cannot hold: the CLI imports them lazily from node_modules.
// One list for every esbuild call (this script, infra/bundle/functionPackage.ts, the CLI tests).
const external = createRequire(import.meta.url)('./bundle-externals.json');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  charset: 'utf8',
};

await Promise.all([
  build({ ...common, entryPoints: ['function/src/functions/index.ts'], outfile: 'dist/function/main.cjs' }),
  build({ ...common, entryPoints: ['function/src/hashing/worker.ts'], outfile: 'dist/function/hash-worker.cjs' }),
  build({ ...common, entryPoints: ['scripts/src/cli.ts'], outfile: 'dist/cli/jitmigrate.cjs' }),
  // Dynamic-provider implementations, loaded by infra/providers/shim.ts in Pulumi's provider process,
  // which supplies @pulumi/pulumi itself.
  build({ ...common, entryPoints: ['infra/providers/index.ts'], outfile: 'dist/infra/providers.cjs', external: [...external, '@pulumi/*'] }),
  // The Pulumi program itself (infra/main.cjs runs this build, then loads it): plain CommonJS, so `pulumi up`
  // needs no ts-node. The Pulumi SDKs stay external: the language host and the program must share them.
  build({ ...common, entryPoints: ['infra/index.ts'], outfile: 'dist/infra/program.cjs', external: [...external, '@pulumi/*', 'esbuild'] }),
  // The CrossGuard policy pack (policy/main.cjs loads it): the SDKs stay external, as for the program.
  build({ ...common, entryPoints: ['policy/index.ts'], outfile: 'dist/policy/index.cjs', external: [...external, '@pulumi/*'] }),
]);
