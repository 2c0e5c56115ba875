// Signature wrapping of a POST LogoutRequest (XSW1-XSW8 and their relatives).
import { createHash } from 'node:crypto';
import type { CorpusContext } from '../context.js';
import {
  alg,
  canonicalize,
  element,
  evilRoot,
  insertExtensions,
  logoutRequest,
  ns,
  parse,
  ref,
  rootSignature,
  serialize,
  sign,
  victimNameId,
} from '../shared.js';

export function addSignatureWrapping({ postRequest, postResponse, postCases }: CorpusContext): void {
  // ---- 1. Signature wrapping (POST, LogoutRequest) -----------------------------------------
  const wrap = postCases({ messageType: 'LogoutRequest', attack: 'signature-wrapping' });

  {
    const { doc, clone } = evilRoot(postRequest);
    rootSignature(doc)!.appendChild(clone);
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
    root.insertBefore(clone, rootSignature(doc)!);
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
    insertExtensions(evil, evil.documentElement!, evil.importNode(parse(postRequest).documentElement!, true));
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
    evil.documentElement!.appendChild(evil.importNode(parse(postRequest).documentElement!, true));
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
    rootSignature(doc)!.appendChild(element(doc, ns.ds, 'ds:Object', [clone]));
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
    rootSignature(doc)!.appendChild(element(doc, ns.ds, 'ds:Object', [clone]));
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
  ] as [string, string][]) {
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
    rootSignature(doc)!.appendChild(object);
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
    const decoy = rootSignature(doc)!.cloneNode(true);
    decoy.appendChild(element(doc, ns.ds, 'ds:Object', [victimNameId(doc)]));
    doc.documentElement!.insertBefore(decoy, doc.documentElement!.firstChild);
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
    const signedInfo = /<ds:SignedInfo>[\s\S]*?<\/ds:SignedInfo>/.exec(postRequest)![0];
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
      .update(canonicalize(parse(unsigned).documentElement!, alg.excC14n), 'utf8')
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
    const realDigest = /<ds:DigestValue>([^<]*)<\/ds:DigestValue>/.exec(postRequest)![1];
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
    insertExtensions(evil, evil.documentElement!, evil.importNode(parse(postRequest).documentElement!, true));
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
}
