import { DOMImplementation, type Element } from '@xmldom/xmldom';
import { SamlError } from '../errors/index.js';
import type { XmlAttribute, XmlElement, XmlNamespaceDeclaration } from './build.js';
import { appendChild, createCDATASection, createComment, createElement, createText } from './dom-nodes.js';
import { screenXml } from './parse.js';
import { limitExceeded, type TokenAttribute, type TokenHandler, tokenizeXml } from './tokenize.js';

export { copyString } from './tokenize.js';

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
  const document = implementation.createDocument(null, '', null);
  // The open elements, the innermost last: `undefined` for a streamed group.
  const stack: (Element | undefined)[] = [];
  let parent: Element | undefined;
  let childElements = 0;

  const handler: TokenHandler = {
    startElement(name, namespace, attributes) {
      const building = parent !== undefined;
      if (!building && visitor.isGroup(namespace, name.localName)) {
        visitor.groupStart(streamedElement(name.prefix, namespace, name.localName, attributes));
        stack.push(undefined);
        return;
      }
      if (!building) childElements = 0;
      if (++childElements > limits.maxElementsPerChild) {
        limitExceeded(
          'elements',
          limits.maxElementsPerChild,
          'an element of the document has too many elements',
        );
      }
      const element = createElement(document, name, namespace, attributes);
      if (building) appendChild(parent!, element);
      stack.push(element);
      parent = element;
    },
    endElement() {
      const ended = stack.pop();
      if (ended === undefined) {
        visitor.groupEnd();
        return;
      }
      parent = stack.length === 0 ? undefined : stack[stack.length - 1];
      // A child of a group (or a lone root) is complete: hand it over.
      if (parent === undefined) visitor.child(ended);
    },
    text(data) {
      if (parent === undefined) {
        visitor.groupText(data);
        return;
      }
      const last = parent.lastChild;
      if (last !== null && last.nodeType === 3)
        (last as unknown as { appendData(d: string): void }).appendData(data);
      else appendChild(parent, createText(document, data));
    },
    cdata(data) {
      if (parent === undefined) visitor.groupText(data);
      else appendChild(parent, createCDATASection(document, data));
    },
    comment(data) {
      // Comments are no part of C14N without comments: kept inside built trees only, where
      // readers that expect text refuse them, as they do in a parsed document.
      if (parent !== undefined) appendChild(parent, createComment(document, data));
    },
  };
  const ids = tokenizeXml(
    text,
    {
      maxDepth: limits.maxDepth,
      maxAttributesPerElement: limits.maxAttributesPerElement,
      maxElements: Number.POSITIVE_INFINITY,
    },
    { copy: true, countDeclarationIds: false },
    handler,
  );
  return { ids };
}

/** A group's start tag in the shape of a built tree, its attributes and declarations apart. */
function streamedElement(
  prefix: string | null,
  namespace: string | null,
  localName: string,
  attributes: readonly TokenAttribute[],
): StreamedElement {
  const result: XmlAttribute[] = [];
  const declarations: XmlNamespaceDeclaration[] = [];
  for (const { name, namespace: attributeNamespace, value, isDeclaration } of attributes) {
    if (isDeclaration)
      declarations.push({ prefix: name.prefix === null ? null : name.localName, uri: value });
    else
      result.push({ prefix: name.prefix, namespace: attributeNamespace, localName: name.localName, value });
  }
  return { prefix, namespace, localName, attributes: result, declarations, children: [] };
}
