import { serialize, type XmlElement } from './build.js';
import { type ParsedXml, parseXml, type XmlLimits } from './parse.js';

/**
 * Small bounded memories keyed by exact XML strings, so one message is not
 * parsed or built twice on a hot path:
 * - trees samlkit serialized itself, reused when that string comes back to be
 *   signed for HTTP-POST or SOAP;
 * - parses of verified bytes made by `receive*`, reused by `parse*`.
 * A miss only means the slower path runs. Cached documents are never mutated.
 */
const capacity = 64;
const trees = new Map<string, XmlElement>();
const parses = new Map<string, ParsedXml>();

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= capacity) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

export function rememberTree(xml: string, tree: XmlElement): void {
  remember(trees, xml, tree);
}

/** Serializes a tree samlkit built and remembers it, so signing its string later skips a parse. */
export function serializeBuilt(tree: XmlElement): string {
  const xml = serialize(tree);
  rememberTree(xml, tree);
  return xml;
}

export function recallTree(xml: string): XmlElement | undefined {
  return trees.get(xml);
}

/** Remembers a parse that will not be mutated, for {@link parseXmlCached}. */
export function rememberParsed(xml: string, parsed: ParsedXml): void {
  remember(parses, xml, parsed);
}

/** Parses like {@link parseXml} and remembers the result for {@link parseXmlCached}. */
export function parseXmlRemembered(xml: string, limits?: XmlLimits): ParsedXml {
  const parsed = parseXml(xml, limits);
  remember(parses, xml, parsed);
  return parsed;
}

/** {@link parseXml}, reusing a remembered parse of the same string. */
export function parseXmlCached(xml: string, limits?: XmlLimits): ParsedXml {
  return parses.get(xml) ?? parseXml(xml, limits);
}
