/**
 * The bin launcher's re-run under Node 22 (scripts/bin/runAsChild.cjs) with real processes: the stop signals
 * reach the child, and the launcher exits with the child's status.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const runAsChild = path.join(root, 'scripts', 'bin', 'runAsChild.cjs');
const launcher = path.join(root, 'scripts', 'bin', 'jitmigrate.cjs');

/** A child that listens on a port, says where, and reacts to SIGTERM only when told to. */
const CHILD = `
const server = require('node:net').createServer().listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ pid: process.pid, port: server.address().port }) + '\\n');
});
if (process.argv[1] === 'handle') process.on('SIGTERM', () => { process.stdout.write('child stopping\\n'); server.close(() => process.exit(7)); });
`;

interface Started {
  readonly launcher: ChildProcess;
  readonly child: { pid: number; port: number };
  readonly output: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The launcher's own process group, so a signal in the test reaches it alone, as `kill <pid>` would. */
async function start(command: string, args: string[]): Promise<Started> {
  const launched = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  launched.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  launched.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => launched.once('exit', (code, signal) => resolve({ code, signal })));
  for (let i = 0; i < 200 && !output.includes('\n'); i++) await new Promise((r) => setTimeout(r, 25));
  return { launcher: launched, child: JSON.parse(output.split('\n')[0]!) as { pid: number; port: number }, output: () => output, exit };
}

function harness(childMode: string): [string, string[]] {
  const script = `require(${JSON.stringify(runAsChild)}).runAsChild(process.execPath, ['-e', ${JSON.stringify(CHILD)}, ${JSON.stringify(childMode)}]);`;
  return [process.execPath, ['-e', script]];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('the launcher passes the stop signals to the Node 22 child', () => {
  it('forwards SIGTERM and exits with the status the child chose', async () => {
    const started = await start(...harness('handle'));
    expect(await accepts(started.child.port)).toBe(true);
    started.launcher.kill('SIGTERM');
    expect(await started.exit).toEqual({ code: 7, signal: null });
    expect(started.output()).toContain('child stopping');
    expect(isAlive(started.child.pid)).toBe(false);
    expect(await accepts(started.child.port)).toBe(false);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('forwards %s to a child that does not handle it, and exits 128 + its number', async (signal, code) => {
    expect(128 + os.constants.signals[signal]).toBe(code);
    const started = await start(...harness('default'));
    started.launcher.kill(signal);
    expect(await started.exit).toEqual({ code, signal: null });
    for (let i = 0; i < 40 && isAlive(started.child.pid); i++) await new Promise((r) => setTimeout(r, 25));
    expect(isAlive(started.child.pid)).toBe(false);
  });

  it('passes the child exit code through', () => {
    const result = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(runAsChild)}).runAsChild(process.execPath, ['-e', 'process.exit(3)'])`]);
    expect(result.status).toBe(3);
  });
});

/** A node older than 22 on this machine, so the launcher really re-runs itself (Debian's node 20 here). */
function olderNode(): string | undefined {
  const found = spawnSync('sh', ['-c', 'which -a node nodejs'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return found.find((candidate) => {
    const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' }).stdout.trim();
    return /^v\d+\./.test(version) && Number(version.slice(1).split('.')[0]) < 22;
  });
}

const older = olderNode();
(older ? describe : describe.skip)(`jitmigrate serve started with an older node (${older ?? 'none on this machine'})`, () => {
  it('stops serving when the launcher gets SIGTERM, and exits 0 as serve does', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const launched = spawn(older!, [launcher, 'serve', '--port', String(port)], { stdio: 'ignore', detached: true, env: { PATH: process.env.PATH ?? '' } });
    const exit = new Promise<number | null>((resolve) => launched.once('exit', (code) => resolve(code)));
    let up = false;
    for (let i = 0; i < 400 && !up; i++) {
      up = await accepts(port);
      if (!up) await new Promise((r) => setTimeout(r, 25));
    }
    expect(up).toBe(true);
    launched.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(await accepts(port)).toBe(false);
  });
});
