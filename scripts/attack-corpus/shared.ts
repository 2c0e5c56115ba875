// The building blocks of the attack corpus: the world it lives in, the fixture keys, messages
// written as text, XML-DSig written out by hand (so attacks can bend every part of it), DOM
// surgery for signature wrapping, and the bindings. Deliberately independent of samlkit.
import { createHash, createHmac, createPrivateKey, type KeyObject, sign as signBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DOMParser, type Document, type Element, type Node, XMLSerializer } from '@xmldom/xmldom';
import { deflateRaw } from 'pako';
import {
  C14nCanonicalization,
  ExclusiveCanonicalization,
  ExclusiveCanonicalizationWithComments,
} from 'xml-crypto';
import type { AttackWorld } from './types.js';

// The world the corpus lives in (the test builds the same IdP and SPs).

export const world: AttackWorld = {
  now: '2026-04-20T10:00:00Z',
  idpEntityId: 'https://idp.example.com/metadata',
  endpoints: {
    redirect: 'https://idp.example.com/slo/redirect',
    post: 'https://idp.example.com/slo/post',
    soap: 'https://idp.example.com/slo/soap',
  },
  providers: {
    'sp-a': {
      entityId: 'https://sp-a.example.com/metadata',
      slsUrl: 'https://sp-a.example.com/slo',
      key: 'sp-a',
    },
    'sp-b': { entityId: 'https://sp-b.example.com/metadata', slsUrl: '', key: 'sp-b' },
  },
  /** Sessions recorded before each facade case. */
  sessions: [
    { providerId: 'sp-a', userId: 'alice', nameId: 'alice', sessionIndex: '_s1' },
    { providerId: 'sp-b', userId: 'alice', nameId: 'alice-at-b', sessionIndex: '_s1b' },
  ],
  /**
   * IDs the facade's ID generator hands out, in order, in the `pending-response` scenario: two
   * session participants, then the IdP-initiated logout and its LogoutRequest to SP-A. A
   * LogoutResponse answering that step carries RelayState `_logout-1` and InResponseTo `_request-1`.
   */
  generatedIds: ['_participant-1', '_participant-2', '_logout-1', '_request-1'],
  pending: { relayState: '_logout-1', requestId: '_request-1' },
};

export const SP_A = world.providers['sp-a'].entityId;
export const SP_B = world.providers['sp-b'].entityId;
export const NOW = world.now;
export const LATER = '2026-04-20T10:05:00Z';

export const ns = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
};

export const alg = {
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  hmacSha1: 'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
  hmacSha256: 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  excC14nWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  xpath: 'http://www.w3.org/TR/1999/REC-xpath-19991116',
};

const hashOf: Record<string, string> = {
  [alg.rsaSha1]: 'sha1',
  [alg.rsaSha256]: 'sha256',
  [alg.rsaSha512]: 'sha512',
  [alg.ecdsaSha256]: 'sha256',
  [alg.hmacSha1]: 'sha1',
  [alg.hmacSha256]: 'sha256',
  [alg.sha1]: 'sha1',
  [alg.sha256]: 'sha256',
};

export const persistent = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const success = 'urn:oasis:names:tc:SAML:2.0:status:Success';
export const responder = 'urn:oasis:names:tc:SAML:2.0:status:Responder';

/** Parts of a LogoutRequest from SP-A to replace; `extensions`, `after` and elements are raw markup. */
export interface LogoutRequestOptions {
  root?: string;
  samlpNs?: string;
  binding?: 'post' | 'redirect' | 'soap';
  attrs?: Record<string, string | undefined>;
  issuer?: string | null;
  extensions?: string;
  nameIdElement?: string;
  nameId?: string;
  sessionIndex?: string;
  after?: string;
}

/** Parts of a LogoutResponse from SP-A to replace. */
export interface LogoutResponseOptions {
  binding?: 'post' | 'redirect' | 'soap';
  attrs?: Record<string, string | undefined>;
  issuer?: string | null;
  extensions?: string;
  status?: string;
  statusCode?: string;
  statusMessage?: string;
}

