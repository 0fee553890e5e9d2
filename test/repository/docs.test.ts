/**
 * The documentation stands alone: every relative link in every Markdown file, and every `docs/…` or
 * `README.md#…` path named in code, configuration or docs, points at something in the repository (its anchor
 * included), and nothing cites a document the repository does not hold.
 */
import path from 'node:path';
import { pathKind, readRepositoryFile, repositoryFiles } from './files';
import { headingAnchors, isExternal, markdownLinks } from './markdown';

const files = repositoryFiles();
const markdownFiles = files.filter((file) => file.endsWith('.md'));
/** Text a reader follows references in: sources, configuration, docs, CI. The lockfile is npm's, not ours. */
const textFiles = files.filter((file) => /\.(ts|cjs|mjs|js|json|ya?ml|md|sh)$/.test(file) || file === '.ci/run').filter((file) => file !== 'package-lock.json');

const anchorCache = new Map<string, Set<string>>();
function anchorsOf(markdownFile: string): Set<string> {
  let anchors = anchorCache.get(markdownFile);
  if (anchors === undefined) {
    anchors = headingAnchors(readRepositoryFile(markdownFile));
    anchorCache.set(markdownFile, anchors);
  }
  return anchors;
}

/** Why `target` (repository-relative path, optional `#anchor`) does not resolve, or undefined when it does. */
function unresolved(target: string): string | undefined {
  const hash = target.indexOf('#');
  const file = path.posix.normalize(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  if (file.startsWith('../')) return 'points outside the repository';
  const kind = pathKind(file);
  if (kind === 'missing') return `${file} does not exist`;
  if (anchor === undefined) return undefined;
  if (kind !== 'file' || !file.endsWith('.md')) return `#${anchor} on ${file}, which is not a Markdown file`;
  if (!anchorsOf(file).has(anchor)) return `${file} has no heading with the anchor #${anchor}`;
  return undefined;
}

describe('the documentation stands alone', () => {
  it('reads the repository (the checks below are not vacuous)', () => {
    expect(markdownFiles).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'docs/entra-contracts.md']));
    expect(markdownFiles.flatMap((file) => markdownLinks(readRepositoryFile(file))).length).toBeGreaterThan(20);
  });

  it('resolves every relative link in every Markdown file, anchors included', () => {
    const broken: string[] = [];
    for (const file of markdownFiles) {
      for (const link of markdownLinks(readRepositoryFile(file))) {
        if (isExternal(link.target)) continue;
        const target = link.target.startsWith('#') ? `${file}${link.target}` : path.posix.join(path.posix.dirname(file), decodeURI(link.target));
        const problem = unresolved(target);
        if (problem !== undefined) broken.push(`${file}:${link.line}: (${link.target}) ${problem}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('resolves every docs/… and README.md#… path named in code, configuration and docs', () => {
    const broken: string[] = [];
    for (const file of textFiles) {
      readRepositoryFile(file)
        .split('\n')
        .forEach((line, index) => {
          // Repository-relative only: not a URL's or another repository's `…/docs/…`.
          for (const match of line.matchAll(/(?<![\w./@-])(docs\/[\w./-]*\w|README\.md)(#[\w-]+)?/g)) {
            const problem = unresolved(`${match[1]}${match[2] ?? ''}`);
            if (problem !== undefined) broken.push(`${file}:${index + 1}: ${match[0]}: ${problem}`);
          }
        });
    }
    expect(broken).toEqual([]);
  });

  it('cites no document outside the repository', () => {
    const citations: string[] = [];
    for (const file of textFiles) {
      readRepositoryFile(file)
        .split('\n')
        .forEach((line, index) => {
          if (/\b(fact|reference|JIT|Pulumi|entra) sheets?\b|\bsheets? \d|\.\.\/shared\b/i.test(line)) citations.push(`${file}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(citations).toEqual([]);
  });
});

describe('headingAnchors (GitHub slugs)', () => {
  it('follows GitHub: punctuation dropped, spaces to hyphens, code and links as their text, repeats numbered', () => {
    const anchors = headingAnchors(
      [
        '# Title',
        '### Promoting dev → prod',
        '## `jitmigrate status`',
        '### `--json`: the snapshot (schema `jitmigrate.status/1`)',
        "## The caller's [token](x.md)",
        '## Title',
        '```sh',
        '## not a heading',
        '```',
      ].join('\n'),
    );
    expect([...anchors]).toEqual(['title', 'promoting-dev--prod', 'jitmigrate-status', '--json-the-snapshot-schema-jitmigratestatus1', 'the-callers-token', 'title-1']);
  });

  it('finds links and definitions, not what is inside code blocks and code spans', () => {
    const links = markdownLinks(['[a](guide/a.md) `[b](b.md)`', '```', '[c](c.md)', '```', '[d]: d.md', '[JIT-DOC 4.1]: a citation, not a definition'].join('\n'));
    expect(links).toEqual([
      { target: 'guide/a.md', line: 1 },
      { target: 'd.md', line: 5 },
    ]);
  });
});
