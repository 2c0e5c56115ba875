import { createCarrier } from './carry.js';
import { type ParsedXml, parseXml, type XmlLimits } from './parse.js';

/** The parse of a result's `xml`, carried by the result itself (see {@link createCarrier}). */
const parses = createCarrier<ParsedXml>('samlkit.parse');

/**
 * Attaches the parse of `result.xml` to `result`, for {@link parseCarried}. Only
 * for parses that no one mutates afterwards (parses of verified bytes, or of
 * text no signature check has touched).
 */
export function carryParse<T extends { readonly xml: string }>(result: T, parsed: ParsedXml): T {
  return parses.carry(result, parsed);
}

/** The parse `value` carries, if it still holds the text it was made of. */
export function carriedParse(value: object): ParsedXml | undefined {
  return parses.carried(value)?.value;
}

/**
 * The document of a string, or of a result that carries its parse (a
 * `receive*` result): taken as is when its `xml` is unchanged, else parsed
 * strictly like any string.
 */
export function parseCarried(input: string | { readonly xml: string }, limits?: XmlLimits): ParsedXml {
  if (typeof input === 'string') return parseXml(input, limits);
  if (typeof input !== 'object' || input === null || typeof input.xml !== 'string')
    throw new TypeError('expected an XML string or a received message');
  return carriedParse(input) ?? parseXml(input.xml, limits);
}
