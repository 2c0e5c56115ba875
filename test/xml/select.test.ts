import { describe, expect, it } from 'vitest';
import { encodePost, receivePost } from '../../src/bindings/index.js';
import { buildLogoutRequest, parseLogoutRequest } from '../../src/logout/index.js';
import { parseXml } from '../../src/xml/parse.js';
import {
  attribute,
  childElements,
  childrenNamed,
  isElement,
  optionalChild,
  readText,
} from '../../src/xml/select.js';
import { expectCode, samlErrorOf } from '../support/errors.js';
import { certificate, keyPair } from '../support/keys.js';
import { fixedClock, fixedNow } from '../support/messages.js';
import { selectElements } from '../support/xpath.js';

const samlp = 'urn:oasis:names:tc:SAML:2.0:protocol';
const saml = 'urn:oasis:names:tc:SAML:2.0:assertion';

function rootOf(xml: string) {
  return parseXml(xml).root;
}

function nameIdDoc(content: string): string {
  return `<samlp:X xmlns:samlp="${samlp}" xmlns:saml="${saml}"><saml:NameID>${content}</saml:NameID></samlp:X>`;
}

function nameIdOf(content: string) {
  return childrenNamed(rootOf(nameIdDoc(content)), 'saml', 'NameID')[0]!;
}

describe('readText', () => {
  it('reads a single text node', () => {
    expect(readText(nameIdOf('alice@example.com'))).toBe('alice@example.com');
  });

  it('reads an empty element as the empty string', () => {
    expect(readText(nameIdOf(''))).toBe('');
    const selfClosing = rootOf(
      `<samlp:X xmlns:samlp="${samlp}" xmlns:saml="${saml}"><saml:NameID/></samlp:X>`,
    );
    expect(readText(childrenNamed(selfClosing, 'saml', 'NameID')[0]!)).toBe('');
  });

  it('decodes character and predefined entity references in the text', () => {
    expect(readText(nameIdOf('a&amp;b&lt;c&gt;d&#x41;'))).toBe('a&b<c>dA');
  });

  it('never trims: surrounding whitespace is part of the value', () => {
    expect(readText(nameIdOf(' alice \n'))).toBe(' alice \n');
  });

  it('refuses a NameID split by a comment (documented for unsigned documents)', () => {
    const node = nameIdOf('alice@example.com<!---->.evil.net');
    expectCode(() => readText(node), 'SAML_XML_MIXED_CONTENT');
  });

  it('refuses a NameID split by a CDATA section', () => {
    const node = nameIdOf('alice@example.com<![CDATA[.evil.net]]>');
    expectCode(() => readText(node), 'SAML_XML_MIXED_CONTENT');
  });

  it('refuses a NameID that is only a CDATA section', () => {
    expectCode(() => readText(nameIdOf('<![CDATA[alice]]>')), 'SAML_XML_MIXED_CONTENT');
  });

  it('refuses a NameID holding a child element', () => {
    expectCode(() => readText(nameIdOf('alice<saml:X/>')), 'SAML_XML_MIXED_CONTENT');
  });

  it('keeps the message free of the value', () => {
    const error = samlErrorOf(() => readText(nameIdOf('secret-value<!---->x')));
    expect(error.message).not.toContain('secret-value');
  });

  it('never gets a PI split: the parser refuses it first', () => {
    expectCode(() => parseXml(nameIdDoc('alice@example.com<?pi?>.evil.net')), 'SAML_XML_FORBIDDEN_CONTENT');
  });
});

describe('readText on signed messages (attacks §2)', () => {
  const signedValue = 'alice@example.com.evil.net';

  function signedPostXml(): string {
    const { xml } = buildLogoutRequest({
      issuer: 'https://sp-a.example.com/metadata',
      destination: 'https://idp.example.com/slo',
      nameId: { value: signedValue },
      sessionIndex: '_s1',
      id: '_signed-request',
      issueInstant: fixedNow,
    });
    const form = encodePost({
      type: 'SAMLRequest',
      xml,
      destination: 'https://idp.example.com/slo',
      sign: { key: keyPair('sp-a') },
    });
    return form.xml;
  }

  function receive(xml: string) {
    return receivePost(
      { SAMLRequest: Buffer.from(xml, 'utf8').toString('base64') },
      { trust: [certificate('sp-a')], clock: fixedClock },
    );
  }

  it('signs the full value (baseline)', () => {
    const received = receive(signedPostXml());
    expect(parseLogoutRequest(received.xml).nameId?.value).toBe(signedValue);
  });

  // Exclusive C14N drops comments and turns CDATA into text, so these splits leave the signature
  // valid; they are refused on the received document before any cryptography, on every binding.
  it('refuses a comment inserted into NameID after signing (SAML_XML_MIXED_CONTENT), never a truncated read', () => {
    const signed = signedPostXml();
    const tampered = signed.replace(`>${signedValue}<`, '>alice@example.com<!---->.evil.net<');
    expect(tampered).not.toBe(signed);
    expectCode(() => receive(tampered), 'SAML_XML_MIXED_CONTENT');
  });

  it('refuses a CDATA split of NameID after signing (SAML_XML_MIXED_CONTENT)', () => {
    const tampered = signedPostXml().replace(`>${signedValue}<`, '>alice@example.com<![CDATA[.evil.net]]><');
    expectCode(() => receive(tampered), 'SAML_XML_MIXED_CONTENT');
  });

  it('refuses a comment in Issuer or SessionIndex after signing (SAML_XML_MIXED_CONTENT)', () => {
    const issuer = signedPostXml().replace(
      '>https://sp-a.example.com/metadata<',
      '>https://sp-a.example.com<!---->/metadata<',
    );
    const sessionIndex = signedPostXml().replace('>_s1<', '>_<!-- x -->s1<');
    expectCode(() => receive(issuer), 'SAML_XML_MIXED_CONTENT');
    expectCode(() => receive(sessionIndex), 'SAML_XML_MIXED_CONTENT');
  });

  it('a PI split after signing is refused by the parser', () => {
    const tampered = signedPostXml().replace(`>${signedValue}<`, '>alice@example.com<?pi?>.evil.net<');
    expectCode(() => receive(tampered), 'SAML_XML_FORBIDDEN_CONTENT');
  });

  it('reading the tampered (unverified) document directly refuses the mixed content', () => {
    const tampered = signedPostXml().replace(`>${signedValue}<`, '>alice@example.com<!---->.evil.net<');
    expectCode(() => parseLogoutRequest(tampered), 'SAML_XML_MIXED_CONTENT');
  });
});

