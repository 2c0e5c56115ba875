import type { Document, Element } from '@xmldom/xmldom';
import { SamlError } from '../errors/index.js';
import { readDocument } from './read-document.js';

/** Bounds applied to every document before and while it is parsed. */
export interface XmlLimits {
  /** UTF-8 size of the document. Default 256 KiB. */
  maxBytes?: number;
  /** Element nesting depth. Default 64. */
  maxDepth?: number;
  /** Number of elements. Default 10,000. */
  maxElements?: number;
  /** Attributes on one element (namespace declarations included). Default 64. */
  maxAttributesPerElement?: number;
}

export const defaultXmlLimits: Required<XmlLimits> = {
  maxBytes: 256 * 1024,
  maxDepth: 64,
  maxElements: 10_000,
  maxAttributesPerElement: 64,
};

/** A strictly parsed document and what the single validation walk learned about it. */
export interface ParsedXml {
  readonly document: Document;
  readonly root: Element;
  /**
   * Every value of an attribute whose local name is `ID`, `Id` or `id`, with its
   * count. xml-crypto resolves references by those three names in any namespace,
   * so uniqueness is checked over the same set (attacks §1, W5/W6).
   */
  readonly ids: ReadonlyMap<string, number>;
  /** Number of `ds:Signature` elements anywhere in the document. */
  readonly signatureCount: number;
}

// C0 controls other than TAB/LF/CR, NEL and the Unicode line/paragraph separators:
// xmldom versions disagree on how they normalise them (attacks §4), so none may pass.
const forbiddenCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u0085\u2028\u2029\uFFFE\uFFFF]/;
// A UTF-16 surrogate without its pair is no character at all; UTF-8 encoders turn it into U+FFFD,
// so two different strings would digest alike. (Two patterns: one alternation scans twice as slowly.)
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Any surrogate at all: one plain class scan, several times faster than the look-arounds above,
// which then run only on text that has a surrogate (and so has non-BMP or broken characters).
const anySurrogate = /[\uD800-\uDFFF]/;
const doctype = /<!DOCTYPE|<!ENTITY/i;
const xmlDeclaration =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z0-9._-]+)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/;

