/**
 * Enveloped XML signatures, proven against independent implementations:
 * xml-crypto (SignedXml, RSA only: it has no ECDSA) and xmlsec1 (libxmlsec1 on
 * OpenSSL, RSA and ECDSA). Both directions: what samlkit signs they verify,
 * what they sign samlkit verifies, and what samlkit rejects they reject too.
 */
import { createHash, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import {
  type DigestAlgorithm,
  digestAlgorithms,
  encodePost,
  encodeSoap,
  isSamlError,
  type KeyPair,
  nameIdFormats,
  parseLogoutRequest,
  parseLogoutResponse,
  type ReceiveOptions,
  receivePost,
  receiveSoap,
  type SignatureAlgorithm,
  signatureAlgorithms,
  statusCodes,
  transforms,
} from '../../src/index.js';
import { certificate, certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import {
  fixedClock,
  idpEntityId,
  sampleLogoutRequest,
  sampleLogoutResponse,
  spSloUrl,
} from '../support/messages.js';
import { hasXmlsec1, xmlsecSign, xmlsecVerify } from '../support/xmlsec.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

interface AlgorithmCase {
  name: string;
  key: string;
  algorithm: SignatureAlgorithm;
}

const rsaCases: AlgorithmCase[] = [
  { name: 'RSA-SHA256', key: 'idp', algorithm: signatureAlgorithms.rsaSha256 },
  { name: 'RSA-SHA384', key: 'idp', algorithm: signatureAlgorithms.rsaSha384 },
  { name: 'RSA-SHA512', key: 'idp', algorithm: signatureAlgorithms.rsaSha512 },
];
const ecdsaCases: AlgorithmCase[] = [
  { name: 'ECDSA-SHA256 (P-256)', key: 'idp-ec-p-256', algorithm: signatureAlgorithms.ecdsaSha256 },
  { name: 'ECDSA-SHA384 (P-384)', key: 'idp-ec-p-384', algorithm: signatureAlgorithms.ecdsaSha384 },
  { name: 'ECDSA-SHA512 (P-521)', key: 'idp-ec-p-521', algorithm: signatureAlgorithms.ecdsaSha512 },
];
const allCases = [...rsaCases, ...ecdsaCases];

const digestCases: { name: string; digest: DigestAlgorithm }[] = [
  { name: 'SHA-256', digest: digestAlgorithms.sha256 },
  { name: 'SHA-384', digest: digestAlgorithms.sha384 },
  { name: 'SHA-512', digest: digestAlgorithms.sha512 },
];

const requestId = '_0123456789abcdef0123456789abcdef';
const responseId = '_fedcba9876543210fedcba9876543210';

/** A LogoutRequest using every field samlkit builds. */
function richRequest() {
  return sampleLogoutRequest({
    nameId: {
      value: 'alice@example.com',
      format: nameIdFormats.emailAddress,
      nameQualifier: idpEntityId,
      spNameQualifier: 'https://sp-a.example.com/metadata',
    },
    sessionIndex: ['_session-1', '_session-2'],
    notOnOrAfter: new Date('2026-04-20T10:05:00Z'),
    reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
  });
}

/** What parseLogoutRequest must read back from {@link richRequest}, written out by hand. */
const richRequestFields = {
  id: requestId,
  version: '2.0',
  issueInstant: '2026-04-20T10:00:00Z',
  destination: spSloUrl,
  issuer: { value: idpEntityId },
  notOnOrAfter: '2026-04-20T10:05:00Z',
  reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
  nameId: {
    value: 'alice@example.com',
    format: nameIdFormats.emailAddress,
    nameQualifier: idpEntityId,
    spNameQualifier: 'https://sp-a.example.com/metadata',
  },
  sessionIndexes: ['_session-1', '_session-2'],
};

function partialLogoutResponse() {
  return sampleLogoutResponse({
    status: { code: 'Responder', subCode: 'PartialLogout', message: 'one participant failed' },
  });
}

const partialLogoutFields = {
  id: responseId,
  version: '2.0',
  issueInstant: '2026-04-20T10:00:00Z',
  destination: spSloUrl,
  issuer: { value: idpEntityId },
  inResponseTo: '_request-1',
  status: {
    code: statusCodes.Responder,
    subCode: statusCodes.PartialLogout,
    message: 'one participant failed',
    success: false,
  },
};

function options(trust: KeyPair | string, extra: Partial<ReceiveOptions> = {}): ReceiveOptions {
  return {
    trust: [trust],
    clock: fixedClock,
    expect: { issuer: idpEntityId, destination: spSloUrl },
    ...extra,
  };
}

function signedRequestXml(
  key: KeyPair,
  algorithm?: SignatureAlgorithm,
  digestAlgorithm?: DigestAlgorithm,
): string {
  return encodePost({
    type: 'SAMLRequest',
    xml: richRequest().xml,
    destination: spSloUrl,
    sign: { key, ...(algorithm ? { algorithm } : {}), ...(digestAlgorithm ? { digestAlgorithm } : {}) },
  }).xml;
}

function signedResponseXml(key: KeyPair, algorithm?: SignatureAlgorithm, digestAlgorithm?: DigestAlgorithm) {
  return encodePost({
    type: 'SAMLResponse',
    xml: partialLogoutResponse().xml,
    destination: spSloUrl,
    sign: { key, ...(algorithm ? { algorithm } : {}), ...(digestAlgorithm ? { digestAlgorithm } : {}) },
  }).xml;
}

function postForm(type: 'SAMLRequest' | 'SAMLResponse', xml: string): Record<string, string> {
  return { [type]: Buffer.from(xml, 'utf8').toString('base64') };
}

/** The SamlError code `fn` throws, `'accepted'` when it returns; other errors propagate. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    if (isSamlError(error)) return error.code;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// xml-crypto, with the very @xmldom/xmldom and xpath copies it depends on

const fromXmlCrypto = createRequire(createRequire(import.meta.url).resolve('xml-crypto'));
const XmlCryptoDomParser = (fromXmlCrypto('@xmldom/xmldom') as typeof import('@xmldom/xmldom')).DOMParser;
const xmlCryptoXpath = fromXmlCrypto('xpath') as typeof import('xpath');

const signatureXpath =
  "//*[local-name(.)='Signature' and namespace-uri(.)='http://www.w3.org/2000/09/xmldsig#']";

/**
 * xml-crypto 6 knows rsa-sha1/256/512 and sha1/256/512 only. RSA-SHA384 and
 * SHA-384 are registered here from node:crypto so the remaining combinations
 * still go through xml-crypto's reference, transform and C14N processing.
 */
class RsaSha384 {
  getSignature(signedInfo: string, privateKey: string): string {
    return nodeSign('sha384', Buffer.from(signedInfo), privateKey).toString('base64');
  }
  verifySignature(material: string, key: string, signatureValue: string): boolean {
    return nodeVerify('sha384', Buffer.from(material), key, Buffer.from(signatureValue, 'base64'));
  }
  getAlgorithmName() {
    return signatureAlgorithms.rsaSha384;
  }
}
class Sha384 {
  getHash(xml: string): string {
    return createHash('sha384').update(xml, 'utf8').digest('base64');
  }
  getAlgorithmName() {
    return digestAlgorithms.sha384;
  }
}

function withSha384(signedXml: SignedXml): SignedXml {
  signedXml.SignatureAlgorithms = {
    ...signedXml.SignatureAlgorithms,
    [signatureAlgorithms.rsaSha384]: RsaSha384,
  };
  signedXml.HashAlgorithms = { ...signedXml.HashAlgorithms, [digestAlgorithms.sha384]: Sha384 };
  return signedXml;
}

interface XmlCryptoResult {
  valid: boolean;
  error?: string;
  signedReferences: string[];
}

/**
 * xml-crypto's verification as an SP using it would run it: parse with its
 * xmldom, find the one ds:Signature with xpath, load it, check it with
 * `publicCert` only (KeyInfo is ignored by default in xml-crypto 6).
 */
function xmlCryptoVerify(xml: string, trustedPem: string): XmlCryptoResult {
  try {
    const doc = new XmlCryptoDomParser().parseFromString(xml, 'text/xml');
    const signatures = xmlCryptoXpath.select(signatureXpath, doc as never) as unknown[];
    if (signatures.length !== 1)
      return { valid: false, error: 'not exactly one Signature', signedReferences: [] };
    const signedXml = withSha384(new SignedXml({ publicCert: trustedPem }));
    signedXml.loadSignature(signatures[0] as never);
    const valid = signedXml.checkSignature(xml);
    return { valid, signedReferences: valid ? signedXml.getSignedReferences() : [] };
  } catch (error) {
    return { valid: false, error: (error as Error).message, signedReferences: [] };
  }
}

/**
 * Signs like an SP using xml-crypto: enveloped, exclusive C14N, one Reference
 * to the root ID (URI `#ID`) with [enveloped-signature, exc-c14n], the
 * Signature placed right after the Issuer, KeyInfo with the certificate.
 */
function xmlCryptoSign(
  xml: string,
  key: string,
  algorithm: SignatureAlgorithm,
  digestAlgorithm: DigestAlgorithm,
): string {
  const signedXml = withSha384(
    new SignedXml({
      privateKey: privateKeyPem(key),
      publicCert: certificatePem(key),
      signatureAlgorithm: algorithm,
      canonicalizationAlgorithm: transforms.exclusiveC14n,
    }),
  );
  signedXml.addReference({
    xpath: '/*',
    transforms: [transforms.envelopedSignature, transforms.exclusiveC14n],
    digestAlgorithm,
  });
  signedXml.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' },
  });
  return signedXml.getSignedXml();
}

