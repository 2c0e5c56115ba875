import type { InputIssues } from '../message/build-input.js';
import { element, type XmlElement } from '../xml/index.js';
import { buildLocalizedElements, type LocalizedValues } from './localized-values.js';
import { expectKnownKeys, expectRecord, type OptionPath } from './option-shape.js';

/** `md:Organization` (SAMLMeta §2.3.2.1): each part in at least one language, keyed by `xml:lang`. */
export interface OrganizationInput {
  name: LocalizedValues;
  displayName: LocalizedValues;
  url: LocalizedValues;
}

/** The `md:Organization` element of the EntityDescriptor, after its role descriptors. */
export function buildOrganization(input: unknown, issues: InputIssues): XmlElement | undefined {
  if (input === undefined) return undefined;
  const path: OptionPath = ['organization'];
  const organization = expectRecord(input, path);
  expectKnownKeys(organization, ['name', 'displayName', 'url'], path);
  const part = (name: 'name' | 'displayName' | 'url', qname: `md:${string}`) =>
    buildLocalizedElements(qname, organization[name], {
      path: [...path, name],
      issues,
      kind: name === 'url' ? 'url' : 'text',
      required: true,
    });
  return element('md:Organization', {}, [
    ...part('name', 'md:OrganizationName'),
    ...part('displayName', 'md:OrganizationDisplayName'),
    ...part('url', 'md:OrganizationURL'),
  ]);
}