/** How to bend an enveloped signature. */
export interface SignOptions {
  key?: string;
  signatureAlgorithm?: string;
  signatureMethodUri?: string;
  digestAlgorithm?: string;
  c14nMethod?: string;
  transforms?: string[];
  omitTransforms?: boolean;
  target?: string;
  uri?: string;
  keyInfo?: boolean;
  keyInfoCertificate?: string;
  hmacKey?: string | Buffer;
  at?: 'issuer' | 'start';
}

/** An HTTP-Redirect query and how to bend it. */
export interface RedirectQueryOptions {
  type?: 'SAMLRequest' | 'SAMLResponse' | string;
  xml?: string;
  deflated?: Uint8Array;
  rawMessage?: string;
  relayState?: string;
  rawRelayState?: string;
  sign?: boolean;
  signatureAlgorithm?: string;
  sigAlgUri?: string;
  signedOctets?: (octets: string) => string;
  key?: string;
  hmacKey?: string | Buffer;
  rawSignature?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Keys

const keysDir = new URL('../../fixtures/keys/', import.meta.url);
const pems = new Map<string, string>();
export function pem(name: string, ext: 'key' | 'crt'): string {
  const file = `${name}.${ext}`;
  if (!pems.has(file)) pems.set(file, readFileSync(new URL(file, keysDir), 'utf8'));
  return pems.get(file)!;
}
const privateKeys = new Map<string, KeyObject>();
function privateKey(name: string): KeyObject {
  if (!privateKeys.has(name)) privateKeys.set(name, createPrivateKey(pem(name, 'key')));
  return privateKeys.get(name)!;
}
export const certificateBody = (name: string): string =>
  pem(name, 'crt')
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '');

// ---------------------------------------------------------------------------------------------
// Messages as text (pretty-printed, as many SPs send them)

export function attributes(values: Record<string, string | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
}

/** A LogoutRequest from SP-A; every part can be replaced. `extensions` and `after` are raw markup. */
export function logoutRequest(o: LogoutRequestOptions = {}): string {
  const root = o.root ?? 'samlp:LogoutRequest';
  const attrs = attributes({
    'xmlns:samlp': o.samlpNs ?? ns.samlp,
    'xmlns:saml': ns.saml,
    ID: '_orig',
    Version: '2.0',
    IssueInstant: NOW,
    NotOnOrAfter: LATER,
    Destination: world.endpoints[o.binding ?? 'post'],
    ...o.attrs,
  });
  const issuer = o.issuer === null ? '' : `\n  ${o.issuer ?? `<saml:Issuer>${SP_A}</saml:Issuer>`}`;
  const extensions = o.extensions ? `\n  <samlp:Extensions>${o.extensions}</samlp:Extensions>` : '';
  const nameId =
    o.nameIdElement ?? `<saml:NameID Format="${persistent}">${o.nameId ?? 'alice'}</saml:NameID>`;
  const sessionIndex = o.sessionIndex ?? '_s1';
  return (
    `<${root}${attrs}>${issuer}${extensions}\n  ${nameId}\n  <samlp:SessionIndex>${sessionIndex}</samlp:SessionIndex>\n</${root}>` +
    (o.after ?? '')
  );
}

/** A LogoutResponse from SP-A answering the pending IdP-initiated step. */
export function logoutResponse(o: LogoutResponseOptions = {}): string {
  const attrs = attributes({
    'xmlns:samlp': ns.samlp,
    'xmlns:saml': ns.saml,
    ID: '_resp',
    Version: '2.0',
    IssueInstant: NOW,
    Destination: world.endpoints[o.binding ?? 'post'],
    InResponseTo: world.pending.requestId,
    ...o.attrs,
  });
  const issuer = o.issuer === null ? '' : `\n  ${o.issuer ?? `<saml:Issuer>${SP_A}</saml:Issuer>`}`;
  const extensions = o.extensions ? `\n  <samlp:Extensions>${o.extensions}</samlp:Extensions>` : '';
  const status =
    o.status ??
    `<samlp:Status>\n    <samlp:StatusCode Value="${o.statusCode ?? success}"/>${o.statusMessage === undefined ? '' : `\n    <samlp:StatusMessage>${o.statusMessage}</samlp:StatusMessage>`}\n  </samlp:Status>`;
  return `<samlp:LogoutResponse${attrs}>${issuer}${extensions}\n  ${status}\n</samlp:LogoutResponse>`;
}

