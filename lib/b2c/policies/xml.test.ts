import { element, escapeAttribute, escapeText, isXmlText, renderXmlDocument, textElement } from './xml';

describe('the policy XML writer', () => {
  it('escapes markup in text and markup, quotes and line breaks in attributes', () => {
    expect(escapeText(`a & b < c > d "e" 'f'\r`)).toBe(`a &amp; b &lt; c &gt; d "e" 'f'&#13;`);
    expect(escapeAttribute(`a & b < c > "d" 'e'\t\n\r`)).toBe('a &amp; b &lt; c &gt; &quot;d&quot; &apos;e&apos;&#9;&#10;&#13;');
  });

  it('refuses characters XML cannot carry', () => {
    for (const bad of ['\u0000', '\u0008', '\u001F', '\uFFFE', '\uD800', 'a\uDC00b']) {
      expect(isXmlText(bad)).toBe(false);
      expect(() => escapeText(bad)).toThrow('a value holds a character XML cannot carry');
      expect(() => escapeAttribute(bad)).toThrow('a value holds a character XML cannot carry');
    }
    expect(isXmlText('tab\tnew\nline 😀 ü')).toBe(true);
  });

  it('writes an indented document, attributes in the order given, undefined ones and empty children left out', () => {
    const doc = element('Root', { b: '2', a: '1', skipped: undefined }, [textElement('Item', 'x & y', { Key: 'k' }), undefined, false, element('Empty'), element('Parent', {}, [element('Child', { Id: 'c' })])]);
    expect(renderXmlDocument(doc)).toBe(
      ['<?xml version="1.0" encoding="utf-8"?>', '<Root b="2" a="1">', '  <Item Key="k">x &amp; y</Item>', '  <Empty />', '  <Parent>', '    <Child Id="c" />', '  </Parent>', '</Root>', ''].join('\n'),
    );
  });

  it('refuses a name that is not an XML name', () => {
    expect(() => renderXmlDocument(element('a b'))).toThrow('"a b" is not an XML name');
    expect(() => renderXmlDocument(element('a', { 'x"y': '1' }))).toThrow('"x"y" is not an XML name');
  });
});
