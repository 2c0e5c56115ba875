/**
 * Adversarial tests of the strict XML reader behind `parseXml`. Parser differentials are how
 * signature wrapping and comment injection work (attacks §1, §2), so every document parseXml
 * accepts must give exactly the tree xmldom's own (strict) parser gives, node for node, and the
 * same exclusive C14N; every document it refuses must be refused with a SamlError.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExclusiveCanonicalization, ExclusiveCanonicalizationWithComments } from 'xml-crypto';
import { isSamlError, type SamlError } from '../../src/errors/index.js';
import { encodePost, encodeSoap, logoutReasons, nameIdFormats, receivePost } from '../../src/index.js';
import {
  type AggregateVisitor,
  defaultXmlLimits,
  readAggregate,
  readText,
  type XmlLimits,
} from '../../src/xml/index.js';
import { parseXml } from '../../src/xml/parse.js';
import { expectCode, samlErrorOf } from '../support/errors.js';
import { certificate, keyPair } from '../support/keys.js';
import {
  fixedClock,
  fixedNow,
  idpEntityId,
  sampleLogoutRequest,
  sampleLogoutResponse,
  spSloUrl,
} from '../support/messages.js';

/** Runs `fn` and returns the SamlError it throws; fails when it throws nothing or something else. */

/** xmldom's own parser, made strict: every warning, error and fatal error is a rejection (attacks §4). */
function parseWithXmldom(xml: string): Document {
  return new DOMParser({
    onError: (level, message) => {
      throw new Error(`xmldom ${level}: ${message}`);
    },
  }).parseFromString(xml, 'text/xml');
}

/** A namespace URI as text; anything that is neither a string nor null shows up as its type. */
function showNamespace(value: unknown): string {
  return typeof value === 'string' || value === null ? JSON.stringify(value) : `<${typeof value}>`;
}

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;
const PROCESSING_INSTRUCTION = 7;
const COMMENT = 8;
const DOCUMENT = 9;

/**
 * Every node in document order, one line each, indented by depth: type, namespace URI, prefix,
 * local name, qualified name, then every attribute (namespace declarations included) in order,
 * and the data of text, CDATA and comment nodes.
 *
 * Outside the root element xmldom also keeps white space as Text children of the Document and
 * the XML declaration as a processing instruction; neither is part of the XML infoset (nor of
 * any canonical form), and parseXml drops both, so they are left out at that level only.
 */
function dump(document: Document): string[] {
  const lines: string[] = [];
  const walk = (node: Node, depth: number): void => {
    const pad = '  '.repeat(depth);
    switch (node.nodeType) {
      case DOCUMENT:
        lines.push('#document');
        break;
      case ELEMENT: {
        const element = node as Element;
        lines.push(
          `${pad}<${element.nodeName}> ns=${showNamespace(element.namespaceURI)} ` +
            `prefix=${JSON.stringify(element.prefix)} local=${JSON.stringify(element.localName)}`,
        );
        for (let i = 0; i < element.attributes.length; i++) {
          const a = element.attributes.item(i)!;
          lines.push(
            `${pad}  @${a.name} ns=${showNamespace(a.namespaceURI)} prefix=${JSON.stringify(a.prefix)} ` +
              `local=${JSON.stringify(a.localName)} value=${JSON.stringify(a.value)}`,
          );
        }
        break;
      }
      case TEXT:
        lines.push(`${pad}text ${JSON.stringify(node.nodeValue)}`);
        break;
      case CDATA:
        lines.push(`${pad}cdata ${JSON.stringify(node.nodeValue)}`);
        break;
      case COMMENT:
        lines.push(`${pad}comment ${JSON.stringify(node.nodeValue)}`);
        break;
      default:
        lines.push(`${pad}node type ${node.nodeType} ${node.nodeName} ${JSON.stringify(node.nodeValue)}`);
    }
    for (let child = node.firstChild; child !== null; child = child.nextSibling) {
      if (node.nodeType === DOCUMENT) {
        if (child.nodeType === TEXT && /^[ \t\n]*$/.test(child.nodeValue ?? '')) continue;
        if (child.nodeType === PROCESSING_INSTRUCTION && child.nodeName === 'xml') continue;
      }
      walk(child, depth + 1);
    }
  };
  walk(document, 0);
  return lines;
}

function elementsOf(root: Element): Element[] {
  const all: Element[] = [];
  const walk = (element: Element): void => {
    all.push(element);
    for (let child = element.firstChild; child !== null; child = child.nextSibling) {
      if (child.nodeType === ELEMENT) walk(child as Element);
    }
  };
  walk(root);
  return all;
}

const exclusive = new ExclusiveCanonicalization();
const exclusiveWithComments = new ExclusiveCanonicalizationWithComments();

function c14n(element: Element, withComments = false): string {
  return (withComments ? exclusiveWithComments : exclusive).process(element as never, {}) as string;
}

/**
 * parseXml must accept `xml`, and its tree must equal xmldom's node for node, and canonicalize
 * the same (root with and without comments; with `everyElement`, every element on its own too,
 * which also exercises the namespace URIs exclusive C14N re-declares).
 */
