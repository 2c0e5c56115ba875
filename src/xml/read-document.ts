import { DOMImplementation, type Document, type Element } from '@xmldom/xmldom';
import { SamlError } from '../errors/index.js';
import type { XmlLimits } from './parse.js';

/**
 * A strict, non-validating reader for XML 1.0 (5th ed.) with Namespaces in
 * XML 1.0, restricted to what SAML messages use: elements, attributes, text,
 * CDATA sections and comments. It builds the DOM through xmldom's DOM API, so
 * every consumer (readers, canonicalization, XPath) sees ordinary xmldom nodes,
 * but it never runs xmldom's own tolerant SAX front end, which "recovers" from
 * errors and costs several times more per message.
 *
 * The caller has already screened the text (size, forbidden characters,
 * DOCTYPE, processing instructions, the XML declaration). Everything that is
 * not well-formed here is `SAML_XML_MALFORMED`; nothing is repaired.
 */

export interface ReadDocument {
  document: Document;
  root: Element;
  ids: Map<string, number>;
  signatureCount: number;
}

const xmlNamespace = 'http://www.w3.org/XML/1998/namespace';
export const xmlnsNamespace = 'http://www.w3.org/2000/xmlns/';
const dsNamespace = 'http://www.w3.org/2000/09/xmldsig#';

