import type { Element } from '@xmldom/xmldom';
import type { XmlElement } from './build.js';

/**
 * Converts a strictly parsed element into a built tree, so documents samlkit
 * did not build can be signed by the same code path. Comments are dropped and
 * CDATA becomes text, exactly what exclusive C14N without comments would sign.
 */
export function elementFromDom(node: Element): XmlElement {
  const result: XmlElement = {
    prefix: node.prefix || null,
    namespace: node.namespaceURI || null,
    localName: node.localName ?? node.nodeName,
    attributes: [],
    declarations: [],
    children: [],
  };
  const attributes = node.attributes;
  for (let i = 0; i < attributes.length; i++) {
    const attr = attributes[i]!;
    if (attr.name === 'xmlns') result.declarations.push({ prefix: null, uri: attr.value });
    else if (attr.prefix === 'xmlns') result.declarations.push({ prefix: attr.localName, uri: attr.value });
    else {
      result.attributes.push({
        prefix: attr.prefix || null,
        namespace: attr.namespaceURI || null,
        localName: attr.localName ?? attr.name,
        value: attr.value,
      });
    }
  }
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType === 1) result.children.push(elementFromDom(child as Element));
    else if (child.nodeType === 3 || child.nodeType === 4) {
      result.children.push((child as unknown as { data: string }).data);
    }
  }
  return result;
}
