import type { Element as DomElement } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { signatureAlgorithms } from '../../src/constants/algorithms.js';
import { namespaces } from '../../src/constants/namespaces.js';
import { signTree } from '../../src/crypto/xml-signature.js';
import { buildLogoutRequest } from '../../src/logout/index.js';
import { buildLogoutRequestTree } from '../../src/logout/logout-request.js';
import { buildLogoutResponseTree } from '../../src/logout/logout-response.js';
import { canonicalize, element, serialize, type XmlElement } from '../../src/xml/build.js';
import { elementFromDom } from '../../src/xml/from-dom.js';
import { parseXml } from '../../src/xml/parse.js';
import { attribute, childElements, childrenNamed, readText } from '../../src/xml/select.js';
import { expectCode } from '../support/errors.js';
import { keyPair } from '../support/keys.js';

/** xml-crypto's exclusive C14N of a parsed element, the reference implementation. */
function referenceC14n(
  node: DomElement,
  options: { prefixes?: string[]; ancestors?: { prefix: string; namespaceURI: string }[] } = {},
): string {
  return new ExclusiveCanonicalization().process(node as never, {
    inclusiveNamespacesPrefixList: options.prefixes ?? [],
    ancestorNamespaces: options.ancestors ?? [],
  }) as string;
}

function referenceOfTree(tree: XmlElement): string {
  return referenceC14n(parseXml(serialize(tree)).root);
}

const fixedDate = new Date('2026-04-20T10:00:00Z');

describe('element and serialize', () => {
  it('serializes prefixes, declarations and attributes in the given order', () => {
    const tree = element(
      'samlp:LogoutResponse',
      { Version: '2.0', ID: '_1', Destination: undefined },
      [element('saml:Issuer', {}, ['idp']), false, null, undefined, element('samlp:Status')],
      ['samlp', 'saml'],
    );
    expect(serialize(tree)).toBe(
      `<samlp:LogoutResponse xmlns:samlp="${namespaces.samlp}" xmlns:saml="${namespaces.saml}" ` +
        'Version="2.0" ID="_1"><saml:Issuer>idp</saml:Issuer><samlp:Status/></samlp:LogoutResponse>',
    );
  });

  it('builds unqualified elements without a namespace', () => {
    const tree = element('faultstring', {}, ['x']);
    expect(tree.namespace).toBeNull();
    expect(serialize(tree)).toBe('<faultstring>x</faultstring>');
  });

  it('keeps an empty string attribute and an empty text child', () => {
    expect(serialize(element('saml:NameID', { Format: '' }, ['']))).toBe(
      '<saml:NameID Format=""></saml:NameID>',
    );
  });
});

