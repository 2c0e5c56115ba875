import type { Element, Node } from '@xmldom/xmldom';
import { type NamespacePrefix, namespaces } from '../constants/namespaces.js';
import { SamlError } from '../errors/index.js';

export type { Element } from '@xmldom/xmldom';

/** True when `node` is an element with exactly this namespace and local name. */
export function isElement(node: Node | null, prefix: NamespacePrefix, localName: string): boolean {
  return (
    node !== null &&
    node.nodeType === 1 &&
    (node as Element).localName === localName &&
    (node as Element).namespaceURI === namespaces[prefix]
  );
}

/** The element children of `parent`, in document order. */
export function childElements(parent: Element): Element[] {
  const result: Element[] = [];
  for (let child = parent.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType === 1) result.push(child as Element);
  }
  return result;
}

/** Direct children with this namespace and local name: never a descendant search (attacks §1, W12). */
export function childrenNamed(parent: Element, prefix: NamespacePrefix, localName: string): Element[] {
  const result: Element[] = [];
  for (let child = parent.firstChild; child !== null; child = child.nextSibling) {
    if (isElement(child, prefix, localName)) result.push(child as Element);
  }
  return result;
}

/** The single direct child with this name, `undefined` when absent; more than one is an error. */
export function optionalChild(
  parent: Element,
  prefix: NamespacePrefix,
  localName: string,
): Element | undefined {
  const found = childrenNamed(parent, prefix, localName);
  if (found.length > 1) {
    throw new SamlError('SAML_MESSAGE_INVALID', `more than one ${prefix}:${localName} element`);
  }
  return found[0];
}

/** Reads an attribute without namespace; `undefined` when absent. */
export function attribute(element: Element, name: string): string | undefined {
  const node = element.getAttributeNode(name);
  return node === null ? undefined : node.value;
}

/**
 * Text of an element that may hold text only. Comments, CDATA sections and
 * child elements make it mixed content and an error, so a value can never be
 * read truncated at the first text node (attacks §2). Processing instructions
 * never get this far: the parser refuses them.
 */
export function readText(element: Element): string {
  let text = '';
  for (let child = element.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType !== 3) {
      throw new SamlError('SAML_XML_MIXED_CONTENT', `${element.localName} must contain text only`);
    }
    text += (child as unknown as { data: string }).data;
  }
  return text;
}
