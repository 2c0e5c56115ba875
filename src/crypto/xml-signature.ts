import { timingSafeEqual } from 'node:crypto';
import {
  type DigestAlgorithm,
  digestAlgorithms,
  type SignatureAlgorithm,
  transforms,
} from '../constants/algorithms.js';
import { namespaces } from '../constants/namespaces.js';
import { SamlError } from '../errors/index.js';
import {
  attribute,
  canonicalize,
  childElements,
  type Element,
  element,
  elementFromDom,
  escapeAttribute,
  escapeText,
  isElement,
  type ParsedXml,
  readText,
  serialize,
  type XmlElement,
  type XmlNamespaceDeclaration,
} from '../xml/index.js';
import {
  type AlgorithmPolicy,
  acceptDigestAlgorithm,
  acceptSignatureAlgorithm,
  keyFitsAlgorithm,
} from './algorithms.js';
import { type KeyPair, refuseShortRsaKeys } from './keys.js';
import { digestBase64, signBase64, verifyBytes } from './primitives.js';

const excC14nNamespace = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/** Options for an enveloped signature. */
export interface SignXmlOptions {
  key: KeyPair;
  algorithm: SignatureAlgorithm;
  digestAlgorithm?: DigestAlgorithm;
}

/** Everything an enveloped signature of a message says, once computed. */
interface SignatureParts {
  readonly id: string;
  readonly algorithm: SignatureAlgorithm;
  readonly digestAlgorithm: DigestAlgorithm;
  readonly digest: string;
  readonly signatureValue: string;
  readonly certificateBase64: string;
}

/** The ds:SignedInfo element of `parts` (its SignatureValue need not be known yet). */
function signedInfoElement(parts: Omit<SignatureParts, 'signatureValue'>): XmlElement {
  return element('ds:SignedInfo', {}, [
    element('ds:CanonicalizationMethod', { Algorithm: transforms.exclusiveC14n }),
    element('ds:SignatureMethod', { Algorithm: parts.algorithm }),
    element('ds:Reference', { URI: `#${parts.id}` }, [
      element('ds:Transforms', {}, [
        element('ds:Transform', { Algorithm: transforms.envelopedSignature }),
        element('ds:Transform', { Algorithm: transforms.exclusiveC14n }),
      ]),
      element('ds:DigestMethod', { Algorithm: parts.digestAlgorithm }),
      element('ds:DigestValue', {}, [parts.digest]),
    ]),
  ]);
}

/**
 * The ds:SignedInfo of `parts` as written, given its start tag and the way empty
 * elements end: the one text both {@link canonicalSignedInfo} (`<ds:SignedInfo
 * xmlns:ds="…">`, `></x>`) and {@link serializedSignature} (`<ds:SignedInfo>`, `/>`) use.
 * Its shape is fixed, so it is written directly rather than built and walked as a tree;
 * test/crypto/signature-text.test.ts pins both against `canonicalize` and `serialize` of
 * {@link signedInfoElement}. Escaped as those write it; every value is an allow-listed
 * algorithm URI, base64 node:crypto wrote, or the ID already in the signed tree.
 */
function writeSignedInfo(
  parts: Omit<SignatureParts, 'signatureValue'>,
  startTag: string,
  endEmpty: (name: string) => string,
): string {
  const c14n = escapeAttribute(transforms.exclusiveC14n);
  return (
    `${startTag}<ds:CanonicalizationMethod Algorithm="${c14n}"${endEmpty('ds:CanonicalizationMethod')}` +
    `<ds:SignatureMethod Algorithm="${escapeAttribute(parts.algorithm)}"${endEmpty('ds:SignatureMethod')}` +
    `<ds:Reference URI="${escapeAttribute(`#${parts.id}`)}"><ds:Transforms>` +
    `<ds:Transform Algorithm="${escapeAttribute(transforms.envelopedSignature)}"${endEmpty('ds:Transform')}` +
    `<ds:Transform Algorithm="${c14n}"${endEmpty('ds:Transform')}</ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${escapeAttribute(parts.digestAlgorithm)}"${endEmpty('ds:DigestMethod')}` +
    `<ds:DigestValue>${escapeText(parts.digest)}</ds:DigestValue></ds:Reference></ds:SignedInfo>`
  );
}