/** Reads an attribute or text from a document with xml-crypto's own parser. */
function xpathString(xml: string, expression: string): string {
  const doc = new XmlCryptoDomParser().parseFromString(xml, 'text/xml');
  return String(xmlCryptoXpath.select1(`string(${expression})`, doc as never));
}

// ---------------------------------------------------------------------------------------------
// xmlsec1 templates

/** An XML-DSig template for xmlsec1 --sign, pretty-printed as many signers emit it. */
function signatureTemplate(id: string, algorithm: string, digestAlgorithm: string): string {
  return [
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">',
    '<ds:SignedInfo>',
    `<ds:CanonicalizationMethod Algorithm="${transforms.exclusiveC14n}"/>`,
    `<ds:SignatureMethod Algorithm="${algorithm}"/>`,
    `<ds:Reference URI="#${id}">`,
    '<ds:Transforms>',
    `<ds:Transform Algorithm="${transforms.envelopedSignature}"/>`,
    `<ds:Transform Algorithm="${transforms.exclusiveC14n}"/>`,
    '</ds:Transforms>',
    `<ds:DigestMethod Algorithm="${digestAlgorithm}"/>`,
    '<ds:DigestValue/>',
    '</ds:Reference>',
    '</ds:SignedInfo>',
    '<ds:SignatureValue/>',
    '<ds:KeyInfo><ds:X509Data/></ds:KeyInfo>',
    '</ds:Signature>',
  ].join('\n');
}