function malformed(message: string): never {
  throw new SamlError('SAML_XML_MALFORMED', message);
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHexDigit = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
// The ASCII name characters a predefined entity name can use; anything else is no reference.
const isNameStart = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a;
const isNameChar = (c: number) => isNameStart(c) || isDigit(c) || c === 0x2e || c === 0x2d;

/** A character reference must name a character the raw screen would have let through. */
function allowedCharacter(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff && code !== 0x85 && code !== 0x2028 && code !== 0x2029) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Reads the reference that starts with the `&` at `at` (XML 1.0 §4.1); returns the index of its `;`. */
function readReference(body: string, at: number): number {
  let i = at + 1;
  if (body.charCodeAt(i) !== 0x23 /* # */) {
    if (!isNameStart(body.charCodeAt(i))) malformed('document has a bare ampersand');
    do i++;
    while (isNameChar(body.charCodeAt(i)));
    if (body.charCodeAt(i) !== 0x3b /* ; */) malformed('document has a bare ampersand');
    return i;
  }
  const hex = body.charCodeAt(++i) === 0x78; /* x */
  if (hex) i++;
  const start = i;
  let code = 0;
  for (let c = body.charCodeAt(i); hex ? isHexDigit(c) : isDigit(c); c = body.charCodeAt(++i)) {
    if (i - start === (hex ? 6 : 7)) malformed('document has a bare ampersand');
    code = code * (hex ? 16 : 10) + (hex ? Number.parseInt(body[i]!, 16) : c - 0x30);
  }
  if (i === start || body.charCodeAt(i) !== 0x3b) malformed('document has a bare ampersand');
  if (!allowedCharacter(code))
    reject('SAML_XML_FORBIDDEN_CONTENT', 'document references a forbidden character');
  return i;
}

/**
 * Checks every reference outside CDATA sections and comments, which hold literal text (`&` there
 * is neither a reference nor an error). One forward pass: the next `&` and the next `<!` are each
 * found by `indexOf` from a position that only moves forward, and each is searched again only once
 * the pass has gone past it, so every character is looked at a bounded number of times whatever the
 * shape (thousands of unterminated `<!--`, or a value of nothing but references). Searching both
 * again at every step was measured superlinear on V8 for dense references (the search for the rarer
 * one rescans the rest of the text each time), hence the two cursors. Literal text inside a
 * comment or CDATA section is skipped one character at a time.
 */
function screenReferences(body: string): void {
  const length = body.length;
  let nextAmpersand = body.indexOf('&');
  let nextMarkup = body.indexOf('<!');
  let pos = 0;
  for (;;) {
    // -1 stays -1: nothing of that kind lies beyond a position the pass has already searched from.
    if (nextAmpersand !== -1 && nextAmpersand < pos) nextAmpersand = body.indexOf('&', pos);
    if (nextMarkup !== -1 && nextMarkup < pos) nextMarkup = body.indexOf('<!', pos);
    if (nextAmpersand === -1 && nextMarkup === -1) return;
    if (nextMarkup === -1 || (nextAmpersand !== -1 && nextAmpersand < nextMarkup)) {
      pos = readReference(body, nextAmpersand) + 1;
      continue;
    }
    const at = nextMarkup;
    const comment = body.startsWith('<!--', at);
    if (!comment && !body.startsWith('<![CDATA[', at)) {
      pos = at + 2;
      continue;
    }
    // Skip literal text up to the terminator, one character at a time.
    const close = comment ? 0x2d /* - */ : 0x5d; /* ] */
    let end = at + (comment ? 4 : 9);
    for (; end + 2 < length; end++) {
      if (
        body.charCodeAt(end) === close &&
        body.charCodeAt(end + 1) === close &&
        body.charCodeAt(end + 2) === 0x3e /* > */
      )
        break;
    }
    // The reader refuses these too; stopping here keeps the scan from searching again.
    if (end + 2 >= length) malformed(comment ? 'unterminated comment' : 'unterminated CDATA section');
    pos = end + 3;
  }
}

function reject(code: 'SAML_XML_FORBIDDEN_CONTENT' | 'SAML_XML_DTD_FORBIDDEN', message: string): never {
  throw new SamlError(code, message);
}

function utf8Length(text: string, cap: number): number {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: skip the exact count when clearly under the cap.
  return text.length * 3 <= cap ? text.length : Buffer.byteLength(text, 'utf8');
}

/**
 * The checks made on the raw text before reading it (size, forbidden
 * characters and references, DOCTYPE, the XML declaration, processing
 * instructions). Returns the text without a leading byte order mark.
 */
export function screenXml(text: string, limits: { readonly maxBytes: number }): string {
  if (text.length > limits.maxBytes || utf8Length(text, limits.maxBytes) > limits.maxBytes) {
    throw new SamlError('SAML_XML_LIMIT_EXCEEDED', 'document exceeds the byte limit', {
      details: { limit: limits.maxBytes, kind: 'bytes' },
    });
  }
  // One leading BOM is dropped here and by the UTF-8 decoder alike, so both paths agree.
  let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (forbiddenCharacters.test(body) || (anySurrogate.test(body) && loneSurrogate.test(body)))
    reject('SAML_XML_FORBIDDEN_CONTENT', 'document contains a forbidden character');
  if (body.includes('&')) screenReferences(body);
  if (body.includes('<!') && doctype.test(body))
    reject('SAML_XML_DTD_FORBIDDEN', 'document contains a DOCTYPE or entity declaration');
  if (body.startsWith('<?xml')) {
    const declaration = xmlDeclaration.exec(body);
    if (!declaration) reject('SAML_XML_FORBIDDEN_CONTENT', 'malformed XML declaration');
    const encoding = declaration[3];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      reject('SAML_XML_FORBIDDEN_CONTENT', 'XML declaration names an encoding other than UTF-8');
    }
    body = body.slice(declaration[0].length);
  }
  // Processing instructions have no place in SAML and split text nodes (attacks §2).
  if (body.includes('<?')) reject('SAML_XML_FORBIDDEN_CONTENT', 'document contains a processing instruction');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The one XML parser samlkit uses. Rejects DOCTYPE (even unused), processing
 * instructions other than the XML declaration, non-UTF-8 declarations,
 * forbidden characters, multiple roots, trailing content, duplicate attributes
 * (by name or by namespace and local name), undeclared prefixes,
 * and anything over the limits; every parser report becomes a `SamlError`.
 */
export function parseXml(text: string, limits: XmlLimits = {}): ParsedXml {
  const bounds = limits === defaultXmlLimits ? defaultXmlLimits : { ...defaultXmlLimits, ...limits };
  if (typeof text !== 'string') throw new TypeError('parseXml expects a string');
  return readDocument(screenXml(text, bounds), bounds);
}