const canonicalEmpty = (name: string) => `></${name}>`;
const serializedEmpty = () => '/>';

/** `canonicalize(signedInfoElement(parts))`: the bytes the signature value signs. */
function canonicalSignedInfo(parts: Omit<SignatureParts, 'signatureValue'>): string {
  return writeSignedInfo(parts, `<ds:SignedInfo xmlns:ds="${namespaces.ds}">`, canonicalEmpty);
}

/** `serialize(signatureElement(parts))`, written directly (see {@link writeSignedInfo}). */
function serializedSignature(parts: SignatureParts): string {
  return (
    `<ds:Signature xmlns:ds="${namespaces.ds}">${writeSignedInfo(parts, '<ds:SignedInfo>', serializedEmpty)}` +
    `<ds:SignatureValue>${escapeText(parts.signatureValue)}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${escapeText(parts.certificateBase64)}` +
    '</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>'
  );
}

/** The ds:Signature element of `parts`. */
function signatureElement(parts: SignatureParts): XmlElement {
  return element(
    'ds:Signature',
    {},
    [
      signedInfoElement(parts),
      element('ds:SignatureValue', {}, [parts.signatureValue]),
      element('ds:KeyInfo', {}, [
        element('ds:X509Data', {}, [element('ds:X509Certificate', {}, [parts.certificateBase64])]),
      ]),
    ],
    ['ds'],
  );
}

/** Digests the root and signs its SignedInfo. */
function computeSignature(root: XmlElement, options: SignXmlOptions): SignatureParts {
  const id = root.attributes.find((a) => a.namespace === null && a.localName === 'ID')?.value;
  if (!id)
    throw new SamlError('SAML_INPUT_INVALID', 'the element to sign has no ID', {
      details: { issues: [{ path: ['ID'], message: 'required to sign' }] },
    });
  const digestAlgorithm = options.digestAlgorithm ?? digestAlgorithms.sha256;
  const signed = {
    id,
    algorithm: options.algorithm,
    digestAlgorithm,
    digest: digestBase64(digestAlgorithm, canonicalize(root)),
    certificateBase64: options.key.certificateBase64,
  };
  return {
    ...signed,
    signatureValue: signBase64(options.key, options.algorithm, canonicalSignedInfo(signed)),
  };
}

/** Where the Signature goes among the root's children: right after `saml:Issuer`, else first. */
function signatureIndex(root: XmlElement): number {
  const issuerIndex = root.children.findIndex(
    (c) => typeof c !== 'string' && c.namespace === namespaces.saml && c.localName === 'Issuer',
  );
  return issuerIndex + 1;
}

/**
 * Adds an enveloped signature to a built message root (SAMLCore §5.4): one
 * Reference to `#` + the root ID, transforms [enveloped-signature, exc-c14n],
 * exclusive C14N for SignedInfo, the certificate in KeyInfo. The Signature goes
 * right after `saml:Issuer` (first child when there is none), where the
 * protocol schema places it. Returns a new tree; the input is left untouched.
 */
export function signTree(root: XmlElement, options: SignXmlOptions): XmlElement {
  const signature = signatureElement(computeSignature(root, options));
  const children = [...root.children];
  children.splice(signatureIndex(root), 0, signature);
  return { ...root, children };
}

/**
 * `serialize(signTree(root, options))`, given `xml`, which must be `serialize(root)`: when the
 * Signature goes after an `Issuer` that is the first child and holds only text, the text of
 * the Signature is put into `xml` right after the Issuer's end tag, and nothing else is
 * serialized again. That end tag is found by searching: `serialize` escapes every `<` in
 * text and attribute values, so the first `</` + the Issuer's name in `xml` closes the
 * first such element, and the root's start tag and the Issuer's own text contain none.
 */
