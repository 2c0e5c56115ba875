import { type NamespacePrefix, namespaces } from '../constants/namespaces.js';
import { SamlError } from '../errors/index.js';

/** An attribute of a built element. `prefix`/`namespace` are null for unqualified attributes. */
export interface XmlAttribute {
  readonly prefix: string | null;
  readonly namespace: string | null;
  readonly localName: string;
  readonly value: string;
}

/** A namespace declaration written on an element (`prefix` null for the default namespace). */
export interface XmlNamespaceDeclaration {
  readonly prefix: string | null;
  readonly uri: string;
}

/**
 * A small immutable-by-convention element tree. Values are plain strings that
 * the serializers escape, so no caller-supplied value can ever become markup.
 */
export interface XmlElement {
  readonly prefix: string | null;
  readonly namespace: string | null;
  readonly localName: string;
  readonly attributes: XmlAttribute[];
  readonly declarations: XmlNamespaceDeclaration[];
  readonly children: (XmlElement | string)[];
}

const xmlNamespace = 'http://www.w3.org/XML/1998/namespace';

/**
 * The namespace of a qualified attribute name: `xml:` (xml:lang in metadata) is bound by
 * XML Namespaces §3 and never declared; other prefixes must be samlkit's own, declared by
 * the caller on an ancestor.
 */
function attributeNamespace(prefix: string | null, name: string): string | null {
  if (prefix === null) return null;
  if (prefix === 'xml') return xmlNamespace;
  if (Object.hasOwn(namespaces, prefix)) return namespaces[prefix as NamespacePrefix];
  throw new TypeError(`attribute ${name} has a prefix samlkit does not know`);
}

/** `prefix:local` in a fixed namespace, or a bare local name for an unqualified element (SOAP fault parts). */
type QName = `${NamespacePrefix}:${string}` | `${Lowercase<string>}`;
type Child = XmlElement | string | undefined | null | false;

