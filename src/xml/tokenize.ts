import { SamlError } from '../errors/index.js';

/**
 * The one tokenizer of samlkit's strict XML reader: XML 1.0 (5th ed.) with
 * Namespaces in XML 1.0, restricted to what SAML uses (elements, attributes,
 * text, CDATA sections, comments). Every well-formedness and namespace rule
 * lives here; {@link readDocument} and {@link readAggregate} only decide what
 * to build from the events it hands over. The caller has already screened the
 * text (size, forbidden characters and references, DOCTYPE, processing
 * instructions, the XML declaration). Nothing is repaired: anything that is not
 * well-formed is `SAML_XML_MALFORMED`.
 */

const xmlNamespace = 'http://www.w3.org/XML/1998/namespace';
export const xmlnsNamespace = 'http://www.w3.org/2000/xmlns/';

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

/**
 * A copy of `value` that shares no memory with the document it was cut from.
 * V8 represents a long `slice` as a view of its parent string; concatenating
 * and slicing again makes V8 flatten the pair into fresh memory first.
 */
export function copyString(value: string): string {
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

/** A qualified name as written, split once per distinct name and read. */
export interface QName {
  readonly name: string;
  /** The part before the colon; `null` without one. */
  readonly prefix: string | null;
  /** The part after the colon, or the whole name. */
  readonly localName: string;
}

/** An attribute of a start tag, its namespace resolved. Declarations are in the XMLNS namespace. */
export interface TokenAttribute {
  readonly name: QName;
  namespace: string | null;
  readonly value: string;
  readonly isDeclaration: boolean;
}

/** What the tokenizer hands over, in document order. */
export interface TokenHandler {
  /** A start tag, well-formed, its names resolved (Namespaces in XML §5). */
  startElement(
    name: QName,
    namespace: string | null,
    attributes: readonly TokenAttribute[],
    selfClosing: boolean,
  ): void;
  /** The end of the innermost element (after an empty-element tag too). */
  endElement(): void;
  /** Character data inside the root element, references decoded; never empty. */
  text(data: string): void;
  /** A non-empty CDATA section. */
  cdata(data: string): void;
  /** A comment, inside the root element or outside it. */
  comment(data: string): void;
}

/** Bounds the tokenizer enforces as it goes. */
export interface TokenizeLimits {
  readonly maxDepth: number;
  readonly maxAttributesPerElement: number;
  /** Elements in the whole document; counted before each start tag is read. */
  readonly maxElements: number;
}

/** How the tokenizer treats what it hands over. */
export interface TokenizeOptions {
  /**
   * Hand over copies of every name, value and text, never views of the
   * document (see {@link copyString}), so keeping them does not keep the text.
   */
  readonly copy: boolean;
  /**
   * Count namespace declarations whose local name is `ID`, `Id` or `id` as ID
   * values too (the strict document reader always has; the aggregate reader
   * never did).
   */
  readonly countDeclarationIds: boolean;
}

/**
 * The prefix bindings in scope while reading: for each prefix, a stack of
 * namespace URIs, the innermost last. Declaring and resolving cost the same
 * whatever the depth or the number of prefixes in scope, so no document within
 * the limits can make either expensive. A Map, so no prefix resolves through
 * Object.prototype.
 */
class Bindings {
  readonly #stacks = new Map<string, string[]>([['xml', [xmlNamespace]]]);

  /**
   * Namespaces in XML 1.0 §3: applies the declarations among `attributes`,
   * refusing the reserved prefixes and names and empty prefixed bindings (a
   * 1.1 feature). Returns the prefixes declared, for {@link Bindings.drop}.
   */
  declare(attributes: readonly TokenAttribute[]): string[] | undefined {
    let declared: string[] | undefined;
    for (const { name, value, isDeclaration } of attributes) {
      if (!isDeclaration) continue;
      const prefix = name.prefix === null ? '' : name.localName;
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
  namespaceOf(name: QName, isAttribute: boolean): string | null {
    if (name.prefix === null) {
      if (isAttribute) return null;
      const uri = this.#stacks.get('')?.at(-1);
      return uri === undefined || uri === '' ? null : uri;
    }
    const uri = this.#stacks.get(name.prefix)?.at(-1);
    if (uri === undefined) malformed(`prefix ${name.prefix} is not declared`);
    return uri;
  }
}

interface Open {
  name: QName;
  /** Prefixes this element declared, to be dropped at its end tag. */
  declared: string[] | undefined;
}

/**
 * Reads a screened document, handing every start tag, end tag, text, CDATA
 * section and comment to `handler`. Returns every value of an attribute whose
 * local name is `ID`, `Id` or `id`, with its count: verifiers resolve
 * references by those names in any namespace (attacks §1).
 */
export function tokenizeXml(
  text: string,
  limits: TokenizeLimits,
  options: TokenizeOptions,
  handler: TokenHandler,
): Map<string, number> {
  // XML 1.0 §2.11: line ends are normalised before anything else.
  const source = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  const length = source.length;
  const copy = options.copy;
  const ids = new Map<string, number>();
  // Names repeat: each distinct one is split (and copied) once, for this read only.
  const names = new Map<string, QName>();
  const stack: Open[] = [];
  const bindings = new Bindings();
  let elements = 0;
  let rootSeen = false;
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
  const split = (full: string): QName => {
    const colon = full.indexOf(':');
    return colon === -1
      ? { name: full, prefix: null, localName: full }
      : { name: full, prefix: full.slice(0, colon), localName: full.slice(colon + 1) };
  };
  const qname = (written: string): QName => {
    if (!copy) return split(written);
    let name = names.get(written);
    if (name === undefined) {
      const full = copyString(written);
      name = split(full);
      names.set(full, name);
    }
    return name;
  };
  const readName = (): QName => {
    const end = asciiNameEnd(source, pos);
    if (end !== -1) {
      const name = source.slice(pos, end);
      pos = end;
      return qname(name);
    }
    qualifiedName.lastIndex = pos;
    const match = qualifiedName.exec(source);
    if (match === null) malformed('expected a name');
    pos = qualifiedName.lastIndex;
    return qname(match[0]);
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
        handler.text(copy ? copyString(data) : data);
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
      if (name.name !== open.name.name) malformed(`end tag ${name.name} does not match ${open.name.name}`);
      pos++;
      stack.pop();
      bindings.drop(open.declared);
      handler.endElement();
      continue;
    }

    if (next === 0x21 /* ! */) {
      if (source.startsWith('<!--', lt)) {
        const end = source.indexOf('-->', lt + 4);
        if (end === -1) malformed('unterminated comment');
        const data = source.slice(lt + 4, end);
        // XML 1.0 §2.5: no `--` inside, and no `-` right before the closing `-->`.
        if (data.includes('--') || data.endsWith('-')) malformed('comment contains --');
        handler.comment(copy ? copyString(data) : data);
        pos = end + 3;
        continue;
      }
      if (open !== undefined && source.startsWith('<![CDATA[', lt)) {
        const end = source.indexOf(']]>', lt + 9);
        if (end === -1) malformed('unterminated CDATA section');
        // An empty section adds no node (canonicalizers refuse empty CDATA nodes).
        if (end > lt + 9) {
          const data = source.slice(lt + 9, end);
          handler.cdata(copy ? copyString(data) : data);
        }
        pos = end + 3;
        continue;
      }
      malformed('unexpected markup declaration');
    }

    if (next === 0x3f /* ? */) {
      throw new SamlError('SAML_XML_FORBIDDEN_CONTENT', 'document contains a processing instruction');
    }

    // A start tag.
    if (open === undefined && rootSeen) malformed('document has more than one root element');
    if (stack.length + 1 > limits.maxDepth) {
      limitExceeded('depth', limits.maxDepth, 'document is nested too deeply');
    }
    if (++elements > limits.maxElements) {
      limitExceeded('elements', limits.maxElements, 'document has too many elements');
    }
    pos = lt + 1;
    const name = readName();
    const attributes: TokenAttribute[] = [];
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
      if (!separated) malformed(`malformed start tag ${name.name}`);
      const attributeName = readName();
      skipWhitespace();
      if (source.charCodeAt(pos) !== 0x3d /* = */) malformed(`attribute ${attributeName.name} has no value`);
      pos++;
      skipWhitespace();
      const quote = source.charCodeAt(pos);
      if (quote !== 0x22 && quote !== 0x27) malformed(`attribute ${attributeName.name} value is not quoted`);
      const end = source.indexOf(quote === 0x22 ? '"' : "'", pos + 1);
      if (end === -1) malformed(`attribute ${attributeName.name} value is not terminated`);
      let raw = source.slice(pos + 1, end);
      if (raw.includes('<')) malformed(`attribute ${attributeName.name} value contains <`);
      // XML 1.0 §3.3.3: literal white space becomes a space; references are decoded after.
      if (raw.includes('\t') || raw.includes('\n')) raw = raw.replace(/[\t\n]/g, ' ');
      pos = end + 1;
      for (const other of attributes) {
        if (other.name.name === attributeName.name) malformed(`duplicate attribute ${attributeName.name}`);
      }
      const value = raw.includes('&') ? decodeReferences(raw) : raw;
      const written = attributeName.name;
      attributes.push({
        name: attributeName,
        namespace: null,
        value: copy ? copyString(value) : value,
        isDeclaration: written === 'xmlns' || attributeName.prefix === 'xmlns',
      });
      if (attributes.length > limits.maxAttributesPerElement) {
        limitExceeded('attributes', limits.maxAttributesPerElement, 'element has too many attributes');
      }
    }

    const declared = bindings.declare(attributes);
    if (name.name === 'xmlns' || name.prefix === 'xmlns') malformed('an element cannot be named xmlns');
    const namespace = bindings.namespaceOf(name, false);
    let expanded: Set<string> | undefined;
    for (const attribute of attributes) {
      const localName = attribute.name.localName;
      if (attribute.isDeclaration) {
        attribute.namespace = xmlnsNamespace;
        if (!options.countDeclarationIds) continue;
      } else {
        const attributeNamespace = bindings.namespaceOf(attribute.name, true);
        attribute.namespace = attributeNamespace;
        if (attributeNamespace !== null) {
          // Namespaces in XML §6.3: no two attributes with the same expanded name.
          const key = `${attributeNamespace} ${localName}`;
          expanded ??= new Set();
          if (expanded.has(key)) malformed(`duplicate attribute {${attributeNamespace}}${localName}`);
          expanded.add(key);
        }
      }
      // Every verifier resolves references by some ID-like attribute: count them all (attacks §1).
      if (localName === 'ID' || localName === 'Id' || localName === 'id') {
        ids.set(attribute.value, (ids.get(attribute.value) ?? 0) + 1);
      }
    }
    rootSeen = true;
    handler.startElement(name, namespace, attributes, selfClosing);
    if (selfClosing) {
      bindings.drop(declared);
      handler.endElement();
    } else {
      stack.push({ name, declared });
    }
  }

  if (stack.length > 0) malformed(`element ${stack[stack.length - 1]!.name.name} is not closed`);
  if (!rootSeen) malformed('document has no root element');
  return ids;
}