export function signSerialized(root: XmlElement, xml: string, options: SignXmlOptions): string {
  const index = signatureIndex(root);
  const issuer = root.children[0];
  if (index === 1 && typeof issuer !== 'string' && issuer !== undefined && issuer.children.length > 0) {
    if (issuer.children.every((c) => typeof c === 'string')) {
      const endTag = `</${issuer.prefix === null ? '' : `${issuer.prefix}:`}${issuer.localName}>`;
      const found = xml.indexOf(endTag);
      if (found !== -1) {
        const cut = found + endTag.length;
        return xml.slice(0, cut) + serializedSignature(computeSignature(root, options)) + xml.slice(cut);
      }
    }
  }
  return serialize(signTree(root, options));
}

/** What an enveloped-signature check proved. */
export interface VerifiedXml {
  /**
   * The exclusive-C14N bytes of the signed root without its Signature. Fields are read from
   * these bytes or from that root itself, which now lacks its Signature (ADR 0017), never
   * from anything else in the document.
   */
  canonicalXml: string;
  algorithm: SignatureAlgorithm;
  digestAlgorithm: DigestAlgorithm;
  /** The trusted certificate that verified the signature. */
  certificate: KeyPair;
}

function violation(message: string): never {
  throw new SamlError('SAML_SIGNATURE_PROFILE_VIOLATION', message);
}

function only(parent: Element, expected: readonly [string, boolean][]): Element[] {
  // Element children must be exactly `expected` in order (name, required); no extras, no wrappers (W11).
  const children = childElements(parent);
  const found: Element[] = [];
  let index = 0;
  for (const [localName, required] of expected) {
    const child = children[index];
    if (child !== undefined && isElement(child, 'ds', localName)) {
      found.push(child);
      index++;
    } else if (required) violation(`${parent.localName} lacks ${localName} in its place`);
  }
  if (index !== children.length) violation(`${parent.localName} has unexpected children`);
  return found;
}

function algorithmOf(node: Element): string {
  const uri = attribute(node, 'Algorithm');
  if (uri === undefined) violation(`${node.localName} has no Algorithm`);
  return uri;
}

function inclusivePrefixes(method: Element): string[] {
  // Only ec:InclusiveNamespaces is allowed inside a c14n method (SAMLCore §5.4.4).
  const children = childElements(method);
  if (children.length === 0) return [];
  const [first] = children;
  if (
    children.length !== 1 ||
    first!.namespaceURI !== excC14nNamespace ||
    first!.localName !== 'InclusiveNamespaces'
  ) {
    violation('canonicalization method has unexpected children');
  }
  const list = attribute(first!, 'PrefixList') ?? '';
  return list.split(/\s+/).filter((p) => p.length > 0);
}

/** The namespace declarations of the ancestors of `node`, outermost first, so inner ones win. */
function ancestorDeclarations(node: Element): XmlNamespaceDeclaration[] {
  const ancestors: Element[] = [];
  for (
    let current = node.parentNode;
    current !== null && current.nodeType === 1;
    current = current.parentNode
  ) {
    ancestors.push(current as Element);
  }
  const result: XmlNamespaceDeclaration[] = [];
  for (const ancestor of ancestors.reverse()) {
    const attrs = ancestor.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const attr = attrs[i]!;
      if (attr.name === 'xmlns') result.push({ prefix: null, uri: attr.value });
      else if (attr.prefix === 'xmlns') result.push({ prefix: attr.localName!, uri: attr.value });
    }
  }
  return result;
}

/**
 * Exclusive C14N (without comments) of a parsed element: samlkit's own
 * canonicalizer, the one that signs, so what samlkit signs and what it
 * verifies are the same bytes by construction. It also agrees with libxml2 /
 * xmlsec1 where xml-crypto 6.3.2 does not (an extra `xmlns=""` on the child of
 * an element that undeclares the default namespace). `#default` in a
 * PrefixList names the default namespace (xml-exc-c14n §3).
 */
function canonicalizeDom(node: Element, prefixes: readonly string[]): string {
  return canonicalize(elementFromDom(node), {
    inclusivePrefixes: prefixes.map((prefix) => (prefix === '#default' ? '' : prefix)),
    context: prefixes.length > 0 ? ancestorDeclarations(node) : [],
  });
}

