/**
 * Every Response shape samlkit emits validates against the OASIS protocol
 * schema (which imports the assertion and XML-DSig schemas), in one xmllint run.
 */
import { describe, expect, it } from 'vitest';
import { decryptElement } from '../../src/crypto/index.js';
import {
  attributeNameFormats,
  authnContextClasses,
  nameIdFormats,
  signatureAlgorithms,
} from '../../src/index.js';
import { childElements, parseXml } from '../../src/xml/index.js';
import { keyPair } from '../support/keys.js';
import { allValid, hasXmllint, schemaErrors, schemas } from '../support/xsd.js';
import { postInput, responseXmlOf, sampleResponse, spProvider, ssoIdp } from './support.js';

const available = hasXmllint();

describe.skipIf(!available)('Responses against saml-schema-protocol-2.0.xsd (xmllint)', () => {
  it('every variant validates', async () => {
    const full = {
      nameId: {
        value: 'f00d',
        format: nameIdFormats.persistent,
        nameQualifier: 'https://idp.example.com/metadata',
        spNameQualifier: 'https://sp-a.example.com/metadata',
      },
      sessionIndex: '_s',
      authnInstant: new Date('2026-04-20T09:59:00Z'),
      authnContextClassRef: authnContextClasses.passwordProtectedTransport,
      attributes: [
        {
          name: 'mail',
          friendlyName: 'mail',
          nameFormat: attributeNameFormats.basic,
          values: 'a@example.com',
        },
        { name: 'groups', values: ['a', 'b'] },
        { name: 'empty', values: [] },
      ],
    };
    const { idp } = await ssoIdp();
    const received = await idp.receiveAuthnRequest(postInput());
    if (!received.ok) throw received.error;
    const success = await idp.completeAuthnRequest(received.pending, {
      user: { id: 'u1', email: 'a@example.com', attributes: full.attributes },
    });
    const refusal = await (await ssoIdp()).idp.respondToAuthnRequest(postInput(), () => ({
      status: { code: 'Responder', subCode: 'NoPassive' },
    }));
    const documents = {
      assertionSigned: sampleResponse().xml,
      responseSigned: sampleResponse({ provider: spProvider({ signAssertion: false, signResponse: true }) })
        .xml,
      bothSigned: sampleResponse({ provider: spProvider({ signResponse: true }) }).xml,
      fullAssertion: sampleResponse({ assertion: full }).xml,
      unsolicited: sampleResponse({ inResponseTo: undefined }).xml,
      ecdsa: sampleResponse({
        provider: spProvider({
          signingKeyPair: keyPair('idp-ec-p-384'),
          signatureAlgorithm: signatureAlgorithms.ecdsaSha384,
          signResponse: true,
        }),
      }).xml,
      errorSigned: sampleResponse({
        status: { code: 'Requester', subCode: 'InvalidNameIDPolicy', message: 'format not issued' },
        assertion: undefined,
      }).xml,
      errorUnsigned: sampleResponse({
        provider: spProvider({ signAssertion: false, signingKeyPair: null }),
        status: { code: 'Responder' },
        assertion: undefined,
      }).xml,
      encrypted: sampleResponse({ provider: spProvider({ encryptionCertificate: keyPair('sp-a') }) }).xml,
      encryptedBothSigned: sampleResponse({
        provider: spProvider({ encryptionCertificate: keyPair('sp-a'), signResponse: true }),
      }).xml,
      facadeSuccess: responseXmlOf(success.form.fields),
      facadeRefusal: responseXmlOf(refusal.form.fields),
    };
    expect(schemaErrors(schemas.protocol, documents)).toEqual(allValid(documents));
  });

  it('a decrypted Assertion validates on its own against saml-schema-assertion-2.0.xsd', () => {
    const { xml } = sampleResponse({ provider: spProvider({ encryptionCertificate: keyPair('sp-a') }) });
    const wrapper = childElements(parseXml(xml).root).find((c) => c.localName === 'EncryptedAssertion')!;
    const plaintext = decryptElement(childElements(wrapper)[0]!, { key: keyPair('sp-a') });
    const documents = { decrypted: plaintext };
    expect(schemaErrors(schemas.assertion, documents)).toEqual(allValid(documents));
  });
});