/** Inserts `signature` right after the message's `saml:Issuer` (SAMLCore §3.2.1). */
function afterIssuer(xml: string, signature: string): string {
  const end = '</saml:Issuer>';
  const at = xml.indexOf(end);
  if (at === -1) throw new Error('no saml:Issuer');
  return xml.slice(0, at + end.length) + signature + xml.slice(at + end.length);
}

/** xmlsec1's output exactly as it wrote it: `<?xml version="1.0"?>`, a newline, the signed root, a newline. */
function xmlsecSignedRaw(xml: string, id: string, key: string, algorithm: string, digestAlgorithm: string) {
  return xmlsecSign(
    afterIssuer(xml, signatureTemplate(id, algorithm, digestAlgorithm)),
    privateKeyPem(key),
    certificatePem(key),
  );
}

/** xmlsec1's signed output, as it wrote it (a newline after the declaration included). */
function xmlsecSigned(xml: string, id: string, key: string, algorithm: string, digestAlgorithm: string) {
  return xmlsecSignedRaw(xml, id, key, algorithm, digestAlgorithm);
}

// ---------------------------------------------------------------------------------------------
// Tampering (each must be rejected by samlkit, xml-crypto and xmlsec1 alike)

function flipLastSignatureByte(xml: string): string {
  return xml.replace(/<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/, (_m, value: string) => {
    const bytes = Buffer.from(value.replace(/\s+/g, ''), 'base64');
    const last = bytes.length - 1;
    bytes[last] = bytes[last]! ^ 0x01;
    return `<ds:SignatureValue>${bytes.toString('base64')}</ds:SignatureValue>`;
  });
}

