// LogoutResponses: wrapping, status, InResponseTo and RelayState.

import type { CorpusContext } from '../context.js';
import {
  alg,
  evilRoot,
  insertExtensions,
  logoutResponse,
  parse,
  redirectQuery,
  ref,
  responder,
  rootSignature,
  SP_A,
  SP_B,
  serialize,
  sign,
  success,
  world,
} from '../shared.js';

export function addLogoutResponse({
  attack,
  LRS,
  both,
  postRequest,
  postResponse,
  postCases,
}: CorpusContext): void {
  // ---- LogoutResponse ----------------------------------------------------------------------------
  const response = postCases({ messageType: 'LogoutResponse', relayState: world.pending.relayState });
  {
    const { doc, clone } = evilRoot(postResponse);
    rootSignature(doc)!.appendChild(clone);
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
    insertExtensions(
      evil,
      evil.documentElement!,
      evil.importNode(parse(postResponse).documentElement!, true),
    );
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
    const decoy = rootSignature(doc)!.cloneNode(true);
    doc.documentElement!.insertBefore(decoy, doc.documentElement!.firstChild);
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
}