// ---------------------------------------------------------------------------------------------
// XML-DSig, written out by hand so attacks can bend every part of it

const parser = new DOMParser({ onError: () => {} });
const serializer = new XMLSerializer();
export const parse = (xml: string): Document => parser.parseFromString(xml, 'text/xml');
export const serialize = (node: Node): string => serializer.serializeToString(node);

export function elements(node: Node, predicate: (e: Element) => boolean, found: Element[] = []): Element[] {
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType !== 1) continue;
    if (predicate(child as Element)) found.push(child as Element);
    elements(child, predicate, found);
  }
  return found;
}

const byId = (doc: Document, id: string | null): Element | undefined =>
  elements(doc, (e) => ['ID', 'Id', 'id'].some((n) => e.getAttribute(n) === id))[0] ??
  (doc.documentElement!.getAttribute('ID') === id ? doc.documentElement! : undefined);

export function canonicalize(node: Node, algorithm: string): string {
  const Canonicalizer =
    algorithm === alg.excC14nWithComments
      ? ExclusiveCanonicalizationWithComments
      : algorithm === alg.c14n
        ? C14nCanonicalization
        : ExclusiveCanonicalization;
  // xml-crypto types its input as a DOM Node; @xmldom/xmldom's nodes are what it walks.
  return new Canonicalizer().process(node as never, {
    inclusiveNamespacesPrefixList: [],
    ancestorNamespaces: [],
  }) as string;
}

function signatureValueOf(
  bytes: string,
  {
    key,
    signatureAlgorithm,
    hmacKey,
  }: { key: string; signatureAlgorithm: string; hmacKey: string | Buffer | undefined },
): string {
  const hash = hashOf[signatureAlgorithm] ?? 'sha256';
  if (hmacKey !== undefined) return createHmac(hash, hmacKey).update(bytes).digest('base64');
  return signBytes(hash, Buffer.from(bytes, 'utf8'), privateKey(key)).toString('base64');
}

/**
 * Enveloped-signs `xml` (SAMLCore §5.4 unless an option bends it): the Signature is placed right
 * after the first `</saml:Issuer>` of the document, or after the root start tag with `at: 'start'`.
 */
