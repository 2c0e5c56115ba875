import { DOMImplementation, type Element } from '@xmldom/xmldom';
import { SamlError } from '../errors/index.js';
import type { XmlAttribute, XmlElement, XmlNamespaceDeclaration } from './build.js';
import { screenXml } from './parse.js';
import {
  asciiNameEnd,
  Bindings,
  decodeReferences,
  limitExceeded,
  malformed,
  qualifiedName,
  type RawAttribute,
  xmlnsNamespace,
} from './read-document.js';

/**
 * A streamed element (a group): its name, attributes and declarations, with
 * no children. Its content is handed over piece by piece instead.
 */
export type StreamedElement = XmlElement & { readonly children: [] };

/** What {@link readAggregate} hands over, in document order. */
export interface AggregateVisitor {
  /** Whether an element with this expanded name is streamed (an `md:EntitiesDescriptor`). */
  isGroup(namespace: string | null, localName: string): boolean;
  /** The start of a group: the root, or a group inside one. */
  groupStart(group: StreamedElement): void;
  /** Character data (text or CDATA) directly inside a group. */
  groupText(text: string): void;
  /** A complete element directly inside a group (or the root, when it is no group), detached from any tree. */
  child(element: Element): void;
  /** The end of the innermost group. */
  groupEnd(): void;
}

/** Bounds of {@link readAggregate}: a size for the whole document, an element count per child. */
export interface AggregateReadLimits {
  maxBytes: number;
  maxDepth: number;
  maxAttributesPerElement: number;
  /** Elements in one child of a group, the child included. */
  maxElementsPerChild: number;
}

/** What {@link readAggregate} learned beyond what it handed over. */
export interface AggregateReadResult {
  /** Values of `ID`, `Id` and `id` attributes anywhere, with their counts (as {@link ParsedXml.ids}). */
  ids: Map<string, number>;
}

const implementation = new DOMImplementation();

/**
 * A copy of `value` that shares no memory with the document it was cut from.
 * V8 represents a long `slice` as a view of its parent string; concatenating
 * and slicing again makes V8 flatten the pair into fresh memory first.
 */
