/**
 * The deployment package is reproducible, holds exactly what the function needs on linux-x64, and loads:
 * unzipped on its own (no repository node_modules above it), Node 22 registers the function and runs the
 * native addons and the piscina worker from the package.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractZip, readZip, type ZipEntry } from '../../test/emulators/azure';
import { BUILD_ONLY_PACKAGES, HOST_JSON, buildFunctionPackage, shipsAtRunTime, type FunctionPackage } from './functionPackage';

const ROOT = path.resolve(__dirname, '..', '..');
let dir: string;
let first: FunctionPackage;
let second: FunctionPackage;
let entries: ZipEntry[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'function-package-'));
  first = await buildFunctionPackage({ outFile: path.join(dir, 'one', 'function.zip') });
  second = await buildFunctionPackage({ outFile: path.join(dir, 'two', 'function.zip'), root: ROOT });
  entries = readZip(readFileSync(first.zipPath));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = (): string[] => entries.map((entry) => entry.name);
const entry = (name: string): ZipEntry => {
  const found = entries.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`${name} is not in the package`);
  return found;
};

describe('reproducibility', () => {
  it('gives a byte-identical zip on every build, and reports its hash and size', () => {
    const bytes = readFileSync(first.zipPath);
    expect(readFileSync(second.zipPath).equals(bytes)).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    expect(first.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(first.bytes).toBe(bytes.length);
  });

  it('writes sorted file entries with a fixed date, fixed mode and no extra timestamp fields', () => {
    expect(names()).toEqual([...names()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const zipEntry of entries) {
      expect(zipEntry.name.endsWith('/')).toBe(false);
      expect(zipEntry.mode).toBe(0o100644);
      expect({ date: zipEntry.dosDate, time: zipEntry.dosTime }).toEqual({ date: (0 << 9) | (1 << 5) | 1, time: 0 }); // 1980-01-01 00:00
      expect(zipEntry.extraLength).toBe(0);
      expect(zipEntry.method).toBe(8);
    }
  });
});

describe('contents', () => {
  it('has the host configuration, the manifest and both bundles', () => {
    expect(JSON.parse(entry('host.json').data.toString())).toEqual(HOST_JSON);
    expect(JSON.parse(entry('package.json').data.toString())).toMatchObject({ main: 'dist/function/main.cjs', private: true });
    expect(JSON.parse(entry('package.json').data.toString())).not.toHaveProperty('dependencies'); // nothing to install
    expect(entry('dist/function/main.cjs').data.length).toBeGreaterThan(100_000);
    expect(entry('dist/function/hash-worker.cjs').data.length).toBeGreaterThan(1000);
  });

  it('ships the runtime externals with linux-x64 glibc binaries only', () => {
    expect(names()).toEqual(
      expect.arrayContaining([
        'node_modules/bcrypt/bcrypt.js',
        'node_modules/bcrypt/prebuilds/linux-x64/bcrypt.glibc.node',
        'node_modules/@node-rs/argon2/index.js',
        'node_modules/@node-rs/argon2-linux-x64-gnu/argon2.linux-x64-gnu.node',
        'node_modules/node-gyp-build/index.js',
        'node_modules/piscina/dist/main.js',
        'node_modules/piscina/dist/worker.js',
        'node_modules/piscina/LICENSE',
      ]),
    );
    const nativeBinaries = names().filter((name) => name.endsWith('.node'));
    expect(nativeBinaries).toEqual(['node_modules/@node-rs/argon2-linux-x64-gnu/argon2.linux-x64-gnu.node', 'node_modules/bcrypt/prebuilds/linux-x64/bcrypt.glibc.node']);
    // Only the target's napi-rs platform package, however many npm installed.
    expect(names().filter((name) => name.startsWith('node_modules/@node-rs/argon2-')).every((name) => name.startsWith('node_modules/@node-rs/argon2-linux-x64-gnu/'))).toBe(true);
    for (const name of names()) {
      expect(name).not.toMatch(/\.(ts|map|md|cc|c|h|gyp)$|\/(test|benchmark|docs|src)\/|\/build\/|musl|darwin|win32/);
      for (const buildOnly of Object.keys(BUILD_ONLY_PACKAGES)) expect(name.startsWith(`node_modules/${buildOnly}/`)).toBe(false);
    }
    // The ELF header says x86-64 (e_machine 62).
    expect(entry('node_modules/bcrypt/prebuilds/linux-x64/bcrypt.glibc.node').data.readUInt16LE(18)).toBe(62);
  });

  it('filters package files by what runs', () => {
    expect(shipsAtRunTime('prebuilds/linux-x64/x.glibc.node', true)).toBe(true);
    expect(shipsAtRunTime('prebuilds/linux-x64/x.musl.node', true)).toBe(false);
    expect(shipsAtRunTime('prebuilds/darwin-arm64/x.node', true)).toBe(false);
    expect(shipsAtRunTime('argon2.linux-x64-gnu.node', false)).toBe(true);
    expect(shipsAtRunTime('argon2.linux-x64-musl.node', false)).toBe(false);
    expect(shipsAtRunTime('argon2.darwin-arm64.node', false)).toBe(false);
    expect(shipsAtRunTime('build/Release/x.node', true)).toBe(false);
    expect(shipsAtRunTime('build/index.js', false)).toBe(true);
    expect(shipsAtRunTime('dist/index.d.ts', false)).toBe(false);
    expect(shipsAtRunTime('LICENSE.md', false)).toBe(true);
    expect(shipsAtRunTime('tsconfig.json', false)).toBe(false);
  });

  it('needs nothing outside the package but Node built-ins and the Functions host', () => {
    const shipped = new Set(names().filter((name) => name.startsWith('node_modules/')).map((name) => packageOf(name.slice('node_modules/'.length))));
    // Provided by the host (@azure/functions-core), or loaded inside try/catch only when configured (@napi-rs/nice).
    const provided = new Set(['@azure/functions-core', '@napi-rs/nice']);
    const missing = new Set<string>();
    for (const zipEntry of entries.filter((candidate) => /\.(c|m)?js$/.test(candidate.name))) {
      for (const match of zipEntry.data.toString('utf8').matchAll(/require\(\s*["']([^"'.][^"']*)["']\s*\)/g)) {
        const specifier = match[1]!;
        if (isBuiltin(specifier) || shipped.has(packageOf(specifier)) || provided.has(packageOf(specifier))) continue;
        // napi-rs loaders try every platform's package in turn, inside try/catch; Azure's is shipped (above).
        if (/^@node-rs\/argon2-[a-z0-9-]+(\/package\.json)?$/.test(specifier) && zipEntry.name === 'node_modules/@node-rs/argon2/index.js') continue;
        missing.add(`${zipEntry.name} → ${specifier}`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  const bundleFresh = isFresh(path.join(ROOT, 'dist', 'function', 'main.cjs'));
  // Guards against drift from scripts/build.mjs (same esbuild settings): only meaningful when dist is current.
  (bundleFresh ? it : it.skip)('bundles exactly what scripts/build.mjs builds', () => {
    expect(entry('dist/function/main.cjs').data.equals(readFileSync(path.join(ROOT, 'dist', 'function', 'main.cjs')))).toBe(true);
    expect(entry('dist/function/hash-worker.cjs').data.equals(readFileSync(path.join(ROOT, 'dist', 'function', 'hash-worker.cjs')))).toBe(true);
  });
});

describe('loading the unzipped package with Node 22', () => {
  it('registers the function and runs bcrypt, argon2 and the hash worker from the package', () => {
    const app = path.join(dir, 'wwwroot');
    extractZip(readFileSync(first.zipPath), app);
    // What the Functions host injects into the Node worker: a minimal @azure/functions-core that records registrations.
    const core = path.join(dir, 'host', 'node_modules', '@azure', 'functions-core');
    mkdirSync(core, { recursive: true });
    writeFileSync(path.join(core, 'package.json'), JSON.stringify({ name: '@azure/functions-core', main: 'index.js' }));
    writeFileSync(
      path.join(core, 'index.js'),
      'module.exports = { setProgrammingModel() {}, log() {}, registerFunction(metadata) { globalThis.__registered.push({ name: metadata.name, bindings: metadata.bindings }); return { dispose() {} }; } };',
    );
    writeFileSync(path.join(dir, 'probe.cjs'), PROBE);
    execFileSync(process.execPath, [path.join(dir, 'probe.cjs'), app], {
      cwd: app,
      // NODE_PATH points only at the stand-in host module; everything else must resolve inside the package.
      env: { PATH: process.env['PATH'] ?? '', NODE_PATH: path.join(dir, 'host', 'node_modules') },
      stdio: 'pipe',
      timeout: 30_000,
    });
    const result = JSON.parse(readFileSync(path.join(dir, 'probe-result.json'), 'utf8')) as {
      node: string;
      registered: { name: string; bindings: Record<string, { type: string; route?: string; methods?: string[] }> }[];
      resolved: string[];
      natives: string[];
      bcrypt: boolean;
      argon2: boolean;
      md5crypt: string;
      workerArgon2: string;
      workerBcrypt: string;
    };
    expect(Number(result.node.split('.')[0])).toBeGreaterThanOrEqual(22);
    expect(result.registered.map((registration) => registration.name)).toEqual(['onPasswordSubmit', 'b2cSignIn', 'b2cSignUp', 'b2cPasswordReset', 'b2cHealth']);
    expect(Object.values(result.registered[0]!.bindings).find((binding) => binding.type === 'httpTrigger')).toMatchObject({ route: 'onPasswordSubmit', methods: ['GET', 'POST'] });
    // host.json lets each registered function's own log lines (our JSON telemetry) through.
    for (const { name } of result.registered) expect(HOST_JSON.logging.logLevel).toHaveProperty([`Function.${name}.User`], 'Information');
    expect(result.resolved).toEqual(['node_modules/bcrypt/bcrypt.js', 'node_modules/@node-rs/argon2/index.js', 'node_modules/piscina/dist/main.js']);
    expect(result.natives.sort()).toEqual(['node_modules/@node-rs/argon2-linux-x64-gnu/argon2.linux-x64-gnu.node', 'node_modules/bcrypt/prebuilds/linux-x64/bcrypt.glibc.node']);
    expect(result.bcrypt).toBe(true);
    expect(result.argon2).toBe(true);
    // `openssl passwd -1 -salt saltsalt password` = $1$saltsalt$qjXMvbEw8oaL.CzflDtaK/
    expect(result.md5crypt).toBe('qjXMvbEw8oaL.CzflDtaK/');
    // The hash thread loads both addons from the package too (vectors from Debian's argon2 CLI and mkpasswd).
    expect(result.workerArgon2).toBe(Buffer.from(WORKER_VECTORS.argon2.tag, 'base64').toString('hex'));
    expect(result.workerBcrypt).toBe(WORKER_VECTORS.bcrypt.hash);

    // Without a host, @azure/functions switches to test mode: the bundle still loads and registers nothing.
    const bare = spawnSync(process.execPath, ['-e', "require('./dist/function/main.cjs')"], { cwd: app, env: { PATH: process.env['PATH'] ?? '' }, timeout: 30_000 });
    expect(bare.status).toBe(0);
    expect(bare.stderr.toString()).toMatch(/test mode/);
  }, 60_000);
});

/** `$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$…` (salt "somesalt") and `$2b$05$…` from generated.jsonl. */
const WORKER_VECTORS = {
  argon2: { password: 'password', salt: 'somesalt', tag: '7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk' },
  bcrypt: { password: 'password', hash: '$2b$05$zi3G03NejXCKfTFynRKrFOgjdFIAPLv4BZTh1V.Nx/hi0eSbKC1dO' },
};

