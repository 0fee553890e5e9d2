/**
 * Starts a throw-away Azurite Table Storage emulator for tests and the sandbox. No jest here: the
 * sandbox (`jitmigrate sandbox`) uses it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface AzuriteTables {
  /** Connection string for the well-known Azurite development account, http on loopback. */
  readonly connectionString: string;
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly tableEndpoint: string;
  stop(): Promise<void>;
}

/**
 * Azurite's fixed development account. The key is published in Microsoft's Azurite documentation
 * ("Connect to Azurite with SDKs and tools") and opens nothing but a local emulator: it is not a secret.
 */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const TEMP_PREFIX = 'jit-azurite-';
/**
 * Runs the script in argv[1] (Azurite's own argv layout). When stdin ends (our process is gone, or
 * stop() was never called) it removes its temporary working directory and exits.
 */
const WATCHDOG = `process.stdin.on('end', () => {
  const dir = process.cwd();
  if (require('node:path').basename(dir).startsWith(${JSON.stringify(TEMP_PREFIX)})) {
    try { process.chdir(require('node:os').tmpdir()); require('node:fs').rmSync(dir, { recursive: true, force: true }); } catch {}
  }
  process.exit(0);
}).resume();
require(process.argv[1]);`;

export async function startAzurite(): Promise<AzuriteTables> {
  const port = await freePort();
  const location = await fs.mkdtemp(path.join(os.tmpdir(), TEMP_PREFIX));
  const args = [
    azuriteTableBin(),
    '--tableHost', '127.0.0.1',
    '--tablePort', String(port),
    // In-memory data; Azurite refuses --location together with it, so the temp dir is its working directory.
    '--inMemoryPersistence',
    '--skipApiVersionCheck',
    '--disableProductStyleUrl',
    '--disableTelemetry',
    '--loose',
    '--silent',
  ];
  // The same Node binary as ours (the system `node` may be older than Azurite requires), behind a
  // watchdog: Azurite exits when our end of its stdin closes, so it never outlives us, even after SIGKILL.
  const child = spawn(process.execPath, ['-e', WATCHDOG, ...args], { cwd: location, stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  // A caller that never reaches stop() (a failed beforeAll, a timeout) must not keep our process alive.
  child.unref();
  for (const stream of [child.stdin, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();

  const cleanup = async (): Promise<void> => {
    await killChild(child);
    await fs.rm(location, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    await waitForPort(port, child, () => stderr);
  } catch (error) {
    await cleanup();
    throw error;
  }

  const tableEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  let stopped: Promise<void> | undefined;
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};TableEndpoint=${tableEndpoint};`,
    tableEndpoint,
    stop: () => (stopped ??= cleanup()),
  };
}

/** The table server's entry point from azurite's own `bin` map, so it also works where `.bin` holds shims (Windows). */
function azuriteTableBin(): string {
  const manifestPath = require.resolve('azurite/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: Record<string, string> };
  const entry = manifest.bin?.['azurite-table'];
  if (!entry) throw new Error('the installed azurite package has no azurite-table entry point: run npm ci');
  return path.resolve(path.dirname(manifestPath), entry);
}

/** Azurite does not accept port 0, so borrow a free port from the OS and hand it over. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free loopback port'))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited || child.exitCode !== null) {
      throw new Error(`Azurite exited before it listened (exit code ${String(child.exitCode)}): ${stderr().trim() || 'no output'}`);
    }
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Azurite did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
