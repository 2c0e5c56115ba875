import { namespaces } from '../constants/namespaces.js';
import {
  canonicalize,
  elementFromDom,
  parseXml,
  serialize,
  type XmlAttribute,
  type XmlElement,
  type XmlLimits,
} from '../xml/index.js';

/** Options of {@link normalizeXml}. */
export interface NormalizeOptions {
  /** Keep `ds:X509Certificate` values instead of numbering them `_CERTIFICATE1`, `_CERTIFICATE2`… */
  keepCertificates?: boolean;
  /**
   * More unqualified attribute names whose values are per-run identifiers, numbered like IDs
   * (say `SessionIndex`). `ID`, `Id`, `InResponseTo` and `Reference/@URI` always are.
   */
  idAttributes?: readonly string[];
  /** More element local names whose text is a per-run identifier (say `SessionIndex`). `AssertionIDRef` always is. */
  idElements?: readonly string[];
  limits?: XmlLimits;
}

// xs:dateTime as SAML writes it (SAMLCore §1.3.3), with an optional fraction and zone.
const dateTime = /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?$/;

class Placeholders {
  readonly #values = new Map<string, string>();
  constructor(readonly prefix: string) {}
  of(value: string): string {
    let placeholder = this.#values.get(value);
    if (placeholder === undefined) {
      placeholder = `_${this.prefix}${this.#values.size + 1}`;
      this.#values.set(value, placeholder);
    }
    return placeholder;
  }
}

interface Context {
  ids: Placeholders;
  instants: Placeholders;
  certificates: Placeholders | undefined;
  idAttributes: ReadonlySet<string>;
  idElements: ReadonlySet<string>;
}

function textOnly(node: XmlElement): string | undefined {
  return node.children.every((child) => typeof child === 'string') ? node.children.join('') : undefined;
}

function replaceText(node: XmlElement, context: Context): string | undefined {
  const text = textOnly(node);
  if (text === undefined) return undefined;
  if (node.namespace === namespaces.ds) {
    if (node.localName === 'DigestValue') return '_DIGEST_VALUE';
    if (node.localName === 'SignatureValue') return '_SIGNATURE_VALUE';
    if (node.localName === 'X509Certificate' && context.certificates) {
      return context.certificates.of(text.replace(/\s+/g, ''));
    }
  }
  if (node.namespace === namespaces.xenc && node.localName === 'CipherValue') return '_CIPHER_VALUE';
  if (context.idElements.has(node.localName)) return context.ids.of(text.trim());
  return undefined;
}

function replaceAttribute(node: XmlElement, attr: XmlAttribute, context: Context): XmlAttribute {
  let value = attr.value;
  if (attr.namespace === null && context.idAttributes.has(attr.localName)) value = context.ids.of(value);
  else if (
    attr.namespace === null &&
    attr.localName === 'URI' &&
    node.localName === 'Reference' &&
    node.namespace === namespaces.ds &&
    value.startsWith('#')
  ) {
    value = `#${context.ids.of(value.slice(1))}`;
  } else if (dateTime.test(value)) value = context.instants.of(value);
  return value === attr.value ? attr : { ...attr, value };
}

// Document order, attributes before children, so the numbering follows the text from top to bottom.
function replaceIn(node: XmlElement, context: Context): XmlElement {
  const attributes = node.attributes.map((attr) => replaceAttribute(node, attr, context));
  const text = replaceText(node, context);
  const children =
    text === undefined
      ? node.children.map((c) => (typeof c === 'string' ? c : replaceIn(c, context)))
      : [text];
  return { ...node, attributes, children };
}

function qualifiedName(node: XmlElement): string {
  return node.prefix === null ? node.localName : `${node.prefix}:${node.localName}`;
}

function render(node: XmlElement, depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth);
  const elements = node.children.filter((child): child is XmlElement => typeof child !== 'string');
  const text = node.children.filter((child): child is string => typeof child === 'string').join('');
  // Text-only and mixed content stay exactly as they are; whitespace between child elements is re-indented.
  if (elements.length === 0 || text.trim() !== '') {
    lines.push(indent + serialize(node));
    return;
  }
  lines.push(indent + serialize({ ...node, children: [] }).replace(/\/>$/, '>'));
  for (const child of elements) render(child, depth + 1, lines);
  lines.push(`${indent}</${qualifiedName(node)}>`);
}

/**
 * A stable rendering of a SAML document for snapshot tests. Per-run values
 * become placeholders numbered in document order and consistent within the
 * document: IDs and every reference to them (`InResponseTo`, `Reference/@URI`,
 * `AssertionIDRef`) `_ID1`, `_ID2`…; every xs:dateTime attribute `_INSTANT1`…
 * (equal instants share one); `DigestValue`, `SignatureValue` and
 * `CipherValue` fixed markers; certificates `_CERTIFICATE1`… unless kept. The
 * result is exclusive-C14N (attributes sorted, namespaces declared where used,
 * comments dropped), then indented two spaces per level. It is for reading
 * and comparing, not for sending: the signatures no longer verify.
 */
export function normalizeXml(xml: string, options: NormalizeOptions = {}): string {
  if (typeof xml !== 'string') throw new TypeError('normalizeXml expects the XML document as a string');
  const parsed = parseXml(xml, options.limits);
  const context: Context = {
    ids: new Placeholders('ID'),
    instants: new Placeholders('INSTANT'),
    certificates: options.keepCertificates ? undefined : new Placeholders('CERTIFICATE'),
    idAttributes: new Set(['ID', 'Id', 'InResponseTo', ...(options.idAttributes ?? [])]),
    idElements: new Set(['AssertionIDRef', ...(options.idElements ?? [])]),
  };
  const canonical = canonicalize(replaceIn(elementFromDom(parsed.root), context));
  const lines: string[] = [];
  render(elementFromDom(parseXml(canonical, options.limits).root), 0, lines);
  return `${lines.join('\n')}\n`;
}
