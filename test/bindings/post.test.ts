import { describe, expect, it } from 'vitest';
import { encodePost, type ReceiveOptions, receivePost } from '../../src/bindings/index.js';
import { signatureAlgorithms } from '../../src/constants/algorithms.js';
import { buildLogoutRequest, buildLogoutResponse, parseLogoutRequest } from '../../src/logout/index.js';
import { expectCode } from '../support/errors.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';
import { fixedClock, fixedNow, idpSloUrl, spEntityId } from '../support/messages.js';

function requestXml(overrides: Partial<Parameters<typeof buildLogoutRequest>[0]> = {}): string {
  return buildLogoutRequest({
    issuer: spEntityId,
    destination: idpSloUrl,
    nameId: { value: 'alice@example.com' },
    sessionIndex: '_s1',
    id: '_post-request',
    issueInstant: fixedNow,
    ...overrides,
  }).xml;
}

function responseXml(): string {
  return buildLogoutResponse({
    issuer: spEntityId,
    destination: idpSloUrl,
    inResponseTo: '_idp-request',
    id: '_post-response',
    issueInstant: fixedNow,
  }).xml;
}

/** The signed XML (F-POST) and its form, signed by `key`. */
function signedPost(xml = requestXml(), key = 'sp-a', type: 'SAMLRequest' | 'SAMLResponse' = 'SAMLRequest') {
  return encodePost({ type, xml, destination: idpSloUrl, relayState: 'rs1', sign: { key: keyPair(key) } });
}

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

const options = (extra: Partial<ReceiveOptions> = {}): ReceiveOptions => ({
  trust: [certificate('sp-a')],
  clock: fixedClock,
  ...extra,
});

describe('encodePost', () => {
  it('signs the message enveloped, after the Issuer, and base64-encodes it', () => {
    const form = signedPost();
    expect(form.url).toBe(idpSloUrl);
    expect(Object.keys(form.fields)).toEqual(['SAMLRequest', 'RelayState']);
    expect(Buffer.from(form.fields.SAMLRequest!, 'base64').toString('utf8')).toBe(form.xml);
    expect(form.xml).toMatch(
      /<\/saml:Issuer><ds:Signature xmlns:ds="http:\/\/www.w3.org\/2000\/09\/xmldsig#">/,
    );
    expect(form.xml).toContain('<ds:Reference URI="#_post-request">');
  });

  it('leaves the XML untouched without sign, and omits an absent or empty RelayState', () => {
    const xml = requestXml();
    expect(encodePost({ type: 'SAMLRequest', xml, destination: idpSloUrl }).fields).toEqual({
      SAMLRequest: b64(xml),
    });
    expect(encodePost({ type: 'SAMLRequest', xml, destination: idpSloUrl, relayState: '' }).fields).toEqual({
      SAMLRequest: b64(xml),
    });
  });

  it('refuses a RelayState over 80 bytes and a bad destination', () => {
    expectCode(
      () =>
        encodePost({
          type: 'SAMLRequest',
          xml: requestXml(),
          destination: idpSloUrl,
          relayState: '\u00e9'.repeat(41),
        }),
      'SAML_RELAY_STATE_INVALID',
    );
    expectCode(
      () => encodePost({ type: 'SAMLRequest', xml: requestXml(), destination: 'javascript:alert(1)' }),
      'SAML_INPUT_INVALID',
    );
  });

  it('refuses to sign twice', () => {
    const signed = signedPost().xml;
    expectCode(
      () =>
        encodePost({
          type: 'SAMLRequest',
          xml: signed,
          destination: idpSloUrl,
          sign: { key: keyPair('sp-a') },
        }),
      'SAML_INPUT_INVALID',
    );
  });
});