function expectSameAsXmldom(xml: string, limits?: XmlLimits, everyElement = true): void {
  const ours = parseXml(xml, limits);
  const theirs = parseWithXmldom(xml);
  expect(dump(ours.document)).toEqual(dump(theirs));
  const theirRoot = theirs.documentElement!;
  expect(ours.root).toBe(ours.document.documentElement);
  expect(c14n(ours.root)).toBe(c14n(theirRoot));
  expect(c14n(ours.root, true)).toBe(c14n(theirRoot, true));
  if (everyElement) {
    const ourElements = elementsOf(ours.root);
    const theirElements = elementsOf(theirRoot);
    expect(ourElements.length).toBe(theirElements.length);
    ourElements.forEach((element, i) => {
      expect(c14n(element)).toBe(c14n(theirElements[i]!));
    });
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Corpus of valid documents

const goldenDir = fileURLToPath(new URL('../../fixtures/golden/', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const messageParameters = ['SAMLRequest', 'SAMLResponse'];

function fromBase64(value: string): string {
  // Strict: a golden file that ever carries something else should fail here, not decode to junk.
  expect(value).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
  return Buffer.from(value, 'base64').toString('utf8');
}

/** The XML documents a golden file carries, whatever binding it records. */
function documentsIn(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.xml')) return [text];
  if (path.endsWith('.json')) {
    const fields = JSON.parse(text) as Record<string, string>;
    return messageParameters.filter((name) => name in fields).map((name) => fromBase64(fields[name]!));
  }
  if (path.endsWith('.html')) {
    return [...text.matchAll(/name="(SAMLRequest|SAMLResponse)" value="([^"]*)"/g)].map((m) =>
      fromBase64(m[2]!),
    );
  }
  if (path.endsWith('.url.txt')) {
    const parameters = new URL(text.trim()).searchParams;
    return messageParameters
      .filter((name) => parameters.has(name))
      .map((name) => inflateRawSync(Buffer.from(parameters.get(name)!, 'base64')).toString('utf8'));
  }
  throw new Error(`no way to read the documents in ${path}`);
}

const goldenFiles = filesUnder(goldenDir).map((path) => relative(goldenDir, path));

describe('parseXml and xmldom agree on every golden file', () => {
  it('finds the golden files', () => {
    expect(goldenFiles.length).toBeGreaterThanOrEqual(10);
  });

  it.each(goldenFiles)('%s', (file) => {
    const documents = documentsIn(join(goldenDir, file));
    expect(documents.length).toBeGreaterThan(0);
    for (const xml of documents) expectSameAsXmldom(xml);
  });
});

const idpSign = { key: keyPair('idp') };
const ecSign = { key: keyPair('idp-ec-p-256') };

const awkwardRequest = () =>
  sampleLogoutRequest({
    nameId: {
      value: 'a<b>&c"d\'e]]>f \u00e9\u{1d4b3}\u{1f600}',
      format: nameIdFormats.persistent,
      nameQualifier: 'q<"&\'>',
      spNameQualifier: 'https://sp.example/?a=1&b=2',
    },
    sessionIndex: ['_s1', '_s2 & <s3>'],
    reason: logoutReasons.user,
    notOnOrAfter: new Date(fixedNow.getTime() + 300_000),
  }).xml;

const awkwardResponse = () =>
  sampleLogoutResponse({
    status: { code: 'Responder', subCode: 'PartialLogout', message: 'partly <done> & "said" \u{1f600}' },
  }).xml;

const builtMessages: [string, () => string][] = [
  ['LogoutRequest', () => sampleLogoutRequest().xml],
  ['LogoutResponse', () => sampleLogoutResponse().xml],
  ['LogoutRequest with markup characters everywhere', awkwardRequest],
  ['LogoutResponse with a status message', awkwardResponse],
  [
    'signed LogoutRequest (POST, RSA)',
    () =>
      encodePost({ type: 'SAMLRequest', xml: awkwardRequest(), destination: spSloUrl, sign: idpSign }).xml,
  ],
  [
    'signed LogoutResponse (POST, RSA)',
    () =>
      encodePost({ type: 'SAMLResponse', xml: awkwardResponse(), destination: spSloUrl, sign: idpSign }).xml,
  ],
  [
    'signed LogoutRequest (POST, ECDSA)',
    () =>
      encodePost({ type: 'SAMLRequest', xml: sampleLogoutRequest().xml, destination: spSloUrl, sign: ecSign })
        .xml,
  ],
  ['signed LogoutRequest in SOAP', () => encodeSoap(awkwardRequest(), { sign: idpSign })],
  ['signed LogoutResponse in SOAP', () => encodeSoap(awkwardResponse(), { sign: ecSign })],
];

describe('parseXml and xmldom agree on messages samlkit builds', () => {
  it.each(builtMessages)('%s', (_name, build) => {
    const xml = build();
    expectSameAsXmldom(xml);
    // And with an XML declaration and CRLF line ends around it.
    expectSameAsXmldom(`<?xml version="1.0" encoding="UTF-8"?>\r\n${xml}\r\n`);
  });

  it('sees the signature in signed messages', () => {
    const signed = builtMessages.filter(([name]) => name.startsWith('signed'));
    expect(signed).toHaveLength(5);
    for (const [, build] of signed) expect(parseXml(build()).signatureCount).toBe(1);
  });
});

const tricky: [string, string][] = [
  ['a default namespace undeclared with xmlns=""', '<a xmlns="urn:x"><b xmlns=""><c/></b><d/></a>'],
  ['xmlns="" at the root', '<a xmlns=""><b/></a>'],
  [
    'a prefix redeclared in a child',
    '<p:a xmlns:p="urn:one"><p:b xmlns:p="urn:two" p:x="2"><p:c/></p:b><p:d p:x="1"/></p:a>',
  ],
  [
    'a default namespace redeclared and a prefix for the same URI',
    '<a xmlns="urn:x" xmlns:p="urn:x"><b xmlns="urn:y" p:c="1"/><p:b/></a>',
  ],
  ['an unused declaration and a prefixed attribute', '<a xmlns:p="urn:p" xmlns:q="urn:q" q:b="1" b="2"/>'],
  [
    'character references to TAB, LF and CR in attributes (kept, not normalised)',
    '<a b="x&#9;y&#10;z&#13;w" c="&#x9;&#xA;&#xD;" d="&#xd;&#xa;"/>',
  ],
  ['literal TAB and LF in attributes (normalised to spaces)', '<a b="x\ty\nz" c="\t\t" d="\n"/>'],
  ['CRLF and lone CR in attributes', '<a b="1\r\n2\r3\r\r\n4" c="\r"/>'],
  ['CRLF and lone CR in text', '<a>1\r\n2\r3\n\r4\r\r\n5\r</a>'],
  ['CR in comments and CDATA', '<a><!--x\r\ny\rz--><![CDATA[p\rq\r\nr]]></a>'],
  ['character references to CR in text', '<a>x&#13;y&#xD;&#10;z</a>'],
  ['CDATA sections, split ]]> and markup inside', '<a>x<![CDATA[<b>&amp;</b>]]]]><![CDATA[>]]>y</a>'],
  // xmldom creates no node for an empty CDATA section (and merges the text around it).
  ['empty CDATA sections', '<a>x<![CDATA[]]>y<b><![CDATA[]]></b><![CDATA[]]></a>'],
  ['adjacent CDATA and text', '<a><![CDATA[1]]>2<![CDATA[3]]><![CDATA[4]]></a>'],
  [
    'comments at every level',
    '<!--top--><!----><a><!--in--><b/><!-- - --><!--x->y--></a><!--after-->\n<!--last-->',
  ],
  ['a comment that starts with >', '<!-->--><a><!-->x--></a>'],
  ['> in text and attributes', '<a b=">" c="a>b">x>y>></a>'],
  [']] in text', '<a>]]</a>'],
  [']]&gt; in text', '<a>x]]&gt;y]&gt;]</a>'],
  ['quotes in text', '<a>"\'"</a>'],
  ['single quotes, and the other quote inside', `<a b='x"y' c="x'y" d=''/>`],
  ['all predefined entities in attributes', '<a b="&lt;&gt;&amp;&quot;&apos;" c=\'&apos;\'/>'],
  ['all predefined entities in text', '<a>&lt;&gt;&amp;&quot;&apos;&amp;lt;</a>'],
  ['character references in text', '<a>&#x1F600;&#128512;&#x41;&#65;&#x00e9;&#0233;&#x3c;b&#x3E;</a>'],
  [
    'astral-plane characters in names and text',
    '<\u{10000}:\u{1d4b3} xmlns:\u{10000}="urn:astral" \u{10000}:\u00df="\u{1f600}" ' +
      '\u{1d4b3}\u{e0100}="x">\u{1f600}\u{1d4b3}<\u{efffd}/></\u{10000}:\u{1d4b3}>',
  ],
  [
    'NameChar characters in names',
    '<a.b-c_d1\u00b7e\u0300\u203f xmlns:_p-1.x="urn:x" _p-1.x:\u00e9\u0301="1" \u00c0\u037f\u200c="2"/>',
  ],
  [
    'xml:lang and xml:space',
    '<a xml:lang="en"><b xml:lang="" xml:space="preserve"> x </b><xml:c xml:id="i"/></a>',
  ],
  [
    'the xml prefix declared with its own namespace',
    '<a xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:lang="de"/>',
  ],
  ['white space around =', '<a b = "1"\n c\t=\t\'2\' \r\n d\n=\n"3" \r\n/>'],
  ['white space before > and in end tags', '<a\n><b \t></b\n><c\r\n/></a \r\n>'],
  ['white-space-only text between elements', '<a>\n  <b> </b>\n\t<c>\r\n</c>\n</a>'],
  ['empty elements in both forms', '<a><b></b><b/><c x="1"></c></a>'],
  ['a newline after the XML declaration', '<?xml version="1.0" encoding="UTF-8"?>\n<a/>\n'],
  ['single quotes in the XML declaration', "<?xml version='1.0' encoding='utf-8' standalone='no'?><a/>"],
  ['an empty attribute value and ID-like names', '<a ID="" Id="x" id="y" b=""/>'],
  ['namespace URIs written with references', '<p:a xmlns:p="urn:&#x78;?a=1&amp;b=&lt;2&gt;"/>'],
  [
    'a signature-shaped subtree with whitespace',
    '<r ID="_1" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">\n' +
      '  <ds:Signature>\n    <ds:SignedInfo>\n      <ds:Reference URI="#_1"/>\n' +
      '    </ds:SignedInfo>\n  </ds:Signature>\n</r>',
  ],
  ['element names that look like keywords', '<CDATA><DOCTYPE/><ENTITY/><xml/><xmlfoo/></CDATA>'],
  ['an element whose local name is xmlns, with a prefix', '<p:xmlns xmlns:p="urn:p" p:xmlns="1"/>'],
  [
    'a declared prefix named like an Object.prototype property',
    '<a xmlns:__proto__="urn:x" xmlns:constructor="urn:y"><__proto__:b/><constructor:c constructor:d="1"/></a>',
  ],
  ['a large character reference', '<a b="&#x10FFFF;&#1114111;">&#x10000;</a>'],
  // Names that start as plain ASCII and continue with other characters, or end right at `>`, `/`, `=`.
  [
    'ASCII names continued by non-ASCII name characters',
    '<ab\u00e9 xmlns:p\u00b7="urn:p" p\u00b7:x\u0300="1" q=\'2\'><p\u00b7:c\u00e9/><d\u203f>t</d\u203f></ab\u00e9>',
  ],
  ['names that end at =, / and > without white space', '<a b="1"><c/><d e=\'2\'/></a>'],
];

describe('parseXml and xmldom agree on tricky but valid documents', () => {
  it.each(tricky)('%s', (_name, xml) => {
    expectSameAsXmldom(xml);
  });

  it('keeps character references to TAB, LF and CR in attributes and normalises literal ones', () => {
    const root = parseXml('<a b="&#9;&#10;&#13;" c="\t\n\r\n\r"/>').root;
    expect(root.getAttribute('b')).toBe('\t\n\r');
    expect(root.getAttribute('c')).toBe('    ');
  });

  // xml-crypto's C14N renders a node by its data only when the data is not empty (xmldom never
  // makes an empty Text or CDATA node) and throws on any other non-element node. An empty CDATA
  // section must therefore never reach the DOM as a node: the canonical form must still be
  // computable, equal xmldom's, and the text read must be all of it. Refusing such a document
  // with a SamlError would be acceptable too.
  it('leaves no empty CDATA node that C14N cannot handle, and never splits the text read', () => {
    const xml = '<r><n>victim@corp.example<![CDATA[]]>.attacker.example</n></r>';
    let ours: ReturnType<typeof parseXml>;
    try {
      ours = parseXml(xml);
    } catch (error) {
      expect(isSamlError(error) && error.code).toBe('SAML_XML_MALFORMED');
      return;
    }
    const theirs = parseWithXmldom(xml);
    expect(c14n(ours.root)).toBe(c14n(theirs.documentElement!));
    expect(c14n(ours.root)).toBe('<r><n>victim@corp.example.attacker.example</n></r>');
    const nameId = elementsOf(ours.root)[1]!;
    expect(nameId.textContent).toBe('victim@corp.example.attacker.example');
    let read: string | undefined;
    try {
      read = readText(nameId);
    } catch (error) {
      expect(isSamlError(error) && error.code).toBe('SAML_XML_MIXED_CONTENT');
    }
    if (read !== undefined) expect(read).toBe('victim@corp.example.attacker.example');
  });

  it('lets a signed POST message with an empty CDATA section fail only with a SamlError', () => {
    const signed = encodePost({
      type: 'SAMLRequest',
      xml: sampleLogoutRequest().xml,
      destination: spSloUrl,
      sign: idpSign,
    }).xml;
    // C14N maps the empty section to nothing, so the signature stays valid.
    const xml = signed.replace('alice@example.com', 'alice@<![CDATA[]]>example.com');
    expect(xml).not.toBe(signed);
    const options = {
      trust: [certificate('idp')],
      clock: fixedClock,
      expect: { issuer: idpEntityId, destination: spSloUrl },
    };
    try {
      const received = receivePost({ SAMLRequest: Buffer.from(xml).toString('base64') }, options);
      expect(received.signed).toBe(true);
    } catch (error) {
      if (!isSamlError(error)) throw new Error(`not a SamlError: ${String(error)}`);
    }
  });

  it('turns CRLF and lone CR into LF in text, and keeps &#13;', () => {
    expect(parseXml('<a>1\r\n2\r3&#13;</a>').root.textContent).toBe('1\n2\n3\r');
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Generated documents

type Quote = '"' | "'";

interface GeneratedChar {
  char: string;
  /** How to write it: as itself, or as a decimal or hexadecimal reference. */
  form: 'literal' | 'decimal' | 'hex';
}

interface GeneratedAttribute {
  prefix: string | undefined;
  local: string;
  value: GeneratedChar[];
  quote: Quote;
  before: string;
  aroundEquals: [string, string];
}

interface GeneratedDeclaration {
  prefix: string | undefined;
  uri: string;
  quote: Quote;
}

type GeneratedNode =
  | { kind: 'text'; chars: GeneratedChar[] }
  | { kind: 'cdata'; data: string }
  | { kind: 'comment'; data: string }
  | GeneratedElement;

interface GeneratedElement {
  kind: 'element';
  prefix: string | undefined;
  local: string;
  declarations: GeneratedDeclaration[];
  attributes: GeneratedAttribute[];
  children: GeneratedNode[];
  selfClose: boolean;
  beforeClose: string;
  endTagSpace: string;
}

interface GeneratedDocument {
  declaration: string;
  before: string[];
  root: GeneratedElement;
  after: string[];
}

const prefixPool = ['p', 'q', 'saml', 'ds', '\u00e9', '\u{10000}', '_x.y-1'];
const localPool = ['a', 'b', 'ID', 'NameID', 'Signature', 'x-y', 'x.y', '_z', '\u00e9', '\u{1d4b3}', 'xmlns'];
const uriPool = [
  'urn:a',
  'urn:b',
  'http://www.w3.org/2000/09/xmldsig#',
  'urn:oasis:names:tc:SAML:2.0:assertion',
  'urn:x?a=1&b=<2>"\'',
  'urn:\u00e9\u{1f600}',
];
const charPool = [
  'a',
  'Z',
  '0',
  ' ',
  '\t',
  '\n',
  '\r',
  '<',
  '>',
  '&',
  '"',
  "'",
  ']',
  '-',
  '=',
  '/',
  ';',
  '#',
  '\u00e9',
  '\u00a0',
  '\u{1f600}',
  '\u{1d4b3}',
];
const spacePool = [' ', '  ', '\n', '\t', '\r\n', ' \n\t'];

const charArb: fc.Arbitrary<GeneratedChar> = fc.record({
  char: fc.constantFrom(...charPool),
  form: fc.constantFrom<GeneratedChar['form']>('literal', 'literal', 'decimal', 'hex'),
});
const spaceArb = fc.constantFrom(...spacePool);
const optionalSpaceArb = fc.constantFrom('', '', ...spacePool);
const quoteArb = fc.constantFrom<Quote>('"', "'");
const prefixArb = fc.option(fc.constantFrom(...prefixPool), { nil: undefined });
const rawArb = fc.array(fc.constantFrom(...charPool, '!', '[', '<![CDATA[', '-->'), { maxLength: 12 });

const leafArb: fc.Arbitrary<GeneratedNode> = fc.oneof(
  fc.record({
    kind: fc.constant('text' as const),
    chars: fc.array(charArb, { minLength: 1, maxLength: 12 }),
  }),
  // Never empty: an empty CDATA section has its own test above.
  fc.record({
    kind: fc.constant('cdata' as const),
    data: rawArb.filter((parts) => parts.length > 0).map((parts) => parts.join('')),
  }),
  fc.record({ kind: fc.constant('comment' as const), data: rawArb.map((parts) => parts.join('')) }),
);

function elementArb(depth: number): fc.Arbitrary<GeneratedElement> {
  const child = depth === 0 ? leafArb : fc.oneof(leafArb, elementArb(depth - 1));
  return fc.record({
    kind: fc.constant('element' as const),
    prefix: prefixArb,
    local: fc.constantFrom(...localPool),
    declarations: fc.array(
      fc.record({ prefix: prefixArb, uri: fc.constantFrom(...uriPool, ''), quote: quoteArb }),
      { maxLength: 3 },
    ),
    attributes: fc.array(
      fc.record({
        prefix: fc.option(fc.constantFrom(...prefixPool, 'xml'), { nil: undefined, freq: 2 }),
        local: fc.constantFrom(...localPool, 'lang', 'space'),
        value: fc.array(charArb, { maxLength: 8 }),
        quote: quoteArb,
        before: spaceArb,
        aroundEquals: fc.tuple(optionalSpaceArb, optionalSpaceArb),
      }),
      { maxLength: 4 },
    ),
    children: fc.array(child, { maxLength: depth === 0 ? 3 : 4 }),
    selfClose: fc.boolean(),
    beforeClose: optionalSpaceArb,
    endTagSpace: optionalSpaceArb,
  });
}

const documentArb: fc.Arbitrary<GeneratedDocument> = fc.record({
  declaration: fc.constantFrom(
    '',
    '',
    '<?xml version="1.0"?>',
    "<?xml version='1.0' encoding='UTF-8'?>\n",
    '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\r\n',
  ),
  before: fc.array(fc.constantFrom('\n', ' ', '<!-- before -->', '<!---->'), { maxLength: 3 }),
  root: elementArb(3),
  after: fc.array(fc.constantFrom('\n', '\r\n', '<!-- after -->', '<!--x-y-->'), { maxLength: 3 }),
});

/** A character reference, a predefined entity or the character itself, as the context allows. */
function writeChar({ char, form }: GeneratedChar, context: 'text' | Quote, written: string): string {
  const code = char.codePointAt(0)!;
  if (form === 'decimal') return `&#${code};`;
  if (form === 'hex') return `&#x${code.toString(16)};`;
  if (char === '<') return '&lt;';
  if (char === '&') return '&amp;';
  if (char === context) return char === '"' ? '&quot;' : '&apos;';
  // `]]>` may not appear in content (XML 1.0 §2.4).
  if (char === '>' && context === 'text' && written.endsWith(']]')) return '&gt;';
  return char;
}

function writeChars(chars: GeneratedChar[], context: 'text' | Quote): string {
  let written = '';
  for (const c of chars) written += writeChar(c, context, written);
  return written;
}

function escapeValue(value: string, quote: Quote): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(quote === '"' ? /"/g : /'/g, quote === '"' ? '&quot;' : '&apos;');
}

function commentData(raw: string): string {
  let data = raw;
  while (data.includes('--')) data = data.replace(/--/g, '- -');
  return data.endsWith('-') ? `${data} ` : data;
}

const xmlNamespace = 'http://www.w3.org/XML/1998/namespace';

/**
 * Serializes a generated element, adding the declarations its prefixes need and dropping what
 * would make it ill-formed (a prefix bound to "", duplicate declarations, attributes with the
 * same qualified or expanded name).
 */
function writeElement(element: GeneratedElement, scope: ReadonlyMap<string, string>): string {
  const declared = new Map<string, { uri: string; quote: Quote }>();
  for (const { prefix, uri, quote } of element.declarations) {
    const key = prefix ?? '';
    if (key !== '' && uri === '') continue;
    if (!declared.has(key)) declared.set(key, { uri, quote });
  }
  const inScope = new Map(scope);
  for (const [prefix, { uri }] of declared) inScope.set(prefix, uri);
  const bind = (prefix: string) => {
    if (prefix === 'xml' || inScope.has(prefix)) return;
    const uri = uriPool[prefix.length % uriPool.length]!;
    declared.set(prefix, { uri, quote: '"' });
    inScope.set(prefix, uri);
  };
  if (element.prefix !== undefined) bind(element.prefix);
  const names = new Set<string>();
  const expandedNames = new Set<string>();
  const attributes: string[] = [];
  for (const attribute of element.attributes) {
    // `xml` may only take the local names it has, and `xmlns` only as a declaration.
    if (attribute.prefix === undefined && attribute.local === 'xmlns') continue;
    if (attribute.prefix !== undefined) bind(attribute.prefix);
    const name = attribute.prefix === undefined ? attribute.local : `${attribute.prefix}:${attribute.local}`;
    const namespace =
      attribute.prefix === undefined
        ? ''
        : attribute.prefix === 'xml'
          ? xmlNamespace
          : inScope.get(attribute.prefix)!;
    const expanded = `${namespace} ${attribute.local}`;
    if (names.has(name) || expandedNames.has(expanded)) continue;
    names.add(name);
    expandedNames.add(expanded);
    const [left, right] = attribute.aroundEquals;
    const value = writeChars(attribute.value, attribute.quote);
    attributes.push(`${attribute.before}${name}${left}=${right}${attribute.quote}${value}${attribute.quote}`);
  }
  const declarations = [...declared].map(
    ([prefix, { uri, quote }]) =>
      ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}=${quote}${escapeValue(uri, quote)}${quote}`,
  );
  const name = element.prefix === undefined ? element.local : `${element.prefix}:${element.local}`;
  const start = `<${name}${declarations.join('')}${attributes.join('')}${element.beforeClose}`;
  if (element.selfClose && element.children.length === 0) return `${start}/>`;
  let content = '';
  for (const child of element.children) {
    if (child.kind === 'text') content += writeChars(child.chars, 'text');
    else if (child.kind === 'cdata') content += `<![CDATA[${child.data.replace(/]]>/g, ']] >')}]]>`;
    else if (child.kind === 'comment') content += `<!--${commentData(child.data)}-->`;
    else content += writeElement(child, inScope);
    // A literal `>` right after `]]` from the previous text would make `]]>`.
    if (content.endsWith(']]') && child.kind === 'text') content += '<!---->';
  }
  return `${start}>${content}</${name}${element.endTagSpace}>`;
}

function writeDocument(document: GeneratedDocument): string {
  return (
    document.declaration +
    document.before.join('') +
    writeElement(document.root, new Map()) +
    document.after.join('')
  );
}

/**
 * `<xmlns>` as an unprefixed element name cannot be represented in the DOM (both parsers refuse
 * it, see below); the generator uses the name only for attributes, where it is skipped, and for
 * prefixed elements.
 */
function representable(element: GeneratedElement): GeneratedElement {
  return {
    ...element,
    local: element.prefix === undefined && element.local === 'xmlns' ? 'a' : element.local,
    children: element.children.map((child) => (child.kind === 'element' ? representable(child) : child)),
  };
}

const validDocumentArb = documentArb.map((document) => ({ ...document, root: representable(document.root) }));

describe('parseXml and xmldom agree on generated documents', () => {
  it('gives the same tree and C14N for random well-formed documents', () => {
    fc.assert(
      fc.property(validDocumentArb, (generated) => {
        expectSameAsXmldom(writeDocument(generated), undefined, false);
      }),
      { numRuns: 300 },
    );
  });

  const mutationChars = [...'<>&"\'=/:!-[]', 'a', 'x', ' '];

  it('accepts a mutated document only when xmldom does, with the same tree; else throws a SamlError', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        validDocumentArb,
        fc.nat(),
        fc.constantFrom('insert', 'delete', 'replace'),
        fc.constantFrom(...mutationChars),
        (generated, at, operation, char) => {
          // By code point: splitting a surrogate pair is covered by its own test below.
          const points = Array.from(writeDocument(generated));
          const i = at % (points.length + 1);
          const mutated = [
            ...points.slice(0, i),
            ...(operation === 'delete' ? [] : [char]),
            ...points.slice(operation === 'insert' ? i : i + 1),
          ].join('');
          // An empty CDATA section has its own test above.
          fc.pre(!mutated.includes('<![CDATA[]]>'));
          let ours: ReturnType<typeof parseXml>;
          try {
            ours = parseXml(mutated);
          } catch (error) {
            if (!isSamlError(error))
              throw new Error(`not a SamlError for ${JSON.stringify(mutated)}: ${error}`);
            rejected++;
            return;
          }
          accepted++;
          let theirs: Document;
          try {
            theirs = parseWithXmldom(mutated);
          } catch (error) {
            throw new Error(`parseXml accepts what xmldom refuses: ${JSON.stringify(mutated)}: ${error}`);
          }
          expect(dump(ours.document), JSON.stringify(mutated)).toEqual(dump(theirs));
        },
      ),
      { numRuns: 700 },
    );
    // Both outcomes must actually have been exercised.
    expect(accepted).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Documents that must be refused

/**
 * Every case names something `zqx`, so a message that echoes any part of the document shows.
 * `xmldom` records what xmldom's strict parser does with the same input, where it differs.
 */
const malformed: [string, string][] = [
  ['an unbound element prefix', '<zqx:a/>'],
  ['an unbound prefix on a nested element', '<a xmlns:p="urn:p"><p:b><zqx:c/></p:b></a>'],
  ['a prefix used outside the element that declared it', '<a><b xmlns:zqx="urn:z"/><zqx:c/></a>'],
  ['an unbound attribute prefix', '<a zqx:b="1"/>'],
  ['an unbound attribute prefix on the declaring element of another prefix', '<a xmlns:p="u" zqx:b="1"/>'],
  ['a prefix bound to the empty string', '<a xmlns:zqx=""/>'],
  ['a prefix unbound in a child with xmlns:p=""', '<zqx:a xmlns:zqx="urn:z"><zqx:b xmlns:zqx=""/></zqx:a>'],
  ['xml bound to another namespace', '<zqx xmlns:xml="urn:other"/>'],
  ['xml bound to the empty string', '<zqx xmlns:xml=""/>'],
  ['another prefix bound to the XML namespace', `<zqx xmlns:other="${xmlNamespace}"/>`],
  ['the XML namespace as the default namespace', `<zqx xmlns="${xmlNamespace}"/>`],
  ['a declaration of the xmlns prefix', '<zqx xmlns:xmlns="urn:x"/>'],
  ['xmlns declared with its own namespace', '<zqx xmlns:xmlns="http://www.w3.org/2000/xmlns/"/>'],
  ['a prefix bound to the xmlns namespace', '<zqx xmlns:p="http://www.w3.org/2000/xmlns/"/>'],
  ['the xmlns namespace as the default namespace', '<zqx xmlns="http://www.w3.org/2000/xmlns/"/>'],
  [
    'the xmlns namespace written with a character reference',
    '<zqx xmlns:p="http://www.w3.org/2000/xmlns&#x2F;"/>',
  ],
  ['an element with the xmlns prefix', '<xmlns:zqx/>'],
  ['an element with the xmlns prefix, nested', '<a><xmlns:zqx xmlns:p="u"/></a>'],
  [
    'two attributes with the same expanded name via different prefixes',
    '<a xmlns:p="urn:zqx" xmlns:q="urn:zqx" p:b="1" q:b="2"/>',
  ],
  [
    'the same expanded name, one prefix declared on an ancestor',
    '<a xmlns:p="urn:zqx"><b xmlns:q="urn:zqx" q:ID="1" p:ID="2"/></a>',
  ],
  ['xml:lang and an alias of it', `<a xml:lang="en" xmlns:x="${xmlNamespace}" x:lang="zqx"/>`],
  ['a duplicate namespace declaration', '<a xmlns:zqx="urn:1" xmlns:zqx="urn:1"/>'],
  ['a duplicate default namespace declaration', '<zqx xmlns="urn:1" xmlns="urn:2"/>'],
  ['a duplicate attribute after other attributes', '<a zqx="1" b="2" zqx="3"/>'],
  ['a mismatched end tag', '<zqx><b></c></zqx>'],
  ['an end tag with the same local name and another prefix', '<p:zqx xmlns:p="u" xmlns:q="u"></q:zqx>'],
  ['an end tag without its prefix', '<p:zqx xmlns:p="u"></zqx>'],
  ['an end tag that closes the parent first', '<zqx><b></zqx></b>'],
  ['an end tag with an attribute', '<zqx></zqx a="1">'],
  ['an end tag with a slash', '<zqx></zqx/>'],
  ['an unclosed root', '<zqx>'],
  ['an unclosed child', '<zqx><b></zqx>'],
  ['an unclosed root with content', '<zqx><b/>text'],
  ['an end tag without a start tag', '</zqx>'],
  ['an end tag after the root', '<zqx/></zqx>'],
  ['text before the root', 'zqx<a/>'],
  ['text after the root', '<a/>zqx'],
  ['a character reference after the root', '<zqx/>&#32;'],
  ['an entity reference before the root', '&lt;<zqx/>'],
  ['two roots', '<zqx/><zqx/>'],
  ['a second root after a comment', '<zqx/><!-- --><b/>'],
  ['an attribute without a value', '<a zqx>'],
  ['an attribute without a value, self-closing', '<a zqx/>'],
  ['an attribute without =', '<a zqx "1"/>'],
  ['an unquoted attribute value', '<a b=zqx>'],
  ['an unquoted attribute value, self-closing', '<a b=zqx/>'],
  ['attributes without white space between them', '<a b="1"zqx="2"/>'],
  ['attributes without white space between them, single quotes', "<a b='1'zqx='2'/>"],
  ['mismatched quotes', '<a zqx="1\'/>'],
  ['< inside an attribute value', '<a b="zqx<c"/>'],
  ['< inside a single-quoted attribute value', "<a b='<zqx'/>"],
  ['an unterminated attribute value', '<a b="zqx/>'],
  ['an unterminated attribute value at the end', '<a b="zqx'],
  ['an unterminated start tag', '<zqx b="1"'],
  ['an unterminated start tag after white space', '<zqx '],
  ['a lone <', '<zqx><</zqx>'],
  ['a < at the very end', '<zqx/><'],
  ['a slash inside a start tag', '<zqx / >'],
  ['a space between / and >', '<zqx/ >'],
  ['an unterminated comment', '<zqx><!-- zqx </zqx>'],
  ['an unterminated comment at the end', '<zqx/><!-- zqx'],
  ['-- inside a comment', '<zqx><!-- a -- b --></zqx>'],
  ['a comment ending with --->', '<zqx><!-- a ---></zqx>'],
  ['the comment <!--->', '<zqx><!---></zqx>'],
  ['a comment opened with <!-', '<zqx><!- x --></zqx>'],
  ['an unterminated CDATA section', '<zqx><![CDATA[ zqx </zqx>'],
  ['a CDATA section with a lowercase keyword', '<zqx><![cdata[x]]></zqx>'],
  ['a CDATA section before the root', '<![CDATA[zqx]]><a/>'],
  ['a CDATA section after the root', '<a/><![CDATA[zqx]]>'],
  [']]> in text', '<zqx>a]]>b</zqx>'],
  [']]> in text after an entity', '<zqx>&amp;]]></zqx>'],
  ['an unknown markup declaration', '<zqx><!ELEMENT x></zqx>'],
  ['a bare <! in content', '<zqx><!></zqx>'],
  ['an unknown entity', '<zqx>&zqx;</zqx>'],
  ['an unknown entity in an attribute', '<a b="&zqx;"/>'],
  ['an HTML entity', '<zqx>&nbsp;</zqx>'],
  ['an entity name in the wrong case', '<zqx>&AMP;</zqx>'],
  ['&lt without a semicolon', '<zqx>&lt</zqx>'],
  ['&lt without a semicolon in an attribute', '<zqx b="&lt"/>'],
  ['&#x; with no digits', '<zqx>&#x;</zqx>'],
  ['&#; with no digits', '<zqx>&#;</zqx>'],
  ['&#X41; with an uppercase X', '<zqx>&#X41;</zqx>'],
  ['a hexadecimal reference written as decimal', '<zqx>&#4a;</zqx>'],
  ['a bare & in an attribute', '<zqx b="a & b"/>'],
  ['a name starting with a digit', '<1zqx/>'],
  ['a name starting with -', '<-zqx/>'],
  ['a name starting with .', '<.zqx/>'],
  ['a name starting with a combining character', '<\u0300zqx/>'],
  ['an attribute name starting with a digit', '<zqx 1b="1"/>'],
  ['an attribute name starting with -', '<zqx -b="1"/>'],
  ['a name with two colons', '<a:b:zqx xmlns:a="u"/>'],
  ['a local name starting with a digit', '<zqx xmlns:a="u" a:1b="x"/>'],
  ['a local name starting with a combining character', '<a:\u0300zqx xmlns:a="u"/>'],
  ['an attribute name with two colons', '<zqx xmlns:a="u" a:b:c="1"/>'],
  ['an empty prefix', '<:zqx/>'],
  ['an empty local name', '<zqx: xmlns:zqx="u"/>'],
  ['an xmlns: declaration with an empty prefix', '<zqx xmlns:="u"/>'],
  ['a name with a character outside NameChar', '<zqx\u00d7/>'],
  ['a start tag with no name', '< zqx/>'],
  ['an empty start tag', '<>zqx</>'],
  ['white space before the root name', '<\nzqx/>'],
  ['white space between < and / in an end tag', '<zqx>< /zqx>'],
];

/** Checks that the error keeps the document out of its message and details. */
function expectNoDocumentText(error: SamlError, xml: string): void {
  expect(error.message).not.toContain('zqx');
  if (xml.length > 0) expect(error.message).not.toContain(xml);
  expect(JSON.stringify(error.details ?? {})).not.toContain('zqx');
}

describe('parseXml refuses ill-formed documents', () => {
  it.each(malformed)('%s', (_name, xml) => {
    const error = expectCode(() => parseXml(xml), 'SAML_XML_MALFORMED');
    expectNoDocumentText(error, xml);
  });

  // The aggregate reader shares the tokenizer: the same documents are refused whether their
  // elements are built or streamed.
  it.each(malformed)('the aggregate reader refuses it too: %s', (_name, xml) => {
    for (const streamed of [false, true]) {
      const visitor: AggregateVisitor = {
        isGroup: () => streamed,
        groupStart: () => undefined,
        groupText: () => undefined,
        child: () => undefined,
        groupEnd: () => undefined,
      };
      const limits = {
        maxBytes: 1 << 20,
        maxDepth: 64,
        maxAttributesPerElement: 64,
        maxElementsPerChild: 1000,
      };
      expectCode(() => readAggregate(xml, limits, visitor), 'SAML_XML_MALFORMED');
    }
  });

  // The detail is useful while debugging, so it is kept, only out of the message.
  it('puts the parser detail into cause', () => {
    const error = expectCode(() => parseXml('<a xmlns:p="u"><zqx:b/></a>'), 'SAML_XML_MALFORMED');
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toContain('zqx');
  });

  it.each([
    ['&#0; in an attribute', '<zqx b="&#0;"/>'],
    ['&#xD800; (a surrogate)', '<zqx>&#xD800;</zqx>'],
    ['&#xDFFF; in an attribute', '<zqx b="&#xDFFF;"/>'],
    ['&#xFFFE;', '<zqx>&#xFFFE;</zqx>'],
    ['&#x110000; (beyond Unicode)', '<zqx>&#x110000;</zqx>'],
    ['&#1114112; (beyond Unicode, decimal)', '<zqx>&#1114112;</zqx>'],
    ['&#x1B; (ESC)', '<zqx>&#x1B;</zqx>'],
  ])('refuses a reference to a non-character: %s', (_name, xml) => {
    expectNoDocumentText(
      expectCode(() => parseXml(xml), 'SAML_XML_FORBIDDEN_CONTENT'),
      xml,
    );
  });

  it('refuses a reference too long to be screened (never silently truncated)', () => {
    expectCode(() => parseXml('<zqx>&#x0000000041;&#00000000065;</zqx>'), 'SAML_XML_MALFORMED');
  });

  // Object.prototype's property names are valid NCNames. A prefix lookup that walks the
  // prototype chain finds a binding for them that no document declared (attacks §4, on
  // CVE-2022-37616: names from the document are data, never object keys).
  it.each([
    ['constructor', '<constructor:zqx/>'],
    ['toString', '<toString:zqx/>'],
    ['__proto__', '<__proto__:zqx/>'],
    ['hasOwnProperty', '<hasOwnProperty:zqx/>'],
    ['valueOf on an ID attribute', '<zqx valueOf:ID="_x"/>'],
    ['isPrototypeOf on an attribute', '<zqx isPrototypeOf:b="1"/>'],
  ])('refuses an undeclared prefix named like an Object.prototype property: %s', (_name, xml) => {
    expect(() => parseWithXmldom(xml)).toThrow();
    expectNoDocumentText(
      expectCode(() => parseXml(xml), 'SAML_XML_MALFORMED'),
      xml,
    );
  });

  // The DOM has no way to represent an unprefixed element called xmlns (createElementNS refuses
  // it); the reader must still report that as a SamlError, not leak a DOMException.
  it.each([
    ['at the root', '<xmlns/>'],
    ['under a default namespace', '<zqx xmlns="urn:x"><xmlns/></zqx>'],
  ])('refuses an element named xmlns %s with a SamlError', (_name, xml) => {
    expect(() => parseWithXmldom(xml)).toThrow();
    expectCode(() => parseXml(xml), 'SAML_XML_MALFORMED');
  });

  // Lone surrogates are not XML characters (XML 1.0 §2.2), and the digest step encodes them as
  // U+FFFD, so the signed bytes would no longer match what the DOM holds.
  // xmldom refuses them in comments and CDATA sections (its patterns match Char), but not in text
  // or attribute values.
  it.each([
    ['a lone high surrogate in text', '<zqx>a\ud800b</zqx>'],
    ['a lone low surrogate in an attribute', '<zqx b="\udc00"/>'],
    ['a reversed pair', '<zqx>\ude00\ud83d</zqx>'],
    ['a lone surrogate in a comment', '<zqx><!--\ud800--></zqx>'],
    ['a lone surrogate in a CDATA section', '<zqx><![CDATA[\udfff]]></zqx>'],
  ])('refuses %s', (_name, xml) => {
    expectCode(() => parseXml(xml), 'SAML_XML_FORBIDDEN_CONTENT');
  });

  // XML 1.0 §2.8: the declaration's white space is S (space, TAB, CR, LF) only.
  it.each([
    ['U+3000 before ?>', '<?xml version="1.0"\u3000?><zqx/>'],
    ['U+00A0 after <?xml', '<?xml\u00a0version="1.0"?><zqx/>'],
    ['U+FEFF before encoding', '<?xml version="1.0"\ufeffencoding="UTF-8"?><zqx/>'],
  ])('refuses an XML declaration with non-XML white space: %s', (_name, xml) => {
    expect(() => parseWithXmldom(xml)).toThrow();
    expectCode(() => parseXml(xml), 'SAML_XML_FORBIDDEN_CONTENT');
  });
});

describe('parseXml limits, as the reader counts them', () => {
  it('measures depth by open elements, not by elements seen', () => {
    const limits = { maxDepth: 3 };
    expect(parseXml('<a><b><c/></b><b><c/></b><b><c></c></b></a>', limits).root.localName).toBe('a');
    const xml = '<zqx><b></b><b><c><d/></c></b></zqx>';
    const error = expectCode(() => parseXml(xml, limits), 'SAML_XML_LIMIT_EXCEEDED');
    expect(error.details).toEqual({ limit: 3, kind: 'depth' });
    expectNoDocumentText(error, xml);
  });

  it('counts a self-closing element at the limit depth as one level', () => {
    expect(parseXml('<a><b/></a>', { maxDepth: 2 }).root.localName).toBe('a');
    expect(samlErrorOf(() => parseXml('<a><b><c/></b></a>', { maxDepth: 2 })).details).toEqual({
      limit: 2,
      kind: 'depth',
    });
  });

  it('counts elements at every depth, and not comments, text or CDATA', () => {
    const limits = { maxElements: 3 };
    const fits = '<!--c--><a>t<![CDATA[c]]><!--c--><b>t</b><c/></a><!--c-->';
    expect(parseXml(fits, limits).root.localName).toBe('a');
    const xml = '<zqx><b><c/></b><d/></zqx>';
    const error = expectCode(() => parseXml(xml, limits), 'SAML_XML_LIMIT_EXCEEDED');
    expect(error.details).toEqual({ limit: 3, kind: 'elements' });
    expectNoDocumentText(error, xml);
  });

  it('counts namespace declarations, default included, as attributes', () => {
    const limits = { maxAttributesPerElement: 2 };
    expect(parseXml('<a xmlns="urn:a" xmlns:p="urn:p"><p:b c="1" p:c="2"/></a>', limits).root.localName).toBe(
      'a',
    );
    const xml = '<zqx xmlns="urn:a" xmlns:p="urn:p" xmlns:q="urn:q"/>';
    const error = expectCode(() => parseXml(xml, limits), 'SAML_XML_LIMIT_EXCEEDED');
    expect(error.details).toEqual({ limit: 2, kind: 'attributes' });
    expectNoDocumentText(error, xml);
  });

  it('applies the attribute limit per element, not per document', () => {
    const attributes = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="${i}"`).join('');
    const xml = `<r${attributes(64)}>${`<e${attributes(64)}/>`.repeat(20)}</r>`;
    expect(parseXml(xml).root.attributes.length).toBe(64);
  });

  it('reports the first limit reached: depth before elements', () => {
    expect(
      samlErrorOf(() => parseXml('<a><b><c/></b></a>', { maxDepth: 2, maxElements: 2 })).details,
    ).toEqual({
      limit: 2,
      kind: 'depth',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Big documents

describe('parseXml on deep and large documents', () => {
  it('parses a document nested to the depth limit, declaring a prefix at every level, like xmldom', () => {
    const depth = defaultXmlLimits.maxDepth;
    let xml = '';
    for (let i = 0; i < depth; i++) xml += `<p${i}:e xmlns:p${i}="urn:${i}" xmlns="urn:d${i % 3}" a="${i}">t`;
    for (let i = depth - 1; i >= 0; i--) xml += `</p${i}:e>`;
    expectSameAsXmldom(xml, undefined, false);
    const parsed = parseXml(xml);
    const elements = elementsOf(parsed.root);
    expect(elements).toHaveLength(depth);
    expect(elements[depth - 1]!.namespaceURI).toBe(`urn:${depth - 1}`);
  });

  it('parses 10,000 elements (the default limit), like xmldom', () => {
    // The root and 1,111 rows of 9 elements each.
    const rows = Array.from({ length: 1111 }, (_, i) => `<r i="${i}">${'<c/>'.repeat(8)}</r>`).join('\n');
    const xml = `<root xmlns="urn:x">${rows}</root>`;
    const parsed = parseXml(xml);
    expect(parsed.root.getElementsByTagName('*').length).toBe(9_999);
    expectSameAsXmldom(xml, undefined, false);
  });

  it('parses a 256 KiB document that is one text node, and one made of references', () => {
    const limit = defaultXmlLimits.maxBytes;
    const plain = `<r>${'x'.repeat(limit - '<r></r>'.length)}</r>`;
    expect(Buffer.byteLength(plain)).toBe(limit);
    expect(parseXml(plain).root.textContent).toHaveLength(limit - 7);

    const references = `<r a="${'&amp;'.repeat(1000)}">${'&lt;&#x1F600;'.repeat(19_000)}</r>`;
    expect(Buffer.byteLength(references)).toBeLessThan(limit);
    const parsed = parseXml(references);
    expect(parsed.root.textContent).toBe('<\u{1f600}'.repeat(19_000));
    expect(parsed.root.getAttribute('a')).toBe('&'.repeat(1000));
    expectSameAsXmldom(references, undefined, false);
  });

  it('parses a 256 KiB attribute value and a 256 KiB comment', () => {
    const limits = { maxBytes: 1024 * 1024 };
    const value = 'v'.repeat(256 * 1024);
    expect(parseXml(`<r a="${value}"/>`, limits).root.getAttribute('a')).toBe(value);
    expect(parseXml(`<r><!--${value}--></r>`, limits).root.firstChild?.nodeValue).toBe(value);
  });
});
