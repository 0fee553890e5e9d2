/**
 * The function app's deployment package: a zip that is byte-identical for the same sources and lockfile,
 * so its SHA-256 decides whether FunctionCodeDeployment redeploys (no timestamps, no absolute paths,
 * no machine-dependent content).
 *
 * Contents (Flex runs `main` of package.json with the v4 Node model; it installs nothing with RemoteBuild=false):
 *   host.json, package.json                        generated here
 *   dist/function/main.cjs, hash-worker.cjs        esbuild, the same settings as scripts/build.mjs
 *   node_modules/...                               the bundles' runtime externals (bcrypt, @node-rs/argon2, piscina)
 *                                                  and their runtime dependencies, with linux-x64 glibc binaries only
 * Zip entries are sorted, dated 1980-01-01 00:00 (DOS time, no extended timestamp), mode 0644, deflated,
 * with no directory entries.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { build, type BuildOptions } from 'esbuild';
import { ZipFile } from 'yazl';
import BUNDLE_EXTERNALS from '../../scripts/bundle-externals.json';

export interface FunctionPackage {
  zipPath: string;
  sha256: string;
  bytes: number;
}

export interface FunctionPackageOptions {
  /** Default `<root>/dist/package/function.zip`. */
  outFile?: string;
  /** Repository root (holds package.json, function/ and node_modules/). Default: two levels above this file. */
  root?: string;
}

/** Loaded from node_modules at run time beside the bundle (scripts/build.mjs `external`). */
export const RUNTIME_PACKAGES: readonly string[] = ['bcrypt', '@node-rs/argon2', 'piscina'];

/**
 * Declared dependencies that are never loaded at run time, so they stay out of the package. The package test
 * loads every shipped module and scans them for bare requires, so a wrong entry here fails it.
 */
export const BUILD_ONLY_PACKAGES: Readonly<Record<string, string>> = {
  'node-addon-api': 'C++ headers for compiling the addons; the prebuilt binaries never load it',
  '@napi-rs/nice': "piscina's optional thread-priority addon, loaded only with niceIncrement, which the pool never sets",
};

/** Node's platform directory for prebuilt addons (node-gyp-build `prebuilds/<platform>-<arch>`): Flex runs linux-x64. */
export const TARGET_PLATFORM = 'linux-x64';

/** napi-rs addons (@node-rs/argon2) put each platform's binary in a package of its own, named `<addon>-<triple>`. */
const NAPI_TARGET_TRIPLE = 'linux-x64-gnu';
const NAPI_PLATFORM_PACKAGE = /-(android|darwin|freebsd|linux|win32|wasm32|openharmony)-[a-z0-9]+(-[a-z]+)?$/;

/** The Functions host configuration (learn.microsoft.com/azure/azure-functions/functions-host-json). */
export const HOST_JSON = {
  version: '2.0',
  logging: {
    logLevel: {
      default: 'Warning',
      // Request telemetry (requests table) and its aggregates.
      'Host.Results': 'Information',
      'Host.Aggregator': 'Information',
      // Our structured JSON lines: context.log in a function is category Function.<name>.User.
      'Function.onPasswordSubmit.User': 'Information',
      // B2C mode's endpoints (function/src/functions/b2c.ts).
      'Function.b2cSignIn.User': 'Information',
      'Function.b2cSignUp.User': 'Information',
      'Function.b2cPasswordReset.User': 'Information',
      'Function.b2cHealth.User': 'Information',
    },
    applicationInsights: {
      // Sampling stays on for dependencies, but never drops a request, an exception or one of our trace lines.
      samplingSettings: { isEnabled: true, maxTelemetryItemsPerSecond: 20, excludedTypes: 'Request;Exception;Trace' },
    },
  },
} as const;

/** esbuild settings of scripts/build.mjs for the two function bundles (kept equal; the package test compares outputs). */
function esbuildOptions(root: string): BuildOptions {
  return {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: [...BUNDLE_EXTERNALS],
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    charset: 'utf8',
    write: false,
  };
}

export const BUNDLES: readonly { entryPoint: string; path: string }[] = [
  { entryPoint: 'function/src/functions/index.ts', path: 'dist/function/main.cjs' },
  { entryPoint: 'function/src/hashing/worker.ts', path: 'dist/function/hash-worker.cjs' },
];

// Local-time components: yazl writes the DOS date from them, so every time zone gets 1980-01-01 00:00.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

export async function buildFunctionPackage(options: FunctionPackageOptions = {}): Promise<FunctionPackage> {
  const root = path.resolve(options.root ?? path.join(__dirname, '..', '..'));
  const zipPath = path.resolve(options.outFile ?? path.join(root, 'dist', 'package', 'function.zip'));
  const files = new Map<string, Buffer>();

  for (const bundle of BUNDLES) {
    const result = await build({ ...esbuildOptions(root), entryPoints: [bundle.entryPoint], outfile: bundle.path });
    const output = result.outputFiles?.[0];
    if (!output) throw new Error(`esbuild produced no output for ${bundle.entryPoint}`);
    files.set(bundle.path, Buffer.from(output.contents));
  }
  const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name?: string; version?: string };
  files.set('host.json', json(HOST_JSON));
  files.set(
    'package.json',
    json({
      name: `${rootManifest.name ?? 'entra-jit-migration'}-function`,
      version: rootManifest.version ?? '0.0.0',
      private: true,
      description: 'Deployment package of the onPasswordSubmit function (built by infra/bundle/functionPackage.ts)',
      main: 'dist/function/main.cjs',
      engines: { node: '>=22' },
    }),
  );
  for (const file of runtimeModuleFiles(root)) files.set(file, readFileSync(path.join(root, file)));

  mkdirSync(path.dirname(zipPath), { recursive: true });
  const temporary = `${zipPath}.${process.pid}.${randomUUID()}.tmp`;
  const zip = new ZipFile();
  for (const name of [...files.keys()].sort(byteOrder)) {
    zip.addBuffer(files.get(name)!, name, { mtime: FIXED_MTIME, mode: FILE_MODE, compress: true, forceDosTimestamp: true });
  }
  zip.end();
  const hash = createHash('sha256');
  let bytes = 0;
  zip.outputStream.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  try {
    await pipeline(zip.outputStream, createWriteStream(temporary));
    // Atomic replace: a concurrent reader never sees half a zip.
    renameSync(temporary, zipPath);
  } finally {
    rmSync(temporary, { force: true });
  }
  return { zipPath, sha256: hash.digest('hex'), bytes };
}