// XML 1.0 5th edition NameStartChar / NameChar, without ':' (Namespaces in XML: NCName).
const startChar =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const nameChar = `${startChar}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
// A QName: NCName, optionally prefixed. Sticky, so it matches exactly at lastIndex.
export const qualifiedName = new RegExp(
  `[${startChar}][${nameChar}]*(?::[${startChar}][${nameChar}]*)?`,
  'uy',
);
// ASCII name characters: 1 may start a name, 2 may only continue one (XML 1.0 §2.3).
const asciiName = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) asciiName[c] = 1;
  else if (/[0-9.-]/.test(ch)) asciiName[c] = 2;
}

/**
 * The end of a QName made only of ASCII name characters starting at `pos`, or
 * -1 when anything is unusual (non-ASCII, a second colon, a colon not followed
 * by a name start): the full Unicode pattern then decides, so the fast path
 * never accepts what it would refuse.
 */
export function asciiNameEnd(source: string, pos: number): number {
  let c = source.charCodeAt(pos);
  if (c >= 128 || asciiName[c] !== 1) return -1;
  let colon = false;
  for (;;) {
    c = source.charCodeAt(++pos);
    if (c < 128 && asciiName[c] !== 0) continue;
    if (c === 0x3a /* : */) {
      const next = source.charCodeAt(pos + 1);
      if (colon || next >= 128 || asciiName[next] !== 1) return -1;
      colon = true;
      continue;
    }
    // A non-ASCII character might continue the name; NaN (the end) and ASCII cannot.
    return c >= 128 ? -1 : pos;
  }
}

// Maps, not object literals: a name such as `constructor` must not find Object.prototype (attacks §4).
const predefined = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['apos', "'"],
  ['quot', '"'],
]);

const implementation = new DOMImplementation();

// The detail names parts of the untrusted document, so it goes into `cause`, never the message.
export function malformed(detail: string): never {
  throw new SamlError('SAML_XML_MALFORMED', 'document is not well-formed XML', { cause: new Error(detail) });
}

export function limitExceeded(
  kind: 'depth' | 'elements' | 'attributes',
  limit: number,
  message: string,
): never {
  throw new SamlError('SAML_XML_LIMIT_EXCEEDED', message, { details: { limit, kind } });
}

function isCharacter(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

const isAsciiLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** The value of a hex (`base` 16) or decimal digit, or -1. */
function digitValue(c: number, base: 10 | 16): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (base === 16) {
    if (c >= 0x41 && c <= 0x46) return c - 0x37;
    if (c >= 0x61 && c <= 0x66) return c - 0x57;
  }
  return -1;
}

/**
 * Replaces character and predefined entity references (XML 1.0 §4.1); any other `&` is an error.
 * One forward pass of `charCodeAt`: a String.replace with a callback per reference grew about 7×
 * from 32 to 128 KB of dense references on V8.
 */
export function decodeReferences(raw: string): string {
  let decoded = '';
  let start = 0;
  const length = raw.length;
  for (let i = 0; i < length; i++) {
    if (raw.charCodeAt(i) !== 0x26 /* & */) continue;
    decoded += raw.slice(start, i);
    let end = i + 1;
    if (raw.charCodeAt(end) === 0x23 /* # */) {
      const base = raw.charCodeAt(end + 1) === 0x78 /* x */ ? 16 : 10;
      end += base === 16 ? 2 : 1;
      const digits = end;
      let code = 0;
      for (let digit = digitValue(raw.charCodeAt(end), base); digit !== -1; ) {
        // Past U+10FFFF no character can follow: stop growing, and refuse below.
        code = Math.min(code * base + digit, 0x110000);
        digit = digitValue(raw.charCodeAt(++end), base);
      }
      if (end === digits || raw.charCodeAt(end) !== 0x3b /* ; */) malformed('document has a bare ampersand');
      if (!isCharacter(code)) malformed('character reference to a non-character');
      decoded += String.fromCodePoint(code);
    } else {
      while (isAsciiLetter(raw.charCodeAt(end))) end++;
      if (end === i + 1 || raw.charCodeAt(end) !== 0x3b) malformed('document has a bare ampersand');
      const name = raw.slice(i + 1, end);
      const value = predefined.get(name);
      // No DTD is allowed, so no other entity can be declared (WFC: Entity Declared).
      if (value === undefined) malformed(`undeclared entity &${name};`);
      decoded += value;
    }
    start = end + 1;
    i = end;
  }
  return start === 0 ? raw : decoded + raw.slice(start);
}

export interface RawAttribute {
  name: string;
  value: string;
}

interface Open {
  element: Element;
  name: string;
  /** Prefixes this element declared, to be dropped at its end tag. */
  declared: string[] | undefined;
}

/**
 * The prefix bindings in scope while reading: for each prefix, a stack of
 * namespace URIs, the innermost last. Declaring and resolving cost the same
 * whatever the depth or the number of prefixes in scope, so no document within
 * the limits can make either expensive. A Map, so no prefix resolves through
 * Object.prototype.
 */
export class Bindings {
  readonly #stacks = new Map<string, string[]>([['xml', [xmlNamespace]]]);

  /**
   * Namespaces in XML 1.0 §3: applies the declarations among `attributes`,
   * refusing the reserved prefixes and names and empty prefixed bindings (a
   * 1.1 feature). Returns the prefixes declared, for {@link Bindings.drop}.
   */
  declare(attributes: RawAttribute[]): string[] | undefined {
    let declared: string[] | undefined;
    for (const { name, value } of attributes) {
      let prefix: string;
      if (name === 'xmlns') prefix = '';
      else if (name.startsWith('xmlns:')) prefix = name.slice(6);
      else continue;
      if (prefix === 'xmlns') malformed('the xmlns prefix cannot be declared');
      if ((prefix === 'xml') !== (value === xmlNamespace)) {
        malformed('the xml prefix and the XML namespace belong only to each other');
      }
      if (value === xmlnsNamespace) malformed('the xmlns namespace cannot be bound');
      if (prefix !== '' && value === '') malformed(`prefix ${prefix} is bound to an empty namespace`);
      const stack = this.#stacks.get(prefix);
      if (stack === undefined) this.#stacks.set(prefix, [value]);
      else stack.push(value);
      declared ??= [];
      declared.push(prefix);
    }
    return declared;
  }

  /** Ends the scope of the prefixes an element declared. */
  drop(declared: string[] | undefined): void {
    if (declared !== undefined) for (const prefix of declared) this.#stacks.get(prefix)!.pop();
  }

  /** The namespace of an element or attribute name; unprefixed attributes have none. */
  namespaceOf(name: string, isAttribute: boolean): string | null {
    const colon = name.indexOf(':');
    if (colon === -1) {
      if (isAttribute) return null;
      const uri = this.#stacks.get('')?.at(-1);
      return uri === undefined || uri === '' ? null : uri;
    }
    const uri = this.#stacks.get(name.slice(0, colon))?.at(-1);
    if (uri === undefined) malformed(`prefix ${name.slice(0, colon)} is not declared`);
    return uri;
  }
}

/** Reads a screened document into an xmldom Document, enforcing the structural limits as it goes. */
export function readDocument(text: string, limits: Required<XmlLimits>): ReadDocument {
  try {
    return read(text, limits);
  } catch (cause) {
    if (cause instanceof SamlError) throw cause;
    // The DOM refusing a node the checks above let through is still malformed input, never a crash.
    throw new SamlError('SAML_XML_MALFORMED', 'document is not well-formed XML', { cause });
  }
}

function read(text: string, limits: Required<XmlLimits>): ReadDocument {
  // XML 1.0 §2.11: line ends are normalised before anything else.
  const source = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  const length = source.length;
  const document = implementation.createDocument(null, '', null);
  const ids = new Map<string, number>();
  let signatureCount = 0;
  let elements = 0;
  let root: Element | null = null;
  const stack: Open[] = [];
  const bindings = new Bindings();
  let pos = 0;

  const skipWhitespace = (): number => {
    const start = pos;
    for (
      let c = source.charCodeAt(pos);
      c === 0x20 || c === 0x0a || c === 0x09;
      c = source.charCodeAt(++pos)
    );
    return pos - start;
  };
  const readName = (): string => {
    const end = asciiNameEnd(source, pos);
    if (end !== -1) {
      const name = source.slice(pos, end);
      pos = end;
      return name;
    }
    qualifiedName.lastIndex = pos;
    const match = qualifiedName.exec(source);
    if (match === null) malformed('expected a name');
    pos = qualifiedName.lastIndex;
    return match[0];
  };

  if (source.startsWith('<?xml')) {
    // The declaration was validated by the screen; only its end is needed here.
    pos = source.indexOf('?>') + 2;
  }

  while (pos < length) {
    const open = stack.length === 0 ? undefined : stack[stack.length - 1]!;
    const lt = source.indexOf('<', pos);
    const textEnd = lt === -1 ? length : lt;
    if (textEnd > pos) {
      const raw = source.slice(pos, textEnd);
      if (open === undefined) {
        if (!/^[ \t\n]*$/.test(raw)) malformed('document has content outside its root element');
      } else {
        if (raw.includes(']]>')) malformed('text contains ]]>');
        const data = raw.includes('&') ? decodeReferences(raw) : raw;
        const last = open.element.lastChild;
        // Text on both sides of an empty CDATA section is one text node, as in any DOM parser.
        if (last !== null && last.nodeType === 3)
          (last as unknown as { appendData(d: string): void }).appendData(data);
        else open.element.appendChild(document.createTextNode(data));
      }
      pos = textEnd;
    }
    if (lt === -1) break;
    const next = source.charCodeAt(lt + 1);

    if (next === 0x2f /* / */) {
      if (open === undefined) malformed('end tag without a start tag');
      pos = lt + 2;
      const name = readName();
      skipWhitespace();
      if (source.charCodeAt(pos) !== 0x3e) malformed('malformed end tag');
      if (name !== open.name) malformed(`end tag ${name} does not match ${open.name}`);
      pos++;
      bindings.drop(stack.pop()!.declared);
      continue;
    }

    if (next === 0x21 /* ! */) {
      if (source.startsWith('<!--', lt)) {
        const end = source.indexOf('-->', lt + 4);
        if (end === -1) malformed('unterminated comment');
        const data = source.slice(lt + 4, end);
        // XML 1.0 §2.5: no `--` inside, and no `-` right before the closing `-->`.
        if (data.includes('--') || data.endsWith('-')) malformed('comment contains --');
        (open === undefined ? document : open.element).appendChild(document.createComment(data));
        pos = end + 3;
        continue;
      }
      if (open !== undefined && source.startsWith('<![CDATA[', lt)) {
        const end = source.indexOf(']]>', lt + 9);
        if (end === -1) malformed('unterminated CDATA section');
        // An empty section adds no node (canonicalizers refuse empty CDATA nodes).
        if (end > lt + 9) open.element.appendChild(document.createCDATASection(source.slice(lt + 9, end)));
        pos = end + 3;
        continue;
      }
      malformed('unexpected markup declaration');
    }

    if (next === 0x3f /* ? */) {
      throw new SamlError('SAML_XML_FORBIDDEN_CONTENT', 'document contains a processing instruction');
    }

    // A start tag.
    if (open === undefined && root !== null) malformed('document has more than one root element');
    if (stack.length + 1 > limits.maxDepth) {
      limitExceeded('depth', limits.maxDepth, 'document is nested too deeply');
    }
    if (++elements > limits.maxElements) {
      limitExceeded('elements', limits.maxElements, 'document has too many elements');
    }
    pos = lt + 1;
    const name = readName();
    const attributes: RawAttribute[] = [];
    let selfClosing = false;
    for (;;) {
      const separated = skipWhitespace() > 0;
      const c = source.charCodeAt(pos);
      if (c === 0x3e /* > */) {
        pos++;
        break;
      }
      if (c === 0x2f /* / */) {
        if (source.charCodeAt(pos + 1) !== 0x3e) malformed('malformed empty-element tag');
        pos += 2;
        selfClosing = true;
        break;
      }
      if (!separated) malformed(`malformed start tag ${name}`);
      const attributeName = readName();
      skipWhitespace();
      if (source.charCodeAt(pos) !== 0x3d /* = */) malformed(`attribute ${attributeName} has no value`);
      pos++;
      skipWhitespace();
      const quote = source.charCodeAt(pos);
      if (quote !== 0x22 && quote !== 0x27) malformed(`attribute ${attributeName} value is not quoted`);
      const end = source.indexOf(quote === 0x22 ? '"' : "'", pos + 1);
      if (end === -1) malformed(`attribute ${attributeName} value is not terminated`);
      let raw = source.slice(pos + 1, end);
      if (raw.includes('<')) malformed(`attribute ${attributeName} value contains <`);
      // XML 1.0 §3.3.3: literal white space becomes a space; references are decoded after.
      if (raw.includes('\t') || raw.includes('\n')) raw = raw.replace(/[\t\n]/g, ' ');
      pos = end + 1;
      for (const other of attributes) {
        if (other.name === attributeName) malformed(`duplicate attribute ${attributeName}`);
      }
      attributes.push({ name: attributeName, value: raw.includes('&') ? decodeReferences(raw) : raw });
      if (attributes.length > limits.maxAttributesPerElement) {
        limitExceeded('attributes', limits.maxAttributesPerElement, 'element has too many attributes');
      }
    }

    const declared = bindings.declare(attributes);
    if (name === 'xmlns' || name.startsWith('xmlns:')) malformed('an element cannot be named xmlns');
    const element = document.createElementNS(bindings.namespaceOf(name, false), name);
    let expanded: Set<string> | undefined;
    for (const { name: attributeName, value } of attributes) {
      const isDeclaration = attributeName === 'xmlns' || attributeName.startsWith('xmlns:');
      const namespace = isDeclaration ? xmlnsNamespace : bindings.namespaceOf(attributeName, true);
      const localName = attributeName.slice(attributeName.indexOf(':') + 1);
      if (namespace !== null && !isDeclaration) {
        // Namespaces in XML §6.3: no two attributes with the same expanded name.
        const key = `${namespace} ${localName}`;
        expanded ??= new Set();
        if (expanded.has(key)) malformed(`duplicate attribute {${namespace}}${localName}`);
        expanded.add(key);
      }
      // Duplicates were refused above, so the attribute is created and attached directly
      // (setAttributeNS would validate the name twice and look for an existing one).
      const attribute = document.createAttributeNS(namespace, attributeName);
      attribute.value = attribute.nodeValue = value;
      element.setAttributeNode(attribute);
      // xml-crypto resolves references by ID, Id or id in any namespace: count them all (attacks §1).
      if (localName === 'ID' || localName === 'Id' || localName === 'id') {
        ids.set(value, (ids.get(value) ?? 0) + 1);
      }
    }
    if (element.namespaceURI === dsNamespace && element.localName === 'Signature') signatureCount++;

    if (open === undefined) {
      root = element;
      document.appendChild(element);
    } else {
      open.element.appendChild(element);
    }
    if (selfClosing) bindings.drop(declared);
    else stack.push({ element, name, declared });
  }

  if (stack.length > 0) malformed(`element ${stack[stack.length - 1]!.name} is not closed`);
  if (root === null) malformed('document has no root element');
  return { document, root, ids, signatureCount };
}
