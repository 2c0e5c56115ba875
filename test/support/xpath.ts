/**
 * XPath over samlkit's parsed documents with the SAML prefixes bound, for
 * tests and diagnostics. samlkit's readers never use XPath (they walk direct
 * children), so `xpath` is needed by tests only.
 */
import type { Element, Node } from '@xmldom/xmldom';
import xpath from 'xpath';
import { namespaces } from '../../src/constants/namespaces.js';

const select = xpath.useNamespaces({ ...namespaces });

/** Namespace-aware XPath over the fixed prefix map (samlp, saml, ds, md, xenc, soapenv); elements only. */
export function selectElements(node: Node, expression: string): Element[] {
  const result = select(expression, node as unknown as globalThis.Node);
  if (!Array.isArray(result)) return [];
  return (result as unknown as Node[]).filter((n): n is Element => n.nodeType === 1);
}