/**
 * Paths (relative to root, POSIX separators) of every file the runtime externals need: the packages in
 * RUNTIME_PACKAGES and, transitively, their installed `dependencies` and `optionalDependencies`, resolved as
 * Node does (nearest node_modules first), minus BUILD_ONLY_PACKAGES.
 */
export function runtimeModuleFiles(root: string): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const queue: { name: string; from: string; optional: boolean; version?: string }[] = RUNTIME_PACKAGES.map((name) => ({ name, from: root, optional: false }));
  while (queue.length > 0) {
    const { name, from, optional, version } = queue.shift()!;
    if (BUILD_ONLY_PACKAGES[name] !== undefined) continue;
    const platformPackage = NAPI_PLATFORM_PACKAGE.test(name);
    // Another platform's binary never ships; the target's is required even though npm lists it as optional.
    if (platformPackage && !name.endsWith(`-${NAPI_TARGET_TRIPLE}`)) continue;
    const directory = resolvePackage(name, from, root);
    if (!directory) {
      if (platformPackage) {
        throw new Error(
          `the function package needs ${name}, the Linux x64 binary that Azure runs, and npm installs it only on Linux x64: ` +
            `run \`npm install --no-save --os=linux --cpu=x64 --libc=glibc ${name}@${version ?? 'latest'}\` and deploy again`,
        );
      }
      if (optional) continue;
      throw new Error(`the function package needs ${name}, which is not installed under ${root}: run npm ci`);
    }
    if (seen.has(directory)) continue;
    seen.add(directory);
    const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      bin?: string | Record<string, string>;
    };
    // Command-line tools of a package (its `bin`) are never required at run time (node-gyp-build's bin.js would
    // even need node-gyp).
    const commands = new Set(Object.values(typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {})).map((file) => path.posix.normalize(file)));
    for (const dependency of Object.keys(manifest.dependencies ?? {}).sort()) queue.push({ name: dependency, from: directory, optional: false });
    for (const [dependency, range] of Object.entries(manifest.optionalDependencies ?? {}).sort(([a], [b]) => byteOrder(a, b))) {
      queue.push({ name: dependency, from: directory, optional: true, version: range });
    }
    const native = existsSync(path.join(directory, 'binding.gyp'));
    for (const file of listFiles(directory)) {
      if (!commands.has(file) && shipsAtRunTime(file, native)) files.push(toPosix(path.relative(root, path.join(directory, file))));
    }
  }
  return files.sort(byteOrder);
}

/** Node's lookup: `<dir>/node_modules/<name>` from the requiring package up to the root. */
function resolvePackage(name: string, from: string, root: string): string | undefined {
  for (let directory = from; ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (directory === root || path.dirname(directory) === directory) return undefined;
  }
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'test', 'tests', '__tests__', 'test-jest', 'benchmark', 'benchmarks', 'docs', 'doc', 'example', 'examples', 'scripts', 'coverage']);
const LICENSE = /^(licen[cs]e|copying|notice)(\.[a-z]+)?$/i;
const RUNTIME_EXTENSIONS = new Set(['.js', '.cjs', '.mjs', '.json', '.node']);

/** Whether a file of a package (path relative to the package, POSIX) is needed at run time. */
export function shipsAtRunTime(file: string, native: boolean): boolean {
  const segments = file.split('/');
  const name = segments.at(-1)!;
  const directories = segments.slice(0, -1);
  if (directories.some((directory) => SKIPPED_DIRECTORIES.has(directory) || directory.startsWith('.'))) return false;
  if (name.startsWith('.')) return false;
  if (LICENSE.test(name)) return true;
  const extension = path.extname(name).toLowerCase();
  if (!RUNTIME_EXTENSIONS.has(extension) || /^tsconfig.*\.json$|^package-lock\.json$/.test(name)) return false;
  // node-gyp's own build output: local, machine-specific, and preferred by node-gyp-build over prebuilds.
  if (native && directories[0] === 'build') return false;
  if (directories[0] === 'prebuilds' && directories[1] !== TARGET_PLATFORM) return false;
  if (extension === '.node') {
    // napi-rs names the binary after its triple, at the top of its platform package.
    if (directories.length === 0 && name.endsWith(`.${NAPI_TARGET_TRIPLE}.node`)) return true;
    // node-gyp-build tags binaries with the libc (`*.glibc.node`, `*.musl.node`); Flex images use glibc.
    return directories[0] === 'prebuilds' && directories[1] === TARGET_PLATFORM && !name.includes('.musl.');
  }
  return true;
}

/** Files under a directory, relative, POSIX, sorted; symbolic links are not followed. */
function listFiles(directory: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(directory, prefix), { withFileTypes: true }).sort((a, b) => byteOrder(a.name, b.name))) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...listFiles(directory, relative));
    else if (entry.isFile()) files.push(relative);
  }
  return files;
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
