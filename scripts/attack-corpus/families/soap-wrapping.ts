// Signature wrapping inside a SOAP envelope.

import type { CorpusContext } from '../context.js';
import { evilRoot, logoutRequest, ref, rootSignature, serialize, sign, soapEnvelope } from '../shared.js';

export function addSoapWrapping({ attack, LR, both, soapRequest }: CorpusContext): void {
  // ---- SOAP wrapping -------------------------------------------------------------------------
  {
    const { doc, clone } = evilRoot(soapRequest);
    rootSignature(doc)!.appendChild(clone);
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
}