export function sign(xml: string, o: SignOptions = {}): string {
  const key = o.key ?? 'sp-a';
  const signatureAlgorithm = o.signatureAlgorithm ?? alg.rsaSha256;
  const signatureMethodUri = o.signatureMethodUri ?? signatureAlgorithm;
  const digestAlgorithm = o.digestAlgorithm ?? alg.sha256;
  const c14nMethod = o.c14nMethod ?? alg.excC14n;
  const transforms = o.transforms ?? [alg.enveloped, alg.excC14n];
  const doc = parse(xml);
  const targetId = o.target ?? doc.documentElement!.getAttribute('ID');
  const target = o.uri === '' ? doc.documentElement! : byId(doc, targetId)!;
  const digestC14n =
    [...transforms].reverse().find((t) => t !== alg.enveloped && t !== alg.xpath) ?? alg.c14n;
  const digest = createHash(hashOf[digestAlgorithm]!)
    .update(canonicalize(target, digestC14n), 'utf8')
    .digest('base64');
  const uri = o.uri ?? `#${targetId}`;
  const transformsXml =
    transforms.length === 0 && o.omitTransforms
      ? ''
      : `<ds:Transforms>${transforms
          .map((t) =>
            t === alg.xpath
              ? `<ds:Transform Algorithm="${t}"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform>`
              : `<ds:Transform Algorithm="${t}"/>`,
          )
          .join('')}</ds:Transforms>`;
  const signedInfo =
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${c14nMethod}"/>` +
    `<ds:SignatureMethod Algorithm="${signatureMethodUri}"/>` +
    `<ds:Reference URI="${uri}">${transformsXml}<ds:DigestMethod Algorithm="${digestAlgorithm}"/>` +
    `<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`;
  const keyInfo =
    o.keyInfo === false
      ? ''
      : `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(o.keyInfoCertificate ?? key)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  // Canonical SignedInfo in its place: exclusive C14N renders only the ds namespace it uses.
  const signedInfoDoc = parse(`<ds:Signature xmlns:ds="${ns.ds}">${signedInfo}</ds:Signature>`);
  const signedInfoNode = signedInfoDoc.documentElement!.firstChild!;
  const value = signatureValueOf(canonicalize(signedInfoNode, c14nMethod), {
    key,
    signatureAlgorithm,
    hmacKey: o.hmacKey,
  });
  const signature = `<ds:Signature xmlns:ds="${ns.ds}">${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue>${keyInfo}</ds:Signature>`;
  return insertSignature(xml, signature, o.at ?? 'issuer');
}

function insertSignature(xml: string, signature: string, at: 'issuer' | 'start'): string {
  if (at === 'issuer') {
    const end = xml.indexOf('</saml:Issuer>');
    if (end !== -1) {
      const i = end + '</saml:Issuer>'.length;
      return xml.slice(0, i) + signature + xml.slice(i);
    }
  }
  const declarationEnd = xml.startsWith('<?xml') ? xml.indexOf('?>') + 2 : 0;
  const i = xml.indexOf('>', xml.indexOf('<', declarationEnd)) + 1;
  return xml.slice(0, i) + signature + xml.slice(i);
}

// ---------------------------------------------------------------------------------------------
// DOM surgery for signature wrapping (after SAML Raider's XSWHelpers)

export const isDs = (e: Element, local: string): boolean => e.namespaceURI === ns.ds && e.localName === local;
export const isSaml = (e: Element, prefix: 'samlp' | 'saml', local: string): boolean =>
  e.namespaceURI === ns[prefix] && e.localName === local;
export const childOf = (parent: Node, predicate: (e: Element) => boolean): Element | undefined =>
  elements(parent, predicate).find((e) => e.parentNode === parent);

export function rootSignature(doc: Document): Element | undefined {
  return childOf(doc.documentElement!, (e) => isDs(e, 'Signature'));
}

/** The signed document with its root turned evil: `ID="_evil"` and NameID `victim`. */
export function evilRoot(
  signedXml: string,
  { keepId = false } = {},
): { doc: Document; root: Element; clone: Element } {
  const doc = parse(signedXml);
  const root = doc.documentElement!;
  const clone = root.cloneNode(true) as Element;
  const cloneSignature = childOf(clone, (e) => isDs(e, 'Signature'));
  // Without its Signature the clone is exactly the content the signature covers.
  if (cloneSignature) clone.removeChild(cloneSignature);
  if (!keepId) root.setAttribute('ID', '_evil');
  const nameId = childOf(root, (e) => isSaml(e, 'saml', 'NameID'));
  if (nameId) nameId.textContent = 'victim';
  const status = childOf(root, (e) => isSaml(e, 'samlp', 'Status'));
  if (status) {
    const code = childOf(status, (e) => isSaml(e, 'samlp', 'StatusCode'));
    code!.setAttribute('Value', code!.getAttribute('Value') === success ? responder : success);
  }
  return { doc, root, clone };
}

export function element(doc: Document, namespace: string, qname: string, children: Node[] = []): Element {
  const node = doc.createElementNS(namespace, qname);
  for (const child of children) node.appendChild(child);
  return node;
}

/** Inserts `node` as the Extensions child the schema places after Issuer and Signature. */
export function insertExtensions(doc: Document, root: Element, content: Node): Element {
  const extensions = element(doc, ns.samlp, 'samlp:Extensions', [content]);
  const signature = rootSignature(doc);
  const issuer = childOf(root, (e) => isSaml(e, 'saml', 'Issuer'));
  const anchor = signature ?? issuer;
  root.insertBefore(extensions, anchor ? anchor.nextSibling : root.firstChild);
  return extensions;
}

export function victimNameId(doc: Document): Element {
  const nameId = doc.createElementNS(ns.saml, 'saml:NameID');
  nameId.setAttribute('Format', persistent);
  nameId.appendChild(doc.createTextNode('victim'));
  return nameId;
}

// ---------------------------------------------------------------------------------------------
// Bindings

export const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
export const enc = (value: string): string => encodeURIComponent(value);

/** An HTTP-Redirect query (SAMLBind §3.4.4.1), signed over the exact octets placed in it. */
export function redirectQuery(o: RedirectQueryOptions): string {
  const type = o.type ?? 'SAMLRequest';
  const raw =
    o.rawMessage ??
    enc(Buffer.from(o.deflated ?? deflateRaw(Buffer.from(o.xml ?? '', 'utf8'))).toString('base64'));
  let octets = `${type}=${raw}`;
  if (o.relayState !== undefined) octets += `&RelayState=${o.rawRelayState ?? enc(o.relayState)}`;
  if (o.sign === false) return octets;
  const signatureAlgorithm = o.signatureAlgorithm ?? alg.rsaSha256;
  octets += `&SigAlg=${enc(o.sigAlgUri ?? signatureAlgorithm)}`;
  const signature = signatureValueOf(o.signedOctets ? o.signedOctets(octets) : octets, {
    key: o.key ?? 'sp-a',
    signatureAlgorithm,
    hmacKey: o.hmacKey,
  });
  return `${octets}&Signature=${o.rawSignature ? signature : enc(signature)}`;
}

/** An urlencoded HTTP-POST body. */
export const formBody = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${k}=${enc(v)}`)
    .join('&');

export function soapEnvelope(message: string, { header = '' } = {}): string {
  return `<soapenv:Envelope xmlns:soapenv="${ns.soapenv}">${header}<soapenv:Body>${message}</soapenv:Body></soapenv:Envelope>`;
}

// ---------------------------------------------------------------------------------------------
// Provenance shorthands (attacks reference, by section)

export const ref = {
  xsw: 'Somorovsky et al., "On Breaking SAML", USENIX Security 2012; SAML Raider XSW1-XSW8',
  samlify2025: 'CVE-2025-47949 / GHSA-r683-v43c-6xqv (samlify < 2.10.0)',
  nodeSaml2025:
    'CVE-2025-54369 / GHSA-m837-g268-mmv7, CVE-2025-54419 / GHSA-4mxg-3p6v-xgq3 (node-saml < 5.1.0)',
  multiRoot:
    'CVE-2022-39299 / GHSA-m974-647v-whv7 (passport-saml), CVE-2022-39300 (node-saml), CVE-2022-39353 (xmldom)',
  signedInfo: 'CVE-2025-29774 / GHSA-9p8x-f768-wp2g (xml-crypto < 6.0.1)',
  digestComment: 'CVE-2025-29775 / GHSA-x3m8-899r-f7c3 (xml-crypto < 6.0.1, "SAMLStorm")',
  rubyDigest: 'CVE-2024-45409 (ruby-saml DigestValue found by document-wide XPath)',
  keyInfo: 'CVE-2024-32962 / GHSA-2xp3-57p7-qf4v (xml-crypto 4.x-5.x trusted KeyInfo)',
  hmac: 'GHSA-c27r-x354-4m68 (xml-crypto <= 1.5.3 HMAC key confusion)',
  duo: 'Duo Labs 2018: CVE-2017-11427/11428/11429/11430, CVE-2018-0489 (text-node splitting)',
  exclusion: 'CVE-2020-12676 (FusionAuth signature exclusion); SAMLProf §4.4.4.1',
  xmldom: 'xmldom advisories (attacks reference §4): CVE-2026-41673, CVE-2026-83615, GHSA-6h8r-xr42-gp59',
  ruby2025: 'CVE-2025-25293, CVE-2025-54572 (ruby-saml compressed and oversized messages)',
  pako: 'pako 2.1.0 truncated-stream and trailing-byte quirks (attacks reference §6)',
  phpSaml:
    'php-saml 2.23.0 parameter smuggling; node-saml 5.1.0 hasValidSignatureForRedirect (attacks reference §7)',
  samlifySigAlg: 'samlify getSigningScheme SHA-1 fallback for unknown SigAlg (fixed 2026)',
  bind: 'SAMLBind §3.4.4.1 (exact received octets)',
};

/** Signs when the (hostile) document can be signed at all; otherwise leaves it as it is. */
export function trySign(xml: string): string {
  try {
    return sign(xml);
  } catch {
    return xml;
  }
}

export function ensure<T>(value: T, predicate: (value: T) => boolean, what: string): T {
  if (!predicate(value)) throw new Error(`attack corpus: expected the fixture to satisfy "${what}"`);
  return value;
}