const tamperings: { name: string; tamper: (xml: string) => string }[] = [
  {
    name: 'NameID changed after signing',
    tamper: (xml) => xml.replace('>alice@example.com<', '>mallory@example.com<'),
  },
  {
    name: 'Destination changed after signing',
    tamper: (xml) => xml.replace(`Destination="${spSloUrl}"`, 'Destination="https://evil.example.com/slo"'),
  },
  {
    name: 'SessionIndex changed after signing',
    tamper: (xml) => xml.replace('>_session-1<', '>_session-9<'),
  },
  { name: 'one SignatureValue bit flipped', tamper: flipLastSignatureByte },
  {
    name: 'DigestValue replaced',
    tamper: (xml) =>
      xml.replace(
        /<ds:DigestValue>[^<]+<\/ds:DigestValue>/,
        `<ds:DigestValue>${createHash('sha256').update('other').digest('base64')}</ds:DigestValue>`,
      ),
  },
  {
    name: 'SignatureMethod switched to another hash',
    tamper: (xml) => xml.replace(signatureAlgorithms.rsaSha256, signatureAlgorithms.rsaSha512),
  },
];

// ---------------------------------------------------------------------------------------------

describe('round trips: encodePost({ sign }) → receivePost with the certificate only', () => {
  describe.each(allCases)('$name', ({ key, algorithm }) => {
    it.each(digestCases)('LogoutRequest, digest $name', ({ digest }) => {
      const form = encodePost({
        type: 'SAMLRequest',
        xml: richRequest().xml,
        destination: spSloUrl,
        relayState: 'rs-1',
        sign: { key: keyPair(key), algorithm, digestAlgorithm: digest },
      });
      expect(xpathString(form.xml, "//*[local-name()='SignatureMethod']/@Algorithm")).toBe(algorithm);
      expect(xpathString(form.xml, "//*[local-name()='DigestMethod']/@Algorithm")).toBe(digest);
      const received = receivePost(form.fields, options(certificate(key)));
      expect(received).toMatchObject({ type: 'SAMLRequest', signed: true, algorithm, relayState: 'rs-1' });
      expect(parseLogoutRequest(received.xml)).toEqual(richRequestFields);
    });

    it.each(digestCases)('LogoutResponse, digest $name', ({ digest }) => {
      const form = encodePost({
        type: 'SAMLResponse',
        xml: partialLogoutResponse().xml,
        destination: spSloUrl,
        sign: { key: keyPair(key), algorithm, digestAlgorithm: digest },
      });
      const received = receivePost(
        form.fields,
        options(certificate(key), { expect: { issuer: idpEntityId, inResponseTo: '_request-1' } }),
      );
      expect(received).toMatchObject({ type: 'SAMLResponse', signed: true, algorithm });
      expect(parseLogoutResponse(received.xml)).toEqual(partialLogoutFields);
    });
  });

  it('signs with the default algorithm of the key when none is given', () => {
    const defaults = [rsaCases[0]!, ...ecdsaCases]; // RSA-SHA256, or ECDSA with the curve's hash
    for (const { key, algorithm } of defaults) {
      const xml = signedRequestXml(keyPair(key));
      expect(xpathString(xml, "//*[local-name()='SignatureMethod']/@Algorithm")).toBe(algorithm);
      expect(xpathString(xml, "//*[local-name()='DigestMethod']/@Algorithm")).toBe(digestAlgorithms.sha256);
    }
  });

  it('regression: accepts whitespace between the XML declaration and the root element (XML 1.0 prolog Misc)', () => {
    // XML 1.0 §2.8: prolog ::= XMLDecl? Misc*, and Misc includes whitespace. Java, .NET, libxml2
    // and xmlsec1 serializers write a newline after the declaration (SOAP peers especially).
    const declaration = '<?xml version="1.0" encoding="UTF-8"?>';
    const signed = signedRequestXml(keyPair('idp'));
    const envelope = encodeSoap(richRequest().xml, { sign: { key: keyPair('idp') } });
    const post = (xml: string) => () =>
      receivePost(postForm('SAMLRequest', xml), options(certificate('idp')));
    const soap = (xml: string) => () => receiveSoap(xml, options(certificate('idp')));
    const outcomes = {
      'POST, declaration directly before the root': outcome(post(declaration + signed)),
      'POST, declaration + LF': outcome(post(`${declaration}\n${signed}`)),
      'POST, declaration + CRLF': outcome(post(`${declaration}\r\n${signed}`)),
      'POST, declaration + spaces and tab': outcome(post(`${declaration} \n\t${signed}`)),
      'SOAP, declaration + LF': outcome(soap(`${declaration}\n${envelope}`)),
    };
    expect(outcomes).toEqual(Object.fromEntries(Object.keys(outcomes).map((k) => [k, 'accepted'])));
  });

  it('a wrong trusted certificate is a rejection, not a fallback to KeyInfo', () => {
    const form = postForm('SAMLRequest', signedRequestXml(keyPair('idp')));
    expect(outcome(() => receivePost(form, options(certificate('sp-a'))))).toBe('SAML_SIGNATURE_INVALID');
    expect(outcome(() => receivePost(form, options(certificate('idp-ec-p-256'))))).toBe(
      'SAML_SIGNATURE_INVALID',
    );
  });
});