// XML 1.0 Char production, minus the characters our own parser refuses (NEL, LS, PS).
const invalidCharacter = /[^\t\n\r\u0020-\u0084\u0086-\u2027\u202A-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// Tab, line breaks and printable ASCII, a subset of the above: most values (IDs, URIs, base64 of
// a certificate or signature) are only these, and a scan without the `u` flag is several times faster.
const notPlainAscii = /[^\t\n\r\u0020-\u007E]/;

/** Whether XML 1.0 can carry every character of `value` (the Char production, as this builder emits it). */
export function isXmlText(value: string): boolean {
  return !notPlainAscii.test(value) || !invalidCharacter.test(value);
}

function checkValue(value: string, where: string): string {
  if (typeof value !== 'string') throw new TypeError(`${where} must be a string`);
  if (!isXmlText(value)) {
    throw new SamlError('SAML_INPUT_INVALID', 'value contains a character XML cannot carry', {
      details: { issues: [{ path: [where], message: 'contains a character that is not allowed in XML' }] },
    });
  }
  return value;
}

/**
 * Builds an element in one of samlkit's fixed namespaces. Attributes whose
 * value is `undefined` are left out; `declare` lists the prefixes this element
 * declares (normally the message root).
 */
export function element(
  qname: QName,
  attributes: Record<string, string | undefined> = {},
  children: Child[] = [],
  declare: NamespacePrefix[] = [],
): XmlElement {
  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? null : (qname.slice(0, colon) as NamespacePrefix);
  const built: XmlElement = {
    prefix,
    namespace: prefix === null ? null : namespaces[prefix],
    localName: qname.slice(colon + 1),
    attributes: [],
    declarations: declare.map((p) => ({ prefix: p, uri: namespaces[p] })),
    children: [],
  };
  for (const name in attributes) {
    const value = attributes[name];
    if (value !== undefined) {
      const separator = name.indexOf(':');
      const attributePrefix = separator === -1 ? null : name.slice(0, separator);
      built.attributes.push({
        prefix: attributePrefix,
        namespace: attributeNamespace(attributePrefix, name),
        localName: name.slice(separator + 1),
        value: checkValue(value, name),
      });
    }
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    built.children.push(typeof child === 'string' ? checkValue(child, built.localName) : child);
  }
  return built;
}

function qualifiedName(prefix: string | null, localName: string): string {
  return prefix === null ? localName : `${prefix}:${localName}`;
}

// Escaping as XML-C14N §2.3 prescribes; also valid (and round-trip safe) document escaping.
export function escapeText(value: string): string {
  return /[&<>\r]/.test(value)
    ? value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;')
    : value;
}

/** Escaping of an attribute value as XML-C14N §2.3 prescribes; also what {@link serialize} writes. */
export function escapeAttribute(value: string): string {
  return /[&<"\t\n\r]/.test(value)
    ? value
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/"/g, '&quot;')
        .replace(/\t/g, '&#x9;')
        .replace(/\n/g, '&#xA;')
        .replace(/\r/g, '&#xD;')
    : value;
}

function serializeInto(node: XmlElement): string {
  // Appended to one string, as canonicalization does: V8 joins the rope once, linearly, and
  // skips the array of parts a join would first build.
  const name = qualifiedName(node.prefix, node.localName);
  let text = `<${name}`;
  for (const declaration of node.declarations) {
    text += `${declaration.prefix === null ? ' xmlns="' : ` xmlns:${declaration.prefix}="`}${escapeAttribute(declaration.uri)}"`;
  }
  for (const attr of node.attributes) {
    text += ` ${qualifiedName(attr.prefix, attr.localName)}="${escapeAttribute(attr.value)}"`;
  }
  if (node.children.length === 0) return `${text}/>`;
  text += '>';
  for (const child of node.children) {
    text += typeof child === 'string' ? escapeText(child) : serializeInto(child);
  }
  return `${text}</${name}>`;
}

/** Serializes a tree as it goes on the wire: declarations where they were placed, attributes in order. */
export function serialize(node: XmlElement): string {
  return serializeInto(node);
}

function compareAttributes(a: XmlAttribute, b: XmlAttribute): number {
  // XML-C14N §2.2: unqualified attributes first, then by namespace URI, then local name.
  if (a.namespace === null && b.namespace !== null) return -1;
  if (b.namespace === null && a.namespace !== null) return 1;
  // By namespace, then local name: no name can contain U+0000, so this is the order of
  // `namespace + '\u0000' + localName` without building those strings per comparison.
  const left = a.namespace ?? '';
  const right = b.namespace ?? '';
  if (left !== right) return left < right ? -1 : 1;
  return a.localName < b.localName ? -1 : a.localName > b.localName ? 1 : 0;
}

/** Sets `key` in `map` and returns what to undo: the previous value, `undefined` when there was none. */
function setUndoable(
  map: Map<string, string>,
  key: string,
  value: string,
  undo: [string, string | undefined][],
) {
  undo.push([key, map.get(key)]);
  map.set(key, value);
}

function undoAll(map: Map<string, string>, undo: readonly [string, string | undefined][]): void {
  for (let i = undo.length - 1; i >= 0; i--) {
    const [key, previous] = undo[i]!;
    if (previous === undefined) map.delete(key);
    else map.set(key, previous);
  }
}

interface OpenedTag {
  text: string;
  name: string;
  scopeUndo: readonly [string, string | undefined][];
  renderedUndo: readonly [string, string | undefined][];
}

const nothingToUndo: readonly [string, string | undefined][] = Object.freeze([]);

/** The canonical attributes of a start tag, in C14N order, each preceded by a space. */
function canonicalAttributes(node: XmlElement): string {
  const attributes =
    node.attributes.length > 1 ? [...node.attributes].sort(compareAttributes) : node.attributes;
  let text = '';
  for (const attr of attributes) {
    text += ` ${qualifiedName(attr.prefix, attr.localName)}="${escapeAttribute(attr.value)}"`;
  }
  return text;
}

/**
 * Whether `node` needs no namespace declaration in its canonical start tag and changes no
 * scope: it declares nothing, no InclusiveNamespaces prefix is in play, no attribute has a
 * prefix of its own (other than `xml`), and its own namespace is already rendered. Most
 * elements below a message root are like this, and {@link openTag} then skips its maps.
 */
function needsNoDeclaration(
  node: XmlElement,
  rendered: Map<string, string>,
  inclusive: ReadonlySet<string>,
): boolean {
  if (node.declarations.length !== 0 || inclusive.size !== 0) return false;
  for (const attr of node.attributes) if (attr.prefix !== null && attr.prefix !== 'xml') return false;
  const prefixKey = node.prefix ?? '';
  return (rendered.get(prefixKey) ?? (prefixKey === '' ? '' : undefined)) === (node.namespace ?? '');
}

/** The canonical start tag of `node`; the maps stay changed until {@link closeTag}. */
function openTag(
  node: XmlElement,
  rendered: Map<string, string>,
  inclusive: ReadonlySet<string>,
  scope: Map<string, string>,
): OpenedTag {
  // Exclusive C14N (xml-exc-c14n): a namespace is output where it is visibly
  // utilized and not already output by an output ancestor with the same value.
  // Both maps are changed in place and restored on the way out, so an element costs the same
  // however many declarations its ancestors made (no copy of the scope per element).
  if (needsNoDeclaration(node, rendered, inclusive)) {
    const name = qualifiedName(node.prefix, node.localName);
    const text = `<${name}${canonicalAttributes(node)}>`;
    return { text, name, scopeUndo: nothingToUndo, renderedUndo: nothingToUndo };
  }
  const scopeUndo: [string, string | undefined][] = [];
  for (const declaration of node.declarations) {
    setUndoable(scope, declaration.prefix ?? '', declaration.uri, scopeUndo);
  }
  const needed = new Map<string, string>();
  const prefixKey = node.prefix ?? '';
  needed.set(prefixKey, node.namespace ?? '');
  for (const attr of node.attributes) {
    if (attr.prefix !== null && attr.prefix !== 'xml') needed.set(attr.prefix, attr.namespace ?? '');
  }
  for (const prefix of inclusive) {
    const uri = scope.get(prefix);
    if (uri !== undefined && !needed.has(prefix)) needed.set(prefix, uri);
  }
  const declarations: [string, string][] = [];
  for (const [prefix, uri] of needed) {
    const current = rendered.get(prefix) ?? (prefix === '' ? '' : undefined);
    if (current !== uri) declarations.push([prefix, uri]);
  }
  const renderedUndo: [string, string | undefined][] = [];
  for (const [prefix, uri] of declarations) setUndoable(rendered, prefix, uri, renderedUndo);
  declarations.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const name = qualifiedName(node.prefix, node.localName);
  // A string built by appending, not an array of parts: V8 joins ropes in linear time, while an
  // array of tens of thousands of parts falls off its fast paths.
  let text = `<${name}`;
  for (const [prefix, uri] of declarations) {
    text += `${prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`}${escapeAttribute(uri)}"`;
  }
  return { text: `${text}${canonicalAttributes(node)}>`, name, scopeUndo, renderedUndo };
}

/** The canonical end tag of an opened element; restores the maps {@link openTag} changed. */
function closeTag(opened: OpenedTag, rendered: Map<string, string>, scope: Map<string, string>): string {
  undoAll(rendered, opened.renderedUndo);
  undoAll(scope, opened.scopeUndo);
  return `</${opened.name}>`;
}

function canonicalizeInto(
  node: XmlElement,
  rendered: Map<string, string>,
  inclusive: ReadonlySet<string>,
  scope: Map<string, string>,
): string {
  const opened = openTag(node, rendered, inclusive, scope);
  let text = opened.text;
  for (const child of node.children) {
    text +=
      typeof child === 'string' ? escapeText(child) : canonicalizeInto(child, rendered, inclusive, scope);
  }
  return text + closeTag(opened, rendered, scope);
}

/**
 * Exclusive C14N of a document handed over in pieces: the start of an element
 * whose children come later, a finished child, text, the end of the innermost
 * open element. The concatenation of what it returns is exactly what
 * {@link canonicalize} returns for the whole tree, so a large document can be
 * digested piece by piece without ever holding its canonical form.
 */
export interface CanonicalStream {
  /** The start tag of an element (its `children` are ignored: they follow as pieces). */
  open(node: XmlElement): string;
  /** A complete child element of the innermost open element. */
  element(node: XmlElement): string;
  /** Character data of the innermost open element. */
  text(value: string): string;
  /** The end tag of the innermost open element. */
  close(): string;
}

/** A {@link CanonicalStream}, with the options of {@link canonicalize}. */
export function createCanonicalStream(
  options: { inclusivePrefixes?: readonly string[]; context?: readonly XmlNamespaceDeclaration[] } = {},
): CanonicalStream {
  const scope = new Map<string, string>();
  for (const declaration of options.context ?? []) scope.set(declaration.prefix ?? '', declaration.uri);
  const rendered = new Map<string, string>();
  const inclusive = new Set(options.inclusivePrefixes ?? []);
  const opened: OpenedTag[] = [];
  return {
    open(node) {
      const tag = openTag(node, rendered, inclusive, scope);
      opened.push(tag);
      return tag.text;
    },
    element: (node) => canonicalizeInto(node, rendered, inclusive, scope),
    text: escapeText,
    close() {
      const tag = opened.pop();
      if (tag === undefined) throw new TypeError('no element is open');
      return closeTag(tag, rendered, scope);
    },
  };
}

/**
 * Exclusive XML canonicalization (without comments) of a built subtree.
 * `context` lists the namespace declarations in scope from ancestors, used only
 * for prefixes named in `inclusivePrefixes` (InclusiveNamespaces PrefixList).
 */
export function canonicalize(
  node: XmlElement,
  options: { inclusivePrefixes?: readonly string[]; context?: readonly XmlNamespaceDeclaration[] } = {},
): string {
  const scope = new Map<string, string>();
  for (const declaration of options.context ?? []) scope.set(declaration.prefix ?? '', declaration.uri);
  return canonicalizeInto(node, new Map(), new Set(options.inclusivePrefixes ?? []), scope);
}
