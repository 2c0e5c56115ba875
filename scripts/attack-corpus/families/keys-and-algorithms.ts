// Keys and algorithms in POST signatures: foreign and embedded keys, HMAC, weak or mismatched algorithms.

import type { Content, CorpusContext, EntryExtra } from '../context.js';
import { alg, certificateBody, logoutRequest, pem, persistent, ref, sign, world } from '../shared.js';

export function addKeysAndAlgorithms({ postCases }: CorpusContext): void {
  // ---- 3/7. Keys and algorithms (POST) -------------------------------------------------------
  const keyCase = postCases({ messageType: 'LogoutRequest', attack: 'key-selection' });
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
  const algorithmCase = (id: string, entry: EntryExtra, content: Content) =>
    keyCase(id, { attack: 'algorithm', ...entry }, content);
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
}