/** Runs in a child Node process with the unzipped package as its working directory. */
const PROBE = `
const fs = require('node:fs');
const path = require('node:path');
const app = process.argv[2];
const load = (name) => require(require.resolve(name, { paths: [app] }));
globalThis.__registered = [];
require(path.join(app, 'dist/function/main.cjs'));
(async () => {
  const result = { node: process.versions.node, registered: globalThis.__registered };
  const bcrypt = load('bcrypt');
  const stored = bcrypt.hashSync('correct horse', 4);
  result.bcrypt = bcrypt.compareSync('correct horse', stored) && !bcrypt.compareSync('wrong horse', stored);
  const argon2 = load('@node-rs/argon2');
  const encoded = await argon2.hash('correct horse', { timeCost: 2, memoryCost: 1024, parallelism: 1 });
  result.argon2 = (await argon2.verify(encoded, 'correct horse')) && !(await argon2.verify(encoded, 'wrong horse'));
  result.resolved = ['bcrypt', '@node-rs/argon2', 'piscina'].map((name) => path.relative(app, require.resolve(name, { paths: [app] })));
  const piscina = load('piscina');
  const Piscina = piscina.Piscina || piscina;
  const pool = new Piscina({ filename: path.join(app, 'dist/function/hash-worker.cjs'), maxThreads: 1 });
  result.md5crypt = await pool.run({ kind: 'md5-crypt', magic: '$1$', password: 'password', salt: 'saltsalt' });
  const vectors = ${JSON.stringify(WORKER_VECTORS)};
  const tag = await pool.run({ kind: 'argon2', type: 'argon2id', version: 0x13, memoryKiB: 1024, timeCost: 2, parallelism: 1, password: vectors.argon2.password, salt: new TextEncoder().encode(vectors.argon2.salt), tagLength: 32 });
  result.workerArgon2 = Buffer.from(tag).toString('hex');
  result.workerBcrypt = await pool.run({ kind: 'bcrypt', secret: vectors.bcrypt.password, setting: vectors.bcrypt.hash.slice(0, 29) });
  await pool.destroy();
  result.natives = Object.keys(require.cache).filter((file) => file.endsWith('.node')).map((file) => path.relative(app, file));
  fs.writeFileSync(path.join(path.dirname(__filename), 'probe-result.json'), JSON.stringify(result));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Whether a build output is newer than every source that goes into it. */
function isFresh(output: string): boolean {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  const newest = (directory: string): number =>
    readdirSync(directory, { withFileTypes: true }).reduce((latest, child) => {
      const full = path.join(directory, child.name);
      return Math.max(latest, child.isDirectory() ? newest(full) : statSync(full).mtimeMs);
    }, 0);
  return built >= Math.max(newest(path.join(ROOT, 'function', 'src')), statSync(path.join(ROOT, 'package-lock.json')).mtimeMs);
}
