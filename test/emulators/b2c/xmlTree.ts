/**
 * The policy files as a plain element tree (name, attributes, children, text), parsed with fast-xml-parser in
 * document order: IEF reads validation technical profiles and orchestration steps in order, so order matters.
 */
import { XMLParser } from 'fast-xml-parser';

export interface XmlNode {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  /** The element's own text, trimmed ('' when it holds only elements). */
  readonly text: string;
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

/** The document's root element. Throws when the text is not well-formed XML. */
export function parseXml(xml: string): XmlNode {
  const roots = toNodes(parser.parse(xml, true) as OrderedNode[]);
  const root = roots[0];
  if (root === undefined || roots.length !== 1) throw new Error('a policy file must hold exactly one root element');
  return root;
}

function toNodes(ordered: readonly OrderedNode[]): XmlNode[] {
  const nodes: XmlNode[] = [];
  for (const entry of ordered) {
    const name = Object.keys(entry).find((key) => key !== ':@');
    if (name === undefined || name === '#text' || name.startsWith('?')) continue;
    const content = entry[name] as OrderedNode[];
    const text = content
      .filter((child) => '#text' in child)
      .map((child) => String(child['#text']))
      .join('')
      .trim();
    nodes.push({ name, attributes: entry[':@'] ?? {}, children: toNodes(content), text });
  }
  return nodes;
}

/** Child elements with that name. */
export function childrenNamed(node: XmlNode | undefined, name: string): XmlNode[] {
  return node === undefined ? [] : node.children.filter((child) => child.name === name);
}

/** The first child with that name. */
export function childNamed(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((child) => child.name === name);
}

/** The grandchildren under `<container><item/>...</container>` (e.g. InputClaims/InputClaim). */
export function listOf(node: XmlNode, container: string, item: string): XmlNode[] {
  return childrenNamed(node, container).flatMap((list) => childrenNamed(list, item));
}

/** Every descendant with that name, in document order. */
export function descendantsNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.flatMap((child) => [...(child.name === name ? [child] : []), ...descendantsNamed(child, name)]);
}
