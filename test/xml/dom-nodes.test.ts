/**
 * src/xml/dom-nodes.ts makes xmldom nodes by setting the fields xmldom's own factory methods set
 * (in @xmldom/xmldom 0.9), without their second round of checks. These tests pin that: every
 * document parseXml reads must give, field by field and prototype by prototype, the objects
 * xmldom's public DOM methods (createElementNS, createAttributeNS, setAttributeNode,
 * appendChild, createTextNode, ...) give for the same events. An xmldom upgrade that changes its
 * nodes' internals fails here, before any consumer sees a half-made node.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMImplementation, type Document, type Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { isSamlError } from '../../src/errors/index.js';
import { defaultXmlLimits, parseXml, screenXml } from '../../src/xml/parse.js';
import { qualifiedName, tokenizeXml } from '../../src/xml/tokenize.js';

/** The same events built through xmldom's public DOM API, as the reader did before. */
function buildWithDomApi(xml: string): Document {
  const document = new DOMImplementation().createDocument(null, '', null);
  const stack: Element[] = [];
  tokenizeXml(
    screenXml(xml, defaultXmlLimits),
    defaultXmlLimits,
    { copy: false, countDeclarationIds: true },
    {
      startElement(name, namespace, attributes) {
        const element = document.createElementNS(namespace, name.name);
        for (const attribute of attributes) {
          const node = document.createAttributeNS(attribute.namespace, attribute.name.name);
          node.value = node.nodeValue = attribute.value;
          element.setAttributeNode(node);
        }
        (stack.at(-1) ?? document).appendChild(element);
        stack.push(element);
      },
      endElement() {
        stack.pop();
      },
      text(data) {
        const parent = stack.at(-1)!;
        const last = parent.lastChild;
        if (last !== null && last.nodeType === 3)
          (last as unknown as { appendData(d: string): void }).appendData(data);
        else parent.appendChild(document.createTextNode(data));
      },
      cdata(data) {
        stack.at(-1)!.appendChild(document.createCDATASection(data));
      },
      comment(data) {
        (stack.at(-1) ?? document).appendChild(document.createComment(data));
      },
    },
  );
  return document;
}

/**
 * Walks both object graphs in step: the same prototype, the same own keys, the same primitive
 * values, and objects paired one to one (so sharing and cycles must match too).
 */
function expectSameGraph(actual: unknown, expected: unknown): void {
  const paired = new Map<object, object>();
  const pending: [unknown, unknown, string][] = [[actual, expected, 'document']];
  while (pending.length > 0) {
    const [a, b, path] = pending.pop()!;
    if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
      if (typeof a === 'function' && a === b) continue;
      expect(a, path).toBe(b);
      continue;
    }
    const seen = paired.get(a);
    if (seen !== undefined) {
      expect(seen === b, `${path} is shared differently`).toBe(true);
      continue;
    }
    paired.set(a, b);
    expect(Object.getPrototypeOf(a) === Object.getPrototypeOf(b), `${path}: prototype`).toBe(true);
    const keys = Reflect.ownKeys(a).map(String).sort();
    expect(keys, `${path}: own fields`).toEqual(Reflect.ownKeys(b).map(String).sort());
    for (const key of Reflect.ownKeys(a)) {
      pending.push([
        (a as Record<PropertyKey, unknown>)[key],
        (b as Record<PropertyKey, unknown>)[key],
        `${path}.${String(key)}`,
      ]);
    }
  }
}

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
function xmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return xmlFiles(path);
    return entry.name.endsWith('.xml') ? [path] : [];
  });
}

const shapes = [
  '<r/>',
  '<!-- before --><r a="1" b=\'&lt;2&#x41;\'>t&amp;<!--in--><![CDATA[c]]>t<![CDATA[]]>u</r><!-- after -->',
  '<p:r xmlns:p="urn:p" xmlns="urn:d" p:a="1" a="2" xml:lang="en"><c xmlns=""><p:d p:x="y"/></c>x\n y</p:r>',
  '<r xmlns:a="urn:1" xmlns:b="urn:2"><s a:ID="i1" b:ID="i2" Id="i3" xmlns:a="urn:3" a:x="1"/></r>',
  '<?xml version="1.0" encoding="UTF-8"?>\n<r>\r\n<s>\t</s></r>\n',
];

describe('xmldom nodes made directly (src/xml/dom-nodes.ts)', () => {
  it('are field for field the nodes xmldom\u2019s DOM methods make, for hand-written shapes', () => {
    for (const xml of shapes) expectSameGraph(parseXml(xml).document, buildWithDomApi(xml));
  });

  it('are field for field the nodes xmldom\u2019s DOM methods make, for every fixture the reader accepts', () => {
    let compared = 0;
    for (const file of xmlFiles(fixtures)) {
      const xml = readFileSync(file, 'utf8');
      let document: Document;
      try {
        document = parseXml(xml).document;
      } catch (error) {
        if (isSamlError(error)) continue;
        throw error;
      }
      expectSameGraph(document, buildWithDomApi(xml));
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('keep working with xmldom\u2019s own methods afterwards (live lists, lookups, removal)', () => {
    const { document, root } = parseXml(
      '<p:r xmlns:p="urn:p" xmlns:q="urn:q" q:a="1"><p:s/><t>x</t><p:s/></p:r>',
    );
    expect(root.getElementsByTagNameNS('urn:p', 's').length).toBe(2);
    expect(root.getAttributeNS('urn:q', 'a')).toBe('1');
    expect(root.lookupNamespaceURI('q')).toBe('urn:q');
    expect(document.documentElement).toBe(root);
    const live = root.getElementsByTagNameNS('urn:p', 's');
    root.removeChild(root.firstChild!);
    expect(live.length).toBe(1);
    expect(root.childNodes.length).toBe(2);
    expect(root.childNodes[0]!.textContent).toBe('x');
  });

  it('need no name check of xmldom\u2019s: every name the tokenizer accepts, xmldom accepts', () => {
    // xmldom's QName grammar is the tokenizer's plus U+037E and the planes past U+EFFFF, so
    // dropping its check (the second one) accepts nothing new; this pins that for every BMP
    // character as a name's first and as a later character, and for astral samples.
    const document = new DOMImplementation().createDocument(null, '', null);
    const accepts = (name: string) => {
      qualifiedName.lastIndex = 0;
      const match = qualifiedName.exec(name);
      return match !== null && match[0] === name;
    };
    let checked = 0;
    const candidates: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const c = String.fromCharCode(code);
      candidates.push(c, `a${c}`, `p:${c}`, `p:a${c}`);
    }
    for (const code of [0x10000, 0x1f600, 0x2a6d6, 0xeffff]) {
      const c = String.fromCodePoint(code);
      candidates.push(c, `a${c}`, `p:${c}`);
    }
    const refused: string[] = [];
    for (const name of candidates) {
      if (!accepts(name)) continue;
      try {
        document.createElementNS(name.includes(':') ? 'urn:p' : null, name);
      } catch {
        refused.push(name);
      }
      checked++;
    }
    expect(refused).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
  });
});