describe('SHA-1 is refused unless explicitly allowed', () => {
  const sha1Signers = [
    { name: 'rsa-sha1', key: 'idp', algorithm: signatureAlgorithms.rsaSha1, digest: digestAlgorithms.sha256 },
    {
      name: 'ecdsa-sha1',
      key: 'idp-ec-p-256',
      algorithm: signatureAlgorithms.ecdsaSha1,
      digest: digestAlgorithms.sha256,
    },
    {
      name: 'sha1 digest',
      key: 'idp',
      algorithm: signatureAlgorithms.rsaSha256,
      digest: digestAlgorithms.sha1,
    },
  ] as const;

  it.each(sha1Signers)('signing with $name: SAML_ALGORITHM_FORBIDDEN without unsafeAllowSha1', (c) => {
    const sign = { key: keyPair(c.key), algorithm: c.algorithm, digestAlgorithm: c.digest };
    const { xml } = richRequest();
    expect(outcome(() => encodePost({ type: 'SAMLRequest', xml, destination: spSloUrl, sign }))).toBe(
      'SAML_ALGORITHM_FORBIDDEN',
    );
    expect(outcome(() => encodeSoap(xml, { sign }))).toBe('SAML_ALGORITHM_FORBIDDEN');
  });

  it.each(sha1Signers)('receiving $name: refused unless the receive options say unsafeAllowSha1', (c) => {
    const xml = encodePost({
      type: 'SAMLRequest',
      xml: richRequest().xml,
      destination: spSloUrl,
      sign: { key: keyPair(c.key), algorithm: c.algorithm, digestAlgorithm: c.digest, unsafeAllowSha1: true },
    }).xml;
    const form = postForm('SAMLRequest', xml);
    expect(outcome(() => receivePost(form, options(certificate(c.key))))).toBe('SAML_ALGORITHM_FORBIDDEN');
    const received = receivePost(form, options(certificate(c.key), { unsafeAllowSha1: true }));
    expect(received).toMatchObject({ signed: true, algorithm: c.algorithm });
    expect(parseLogoutRequest(received.xml)).toEqual(richRequestFields);
  });

  it('an rsa-sha1 signature made by xml-crypto is refused, and accepted with the opt-in', () => {
    const xml = xmlCryptoSign(richRequest().xml, 'idp', signatureAlgorithms.rsaSha1, digestAlgorithms.sha1);
    const form = postForm('SAMLRequest', xml);
    expect(outcome(() => receivePost(form, options(certificate('idp'))))).toBe('SAML_ALGORITHM_FORBIDDEN');
    expect(receivePost(form, options(certificate('idp'), { unsafeAllowSha1: true })).signed).toBe(true);
  });

  it('an SHA-1 signature made by samlkit (with the opt-in) verifies in xml-crypto', () => {
    const xml = encodePost({
      type: 'SAMLRequest',
      xml: richRequest().xml,
      destination: spSloUrl,
      sign: {
        key: keyPair('idp'),
        algorithm: signatureAlgorithms.rsaSha1,
        digestAlgorithm: digestAlgorithms.sha1,
        unsafeAllowSha1: true,
      },
    }).xml;
    expect(xmlCryptoVerify(xml, certificatePem('idp')).valid).toBe(true);
  });
});

