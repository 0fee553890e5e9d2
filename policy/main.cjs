// The policy pack's entry point (PulumiPolicy.yaml and package.json `main`). Like infra/main.cjs, it bundles
// the TypeScript with esbuild first, so the CLI runs what the sources say, then loads the pack, which starts the
// policy server. The Pulumi SDKs stay external: they resolve from the repository's node_modules. The build's
// stdout goes to stderr: the CLI reads the policy server's port from this process's stdout.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: ['ignore', 2, 'inherit'] });
require(path.join(root, 'dist', 'policy', 'index.cjs'));
