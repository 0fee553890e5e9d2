/**
 * `npm ci` under an older system Node prints no EBADENGINE noise (it installs Node 22 itself on linux-x64),
 * and a machine that really lacks Node 22 still hears it, once, from the build.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, readRepositoryFile } from './files';

interface NodeRuntimeModule {
  readonly requiredNodeMajor: number;
  nodeRuntimeWarning(version?: string): string | undefined;
}

// A path, not a literal specifier: the module is plain JavaScript without type declarations.
const nodeRuntime = (): Promise<NodeRuntimeModule> => import(path.join(REPO_ROOT, 'scripts', 'node-runtime.mjs'));

describe('npm ci on a machine whose Node is older than the runtime', () => {
  it("resolves the project's npm log level to errors only, so npm's EBADENGINE warnings are not printed", () => {
    // npm's own resolution (project .npmrc over the user's), without what a parent npm run passes down.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
    const loglevel = execFileSync('npm', ['config', 'get', 'loglevel'], { cwd: REPO_ROOT, env, encoding: 'utf8' }).trim();
    expect(loglevel).toBe('error');
  });

  it("takes the runtime's major version from package.json's engines", async () => {
    const { engines } = JSON.parse(readRepositoryFile('package.json')) as { engines: { node: string } };
    expect(`>=${(await nodeRuntime()).requiredNodeMajor}`).toBe(engines.node.replace(/\s/g, ''));
  });

  it('warns, in one line naming both versions, where the Node that runs the build is older', async () => {
    const { nodeRuntimeWarning, requiredNodeMajor } = await nodeRuntime();
    const warning = nodeRuntimeWarning(`${requiredNodeMajor - 2}.20.2`);
    expect(warning).toContain(`Node.js ${requiredNodeMajor - 2}.20.2`);
    expect(warning).toContain(`Node.js ${requiredNodeMajor} LTS`);
    expect(warning).not.toContain('\n');
    expect(nodeRuntimeWarning(`${requiredNodeMajor}.0.0`)).toBeUndefined();
    expect(nodeRuntimeWarning(`${requiredNodeMajor + 2}.1.0`)).toBeUndefined();
    expect(nodeRuntimeWarning()).toBeUndefined(); // the suite itself runs on the installed Node 22
  });
});
