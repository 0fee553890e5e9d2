/**
 * A tiny XML writer for the policy files: elements, attributes in the order given, text, and every value
 * escaped. Output is deterministic (two-space indent, `\n` line ends, no timestamps), so the same inputs give
 * byte-identical files and a Pulumi diff shows only what changed.
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: readonly (readonly [string, string])[];
  /** Child elements, or one text value (an element holds one or the other here). */
  readonly children: readonly XmlElement[] | string;
}

/** Attribute values that are undefined are left out, so optional attributes read naturally at the call site. */
export type XmlAttributes = Readonly<Record<string, string | undefined>>;

/** An element with child elements; `undefined` / `false` children are skipped (optional parts). */
export function element(name: string, attributes: XmlAttributes = {}, children: readonly (XmlElement | undefined | false)[] = []): XmlElement {
  return { name, attributes: definedAttributes(attributes), children: children.filter((child): child is XmlElement => child !== undefined && child !== false) };
}

/** An element whose content is one text value. */
export function textElement(name: string, text: string, attributes: XmlAttributes = {}): XmlElement {
  return { name, attributes: definedAttributes(attributes), children: text };
}

function definedAttributes(attributes: XmlAttributes): [string, string][] {
  return Object.entries(attributes).filter((entry): entry is [string, string] => entry[1] !== undefined);
}

/** Characters XML 1.0 cannot carry at all, escaped or not (C0 controls but tab, CR, LF; lone surrogates; U+FFFE/U+FFFF). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/u; // with `u`, a surrogate pair is one code point

/** True when XML 1.0 can carry the text (after escaping). Option validation uses it to refuse such values early. */
export function isXmlText(text: string): boolean {
  return !NOT_XML.test(text);
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** Attribute values also escape quotes, and whitespace a parser would normalize to a space. */
const ATTRIBUTE_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

export function escapeText(text: string): string {
  assertXmlText(text);
  // CR is escaped too: a parser would turn a raw CR (or CRLF) into LF.
  return text.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? '&#13;');
}

export function escapeAttribute(value: string): string {
  assertXmlText(value);
  return value.replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);
}

function assertXmlText(text: string): void {
  if (!isXmlText(text)) throw new Error('a value holds a character XML cannot carry (a control character or a lone surrogate)');
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

/** The document: an XML declaration and the root element, ending with a newline. */
export function renderXmlDocument(root: XmlElement): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>'];
  renderElement(root, 0, lines);
  return `${lines.join('\n')}\n`;
}

function renderElement(node: XmlElement, depth: number, lines: string[]): void {
  for (const name of [node.name, ...node.attributes.map(([attribute]) => attribute)]) {
    if (!NAME.test(name)) throw new Error(`"${name}" is not an XML name`);
  }
  const indent = '  '.repeat(depth);
  const open = `${indent}<${node.name}${node.attributes.map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`).join('')}`;
  if (typeof node.children === 'string') {
    lines.push(`${open}>${escapeText(node.children)}</${node.name}>`);
  } else if (node.children.length === 0) {
    lines.push(`${open} />`);
  } else {
    lines.push(`${open}>`);
    for (const child of node.children) renderElement(child, depth + 1, lines);
    lines.push(`${indent}</${node.name}>`);
  }
}