describe('encodePost HTML', () => {
  const hostile = '"><script>alert(1)</script>';

  it('escapes the RelayState and contains no script without a nonce', () => {
    const { html } = encodePost({
      type: 'SAMLRequest',
      xml: requestXml(),
      destination: idpSloUrl,
      relayState: hostile,
    });
    expect(html).not.toContain('<script');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).toContain('<button type="submit">');
    expect(html).not.toContain('<noscript>');
    expect(html).toContain('method="post"');
    expect(html).toContain(`action="${idpSloUrl}"`);
  });

  it('with a nonce, auto-submits through one nonce’d script and keeps a <noscript> button', () => {
    const { html } = encodePost({
      type: 'SAMLRequest',
      xml: requestXml(),
      destination: idpSloUrl,
      relayState: hostile,
      nonce: 'n0nce',
    });
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('<script nonce="n0nce">');
    expect(html).toMatch(/<noscript><button type="submit">[^<]*<\/button><\/noscript>/);
    expect(html).not.toContain('<script>alert');
  });

  it('escapes the nonce and the action URL', () => {
    const { html } = encodePost({
      type: 'SAMLRequest',
      xml: requestXml(),
      destination: 'https://sp.example.com/slo?a=1&b="2"',
      nonce: '"><img src=x>',
    });
    expect(html).toContain('action="https://sp.example.com/slo?a=1&amp;b=&quot;2&quot;"');
    expect(html).toContain('<script nonce="&quot;&gt;&lt;img src=x&gt;">');
    expect(html).not.toContain('<img');
  });
});

describe('receivePost: field shapes', () => {
  it('receives a form object, URLSearchParams and a raw urlencoded body alike', () => {
    const form = signedPost();
    const body = new URLSearchParams(form.fields).toString();
    for (const input of [form.fields, new URLSearchParams(form.fields), body]) {
      const received = receivePost(input, options());
      expect(received.type).toBe('SAMLRequest');
      expect(received.binding).toBe('post');
      expect(received.relayState).toBe('rs1');
      expect(received.signed).toBe(true);
      expect(received.algorithm).toBe(signatureAlgorithms.rsaSha256);
      expect(received.header.id).toBe('_post-request');
    }
  });

  it('returns the canonical signed bytes, without the Signature, as xml', () => {
    const received = receivePost(signedPost().fields, options());
    expect(received.xml).not.toContain('Signature');
    expect(received.xml.startsWith('<samlp:LogoutRequest')).toBe(true);
    expect(parseLogoutRequest(received.xml)).toMatchObject({
      id: '_post-request',
      nameId: { value: 'alice@example.com' },
      sessionIndexes: ['_s1'],
    });
  });

  it('accepts a raw body whose field names and values are percent-encoded', () => {
    const form = signedPost();
    const body = `SAML%52equest=${encodeURIComponent(form.fields.SAMLRequest!)}&Relay%53tate=rs1&other=1`;
    expect(receivePost(body, options()).relayState).toBe('rs1');
  });

  it('accepts trust given as PEM strings', () => {
    expect(receivePost(signedPost().fields, options({ trust: [certificatePem('sp-a')] })).signed).toBe(true);
  });

  it('rejects a duplicate SAMLRequest in URLSearchParams and in a raw body', () => {
    const { fields } = signedPost();
    const params = new URLSearchParams(fields);
    params.append('SAMLRequest', b64(requestXml({ nameId: { value: 'victim' } })));
    expectCode(() => receivePost(params, options()), 'SAML_BINDING_PARAMETER_INVALID');
    const body = `SAMLRequest=${encodeURIComponent(fields.SAMLRequest!)}&SAMLRequest=x`;
    expectCode(() => receivePost(body, options()), 'SAML_BINDING_PARAMETER_INVALID');
    const smuggled = `SAMLRequest=${encodeURIComponent(fields.SAMLRequest!)}&SAML%52equest=x`;
    expectCode(() => receivePost(smuggled, options()), 'SAML_BINDING_PARAMETER_INVALID');
  });

  it('rejects a duplicate RelayState', () => {
    const params = new URLSearchParams(signedPost().fields);
    params.append('RelayState', 'https://evil.example/');
    expectCode(() => receivePost(params, options()), 'SAML_BINDING_PARAMETER_INVALID');
    const body = `${new URLSearchParams(signedPost().fields).toString()}&RelayState=x`;
    expectCode(() => receivePost(body, options()), 'SAML_BINDING_PARAMETER_INVALID');
  });

  it('rejects a non-string field (framework arrays)', () => {
    const { fields } = signedPost();
    expectCode(
      () => receivePost({ SAMLRequest: [fields.SAMLRequest, fields.SAMLRequest] }, options()),
      'SAML_BINDING_PARAMETER_INVALID',
    );
    expectCode(
      () => receivePost({ ...fields, RelayState: ['a', 'b'] }, options()),
      'SAML_BINDING_PARAMETER_INVALID',
    );
  });

  it('rejects both SAMLRequest and SAMLResponse, and neither', () => {
    const { fields } = signedPost();
    expectCode(
      () =>
        receivePost(
          { ...fields, SAMLResponse: signedPost(responseXml(), 'sp-a', 'SAMLResponse').fields.SAMLResponse },
          options(),
        ),
      'SAML_BINDING_PARAMETER_INVALID',
    );
    expectCode(() => receivePost({ RelayState: 'x' }, options()), 'SAML_BINDING_PARAMETER_INVALID');
    expectCode(() => receivePost('', options()), 'SAML_BINDING_PARAMETER_INVALID');
  });

  it('ignores an unrelated field of a raw body, however it is encoded (as receiveRedirect does)', () => {
    const body = `${new URLSearchParams(signedPost().fields).toString()}&legacy=caf%E9&other=%zz`;
    expect(receivePost(body, options()).signed).toBe(true);
  });

  it('ignores inherited properties of a form object', () => {
    const inherited = Object.create({ SAMLRequest: signedPost().fields.SAMLRequest });
    expectCode(() => receivePost(inherited, options()), 'SAML_BINDING_PARAMETER_INVALID');
  });
});

