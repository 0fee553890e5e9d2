// The Node.js major version the project runs on, read from package.json's `engines`, and the warning for an
// older one. `.npmrc` hides npm's own EBADENGINE warnings (npm checks the Node that runs npm, not the Node 22
// that `npm ci` installs on linux-x64), so this line is what a machine without Node 22 sees instead: it is
// printed by every build (`npm ci`, `npm test`, `npm start`, `pulumi up`), which npm runs with
// node_modules/.bin, and so the installed Node 22, first on PATH.
import { createRequire } from 'node:module';

const { engines } = createRequire(import.meta.url)('../package.json');

/** The major version `engines.node` (">=22") asks for. */
export const requiredNodeMajor = Number(/^>=\s*(\d+)/.exec(engines.node)?.[1]);

/** A one-line warning when `version` (default: this process's) is older than the project's runtime. */
export function nodeRuntimeWarning(version = process.versions.node) {
  if (Number(version.split('.')[0]) >= requiredNodeMajor) return undefined;
  return `entra-jit-migration runs on Node.js ${requiredNodeMajor} or later, and this is Node.js ${version}: install Node.js ${requiredNodeMajor} LTS (npm ci provides it only on linux-x64)`;
}