describe('escaping by construction', () => {
  const hostile = [
    `<>&"'`,
    '</saml:NameID><saml:NameID>admin',
    '"/><saml:NameID Format="x">admin</saml:NameID><x y="',
    ']]><![CDATA[',
    '<!-- comment --><?pi?>',
    '&amp;&lt;&#x41;',
    'tab\there\nnewline\r\ncrlf\rcr',
    '😀 caf\u00e9',
  ];

  it.each(hostile)('round-trips %j as NameID text', (value) => {
    const { xml } = buildLogoutRequest({
      issuer: 'https://idp.example.com',
      destination: 'https://sp.example.com/slo',
      nameId: { value },
      id: '_escape',
      issueInstant: fixedDate,
    });
    const parsed = parseXml(xml);
    const nameIds = childrenNamed(parsed.root, 'saml', 'NameID');
    expect(nameIds).toHaveLength(1);
    expect(readText(nameIds[0]!)).toBe(value);
    expect(childElements(nameIds[0]!)).toEqual([]);
    expect(childElements(parsed.root).map((e) => e.localName)).toEqual(['Issuer', 'NameID']);
    expect(parsed.signatureCount).toBe(0);
  });

  it.each(hostile)('round-trips %j as an attribute value', (value) => {
    const xml = serialize(
      element(
        'samlp:LogoutRequest',
        { ID: '_a', Reason: value },
        [element('saml:NameID', { Format: value }, ['n'])],
        ['samlp', 'saml'],
      ),
    );
    const parsed = parseXml(xml);
    expect(attribute(parsed.root, 'Reason')).toBe(value);
    const nameIds = childrenNamed(parsed.root, 'saml', 'NameID');
    expect(nameIds).toHaveLength(1);
    expect(attribute(nameIds[0]!, 'Format')).toBe(value);
    expect(parsed.root.attributes.length).toBe(4); // two declarations, ID, Reason
  });

  it('never lets the injected NameID element appear after re-parse', () => {
    const { xml } = buildLogoutRequest({
      issuer: 'https://idp.example.com',
      destination: 'https://sp.example.com/slo',
      nameId: { value: 'victim</saml:NameID><saml:NameID>admin' },
      sessionIndex: '</samlp:SessionIndex><samlp:SessionIndex>other',
      id: '_inject',
      issueInstant: fixedDate,
    });
    expect(xml).not.toContain('<saml:NameID>admin');
    const parsed = parseXml(xml);
    expect(childrenNamed(parsed.root, 'saml', 'NameID').map((n) => readText(n))).toEqual([
      'victim</saml:NameID><saml:NameID>admin',
    ]);
    expect(childrenNamed(parsed.root, 'samlp', 'SessionIndex')).toHaveLength(1);
  });

  it('escapes > in text so "]]>" never appears literally', () => {
    expect(serialize(element('saml:NameID', {}, [']]>']))).toBe('<saml:NameID>]]&gt;</saml:NameID>');
  });

  it('escapes TAB, LF and CR in attributes so attribute normalisation cannot change them', () => {
    expect(serialize(element('saml:NameID', { Format: 'a\tb\nc\rd' }))).toBe(
      '<saml:NameID Format="a&#x9;b&#xA;c&#xD;d"/>',
    );
  });
});

describe('characters XML cannot carry', () => {
  it.each([
    ['NUL', '\u0000'],
    ['U+0001', '\u0001'],
    ['U+001F', '\u001F'],
    ['a lone high surrogate', '\uD800'],
    ['a lone low surrogate', '\uDC00'],
    ['reversed surrogates', '\uDC00\uD800'],
    ['U+FFFE', '\uFFFE'],
    ['U+FFFF', '\uFFFF'],
    ['NEL (refused by our own parser)', '\u0085'],
    ['LS (refused by our own parser)', '\u2028'],
    ['PS (refused by our own parser)', '\u2029'],
  ])('refuses %s in text with SAML_INPUT_INVALID naming the element', (_name, char) => {
    const error = expectCode(() => element('saml:NameID', {}, [`a${char}b`]), 'SAML_INPUT_INVALID');
    expect(error.details).toMatchObject({ issues: [{ path: ['NameID'] }] });
  });

  it.each([
    ['NUL', '\u0000'],
    ['a lone surrogate', '\uD83D'],
  ])('refuses %s in an attribute value, naming the attribute', (_name, char) => {
    const error = expectCode(() => element('saml:NameID', { Format: `x${char}` }), 'SAML_INPUT_INVALID');
    expect(error.details).toMatchObject({ issues: [{ path: ['Format'] }] });
  });

  it('accepts astral characters written as surrogate pairs, and TAB/LF/CR', () => {
    const xml = serialize(element('saml:NameID', { Format: '😀' }, ['😀\t\n\r']));
    const parsed = parseXml(`<r xmlns:saml="${namespaces.saml}">${xml}</r>`);
    expect(readText(childElements(parsed.root)[0]!)).toBe('😀\t\n\r');
  });

  it('refuses a NUL in a message builder input', () => {
    expectCode(
      () =>
        buildLogoutRequest({
          issuer: 'https://idp.example.com',
          destination: 'https://sp.example.com/slo',
          nameId: { value: 'alice\u0000' },
        }),
      'SAML_INPUT_INVALID',
    );
  });
});

