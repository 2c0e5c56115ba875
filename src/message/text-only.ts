import { namespaces } from '../constants/namespaces.js';
import { childElements, type Element, readText } from '../xml/index.js';

/**
 * Elements of SAML protocol messages whose content is one string (SAMLCore
 * §2.2.3, §2.2.5, §2.7.2, §3.2.1, §3.2.2.3, §3.7.1; string-typed simple content).
 */
// A Map: namespace URIs come from the document, and `constructor` must not find Object.prototype.
const textOnly: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [
    namespaces.saml,
    new Set([
      'Issuer',
      'NameID',
      'AssertionIDRef',
      'AssertionURIRef',
      'Audience',
      'AuthnContextClassRef',
      'AuthnContextDeclRef',
      'AuthenticatingAuthority',
    ]),
  ],
  [
    namespaces.samlp,
    new Set(['SessionIndex', 'StatusMessage', 'RequesterID', 'GetComplete', 'Artifact', 'NewID']),
  ],
]);

/**
 * Refuses, with `SAML_XML_MIXED_CONTENT`, a received message in which a
 * text-only element holds a comment, CDATA section or child element. Exclusive
 * C14N drops comments and turns CDATA into text, so such a split does not break
 * a signature; it is only ever added after signing to make a reader see part of
 * a value (attacks §2). Runs on the document as received, before any
 * cryptography, so every binding treats the same message alike.
 */
export function checkTextOnlyElements(root: Element): void {
  const stack: Element[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (textOnly.get(node.namespaceURI ?? '')?.has(node.localName ?? '')) readText(node);
    else stack.push(...childElements(node));
  }
}
