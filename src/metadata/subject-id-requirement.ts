import type { SubjectIdRequirement } from '../config/index.js';
import { namespaces } from '../constants/namespaces.js';
import { attribute, childElements, childrenNamed, type Element, isElement, readText } from '../xml/index.js';

/** The entity attribute an SP lists to say which subject identifier it needs (Subject Identifier Attributes Profile). */
const requirementName = 'urn:oasis:names:tc:SAML:profiles:subject-id:req';

const known = new Set<string>(['subject-id', 'pairwise-id', 'any', 'none']);

const isXmlSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * `text` without leading and trailing XML white space (XML 1.0 §2.3 S) only: String.trim would
 * also drop NBSP, BOM, U+2028…, making a value an exact-match filter never saw as `subject-id`
 * into one. A scan, not a regular expression: `/\s+$/`-style patterns backtrack quadratically over
 * a long run of white space inside the value, and metadata is read before anyone trusts it.
 */
function trimXmlSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isXmlSpace(text.charCodeAt(start))) start++;
  while (end > start && isXmlSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/**
 * The SP's `subject-id:req`: the first value of that `saml:Attribute` in the entity's
 * `md:Extensions/mdattr:EntityAttributes` that is one of the profile's four, compared exactly
 * (XML white space around it trimmed). The profile allows one value; values outside the four are
 * ignored, as Shibboleth IdP's shipped attribute filter (exact-match rules on `subject-id`,
 * `pairwise-id` and `any`) and pysaml2 ignore them, so an SP whose only value is unknown asks
 * for nothing. Any NameFormat is accepted, like Shibboleth's rules without `attributeNameFormat`.
 */
export function readSubjectIdRequirement(entity: Element): SubjectIdRequirement | undefined {
  for (const extensions of childrenNamed(entity, 'md', 'Extensions')) {
    for (const attributes of childrenNamed(extensions, 'mdattr', 'EntityAttributes')) {
      for (const child of childElements(attributes)) {
        if (!isElement(child, 'saml', 'Attribute') || attribute(child, 'Name') !== requirementName) continue;
        for (const value of childElements(child)) {
          if (value.namespaceURI !== namespaces.saml || value.localName !== 'AttributeValue') continue;
          const text = trimXmlSpace(readText(value));
          if (known.has(text)) return text as SubjectIdRequirement;
        }
      }
    }
  }
  return undefined;
}
