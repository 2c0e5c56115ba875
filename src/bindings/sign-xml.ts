import { checkSigningChoice, defaultSignatureAlgorithm, signTree } from '../crypto/index.js';
import { SamlError } from '../errors/index.js';
import { elementFromDom, parseXml, type XmlElement } from '../xml/index.js';
import type { SignOptions } from './redirect.js';

/** Input of an enveloped signature when encoding for HTTP-POST or SOAP. */
export interface EnvelopedSignOptions extends SignOptions {
  /** Default SHA-256. */
  digestAlgorithm?: string;
}

/** The element tree of `xml`, parsed strictly: used to sign and to wrap messages without string concatenation. */
export function treeOf(xml: string): XmlElement {
  return elementFromDom(parseXml(xml).root);
}

function hasSignature(tree: XmlElement): boolean {
  return tree.children.some(
    (c) =>
      typeof c !== 'string' &&
      c.localName === 'Signature' &&
      c.namespace === 'http://www.w3.org/2000/09/xmldsig#',
  );
}

/** Returns the tree of `xml`, enveloped-signed when `sign` is given. */
export function signedTree(xml: string, sign: EnvelopedSignOptions | undefined): XmlElement {
  const tree = treeOf(xml);
  if (!sign) return tree;
  if (hasSignature(tree)) {
    throw new SamlError('SAML_INPUT_INVALID', 'message is already signed', {
      details: { issues: [{ path: ['xml'], message: 'already contains a ds:Signature' }] },
    });
  }
  const algorithm = sign.algorithm ?? defaultSignatureAlgorithm(sign.key);
  const choice = checkSigningChoice(
    sign.key,
    algorithm,
    sign.digestAlgorithm ?? 'http://www.w3.org/2001/04/xmlenc#sha256',
    sign,
  );
  return signTree(tree, { key: sign.key, algorithm: choice.algorithm, digestAlgorithm: choice.digest });
}
