/**
 * Regression tests for defects the security suite found; each name says what
 * it guards against. The messages are built by samlkit itself here (the
 * corpus holds the independently generated ones), so these also prove that
 * what samlkit emits is never caught by the new rules.
 */
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  encodePost,
  encodeRedirect,
  encodeSoap,
  isSamlError,
  parseLogoutRequest,
  type ReceiveOptions,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from '../../src/index.js';
import { certificate, keyPair } from '../support/keys.js';
import { fixedClock, fixedNow, idpSloUrl, spEntityId } from '../support/messages.js';

const options: ReceiveOptions = { trust: [certificate('sp-a')], clock: fixedClock };
const sign = { key: keyPair('sp-a') };

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return isSamlError(error) ? error.code : `not a SamlError: ${String(error)}`;
  }
}

function request(nameId = 'alice@example.com.evil.net') {
  return buildLogoutRequest({
    issuer: spEntityId,
    destination: idpSloUrl,
    nameId: { value: nameId },
    sessionIndex: '_s1',
    id: '_regression',
    issueInstant: fixedNow,
  }).xml;
}

const postXml = (xml: string) => encodePost({ type: 'SAMLRequest', xml, destination: idpSloUrl, sign }).xml;
const post = (xml: string, extra: Partial<ReceiveOptions> = {}) =>
  receivePost({ SAMLRequest: Buffer.from(xml, 'utf8').toString('base64') }, { ...options, ...extra });

describe('regression: a signature placed before saml:Issuer', () => {
  /** Moves the signature samlkit placed after the Issuer to the first child of the root. */
  const signatureFirst = (xml: string, root: string) => {
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml)![0];
    return xml.replace(signature, '').replace(new RegExp(`(<samlp:${root}[^>]*>)`), `$1${signature}`);
  };

  it('is refused on HTTP-POST although the signature itself verifies (schema order, SAMLCore §3.2.1)', () => {
    const moved = signatureFirst(postXml(request()), 'LogoutRequest');
    expect(moved.indexOf('<ds:Signature')).toBeLessThan(moved.indexOf('<saml:Issuer'));
    expect(codeOf(() => post(moved))).toBe('SAML_SIGNATURE_PROFILE_VIOLATION');
  });

  it('is refused on SOAP too', () => {
    const response = buildLogoutResponse({
      issuer: spEntityId,
      inResponseTo: '_r',
      issueInstant: fixedNow,
    }).xml;
    const moved = signatureFirst(encodeSoap(response, { sign }), 'LogoutResponse');
    expect(codeOf(() => receiveSoap(moved, options))).toBe('SAML_SIGNATURE_PROFILE_VIOLATION');
  });

  it('still accepts a first-child Signature when the message has no Issuer at all', () => {
    const noIssuer = postXml(request()).replace(/<saml:Issuer>[^<]*<\/saml:Issuer>/, '');
    // The digest covered the Issuer, so only the placement rule is exercised: a digest failure, not a profile one.
    expect(codeOf(() => post(noIssuer))).toBe('SAML_SIGNATURE_INVALID');
  });
});

