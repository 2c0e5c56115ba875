/**
 * xmlsec1, the reference XML-DSig implementation, verifies samlkit's Response
 * and Assertion signatures, trusting only the certificate given (never KeyInfo).
 */
import { describe, expect, it } from 'vitest';
import { canonicalizeElement, decryptElement } from '../../src/crypto/index.js';
import { signatureAlgorithms } from '../../src/index.js';
import { childElements, parseXml } from '../../src/xml/index.js';
import { certificate, certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import { hasXmlsec1, xmlsecDecrypt, xmlsecVerify } from '../support/xmlsec.js';
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

  describe('encrypted assertions', () => {
    const encrypted = (overrides = {}) =>
      sampleResponse({ provider: spProvider({ encryptionCertificate: certificate('sp-a'), ...overrides }) })
        .xml;

    /** What xmlsec1 put in place of the EncryptedData, canonicalized (libxml2 may re-escape text). */
    function xmlsecPlaintext(xml: string): string {
      const result = xmlsecDecrypt(xml, privateKeyPem('sp-a'));
      expect(result.ok, result.output).toBe(true);
      const root = parseXml(result.output).root;
      const wrapper = childElements(root).find((c) => c.localName === 'EncryptedAssertion')!;
      const inner = childElements(wrapper);
      expect(inner.map((c) => c.localName)).toEqual(['Assertion']);
      return canonicalizeElement(inner[0]!);
    }

    it('xmlsec1 decrypts the EncryptedAssertion with the SP key: the same signed Assertion samlkit reads', () => {
      const xml = encrypted();
      const ours = decryptElement(
        childElements(
          childElements(parseXml(xml).root).find((c) => c.localName === 'EncryptedAssertion')!,
        )[0]!,
        { key: keyPair('sp-a') },
      );
      expect(xmlsecPlaintext(xml)).toBe(canonicalizeElement(parseXml(ours).root));
    });

    it('after xmlsec1 decrypts, xmlsec1 verifies the assertion signature inside', () => {
      const result = xmlsecDecrypt(encrypted(), privateKeyPem('sp-a'));
      expect(result.ok).toBe(true);
      const path =
        "/*[local-name()='Response']/*[local-name()='EncryptedAssertion']/*[local-name()='Assertion']/*[local-name()='Signature']";
      expect(xmlsecVerify(result.output, certificatePem('idp'), ids, path)).toMatchObject({
        ok: true,
        references: '1/1',
      });
    });

    it('xmlsec1 verifies the Response signature over the EncryptedAssertion; another SP key cannot decrypt', () => {
      const xml = encrypted({ signResponse: true });
      expect(xmlsecVerify(xml, certificatePem('idp'), ids, responseSignature)).toMatchObject({ ok: true });
      expect(xmlsecDecrypt(xml, privateKeyPem('sp-b')).ok).toBe(false);
    });
  });
});
