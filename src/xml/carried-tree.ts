import type { XmlElement } from './build.js';
import { createCarrier } from './carry.js';
import { defaultXmlLimits } from './parse.js';

interface CarriedTree {
  readonly tree: XmlElement;
  /** The message's Destination, which the builder found to be an absolute http(s) URL. */
  readonly checkedDestination: string | undefined;
}

/**
 * The element tree a builder serialized into a result's `xml`, carried by the
 * result itself (like a `receive*` result carries its parse, ADR 0009): an
 * encoder that signs the message takes this tree instead of parsing the text
 * it was just given.
 */
const trees = createCarrier<CarriedTree>('samlkit.tree');

/**
 * Attaches `tree` to `result`, whose `xml` must be `serialize(tree)`. Builders only.
 * `checkedDestination` is the Destination the builder checked with `isHttpUrl` (and
 * would have refused otherwise), so an encoder given the same string need not check it again.
 */
export function carryTree<T extends { readonly xml: string }>(
  result: T,
  tree: XmlElement,
  checkedDestination?: string,
): T {
  return trees.carry(result, { tree, checkedDestination });
}

function parsesBack(node: XmlElement, depth: number, count: { elements: number }): boolean {
  const limits = defaultXmlLimits;
  if (++count.elements > limits.maxElements || depth > limits.maxDepth) return false;
  if (node.attributes.length + node.declarations.length > limits.maxAttributesPerElement) return false;
  for (const child of node.children) {
    if (typeof child === 'string' ? child.length === 0 : !parsesBack(child, depth + 1, count)) return false;
  }
  return true;
}

/**
 * Whether a strict parse of the serialized tree gives this tree back within the
 * default limits: an empty text child serializes as `<a></a>` and parses back
 * as no child at all, and a tree over a limit is the parser's to refuse.
 */
function parsesBackTheSame(root: XmlElement): boolean {
  return parsesBack(root, 1, { elements: 0 });
}

/**
 * The tree `value` carries and the text it was serialized to, only while `value.xml` is
 * still that exact text, and only when parsing that text would give the same tree within
 * the default parse limits (otherwise the caller parses, and gets the parser's answer).
 */
export function carriedTreeAndText(value: object): { tree: XmlElement; xml: string } | undefined {
  const found = trees.carried(value);
  if (found === undefined) return undefined;
  const { xml, value: carried } = found;
  // UTF-8 takes at most 3 bytes per UTF-16 unit: within the byte limit without counting.
  if (xml.length * 3 > defaultXmlLimits.maxBytes) return undefined;
  return parsesBackTheSame(carried.tree) ? { tree: carried.tree, xml } : undefined;
}

/** The tree of {@link carriedTreeAndText}. */
export function carriedTree(value: object): XmlElement | undefined {
  return carriedTreeAndText(value)?.tree;
}

/**
 * Whether `value` is a builder's result, `xml` unchanged, whose builder checked exactly
 * `url` as its Destination: the same string, so the same answer from the same check.
 */
export function carriesCheckedDestination(value: unknown, url: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const checked = trees.carried(value)?.value.checkedDestination;
  return checked !== undefined && checked === url;
}
