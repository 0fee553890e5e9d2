/**
 * Just enough Markdown for the documentation checks: headings and their GitHub anchors, and the links of a
 * file, both outside code blocks and code spans (a `[0](…)` in a shell example is not a link).
 */

export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

const FENCE = /^\s*(`{3,}|~{3,})/;

/** The file's lines with fenced code blocks blanked, so line numbers stay right. */
function proseLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((line) => {
    const opening = FENCE.exec(line)?.[1];
    if (fence === undefined) {
      if (opening === undefined) return line;
      fence = opening;
      return '';
    }
    if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length) fence = undefined;
    return '';
  });
}

function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)(?:(?!\1)[^])*?\1/g, (span) => ' '.repeat(span.length));
}

/**
 * GitHub's anchor for a heading (github-slugger): lower-cased, punctuation dropped (letters, digits,
 * `_`, `-` and spaces stay), each space a hyphen; a repeated anchor gets `-1`, `-2`, ….
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const text = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .trim();
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/**
 * The body of the section under the heading whose text is `heading` (without the `#`s), up to the next
 * heading of the same or a higher level; headings inside code blocks do not count.
 */
export function markdownSection(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const prose = proseLines(markdown);
  const level = (line: string): number => /^\s{0,3}(#{1,6})\s/.exec(line)?.[1]!.length ?? 0;
  const start = prose.findIndex((line) => level(line) > 0 && line.replace(/^\s*#+\s+/, '').trim() === heading);
  if (start === -1) throw new Error(`no section "${heading}"`);
  const end = prose.findIndex((line, index) => index > start && level(line) > 0 && level(line) <= level(prose[start]!));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/** The cells of each row of the Markdown tables in `markdown` (header and delimiter rows included). */
export function tableRows(markdown: string): string[][] {
  return proseLines(markdown)
    .filter((line) => /^\s*\|/.test(line))
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

/** Inline links and images, and reference definitions (`[id]: target`), with their line numbers. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(markdown).forEach((rawLine, index) => {
    const line = withoutCodeSpans(rawLine);
    for (const match of line.matchAll(/!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ target: match[1]!, line: index + 1 });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?\s*(?:"[^"]*"|'[^']*'|\([^)]*\))?\s*$/.exec(line);
    if (definition !== null) links.push({ target: definition[1]!, line: index + 1 });
  });
  return links;
}

/** A link that leaves the repository (a URL scheme such as https: or mailto:, or `//host`). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}
