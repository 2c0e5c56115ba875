// HTTP-Redirect signatures and query tricks.
import { deflateRaw } from 'pako';
import type { CorpusContext } from '../context.js';
import { alg, enc, ensure, logoutRequest, logoutResponse, pem, redirectQuery, ref, sign } from '../shared.js';

export function addRedirectSignatures({ redirectRequestXml, redirect, rq }: CorpusContext): void {
  // ---- 3/7. Redirect signatures and query tricks --------------------------------------------
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
}
