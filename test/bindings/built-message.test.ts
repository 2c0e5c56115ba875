import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodePost,
  encodeRedirect,
  encodeSoap,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from '../../src/bindings/index.js';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  parseLogoutRequest,
  parseLogoutResponse,
} from '../../src/logout/index.js';
import { carriedTree } from '../../src/xml/index.js';
import { certificate, keyPair } from '../support/keys.js';
import { fixedClock, fixedNow, idpSloUrl, spEntityId } from '../support/messages.js';

// A builder's result carries the tree it was serialized from; encoders that sign take
// that tree instead of parsing the text. RSA PKCS#1 v1.5 is deterministic, so the signed
// bytes of both paths must be equal byte for byte.

const request = (overrides: Partial<Parameters<typeof buildLogoutRequest>[0]> = {}) =>
  buildLogoutRequest({
    issuer: spEntityId,
    destination: idpSloUrl,
    nameId: {
      value: 'alice & <bob> "\r\n\t"',
      format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    },
    sessionIndex: ['_s1', '_s2'],
    reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
    notOnOrAfter: new Date(fixedNow.getTime() + 60_000),
    id: '_built-request',
    issueInstant: fixedNow,
    ...overrides,
  });

const response = (message?: string) =>
  buildLogoutResponse({
    issuer: spEntityId,
    destination: idpSloUrl,
    inResponseTo: '_idp-request',
    status: { code: 'Responder', subCode: 'PartialLogout', ...(message === undefined ? {} : { message }) },
    id: '_built-response',
    issueInstant: fixedNow,
  });

const sign = { key: keyPair('sp-a') };
const receiveOptions = { trust: [certificate('sp-a')], clock: fixedClock };
const post = (xml: string | { readonly xml: string }, type: 'SAMLRequest' | 'SAMLResponse' = 'SAMLRequest') =>
  encodePost({ type, xml, destination: idpSloUrl, relayState: 'rs', sign });