describe('samlkit signs → xml-crypto SignedXml verifies (RSA)', () => {
  describe.each(rsaCases)('$name', ({ key, algorithm }) => {
    it.each(digestCases)('LogoutRequest, digest $name', ({ digest }) => {
      const xml = signedRequestXml(keyPair(key), algorithm, digest);
      const result = xmlCryptoVerify(xml, certificatePem(key));
      expect(result.error).toBeUndefined();
      expect(result.valid).toBe(true);
      expect(result.signedReferences).toHaveLength(1);
      // Both implementations agree on the exclusive-C14N bytes that were signed.
      const received = receivePost(postForm('SAMLRequest', xml), options(certificate(key)));
      expect(result.signedReferences[0]).toBe(received.xml);
    });

    it.each(digestCases)('LogoutResponse, digest $name', ({ digest }) => {
      const xml = signedResponseXml(keyPair(key), algorithm, digest);
      const result = xmlCryptoVerify(xml, certificatePem(key));
      expect(result.valid).toBe(true);
      expect(result.signedReferences).toHaveLength(1);
    });
  });

  it.each([
    ['LogoutRequest', () => encodeSoap(richRequest().xml, { sign: { key: keyPair('idp') } })],
    ['LogoutResponse', () => encodeSoap(partialLogoutResponse().xml, { sign: { key: keyPair('idp') } })],
  ] as const)('SOAP-wrapped %s', (_name, build) => {
    const envelope = build();
    const result = xmlCryptoVerify(envelope, certificatePem('idp'));
    expect(result.valid).toBe(true);
    expect(result.signedReferences).toHaveLength(1);
    const received = receiveSoap(envelope, options(certificate('idp'), { expect: {} }));
    expect(result.signedReferences[0]).toBe(received.xml);
  });

  it('xml-crypto rejects it with another certificate, as samlkit does', () => {
    const xml = signedRequestXml(keyPair('idp'));
    expect(xmlCryptoVerify(xml, certificatePem('sp-a')).valid).toBe(false);
    expect(outcome(() => receivePost(postForm('SAMLRequest', xml), options(certificate('sp-a'))))).toBe(
      'SAML_SIGNATURE_INVALID',
    );
  });
});

describe.skipIf(!hasXmlsec1())('samlkit signs → xmlsec1 --verify (RSA and ECDSA)', () => {
  describe.each(allCases)('$name', ({ key, algorithm }) => {
    it.each(digestCases)('LogoutRequest and LogoutResponse, digest $name', ({ digest }) => {
      const request = xmlsecVerify(signedRequestXml(keyPair(key), algorithm, digest), certificatePem(key));
      expect(request.output).toContain('OK');
      expect(request).toMatchObject({ ok: true, references: '1/1' });
      const response = xmlsecVerify(signedResponseXml(keyPair(key), algorithm, digest), certificatePem(key));
      expect(response).toMatchObject({ ok: true, references: '1/1' });
    });

    it('SOAP-wrapped LogoutRequest and LogoutResponse from encodeSoap(xml, { sign })', () => {
      const sign = { key: keyPair(key), algorithm };
      const request = encodeSoap(richRequest().xml, { sign });
      const response = encodeSoap(partialLogoutResponse().xml, { sign });
      expect(xmlsecVerify(request, certificatePem(key))).toMatchObject({ ok: true, references: '1/1' });
      expect(xmlsecVerify(response, certificatePem(key))).toMatchObject({ ok: true, references: '1/1' });
      expect(receiveSoap(request, options(certificate(key))).signed).toBe(true);
      expect(receiveSoap(response, options(certificate(key), { expect: {} })).signed).toBe(true);
    });
  });

  it('xmlsec1 uses only the given certificate: another one fails, as in samlkit', () => {
    const xml = signedRequestXml(keyPair('idp'));
    expect(xmlsecVerify(xml, certificatePem('evil')).ok).toBe(false);
    const ec = signedRequestXml(keyPair('idp-ec-p-256'));
    expect(xmlsecVerify(ec, certificatePem('sp-ec')).ok).toBe(false);
  });
});