const strictBase64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeBase64Value(text: string, what: string): Buffer {
  // XML-DSig values may be wrapped; anything else than whitespace is not base64.
  const compact = text.replace(/[\t\n\r ]+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !strictBase64.test(compact)) {
    throw new SamlError('SAML_SIGNATURE_INVALID', `${what} is not base64`);
  }
  return Buffer.from(compact, 'base64');
}

const ncName = /^[A-Za-z_][\w.-]*$/;

/** The single `ds:Signature` child of the root, checked for position; `undefined` when unsigned. */
export function findEnvelopedSignature(parsed: ParsedXml): Element | undefined {
  const { root } = parsed;
  let signature: Element | undefined;
  let previous: Element | undefined;
  let first = true;
  let leading = false;
  for (const child of childElements(root)) {
    if (isElement(child, 'ds', 'Signature')) {
      if (signature) violation('more than one Signature');
      // SAMLCore §3.2.1 / §3.2.2: Signature follows Issuer, or comes first without one.
      const placed = first || (previous !== undefined && isElement(previous, 'saml', 'Issuer'));
      if (!placed) violation('Signature is not placed after Issuer');
      leading = first;
      signature = child;
    } else if (leading && isElement(child, 'saml', 'Issuer')) {
      violation('Signature is not placed after Issuer');
    }
    first = false;
    previous = child;
  }
  if (parsed.signatureCount !== (signature ? 1 : 0)) violation('a Signature appears outside its place');
  return signature;
}

/** What a `ds:Signature` says under the SAML signature profile, read and checked before any cryptography. */
export interface SignatureProfile {
  signedInfo: Element;
  signedInfoPrefixes: string[];
  algorithm: SignatureAlgorithm;
  /** InclusiveNamespaces of the Reference's exclusive C14N transform. */
  referencePrefixes: string[];
  digestAlgorithm: DigestAlgorithm;
  expectedDigest: Buffer;
  signatureValue: Buffer;
}

/**
 * Checks the structure of an enveloped `ds:Signature` over the element with
 * ID `id` (SAMLCore §5.4): one Reference to `#id`, enveloped-signature then
 * exclusive C14N, allowed algorithms, base64 values. No cryptography.
 */
export function readSignatureProfile(
  signature: Element,
  id: string | undefined,
  policy: AlgorithmPolicy = {},
): SignatureProfile {
  if (id === undefined || !ncName.test(id)) violation('signed root has no valid ID');
  const [signedInfo, signatureValueNode] = only(signature, [
    ['SignedInfo', true],
    ['SignatureValue', true],
    ['KeyInfo', false],
  ]);
  const [c14nMethod, signatureMethod, reference] = only(signedInfo!, [
    ['CanonicalizationMethod', true],
    ['SignatureMethod', true],
    ['Reference', true],
  ]);
  if (algorithmOf(c14nMethod!) !== transforms.exclusiveC14n)
    violation('canonicalization must be exclusive C14N');
  const signedInfoPrefixes = inclusivePrefixes(c14nMethod!);
  if (childElements(signatureMethod!).length > 0) violation('SignatureMethod has unexpected children');
  const algorithm = acceptSignatureAlgorithm(algorithmOf(signatureMethod!), policy);

  if (attribute(reference!, 'URI') !== `#${id}`) violation('Reference does not point at the root ID');
  const [transformsNode, digestMethod, digestValueNode] = only(reference!, [
    ['Transforms', true],
    ['DigestMethod', true],
    ['DigestValue', true],
  ]);
  const transformList = only(transformsNode!, [
    ['Transform', true],
    ['Transform', true],
  ]);
  if (
    algorithmOf(transformList[0]!) !== transforms.envelopedSignature ||
    childElements(transformList[0]!).length > 0 ||
    algorithmOf(transformList[1]!) !== transforms.exclusiveC14n
  ) {
    violation('transforms must be enveloped-signature then exclusive C14N');
  }
  const referencePrefixes = inclusivePrefixes(transformList[1]!);
  if (childElements(digestMethod!).length > 0) violation('DigestMethod has unexpected children');
  const digestAlgorithm = acceptDigestAlgorithm(algorithmOf(digestMethod!), policy);
  const expectedDigest = decodeBase64Value(readText(digestValueNode!), 'DigestValue');
  const signatureValue = decodeBase64Value(readText(signatureValueNode!), 'SignatureValue');
  return {
    signedInfo: signedInfo!,
    signedInfoPrefixes,
    algorithm,
    referencePrefixes,
    digestAlgorithm,
    expectedDigest,
    signatureValue,
  };
}

