import { namespaces } from '../constants/namespaces.js';
import { type AlgorithmPolicy, type KeyPair, toKeyPair, verifyEnvelopedSignature } from '../crypto/index.js';
import { isSamlError } from '../errors/index.js';
import {
  canonicalize,
  childElements,
  elementFromDom,
  isElement,
  parseXml,
  type XmlElement,
  type XmlLimits,
  type XmlNamespaceDeclaration,
} from '../xml/index.js';
import { xpathPrefixes } from './select.js';

/** Options of {@link signedParts} and {@link assertSigned}. */
export interface SignatureCheckOptions extends AlgorithmPolicy {
  /** The certificates a signature may verify with (PEM strings or key pairs). KeyInfo is never used. */
  trust: readonly (KeyPair | string)[];
  limits?: XmlLimits;
}

/** One element that carries an enveloped `ds:Signature`, and what checking it showed. */
export interface SignedPart {
  /** An XPath to the element with the prefixes of `xpathPrefixes`, e.g. `/samlp:Response/saml:Assertion`. */
  path: string;
  /** Its `ID` attribute, when it has one. */
  id?: string;
  /** True when samlkit's own verification (SAMLCore §5.4 profile, trusted certificates only) accepts it. */
  valid: boolean;
  /** The trusted certificate (PEM) that verified it. */
  certificate?: string;
  /** Index of that certificate in `trust`. */
  certificateIndex?: number;
  algorithm?: string;
  digestAlgorithm?: string;
  /** Why it did not verify (a `SamlError` code and message). */
  reason?: string;
}

const prefixOf = new Map<string, string>();
for (const [prefix, uri] of Object.entries(xpathPrefixes)) if (!prefixOf.has(uri)) prefixOf.set(uri, prefix);

function step(node: XmlElement): string {
  const prefix = node.namespace === null ? undefined : prefixOf.get(node.namespace);
  if (prefix !== undefined) return `${prefix}:${node.localName}`;
  if (node.namespace === null) return node.localName;
  return `*[local-name()='${node.localName}' and namespace-uri()='${node.namespace}']`;
}

function isSignature(child: XmlElement | string): boolean {
  return typeof child !== 'string' && child.namespace === namespaces.ds && child.localName === 'Signature';
}

interface Carrier {
  node: XmlElement;
  path: string;
  scope: ReadonlyMap<string, string>;
}

/** Every element with a direct ds:Signature child, in document order, with its path and in-scope namespaces. */
function carriers(root: XmlElement): Carrier[] {
  const found: Carrier[] = [];
  const walk = (node: XmlElement, path: string, inherited: ReadonlyMap<string, string>) => {
    let scope = inherited;
    if (node.declarations.length > 0) {
      const own = new Map(inherited);
      for (const d of node.declarations) own.set(d.prefix ?? '', d.uri);
      scope = own;
    }
    if (node.children.some(isSignature)) found.push({ node, path, scope });
    const elements = node.children.filter((c): c is XmlElement => typeof c !== 'string');
    const counts = new Map<string, number>();
    for (const child of elements) counts.set(step(child), (counts.get(step(child)) ?? 0) + 1);
    const seen = new Map<string, number>();
    for (const child of elements) {
      const name = step(child);
      const index = (seen.get(name) ?? 0) + 1;
      seen.set(name, index);
      walk(child, `${path}/${name}${counts.get(name)! > 1 ? `[${index}]` : ''}`, scope);
    }
  };
  walk(root, `/${step(root)}`, new Map());
  return found;
}

function check(carrier: Carrier, trusted: KeyPair[], options: SignatureCheckOptions): SignedPart {
  const idAttribute = carrier.node.attributes.find((a) => a.namespace === null && a.localName === 'ID');
  const part: SignedPart = { path: carrier.path, valid: false };
  if (idAttribute) part.id = idAttribute.value;
  // The element on its own, carrying every namespace in scope: what an
  // InclusiveNamespaces PrefixList names keeps its meaning outside the document.
  const context: XmlNamespaceDeclaration[] = [...carrier.scope].map(([prefix, uri]) => ({
    prefix: prefix === '' ? null : prefix,
    uri,
  }));
  const standalone = canonicalize(carrier.node, { inclusivePrefixes: [...carrier.scope.keys()], context });
  try {
    const parsed = parseXml(standalone, options.limits);
    const signatures = childElements(parsed.root).filter((c) => isElement(c, 'ds', 'Signature'));
    if (signatures.length !== 1) throw new Error('more than one ds:Signature');
    const verified = verifyEnvelopedSignature(parsed, signatures[0]!, trusted, options);
    part.valid = true;
    part.certificate = verified.certificate.certificatePem;
    part.certificateIndex = trusted.indexOf(verified.certificate);
    part.algorithm = verified.algorithm;
    part.digestAlgorithm = verified.digestAlgorithm;
  } catch (error) {
    part.reason = isSamlError(error) ? `${error.code}: ${error.message}` : (error as Error).message;
  }
  return part;
}

function trustedKeys(options: SignatureCheckOptions): KeyPair[] {
  if (!options || !Array.isArray(options.trust) || options.trust.length === 0) {
    throw new TypeError('expected { trust: [certificate, …] } with at least one certificate');
  }
  return options.trust.map((entry) => toKeyPair(entry));
}

/**
 * Which elements of a document carry an enveloped signature, and whether
 * each verifies, by which trusted certificate. Each element is checked the
 * way samlkit checks a received message (SAMLCore §5.4: one Reference to its
 * own ID, enveloped-signature + exclusive C14N, the algorithm allowlist, only
 * `trust`ed certificates). Encrypted assertions are not decrypted.
 */
export function signedParts(xml: string, options: SignatureCheckOptions): SignedPart[] {
  if (typeof xml !== 'string') throw new TypeError('signedParts expects the XML document as a string');
  const trusted = trustedKeys(options);
  const root = elementFromDom(parseXml(xml, options.limits).root);
  return carriers(root).map((carrier) => check(carrier, trusted, options));
}

/**
 * Throws an `Error` unless the element at `path` (as {@link signedParts}
 * writes it) carries a signature that verifies with a certificate in
 * `trust`; with `by`, that certificate must be `by`. Returns the part.
 */
export function assertSigned(
  xml: string,
  path: string,
  options: SignatureCheckOptions & { by?: KeyPair | string },
): SignedPart {
  const parts = signedParts(xml, options);
  const part = parts.find((p) => p.path === path);
  if (!part) {
    const signed = parts.map((p) => p.path).join(', ') || 'none';
    throw new Error(`expected ${path} to be signed; signed elements: ${signed}`);
  }
  if (!part.valid) throw new Error(`the signature of ${path} does not verify (${part.reason})`);
  if (options.by !== undefined) {
    const expected = toKeyPair(options.by);
    if (expected.fingerprintSha256 !== toKeyPair(part.certificate!).fingerprintSha256) {
      throw new Error(
        `${path} is signed by the certificate ${toKeyPair(part.certificate!).subject}, not by ${expected.subject}`,
      );
    }
  }
  return part;
}

/** Throws an `Error` when the element at `path` carries a `ds:Signature` (valid or not). */
export function assertNotSigned(xml: string, path: string, options: { limits?: XmlLimits } = {}): void {
  const root = elementFromDom(parseXml(xml, options.limits).root);
  if (carriers(root).some((c) => c.path === path)) throw new Error(`expected ${path} not to be signed`);
}
