import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { defaultXmlLimits, parseXml } from '../../src/xml/parse.js';
import { expectCode, samlErrorOf } from '../support/errors.js';
import { expectLinear } from '../support/growth.js';

/** Runs `fn` and returns the SamlError it throws; fails when it throws nothing or something else. */

const samlp = 'urn:oasis:names:tc:SAML:2.0:protocol';
const saml = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** An F-POST-like LogoutRequest (no signature), with a replaceable NameID text. */
function logoutRequest(nameId = 'alice', extensions = ''): string {
  return (
    `<samlp:LogoutRequest xmlns:samlp="${samlp}" xmlns:saml="${saml}" ID="_orig" Version="2.0" ` +
    'IssueInstant="2026-04-20T10:00:00Z" Destination="https://idp.example/saml/slo">' +
    '<saml:Issuer>https://sp-a.example</saml:Issuer>' +
    (extensions ? `<samlp:Extensions>${extensions}</samlp:Extensions>` : '') +
    `<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${nameId}</saml:NameID>` +
    '<samlp:SessionIndex>_s1</samlp:SessionIndex>' +
    '</samlp:LogoutRequest>'
  );
}

describe('parseXml: accepted documents', () => {
  it('parses a plain LogoutRequest and exposes document and root', () => {
    const parsed = parseXml(logoutRequest());
    expect(parsed.root.localName).toBe('LogoutRequest');
    expect(parsed.root.namespaceURI).toBe(samlp);
    expect(parsed.document.documentElement).toBe(parsed.root);
    expect(parsed.signatureCount).toBe(0);
    expect([...parsed.ids]).toEqual([['_orig', 1]]);
  });

  it.each([
    '<?xml version="1.0"?><r/>',
    '<?xml version="1.0" encoding="UTF-8"?><r/>',
    "<?xml version='1.0' encoding='utf-8'?><r/>",
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><r/>',
  ])('accepts the XML declaration %s', (xml) => {
    expect(parseXml(xml).root.localName).toBe('r');
  });

  it('accepts comments and trailing whitespace around the root', () => {
    expect(parseXml('<!-- before --><r/><!-- after -->\n').root.localName).toBe('r');
    expect(parseXml('<r/>\n').root.localName).toBe('r');
  });

  // XML 1.0 `Misc` allows whitespace between the prolog parts and the root; SPs commonly send
  // `<?xml …?>` followed by a newline.
  it('accepts a newline between the XML declaration and the root', () => {
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<r/>').root.localName).toBe('r');
  });

  it('accepts whitespace between top-level comments and the root', () => {
    expect(parseXml('<!-- before -->\n<r/>\n<!-- after -->\n').root.localName).toBe('r');
  });

  it('accepts TAB, LF and CR in content', () => {
    expect(parseXml('<r>a\tb\nc\r\nd</r>').root.textContent).toBe('a\tb\nc\nd');
  });

  it('exposes its defaults', () => {
    expect(defaultXmlLimits).toEqual({
      maxBytes: 256 * 1024,
      maxDepth: 64,
      maxElements: 10_000,
      maxAttributesPerElement: 64,
    });
  });

  it('throws a TypeError (not a crash deeper in) for a non-string', () => {
    expect(() => parseXml(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('parseXml: DOCTYPE and entities (attacks §4 items 1-4, §6)', () => {
  it('rejects an internal entity used in NameID', () => {
    const xml = `<!DOCTYPE samlp:LogoutRequest [<!ENTITY n "victim">]>${logoutRequest('&n;')}`;
    expectCode(() => parseXml(xml), 'SAML_XML_DTD_FORBIDDEN');
  });

  it('rejects an XXE SYSTEM entity without opening any connection', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const xml =
        `<!DOCTYPE samlp:LogoutRequest [<!ENTITY n SYSTEM "http://127.0.0.1:${port}/x">]>` +
        logoutRequest('&n;');
      expectCode(() => parseXml(xml), 'SAML_XML_DTD_FORBIDDEN');
      const file = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`;
      expectCode(() => parseXml(file), 'SAML_XML_DTD_FORBIDDEN');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects billion laughs', () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) {
      const previous = i === 1 ? 'lol' : `lol${i - 1}`;
      entities.push(`<!ENTITY lol${i} "${`&${previous};`.repeat(10)}">`);
    }
    const xml = `<?xml version="1.0"?><!DOCTYPE lolz [${entities.join('')}]><lolz>&lol9;</lolz>`;
    expectCode(() => parseXml(xml), 'SAML_XML_DTD_FORBIDDEN');
  });

  it('rejects a DOCTYPE that declares and uses no entity', () => {
    expectCode(() => parseXml(`<!DOCTYPE samlp:LogoutRequest>${logoutRequest()}`), 'SAML_XML_DTD_FORBIDDEN');
  });

  it('rejects a DOCTYPE in any letter case and after the XML declaration', () => {
    expectCode(() => parseXml('<!doctype r><r/>'), 'SAML_XML_DTD_FORBIDDEN');
    expectCode(() => parseXml('<?xml version="1.0"?><!DOCTYPE r><r/>'), 'SAML_XML_DTD_FORBIDDEN');
  });

  it('rejects a stray ENTITY declaration text', () => {
    expectCode(() => parseXml('<r><!ENTITY x "y"></r>'), 'SAML_XML_DTD_FORBIDDEN');
  });

  it('rejects an undefined entity reference (never kept as literal text)', () => {
    expectCode(() => parseXml('<r>&x;</r>'), 'SAML_XML_MALFORMED');
  });
});

describe('parseXml: processing instructions and encoding declarations', () => {
  it.each([
    ['inside the root', '<r>a<?pi x?>b</r>'],
    ['before the root', '<?xml-stylesheet href="a.xsl"?><r/>'],
    ['after the root', '<r/><?pi?>'],
    ['after the XML declaration', '<?xml version="1.0"?><?pi?><r/>'],
    ['as a second XML declaration', '<?xml version="1.0"?><?xml version="1.0"?><r/>'],
    ['as an XML declaration that is not first', ' <?xml version="1.0"?><r/>'],
    ['splitting NameID text', logoutRequest('alice@example.com<?pi?>.evil.net')],
  ])('rejects a PI %s', (_where, xml) => {
    expectCode(() => parseXml(xml), 'SAML_XML_FORBIDDEN_CONTENT');
  });

  it('rejects an encoding declaration of ISO-8859-1', () => {
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?>${logoutRequest('caf\u00e9')}`;
    expectCode(() => parseXml(xml), 'SAML_XML_FORBIDDEN_CONTENT');
  });

  it.each(['UTF-16', 'utf-16le', 'windows-1252', 'US-ASCII'])('rejects encoding="%s"', (encoding) => {
    expectCode(
      () => parseXml(`<?xml version="1.0" encoding="${encoding}"?><r/>`),
      'SAML_XML_FORBIDDEN_CONTENT',
    );
  });

  it('accepts encoding UTF-8 with the same content', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>${logoutRequest('caf\u00e9')}`;
    expect(parseXml(xml).root.localName).toBe('LogoutRequest');
  });

  it('rejects a malformed XML declaration', () => {
    expectCode(() => parseXml('<?xml encoding="UTF-8"?><r/>'), 'SAML_XML_FORBIDDEN_CONTENT');
  });
});

describe('parseXml: forbidden characters (attacks §4 item 10)', () => {
  it.each([
    ['NUL', '\u0000'],
    ['U+0001', '\u0001'],
    ['U+0008', '\u0008'],
    ['U+000B', '\u000B'],
    ['U+001F', '\u001F'],
    ['NEL U+0085', '\u0085'],
    ['LS U+2028', '\u2028'],
    ['PS U+2029', '\u2029'],
    ['U+FFFE', '\uFFFE'],
  ])('rejects %s inside NameID', (_name, char) => {
    expectCode(() => parseXml(logoutRequest(`alice${char}@example.com`)), 'SAML_XML_FORBIDDEN_CONTENT');
  });

  it.each([
    ['NUL', '\u0000'],
    ['NEL', '\u0085'],
    ['LS', '\u2028'],
  ])('rejects %s inside an attribute value', (_name, char) => {
    expectCode(() => parseXml(`<r a="x${char}y"/>`), 'SAML_XML_FORBIDDEN_CONTENT');
  });

  // The pre-screen looks at raw characters; a character reference must not smuggle the same
  // characters into the DOM (and `&#0;` is not even well-formed XML).
  it.each([
    ['&#0; in text', '<r>a&#0;b</r>'],
    ['&#x1; in an attribute', '<r a="&#x1;"/>'],
    ['&#x85; in text', '<r>a&#x85;b</r>'],
    ['&#x2028; in text', '<r>a&#x2028;b</r>'],
    ['&#x2029; in text', '<r>a&#x2029;b</r>'],
  ])('rejects the forbidden character written as a reference: %s', (_name, xml) => {
    expectCode(() => parseXml(xml), 'SAML_XML_FORBIDDEN_CONTENT');
  });
});

describe('parseXml: byte order mark (attacks §4 item 16)', () => {
  it('gives the same result with one leading BOM as without', () => {
    const xml = logoutRequest();
    const plain = parseXml(xml);
    const withBom = parseXml(`\uFEFF${xml}`);
    expect(withBom.root.localName).toBe(plain.root.localName);
    expect([...withBom.ids]).toEqual([...plain.ids]);
  });

  it('gives the same result with a BOM before the XML declaration', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>${logoutRequest()}`;
    expect(parseXml(`\uFEFF${xml}`).root.localName).toBe(parseXml(xml).root.localName);
  });

  it('gives the same rejection with a BOM as without', () => {
    const bad = `<!DOCTYPE r>${logoutRequest()}`;
    expect(samlErrorOf(() => parseXml(`\uFEFF${bad}`)).code).toBe(samlErrorOf(() => parseXml(bad)).code);
    expect(samlErrorOf(() => parseXml('\uFEFF<r>\u2028</r>')).code).toBe('SAML_XML_FORBIDDEN_CONTENT');
  });

  it('rejects a second BOM (only one is stripped)', () => {
    expectCode(() => parseXml('\uFEFF\uFEFF<r/>'), 'SAML_XML_MALFORMED');
  });
});

describe('parseXml: well-formedness (attacks §4 items 5-9)', () => {
  it.each([
    ['a copy of the root after the root', logoutRequest() + logoutRequest()],
    ['two sibling roots', '<a/><b/>'],
    ['trailing text after the root', `${logoutRequest()}trailing`],
    ['an end tag with junk', '<a></a foo>'],
    ['an end tag with junk in NameID', logoutRequest().replace('</saml:NameID>', '</saml:NameID foo>')],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['Version written twice', logoutRequest().replace('Version="2.0"', 'Version="2.0" Version="2.0"')],
    ['an undeclared element prefix', '<p:a/>'],
    ['an undeclared attribute prefix', '<a p:x="1"/>'],
    ['an undeclared prefix in NameID', logoutRequest().replace('<saml:NameID', '<evil:NameID')],
    ['an unclosed element', '<a>'],
    ['mismatched tags', '<a></b>'],
    ['an unescaped < in an attribute', '<a x="<"/>'],
    ['an empty document', ''],
    ['text only', 'just text'],
    ['a comment only', '<!-- nothing -->'],
  ])('rejects %s', (_name, xml) => {
    expectCode(() => parseXml(xml), 'SAML_XML_MALFORMED');
  });

  it('keeps the parser message in cause, not in the message', () => {
    const error = expectCode(() => parseXml('<a x="1" x="2"/>'), 'SAML_XML_MALFORMED');
    expect(error.message).not.toContain('<a');
    expect(error.cause).toBeDefined();
  });

  it('rejects a bare & in text (not well-formed)', () => {
    expectCode(() => parseXml('<a>&</a>'), 'SAML_XML_MALFORMED');
  });

  // Namespaces in XML §6.3. (xmldom's own parser silently kept one of the two.)
  it('rejects two attributes with the same expanded name under different prefixes', () => {
    expectCode(() => parseXml('<a xmlns:p="urn:u" xmlns:q="urn:u" p:x="1" q:x="2"/>'), 'SAML_XML_MALFORMED');
  });
});

describe('parseXml: limits', () => {
  // CPU time of this process: a loaded machine stretches the wall clock, not the work done here.
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };

  it('rejects a document over the byte limit, with details', () => {
    const error = expectCode(
      () => parseXml(`<r>${'a'.repeat(200)}</r>`, { maxBytes: 100 }),
      'SAML_XML_LIMIT_EXCEEDED',
    );
    expect(error.details).toEqual({ limit: 100, kind: 'bytes' });
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    const xml = `<r>${'\u00e9'.repeat(60)}</r>`; // 7 + 120 bytes, 67 units
    expect(xml.length).toBeLessThan(100);
    expect(samlErrorOf(() => parseXml(xml, { maxBytes: 100 })).details).toMatchObject({ kind: 'bytes' });
    expect(parseXml(xml, { maxBytes: Buffer.byteLength(xml) }).root.localName).toBe('r');
  });

  it('applies the default 256 KiB byte limit', () => {
    const filler = 'a'.repeat(256 * 1024);
    expect(samlErrorOf(() => parseXml(`<r>${filler}</r>`)).details).toEqual({
      limit: 256 * 1024,
      kind: 'bytes',
    });
  });

  it('accepts nesting of exactly 64 and rejects 65, with details', () => {
    const nested = (depth: number) => '<a>'.repeat(depth) + '</a>'.repeat(depth);
    expect(parseXml(nested(64)).root.localName).toBe('a');
    const error = expectCode(() => parseXml(nested(65)), 'SAML_XML_LIMIT_EXCEEDED');
    expect(error.details).toEqual({ limit: 64, kind: 'depth' });
  });

  it('honours a custom depth limit', () => {
    expect(samlErrorOf(() => parseXml('<a><b><c/></b></a>', { maxDepth: 2 })).details).toEqual({
      limit: 2,
      kind: 'depth',
    });
  });

  it('fails fast on 10,000 nested elements inside samlp:Extensions (item 11)', () => {
    const deep = '<x>'.repeat(10_000) + '</x>'.repeat(10_000);
    const started = cpuMs();
    const error = expectCode(() => parseXml(logoutRequest('alice', deep)), 'SAML_XML_LIMIT_EXCEEDED');
    expect(error.details).toMatchObject({ kind: 'depth' });
    expect(cpuMs() - started).toBeLessThan(1000);
  });

  it('fails fast on the deepest namespace-declaring nesting that fits the byte limit (item 12)', () => {
    // ~13,000 levels, each declaring a prefix, in under 256 KiB: the depth limit must stop it
    // without paying for a full parse (xmldom's namespace handling is super-linear in depth).
    const levels = 13_000;
    const deep = '<a xmlns:b="c">'.repeat(levels) + '</a>'.repeat(levels);
    expect(Buffer.byteLength(deep)).toBeLessThan(256 * 1024);
    const started = cpuMs();
    const error = expectCode(() => parseXml(deep), 'SAML_XML_LIMIT_EXCEEDED');
    expect(error.details).toMatchObject({ kind: 'depth' });
    expect(cpuMs() - started).toBeLessThan(1000);
  });

  it('rejects 5,000 nested elements each declaring a new prefix (item 12)', () => {
    let deep = '';
    for (let i = 0; i < 5000; i++) deep += `<p${i}:a xmlns:p${i}="urn:${i}">`;
    for (let i = 4999; i >= 0; i--) deep += `</p${i}:a>`;
    expect(samlErrorOf(() => parseXml(deep)).code).toBe('SAML_XML_LIMIT_EXCEEDED');
  });

  it('accepts exactly maxElements elements and rejects one more, with details', () => {
    const flat = (children: number) => `<r>${'<a/>'.repeat(children)}</r>`;
    expect(parseXml(flat(9)).root.childNodes.length).toBe(9);
    expect(parseXml(flat(9), { maxElements: 10 }).root.localName).toBe('r');
    const error = expectCode(() => parseXml(flat(10), { maxElements: 10 }), 'SAML_XML_LIMIT_EXCEEDED');
    expect(error.details).toEqual({ limit: 10, kind: 'elements' });
  });

  it('applies the default element limit of 10,000', () => {
    const error = expectCode(() => parseXml(`<r>${'<a/>'.repeat(10_000)}</r>`), 'SAML_XML_LIMIT_EXCEEDED');
    expect(error.details).toEqual({ limit: 10_000, kind: 'elements' });
  });

  it('accepts 64 attributes on one element and rejects 65, with details', () => {
    const withAttributes = (n: number) =>
      `<r ${Array.from({ length: n }, (_, i) => `a${i}="${i}"`).join(' ')}/>`;
    expect(parseXml(withAttributes(64)).root.attributes.length).toBe(64);
    const error = expectCode(() => parseXml(withAttributes(65)), 'SAML_XML_LIMIT_EXCEEDED');
    expect(error.details).toEqual({ limit: 64, kind: 'attributes' });
  });

  it('counts namespace declarations as attributes', () => {
    const declarations = Array.from({ length: 3 }, (_, i) => `xmlns:p${i}="urn:${i}"`).join(' ');
    expect(
      samlErrorOf(() => parseXml(`<r ${declarations} a="1"/>`, { maxAttributesPerElement: 3 })).details,
    ).toEqual({ limit: 3, kind: 'attributes' });
  });

  it('rejects one element with 50,000 attributes (item 13) quickly', () => {
    const attributes = Array.from({ length: 50_000 }, (_, i) => `a${i}="1"`).join(' ');
    const started = cpuMs();
    const error = expectCode(
      () => parseXml(`<r ${attributes}/>`, { maxBytes: 1_000_000 }),
      'SAML_XML_LIMIT_EXCEEDED',
    );
    expect(error.details).toMatchObject({ kind: 'attributes' });
    expect(cpuMs() - started).toBeLessThan(2000);
  });

  /** One sibling of {@link namespaceHeavy}: it declares a prefix and uses the outermost level's. */
  const sibling = '<a xmlns:z="u" p0_0:x="1"/>';
  /**
   * `levels` nested elements declaring 63 prefixes each (with one attribute more, the limit),
   * then `siblings` siblings. Copying the scope per declaring element costs levels × siblings.
   */
  const namespaceHeavy = (levels: number, siblings: number) => {
    const declarations = (level: number) =>
      Array.from({ length: 63 }, (_, i) => `xmlns:p${level}_${i}="u"`).join(' ');
    const open = Array.from({ length: levels }, (_, level) => `<e ${declarations(level)}>`).join('');
    return `<r>${open}${sibling.repeat(siblings)}${'</e>'.repeat(levels)}</r>`;
  };

  it('parses the most namespace-heavy layout within the limits', () => {
    // 62 levels (with <r> and the siblings, the depth limit), siblings up to the size limit.
    const room = 256 * 1024 - namespaceHeavy(62, 0).length;
    const siblings = Math.min(Math.floor(room / sibling.length), 10_000 - 64);
    const xml = namespaceHeavy(62, siblings);
    expect(xml.length).toBeLessThanOrEqual(256 * 1024);
    const parsed = parseXml(xml);
    const last = parsed.root.getElementsByTagName('a').item(siblings - 1)!;
    expect(last.getAttributeNodeNS('u', 'x')?.value).toBe('1');
    expect(last.lookupNamespaceURI('z')).toBe('u');
  });

  // 60 s: a regression is measured several times before it is reported (some 15 s).
  it('parses namespace-heavy documents in linear time (no scope copied per element)', async () => {
    // Levels and siblings grow together, so the scope a copy would take grows with the number
    // of copies: 8 levels and 480 siblings, then 32 and 1,920. Linear work grows about 4×, a
    // copy per declaring element about 16× (at the limits it took seconds). Both sizes stay
    // small enough that a parse's garbage fits V8's young generation: past it (some 8,000
    // elements at once) every size costs more per element and a ratio would read quadratic.
    await expectLinear((levels) => {
      const xml = namespaceHeavy(levels, 60 * levels);
      return () => parseXml(xml);
    }, 8);
  }, 60_000);
});

describe('parseXml: ids and signatureCount', () => {
  it('counts ID, Id and id attributes in any namespace', () => {
    const parsed = parseXml(
      '<r ID="a" xmlns:p="urn:p" xmlns:q="urn:q">' +
        '<x Id="b"/><y id="a"/><z p:ID="c" q:Id="c"/><w p:id="d"/><v iD="not-an-id" ids="nor-this"/>' +
        '</r>',
    );
    expect(Object.fromEntries(parsed.ids)).toEqual({ a: 2, b: 1, c: 2, d: 1 });
  });

  it('counts an empty ID value too', () => {
    expect(parseXml('<r ID=""/>').ids.get('')).toBe(1);
  });

  it('counts every ds:Signature element, at any depth, by namespace not prefix', () => {
    const ds = 'http://www.w3.org/2000/09/xmldsig#';
    const parsed = parseXml(
      `<r xmlns:ds="${ds}">` +
        '<ds:Signature/>' +
        '<x><ds:Signature/></x>' +
        `<Signature xmlns="${ds}"/>` +
        `<other:Signature xmlns:other="${ds}"/>` +
        '<Signature/>' +
        '<y:Signature xmlns:y="urn:y"/>' +
        '</r>',
    );
    expect(parsed.signatureCount).toBe(4);
  });

  it('reports zero signatures for an unsigned message', () => {
    expect(parseXml(logoutRequest()).signatureCount).toBe(0);
  });
});