describe('canonicalize equals xml-crypto exclusive C14N', () => {
  it('for a LogoutRequest with qualifiers, NotOnOrAfter, Reason and several SessionIndex', () => {
    const { tree } = buildLogoutRequestTree({
      issuer: 'https://idp.example.com',
      destination: 'https://sp.example.com/slo?a=1&b=2',
      nameId: {
        value: 'alice & <bob>',
        format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        nameQualifier: 'https://idp.example.com',
        spNameQualifier: 'https://sp.example.com',
        spProvidedId: 'sp-"id"',
      },
      sessionIndex: ['_s1', '_s2'],
      notOnOrAfter: new Date('2026-04-20T10:05:00Z'),
      reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
      id: '_c14n-request',
      issueInstant: fixedDate,
    });
    const canonical = canonicalize(tree);
    expect(canonical).toBe(referenceOfTree(tree));
    // Attributes sorted; NameQualifier was built first but sorts after Format.
    expect(canonical).toContain(
      `<saml:NameID xmlns:saml="${namespaces.saml}" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" NameQualifier=`,
    );
  });

  it('for a LogoutResponse with a nested StatusCode and a StatusMessage', () => {
    const { tree } = buildLogoutResponseTree({
      issuer: 'https://idp.example.com',
      destination: 'https://sp.example.com/slo',
      inResponseTo: '_request-1',
      status: { code: 'Responder', subCode: 'PartialLogout', message: 'some SPs failed: <a> & "b"\r\n' },
      id: '_c14n-response',
      issueInstant: fixedDate,
    });
    const canonical = canonicalize(tree);
    expect(canonical).toBe(referenceOfTree(tree));
    expect(canonical).toContain(
      '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">' +
        '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:PartialLogout"></samlp:StatusCode>',
    );
  });

  it('for attributes needing sort, including namespaced ones ordered by URI not prefix', () => {
    const tree: XmlElement = {
      prefix: 'samlp',
      namespace: namespaces.samlp,
      localName: 'Extensions',
      declarations: [
        { prefix: 'samlp', uri: namespaces.samlp },
        { prefix: 'saml', uri: namespaces.saml },
        { prefix: 'z', uri: 'urn:a-first' },
        { prefix: 'a', uri: 'urn:z-last' },
        { prefix: 'unused', uri: 'urn:unused' },
      ],
      attributes: [
        { prefix: 'a', namespace: 'urn:z-last', localName: 'attr', value: '3' },
        { prefix: null, namespace: null, localName: 'b', value: '2' },
        { prefix: 'z', namespace: 'urn:a-first', localName: 'attr', value: '1' },
        { prefix: null, namespace: null, localName: 'B', value: 'upper' },
        { prefix: null, namespace: null, localName: 'a', value: 'x\ty"<&' },
      ],
      children: [
        element('saml:Attribute', { Name: 'n', NameFormat: 'f', FriendlyName: 'fn' }, ['v\r']),
        'mixed & text',
      ],
    };
    const canonical = canonicalize(tree);
    expect(canonical).toBe(referenceOfTree(tree));
    expect(canonical).not.toContain('urn:unused');
    expect(canonical.indexOf('z:attr')).toBeLessThan(canonical.indexOf('a:attr'));
  });

  it('for xml:lang attributes, which are bound without a declaration (metadata localized names)', () => {
    const tree = element(
      'md:Organization',
      {},
      [element('md:OrganizationName', { 'xml:lang': 'pt-BR', zz: 'z' }, ['Exemplo'])],
      ['md'],
    );
    const xml = serialize(tree);
    expect(xml).toBe(
      `<md:Organization xmlns:md="${namespaces.md}"><md:OrganizationName xml:lang="pt-BR" zz="z">Exemplo</md:OrganizationName></md:Organization>`,
    );
    expect(xml).not.toContain('xmlns:xml');
    const parsed = parseXml(xml).root;
    const name = childElements(parsed)[0]!;
    expect(name.getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang')).toBe('pt-BR');
    // C14N puts the unqualified attribute before xml:lang.
    expect(canonicalize(tree)).toBe(referenceC14n(parsed));
    expect(canonicalize(tree)).toContain('zz="z" xml:lang="pt-BR"');
  });

  it('qualified attributes take their namespace from samlkit prefixes; an unknown prefix is a TypeError', () => {
    const tree = element(
      'md:ContactPerson',
      { contactType: 'other', 'remd:contactType': 'urn:x' },
      [],
      ['md', 'remd'],
    );
    const parsed = parseXml(serialize(tree)).root;
    expect(parsed.getAttributeNS(namespaces.remd, 'contactType')).toBe('urn:x');
    expect(canonicalize(tree)).toBe(referenceC14n(parsed));
    expect(() => element('md:ContactPerson', { 'foo:bar': 'x' })).toThrow(TypeError);
  });

  it('for a signed tree (Signature with its own ds declaration)', () => {
    const { tree } = buildLogoutRequestTree({
      issuer: 'https://idp.example.com',
      destination: 'https://sp.example.com/slo',
      nameId: { value: 'alice' },
      id: '_c14n-signed',
      issueInstant: fixedDate,
    });
    const signed = signTree(tree, { key: keyPair('idp'), algorithm: signatureAlgorithms.rsaSha256 });
    expect(canonicalize(signed)).toBe(referenceOfTree(signed));
    const signature = signed.children.find((c) => typeof c !== 'string' && c.localName === 'Signature');
    expect(signature).toBeDefined();
  });

  it('for a subtree whose namespaces come from ancestors, with an InclusiveNamespaces prefix', () => {
    const { tree } = buildLogoutResponseTree({
      issuer: 'https://idp.example.com',
      status: { code: 'Requester', subCode: 'RequestDenied' },
      id: '_c14n-subtree',
      issueInstant: fixedDate,
    });
    const status = tree.children.find((c) => typeof c !== 'string' && c.localName === 'Status') as XmlElement;
    const parsed = parseXml(serialize(tree));
    const statusDom = childrenNamed(parsed.root, 'samlp', 'Status')[0]!;
    const ancestors = [
      { prefix: 'samlp', namespaceURI: namespaces.samlp },
      { prefix: 'saml', namespaceURI: namespaces.saml },
    ];
    const context = tree.declarations;
    expect(canonicalize(status, { context })).toBe(referenceC14n(statusDom, { ancestors }));
    const inclusive = canonicalize(status, { context, inclusivePrefixes: ['saml'] });
    expect(inclusive).toBe(referenceC14n(statusDom, { prefixes: ['saml'], ancestors }));
    expect(inclusive).toContain(`xmlns:saml="${namespaces.saml}"`);
  });

  it('for a parsed document converted back with elementFromDom (comments dropped, CDATA as text)', () => {
    const xml =
      `<samlp:LogoutRequest xmlns:samlp="${namespaces.samlp}" xmlns:saml="${namespaces.saml}" ` +
      `xmlns:unused="urn:unused" Version="2.0" ID="_dom">` +
      '<saml:Issuer>i<!-- c --></saml:Issuer>' +
      '<saml:NameID SPNameQualifier="b" Format="a">alice<![CDATA[ & <cdata>]]></saml:NameID>' +
      '</samlp:LogoutRequest>';
    const root = parseXml(xml).root;
    const tree = elementFromDom(root);
    expect(canonicalize(tree)).toBe(referenceC14n(root));
    expect(canonicalize(tree)).toContain(
      `<saml:NameID xmlns:saml="${namespaces.saml}" Format="a" SPNameQualifier="b">alice &amp; &lt;cdata&gt;<`,
    );
    expect(canonicalize(tree)).not.toContain('unused');
  });
});
