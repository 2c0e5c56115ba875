import { type InputIssues, isHttpUrl } from '../message/build-input.js';
import { element, type XmlElement } from '../xml/index.js';
import { expectRecord, expectString, type OptionPath } from './option-shape.js';

/**
 * Text in one or more languages, keyed by `xml:lang` tag: `{ en: 'Example Wiki', de: 'Beispiel-Wiki' }`.
 * Written in the key order given (SAMLMeta §2.2.1 localizedNameType / localizedURIType).
 */
export type LocalizedValues = Readonly<Record<string, string>>;

// xs:language (XML Schema Part 2 §3.3.3); xml.xsd also allows "", which says nothing.
const languageTag = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;

/** True for a usable `xml:lang` value. */
export function isLanguageTag(value: string): boolean {
  return languageTag.test(value);
}

/**
 * One `qname` element per language, each with `xml:lang`. `kind: 'url'` checks
 * each value is an absolute http(s) URL (localizedURIType). An empty record is
 * an issue when `required` (OrganizationName and friends need at least one).
 */
export function buildLocalizedElements(
  qname: `${'md' | 'mdui'}:${string}`,
  input: unknown,
  options: { path: OptionPath; issues: InputIssues; kind: 'text' | 'url'; required?: boolean },
): XmlElement[] {
  const { path, issues, kind } = options;
  const record = expectRecord(input, path);
  const entries = Object.entries(record);
  issues.check(entries.length > 0 || !options.required, [...path], 'needs at least one language');
  return entries.map(([lang, raw]) => {
    const value = expectString(raw, [...path, lang]);
    issues.check(
      isLanguageTag(lang),
      [...path, lang],
      'is not a language tag (xs:language, e.g. en or pt-BR)',
    );
    if (kind === 'url') {
      issues.check(isHttpUrl(value), [...path, lang], 'must be an absolute http(s) URL');
    } else {
      issues.check(value.trim().length > 0, [...path, lang], 'must not be empty');
    }
    return element(qname, { 'xml:lang': lang }, [value]);
  });
}
