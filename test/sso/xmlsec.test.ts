/**
 * xmlsec1, the reference XML-DSig implementation, verifies samlkit's Response
 * and Assertion signatures, trusting only the certificate given (never KeyInfo).
 */
import { describe, expect, it } from 'vitest';
import { signatureAlgorithms } from '../../src/index.js';
import { certificatePem, keyPair } from '../support/keys.js';
import { hasXmlsec1, xmlsecVerify } from '../support/xmlsec.js';
import { sampleResponse, spProvider } from './support.js';

const available = hasXmlsec1();
const responseSignature = "/*[local-name()='Response']/*[local-name()='Signature']";
const assertionSignature =
  "/*[local-name()='Response']/*[local-name()='Assertion']/*[local-name()='Signature']";
const ids = ['Response', 'Assertion'] as const;

describe.skipIf(!available)('xmlsec1 verifies samlkit SSO signatures', () => {
  it('assertion signed: the Assertion signature verifies', () => {
    const { xml } = sampleResponse();
    expect(xmlsecVerify(xml, certificatePem('idp'), ids, assertionSignature)).toMatchObject({
      ok: true,
      references: '1/1',
    });
  });

  it('response signed: the Response signature verifies', () => {
    const { xml } = sampleResponse({ provider: spProvider({ signAssertion: false, signResponse: true }) });
    expect(xmlsecVerify(xml, certificatePem('idp'), ids, responseSignature)).toMatchObject({
      ok: true,
      references: '1/1',
    });
  });

  it('both: each signature verifies on its own', () => {
    const { xml } = sampleResponse({ provider: spProvider({ signResponse: true }) });
    expect(xmlsecVerify(xml, certificatePem('idp'), ids, responseSignature)).toMatchObject({
      ok: true,
      references: '1/1',
    });
    expect(xmlsecVerify(xml, certificatePem('idp'), ids, assertionSignature)).toMatchObject({
      ok: true,
      references: '1/1',
    });
  });

  it('ECDSA P-256 on both levels', () => {
    const { xml } = sampleResponse({
      provider: spProvider({
        signingKeyPair: keyPair('idp-ec-p-256'),
        signatureAlgorithm: signatureAlgorithms.ecdsaSha256,
        signResponse: true,
      }),
    });
    expect(xmlsecVerify(xml, certificatePem('idp-ec-p-256'), ids, responseSignature).ok).toBe(true);
    expect(xmlsecVerify(xml, certificatePem('idp-ec-p-256'), ids, assertionSignature).ok).toBe(true);
  });

  it('negative: a changed NameID, or another certificate, fails both signatures', () => {
    const { xml } = sampleResponse({ provider: spProvider({ signResponse: true }) });
    const tampered = xml.replace('>alice@example.com<', '>mallory@example.com<');
    expect(tampered).not.toBe(xml);
    expect(xmlsecVerify(tampered, certificatePem('idp'), ids, assertionSignature).ok).toBe(false);
    expect(xmlsecVerify(tampered, certificatePem('idp'), ids, responseSignature).ok).toBe(false);
    expect(xmlsecVerify(xml, certificatePem('idp-rollover'), ids, assertionSignature).ok).toBe(false);
    expect(xmlsecVerify(xml, certificatePem('idp-rollover'), ids, responseSignature).ok).toBe(false);
  });
});