export function copyString(value: string): string {
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

interface Open {
  /** The element being built; `undefined` for a streamed group. */
  element: Element | undefined;
  name: string;
  declared: string[] | undefined;
}

/**
 * Reads a large document such as a federation aggregate in one pass without
 * building it: elements for which `visitor.isGroup` is true are streamed (start,
 * text, end), and every other element directly inside one is built as a small
 * detached xmldom tree, handed to `visitor.child` when its end tag is read and
 * then left to the garbage collector. Memory stays at the size of one child,
 * whatever the size of the document.
 *
 * The same rules as {@link parseXml}: the text is screened first (size,
 * characters, DOCTYPE, processing instructions), then read strictly. Every
 * attribute value, text and name in the trees it hands over is a copy, never a
 * view into `text`, so keeping what a visitor read does not keep the document.
 */
export function readAggregate(
  text: string,
  limits: AggregateReadLimits,
  visitor: AggregateVisitor,
): AggregateReadResult {
  const screened = screenXml(text, { maxBytes: limits.maxBytes });
  try {
    return read(screened, limits, visitor);
  } catch (cause) {
    if (cause instanceof SamlError) throw cause;
    throw new SamlError('SAML_XML_MALFORMED', 'document is not well-formed XML', { cause });
  }
}

function read(text: string, limits: AggregateReadLimits, visitor: AggregateVisitor): AggregateReadResult {
  const source = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  const length = source.length;
  const document = implementation.createDocument(null, '', null);
  const ids = new Map<string, number>();
  // Names repeat thousands of times: each distinct one is copied once, for this read only.
  const names = new Map<string, string>();
  const stack: Open[] = [];
  const bindings = new Bindings();
  let childElements = 0;
  let rootSeen = false;
  let pos = 0;

  const intern = (name: string): string => {
    let copy = names.get(name);
    if (copy === undefined) {
      copy = copyString(name);
      names.set(copy, copy);
    }
    return copy;
  };
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
      return intern(name);
    }
    qualifiedName.lastIndex = pos;
    const match = qualifiedName.exec(source);
    if (match === null) malformed('expected a name');
    pos = qualifiedName.lastIndex;
    return intern(match[0]);
  };
  /** Character data for the innermost open element, built or streamed. */
  const addText = (open: Open, data: string, cdata: boolean): void => {
    if (open.element === undefined) {
      visitor.groupText(data);
      return;
    }
    const copy = copyString(data);
    if (cdata) {
      open.element.appendChild(document.createCDATASection(copy));
      return;
    }
    const last = open.element.lastChild;
    if (last !== null && last.nodeType === 3)
      (last as unknown as { appendData(d: string): void }).appendData(copy);
    else open.element.appendChild(document.createTextNode(copy));
  };

  if (source.startsWith('<?xml')) pos = source.indexOf('?>') + 2;

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
        addText(open, raw.includes('&') ? decodeReferences(raw) : raw, false);
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
      stack.pop();
      bindings.drop(open.declared);
      finish(open);
      continue;
    }

    if (next === 0x21 /* ! */) {
      if (source.startsWith('<!--', lt)) {
        const end = source.indexOf('-->', lt + 4);
        if (end === -1) malformed('unterminated comment');
        const data = source.slice(lt + 4, end);
        if (data.includes('--') || data.endsWith('-')) malformed('comment contains --');
        // Comments are no part of C14N without comments: kept inside built trees only, where
        // readers that expect text refuse them, as they do in a parsed document.
        if (open?.element !== undefined) open.element.appendChild(document.createComment(copyString(data)));
        pos = end + 3;
        continue;
      }
      if (open !== undefined && source.startsWith('<![CDATA[', lt)) {
        const end = source.indexOf(']]>', lt + 9);
        if (end === -1) malformed('unterminated CDATA section');
        if (end > lt + 9) addText(open, source.slice(lt + 9, end), true);
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
    if (stack.length + 1 > limits.maxDepth)
      limitExceeded('depth', limits.maxDepth, 'document is nested too deeply');
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
      if (raw.includes('\t') || raw.includes('\n')) raw = raw.replace(/[\t\n]/g, ' ');
      pos = end + 1;
      for (const other of attributes) {
        if (other.name === attributeName) malformed(`duplicate attribute ${attributeName}`);
      }
      attributes.push({
        name: attributeName,
        value: copyString(raw.includes('&') ? decodeReferences(raw) : raw),
      });
      if (attributes.length > limits.maxAttributesPerElement) {
        limitExceeded('attributes', limits.maxAttributesPerElement, 'element has too many attributes');
      }
    }

    const declared = bindings.declare(attributes);
    if (name === 'xmlns' || name.startsWith('xmlns:')) malformed('an element cannot be named xmlns');
    const namespace = bindings.namespaceOf(name, false);
    const localName = name.slice(name.indexOf(':') + 1);
    const building = open?.element !== undefined;
    let entry: Open;
    const isGroup = !building && visitor.isGroup(namespace, localName);
    // The attributes as a built tree's are only needed for a streamed group.
    const resolved = resolveAttributes(attributes, bindings, ids, isGroup);
    if (isGroup) {
      const colon = name.indexOf(':');
      visitor.groupStart({
        prefix: colon === -1 ? null : name.slice(0, colon),
        namespace,
        localName,
        attributes: resolved.attributes,
        declarations: resolved.declarations,
        children: [],
      });
      entry = { element: undefined, name, declared };
    } else {
      if (!building) childElements = 0;
      if (++childElements > limits.maxElementsPerChild) {
        limitExceeded(
          'elements',
          limits.maxElementsPerChild,
          'an element of the document has too many elements',
        );
      }
      const element = document.createElementNS(namespace, name);
      for (const { name: attributeName, value } of attributes) {
        const isDeclaration = attributeName === 'xmlns' || attributeName.startsWith('xmlns:');
        const attributeNamespace = isDeclaration ? xmlnsNamespace : bindings.namespaceOf(attributeName, true);
        const attribute = document.createAttributeNS(attributeNamespace, attributeName);
        attribute.value = attribute.nodeValue = value;
        element.setAttributeNode(attribute);
      }
      if (building) open!.element!.appendChild(element);
      entry = { element, name, declared };
    }
    rootSeen = true;
    if (selfClosing) {
      bindings.drop(declared);
      finish(entry);
    } else {
      stack.push(entry);
    }
  }

  if (stack.length > 0) malformed(`element ${stack[stack.length - 1]!.name} is not closed`);
  if (!rootSeen) malformed('document has no root element');
  return { ids };

  /** An element ended: a group closes, a child of a group (or a lone root) is handed over. */
  function finish(ended: Open): void {
    if (ended.element === undefined) {
      visitor.groupEnd();
      return;
    }
    const parent = stack.length === 0 ? undefined : stack[stack.length - 1]!;
    if (parent === undefined || parent.element === undefined) visitor.child(ended.element);
  }
}

/** Attributes split into namespace declarations and attributes, expanded names checked unique. */
function resolveAttributes(
  attributes: readonly RawAttribute[],
  bindings: Bindings,
  ids: Map<string, number>,
  keep: boolean,
): { attributes: XmlAttribute[]; declarations: XmlNamespaceDeclaration[] } {
  const result: XmlAttribute[] = [];
  const declarations: XmlNamespaceDeclaration[] = [];
  let expanded: Set<string> | undefined;
  for (const { name, value } of attributes) {
    if (name === 'xmlns') {
      if (keep) declarations.push({ prefix: null, uri: value });
      continue;
    }
    if (name.startsWith('xmlns:')) {
      if (keep) declarations.push({ prefix: name.slice(6), uri: value });
      continue;
    }
    const colon = name.indexOf(':');
    const namespace = bindings.namespaceOf(name, true);
    const localName = name.slice(colon + 1);
    if (namespace !== null) {
      // Namespaces in XML §6.3: no two attributes with the same expanded name.
      const key = `${namespace} ${localName}`;
      expanded ??= new Set();
      if (expanded.has(key)) malformed(`duplicate attribute {${namespace}}${localName}`);
      expanded.add(key);
    }
    if (keep)
      result.push({ prefix: colon === -1 ? null : name.slice(0, colon), namespace, localName, value });
    // Every verifier resolves references by some ID-like attribute: count them all (attacks §1).
    if (localName === 'ID' || localName === 'Id' || localName === 'id')
      ids.set(value, (ids.get(value) ?? 0) + 1);
  }
  return { attributes: result, declarations };
}
