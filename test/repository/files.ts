/**
 * The repository's own files, read from the work tree, for the checks that keep its documentation true:
 * every relative link resolves, the README's layout names every source folder, the CHANGELOG's version is
 * package.json's.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Generated, installed or local-only trees: not part of the repository's sources. */
const NOT_SOURCES = new Set(['node_modules', 'dist', 'coverage', '.git', '.sandbox', '.pulumi']);

/** Every file under `dir` (repository-relative, `/`-separated), outside generated and installed trees. */
export function repositoryFiles(dir = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
    if (NOT_SOURCES.has(entry.name) || entry.name.startsWith('__')) continue;
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...repositoryFiles(relative));
    else if (entry.isFile()) files.push(relative);
  }
  return files.sort();
}

/** The sub-directories of a repository directory, as `dir/name` (sources only). */
export function subdirectories(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !NOT_SOURCES.has(entry.name) && !entry.name.startsWith('__'))
    .map((entry) => `${dir}/${entry.name}`)
    .sort();
}

export function readRepositoryFile(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

/** What a repository-relative path names: a file, a directory, or nothing. */
export function pathKind(relative: string): 'file' | 'directory' | 'missing' {
  try {
    return statSync(path.join(REPO_ROOT, relative)).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}