describe('regression: text-node splitting of a signed value after signing (attacks §2)', () => {
  const signedValue = 'alice@example.com.evil.net';
  const splits = {
    comment: 'alice@example.com<!---->.evil.net',
    cdata: 'alice@example.com<![CDATA[.evil.net]]>',
  };

  it.each(Object.entries(splits))(
    'a %s split of NameID is refused on HTTP-POST before any cryptography, never read truncated',
    (_, split) => {
      const tampered = postXml(request()).replace(`>${signedValue}<`, `>${split}<`);
      expect(codeOf(() => post(tampered))).toBe('SAML_XML_MIXED_CONTENT');
      // Even with the signature broken as well, the structural refusal comes first.
      const alsoBroken = tampered.replace(/<ds:DigestValue>[^<]/, '<ds:DigestValue>A');
      expect(codeOf(() => post(alsoBroken))).toBe('SAML_XML_MIXED_CONTENT');
    },
  );

  it.each(Object.entries(splits))(
    'a %s split gets the same verdict on HTTP-POST, HTTP-Redirect and SOAP',
    (_, split) => {
      const xml = request(split.replace(/<!---->|<!\[CDATA\[|\]\]>/g, ''));
      const viaPost = postXml(xml).replace(`>${signedValue}<`, `>${split}<`);
      const viaSoap = encodeSoap(xml, { sign }).replace(`>${signedValue}<`, `>${split}<`);
      const viaRedirect = encodeRedirect({
        type: 'SAMLRequest',
        xml: xml.replace(`>${signedValue}<`, `>${split}<`),
        destination: idpSloUrl,
        sign,
      });
      expect(codeOf(() => post(viaPost))).toBe('SAML_XML_MIXED_CONTENT');
      expect(codeOf(() => receiveSoap(viaSoap, options))).toBe('SAML_XML_MIXED_CONTENT');
      expect(codeOf(() => receiveRedirect(viaRedirect, options))).toBe('SAML_XML_MIXED_CONTENT');
    },
  );

  it('a comment in Issuer, SessionIndex or a LogoutResponse StatusMessage is refused alike', () => {
    const signed = postXml(request());
    const issuer = signed.replace(`>${spEntityId}<`, `>${spEntityId.replace('.com/', '.com<!---->/')}<`);
    const sessionIndex = signed.replace('>_s1<', '>_<!---->s1<');
    expect(codeOf(() => post(issuer))).toBe('SAML_XML_MIXED_CONTENT');
    expect(codeOf(() => post(sessionIndex))).toBe('SAML_XML_MIXED_CONTENT');
    const response = encodePost({
      type: 'SAMLResponse',
      xml: buildLogoutResponse({
        issuer: spEntityId,
        destination: idpSloUrl,
        inResponseTo: '_r',
        issueInstant: fixedNow,
        status: { code: 'Responder', message: 'partial logout' },
      }).xml,
      destination: idpSloUrl,
      sign,
    }).xml.replace('>partial logout<', '>partial<!----> logout<');
    expect(
      codeOf(() => receivePost({ SAMLResponse: Buffer.from(response, 'utf8').toString('base64') }, options)),
    ).toBe('SAML_XML_MIXED_CONTENT');
  });

  it('is refused on the unsigned opt-out path as well', () => {
    const unsigned = request().replace(`>${signedValue}<`, `>${splits.comment}<`);
    expect(codeOf(() => post(unsigned, { requireSignature: false }))).toBe('SAML_XML_MIXED_CONTENT');
  });

  it('leaves comments between elements, which no field reads, alone', () => {
    const signed = postXml(request()).replace('<samlp:SessionIndex>', '<!-- a note --><samlp:SessionIndex>');
    const received = post(signed);
    expect(parseLogoutRequest(received.xml).nameId?.value).toBe(signedValue);
  });
});

describe('regressions found while reviewing the security suite', () => {
  it('regression: unsafeAllowSha1 alone does not admit dsa-sha1 on receive', async () => {
    const { acceptSignatureAlgorithm } = await import('../../src/crypto/algorithms.js');
    const { signatureAlgorithms } = await import('../../src/constants/algorithms.js');
    const error = (() => {
      try {
        acceptSignatureAlgorithm(signatureAlgorithms.dsaSha1, { unsafeAllowSha1: true });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isSamlError(error) && error.code).toBe('SAML_ALGORITHM_FORBIDDEN');
    expect(
      acceptSignatureAlgorithm(signatureAlgorithms.dsaSha1, { unsafeAllowSha1: true, unsafeAllowDsa: true }),
    ).toBe(signatureAlgorithms.dsaSha1);
  });

  it('regression: encodePost refuses control characters in RelayState, as encodeRedirect does', () => {
    const xml = request('alice@example.com');
    for (const relayState of ['a\nb', 'tab\there', '\u0000', 'del\u007f']) {
      expect(codeOf(() => encodePost({ type: 'SAMLRequest', xml, destination: idpSloUrl, relayState }))).toBe(
        'SAML_RELAY_STATE_INVALID',
      );
      expect(
        codeOf(() => encodeRedirect({ type: 'SAMLRequest', xml, destination: idpSloUrl, relayState })),
      ).toBe('SAML_RELAY_STATE_INVALID');
    }
  });

  it('regression: receivePost bounds a raw urlencoded body before splitting and decoding it', () => {
    const body = `SAMLRequest=${'A'.repeat(4 * 1024 + 1)}`;
    expect(codeOf(() => receivePost(body, { ...options, maxBytes: 1024 }))).toBe(
      'SAML_BINDING_LIMIT_EXCEEDED',
    );
    // A real signed message well under the limit still arrives as a raw body.
    const form = encodePost({
      type: 'SAMLRequest',
      xml: request('alice@example.com'),
      destination: idpSloUrl,
      sign,
    });
    const raw = new URLSearchParams(form.fields).toString();
    expect(receivePost(raw, { ...options, expect: { destination: idpSloUrl } }).messageType).toBe(
      'LogoutRequest',
    );
  });
});