/**
 * Verifies SignedInfo's signature with the trusted certificates only (never
 * KeyInfo) and returns the one that verified. `context` stands in for the
 * ancestors' declarations when the Signature was read detached from its tree.
 */
export function verifySignedInfo(
  profile: SignatureProfile,
  trusted: readonly KeyPair[],
  policy: AlgorithmPolicy = {},
  context?: readonly XmlNamespaceDeclaration[],
): KeyPair {
  refuseShortRsaKeys(trusted, policy);
  const candidates = trusted.filter((key) => keyFitsAlgorithm(key, profile.algorithm));
  if (candidates.length === 0) {
    throw new SamlError('SAML_SIGNATURE_INVALID', 'no trusted certificate fits the signature algorithm');
  }
  const prefixes = profile.signedInfoPrefixes;
  const canonical =
    context === undefined
      ? canonicalizeDom(profile.signedInfo, prefixes)
      : canonicalize(elementFromDom(profile.signedInfo), {
          inclusivePrefixes: prefixes.map((prefix) => (prefix === '#default' ? '' : prefix)),
          context: prefixes.length > 0 ? context : [],
        });
  const signedInfoBytes = Buffer.from(canonical, 'utf8');
  const certificate = candidates.find((key) =>
    verifyBytes(key, profile.algorithm, signedInfoBytes, profile.signatureValue),
  );
  if (!certificate)
    throw new SamlError('SAML_SIGNATURE_INVALID', 'signature does not verify with a trusted certificate');
  return certificate;
}

/** Compares a computed digest with the signed one in constant time; a mismatch is `SAML_SIGNATURE_INVALID`. */
export function checkDigest(actual: Buffer, expected: Buffer): void {
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new SamlError('SAML_SIGNATURE_INVALID', 'digest of the signed content does not match');
  }
}

/**
 * Verifies the enveloped signature of a parsed message under the SAML
 * signature profile (SAMLCore §5.4). Structure is checked before any crypto;
 * only `trusted` certificates are tried (KeyInfo is never used; RSA keys under
 * 2048 bits are refused unless `policy` opts in); both a failed
 * and a throwing verification are rejections. Returns the canonical signed
 * bytes; `parsed.root`, from which the Signature is removed, is the tree they
 * were made of, and those two are the only things a caller may read fields from.
 */
export function verifyEnvelopedSignature(
  parsed: ParsedXml,
  signature: Element,
  trusted: readonly KeyPair[],
  policy: AlgorithmPolicy = {},
): VerifiedXml {
  const { root, ids } = parsed;
  const id = attribute(root, 'ID');
  if (id === undefined || !ncName.test(id)) violation('signed root has no valid ID');
  for (const count of ids.values()) if (count > 1) violation('document has duplicate IDs');
  const profile = readSignatureProfile(signature, id, policy);
  const certificate = verifySignedInfo(profile, trusted, policy);

  // Enveloped-signature transform: the one Signature is removed before digesting.
  root.removeChild(signature);
  const canonicalXml = canonicalizeDom(root, profile.referencePrefixes);
  checkDigest(
    Buffer.from(digestBase64(profile.digestAlgorithm, canonicalXml), 'base64'),
    profile.expectedDigest,
  );
  return {
    canonicalXml,
    algorithm: profile.algorithm,
    digestAlgorithm: profile.digestAlgorithm,
    certificate,
  };
}

/** Exclusive C14N (without comments) of a parsed element in its namespace context. */
export function canonicalizeElement(node: Element): string {
  return canonicalizeDom(node, []);
}
