import {
  Attr,
  CDATASection,
  Comment,
  type Document,
  Element,
  NamedNodeMap,
  type Node,
  NodeList,
  Text,
} from '@xmldom/xmldom';
import type { QName, TokenAttribute } from './tokenize.js';
import { xmlnsNamespace } from './tokenize.js';

/**
 * xmldom nodes made without xmldom's second round of checks. The tokenizer has
 * already checked every name (its NCName grammar is a subset of xmldom's), every
 * namespace binding, duplicate attributes, and that the tree is a tree; xmldom's
 * `createElementNS`, `setAttributeNode` and `appendChild` would check all of it
 * again, which was about half of each parse. The functions below set exactly
 * the fields those methods set in @xmldom/xmldom 0.9 (the version package.json
 * pins), so every consumer (canonicalization, the field readers, XPath, DOM
 * methods such as `removeChild` or `getElementsByTagNameNS`) sees ordinary
 * nodes. `test/xml/dom-nodes.test.ts` compares them, field by field, with the
 * nodes xmldom's own methods make, and fails if an xmldom upgrade changes them.
 */

/** The internal fields of xmldom 0.9 nodes that these functions write. */
interface Fields {
  [field: string]: unknown;
  _nsMap: Record<string, string>;
  _inc: number;
  ownerDocument: Document;
  attributes: Fields;
  childNodes: Fields;
  length: number;
  firstChild: Fields | null;
  lastChild: Fields | null;
  previousSibling: Fields | null;
  nextSibling: Fields | null;
  parentNode: Fields | null;
  _nsIndex: Record<string, Record<string, Attr>>;
  _noNsIndex: Record<string, Attr>;
}

type Fast = Fields;

// Constructors sharing xmldom's prototypes: `instanceof`, methods and defaults are xmldom's, and
// V8 gives every node of a kind one shape. (xmldom's own constructors need a private token.) Each
// sets the fields in the order xmldom's factory methods do.
function BuiltElement(this: Fast, document: Document, name: QName, namespace: string | null): void {
  this._nsMap = Object.create(null);
  const attributes = new NamedNodeMap() as unknown as Fields;
  this.attributes = attributes;
  this.childNodes = new NodeList() as unknown as Fields;
  this.ownerDocument = document;
  this.nodeName = name.name;
  this.tagName = name.name;
  this.namespaceURI = namespace;
  this.prefix = name.prefix;
  this.localName = name.localName;
  attributes._ownerElement = this;
}
BuiltElement.prototype = Element.prototype;

function BuiltAttr(this: Fast, document: Document, attribute: TokenAttribute): void {
  this.namespaceURI = null;
  this.prefix = null;
  this.ownerElement = null;
  this.ownerDocument = document;
  this.childNodes = new NodeList() as unknown as Fields;
  this.nodeName = attribute.name.name;
  this.name = attribute.name.name;
  this.specified = true;
  this.namespaceURI = attribute.namespace;
  this.prefix = attribute.name.prefix;
  this.localName = attribute.name.localName;
  this.nodeValue = attribute.value;
  this.value = attribute.value;
}
BuiltAttr.prototype = Attr.prototype;

type Construct<A extends unknown[]> = new (...args: A) => Fast;
const construct = <A extends unknown[]>(f: (this: Fast, ...args: A) => void) => f as unknown as Construct<A>;
const newElement = construct(BuiltElement);
const newAttr = construct(BuiltAttr);

/** A constructor for one kind of character data: one function per kind, so each kind keeps one shape. */
function characterData(prototype: object): Construct<[Document, string]> {
  function BuiltCharacterData(this: Fast, document: Document, data: string): void {
    this.ownerDocument = document;
    this.childNodes = new NodeList() as unknown as Fields;
    this.data = this.nodeValue = data;
    this.length = data.length;
  }
  BuiltCharacterData.prototype = prototype;
  return construct(BuiltCharacterData);
}
const newText = characterData(Text.prototype);
const newCDATASection = characterData(CDATASection.prototype);
const newComment = characterData(Comment.prototype);

/** `document.createElementNS(namespace, name)` plus `setAttributeNode` for each attribute, in order. */
export function createElement(
  document: Document,
  name: QName,
  namespace: string | null,
  attributes: readonly TokenAttribute[],
): Element {
  const element = new newElement(document, name, namespace);
  const list = element.attributes;
  const owner = document as unknown as Fields;
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes[i]!;
    const node = new newAttr(document, attribute);
    // NamedNodeMap.setNamedItem: the list, its (namespace, local name) index, the owner.
    list[list.length] = node;
    list.length++;
    const namespaceURI = attribute.namespace;
    let bucket: Record<string, Attr>;
    if (!namespaceURI) bucket = list._noNsIndex;
    else {
      bucket = list._nsIndex[namespaceURI]!;
      if (bucket === undefined) bucket = list._nsIndex[namespaceURI] = Object.create(null);
    }
    bucket[attribute.name.localName] = node as unknown as Attr;
    node.ownerElement = element;
    owner._inc++;
    if (namespaceURI === xmlnsNamespace) {
      element._nsMap[attribute.name.prefix === null ? '' : attribute.name.localName] = attribute.value;
    }
  }
  return element as unknown as Element;
}

/** `document.createTextNode(data)`. */
export function createText(document: Document, data: string): Node {
  return new newText(document, data) as unknown as Node;
}

/** `document.createCDATASection(data)`; the tokenizer ended the section at its first `]]>`. */
export function createCDATASection(document: Document, data: string): Node {
  return new newCDATASection(document, data) as unknown as Node;
}

/** `document.createComment(data)`. */
export function createComment(document: Document, data: string): Node {
  return new newComment(document, data) as unknown as Node;
}

/**
 * `parent.appendChild(child)` for an element parent and a new child: a new node has
 * no parent to leave, and the tokenizer only ever puts an element, text, CDATA or a
 * comment into an element, so none of the DOM's insertion checks can fail.
 */
export function appendChild(parent: Element, child: Node): void {
  const p = parent as unknown as Fast;
  const c = child as unknown as Fast;
  const previous = p.lastChild;
  c.previousSibling = previous;
  c.nextSibling = null;
  if (previous === null) p.firstChild = c;
  else previous.nextSibling = c;
  p.lastChild = c;
  c.parentNode = p;
  const document = p.ownerDocument as unknown as Fields;
  document._inc++;
  const childNodes = p.childNodes;
  childNodes[childNodes.length++] = c;
}
