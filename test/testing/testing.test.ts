import { SAML } from '@node-saml/node-saml';
import * as samlify from 'samlify';
import { describe, expect, it } from 'vitest';
import { encodePost, encodeRedirect, encodeSoap } from '../../src/index.js';
import {
  assertNotSigned,
  assertSchemaValid,
  assertSigned,
  decodeMessage,
  evaluate,
  hasXmllint,
  normalizeXml,
  select,
  selectText,
  signedParts,
  validateSchema,
} from '../../src/testing/index.js';
import {
  idpEntityId,
  idpSsoUrl,
  postBinding,
  samlifySchemaValidator,
  spAcsUrl,
  spEntityId,
} from '../interop/support.js';
import { sampleResponse, spProvider } from '../sso/support.js';
import { growth } from '../support/growth.js';
import { certificate, certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import { sampleLogoutRequest, sampleLogoutResponse, spSloUrl } from '../support/messages.js';

const signedBoth = () =>
  sampleResponse({ provider: spProvider({ signAssertion: true, signResponse: true }) });
const relayState = 'back to /apps?tab=1&lang=en';

describe('select / selectText / evaluate', () => {
  const { xml } = signedBoth();

  it('selects with the usual SAML prefixes and returns plain data', () => {
    const [nameId] = select(xml, '/samlp:Response/saml:Assertion/saml:Subject/saml:NameID');
    expect(nameId).toEqual({
      kind: 'element',
      name: 'saml:NameID',
      namespace: 'urn:oasis:names:tc:SAML:2.0:assertion',
      text: 'alice@example.com',
      xml: expect.stringMatching(/^<saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2\.0:assertion" /),
    });
    expect(select(xml, '/samlp:Response/@ID')).toEqual([
      { kind: 'attribute', name: 'ID', namespace: null, text: '_response-1', xml: 'ID="_response-1"' },
    ]);
    expect(selectText(xml, '//saml:Audience')).toBe(spEntityId);
    expect(select(xml, '//ds:Signature/ds:SignedInfo/ds:Reference/@URI').map((n) => n.text)).toEqual([
      '#_response-1',
      '#_assertion-1',
    ]);
  });

  it('evaluates scalar expressions, and refuses them where nodes are expected', () => {
    expect(evaluate(xml, 'count(//ds:Signature)')).toBe(2);
    expect(evaluate(xml, 'string(/samlp:Response/@InResponseTo)')).toBe('_authn-request-1');
    expect(evaluate(xml, 'boolean(//xenc:EncryptedAssertion)')).toBe(false);
    expect(() => select(xml, 'count(//ds:Signature)')).toThrow(TypeError);
    expect(() => selectText(xml, '//saml:Attribute')).toThrow(
      'expected exactly one node at //saml:Attribute, found 0',
    );
  });

  it('parses with the strict parser first', () => {
    expect(() => select('<!DOCTYPE x><x/>', '/x')).toThrow(/DOCTYPE/);
  });
});

describe('decodeMessage', () => {
  const { xml } = sampleLogoutRequest();
  const sign = { key: keyPair('idp') };

  it('takes a signed Redirect URL, its query alone, or an HTTP GET apart', () => {
    const url = encodeRedirect({ type: 'SAMLRequest', xml, destination: spSloUrl, relayState, sign });
    const expected = {
      binding: 'redirect',
      type: 'SAMLRequest',
      // encodeRedirect puts an XML declaration first.
      xml: `<?xml version="1.0" encoding="UTF-8"?>${xml}`,
      relayState,
      sigAlg: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      signature: new URL(url).searchParams.get('Signature'),
    };
    expect(decodeMessage(url)).toEqual({ ...expected, destination: spSloUrl });
    expect(decodeMessage(new URL(url).search.slice(1))).toEqual(expected);
    expect(decodeMessage({ method: 'GET', query: new URL(url).search })).toEqual(expected);
  });

  it('takes a POST form in every shape: encodePost result, fields, body, HTML page', () => {
    const { xml: response } = sampleLogoutResponse();
    const form = encodePost({ type: 'SAMLResponse', xml: response, destination: spSloUrl, relayState });
    const expected = { binding: 'post', type: 'SAMLResponse', xml: response, relayState };
    expect(decodeMessage(form)).toEqual({ ...expected, destination: spSloUrl });
    expect(decodeMessage(form.fields)).toEqual(expected);
    expect(decodeMessage(new URLSearchParams(form.fields))).toEqual(expected);
    expect(decodeMessage(new URLSearchParams(form.fields).toString())).toEqual(expected);
    expect(decodeMessage(form.html)).toEqual({ ...expected, destination: spSloUrl });
    expect(decodeMessage({ method: 'POST', body: new URLSearchParams(form.fields).toString() })).toEqual(
      expected,
    );
  });

  it('takes a SOAP envelope', () => {
    const envelope = encodeSoap(xml, { sign });
    const decoded = decodeMessage(envelope);
    expect(decoded).toMatchObject({ binding: 'soap', type: 'SAMLRequest' });
    expect(selectText(decoded.xml, '/samlp:LogoutRequest/saml:NameID')).toBe(
      selectText(xml, '//saml:NameID'),
    );
    // What comes out stands alone: its signature still verifies.
    expect(signedParts(decoded.xml, { trust: [certificate('idp')] })).toMatchObject([
      { path: '/samlp:LogoutRequest', valid: true },
    ]);
    expect(decodeMessage(encodeSoap(sampleLogoutResponse().xml)).type).toBe('SAMLResponse');
  });

  it('keeps the strictness of the bindings', () => {
    expect(() => decodeMessage('SAMLRequest=not*base64')).toThrow(/base64/);
    expect(() => decodeMessage({ SAMLRequest: 'PHgvPg==', SAMLResponse: 'PHgvPg==' })).toThrow(/exactly one/);
    expect(() => decodeMessage('<x/>')).toThrow(/SOAP/);
  });

  it('reads what node-saml sends: a signed Redirect AuthnRequest and an HTML POST form', async () => {
    const config = {
      callbackUrl: spAcsUrl,
      entryPoint: idpSsoUrl,
      issuer: spEntityId,
      idpCert: certificatePem('idp'),
      privateKey: privateKeyPem('sp-a'),
      signatureAlgorithm: 'sha256' as const,
      digestAlgorithm: 'sha256' as const,
    };
    const redirect = decodeMessage(await new SAML(config).getAuthorizeUrlAsync('rs-1', undefined, {}));
    expect(redirect).toMatchObject({ binding: 'redirect', type: 'SAMLRequest', relayState: 'rs-1' });
    expect(redirect.sigAlg).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(selectText(redirect.xml, '/samlp:AuthnRequest/saml:Issuer')).toBe(spEntityId);

    const html = await new SAML({ ...config, authnRequestBinding: 'HTTP-POST' }).getAuthorizeFormAsync(
      'rs-2',
      undefined,
      {},
    );
    const post = decodeMessage(html);
    expect(post).toMatchObject({
      binding: 'post',
      type: 'SAMLRequest',
      relayState: 'rs-2',
      destination: idpSsoUrl,
    });
    expect(assertSigned(post.xml, '/samlp:AuthnRequest', { trust: [certificate('sp-a')] })).toMatchObject({
      valid: true,
      algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    });
  });
});

describe('decodeMessage and signedParts on what samlify sends', () => {
  it('reads a signed HTTP-POST AuthnRequest, signed by the SP key', () => {
    samlify.setSchemaValidator(samlifySchemaValidator);
    const sp = samlify.ServiceProvider({
      entityID: spEntityId,
      privateKey: privateKeyPem('sp-a'),
      signingCert: certificatePem('sp-a'),
      authnRequestsSigned: true,
      requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      assertionConsumerService: [{ Binding: postBinding, Location: spAcsUrl }],
    });
    const idp = samlify.IdentityProvider({
      entityID: idpEntityId,
      signingCert: certificatePem('idp'),
      wantAuthnRequestsSigned: true,
      singleSignOnService: [{ Binding: postBinding, Location: idpSsoUrl }],
    });
    const sent = sp.createLoginRequest(idp, 'post', { relayState: 'rs-samlify' }) as {
      context: string;
      relayState: string;
    };
    const decoded = decodeMessage({ SAMLRequest: sent.context, RelayState: sent.relayState });
    expect(decoded).toMatchObject({ binding: 'post', type: 'SAMLRequest', relayState: 'rs-samlify' });
    expect(selectText(decoded.xml, '/samlp:AuthnRequest/@AssertionConsumerServiceURL')).toBe(spAcsUrl);
    expect(signedParts(decoded.xml, { trust: [certificate('idp'), certificate('sp-a')] })).toMatchObject([
      { path: '/samlp:AuthnRequest', valid: true, certificateIndex: 1 },
    ]);
  });
});

describe('normalizeXml', () => {
  it('makes two runs of the same message equal, keeping which values were equal', () => {
    const first = sampleLogoutRequest({ id: '_a1b2', issueInstant: new Date('2026-01-01T00:00:00Z') }).xml;
    const second = sampleLogoutRequest({ id: '_c3d4', issueInstant: new Date('2026-06-01T12:30:00Z') }).xml;
    expect(first).not.toBe(second);
    expect(normalizeXml(first)).toBe(normalizeXml(second));
    expect(normalizeXml(first)).toContain('ID="_ID1"');
    expect(normalizeXml(first)).toContain('IssueInstant="_INSTANT1"');
    expect(normalizeXml(first)).not.toContain('_a1b2');
  });

  it('numbers IDs and their references consistently and hides digests, signatures, certificates', () => {
    const normalized = normalizeXml(signedBoth().xml);
    expect(normalized).toContain('<samlp:Response');
    expect(normalized.match(/"_ID1"|#_ID1"/g)).toHaveLength(2); // Response/@ID and its Reference
    expect(normalized.match(/"_ID3"|#_ID3"/g)).toHaveLength(2); // Assertion/@ID and its Reference
    expect(normalized).toContain('InResponseTo="_ID2"');
    expect(normalized.match(/_DIGEST_VALUE/g)).toHaveLength(2);
    expect(normalized.match(/_SIGNATURE_VALUE/g)).toHaveLength(2);
    expect(normalized.match(/>_CERTIFICATE1</g)).toHaveLength(2);
    expect(normalized).not.toMatch(/_response-1|_assertion-1|2026-04-20T/);
    expect(normalizeXml(signedBoth().xml, { keepCertificates: true })).toContain(
      keyPair('idp').certificateBase64,
    );
    // Pretty-printed: one element per line, two spaces per level.
    expect(normalized.split('\n')[1]).toMatch(/^ {2}<saml:Issuer[ >]/);
  });

  it('is canonical: attribute order and namespace placement do not matter', () => {
    const a =
      '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Version="2.0" ID="x1"><samlp:Status/></samlp:LogoutResponse>';
    const b =
      '<p:LogoutResponse xmlns:p="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:unused="urn:x" ID="y2" Version="2.0">\n<p:Status></p:Status>\n</p:LogoutResponse>';
    expect(normalizeXml(a)).toBe(
      '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_ID1" Version="2.0">\n' +
        '  <samlp:Status/>\n</samlp:LogoutResponse>\n',
    );
    expect(normalizeXml(b)).toBe(normalizeXml(a).replaceAll('samlp', 'p'));
  });
});

describe('signedParts / assertSigned / assertNotSigned', () => {
  it('tells which elements are signed, and by which trusted certificate', () => {
    const { xml } = signedBoth();
    const idp = keyPair('idp');
    expect(signedParts(xml, { trust: [certificate('sp-a'), idp] })).toEqual([
      {
        path: '/samlp:Response',
        id: '_response-1',
        valid: true,
        certificate: idp.certificatePem,
        certificateIndex: 1,
        algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      },
      expect.objectContaining({ path: '/samlp:Response/saml:Assertion', id: '_assertion-1', valid: true }),
    ]);
  });

  it('reports a signature that does not verify, and why', () => {
    const { xml } = signedBoth();
    const tampered = xml.replace('alice@example.com', 'mallory@example.com');
    const parts = signedParts(tampered, { trust: [certificate('idp')] });
    // The Response digest covers the assertion too, so both break.
    expect(parts.map((p) => [p.path, p.valid])).toEqual([
      ['/samlp:Response', false],
      ['/samlp:Response/saml:Assertion', false],
    ]);
    expect(parts[1]!.reason).toMatch(/^SAML_SIGNATURE_INVALID: digest/);
    expect(() =>
      assertSigned(tampered, '/samlp:Response/saml:Assertion', { trust: [certificate('idp')] }),
    ).toThrow('the signature of /samlp:Response/saml:Assertion does not verify');
    const wrongKey = signedParts(xml, { trust: [certificate('evil')] });
    expect(wrongKey.every((p) => !p.valid && /trusted certificate/.test(p.reason!))).toBe(true);
  });

  it('asserts presence, absence and the signer', () => {
    const assertionOnly = sampleResponse().xml;
    const options = { trust: [certificate('idp'), certificate('idp-rollover')] };
    expect(
      assertSigned(assertionOnly, '/samlp:Response/saml:Assertion', { ...options, by: certificate('idp') })
        .id,
    ).toBe('_assertion-1');
    expect(() =>
      assertSigned(assertionOnly, '/samlp:Response/saml:Assertion', {
        ...options,
        by: certificate('idp-rollover'),
      }),
    ).toThrow(/is signed by the certificate .*, not by/);
    expect(() => assertSigned(assertionOnly, '/samlp:Response', options)).toThrow(
      'expected /samlp:Response to be signed; signed elements: /samlp:Response/saml:Assertion',
    );
    expect(() => assertNotSigned(assertionOnly, '/samlp:Response')).not.toThrow();
    expect(() => assertNotSigned(assertionOnly, '/samlp:Response/saml:Assertion')).toThrow(
      'expected /samlp:Response/saml:Assertion not to be signed',
    );
  });
});

describe.skipIf(!hasXmllint())('validateSchema / assertSchemaValid', () => {
  it('validates each kind of document against its schema', () => {
    expect(validateSchema(signedBoth().xml)).toMatchObject({ valid: true, errors: [] });
    expect(validateSchema(sampleLogoutRequest().xml).schema).toMatch(/saml-schema-protocol-2\.0\.xsd$/);
    expect(() => assertSchemaValid(encodeSoap(sampleLogoutResponse().xml))).not.toThrow();
  });

  it('reports what is wrong, also inside a SOAP Body', () => {
    const broken = sampleLogoutRequest().xml.replace('Version="2.0"', 'Version="2.0" Bogus="1"');
    const report = validateSchema(broken);
    expect(report.valid).toBe(false);
    expect(report.errors.join('\n')).toMatch(/^document:\d+: .*Bogus/m);
    expect(validateSchema(encodeSoap(broken)).valid).toBe(false);
    expect(() => assertSchemaValid(broken)).toThrow(/is not valid against .*saml-schema-protocol-2\.0\.xsd/);
  });

  it('takes another schema folder and says when xmllint cannot run', () => {
    expect(() => validateSchema(sampleLogoutRequest().xml, { xmllint: 'no-such-xmllint' })).toThrow(
      /could not run/,
    );
    expect(() => validateSchema(sampleLogoutRequest().xml, { schemaDirectory: '/nonexistent' })).toThrow(
      /schema file not found/,
    );
  });
});

describe('cost on hostile input', () => {
  it('reads an HTML page of unclosed tags in linear time: 4× the input costs at most 6× the time', async () => {
    const { ratio } = await growth((count) => {
      const html = `<html>${'<input name="SAMLResponse" <form '.repeat(count)}`;
      return () => expect(() => decodeMessage(html)).toThrow();
    }, 2_000);
    expect(ratio).toBeLessThanOrEqual(6);
  });
});
