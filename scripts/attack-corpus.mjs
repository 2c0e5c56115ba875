// The attack corpus of fixtures/attacks/: every hostile message, built from the fixture keys in
// fixtures/keys. Regenerate with `node scripts/generate-attack-corpus.mjs`; test/security checks
// that the committed files are exactly what this module produces.
//
// Deliberately independent of samlkit: messages are written as text, signed here with node:crypto
// over xml-crypto's canonicalizers, and deflated with pako, so samlkit is tested against bytes it
// did not produce. Every output is deterministic (RSA PKCS#1 v1.5, fixed instants and IDs).
import { createHash, createHmac, createPrivateKey, sign as signBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { deflateRaw, gzip, deflate as zlibDeflate } from 'pako';
import {
  C14nCanonicalization,
  ExclusiveCanonicalization,
  ExclusiveCanonicalizationWithComments,
} from 'xml-crypto';

// ---------------------------------------------------------------------------------------------
// The world the corpus lives in (the test builds the same IdP and SPs).

export const world = {
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

const SP_A = world.providers['sp-a'].entityId;
const SP_B = world.providers['sp-b'].entityId;
const NOW = world.now;
const LATER = '2026-04-20T10:05:00Z';

const ns = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
};

const alg = {
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

const hashOf = {
  [alg.rsaSha1]: 'sha1',
  [alg.rsaSha256]: 'sha256',
  [alg.rsaSha512]: 'sha512',
  [alg.ecdsaSha256]: 'sha256',
  [alg.hmacSha1]: 'sha1',
  [alg.hmacSha256]: 'sha256',
  [alg.sha1]: 'sha1',
  [alg.sha256]: 'sha256',
};

const persistent = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const success = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const responder = 'urn:oasis:names:tc:SAML:2.0:status:Responder';

// ---------------------------------------------------------------------------------------------
// Keys

const keysDir = new URL('../fixtures/keys/', import.meta.url);
const pems = new Map();
function pem(name, ext) {
  const file = `${name}.${ext}`;
  if (!pems.has(file)) pems.set(file, readFileSync(new URL(file, keysDir), 'utf8'));
  return pems.get(file);
}
const privateKeys = new Map();
function privateKey(name) {
  if (!privateKeys.has(name)) privateKeys.set(name, createPrivateKey(pem(name, 'key')));
  return privateKeys.get(name);
}
const certificateBody = (name) =>
  pem(name, 'crt')
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '');

// ---------------------------------------------------------------------------------------------
// Messages as text (pretty-printed, as many SPs send them)

function attributes(values) {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
}

/** A LogoutRequest from SP-A; every part can be replaced. `extensions` and `after` are raw markup. */
function logoutRequest(o = {}) {
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
function logoutResponse(o = {}) {
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
const parse = (xml) => parser.parseFromString(xml, 'text/xml');
const serialize = (node) => serializer.serializeToString(node);

function elements(node, predicate, found = []) {
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType !== 1) continue;
    if (predicate(child)) found.push(child);
    elements(child, predicate, found);
  }
  return found;
}

const byId = (doc, id) =>
  elements(doc, (e) => ['ID', 'Id', 'id'].some((n) => e.getAttribute(n) === id))[0] ??
  (doc.documentElement.getAttribute('ID') === id ? doc.documentElement : undefined);

function canonicalize(node, algorithm) {
  const Canonicalizer =
    algorithm === alg.excC14nWithComments
      ? ExclusiveCanonicalizationWithComments
      : algorithm === alg.c14n
        ? C14nCanonicalization
        : ExclusiveCanonicalization;
  return new Canonicalizer().process(node, { inclusiveNamespacesPrefixList: [], ancestorNamespaces: [] });
}

function signatureValueOf(bytes, { key, signatureAlgorithm, hmacKey }) {
  const hash = hashOf[signatureAlgorithm] ?? 'sha256';
  if (hmacKey !== undefined) return createHmac(hash, hmacKey).update(bytes).digest('base64');
  return signBytes(hash, Buffer.from(bytes, 'utf8'), privateKey(key)).toString('base64');
}

/**
 * Enveloped-signs `xml` (SAMLCore §5.4 unless an option bends it): the Signature is placed right
 * after the first `</saml:Issuer>` of the document, or after the root start tag with `at: 'start'`.
 */
function sign(xml, o = {}) {
  const key = o.key ?? 'sp-a';
  const signatureAlgorithm = o.signatureAlgorithm ?? alg.rsaSha256;
  const signatureMethodUri = o.signatureMethodUri ?? signatureAlgorithm;
  const digestAlgorithm = o.digestAlgorithm ?? alg.sha256;
  const c14nMethod = o.c14nMethod ?? alg.excC14n;
  const transforms = o.transforms ?? [alg.enveloped, alg.excC14n];
  const doc = parse(xml);
  const targetId = o.target ?? doc.documentElement.getAttribute('ID');
  const target = o.uri === '' ? doc.documentElement : byId(doc, targetId);
  const digestC14n =
    [...transforms].reverse().find((t) => t !== alg.enveloped && t !== alg.xpath) ?? alg.c14n;
  const digest = createHash(hashOf[digestAlgorithm])
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
  const signedInfoNode = signedInfoDoc.documentElement.firstChild;
  const value = signatureValueOf(canonicalize(signedInfoNode, c14nMethod), {
    key,
    signatureAlgorithm,
    hmacKey: o.hmacKey,
  });
  const signature = `<ds:Signature xmlns:ds="${ns.ds}">${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue>${keyInfo}</ds:Signature>`;
  return insertSignature(xml, signature, o.at ?? 'issuer');
}

function insertSignature(xml, signature, at) {
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

const isDs = (e, local) => e.namespaceURI === ns.ds && e.localName === local;
const isSaml = (e, prefix, local) => e.namespaceURI === ns[prefix] && e.localName === local;
const childOf = (parent, predicate) => elements(parent, predicate).find((e) => e.parentNode === parent);

function rootSignature(doc) {
  return childOf(doc.documentElement, (e) => isDs(e, 'Signature'));
}

/** The signed document with its root turned evil: `ID="_evil"` and NameID `victim`. */
function evilRoot(signedXml, { keepId = false } = {}) {
  const doc = parse(signedXml);
  const root = doc.documentElement;
  const clone = root.cloneNode(true);
  const cloneSignature = childOf(clone, (e) => isDs(e, 'Signature'));
  // Without its Signature the clone is exactly the content the signature covers.
  if (cloneSignature) clone.removeChild(cloneSignature);
  if (!keepId) root.setAttribute('ID', '_evil');
  const nameId = childOf(root, (e) => isSaml(e, 'saml', 'NameID'));
  if (nameId) nameId.textContent = 'victim';
  const status = childOf(root, (e) => isSaml(e, 'samlp', 'Status'));
  if (status) {
    const code = childOf(status, (e) => isSaml(e, 'samlp', 'StatusCode'));
    code.setAttribute('Value', code.getAttribute('Value') === success ? responder : success);
  }
  return { doc, root, clone };
}

function element(doc, namespace, qname, children = []) {
  const node = doc.createElementNS(namespace, qname);
  for (const child of children) node.appendChild(child);
  return node;
}

/** Inserts `node` as the Extensions child the schema places after Issuer and Signature. */
function insertExtensions(doc, root, content) {
  const extensions = element(doc, ns.samlp, 'samlp:Extensions', [content]);
  const signature = rootSignature(doc);
  const issuer = childOf(root, (e) => isSaml(e, 'saml', 'Issuer'));
  const anchor = signature ?? issuer;
  root.insertBefore(extensions, anchor ? anchor.nextSibling : root.firstChild);
  return extensions;
}

function victimNameId(doc) {
  const nameId = doc.createElementNS(ns.saml, 'saml:NameID');
  nameId.setAttribute('Format', persistent);
  nameId.appendChild(doc.createTextNode('victim'));
  return nameId;
}

// ---------------------------------------------------------------------------------------------
// Bindings

const base64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const enc = (value) => encodeURIComponent(value);

/** An HTTP-Redirect query (SAMLBind §3.4.4.1), signed over the exact octets placed in it. */
function redirectQuery(o) {
  const type = o.type ?? 'SAMLRequest';
  const raw =
    o.rawMessage ?? enc(Buffer.from(o.deflated ?? deflateRaw(Buffer.from(o.xml, 'utf8'))).toString('base64'));
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
const formBody = (fields) =>
  Object.entries(fields)
    .map(([k, v]) => `${k}=${enc(v)}`)
    .join('&');

function soapEnvelope(message, { header = '' } = {}) {
  return `<soapenv:Envelope xmlns:soapenv="${ns.soapenv}">${header}<soapenv:Body>${message}</soapenv:Body></soapenv:Envelope>`;
}

// ---------------------------------------------------------------------------------------------
// Provenance shorthands (attacks reference, by section)

const ref = {
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

// ---------------------------------------------------------------------------------------------
// The corpus

/**
 * Returns every case as `{ entry, content }`: `entry` is its manifest record, `content` the
 * exact bytes of its file.
 */
export function generateAttackCorpus() {
  const cases = [];
  const controls = [];
  const add = (list, entry, content) => {
    const file = `${entry.id}.${entry.format === 'query' || entry.format === 'form' ? 'txt' : 'xml'}`;
    list.push({
      entry: { ...entry, file },
      content: Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'),
    });
  };
  const attack = (entry, content) => add(cases, entry, content);
  const control = (entry, content) => add(controls, entry, content);

  // ---- Baselines -------------------------------------------------------------------------
  const postRequest = sign(logoutRequest());
  const soapRequest = sign(logoutRequest({ binding: 'soap' }));
  const redirectRequestXml = logoutRequest({ binding: 'redirect' });
  const postResponse = sign(logoutResponse());

  const LR = 'logout-request';
  const LRS = 'logout-response';
  const both = ['receive', 'idp'];

  control(
    {
      id: `${LR}/post/control-signed`,
      messageType: 'LogoutRequest',
      binding: 'post',
      format: 'xml',
      via: both,
    },
    postRequest,
  );
  control(
    {
      id: `${LR}/redirect/control-signed`,
      messageType: 'LogoutRequest',
      binding: 'redirect',
      format: 'query',
      via: both,
    },
    redirectQuery({ xml: redirectRequestXml, relayState: 'rs1' }),
  );
  control(
    {
      id: `${LR}/soap/control-signed`,
      messageType: 'LogoutRequest',
      binding: 'soap',
      format: 'soap',
      via: both,
    },
    soapEnvelope(soapRequest),
  );
  control(
    {
      id: `${LRS}/post/control-signed`,
      messageType: 'LogoutResponse',
      binding: 'post',
      format: 'xml',
      relayState: world.pending.relayState,
      via: both,
    },
    postResponse,
  );
  control(
    {
      id: `${LRS}/redirect/control-signed`,
      messageType: 'LogoutResponse',
      binding: 'redirect',
      format: 'query',
      via: both,
    },
    redirectQuery({
      type: 'SAMLResponse',
      xml: logoutResponse({ binding: 'redirect' }),
      relayState: world.pending.relayState,
    }),
  );

  // ---- 1. Signature wrapping (POST, LogoutRequest) -----------------------------------------
  const wrap = (id, entry, content) =>
    attack(
      {
        id: `${LR}/post/${id}`,
        messageType: 'LogoutRequest',
        binding: 'post',
        format: 'xml',
        attack: 'signature-wrapping',
        via: both,
        ...entry,
      },
      content,
    );

  {
    const { doc, clone } = evilRoot(postRequest);
    rootSignature(doc).appendChild(clone);
    wrap(
      'xsw1-clone-inside-signature',
      {
        provenance: `XSW1: the original appended inside ds:Signature of an evil root (${ref.xsw}; attacks reference §1 W1)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'accepts-other-element' },
      },
      serialize(doc),
    );
  }
  {
    const { doc, root, clone } = evilRoot(postRequest);
    root.insertBefore(clone, rootSignature(doc));
    wrap(
      'xsw2-clone-before-signature',
      {
        provenance: `XSW2: the original as a sibling before ds:Signature inside an evil root (${ref.xsw}; attacks reference §1 W2)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'accepts-other-element' },
      },
      serialize(doc),
    );
  }
  {
    const evil = parse(logoutRequest({ attrs: { ID: '_evil' }, nameId: 'victim' }));
    insertExtensions(evil, evil.documentElement, evil.importNode(parse(postRequest).documentElement, true));
    wrap(
      'xsw3-original-in-extensions',
      {
        provenance: `XSW3/XSW7: the whole signed original inside samlp:Extensions of an unsigned evil root (${ref.xsw}; ${ref.samlify2025}; attacks reference §1 W3)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'accepts-other-element' },
      },
      serialize(evil),
    );
  }
  {
    const evil = parse(logoutRequest({ attrs: { ID: '_evil' }, nameId: 'victim' }));
    evil.documentElement.appendChild(evil.importNode(parse(postRequest).documentElement, true));
    wrap(
      'xsw4-original-as-last-child',
      {
        provenance: `XSW4: the signed original nested as the last child of an evil root (${ref.xsw}; attacks reference §1 W4)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'accepts-other-element' },
      },
      serialize(evil),
    );
  }
  {
    const { doc, root, clone } = evilRoot(postRequest, { keepId: true });
    root.appendChild(clone);
    wrap(
      'xsw5-duplicate-id-appended',
      {
        provenance: `XSW5: evil content keeps ID="_orig", a clean copy with the same ID appended to the root (${ref.xsw}; attacks reference §1 W5)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'rejects' },
      },
      serialize(doc),
    );
  }
  {
    const { doc, clone } = evilRoot(postRequest, { keepId: true });
    rootSignature(doc).appendChild(element(doc, ns.ds, 'ds:Object', [clone]));
    wrap(
      'xsw8-duplicate-id-in-object',
      {
        provenance: `XSW8: evil content keeps ID="_orig", the clean copy inside ds:Object of the Signature (${ref.xsw}; attacks reference §1 W5)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'rejects' },
      },
      serialize(doc),
    );
  }
  {
    const { doc, clone } = evilRoot(postRequest);
    rootSignature(doc).appendChild(element(doc, ns.ds, 'ds:Object', [clone]));
    wrap(
      'xsw-original-in-ds-object',
      {
        provenance: `Signed element wrapped in ds:Object of the Signature under an evil root (${ref.xsw}; attacks reference §1 W1/W7)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'accepts-other-element' },
      },
      serialize(doc),
    );
  }
  for (const [name, attribute] of [
    ['mixed-case-Id', 'Id="_orig"'],
    ['lower-case-id', 'id="_orig"'],
    ['namespaced-ID', 'x:ID="_orig"'],
  ]) {
    wrap(
      `duplicate-id-${name.toLowerCase()}`,
      {
        provenance: `Duplicate ID in another attribute form (${attribute}), signed: xml-crypto resolves ID, Id and id in any namespace (attacks reference §1 W6; XML::Sig CVE-2026-9487)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'rejects' },
      },
      sign(logoutRequest({ extensions: `<x:Data xmlns:x="urn:example:ext" ${attribute}/>` })),
    );
  }
  {
    const doc = parse(postRequest);
    const object = element(doc, ns.ds, 'ds:Object', [victimNameId(doc)]);
    rootSignature(doc).appendChild(object);
    wrap(
      'w7-victim-nameid-inside-signature',
      {
        provenance: `XSW6/XSW8 shape: ds:Object holding a victim NameID appended inside the real Signature (${ref.xsw}; ${ref.nodeSaml2025}; attacks reference §1 W7)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'accepts-with-decoy', decoy: 'victim' },
      },
      serialize(doc),
    );
  }
  {
    const doc = parse(postRequest);
    const decoy = rootSignature(doc).cloneNode(true);
    decoy.appendChild(element(doc, ns.ds, 'ds:Object', [victimNameId(doc)]));
    doc.documentElement.insertBefore(decoy, doc.documentElement.firstChild);
    wrap(
      'w8-decoy-signature-clone',
      {
        provenance:
          'Decoy Signature: a byte copy of the real ds:Signature carrying a victim NameID, first child of the root; xml-crypto removes every Signature with the same value (attacks reference §1 W8)',
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: {
          verdict: 'rejects',
          note: 'xml-crypto 6.3 refuses several Signatures with one SignatureValue; 6.1.2 accepted this document (attacks reference §1 W8, measured).',
        },
      },
      serialize(doc),
    );
  }
  wrap(
    'w9-second-root',
    {
      provenance: `Multiple roots: the signed original followed by an evil LogoutRequest (${ref.multiRoot}; attacks reference §1 W9)`,
      expect: { code: 'SAML_XML_MALFORMED' },
      xmlCrypto: {
        verdict: 'accepts',
        note: 'xml-crypto parses with its own @xmldom/xmldom 0.8, which silently drops the second root and verifies the first; a reader using another parser (or xmldom < 0.8.4) sees the evil root too.',
      },
    },
    `${postRequest}\n${logoutRequest({ attrs: { ID: '_evil' }, nameId: 'victim' })}`,
  );
  {
    const signedInfo = /<ds:SignedInfo>[\s\S]*?<\/ds:SignedInfo>/.exec(postRequest)[0];
    const forged = signedInfo.replace('URI="#_orig"', 'URI="#_evil"');
    wrap(
      'w10-two-signedinfo',
      {
        provenance: `Two SignedInfo elements in one Signature (${ref.signedInfo}; attacks reference §1 W10)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'rejects' },
      },
      postRequest.replace(signedInfo, signedInfo + forged),
    );
    wrap(
      'w11-signedinfo-in-wrapper',
      {
        provenance: `A forged SignedInfo inside a wrapper element before the real one (${ref.signedInfo}; xml-crypto test saml_wrapped_signed_info_node.xml; attacks reference §1 W11)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: {
          verdict: 'accepts',
          note: 'xml-crypto ignores the wrapped SignedInfo and verifies the real one over the untouched root; the attack targets readers that take the first SignedInfo in document order.',
        },
      },
      postRequest.replace(
        signedInfo,
        `<x:Wrapper xmlns:x="urn:example:wrap">${forged}</x:Wrapper>${signedInfo}`,
      ),
    );
    wrap(
      'decoy-signaturemethod-in-wrapper',
      {
        provenance:
          'A decoy SignatureMethod (rsa-sha1) in a wrapper before SignedInfo: xml-crypto finds algorithm elements by descendant search (attacks reference §3 recipe f)',
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: {
          verdict: 'rejects',
        },
      },
      postRequest.replace(
        '<ds:SignedInfo>',
        `<x:Wrapper xmlns:x="urn:example:wrap"><ds:SignatureMethod Algorithm="${alg.rsaSha1}"/></x:Wrapper><ds:SignedInfo>`,
      ),
    );
  }
  {
    // The attacker changes NameID, and places the digest of the changed content where a
    // document-wide //ds:DigestValue lookup finds it first.
    const tampered = postRequest.replace('>alice<', '>victim<');
    const unsigned = tampered.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '');
    const forgedDigest = createHash('sha256')
      .update(canonicalize(parse(unsigned).documentElement, alg.excC14n), 'utf8')
      .digest('base64');
    wrap(
      'w12-forged-digestvalue-in-extensions',
      {
        provenance: `A forged ds:DigestValue earlier in document order than the real one (${ref.rubyDigest}; attacks reference §1 W12)`,
        expect: { code: 'SAML_SIGNATURE_INVALID' },
        xmlCrypto: { verdict: 'rejects' },
      },
      tampered.replace(
        '</ds:Signature>',
        `</ds:Signature>\n  <samlp:Extensions><ds:DigestValue xmlns:ds="${ns.ds}">${forgedDigest}</ds:DigestValue></samlp:Extensions>`,
      ),
    );
    const realDigest = /<ds:DigestValue>([^<]*)<\/ds:DigestValue>/.exec(postRequest)[1];
    wrap(
      'w13-digestvalue-comment',
      {
        provenance: `A comment holding the forged digest before the real DigestValue text, NameID changed (${ref.digestComment}; attacks reference §1 W13)`,
        expect: { code: 'SAML_XML_MIXED_CONTENT' },
        xmlCrypto: { verdict: 'rejects' },
      },
      tampered.replace(
        `<ds:DigestValue>${realDigest}`,
        `<ds:DigestValue><!--${forgedDigest}-->${realDigest}`,
      ),
    );
  }
  {
    // The signed original (ID _orig) moved under an evil root that keeps the original Signature.
    const { doc, root, clone } = evilRoot(postRequest);
    insertExtensions(doc, root, clone);
    wrap(
      'w14-reference-to-non-root-element',
      {
        provenance: `The Reference points at a signed element that is not the root (${ref.xsw}; attacks reference §1 W14)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'accepts-other-element' },
      },
      serialize(doc),
    );
  }
  wrap(
    'w15-reference-uri-empty',
    {
      provenance:
        'Reference URI="" (the whole document), validly signed (xml-crypto issue #594; SAMLCore §5.4.2; attacks reference §1 W15)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: {
        verdict: 'accepts',
        note: 'URI="" covers the whole document, which here is the root; SAMLCore §5.4.2 requires "#" + the root ID.',
      },
    },
    sign(logoutRequest(), { uri: '' }),
  );
  wrap(
    'w15-reference-uri-without-hash',
    {
      provenance:
        'Reference URI="_orig" (no "#"), validly signed; xml-crypto resolves it as an ID (xml-crypto issue #594; attacks reference §1 W15)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: {
        verdict: 'accepts',
        note: 'xml-crypto resolves a URI without "#" as if it were "#_orig" (issue #594), a conformance bug rather than a bypass here.',
      },
    },
    sign(logoutRequest(), { uri: '_orig' }),
  );
  {
    const evil = parse(logoutRequest({ attrs: { ID: '_evil' }, nameId: 'victim' }));
    insertExtensions(evil, evil.documentElement, evil.importNode(parse(postRequest).documentElement, true));
    wrap(
      'w16-attacker-signature-added',
      {
        provenance: `The original kept in Extensions and a second Signature by the attacker's key over the evil root, attacker certificate in KeyInfo (${ref.keyInfo}; attacks reference §1 W16)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'rejects' },
      },
      sign(serialize(evil), { key: 'evil' }),
    );
  }
  wrap(
    'w17-root-in-foreign-namespace',
    {
      provenance:
        'Namespace confusion: a validly signed root <samlp:LogoutRequest> bound to urn:evil (attacks reference §1 W17)',
      expect: { code: 'SAML_MESSAGE_TYPE_MISMATCH', idpCode: 'SAML_MESSAGE_TYPE_MISMATCH' },
      xmlCrypto: {
        verdict: 'accepts',
        note: 'XML-DSig has no notion of SAML message types: the document is validly signed; the root namespace is the receiver’s check.',
      },
    },
    sign(logoutRequest({ samlpNs: 'urn:evil' })),
  );
  wrap(
    'w17-signature-in-foreign-namespace',
    {
      provenance:
        'Namespace confusion: the Signature copied into a foreign namespace, NameID changed, no ds:Signature left (attacks reference §1 W17)',
      expect: { code: 'SAML_SIGNATURE_MISSING' },
      xmlCrypto: { verdict: 'rejects' },
    },
    postRequest
      .replace('>alice<', '>victim<')
      .replace(/<ds:Signature xmlns:ds="[^"]*">/, '<ds:Signature xmlns:ds="urn:fake">'),
  );
  wrap(
    'w18-logout-response-as-request',
    {
      provenance:
        'Message-type substitution: a LogoutResponse validly signed by SP-A posted as SAMLRequest (attacks reference §1 W18)',
      expect: { code: 'SAML_MESSAGE_TYPE_MISMATCH' },
      xmlCrypto: {
        verdict: 'accepts',
        note: 'Validly signed by SP-A; only the receiver can bind the root type to the SAMLRequest parameter.',
      },
    },
    postResponse,
  );
  wrap(
    'w19-signature-removed',
    {
      provenance: `Signature exclusion: ds:Signature removed and NameID changed (${ref.exclusion}; attacks reference §1 W19)`,
      expect: { code: 'SAML_SIGNATURE_MISSING' },
      xmlCrypto: { verdict: 'rejects' },
    },
    postRequest.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '').replace('>alice<', '>victim<'),
  );
  wrap(
    'signature-before-issuer',
    {
      provenance:
        'Signature placed before saml:Issuer, against the schema order (SAMLCore §3.2.1; attacks reference §0 step 6)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: {
        verdict: 'accepts',
        note: 'The signature itself is valid wherever it sits; only its position breaks the SAML schema.',
      },
    },
    sign(logoutRequest(), { at: 'start' }),
  );
  wrap(
    'content-changed-after-signing',
    {
      provenance:
        'NameID changed after signing, signature left as is (baseline integrity check; SAMLCore §5.4)',
      expect: { code: 'SAML_SIGNATURE_INVALID' },
      xmlCrypto: { verdict: 'rejects' },
    },
    postRequest.replace('>alice<', '>victim<'),
  );
  wrap(
    'signature-without-signedinfo',
    {
      provenance:
        'A ds:Signature with no SignedInfo (xml-crypto test invalid_saml_no_signed_info.xml; attacks reference §1)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: { verdict: 'rejects' },
    },
    postRequest.replace(/<ds:SignedInfo>[\s\S]*?<\/ds:SignedInfo>/, ''),
  );

  // ---- SOAP wrapping -------------------------------------------------------------------------
  {
    const { doc, clone } = evilRoot(soapRequest);
    rootSignature(doc).appendChild(clone);
    attack(
      {
        id: `${LR}/soap/xsw1-clone-inside-signature`,
        messageType: 'LogoutRequest',
        binding: 'soap',
        format: 'soap',
        attack: 'signature-wrapping',
        via: both,
        provenance: `XSW1 on the SOAP back channel (${ref.xsw}; attacks reference §1 W1)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'accepts-other-element' },
      },
      soapEnvelope(serialize(doc)),
    );
  }
  attack(
    {
      id: `${LR}/soap/signature-in-soap-header`,
      messageType: 'LogoutRequest',
      binding: 'soap',
      format: 'soap',
      attack: 'signature-wrapping',
      via: both,
      provenance: `The signed original in the SOAP Header, an unsigned evil request in the Body (${ref.xsw}; attacks reference §1 W3)`,
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: { verdict: 'accepts-other-element' },
    },
    soapEnvelope(logoutRequest({ binding: 'soap', attrs: { ID: '_evil' }, nameId: 'victim' }), {
      header: `<soapenv:Header>${soapRequest}</soapenv:Header>`,
    }),
  );
  attack(
    {
      id: `${LR}/soap/unsigned`,
      messageType: 'LogoutRequest',
      binding: 'soap',
      format: 'soap',
      attack: 'signature-exclusion',
      via: both,
      provenance: `An unsigned back-channel LogoutRequest (${ref.exclusion})`,
      expect: { code: 'SAML_SIGNATURE_MISSING' },
      xmlCrypto: { verdict: 'rejects' },
    },
    soapEnvelope(logoutRequest({ binding: 'soap', nameId: 'victim' })),
  );
  attack(
    {
      id: `${LR}/soap/doctype`,
      messageType: 'LogoutRequest',
      binding: 'soap',
      format: 'soap',
      attack: 'xml-parsing',
      via: both,
      provenance:
        'DOCTYPE with an internal entity in a SOAP envelope (CWE-611/CWE-776; attacks reference §6)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    `<!DOCTYPE soapenv:Envelope [<!ENTITY n "victim">]>\n${soapEnvelope(sign(logoutRequest({ binding: 'soap', nameId: '&n;' })))}`,
  );
  attack(
    {
      id: `${LR}/soap/two-bodies`,
      messageType: 'LogoutRequest',
      binding: 'soap',
      format: 'soap',
      attack: 'signature-wrapping',
      via: both,
      provenance:
        'A second SOAP Body carrying an evil request after the signed one (SOAP 1.1 §4; attacks reference §1 W9 analogue)',
      expect: { code: 'SAML_SOAP_FAULT' },
    },
    soapEnvelope(soapRequest).replace(
      '</soapenv:Envelope>',
      `<soapenv:Body>${logoutRequest({ binding: 'soap', attrs: { ID: '_evil' }, nameId: 'victim' })}</soapenv:Body></soapenv:Envelope>`,
    ),
  );

  // ---- 2. Text-node splitting (POST and Redirect) ------------------------------------------
  // The signature covers the whole value; the attacker splits it after signing (attacks §2).
  const splitters = {
    comment: (a, b) => `${a}<!---->${b}`,
    cdata: (a, b) => `${a}<![CDATA[${b}]]>`,
    pi: (a, b) => `${a}<?pi?>${b}`,
  };
  const splitTargets = [
    ['nameid', (v) => ({ nameId: v }), 'alice@example.com', '.evil.net'],
    ['sessionindex', (v) => ({ sessionIndex: v }), '_s1', '.evil'],
    [
      'issuer',
      (v) => ({ issuer: `<saml:Issuer>${v}</saml:Issuer>` }),
      'https://sp-a.example.com',
      '/metadata',
    ],
  ];
  for (const [kind, split] of Object.entries(splitters)) {
    for (const [field, build, head, tail] of splitTargets) {
      const signed = sign(logoutRequest(build(head + tail)));
      attack(
        {
          id: `${LR}/post/${kind}-in-${field}`,
          messageType: 'LogoutRequest',
          binding: 'post',
          format: 'xml',
          attack: 'text-node-splitting',
          via: both,
          provenance: `${{ comment: 'A comment', cdata: 'A CDATA section', pi: 'A processing instruction' }[kind]} splitting the signed ${field} text after signing (${ref.duo}; attacks reference §2)`,
          expect: { code: kind === 'pi' ? 'SAML_XML_FORBIDDEN_CONTENT' : 'SAML_XML_MIXED_CONTENT' },
          xmlCrypto:
            kind === 'pi'
              ? {
                  verdict: 'rejects',
                  note: 'Exclusive C14N keeps processing instructions, so the digest no longer matches.',
                }
              : {
                  verdict: 'accepts',
                  note: 'Exclusive C14N drops comments and turns CDATA into text, so the signature verifies; a reader of the first text node would see a truncated value.',
                },
        },
        signed.replace(`>${head + tail}<`, `>${split(head, tail)}<`),
      );
    }
  }
  for (const kind of ['comment', 'cdata']) {
    const injected = splitters[kind]('alice@example.com', '.evil.net');
    attack(
      {
        id: `${LR}/redirect/${kind}-in-nameid`,
        messageType: 'LogoutRequest',
        binding: 'redirect',
        format: 'query',
        attack: 'text-node-splitting',
        via: both,
        provenance: `${kind === 'cdata' ? 'CDATA section' : 'Comment'} splitting NameID in a signed HTTP-Redirect message (${ref.duo}; attacks reference §2)`,
        expect: { code: 'SAML_XML_MIXED_CONTENT' },
      },
      redirectQuery({ xml: logoutRequest({ binding: 'redirect', nameId: injected }), relayState: 'rs1' }),
    );
  }
  attack(
    {
      id: `${LRS}/post/comment-in-statusmessage`,
      messageType: 'LogoutResponse',
      binding: 'post',
      format: 'xml',
      relayState: world.pending.relayState,
      attack: 'text-node-splitting',
      via: both,
      provenance: `Comment splitting the signed StatusMessage of a LogoutResponse (${ref.duo}; attacks reference §2)`,
      expect: { code: 'SAML_XML_MIXED_CONTENT' },
      xmlCrypto: { verdict: 'accepts', note: 'Exclusive C14N drops the comment; the signature verifies.' },
    },
    sign(logoutResponse({ statusMessage: 'logged out' })).replace('>logged out<', '>logged<!----> out<'),
  );

  // ---- 3/7. Keys and algorithms (POST) -------------------------------------------------------
  const keyCase = (id, entry, content) =>
    attack(
      {
        id: `${LR}/post/${id}`,
        messageType: 'LogoutRequest',
        binding: 'post',
        format: 'xml',
        attack: entry.attack ?? 'key-selection',
        via: both,
        ...entry,
      },
      content,
    );
  keyCase(
    'keyinfo-attacker-certificate',
    {
      provenance: `Re-signed with an unregistered key, its certificate in KeyInfo, NameID victim (${ref.keyInfo}; attacks reference §3 recipe b)`,
      expect: { code: 'SAML_SIGNATURE_INVALID' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest({ nameId: 'victim' }), { key: 'evil' }),
  );
  keyCase(
    'keyinfo-attacker-key-claims-sp-a-certificate',
    {
      provenance: `Signed with an unregistered key while KeyInfo carries SP-A's real certificate (${ref.keyInfo}; attacks reference §7 wrong key)`,
      expect: { code: 'SAML_SIGNATURE_INVALID' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest({ nameId: 'victim' }), { key: 'evil', keyInfoCertificate: 'sp-a' }),
  );
  keyCase(
    'other-sp-key',
    {
      provenance:
        'SP-B impersonating SP-A: Issuer SP-A, signed with SP-B’s registered key (attacks reference §7 wrong key, §8 issuer recipe a)',
      expect: { code: 'SAML_SIGNATURE_INVALID' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest(), { key: 'sp-b' }),
  );
  keyCase(
    'idp-own-key',
    {
      provenance: 'Issuer SP-A, signed with the IdP’s own signing key (attacks reference §7 wrong key)',
      expect: { code: 'SAML_SIGNATURE_INVALID' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest(), { key: 'idp' }),
  );
  keyCase(
    'idp-message-reflected',
    {
      provenance:
        'Reflection: a LogoutRequest the IdP itself signed (Issuer = the IdP) sent back to the IdP’s endpoint (attacks reference §7 wrong key, §8 issuer)',
      expect: { code: 'SAML_SIGNATURE_INVALID', idpCode: 'SAML_ISSUER_UNKNOWN' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest({ issuer: `<saml:Issuer>${world.idpEntityId}</saml:Issuer>` }), { key: 'idp' }),
  );
  const algorithmCase = (id, entry, content) => keyCase(id, { attack: 'algorithm', ...entry }, content);
  algorithmCase(
    'rsa-sha1',
    {
      provenance:
        'SHA-1 downgrade: rsa-sha1 signature and sha1 digest by SP-A’s key (attacks reference §3 recipe e, §7)',
      expect: { code: 'SAML_ALGORITHM_FORBIDDEN' },
      xmlCrypto: {
        verdict: 'rejects',
        note: 'Rejected only because the strict verifier replaces xml-crypto’s algorithm maps; its defaults accept SHA-1.',
      },
    },
    sign(logoutRequest(), { signatureAlgorithm: alg.rsaSha1, digestAlgorithm: alg.sha1 }),
  );
  algorithmCase(
    'sha1-digest',
    {
      provenance: 'SHA-1 digest under an rsa-sha256 signature (attacks reference §7)',
      expect: { code: 'SAML_ALGORITHM_FORBIDDEN' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest(), { digestAlgorithm: alg.sha1 }),
  );
  algorithmCase(
    'hmac-sha1-keyed-with-certificate',
    {
      provenance: `HMAC key confusion: hmac-sha1 keyed with SP-A’s PEM certificate text, NameID victim (${ref.hmac}; attacks reference §3 recipe a)`,
      expect: { code: 'SAML_ALGORITHM_FORBIDDEN' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest({ nameId: 'victim' }), {
      signatureAlgorithm: alg.hmacSha1,
      hmacKey: pem('sp-a', 'crt'),
      keyInfo: false,
    }),
  );
  algorithmCase(
    'hmac-sha256-keyed-with-certificate-der',
    {
      provenance: `HMAC key confusion: hmac-sha256 keyed with SP-A’s DER certificate (${ref.hmac}; attacks reference §3 recipe a)`,
      expect: { code: 'SAML_ALGORITHM_FORBIDDEN' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest({ nameId: 'victim' }), {
      signatureAlgorithm: alg.hmacSha256,
      hmacKey: Buffer.from(certificateBody('sp-a'), 'base64'),
      keyInfo: false,
    }),
  );
  algorithmCase(
    'hmac-output-length-truncation',
    {
      provenance:
        'hmac-sha1 with HMACOutputLength=8 (CVE-2009-0217 truncation; attacks reference §3 recipe a)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest({ nameId: 'victim' }), {
      signatureAlgorithm: alg.hmacSha1,
      hmacKey: pem('sp-a', 'crt'),
      keyInfo: false,
    }).replace(
      `<ds:SignatureMethod Algorithm="${alg.hmacSha1}"/>`,
      `<ds:SignatureMethod Algorithm="${alg.hmacSha1}"><ds:HMACOutputLength>8</ds:HMACOutputLength></ds:SignatureMethod>`,
    ),
  );
  for (const [name, uri, provenance] of [
    [
      'unknown-uri',
      'urn:x#sha256',
      'An unknown SignatureMethod URI ending in #sha256 (node-saml fragment matching; attacks reference §7)',
    ],
    [
      'wrong-namespace-uri',
      'http://www.w3.org/2000/09/xmldsig#rsa-sha256',
      'rsa-sha256 under the wrong namespace (attacks reference §7 algorithm URI tricks)',
    ],
    [
      'uppercase-uri',
      'http://www.w3.org/2001/04/xmldsig-more#RSA-SHA256',
      'rsa-sha256 in a different case (attacks reference §7 algorithm URI tricks)',
    ],
    [
      'trailing-space-uri',
      `${alg.rsaSha256} `,
      'rsa-sha256 with trailing whitespace (attacks reference §7 algorithm URI tricks)',
    ],
  ]) {
    algorithmCase(
      `signaturemethod-${name}`,
      {
        provenance,
        expect: { code: 'SAML_ALGORITHM_FORBIDDEN' },
        xmlCrypto: { verdict: 'rejects' },
      },
      sign(logoutRequest(), { signatureMethodUri: uri }),
    );
  }
  algorithmCase(
    'c14n-with-comments-method',
    {
      provenance:
        'CanonicalizationMethod exc-c14n#WithComments (xml-crypto issue #586; attacks reference §3)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest(), { c14nMethod: alg.excC14nWithComments }),
  );
  algorithmCase(
    'c14n-with-comments-transform',
    {
      provenance:
        'Reference transform exc-c14n#WithComments: comments become signed content (xml-crypto issue #586; attacks reference §3 recipe g)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(
      logoutRequest({
        nameIdElement: `<!--signed comment--><saml:NameID Format="${persistent}">alice</saml:NameID>`,
      }),
      { transforms: [alg.enveloped, alg.excC14nWithComments] },
    ),
  );
  algorithmCase(
    'inclusive-c14n-transform',
    {
      provenance:
        'Reference transform inclusive C14N instead of exclusive (SAMLCore §5.4.4; attacks reference §3 recipe g)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest(), { transforms: [alg.enveloped, alg.c14n] }),
  );
  algorithmCase(
    'xpath-transform',
    {
      provenance: 'Three transforms, one of them XPath (SAMLCore §5.4.4; attacks reference §3 recipe g)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest(), { transforms: [alg.enveloped, alg.xpath, alg.excC14n] }),
  );
  algorithmCase(
    'no-transforms',
    {
      provenance: 'No Transforms element at all (SAMLCore §5.4.4; attacks reference §3 recipe g)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutRequest(), { transforms: [], omitTransforms: true }),
  );

  // ---- 3/7. Redirect signatures and query tricks --------------------------------------------
  const redirect = (id, entry, query) =>
    attack(
      {
        id: `${LR}/redirect/${id}`,
        messageType: 'LogoutRequest',
        binding: 'redirect',
        format: 'query',
        via: both,
        ...entry,
      },
      query,
    );
  const rq = (o = {}) => redirectQuery({ xml: redirectRequestXml, relayState: 'rs1', ...o });
  redirect(
    'sigalg-rsa-sha1',
    {
      attack: 'algorithm',
      provenance: 'SigAlg rsa-sha1 with a valid SHA-1 signature by SP-A (attacks reference §7 recipe j)',
      expect: { code: 'SAML_ALGORITHM_FORBIDDEN' },
    },
    rq({ signatureAlgorithm: alg.rsaSha1 }),
  );
  redirect(
    'sigalg-hmac-sha256',
    {
      attack: 'algorithm',
      provenance: `SigAlg hmac-sha256 keyed with SP-A’s PEM certificate (${ref.hmac}; attacks reference §7 recipe k)`,
      expect: { code: 'SAML_ALGORITHM_FORBIDDEN' },
    },
    rq({ signatureAlgorithm: alg.hmacSha256, hmacKey: pem('sp-a', 'crt') }),
  );
  redirect(
    'sigalg-unknown-uri',
    {
      attack: 'algorithm',
      provenance: `SigAlg urn:x#sha256 (${ref.samlifySigAlg}; attacks reference §7 recipe l)`,
      expect: { code: 'SAML_ALGORITHM_FORBIDDEN' },
    },
    rq({ sigAlgUri: 'urn:x#sha256' }),
  );
  redirect(
    'sigalg-rsa-md5-fragment',
    {
      attack: 'algorithm',
      provenance:
        'SigAlg urn:anything#RSA-MD5: node-saml 5.1.0 picks the hash after "#" (attacks reference §5, §7)',
      expect: { code: 'SAML_ALGORITHM_FORBIDDEN' },
    },
    rq({ sigAlgUri: 'urn:anything#RSA-MD5' }),
  );
  redirect(
    'sigalg-swapped-after-signing',
    {
      attack: 'algorithm',
      provenance: `SigAlg in the query (rsa-sha512) differs from the one signed (rsa-sha256) (${ref.bind}; attacks reference §7)`,
      expect: { code: 'SAML_SIGNATURE_INVALID' },
    },
    rq().replace(enc(alg.rsaSha256), enc(alg.rsaSha512)),
  );
  redirect(
    'sigalg-ecdsa-with-rsa-certificate',
    {
      attack: 'algorithm',
      provenance:
        'SigAlg ecdsa-sha256 while SP-A’s certificate is RSA (attacks reference §7 key type and SigAlg mismatch)',
      expect: { code: 'SAML_SIGNATURE_INVALID' },
    },
    rq({ sigAlgUri: alg.ecdsaSha256 }),
  );
  redirect(
    'attacker-key',
    {
      attack: 'key-selection',
      provenance: 'Query signed with an unregistered key (attacks reference §7 recipe n)',
      expect: { code: 'SAML_SIGNATURE_INVALID' },
    },
    redirectQuery({
      xml: logoutRequest({ binding: 'redirect', nameId: 'victim' }),
      relayState: 'rs1',
      key: 'evil',
    }),
  );
  redirect(
    'other-sp-key',
    {
      attack: 'key-selection',
      provenance: 'SP-B impersonating SP-A over HTTP-Redirect (attacks reference §7 recipe n)',
      expect: { code: 'SAML_SIGNATURE_INVALID' },
    },
    rq({ key: 'sp-b' }),
  );
  redirect(
    'unsigned',
    {
      attack: 'signature-exclusion',
      provenance: `No SigAlg and no Signature (${ref.exclusion}; attacks reference §7 recipe m)`,
      expect: { code: 'SAML_SIGNATURE_MISSING' },
    },
    rq({ sign: false }),
  );
  redirect(
    'signature-without-sigalg',
    {
      attack: 'signature-exclusion',
      provenance: 'Signature present, SigAlg dropped (attacks reference §7 recipe m)',
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    rq().replace(/&SigAlg=[^&]*/, ''),
  );
  redirect(
    'sigalg-without-signature',
    {
      attack: 'signature-exclusion',
      provenance: 'SigAlg present, Signature dropped (attacks reference §7 recipe m)',
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    rq().replace(/&Signature=[^&]*/, ''),
  );
  redirect(
    'empty-signature',
    {
      attack: 'signature-exclusion',
      provenance: 'An empty Signature= parameter (attacks reference §7 recipe m)',
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    rq().replace(/&Signature=[^&]*/, '&Signature='),
  );
  redirect(
    'embedded-xml-signature',
    {
      attack: 'signature-wrapping',
      provenance:
        'A ds:Signature inside the deflated XML of a signed query; SAMLBind §3.4.4.1 requires it removed (attacks reference §7 recipe p)',
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
    },
    rq({ xml: sign(redirectRequestXml) }),
  );
  redirect(
    'embedded-xml-signature-unsigned-query',
    {
      attack: 'signature-wrapping',
      provenance:
        'A validly signed ds:Signature inside the deflated XML and no query signature: it must never count as signed (attacks reference §7 recipe p)',
      expect: { code: 'SAML_SIGNATURE_MISSING' },
    },
    rq({ xml: sign(redirectRequestXml), sign: false }),
  );
  redirect(
    'relaystate-appended-unsigned',
    {
      attack: 'query-tricks',
      provenance: `Signed without RelayState, then RelayState=https://evil.example/ appended (${ref.bind}; attacks reference §7 recipe d)`,
      expect: { code: 'SAML_SIGNATURE_INVALID' },
    },
    `${rq({ relayState: undefined })}&RelayState=${enc('https://evil.example/')}`,
  );
  redirect(
    'signature-not-last-relaystate-after',
    {
      attack: 'query-tricks',
      provenance: `Signature not last: an unsigned RelayState placed after Signature (${ref.bind}; attacks reference §7)`,
      expect: { code: 'SAML_SIGNATURE_INVALID' },
    },
    `${rq({ relayState: undefined })}&RelayState=rs1`,
  );
  redirect(
    'duplicate-samlrequest',
    {
      attack: 'query-tricks',
      provenance: `A second SAMLRequest parameter carrying an evil message (${ref.phpSaml}; attacks reference §7 recipe g)`,
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    `${rq()}&SAMLRequest=${enc(Buffer.from(deflateRaw(logoutRequest({ binding: 'redirect', nameId: 'victim' }))).toString('base64'))}`,
  );
  redirect(
    'duplicate-relaystate',
    {
      attack: 'query-tricks',
      provenance: `Two RelayState parameters (${ref.phpSaml}; attacks reference §8 RelayState recipe)`,
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    `${rq()}&RelayState=${enc('https://evil.example/')}`,
  );
  const evilDeflated = enc(
    Buffer.from(deflateRaw(logoutRequest({ binding: 'redirect', nameId: 'victim' }))).toString('base64'),
  );
  redirect(
    'percent-encoded-parameter-name',
    {
      attack: 'query-tricks',
      provenance: `SAML%52equest=<evil> prepended: URLSearchParams decodes the name, a raw scan does not (${ref.phpSaml}; attacks reference §7 recipe f)`,
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    `SAML%52equest=${evilDeflated}&${rq()}`,
  );
  redirect(
    'qs-array-parameter-name',
    {
      attack: 'query-tricks',
      provenance: `SAMLRequest[]=<evil> (qs-style array name; attacks reference §7 recipe h)`,
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    `${rq()}&SAMLRequest[]=${evilDeflated}`,
  );
  redirect(
    'lowercase-parameter-name',
    {
      attack: 'query-tricks',
      provenance: 'samlrequest=<evil>: a case-folding framework would read it (attacks reference §7)',
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    `samlrequest=${evilDeflated}&${rq()}`,
  );
  redirect(
    'request-and-response-together',
    {
      attack: 'query-tricks',
      provenance: 'SAMLRequest and SAMLResponse in one query (attacks reference §7)',
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    `${rq()}&SAMLResponse=${evilDeflated}`,
  );
  redirect(
    'samlencoding-unknown',
    {
      attack: 'query-tricks',
      provenance: 'SAMLEncoding=urn:x (SAMLBind §3.4.4; attacks reference §7 recipe q)',
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    `${rq()}&SAMLEncoding=urn%3Ax`,
  );
  redirect(
    'raw-plus-in-signature',
    {
      attack: 'query-tricks',
      provenance:
        'The base64 Signature placed unencoded: "+" decodes to a space (attacks reference §7 recipe o)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    // Signature value of this message contains "+" or "/"; placed raw, "+" becomes a space.
    ensure(rq({ rawSignature: true }), (q) => /Signature=[^&]*\+/.test(q), 'raw signature contains +'),
  );
  redirect(
    'parameter-renamed-to-samlresponse',
    {
      attack: 'message-type',
      provenance:
        'SAMLRequest renamed to SAMLResponse after signing: the signed octets change (attacks reference §1 W18, §7 recipe i)',
      expect: { code: 'SAML_SIGNATURE_INVALID' },
    },
    rq().replace(/^SAMLRequest=/, 'SAMLResponse='),
  );
  redirect(
    'logout-response-under-samlrequest',
    {
      attack: 'message-type',
      provenance:
        'A LogoutResponse signed by SP-A under the SAMLRequest parameter (attacks reference §1 W18, §7)',
      expect: { code: 'SAML_MESSAGE_TYPE_MISMATCH' },
    },
    rq({ xml: logoutResponse({ binding: 'redirect' }) }),
  );
  redirect(
    'invalid-percent-encoding',
    {
      attack: 'decoding',
      provenance: 'A malformed escape (%ZZ) in RelayState (attacks reference §7)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    rq({ relayState: 'x', rawRelayState: '%ZZ' }),
  );

  // ---- 4/6. Parsing (POST) ------------------------------------------------------------------
  const parsing = (id, entry, content) =>
    attack(
      {
        id: `${LR}/post/${id}`,
        messageType: 'LogoutRequest',
        binding: 'post',
        format: 'xml',
        attack: 'xml-parsing',
        via: both,
        ...entry,
      },
      content,
    );
  parsing(
    'doctype-internal-entity',
    {
      provenance:
        'XXE / entity substitution: an internal entity replaces the NameID (CWE-611; attacks reference §4 item 1)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    trySign(`<!DOCTYPE samlp:LogoutRequest [<!ENTITY n "victim">]>\n${logoutRequest({ nameId: '&n;' })}`),
  );
  parsing(
    'doctype-external-entity',
    {
      provenance: 'XXE: an external entity on a loopback URL (CWE-611; attacks reference §4 item 2)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    trySign(
      `<!DOCTYPE samlp:LogoutRequest [<!ENTITY n SYSTEM "http://127.0.0.1:9/x">]>\n${logoutRequest({ nameId: '&n;' })}`,
    ),
  );
  parsing(
    'doctype-billion-laughs',
    {
      provenance: 'Billion laughs entity expansion (CWE-776; attacks reference §4 item 3)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    trySign(
      `<!DOCTYPE samlp:LogoutRequest [<!ENTITY l0 "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')}]>\n${logoutRequest({ nameId: '&l9;' })}`,
    ),
  );
  parsing(
    'doctype-without-entities',
    {
      provenance:
        'A DOCTYPE with no entity at all, accepted silently by xmldom (attacks reference §4 item 4)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    trySign(`<!DOCTYPE samlp:LogoutRequest>\n${logoutRequest()}`),
  );
  parsing(
    'undefined-entity-reference',
    {
      provenance:
        'An entity reference with no declaration (xmldom keeps "&n;" as text; attacks reference §4)',
      expect: { code: 'SAML_XML_MALFORMED' },
    },
    trySign(logoutRequest({ nameId: '&n;' })),
  );
  parsing(
    'trailing-text-after-root',
    {
      provenance: 'Text after the root element (attacks reference §4 item 6)',
      expect: { code: 'SAML_XML_MALFORMED' },
    },
    `${postRequest}victim`,
  );
  parsing(
    'end-tag-with-junk',
    {
      provenance: `</saml:NameID foo> accepted by lenient parsers (${ref.xmldom}; attacks reference §4 item 7)`,
      expect: { code: 'SAML_XML_MALFORMED' },
    },
    postRequest.replace('alice</saml:NameID>', 'alice</saml:NameID foo>'),
  );
  parsing(
    'duplicate-attribute',
    {
      provenance: 'The Version attribute written twice (CVE-2021-21366; attacks reference §4 item 8)',
      expect: { code: 'SAML_XML_MALFORMED' },
    },
    postRequest.replace('Version="2.0"', 'Version="2.0" Version="2.0"'),
  );
  parsing(
    'undeclared-prefix',
    {
      provenance: 'An element with an undeclared namespace prefix (attacks reference §4 item 9)',
      expect: { code: 'SAML_XML_MALFORMED' },
    },
    postRequest.replace('<samlp:SessionIndex>', '<x:Data/><samlp:SessionIndex>'),
  );
  for (const [name, char] of [
    ['nul', '\u0000'],
    ['nel', '\u0085'],
    ['line-separator', '\u2028'],
    ['paragraph-separator', '\u2029'],
  ]) {
    parsing(
      `${name}-in-nameid`,
      {
        provenance: `${JSON.stringify(char)} inside NameID: xmldom 0.9 and 0.8 normalise it differently (attacks reference §4 item 10)`,
        expect: { code: 'SAML_XML_FORBIDDEN_CONTENT' },
      },
      trySign(logoutRequest({ nameId: `ali${char}ce` })),
    );
  }
  parsing(
    'line-separator-reference-in-nameid',
    {
      provenance:
        'U+2028 written as the character reference &#x2028; inside NameID (attacks reference §4 item 10)',
      expect: { code: 'SAML_XML_FORBIDDEN_CONTENT' },
    },
    trySign(logoutRequest({ nameId: 'ali&#x2028;ce' })),
  );
  parsing(
    'deep-nesting',
    {
      provenance: `1,000 nested elements in Extensions (${ref.xmldom}; attacks reference §4 item 11)`,
      expect: { code: 'SAML_XML_LIMIT_EXCEEDED' },
    },
    trySign(
      logoutRequest({
        extensions: `<x:a xmlns:x="urn:x">${'<x:a>'.repeat(1000)}${'</x:a>'.repeat(1000)}</x:a>`,
      }),
    ),
  );
  parsing(
    'deep-namespace-nesting',
    {
      provenance: `1,000 nested elements each declaring a new prefix: quadratic memory in xmldom (${ref.xmldom}; attacks reference §4 item 12)`,
      expect: { code: 'SAML_XML_LIMIT_EXCEEDED' },
    },
    trySign(
      logoutRequest({
        extensions:
          Array.from({ length: 1000 }, (_, i) => `<p${i}:a xmlns:p${i}="urn:p${i}">`).join('') +
          Array.from({ length: 1000 }, (_, i) => `</p${999 - i}:a>`).join(''),
      }),
    ),
  );
  parsing(
    'many-attributes',
    {
      provenance:
        'One element with 1,000 attributes: O(n²) de-duplication (GHSA-8344-3jmq-59r6; attacks reference §4 item 13)',
      expect: { code: 'SAML_XML_LIMIT_EXCEEDED' },
    },
    trySign(
      logoutRequest({
        extensions: `<x:a xmlns:x="urn:x"${Array.from({ length: 1000 }, (_, i) => ` a${i}="1"`).join('')}/>`,
      }),
    ),
  );
  parsing(
    'latin1-declaration-with-latin1-byte',
    {
      provenance: 'encoding="ISO-8859-1" and a 0xE9 byte in NameID (attacks reference §4 item 14, §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    Buffer.concat([
      Buffer.from(
        `<?xml version="1.0" encoding="ISO-8859-1"?>\n${postRequest.split('>alice<')[0]}>al`,
        'utf8',
      ),
      Buffer.from([0xe9]),
      Buffer.from(`<${postRequest.split('>alice<')[1]}`, 'utf8'),
    ]),
  );
  parsing(
    'latin1-declaration',
    {
      provenance:
        'A non-UTF-8 encoding declaration on ASCII content: the declaration is ignored by xmldom (attacks reference §4)',
      expect: { code: 'SAML_XML_FORBIDDEN_CONTENT' },
    },
    trySign(`<?xml version="1.0" encoding="ISO-8859-1"?>\n${logoutRequest()}`),
  );
  parsing(
    'utf16le-with-bom',
    {
      provenance:
        'The message in UTF-16LE with a BOM and an encoding declaration (attacks reference §4 item 15, §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>\n${postRequest}`, 'utf16le'),
    ]),
  );
  for (const [name, bytes, provenance] of [
    ['overlong-utf8', [0xc0, 0xaf], 'An overlong UTF-8 sequence (C0 AF) in NameID (attacks reference §6)'],
    ['cesu8-surrogate', [0xed, 0xa0, 0x80], 'A CESU-8 encoded surrogate in NameID (attacks reference §6)'],
    ['lone-ff-byte', [0xff], 'A lone 0xFF byte in NameID (attacks reference §6)'],
  ]) {
    const [head, tail] = postRequest.split('>alice<');
    parsing(
      name,
      { provenance, expect: { code: 'SAML_BINDING_DECODE_FAILED' } },
      Buffer.concat([Buffer.from(`${head}>al`, 'utf8'), Buffer.from(bytes), Buffer.from(`<${tail}`, 'utf8')]),
    );
  }

  // ---- 6. Base64 and DEFLATE -----------------------------------------------------------------
  const postB64 = base64(postRequest);
  const form = (id, entry, body) =>
    attack(
      {
        id: `${LR}/post/${id}`,
        messageType: 'LogoutRequest',
        binding: 'post',
        format: 'form',
        attack: 'decoding',
        via: both,
        ...entry,
      },
      body,
    );
  form(
    'base64-junk-character',
    {
      provenance:
        'One "*" in the middle of the base64: Node’s decoder skips it (attacks reference §6 base64 recipe)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    formBody({ SAMLRequest: `${postB64.slice(0, 100)}*${postB64.slice(100)}` }),
  );
  form(
    'base64-url-safe-alphabet',
    {
      provenance:
        'base64url alphabet ("-" and "_"): Node’s decoder accepts it (attacks reference §6 base64 recipe)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    formBody({
      SAMLRequest: ensure(
        postB64.replace(/\+/g, '-').replace(/\//g, '_'),
        (v) => v !== postB64,
        'has + or /',
      ),
    }),
  );
  form(
    'base64-missing-padding',
    {
      provenance: 'base64 padding removed (attacks reference §6 base64 recipe)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    formBody({ SAMLRequest: ensure(postB64.replace(/=+$/, ''), (v) => v !== postB64, 'has padding') }),
  );
  form(
    'base64-data-after-padding',
    {
      provenance:
        '"PHg+" (<x>) appended after the padding: Node’s decoder stops at "=" (attacks reference §6 base64 recipe)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    formBody({ SAMLRequest: `${ensure(postB64, (v) => v.endsWith('='), 'ends with =')}PHg+` }),
  );
  form(
    'base64-spaces',
    {
      provenance: 'Spaces inside the base64 (SAMLBind §3.5.4; attacks reference §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    formBody({ SAMLRequest: postB64.replace(/(.{64})/g, '$1 ') }),
  );
  form(
    'raw-plus-in-form',
    {
      provenance:
        'The base64 placed in a form body without percent-encoding: "+" becomes a space (attacks reference §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    `SAMLRequest=${ensure(postB64, (v) => v.includes('+'), 'contains +')}`,
  );
  form(
    'base64-oversized',
    {
      provenance: `10 MiB of "A" as SAMLRequest (${ref.ruby2025}; attacks reference §6 base64 recipe)`,
      expect: { code: 'SAML_BINDING_LIMIT_EXCEEDED' },
      repeat: { unit: 'A'.repeat(64), times: 163840 },
    },
    'SAMLRequest=',
  );
  form(
    'duplicate-samlrequest-field',
    {
      attack: 'query-tricks',
      provenance: 'Two SAMLRequest fields, the second one evil (attacks reference §7 duplicates)',
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    `${formBody({ SAMLRequest: postB64 })}&${formBody({ SAMLRequest: base64(logoutRequest({ nameId: 'victim' })) })}`,
  );

  const redirectDecode = (id, entry, o) =>
    redirect(id, { attack: 'decoding', ...entry }, redirectQuery({ relayState: 'rs1', ...o }));
  const deflatedRequest = deflateRaw(Buffer.from(redirectRequestXml, 'utf8'));
  {
    const bombXml = `<samlp:LogoutRequest xmlns:samlp="${ns.samlp}" ID="_bomb">${' '.repeat(8 * 1024 * 1024)}</samlp:LogoutRequest>`;
    const bomb = deflateRaw(Buffer.from(bombXml, 'utf8'));
    const ratio = Math.floor(bombXml.length / bomb.length);
    if (ratio < 1000) throw new Error(`deflate bomb ratio ${ratio} < 1000`);
    redirectDecode(
      'deflate-bomb',
      {
        provenance: `A raw DEFLATE bomb: 8 MiB of spaces, ${ratio}:1, signed by SP-A so the decoder is what is tested (${ref.ruby2025}; attacks reference §6 recipe a)`,
        expect: { code: 'SAML_BINDING_LIMIT_EXCEEDED' },
        inflatedBytes: bombXml.length,
      },
      { deflated: bomb },
    );
    redirectDecode(
      'deflate-bomb-unsigned',
      {
        provenance: `The same DEFLATE bomb unsigned: inspection before key lookup must stop at the cap too (${ref.ruby2025}; attacks reference §6 recipe a)`,
        expect: { code: 'SAML_SIGNATURE_MISSING', idpCode: 'SAML_BINDING_LIMIT_EXCEEDED' },
        inflatedBytes: bombXml.length,
      },
      { deflated: bomb, sign: false },
    );
  }
  redirectDecode(
    'inflated-over-limit',
    {
      provenance: `300 KiB of valid XML padding in Extensions, over the 256 KiB inflate cap (${ref.ruby2025}; attacks reference §6 recipe b)`,
      expect: { code: 'SAML_BINDING_LIMIT_EXCEEDED' },
    },
    {
      xml: logoutRequest({
        binding: 'redirect',
        extensions: `<x:p xmlns:x="urn:x">${'x'.repeat(300 * 1024)}</x:p>`,
      }),
    },
  );
  redirectDecode(
    'zlib-wrapped',
    {
      provenance: `zlib (RFC 1950) instead of raw DEFLATE (${ref.pako}; attacks reference §6 recipe c)`,
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    { deflated: zlibDeflate(Buffer.from(redirectRequestXml, 'utf8')) },
  );
  redirectDecode(
    'gzip',
    {
      provenance: `gzip instead of raw DEFLATE (${ref.pako}; attacks reference §6 recipe d)`,
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    { deflated: gzip(Buffer.from(redirectRequestXml, 'utf8')) },
  );
  redirectDecode(
    'uncompressed',
    {
      provenance: `base64 of the plain XML, no DEFLATE: python3-saml and ruby-saml fall back to it (${ref.pako}; attacks reference §6 recipe e)`,
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    { deflated: Buffer.from(redirectRequestXml, 'utf8') },
  );
  redirectDecode(
    'truncated-deflate',
    {
      provenance: `The DEFLATE stream with 5 bytes cut off: pako 2.1.0 returns undefined (${ref.pako}; attacks reference §6 recipe f)`,
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    { deflated: deflatedRequest.slice(0, -5) },
  );
  redirectDecode(
    'trailing-bytes-after-deflate',
    {
      provenance: `"GARBAGE" after the end of the DEFLATE stream: ignored by pako and zlib (${ref.pako}; attacks reference §6 recipe g)`,
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    { deflated: Buffer.concat([Buffer.from(deflatedRequest), Buffer.from('GARBAGE')]) },
  );
  redirectDecode(
    'invalid-base64',
    {
      provenance: 'SAMLRequest with a "*" in its base64, signed as sent (attacks reference §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    {
      rawMessage: enc(
        `${Buffer.from(deflatedRequest).toString('base64').slice(0, 40)}*${Buffer.from(deflatedRequest).toString('base64').slice(40)}`,
      ),
    },
  );
  redirectDecode(
    'inflated-invalid-utf8',
    {
      provenance: 'Inflated bytes that are not UTF-8 (an overlong C0 AF in NameID) (attacks reference §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    {
      deflated: deflateRaw(
        Buffer.concat([
          Buffer.from(redirectRequestXml.split('>alice<')[0] + '>al', 'utf8'),
          Buffer.from([0xc0, 0xaf]),
          Buffer.from(`<${redirectRequestXml.split('>alice<')[1]}`, 'utf8'),
        ]),
      ),
    },
  );
  redirectDecode(
    'inflated-utf16',
    {
      provenance: 'Inflated bytes in UTF-16LE with a BOM (attacks reference §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    {
      deflated: deflateRaw(
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(redirectRequestXml, 'utf16le')]),
      ),
    },
  );
  redirectDecode(
    'doctype',
    {
      attack: 'xml-parsing',
      provenance:
        'A DOCTYPE with an internal entity inside a signed HTTP-Redirect message (CWE-611; attacks reference §4, §6)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    {
      xml: `<!DOCTYPE samlp:LogoutRequest [<!ENTITY n "victim">]>${redirectRequestXml.replace('>alice<', '>&n;<')}`,
    },
  );
  redirect(
    'query-oversized',
    {
      attack: 'decoding',
      provenance: `A query string of over 1 MiB (${ref.ruby2025}; attacks reference §0 step 1)`,
      expect: { code: 'SAML_BINDING_LIMIT_EXCEEDED' },
      repeat: { unit: `&x=${'A'.repeat(61)}`, times: 16384 },
    },
    rq(),
  );

  // ---- 8. Message semantics -------------------------------------------------------------------
  const semantic = (id, entry, content) =>
    attack(
      {
        id: `${LR}/post/${id}`,
        messageType: 'LogoutRequest',
        binding: 'post',
        format: 'xml',
        attack: 'message-semantics',
        via: both,
        ...entry,
      },
      content,
    );
  semantic(
    'replay',
    {
      provenance:
        'The valid signed message sent a second time (SAMLCore §1.3.4; attacks reference §8 replay)',
      expect: { code: 'SAML_REPLAY_DETECTED' },
      via: ['idp'],
      idp: { precededBy: `${LR}/post/control-signed` },
    },
    postRequest,
  );
  semantic(
    'replay-resigned-new-instant',
    {
      provenance: 'The same ID re-signed with a later IssueInstant (attacks reference §8 replay)',
      expect: { code: 'SAML_REPLAY_DETECTED' },
      via: ['idp'],
      idp: { precededBy: `${LR}/post/control-signed` },
    },
    sign(logoutRequest({ attrs: { IssueInstant: '2026-04-20T10:00:30Z' } })),
  );
  redirect(
    'replay',
    {
      attack: 'message-semantics',
      provenance:
        'The valid signed HTTP-Redirect message sent a second time (SAMLCore §1.3.4; attacks reference §8 replay)',
      expect: { code: 'SAML_REPLAY_DETECTED' },
      via: ['idp'],
      idp: { precededBy: `${LR}/redirect/control-signed` },
    },
    rq(),
  );
  for (const [name, instant, code] of [
    ['far-future', '2999-01-01T00:00:00Z', 'SAML_MESSAGE_EXPIRED'],
    ['epoch', '1970-01-01T00:00:00Z', 'SAML_MESSAGE_EXPIRED'],
    ['one-hour-ahead', '2026-04-20T11:00:00Z', 'SAML_MESSAGE_EXPIRED'],
    ['one-hour-old', '2026-04-20T09:00:00Z', 'SAML_MESSAGE_EXPIRED'],
    ['just-past-skew', '2026-04-20T10:03:01Z', 'SAML_MESSAGE_EXPIRED'],
    ['not-a-date', 'not-a-date', 'SAML_MESSAGE_INVALID'],
    ['february-30', '2026-02-30T00:00:00Z', 'SAML_MESSAGE_INVALID'],
    ['no-zone', '2026-04-20T10:00:00', 'SAML_MESSAGE_INVALID'],
    ['offset-zone', '2026-04-20T11:00:00+01:00', 'SAML_MESSAGE_INVALID'],
    ['year-zero', '0000-01-01T00:00:00Z', 'SAML_MESSAGE_INVALID'],
    ['signed-year', '+2026-04-20T10:00:00Z', 'SAML_MESSAGE_INVALID'],
    ['30-digit-fraction', `2026-04-20T10:00:00.${'1'.repeat(30)}Z`, 'SAML_MESSAGE_INVALID'],
  ]) {
    semantic(
      `issueinstant-${name}`,
      {
        provenance: `IssueInstant ${instant} (SAMLCore §1.3.3; attacks reference §8 IssueInstant recipe)`,
        expect: { code },
      },
      sign(logoutRequest({ attrs: { IssueInstant: instant } })),
    );
  }
  semantic(
    'notonorafter-passed',
    {
      provenance:
        'NotOnOrAfter 10 minutes in the past, IssueInstant recent (SAMLCore §3.7.1; attacks reference §8)',
      expect: { code: 'SAML_MESSAGE_EXPIRED' },
    },
    sign(
      logoutRequest({
        attrs: { IssueInstant: '2026-04-20T09:49:00Z', NotOnOrAfter: '2026-04-20T09:50:00Z' },
      }),
    ),
  );
  for (const [name, destination] of [
    ['missing', undefined],
    ['other-idp', 'https://idp.other.example/slo/post'],
    ['uppercase-host', 'https://IDP.example.com/slo/post'],
    ['trailing-slash', 'https://idp.example.com/slo/post/'],
    ['extra-query', 'https://idp.example.com/slo/post?x=1'],
    ['http-scheme', 'http://idp.example.com/slo/post'],
    ['redirect-endpoint', world.endpoints.redirect],
  ]) {
    semantic(
      `destination-${name}`,
      {
        provenance: `Destination ${destination ?? 'removed'} on a signed message (SAMLBind §3.5.5.2; attacks reference §8 Destination recipe)`,
        expect: { code: 'SAML_DESTINATION_MISMATCH' },
      },
      sign(logoutRequest({ attrs: { Destination: destination } })),
    );
  }
  for (const [name, issuer, code, idpCode, provenance] of [
    [
      'unknown',
      `<saml:Issuer>https://unknown.example.com/metadata</saml:Issuer>`,
      'SAML_ISSUER_MISMATCH',
      'SAML_ISSUER_UNKNOWN',
      'An Issuer naming no registered SP (attacks reference §8 issuer recipe e)',
    ],
    [
      'missing',
      null,
      'SAML_ISSUER_MISMATCH',
      'SAML_ISSUER_UNKNOWN',
      'Issuer removed (SAMLProf §4.4.4.1; attacks reference §8 issuer recipe b)',
    ],
    [
      'persistent-format',
      `<saml:Issuer Format="${persistent}">${SP_A}</saml:Issuer>`,
      'SAML_ISSUER_MISMATCH',
      'SAML_ISSUER_MISMATCH',
      'Issuer with a persistent Format (SAMLProf §4.4.4.1; attacks reference §8 issuer recipe c)',
    ],
    [
      'twice',
      `<saml:Issuer>${SP_A}</saml:Issuer><saml:Issuer>${SP_B}</saml:Issuer>`,
      'SAML_MESSAGE_INVALID',
      'SAML_MESSAGE_INVALID',
      'Two Issuer elements (attacks reference §8 issuer recipe d)',
    ],
    [
      'trailing-space',
      `<saml:Issuer>${SP_A} </saml:Issuer>`,
      'SAML_ISSUER_MISMATCH',
      'SAML_ISSUER_UNKNOWN',
      'Issuer with trailing whitespace (attacks reference §8 issuer recipe f)',
    ],
    [
      'case-changed',
      `<saml:Issuer>${SP_A.toUpperCase()}</saml:Issuer>`,
      'SAML_ISSUER_MISMATCH',
      'SAML_ISSUER_UNKNOWN',
      'Issuer differing only in case (attacks reference §8 issuer recipe f)',
    ],
  ]) {
    semantic(`issuer-${name}`, { provenance, expect: { code, idpCode } }, sign(logoutRequest({ issuer })));
  }
  semantic(
    'version-1.1',
    {
      provenance: 'Version="1.1" (SAMLCore §3.2.1; attacks reference §8 version recipe)',
      expect: { code: 'SAML_VERSION_MISMATCH' },
    },
    sign(logoutRequest({ attrs: { Version: '1.1' } })),
  );
  semantic(
    'version-2.00',
    {
      provenance: 'Version="2.00" (SAMLCore §3.2.1; attacks reference §8 version recipe)',
      expect: { code: 'SAML_VERSION_MISMATCH' },
    },
    sign(logoutRequest({ attrs: { Version: '2.00' } })),
  );
  semantic(
    'version-missing',
    {
      provenance: 'No Version attribute (SAMLCore §3.2.1; attacks reference §8 version recipe)',
      expect: { code: 'SAML_MESSAGE_INVALID' },
    },
    sign(logoutRequest({ attrs: { Version: undefined } })),
  );
  semantic(
    'id-not-ncname',
    {
      provenance:
        "ID=\"x' or '1'='1\": XPath injection into an ID lookup (attacks reference §3 item 7, §8 replay)",
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION', idpCode: 'SAML_MESSAGE_INVALID' },
    },
    sign(logoutRequest({ attrs: { ID: "x' or '1'='1" } })),
  );
  semantic(
    'relaystate-81-bytes',
    {
      attack: 'relay-state',
      provenance: 'RelayState of 81 bytes (SAMLBind §3.5.3; attacks reference §8 RelayState recipe)',
      expect: { code: 'SAML_RELAY_STATE_INVALID' },
      relayState: 'r'.repeat(81),
    },
    postRequest,
  );
  redirect(
    'relaystate-81-bytes',
    {
      attack: 'relay-state',
      provenance:
        'RelayState of 81 bytes in a signed query (SAMLBind §3.4.3; attacks reference §8 RelayState recipe)',
      expect: { code: 'SAML_RELAY_STATE_INVALID' },
    },
    rq({ relayState: 'r'.repeat(81) }),
  );
  redirect(
    'relaystate-80-multibyte-characters',
    {
      attack: 'relay-state',
      provenance:
        'RelayState of 80 characters but 160 UTF-8 bytes (SAMLBind §3.4.3; attacks reference §8 RelayState recipe)',
      expect: { code: 'SAML_RELAY_STATE_INVALID' },
    },
    rq({ relayState: 'é'.repeat(80) }),
  );
  redirect(
    'relaystate-header-injection',
    {
      attack: 'relay-state',
      provenance: 'RelayState carrying CR LF Set-Cookie (attacks reference §8 RelayState recipe)',
      expect: { code: 'SAML_RELAY_STATE_INVALID' },
    },
    rq({ relayState: 'x\r\nSet-Cookie: x=1' }),
  );
  redirect(
    'relaystate-nul',
    {
      attack: 'relay-state',
      provenance: 'RelayState carrying NUL (attacks reference §8 RelayState recipe)',
      expect: { code: 'SAML_RELAY_STATE_INVALID' },
    },
    rq({ relayState: 'a\u0000b' }),
  );
  redirect(
    'sls-url-and-redirect-target-in-message',
    {
      attack: 'open-redirect',
      provenance:
        'A validly signed request whose RelayState, an extra query parameter and an Extensions SingleLogoutService all name https://evil.example/ (SAMLProf §4.4.3.4; attacks reference §8 open redirect)',
      expect: { ignored: 'reply-to-configured-sls' },
      via: ['idp'],
    },
    `${redirectQuery({
      xml: logoutRequest({
        binding: 'redirect',
        extensions: `<md:SingleLogoutService xmlns:md="${ns.md}" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://evil.example/slo"/>`,
      }),
      relayState: 'https://evil.example/',
    })}&ReturnTo=${enc('https://evil.example/')}`,
  );
  semantic(
    'nameid-of-another-sp',
    {
      attack: 'message-semantics',
      provenance:
        'Forced logout: SP-B signs a request naming the NameID and SessionIndex alice holds at SP-A (attacks reference §8 forced logout)',
      expect: { ignored: 'unknown-principal-no-session-ended' },
      via: ['idp'],
    },
    sign(logoutRequest({ issuer: `<saml:Issuer>${SP_B}</saml:Issuer>` }), { key: 'sp-b' }),
  );

  // ---- LogoutResponse ----------------------------------------------------------------------------
  const response = (id, entry, content) =>
    attack(
      {
        id: `${LRS}/post/${id}`,
        messageType: 'LogoutResponse',
        binding: 'post',
        format: 'xml',
        relayState: world.pending.relayState,
        via: both,
        ...entry,
      },
      content,
    );
  {
    const { doc, clone } = evilRoot(postResponse);
    rootSignature(doc).appendChild(clone);
    response(
      'xsw1-clone-inside-signature',
      {
        attack: 'signature-wrapping',
        provenance: `XSW1 on a LogoutResponse: evil root (status flipped) around the signed original (${ref.xsw}; attacks reference §1 W1)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'accepts-other-element' },
      },
      serialize(doc),
    );
  }
  {
    const evil = parse(logoutResponse({ attrs: { ID: '_evil' }, statusCode: responder }));
    insertExtensions(evil, evil.documentElement, evil.importNode(parse(postResponse).documentElement, true));
    response(
      'xsw3-original-in-extensions',
      {
        attack: 'signature-wrapping',
        provenance: `XSW3 on a LogoutResponse: the signed original in Extensions of an unsigned evil response (${ref.xsw}; ${ref.samlify2025}; attacks reference §1 W3)`,
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: { verdict: 'accepts-other-element' },
      },
      serialize(evil),
    );
  }
  {
    const doc = parse(postResponse);
    const decoy = rootSignature(doc).cloneNode(true);
    doc.documentElement.insertBefore(decoy, doc.documentElement.firstChild);
    response(
      'w8-decoy-signature-clone',
      {
        attack: 'signature-wrapping',
        provenance:
          'Decoy Signature: a byte copy of the real ds:Signature as first child of a LogoutResponse (attacks reference §1 W8)',
        expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION' },
        xmlCrypto: {
          verdict: 'rejects',
          note: 'xml-crypto 6.3 refuses several Signatures with one SignatureValue; 6.1.2 accepted this document (attacks reference §1 W8, measured).',
        },
      },
      serialize(doc),
    );
  }
  response(
    'w18-logout-request-as-response',
    {
      attack: 'message-type',
      provenance:
        'Message-type substitution: a LogoutRequest validly signed by SP-A posted as SAMLResponse (attacks reference §1 W18)',
      expect: { code: 'SAML_MESSAGE_TYPE_MISMATCH' },
      xmlCrypto: {
        verdict: 'accepts',
        note: 'Validly signed by SP-A; only the receiver can bind the root type to the SAMLResponse parameter.',
      },
    },
    postRequest,
  );
  response(
    'w19-signature-removed',
    {
      attack: 'signature-exclusion',
      provenance: `Signature exclusion on a LogoutResponse, status flipped (${ref.exclusion}; attacks reference §1 W19)`,
      expect: { code: 'SAML_SIGNATURE_MISSING' },
      xmlCrypto: { verdict: 'rejects' },
    },
    postResponse.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, ''),
  );
  response(
    'other-sp-key',
    {
      attack: 'key-selection',
      provenance:
        'SP-B impersonating SP-A: a LogoutResponse with Issuer SP-A signed with SP-B’s key (attacks reference §7 wrong key)',
      expect: { code: 'SAML_SIGNATURE_INVALID' },
      xmlCrypto: { verdict: 'rejects' },
    },
    sign(logoutResponse(), { key: 'sp-b' }),
  );
  response(
    'answered-by-another-sp',
    {
      attack: 'message-semantics',
      provenance:
        'SP-B, correctly signed, answers the step that waits for SP-A (attacks reference §8 InResponseTo recipe)',
      expect: { code: 'SAML_SIGNATURE_INVALID', idpCode: 'SAML_ISSUER_MISMATCH' },
      xmlCrypto: {
        verdict: 'rejects',
        note: 'Rejected because the strict verifier trusts only SP-A’s certificate, the peer the step waits for.',
      },
    },
    sign(logoutResponse({ issuer: `<saml:Issuer>${SP_B}</saml:Issuer>` }), { key: 'sp-b' }),
  );
  response(
    'inresponseto-not-ours',
    {
      attack: 'message-semantics',
      provenance:
        'InResponseTo naming a request the IdP never sent (SAMLCore §3.2.2; attacks reference §8 InResponseTo recipe)',
      expect: { code: 'SAML_IN_RESPONSE_TO_MISMATCH' },
    },
    sign(logoutResponse({ attrs: { InResponseTo: '_never-sent' } })),
  );
  response(
    'inresponseto-missing',
    {
      attack: 'message-semantics',
      provenance: 'InResponseTo removed (SAMLCore §3.2.2; attacks reference §8 InResponseTo recipe)',
      expect: { code: 'SAML_IN_RESPONSE_TO_MISMATCH' },
    },
    sign(logoutResponse({ attrs: { InResponseTo: undefined } })),
  );
  response(
    'relaystate-of-no-transaction',
    {
      attack: 'message-semantics',
      provenance:
        'A valid response whose RelayState selects no pending logout (attacks reference §8 InResponseTo recipe)',
      expect: { code: 'SAML_IN_RESPONSE_TO_MISMATCH', idpCode: 'SAML_LOGOUT_TRANSACTION_UNKNOWN' },
      relayState: '_no-such-logout',
    },
    sign(logoutResponse({ attrs: { InResponseTo: '_no-such-request' } })),
  );
  response(
    'replay',
    {
      attack: 'message-semantics',
      provenance:
        'The valid LogoutResponse sent a second time (SAMLCore §1.3.4; attacks reference §8 InResponseTo recipe)',
      expect: { code: 'SAML_LOGOUT_TRANSACTION_UNKNOWN' },
      via: ['idp'],
      idp: { precededBy: `${LRS}/post/control-signed` },
    },
    postResponse,
  );
  response(
    'destination-other-idp',
    {
      attack: 'message-semantics',
      provenance:
        'Destination of another IdP on a signed LogoutResponse (SAMLBind §3.5.5.2; attacks reference §8)',
      expect: { code: 'SAML_DESTINATION_MISMATCH' },
    },
    sign(logoutResponse({ attrs: { Destination: 'https://idp.other.example/slo/post' } })),
  );
  response(
    'issueinstant-one-hour-old',
    {
      attack: 'message-semantics',
      provenance: 'IssueInstant one hour old (SAMLCore §1.3.3; attacks reference §8)',
      expect: { code: 'SAML_MESSAGE_EXPIRED' },
    },
    sign(logoutResponse({ attrs: { IssueInstant: '2026-04-20T09:00:00Z' } })),
  );
  response(
    'success-nested-under-responder',
    {
      attack: 'message-semantics',
      provenance:
        'A Success second-level code under a Responder top-level status (SAMLCore §3.2.2.2; attacks reference §8 InResponseTo recipe)',
      expect: { ignored: 'participant-not-logged-out' },
      via: ['idp'],
    },
    sign(
      logoutResponse({
        status: `<samlp:Status><samlp:StatusCode Value="${responder}"><samlp:StatusCode Value="${success}"/></samlp:StatusCode></samlp:Status>`,
      }),
    ),
  );
  attack(
    {
      id: `${LRS}/redirect/unsigned`,
      messageType: 'LogoutResponse',
      binding: 'redirect',
      format: 'query',
      via: both,
      attack: 'signature-exclusion',
      provenance: `An unsigned HTTP-Redirect LogoutResponse (${ref.exclusion}; SAMLProf §4.4.4.2)`,
      expect: { code: 'SAML_SIGNATURE_MISSING' },
    },
    redirectQuery({
      type: 'SAMLResponse',
      xml: logoutResponse({ binding: 'redirect' }),
      relayState: world.pending.relayState,
      sign: false,
    }),
  );
  attack(
    {
      id: `${LRS}/redirect/sigalg-rsa-sha1`,
      messageType: 'LogoutResponse',
      binding: 'redirect',
      format: 'query',
      via: both,
      attack: 'algorithm',
      provenance: 'SigAlg rsa-sha1 on a LogoutResponse (attacks reference §7 recipe j)',
      expect: { code: 'SAML_ALGORITHM_FORBIDDEN' },
    },
    redirectQuery({
      type: 'SAMLResponse',
      xml: logoutResponse({ binding: 'redirect' }),
      relayState: world.pending.relayState,
      signatureAlgorithm: alg.rsaSha1,
    }),
  );
  attack(
    {
      id: `${LRS}/redirect/comment-in-issuer`,
      messageType: 'LogoutResponse',
      binding: 'redirect',
      format: 'query',
      via: both,
      attack: 'text-node-splitting',
      provenance: `A comment splitting the Issuer of a signed HTTP-Redirect LogoutResponse (${ref.duo}; attacks reference §2)`,
      expect: { code: 'SAML_XML_MIXED_CONTENT' },
    },
    redirectQuery({
      type: 'SAMLResponse',
      xml: logoutResponse({
        binding: 'redirect',
        issuer: `<saml:Issuer>${SP_A.replace('.com/', '.com<!---->/')}</saml:Issuer>`,
      }),
      relayState: world.pending.relayState,
    }),
  );

  // xml-crypto's verdicts where the attack is on parsing or on SAML semantics, not on XML-DSig:
  // recorded so the differential is visible (test/security/corpus.test.ts checks each one).
  const parserNote =
    'xml-crypto parses with its own @xmldom/xmldom 0.8 and no limits; the document is validly signed, so it verifies.';
  const parserVerdicts = {
    'soap/doctype': ['accepts', `${parserNote} The DOCTYPE is kept and "&n;" stays unexpanded text.`],
    'post/doctype-internal-entity': [
      'accepts',
      `${parserNote} The DOCTYPE is kept and "&n;" stays unexpanded text.`,
    ],
    'post/doctype-external-entity': ['accepts', `${parserNote} No entity is fetched or expanded.`],
    'post/doctype-billion-laughs': ['accepts', `${parserNote} No entity is expanded.`],
    'post/doctype-without-entities': ['accepts', `${parserNote} The DOCTYPE is accepted silently.`],
    'post/undefined-entity-reference': ['accepts', `${parserNote} "&n;" stays literal text.`],
    'post/trailing-text-after-root': ['accepts', `${parserNote} Text after the root is dropped.`],
    'post/end-tag-with-junk': ['rejects', undefined],
    'post/duplicate-attribute': ['rejects', undefined],
    'post/undeclared-prefix': ['rejects', undefined],
    'post/nul-in-nameid': ['accepts', `${parserNote} NUL is kept.`],
    'post/nel-in-nameid': ['accepts', `${parserNote} Both xmldom versions turn NEL into a line feed.`],
    'post/line-separator-in-nameid': [
      'accepts',
      `${parserNote} Both xmldom versions turn U+2028 into a line feed.`,
    ],
    'post/paragraph-separator-in-nameid': [
      'rejects',
      'xmldom 0.9 (the signer here) turns U+2029 into a line feed, xml-crypto’s xmldom 0.8 keeps it: the digests differ, the parser differential of attacks reference §4.',
    ],
    'post/line-separator-reference-in-nameid': ['accepts', `${parserNote} The reference becomes U+2028.`],
    'post/deep-nesting': ['accepts', `${parserNote} 1,000 levels pass.`],
    'post/deep-namespace-nesting': ['accepts', `${parserNote} 1,000 namespace scopes pass.`],
    'post/many-attributes': ['accepts', `${parserNote} 1,000 attributes pass.`],
    'post/latin1-declaration': ['accepts', `${parserNote} The encoding declaration is ignored.`],
  };
  for (const { entry } of cases) {
    const key = entry.id.slice(entry.id.indexOf('/') + 1);
    const parser = parserVerdicts[key];
    if (parser && entry.messageType === 'LogoutRequest') {
      entry.xmlCrypto = { verdict: parser[0], ...(parser[1] ? { note: parser[1] } : {}) };
    } else if (
      !entry.xmlCrypto &&
      (entry.format === 'xml' || entry.format === 'soap') &&
      ['message-semantics', 'relay-state'].includes(entry.attack) &&
      !['post/nameid-of-another-sp', 'post/id-not-ncname'].includes(key)
    ) {
      entry.xmlCrypto = {
        verdict: 'accepts',
        note: 'Validly signed by SP-A: this is a SAML message rule (time, Destination, Issuer, Version, replay, RelayState, status), outside XML-DSig.',
      };
    }
  }
  const idNote = cases.find((c) => c.entry.id === `${LR}/post/id-not-ncname`).entry;
  idNote.xmlCrypto = {
    verdict: 'rejects',
    note: 'xml-crypto refuses quotes in a Reference URI (its XPath-injection guard).',
  };
  const otherSp = cases.find((c) => c.entry.id === `${LR}/post/nameid-of-another-sp`).entry;
  otherSp.xmlCrypto = {
    verdict: 'rejects',
    note: 'Validly signed by SP-B; rejected here only because the strict verifier trusts SP-A’s certificate.',
  };

  return { cases, controls };
}

/** Signs when the (hostile) document can be signed at all; otherwise leaves it as it is. */
function trySign(xml) {
  try {
    return sign(xml);
  } catch {
    return xml;
  }
}

function ensure(value, predicate, what) {
  if (!predicate(value)) throw new Error(`attack corpus: expected the fixture to satisfy "${what}"`);
  return value;
}

/** The manifest written to fixtures/attacks/index.json. */
export function attackManifest(corpus = generateAttackCorpus()) {
  return {
    description:
      'Hostile SAML messages and the SAML_* code samlkit must reject each with. Generated by scripts/generate-attack-corpus.mjs; see docs/security.md.',
    world,
    formats: {
      xml: 'the decoded message document; sent base64-encoded as the SAMLRequest/SAMLResponse field (HTTP-POST)',
      form: 'the raw application/x-www-form-urlencoded HTTP-POST body',
      query: 'the raw HTTP-Redirect query string, without "?"',
      soap: 'the raw SOAP 1.1 request body',
    },
    controls: corpus.controls.map((c) => c.entry),
    cases: corpus.cases.map((c) => c.entry),
  };
}
