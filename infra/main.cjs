// The Pulumi entry point (Pulumi.yaml `main`). It bundles the program, the dynamic providers and the function
// with esbuild first, so every `pulumi preview/up` runs what the sources say, without ts-node; then it loads
// the program, whose exports are the stack outputs.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: ['ignore', 'inherit', 'inherit'] });
module.exports = require(path.join(root, 'dist', 'infra', 'program.cjs'));
