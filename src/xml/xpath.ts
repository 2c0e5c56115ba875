import type { Attr, Element, Node } from '@xmldom/xmldom';
import xpath from 'xpath';
import { canonicalize } from './build.js';
import { elementFromDom } from './from-dom.js';
import type { ParsedXml } from './parse.js';

/** A node an XPath expression selected, as plain data. */
export interface SelectedNode {
  /** `element`, `attribute`, `text` (CDATA included) or `comment`. */
  kind: 'element' | 'attribute' | 'text' | 'comment';
  /** Qualified name as written in the document; empty for text and comments. */
  name: string;
  /** Namespace URI of an element or attribute, `null` when it has none. */
  namespace: string | null;
  /** The XPath string value: an element's text content, an attribute's value, a text node's data. */
  text: string;
  /**
   * An element as exclusive-C14N XML (it declares every namespace it uses, so it stands alone);
   * the `name="value"` pair of an attribute; the text itself otherwise.
   */
  xml: string;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

function toSelected(node: Node): SelectedNode | undefined {
  switch (node.nodeType) {
    case 1: {
      const element = node as Element;
      return {
        kind: 'element',
        name: element.nodeName,
        namespace: element.namespaceURI || null,
        text: element.textContent ?? '',
        xml: canonicalize(elementFromDom(element)),
      };
    }
    case 2: {
      const attr = node as Attr;
      return {
        kind: 'attribute',
        name: attr.name,
        namespace: attr.namespaceURI || null,
        text: attr.value,
        xml: `${attr.name}="${escapeAttribute(attr.value)}"`,
      };
    }
    case 3:
    case 4:
    case 8: {
      const data = (node as unknown as { data: string }).data;
      return {
        kind: node.nodeType === 8 ? 'comment' : 'text',
        name: '',
        namespace: null,
        text: data,
        xml: data,
      };
    }
    default:
      return undefined;
  }
}

/**
 * Evaluates an XPath 1.0 expression over a parsed document with the given
 * prefixes bound. A node-set comes back as plain {@link SelectedNode}s in
 * document order, never DOM nodes; a string, number or boolean as itself.
 */
export function evaluateXPath(
  parsed: ParsedXml,
  expression: string,
  prefixes: Readonly<Record<string, string>>,
): SelectedNode[] | string | number | boolean {
  const result = xpath.useNamespaces({ ...prefixes })(
    expression,
    parsed.document as unknown as globalThis.Node,
  );
  if (!Array.isArray(result)) return result as string | number | boolean;
  const selected: SelectedNode[] = [];
  for (const node of result as unknown as Node[]) {
    const plain = toSelected(node);
    if (plain) selected.push(plain);
  }
  return selected;
}