describe('xml-crypto signs → samlkit verifies', () => {
  const cases = [
    {
      name: 'RSA-SHA256 / SHA-256',
      algorithm: signatureAlgorithms.rsaSha256,
      digest: digestAlgorithms.sha256,
    },
    {
      name: 'RSA-SHA512 / SHA-512',
      algorithm: signatureAlgorithms.rsaSha512,
      digest: digestAlgorithms.sha512,
    },
    {
      name: 'RSA-SHA384 / SHA-384',
      algorithm: signatureAlgorithms.rsaSha384,
      digest: digestAlgorithms.sha384,
    },
  ];

  it.each(cases)('LogoutRequest, $name', ({ algorithm, digest }) => {
    const xml = xmlCryptoSign(richRequest().xml, 'idp', algorithm, digest);
    // Placement and shape are xml-crypto's own: check it did what we asked before relying on it.
    expect(xml).toMatch(/<\/saml:Issuer><ds:Signature xmlns:ds="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">/);
    expect(xpathString(xml, "//*[local-name()='Reference']/@URI")).toBe(`#${requestId}`);
    expect(xmlCryptoVerify(xml, certificatePem('idp')).valid).toBe(true);
    const received = receivePost(postForm('SAMLRequest', xml), options(certificate('idp')));
    expect(received).toMatchObject({ signed: true, algorithm });
    expect(parseLogoutRequest(received.xml)).toEqual(richRequestFields);
  });

  it.each(cases)('LogoutResponse, $name', ({ algorithm, digest }) => {
    const xml = xmlCryptoSign(partialLogoutResponse().xml, 'idp', algorithm, digest);
    const received = receivePost(
      postForm('SAMLResponse', xml),
      options(certificate('idp'), { expect: { inResponseTo: '_request-1' } }),
    );
    expect(received).toMatchObject({ signed: true, algorithm });
    expect(parseLogoutResponse(received.xml)).toEqual(partialLogoutFields);
  });

  it('the trusted key pair may also be given as a PEM string', () => {
    const xml = xmlCryptoSign(
      richRequest().xml,
      'sp-a',
      signatureAlgorithms.rsaSha256,
      digestAlgorithms.sha256,
    );
    expect(receivePost(postForm('SAMLRequest', xml), options(certificatePem('sp-a'))).signed).toBe(true);
  });
});

describe.skipIf(!hasXmlsec1())('xmlsec1 --sign (template) → samlkit verifies', () => {
  describe.each(allCases)('$name', ({ key, algorithm }) => {
    it.each(digestCases)('LogoutRequest, digest $name', ({ digest }) => {
      const xml = xmlsecSigned(richRequest().xml, requestId, key, algorithm, digest);
      expect(xml.startsWith('<?xml')).toBe(true);
      const received = receivePost(postForm('SAMLRequest', xml), options(certificate(key)));
      expect(received).toMatchObject({ signed: true, algorithm });
      expect(parseLogoutRequest(received.xml)).toEqual(richRequestFields);
    });

    it('LogoutResponse, digest SHA-256', () => {
      const xml = xmlsecSigned(
        partialLogoutResponse().xml,
        responseId,
        key,
        algorithm,
        digestAlgorithms.sha256,
      );
      const received = receivePost(
        postForm('SAMLResponse', xml),
        options(certificate(key), { expect: { inResponseTo: '_request-1' } }),
      );
      expect(parseLogoutResponse(received.xml)).toEqual(partialLogoutFields);
    });
  });

  it.each(ecdsaCases)(
    '$name: xmlsec1 emits r||s (2 × field size), and samlkit accepts it',
    ({ key, algorithm }) => {
      const xml = xmlsecSigned(richRequest().xml, requestId, key, algorithm, digestAlgorithms.sha256);
      const value = Buffer.from(
        xpathString(xml, "//*[local-name()='SignatureValue']").replace(/\s+/g, ''),
        'base64',
      );
      const fieldBytes = Math.ceil(keyPair(key).keySize / 8);
      expect(value.length).toBe(2 * fieldBytes);
      expect(value[0]).not.toBe(0x30); // not a DER SEQUENCE
      expect(receivePost(postForm('SAMLRequest', xml), options(certificate(key))).signed).toBe(true);
    },
  );

  it('regression: accepts xmlsec1 output byte-for-byte (whitespace between the XML declaration and the root)', () => {
    // XML 1.0 §2.8: prolog ::= XMLDecl? Misc*, Misc includes S. xmlsec1, libxml2, lxml and Java
    // serializers all write a newline after the declaration; samlkit answers SAML_XML_MALFORMED.
    const raw = xmlsecSignedRaw(
      richRequest().xml,
      requestId,
      'idp',
      signatureAlgorithms.rsaSha256,
      digestAlgorithms.sha256,
    );
    expect(raw).toMatch(/^<\?xml version="1\.0"\?>\n<samlp:LogoutRequest /);
    expect(xmlsecVerify(raw, certificatePem('idp')).ok).toBe(true);
    expect(xmlCryptoVerify(raw, certificatePem('idp')).valid).toBe(true);
    expect(outcome(() => receivePost(postForm('SAMLRequest', raw), options(certificate('idp'))))).toBe(
      'accepted',
    );
  });

  it('xml-crypto also verifies what xmlsec1 signed with RSA (three implementations agree)', () => {
    const xml = xmlsecSigned(
      richRequest().xml,
      requestId,
      'idp',
      signatureAlgorithms.rsaSha256,
      digestAlgorithms.sha256,
    );
    const result = xmlCryptoVerify(xml, certificatePem('idp'));
    expect(result.valid).toBe(true);
    const received = receivePost(postForm('SAMLRequest', xml), options(certificate('idp')));
    expect(result.signedReferences[0]).toBe(received.xml);
  });
});