describe('element helpers', () => {
  const doc = rootOf(
    `<samlp:LogoutRequest xmlns:samlp="${samlp}" xmlns:saml="${saml}" ID="_1" Empty="">` +
      'text<saml:Issuer>i</saml:Issuer><!-- c --><saml:NameID>n</saml:NameID>' +
      `<samlp:Extensions><saml:NameID>nested</saml:NameID></samlp:Extensions>` +
      `<NameID xmlns="urn:other">wrong-namespace</NameID>` +
      '<samlp:SessionIndex>a</samlp:SessionIndex><samlp:SessionIndex>b</samlp:SessionIndex>' +
      '</samlp:LogoutRequest>',
  );

  it('isElement matches namespace and local name, never the prefix alone', () => {
    expect(isElement(doc, 'samlp', 'LogoutRequest')).toBe(true);
    expect(isElement(doc, 'saml', 'LogoutRequest')).toBe(false);
    expect(isElement(doc, 'samlp', 'LogoutResponse')).toBe(false);
    expect(isElement(null, 'samlp', 'LogoutRequest')).toBe(false);
    const aliased = rootOf(`<x:LogoutRequest xmlns:x="${samlp}"/>`);
    expect(isElement(aliased, 'samlp', 'LogoutRequest')).toBe(true);
    const text = doc.firstChild!;
    expect(isElement(text, 'samlp', 'LogoutRequest')).toBe(false);
  });

  it('childElements lists element children only, in order', () => {
    expect(childElements(doc).map((e) => e.localName)).toEqual([
      'Issuer',
      'NameID',
      'Extensions',
      'NameID',
      'SessionIndex',
      'SessionIndex',
    ]);
  });

  it('childrenNamed is a direct-child search, never descendants, and checks the namespace', () => {
    const nameIds = childrenNamed(doc, 'saml', 'NameID');
    expect(nameIds.map((n) => readText(n))).toEqual(['n']);
    expect(childrenNamed(doc, 'samlp', 'SessionIndex').map((n) => readText(n))).toEqual(['a', 'b']);
    expect(childrenNamed(doc, 'ds', 'Signature')).toEqual([]);
  });

  it('optionalChild returns the single child, undefined when absent, and refuses two', () => {
    expect(readText(optionalChild(doc, 'saml', 'Issuer')!)).toBe('i');
    expect(optionalChild(doc, 'ds', 'Signature')).toBeUndefined();
    expectCode(() => optionalChild(doc, 'samlp', 'SessionIndex'), 'SAML_MESSAGE_INVALID');
  });

  it('attribute reads unqualified attributes; absent is undefined, empty is empty', () => {
    expect(attribute(doc, 'ID')).toBe('_1');
    expect(attribute(doc, 'Empty')).toBe('');
    expect(attribute(doc, 'Missing')).toBeUndefined();
  });

  it('attribute does not return a namespaced attribute for its local name', () => {
    const node = rootOf('<r xmlns:p="urn:p" p:ID="evil"/>');
    expect(attribute(node, 'ID')).toBeUndefined();
  });

  it('selectElements evaluates with the fixed prefix map and returns elements only', () => {
    const parsed = parseXml(
      `<samlp:LogoutRequest xmlns:samlp="${samlp}" xmlns:saml="${saml}"><saml:Issuer>i</saml:Issuer>` +
        '<samlp:Extensions><saml:NameID>deep</saml:NameID></samlp:Extensions></samlp:LogoutRequest>',
    );
    expect(selectElements(parsed.document, '//saml:NameID').map((n) => readText(n))).toEqual(['deep']);
    expect(selectElements(parsed.root, 'saml:Issuer').length).toBe(1);
    expect(selectElements(parsed.root, 'count(*)')).toEqual([]);
    expect(selectElements(parsed.root, 'saml:Issuer/text()')).toEqual([]);
  });
});
