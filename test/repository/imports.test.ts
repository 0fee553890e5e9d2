/**
 * The CLI reaches the function only through each module's public entry (`function/src/<module>/index.ts`), so
 * the function's insides can move without touching the CLI (issue: 59 deep imports such as
 * `../../../function/src/legacy/tableRepository`).
 */
import path from 'node:path';
import { readRepositoryFile, repositoryFiles } from './files';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** Repository-relative targets of every relative import in a file. */
function importsOf(file: string): string[] {
  const targets: string[] = [];
  for (const match of readRepositoryFile(file).matchAll(SPECIFIER)) {
    const specifier = match[1]!;
    if (!specifier.startsWith('.')) continue;
    targets.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
  }
  return targets;
}

/** `function/src/legacy/tableRepository` → the module `legacy`, reached past its entry. */
function deepFunctionImport(target: string): string | undefined {
  const match = /^function\/src\/([^/]+)\/(.+)$/.exec(target);
  if (!match || match[2] === 'index') return undefined;
  return match[1];
}

const cliFiles = repositoryFiles('scripts').filter((file) => /\.(ts|mts|cts|js|cjs|mjs)$/.test(file));

test('the scan sees the CLI and its imports of the function', () => {
  expect(cliFiles.length).toBeGreaterThan(50);
  expect(cliFiles.flatMap(importsOf).some((target) => target.startsWith('function/src/'))).toBe(true);
});

test('the CLI imports each function module only through its public entry', () => {
  const deep = cliFiles.flatMap((file) =>
    importsOf(file)
      .filter((target) => deepFunctionImport(target) !== undefined)
      .map((target) => `${file} imports ${target}: import '${path.posix.relative(path.posix.dirname(file), `function/src/${deepFunctionImport(target)}`)}' instead`),
  );
  expect(deep).toEqual([]);
});

test('every module the CLI imports has an entry', () => {
  const modules = new Set(cliFiles.flatMap(importsOf).flatMap((target) => /^function\/src\/([^/]+)$/.exec(target)?.[1] ?? []));
  for (const module of modules) expect({ module, entry: repositoryFiles(`function/src/${module}`).includes(`function/src/${module}/index.ts`) }).toEqual({ module, entry: true });
});
