import { describe, expect, it } from 'vitest';
import { authnContextClasses, nameIdFormats, parseAuthnRequest } from '../../src/index.js';
import { element } from '../../src/xml/index.js';
import { authnRequestXml, expectThrows, idpSsoPost, spAcsUrl, spEntityId } from './support.js';

describe('parseAuthnRequest', () => {
  it('reads the header, the ACS, the flags, NameIDPolicy, RequestedAuthnContext and Subject', () => {
    const request = parseAuthnRequest(
      authnRequestXml({
        acsUrl: spAcsUrl,
        protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
        forceAuthn: 'true',
        isPassive: '0',
        providerName: 'Wiki',
        attributeIndex: '3',
        nameIdPolicy: { Format: nameIdFormats.persistent, SPNameQualifier: spEntityId, AllowCreate: '1' },
        requestedAuthnContext: {
          comparison: 'minimum',
          classRefs: [authnContextClasses.passwordProtectedTransport],
        },
        subject: { value: 'alice@example.com', format: nameIdFormats.emailAddress },
      }),
    );
    expect(request).toEqual({
      id: '_authn-request-1',
      version: '2.0',
      issueInstant: '2026-04-20T10:00:00Z',
      destination: idpSsoPost,
      issuer: { value: spEntityId },
      forceAuthn: true,
      isPassive: false,
      protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
      assertionConsumerServiceUrl: spAcsUrl,
      attributeConsumingServiceIndex: 3,
      providerName: 'Wiki',
      nameIdPolicy: { format: nameIdFormats.persistent, spNameQualifier: spEntityId, allowCreate: true },
      requestedAuthnContext: {
        comparison: 'minimum',
        classRefs: [authnContextClasses.passwordProtectedTransport],
        declRefs: [],
      },
      subject: { value: 'alice@example.com', format: nameIdFormats.emailAddress },
    });
  });

  it('defaults ForceAuthn and IsPassive to false and leaves absent parts out', () => {
    const request = parseAuthnRequest(authnRequestXml({ destination: undefined }));
    expect(request).toEqual({
      id: '_authn-request-1',
      version: '2.0',
      issueInstant: '2026-04-20T10:00:00Z',
      issuer: { value: spEntityId },
      forceAuthn: false,
      isPassive: false,
    });
  });

  it('reads xs:boolean as the schema does: true/false/1/0 with surrounding whitespace', () => {
    for (const [text, value] of [
      ['true', true],
      ['1', true],
      [' true ', true],
      ['false', false],
      ['0', false],
    ] as const) {
      expect(parseAuthnRequest(authnRequestXml({ forceAuthn: text })).forceAuthn).toBe(value);
      expect(parseAuthnRequest(authnRequestXml({ isPassive: text })).isPassive).toBe(value);
    }
    for (const text of ['TRUE', 'yes', '', '2']) {
      expectThrows(() => parseAuthnRequest(authnRequestXml({ forceAuthn: text })), 'SAML_MESSAGE_INVALID');
    }
    expectThrows(
      () => parseAuthnRequest(authnRequestXml({ nameIdPolicy: { AllowCreate: 'maybe' } })),
      'SAML_MESSAGE_INVALID',
    );
  });

  it('reads AssertionConsumerServiceIndex as an unsignedShort and refuses anything else', () => {
    expect(parseAuthnRequest(authnRequestXml({ acsIndex: '65535' })).assertionConsumerServiceIndex).toBe(
      65535,
    );
    expect(parseAuthnRequest(authnRequestXml({ acsIndex: '0' })).assertionConsumerServiceIndex).toBe(0);
    for (const text of ['65536', '-1', '1.5', 'x', '']) {
      expectThrows(() => parseAuthnRequest(authnRequestXml({ acsIndex: text })), 'SAML_MESSAGE_INVALID');
    }
  });

  it('refuses an ACS index together with an ACS URL or a ProtocolBinding (SAMLCore §3.4.1)', () => {
    expectThrows(
      () => parseAuthnRequest(authnRequestXml({ acsIndex: '1', acsUrl: spAcsUrl })),
      'SAML_MESSAGE_INVALID',
    );
    expectThrows(
      () =>
        parseAuthnRequest(
          authnRequestXml({
            acsIndex: '1',
            protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
          }),
        ),
      'SAML_MESSAGE_INVALID',
    );
  });

  it('requires an Issuer (SAMLProf §4.1.4.1) and refuses a non-entity Issuer Format', () => {
    expectThrows(() => parseAuthnRequest(authnRequestXml({ issuer: undefined })), 'SAML_MESSAGE_INVALID');
    expectThrows(() => parseAuthnRequest(authnRequestXml({ issuer: '' })), 'SAML_MESSAGE_INVALID');
    const withFormat = authnRequestXml().replace(
      '<saml:Issuer>',
      `<saml:Issuer Format="${nameIdFormats.emailAddress}">`,
    );
    expectThrows(() => parseAuthnRequest(withFormat), 'SAML_ISSUER_MISMATCH');
  });

  it('refuses a malformed RequestedAuthnContext', () => {
    expectThrows(
      () =>
        parseAuthnRequest(
          authnRequestXml({ requestedAuthnContext: { comparison: 'strongest', classRefs: ['urn:x'] } }),
        ),
      'SAML_MESSAGE_INVALID',
    );
    expectThrows(
      () => parseAuthnRequest(authnRequestXml({ requestedAuthnContext: { classRefs: [] } })),
      'SAML_MESSAGE_INVALID',
    );
    expectThrows(
      () =>
        parseAuthnRequest(
          authnRequestXml({ requestedAuthnContext: { classRefs: ['urn:a'], declRefs: ['urn:b'] } }),
        ),
      'SAML_MESSAGE_INVALID',
    );
    expect(
      parseAuthnRequest(authnRequestXml({ requestedAuthnContext: { declRefs: ['urn:decl'] } }))
        .requestedAuthnContext,
    ).toEqual({ comparison: 'exact', classRefs: [], declRefs: ['urn:decl'] });
  });

  it('refuses a NameIDPolicy Format or ProtocolBinding that is not a URI', () => {
    expectThrows(
      () => parseAuthnRequest(authnRequestXml({ nameIdPolicy: { Format: 'email' } })),
      'SAML_MESSAGE_INVALID',
    );
    expectThrows(
      () => parseAuthnRequest(authnRequestXml({ protocolBinding: 'post' })),
      'SAML_MESSAGE_INVALID',
    );
  });

  it('refuses a Subject named by EncryptedID or BaseID, and two NameIDPolicy elements', () => {
    const encrypted = authnRequestXml({
      extraChildren: [],
    }).replace('</saml:Issuer>', '</saml:Issuer><saml:Subject><saml:EncryptedID/></saml:Subject>');
    expectThrows(() => parseAuthnRequest(encrypted), 'SAML_MESSAGE_INVALID');
    const twice = authnRequestXml({
      extraChildren: [element('samlp:NameIDPolicy', {}), element('samlp:NameIDPolicy', {})],
    });
    expectThrows(() => parseAuthnRequest(twice), 'SAML_MESSAGE_INVALID');
  });

  it('reads only AuthnRequests: other messages and a wrong Version are refused', () => {
    const logout = authnRequestXml().replace(/samlp:AuthnRequest/g, 'samlp:LogoutRequest');
    expectThrows(() => parseAuthnRequest(logout), 'SAML_MESSAGE_TYPE_MISMATCH');
    expectThrows(
      () => parseAuthnRequest(authnRequestXml().replace('Version="2.0"', 'Version="1.1"')),
      'SAML_VERSION_MISMATCH',
    );
    expectThrows(() => parseAuthnRequest(authnRequestXml({ id: '1-not-an-ncname' })), 'SAML_MESSAGE_INVALID');
  });

  it('refuses a comment inside the Issuer rather than reading a truncated value (attacks §2)', () => {
    const xml = authnRequestXml().replace(`>${spEntityId}<`, '>https://sp-a.example.com<!---->/metadata<');
    expectThrows(() => parseAuthnRequest(xml), 'SAML_XML_MIXED_CONTENT');
  });
});
