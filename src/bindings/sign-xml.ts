import {
  checkSigningChoice,
  defaultSignatureAlgorithm,
  type SignXmlOptions,
  signSerialized,
  signTree,
} from '../crypto/index.js';
import { SamlError } from '../errors/index.js';
import {
  carriedTree,
  carriedTreeAndText,
  elementFromDom,
  parseXml,
  serialize,
  type XmlElement,
} from '../xml/index.js';
import type { SignOptions } from './redirect.js';

/** Input of an enveloped signature when encoding for HTTP-POST or SOAP. */
export interface EnvelopedSignOptions extends SignOptions {
  /** Default SHA-256. */
  digestAlgorithm?: string;
}

/**
 * A message to encode: its text, or the result of a builder (`buildLogoutRequest`, …)
 * whose `xml` is that text and which carries the tree it was serialized from.
 */
export type OutgoingXml = string | { readonly xml: string };

/** The text of an outgoing message. */
export function textOf(message: OutgoingXml): string {
  if (typeof message === 'string') return message;
  if (typeof message !== 'object' || message === null || typeof message.xml !== 'string')
    throw new TypeError('xml must be a string or a built message');
  return message.xml;
}

/**
 * The element tree of a message, used to sign and to wrap messages without
 * string concatenation: the tree a builder's result carries while its `xml`
 * is unchanged (no parse of text samlkit has just serialized), else a strict
 * parse of the text.
 */
export function treeOf(message: OutgoingXml): XmlElement {
  const xml = textOf(message);
  return (typeof message === 'object' && carriedTree(message)) || elementFromDom(parseXml(xml).root);
}

function hasSignature(tree: XmlElement): boolean {
  return tree.children.some(
    (c) =>
      typeof c !== 'string' &&
      c.localName === 'Signature' &&
      c.namespace === 'http://www.w3.org/2000/09/xmldsig#',
  );
}

/** The options to sign `tree` with, after checking it is unsigned and the key fits the algorithms. */
function signingOptions(tree: XmlElement, sign: EnvelopedSignOptions): SignXmlOptions {
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
  return { key: sign.key, algorithm: choice.algorithm, digestAlgorithm: choice.digest };
}

/** Returns the tree of `message`, enveloped-signed when `sign` is given. */
export function signedTree(message: OutgoingXml, sign: EnvelopedSignOptions | undefined): XmlElement {
  const tree = treeOf(message);
  return sign ? signTree(tree, signingOptions(tree, sign)) : tree;
}

/**
 * The text of `message` enveloped-signed: `serialize(signedTree(message, sign))`. For a
 * builder's result that carries its tree, the Signature is written into the very text the
 * tree was serialized to, which is not serialized again.
 */
export function signedText(message: OutgoingXml, sign: EnvelopedSignOptions): string {
  const carried = typeof message === 'object' && message !== null ? carriedTreeAndText(message) : undefined;
  if (carried === undefined) return serialize(signedTree(message, sign));
  return signSerialized(carried.tree, carried.xml, signingOptions(carried.tree, sign));
}