describe('encoders given a builder result', () => {
  it('the result carries its tree, bound to its text', () => {
    const built = request();
    expect(carriedTree(built)).toBeDefined();
    // Invisible to spreads and JSON: a copy is only text.
    expect(carriedTree({ ...built })).toBeUndefined();
    expect(JSON.parse(JSON.stringify(built))).toEqual({ id: built.id, xml: built.xml });
  });

  it('POST: the same signed bytes as from the text', () => {
    for (const built of [request(), request({ sessionIndex: undefined, reason: undefined }), response()]) {
      const type = built.id === '_built-response' ? 'SAMLResponse' : 'SAMLRequest';
      const fromResult = post(built, type);
      expect(fromResult.xml).toBe(post(built.xml, type).xml);
      expect(fromResult.fields).toEqual(post(built.xml, type).fields);
      expect(fromResult.html).toBe(post(built.xml, type).html);
    }
  });

  it('POST and SOAP: the same bytes for any values a builder accepts (property)', () => {
    // Full Unicode with markup and white space characters; values XML cannot carry are refused by the builder.
    const value = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1 }),
      fc.string({
        unit: fc.constantFrom('<', '>', '&', '"', "'", '\r', '\n', '\t', ' ', 'a', ']]>'),
        minLength: 1,
      }),
    );
    fc.assert(
      fc.property(value, value, fc.option(value), (nameId, sessionIndex, message) => {
        let built: ReturnType<typeof request>[];
        try {
          built = [
            request({
              nameId: { value: nameId, spProvidedId: sessionIndex },
              sessionIndex: [sessionIndex, nameId],
            }),
            // The Signature goes right after the Issuer's end tag in the built text.
            request({ issuer: nameId }),
          ];
        } catch {
          return;
        }
        const statusMessage = message === null ? undefined : message;
        let answer: ReturnType<typeof response> | undefined;
        try {
          answer = response(statusMessage);
        } catch {
          answer = undefined;
        }
        for (const one of built) expect(post(one).xml).toBe(post(one.xml).xml);
        if (answer) {
          expect(post(answer, 'SAMLResponse').xml).toBe(post(answer.xml, 'SAMLResponse').xml);
          expect(encodeSoap(answer, { sign })).toBe(encodeSoap(answer.xml, { sign }));
        }
      }),
      { numRuns: 60 },
    );
  });

  it.each([
    ['POST', (input: Parameters<typeof encodePost>[0]) => encodePost(input).url],
    ['Redirect', (input: Parameters<typeof encodeRedirect>[0]) => encodeRedirect(input).split('?')[0]],
  ] as const)(
    '%s: the destination is checked unless it is the Destination the builder checked',
    (_, encode) => {
      const built = request();
      for (const destination of [
        'javascript:alert(1)',
        'https://user:pw@sp.example.com/slo',
        `${idpSloUrl}#x`,
        '',
      ]) {
        for (const xml of [built, { ...built }]) {
          expect(() => encode({ type: 'SAMLRequest', xml, destination, sign })).toThrowError(
            expect.objectContaining({ code: 'SAML_INPUT_INVALID' }),
          );
        }
      }
      expect(encode({ type: 'SAMLRequest', xml: built, destination: idpSloUrl, sign })).toBe(idpSloUrl);
    },
  );

  it('POST: RelayState, action and nonce are escaped in the page; the base64 value is as encoded', () => {
    const built = request();
    const relayState = `"><script>x</script>&'`;
    const form = encodePost({
      type: 'SAMLRequest',
      xml: built,
      destination: `${idpSloUrl}?a=1&b="2"`,
      relayState,
      nonce: 'n"<',
      sign,
    });
    expect(form.html).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;&amp;&#39;"');
    expect(form.html).toContain(`action="${idpSloUrl}?a=1&amp;b=&quot;2&quot;"`);
    expect(form.html).toContain('nonce="n&quot;&lt;"');
    expect(form.html).toContain(`name="SAMLRequest" value="${form.fields.SAMLRequest}"`);
    expect(form.html).not.toContain('<script>x');
    expect(form.fields.RelayState).toBe(relayState);
  });

  it('POST: an empty text child is signed as a parse of the text gives it (<a/>, not <a></a>)', () => {
    const built = response('');
    expect(built.xml).toContain('<samlp:StatusMessage></samlp:StatusMessage>');
    expect(carriedTree(built)).toBeUndefined();
    const signed = post(built, 'SAMLResponse').xml;
    expect(signed).toBe(post(built.xml, 'SAMLResponse').xml);
    expect(signed).toContain('<samlp:StatusMessage/>');
  });

  it('POST: what is signed verifies and reads back as built', () => {
    const built = request();
    const received = receivePost(post(built).fields, receiveOptions);
    const read = parseLogoutRequest(received);
    expect(read.id).toBe('_built-request');
    expect(read.nameId?.value).toBe('alice & <bob> "\r\n\t"');
    expect(read.sessionIndexes).toEqual(['_s1', '_s2']);
  });

  it('a result whose xml was changed is encoded from its new text, never from the carried tree', () => {
    const built = request();
    const other = request({ id: '_other-request', nameId: { value: 'mallory@example.com' } });
    (built as { xml: string }).xml = other.xml;
    expect(carriedTree(built)).toBeUndefined();
    const form = post(built);
    expect(form.xml).toBe(post(other.xml).xml);
    const read = parseLogoutRequest(receivePost(form.fields, receiveOptions));
    expect(read.id).toBe('_other-request');
    expect(read.nameId?.value).toBe('mallory@example.com');
    // Unsigned, the text given is the text encoded.
    const unsigned = encodePost({ type: 'SAMLRequest', xml: built, destination: idpSloUrl });
    expect(unsigned.xml).toBe(other.xml);
  });

  it('a result whose xml was changed to something unparsable fails as the text would', () => {
    const built = request();
    (built as { xml: string }).xml = `${built.xml}<trailing/>`;
    expect(() => post(built)).toThrowError(
      expect.objectContaining({ code: expect.stringMatching(/^SAML_/) }),
    );
    expect(() => post(built.xml)).toThrowError(
      expect.objectContaining({ code: expect.stringMatching(/^SAML_/) }),
    );
  });

  it('SOAP: the same envelope from the result as from the text, signed or not', () => {
    const built = response('partly');
    expect(encodeSoap(built, { sign })).toBe(encodeSoap(built.xml, { sign }));
    expect(encodeSoap(built)).toBe(encodeSoap(built.xml));
    const received = receiveSoap(encodeSoap(built, { sign }), {
      ...receiveOptions,
      messageTypes: ['LogoutResponse'],
    });
    expect(parseLogoutResponse(received).status.message).toBe('partly');
  });

  it('Redirect: the same URL from the result as from the text', () => {
    const built = request();
    const input = { type: 'SAMLRequest' as const, destination: idpSloUrl, relayState: 'rs', sign };
    const url = encodeRedirect({ ...input, xml: built });
    expect(url).toBe(encodeRedirect({ ...input, xml: built.xml }));
    expect(parseLogoutRequest(receiveRedirect(url, receiveOptions)).id).toBe('_built-request');
  });

  it('anything else as xml is a TypeError', () => {
    for (const xml of [42, null, {}, { xml: 1 }]) {
      expect(() =>
        encodePost({ type: 'SAMLRequest', xml: xml as never, destination: idpSloUrl, sign }),
      ).toThrow(TypeError);
      expect(() => encodePost({ type: 'SAMLRequest', xml: xml as never, destination: idpSloUrl })).toThrow(
        TypeError,
      );
      expect(() =>
        encodeRedirect({ type: 'SAMLRequest', xml: xml as never, destination: idpSloUrl }),
      ).toThrow(TypeError);
    }
  });
});
