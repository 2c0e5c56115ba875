import type { InputIssues } from '../message/build-input.js';
import { element, type XmlElement } from '../xml/index.js';

/** One `saml:Attribute` (SAMLCore §2.7.3.1), from the caller's attribute mappings. */
export interface AttributeInput {
  /** The attribute `Name`, e.g. a URI such as `http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress`. */
  name: string;
  friendlyName?: string;
  /** A NameFormat URI, e.g. `attributeNameFormats.uri`. Omitted means unspecified. */
  nameFormat?: string;
  /** One value or several (multi-valued); an empty list says the attribute exists without values. */
  values: string | readonly string[];
}

const uriPattern = /^[a-z][a-z0-9+.-]*:\S+$/i;

/**
 * Builds the AttributeStatement, or nothing when there are no attributes: an
 * empty statement is schema-invalid (authentik emits one, reference §10.2).
 * Values are text, escaped by the builder, so they can never become markup
 * (the class of samlify's GHSA-34r5).
 */
export function buildAttributeStatement(
  attributes: readonly AttributeInput[] | undefined,
  issues: InputIssues,
  at: (string | number)[] = ['attributes'],
): XmlElement | undefined {
  if (attributes === undefined) return undefined;
  if (!Array.isArray(attributes)) {
    issues.check(false, at, 'must be an array');
    return undefined;
  }
  if (attributes.length === 0) return undefined;
  const seen = new Set<string>();
  const built: XmlElement[] = [];
  attributes.forEach((attribute: AttributeInput, i) => {
    const path = [...at, i];
    if (typeof attribute !== 'object' || attribute === null) {
      issues.check(false, path, 'must be an object');
      return;
    }
    issues.require(attribute.name, [...path, 'name']);
    if (attribute.friendlyName !== undefined)
      issues.check(typeof attribute.friendlyName === 'string', [...path, 'friendlyName'], 'must be a string');
    if (attribute.nameFormat !== undefined)
      issues.check(
        typeof attribute.nameFormat === 'string' && uriPattern.test(attribute.nameFormat),
        [...path, 'nameFormat'],
        'must be a URI',
      );
    const values = typeof attribute.values === 'string' ? [attribute.values] : attribute.values;
    if (!Array.isArray(values)) {
      issues.check(false, [...path, 'values'], 'must be a string or an array of strings');
      return;
    }
    values.forEach((value, j) => {
      issues.check(typeof value === 'string', [...path, 'values', j], 'must be a string');
    });
    // SAMLCore §2.7.3: an attribute is named by Name and NameFormat together; twice is ambiguous.
    const key = `${attribute.nameFormat ?? ''}\u0000${attribute.name}`;
    issues.check(!seen.has(key), [...path, 'name'], 'repeats another attribute with the same NameFormat');
    seen.add(key);
    if (issues.issues.length > 0) return;
    built.push(
      element(
        'saml:Attribute',
        { Name: attribute.name, NameFormat: attribute.nameFormat, FriendlyName: attribute.friendlyName },
        values.map((value) => element('saml:AttributeValue', {}, [value])),
      ),
    );
  });
  return built.length === attributes.length ? element('saml:AttributeStatement', {}, built) : undefined;
}
