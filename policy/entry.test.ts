/**
 * The pack starts the way the Pulumi CLI starts it: PulumiPolicy.yaml and package.json name main.cjs, which
 * bundles the sources and serves the policies from this folder (the pack reads ./package.json's version), and
 * the first line on stdout is the policy server's port, which the CLI reads.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readYaml } from '../infra/test/mocks';

const folder = __dirname;

test('PulumiPolicy.yaml and package.json name the same JavaScript entry, with no ts-node', () => {
  const project = readYaml('policy/PulumiPolicy.yaml');
  const pkg = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { version?: string; main?: string };
  expect(project.runtime).toEqual({ name: 'nodejs', options: { typescript: false } });
  expect(project.main).toBe('main.cjs');
  expect(pkg.main).toBe(project.main);
  expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(existsSync(path.join(folder, project.main))).toBe(true);
});

test('main.cjs builds the pack and serves it: its first stdout line is a port', async () => {
  const child = spawn(process.execPath, ['main.cjs'], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const firstLine = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      });
      child.on('exit', (code) => reject(new Error(`the pack exited (${code}) before serving: ${stderr}`)));
    });
    expect(firstLine).toMatch(/^\d+$/);
    expect(existsSync(path.join(folder, '..', 'dist', 'policy', 'index.cjs'))).toBe(true);
  } finally {
    child.kill();
  }
}, 60_000);
