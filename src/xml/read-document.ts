import { DOMImplementation, type Document, type Element, type Node } from '@xmldom/xmldom';
import { SamlError } from '../errors/index.js';
import { appendChild, createCDATASection, createComment, createElement, createText } from './dom-nodes.js';
import type { XmlLimits } from './parse.js';
import { type TokenHandler, tokenizeXml } from './tokenize.js';

/**
 * samlkit's strict reader for whole documents: the tokenizer
 * (`src/xml/tokenize.ts`) checks the text, and this builds an xmldom Document
 * from what it hands over, so every consumer (readers, canonicalization,
 * XPath) sees ordinary xmldom nodes. It never runs xmldom's own tolerant SAX
 * front end, which "recovers" from errors and costs several times more per
 * message, nor xmldom's DOM methods, which would check every name and
 * insertion a second time (`src/xml/dom-nodes.ts`).
 *
 * The caller has already screened the text (size, forbidden characters,
 * DOCTYPE, processing instructions, the XML declaration). Everything that is
 * not well-formed is `SAML_XML_MALFORMED`; nothing is repaired.
 */

export interface ReadDocument {
  document: Document;
  root: Element;
  ids: Map<string, number>;
  signatureCount: number;
}

const dsNamespace = 'http://www.w3.org/2000/09/xmldsig#';

const implementation = new DOMImplementation();

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
  const document = implementation.createDocument(null, '', null);
  let root: Element | null = null;
  let signatureCount = 0;
  // The open elements, the innermost last.
  const stack: Element[] = [];
  let parent: Element | undefined;

  const handler: TokenHandler = {
    startElement(name, namespace, attributes) {
      const element = createElement(document, name, namespace, attributes);
      if (namespace === dsNamespace && name.localName === 'Signature') signatureCount++;
      if (parent === undefined) {
        root = element;
        document.appendChild(element);
      } else {
        appendChild(parent, element);
      }
      stack.push(element);
      parent = element;
    },
    endElement() {
      stack.pop();
      parent = stack.length === 0 ? undefined : stack[stack.length - 1];
    },
    text(data) {
      const last = parent!.lastChild;
      // Text on both sides of an empty CDATA section is one text node, as in any DOM parser.
      if (last !== null && last.nodeType === 3)
        (last as unknown as { appendData(d: string): void }).appendData(data);
      else appendChild(parent!, createText(document, data));
    },
    cdata(data) {
      appendChild(parent!, createCDATASection(document, data));
    },
    comment(data) {
      const node: Node = createComment(document, data);
      if (parent === undefined) document.appendChild(node);
      else appendChild(parent, node);
    },
  };
  const ids = tokenizeXml(text, limits, { copy: false, countDeclarationIds: true }, handler);
  return { document, root: root!, ids, signatureCount };
}