describe('what samlkit rejects, the independent verifiers reject too', () => {
  type Verdicts = { samlkit: string; xmlCrypto: boolean; xmlsec1?: boolean };

  function verdicts(xml: string, trusted: string): Verdicts {
    const result: Verdicts = {
      samlkit: outcome(() => receivePost(postForm('SAMLRequest', xml), options(certificate(trusted)))),
      xmlCrypto: xmlCryptoVerify(xml, certificatePem(trusted)).valid,
    };
    if (hasXmlsec1()) result.xmlsec1 = xmlsecVerify(xml, certificatePem(trusted)).ok;
    return result;
  }
  const accepted = { samlkit: 'accepted', xmlCrypto: true, ...(hasXmlsec1() ? { xmlsec1: true } : {}) };
  const rejected = {
    samlkit: 'SAML_SIGNATURE_INVALID',
    xmlCrypto: false,
    ...(hasXmlsec1() ? { xmlsec1: false } : {}),
  };

  const signers = [
    { name: 'signed by samlkit', sign: () => signedRequestXml(keyPair('idp')) },
    {
      name: 'signed by xml-crypto',
      sign: () =>
        xmlCryptoSign(richRequest().xml, 'idp', signatureAlgorithms.rsaSha256, digestAlgorithms.sha256),
    },
  ];

  describe.each(signers)('$name', ({ sign }) => {
    it('control: the untouched message is accepted by all', () => {
      expect(verdicts(sign(), 'idp')).toEqual(accepted);
    });

    it.each(tamperings)('$name → all reject', ({ tamper }) => {
      const original = sign();
      const tampered = tamper(original);
      expect(tampered).not.toBe(original);
      expect(verdicts(tampered, 'idp')).toEqual(rejected);
    });

    it('verified with an unrelated certificate → all reject', () => {
      expect(verdicts(sign(), 'sp-a')).toEqual(rejected);
    });
  });

  it('signed with the evil key (its certificate in KeyInfo) while idp is trusted → all reject', () => {
    const bySamlkit = signedRequestXml(keyPair('evil'));
    const byXmlCrypto = xmlCryptoSign(
      richRequest().xml,
      'evil',
      signatureAlgorithms.rsaSha256,
      digestAlgorithms.sha256,
    );
    expect(bySamlkit).toContain(keyPair('evil').certificateBase64);
    expect(verdicts(bySamlkit, 'idp')).toEqual(rejected);
    expect(verdicts(byXmlCrypto, 'idp')).toEqual(rejected);
  });

  it.skipIf(!hasXmlsec1())('ECDSA (samlkit and xmlsec1 only: xml-crypto has no ECDSA)', () => {
    const ecSigned = [
      signedRequestXml(keyPair('idp-ec-p-256')),
      xmlsecSigned(
        richRequest().xml,
        requestId,
        'idp-ec-p-256',
        signatureAlgorithms.ecdsaSha256,
        digestAlgorithms.sha256,
      ),
    ];
    for (const xml of ecSigned) {
      const form = (x: string) => postForm('SAMLRequest', x);
      expect(outcome(() => receivePost(form(xml), options(certificate('idp-ec-p-256'))))).toBe('accepted');
      expect(xmlsecVerify(xml, certificatePem('idp-ec-p-256')).ok).toBe(true);
      for (const { tamper } of tamperings.filter((t) => !t.name.startsWith('SignatureMethod'))) {
        const bad = tamper(xml);
        expect(outcome(() => receivePost(form(bad), options(certificate('idp-ec-p-256'))))).toBe(
          'SAML_SIGNATURE_INVALID',
        );
        expect(xmlsecVerify(bad, certificatePem('idp-ec-p-256')).ok).toBe(false);
      }
      expect(outcome(() => receivePost(form(xml), options(certificate('sp-ec'))))).toBe(
        'SAML_SIGNATURE_INVALID',
      );
      expect(xmlsecVerify(xml, certificatePem('sp-ec')).ok).toBe(false);
    }
  });
});
