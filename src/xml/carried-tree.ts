import type { XmlElement } from './build.js';
import { defaultXmlLimits } from './parse.js';

/**
 * The element tree a builder serialized into a result's `xml`, carried by the
 * result object itself (like a `receive*` result carries its parse, ADR 0009):
 * an encoder that signs the message takes this tree instead of parsing the
 * text it was just given. Non-enumerable under a private symbol, so spreads,
 * JSON, logs and `structuredClone` leave it behind.
 */
const carried = Symbol('samlkit.tree');

interface Carried {
  readonly xml: string;
  readonly tree: XmlElement;
}

/** Attaches `tree` to `result`, whose `xml` must be `serialize(tree)`. Builders only. */
export function carryTree<T extends { readonly xml: string }>(result: T, tree: XmlElement): T {
  Object.defineProperty(result, carried, { value: { xml: result.xml, tree } satisfies Carried });
  return result;
}

/**
 * Whether a strict parse of the serialized tree gives this tree back within the
 * default limits: an empty text child serializes as `<a></a>` and parses back
 * as no child at all, and a tree over a limit is the parser's to refuse.
 */
function parsesBackTheSame(root: XmlElement): boolean {
  const limits = defaultXmlLimits;
  let elements = 0;
  const visit = (node: XmlElement, depth: number): boolean => {
    if (++elements > limits.maxElements || depth > limits.maxDepth) return false;
    if (node.attributes.length + node.declarations.length > limits.maxAttributesPerElement) return false;
    for (const child of node.children) {
      if (typeof child === 'string' ? child.length === 0 : !visit(child, depth + 1)) return false;
    }
    return true;
  };
  return visit(root, 1);
}

/**
 * The tree `value` carries, only while its `xml` is still the exact text the
 * tree was serialized to, and only when parsing that text would give the same
 * tree within the default parse limits (otherwise the caller parses, and gets
 * the parser's answer).
 */
export function carriedTree(value: object): XmlElement | undefined {
  const found = (value as { [carried]?: Carried })[carried];
  if (found === undefined || found.xml !== (value as { xml?: unknown }).xml) return undefined;
  // UTF-8 takes at most 3 bytes per UTF-16 unit: within the byte limit without counting.
  if (found.xml.length * 3 > defaultXmlLimits.maxBytes) return undefined;
  return parsesBackTheSame(found.tree) ? found.tree : undefined;
}