describe('receivePost: base64 and size (attacks §6)', () => {
  it('accepts base64 wrapped at 76 columns with CR LF or LF', () => {
    const encoded = signedPost().fields.SAMLRequest!;
    const lines = encoded.match(/.{1,76}/g)!;
    expect(receivePost({ SAMLRequest: lines.join('\r\n') }, options()).signed).toBe(true);
    expect(receivePost({ SAMLRequest: `${lines.join('\n')}\n` }, options()).signed).toBe(true);
  });

  const encoded = () => signedPost().fields.SAMLRequest!;

  it.each([
    ['one * inserted', (v: string) => `${v.slice(0, 40)}*${v.slice(40)}`],
    ['the URL-safe alphabet', (v: string) => v.replace(/\+/g, '-').replace(/\//g, '_')],
    ['the padding removed', (v: string) => v.replace(/=+$/, '')],
    ['= then PHg+ appended', (v: string) => `${v.replace(/=+$/, '')}=PHg+`],
    ['spaces inside', (v: string) => `${v.slice(0, 40)} ${v.slice(40)}`],
    ['a tab inside', (v: string) => `${v.slice(0, 40)}\t${v.slice(40)}`],
  ])('rejects base64 with %s as SAML_BINDING_DECODE_FAILED', (_name, mutate) => {
    const value = encoded();
    const mutated = mutate(value);
    expect(mutated).not.toBe(value);
    expectCode(() => receivePost({ SAMLRequest: mutated }, options()), 'SAML_BINDING_DECODE_FAILED');
  });

  it('a raw + in an unencoded form body becomes a space: a decode error, not a signature error', () => {
    let form = signedPost();
    for (let i = 0; !form.fields.SAMLRequest!.includes('+'); i++)
      form = signedPost(requestXml({ id: `_plus${i}` }));
    const body = `SAMLRequest=${form.fields.SAMLRequest}`;
    expectCode(() => receivePost(body, options()), 'SAML_BINDING_DECODE_FAILED');
  });

  it('rejects invalid UTF-8 in the decoded payload', () => {
    const bytes = Buffer.concat([Buffer.from('<r>'), Buffer.from([0xc0, 0xaf]), Buffer.from('</r>')]);
    expectCode(
      () => receivePost({ SAMLRequest: bytes.toString('base64') }, options({ requireSignature: false })),
      'SAML_BINDING_DECODE_FAILED',
    );
  });

  it('rejects 10 MB of A with SAML_BINDING_LIMIT_EXCEEDED before decoding', () => {
    const started = performance.now();
    const error = expectCode(
      () => receivePost({ SAMLRequest: 'A'.repeat(10_000_000) }, options()),
      'SAML_BINDING_LIMIT_EXCEEDED',
    );
    expect(error.details).toEqual({ limit: 256 * 1024 });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('honours maxBytes', () => {
    const { fields } = signedPost();
    const size = Buffer.from(fields.SAMLRequest!, 'base64').length;
    expect(receivePost(fields, options({ maxBytes: size })).signed).toBe(true);
    expectCode(() => receivePost(fields, options({ maxBytes: 100 })), 'SAML_BINDING_LIMIT_EXCEEDED');
  });

  it('drops a leading UTF-8 BOM the same way the parser would', () => {
    const { xml } = signedPost();
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]).toString('base64');
    expect(receivePost({ SAMLRequest: withBom }, options()).signed).toBe(true);
  });

  it('accepts an XML declaration before the signed root', () => {
    const { xml } = signedPost();
    const declared = `<?xml version="1.0" encoding="UTF-8"?>${xml}`;
    expect(receivePost({ SAMLRequest: b64(declared) }, options()).signed).toBe(true);
  });

  it('accepts an XML declaration followed by a newline before the signed root', () => {
    const { xml } = signedPost();
    const declared = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
    expect(receivePost({ SAMLRequest: b64(declared) }, options()).signed).toBe(true);
  });

  it('rejects, before any crypto and quickly, the deepest namespace nesting that fits the size limit', () => {
    // Unauthenticated input: the parse runs before the signature check, so it must stay cheap.
    const levels = 13_000;
    const deep = '<a xmlns:b="c">'.repeat(levels) + '</a>'.repeat(levels);
    const started = performance.now();
    expectCode(() => receivePost({ SAMLRequest: b64(deep) }, options()), 'SAML_XML_LIMIT_EXCEEDED');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('runs the strict parser before any crypto', () => {
    const { xml } = signedPost();
    expectCode(
      () => receivePost({ SAMLRequest: b64(`<!DOCTYPE samlp:LogoutRequest>${xml}`) }, options()),
      'SAML_XML_DTD_FORBIDDEN',
    );
    expectCode(
      () => receivePost({ SAMLRequest: b64(xml.replace('alice@example.com', 'alice\u2028')) }, options()),
      'SAML_XML_FORBIDDEN_CONTENT',
    );
    expectCode(() => receivePost({ SAMLRequest: b64(`${xml}${xml}`) }, options()), 'SAML_XML_MALFORMED');
  });
});

describe('receivePost: signatures and message type', () => {
  it('rejects an unsigned message with SAML_SIGNATURE_MISSING, accepted with requireSignature:false', () => {
    const fields = { SAMLRequest: b64(requestXml()) };
    expectCode(() => receivePost(fields, options()), 'SAML_SIGNATURE_MISSING');
    const received = receivePost(fields, options({ requireSignature: false }));
    expect(received.signed).toBe(false);
    expect(received.xml).toBe(requestXml());
  });

  it('verifies a present signature even when none is required', () => {
    expectCode(
      () => receivePost(signedPost(requestXml(), 'evil').fields, options({ requireSignature: false })),
      'SAML_SIGNATURE_INVALID',
    );
  });

  it.each(['sp-b', 'evil', 'idp'])('rejects a message signed by the %s key', (key) => {
    expectCode(() => receivePost(signedPost(requestXml(), key).fields, options()), 'SAML_SIGNATURE_INVALID');
  });

  it('rejects content changed after signing', () => {
    const { xml } = signedPost();
    const tampered = xml.replace('>alice@example.com<', '>victim@example.com<');
    expectCode(() => receivePost({ SAMLRequest: b64(tampered) }, options()), 'SAML_SIGNATURE_INVALID');
  });

  it('never trusts the certificate in KeyInfo', () => {
    const evil = signedPost(requestXml(), 'evil').xml;
    const swapped = evil.replace(
      /<ds:X509Certificate>[^<]*<\/ds:X509Certificate>/,
      `<ds:X509Certificate>${certificate('sp-a').certificateBase64}</ds:X509Certificate>`,
    );
    expectCode(() => receivePost({ SAMLRequest: b64(swapped) }, options()), 'SAML_SIGNATURE_INVALID');
  });

  it('rejects a LogoutResponse posted as SAMLRequest with SAML_MESSAGE_TYPE_MISMATCH', () => {
    const form = signedPost(responseXml(), 'sp-a', 'SAMLResponse');
    const error = expectCode(
      () => receivePost({ SAMLRequest: form.fields.SAMLResponse! }, options()),
      'SAML_MESSAGE_TYPE_MISMATCH',
    );
    expect(error.details).toEqual({ expected: 'LogoutRequest|AuthnRequest', actual: 'LogoutResponse' });
  });

  it('rejects a LogoutRequest posted as SAMLResponse', () => {
    expectCode(
      () => receivePost({ SAMLResponse: signedPost().fields.SAMLRequest! }, options()),
      'SAML_MESSAGE_TYPE_MISMATCH',
    );
  });

  it('receives a LogoutResponse as SAMLResponse', () => {
    const form = signedPost(responseXml(), 'sp-a', 'SAMLResponse');
    const received = receivePost(form.fields, options());
    expect(received.type).toBe('SAMLResponse');
    expect(received.messageType).toBe('LogoutResponse');
    expect(received.header.inResponseTo).toBe('_idp-request');
  });

  it('rejects a second ds:Signature anywhere (wrapping)', () => {
    const { xml } = signedPost();
    const signature = xml.slice(xml.indexOf('<ds:Signature'), xml.indexOf('</ds:Signature>') + 15);
    const wrapped = xml.replace(
      '<samlp:SessionIndex>',
      `<samlp:Extensions>${signature}</samlp:Extensions><samlp:SessionIndex>`,
    );
    expectCode(
      () => receivePost({ SAMLRequest: b64(wrapped) }, options()),
      'SAML_SIGNATURE_PROFILE_VIOLATION',
    );
  });

  it('rejects a duplicated ID elsewhere in the document', () => {
    const { xml } = signedPost();
    const duplicated = xml.replace(
      '<samlp:SessionIndex>',
      '<samlp:Extensions><x xmlns="urn:x" ID="_post-request"/></samlp:Extensions><samlp:SessionIndex>',
    );
    expectCode(
      () => receivePost({ SAMLRequest: b64(duplicated) }, options()),
      'SAML_SIGNATURE_PROFILE_VIOLATION',
    );
  });
});

describe('receivePost: RelayState', () => {
  const withRelayState = (relayState: string) => ({ ...signedPost().fields, RelayState: relayState });

  it('accepts 80 bytes and rejects 81', () => {
    expect(receivePost(withRelayState('a'.repeat(80)), options()).relayState).toBe('a'.repeat(80));
    expectCode(() => receivePost(withRelayState('a'.repeat(81)), options()), 'SAML_RELAY_STATE_INVALID');
  });

  it('rejects 80 multibyte characters', () => {
    expectCode(() => receivePost(withRelayState('\u00e9'.repeat(80)), options()), 'SAML_RELAY_STATE_INVALID');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['CR LF', 'a\r\nSet-Cookie: x=1'],
  ])('rejects a RelayState with %s', (_name, value) => {
    expectCode(() => receivePost(withRelayState(value), options()), 'SAML_RELAY_STATE_INVALID');
  });

  it('treats an empty RelayState as absent', () => {
    expect(receivePost(withRelayState(''), options()).relayState).toBeUndefined();
  });
});
