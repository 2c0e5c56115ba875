import { attributeNameFormats } from '../constants/saml.js';
import type { InputIssues } from '../message/build-input.js';
import { element, type XmlElement } from '../xml/index.js';
import {
  expectKnownKeys,
  expectList,
  expectOptionalString,
  expectRecord,
  expectString,
  type OptionPath,
} from './option-shape.js';

/**
 * One `saml:Attribute` inside `mdattr:EntityAttributes` (SAML V2.0 Metadata
 * Extension for Entity Attributes §2.3), e.g. an entity category:
 * `{ name: 'http://macedir.org/entity-category-support', values: ['http://refeds.org/category/research-and-scholarship'] }`.
 */
export interface EntityAttributeInput {
  name: string;
  /** Default `urn:oasis:names:tc:SAML:2.0:attrname-format:uri`, as entity categories use. */
  nameFormat?: string;
  friendlyName?: string;
  /** At least one; each becomes a `saml:AttributeValue`. */
  values: readonly string[];
}

const uri = /^[a-z][a-z0-9+.-]*:\S+$/i;

/** The `mdattr:EntityAttributes` element for the EntityDescriptor's `md:Extensions`, or nothing for an empty list. */
export function buildEntityAttributes(input: unknown, issues: InputIssues): XmlElement | undefined {
  if (input === undefined) return undefined;
  const path: OptionPath = ['entityAttributes'];
  const attributes = expectList(input, path).map((raw, index) => {
    const at = [...path, index];
    const attribute = expectRecord(raw, at);
    expectKnownKeys(attribute, ['name', 'nameFormat', 'friendlyName', 'values'], at);
    const name = expectString(attribute.name, [...at, 'name']);
    const nameFormat =
      expectOptionalString(attribute.nameFormat, [...at, 'nameFormat']) ?? attributeNameFormats.uri;
    const friendlyName = expectOptionalString(attribute.friendlyName, [...at, 'friendlyName']);
    const values = expectList(attribute.values, [...at, 'values']).map((value, i) =>
      expectString(value, [...at, 'values', i]),
    );
    issues.check(name.length > 0, [...at, 'name'], 'is required');
    issues.check(
      nameFormat !== attributeNameFormats.uri || uri.test(name),
      [...at, 'name'],
      'must be a URI with the uri NameFormat',
    );
    issues.check(uri.test(nameFormat), [...at, 'nameFormat'], 'must be a URI');
    issues.check(values.length > 0, [...at, 'values'], 'needs at least one value');
    return element('saml:Attribute', { Name: name, NameFormat: nameFormat, FriendlyName: friendlyName }, [
      ...values.map((value) => element('saml:AttributeValue', {}, [value])),
    ]);
  });
  return attributes.length === 0 ? undefined : element('mdattr:EntityAttributes', {}, attributes);
}
