import type { InputIssues } from '../message/build-input.js';
import { element, type XmlElement } from '../xml/index.js';
import {
  expectKnownKeys,
  expectList,
  expectOptionalBoolean,
  expectRecord,
  expectString,
  type OptionPath,
} from './option-shape.js';

/**
 * A `shibmd:Scope`: the security domain the IdP may assert scoped attributes in
 * (`user@example.org` in eduPersonPrincipalName). A plain string is a literal
 * scope; `{ value, regexp: true }` a regular expression matched against the whole
 * scope (Shibboleth's default attribute filter drops scoped values outside them).
 */
export type ScopeInput = string | { value: string; regexp?: boolean };

// Shibboleth compares scopes as written; whitespace would never match an attribute's scope.
const plainScope = /^[^\s@]+$/;

/** The `shibmd:Scope` elements, for the IDPSSODescriptor's `md:Extensions` (where Shibboleth SP reads them). */
export function buildScopes(input: unknown, issues: InputIssues): XmlElement[] {
  if (input === undefined) return [];
  const path: OptionPath = ['scopes'];
  return expectList(input, path).map((raw, index) => {
    const at = [...path, index];
    let value: string;
    let regexp: boolean | undefined;
    if (typeof raw === 'string') value = raw;
    else {
      const scope = expectRecord(raw, at);
      expectKnownKeys(scope, ['value', 'regexp'], at);
      value = expectString(scope.value, [...at, 'value']);
      regexp = expectOptionalBoolean(scope.regexp, [...at, 'regexp']);
    }
    if (regexp) {
      let compiles = value.length > 0;
      try {
        new RegExp(value, 'u');
      } catch {
        compiles = false;
      }
      issues.check(compiles, at, 'is not a regular expression');
    } else {
      issues.check(plainScope.test(value), at, 'must be a domain without spaces or @ (e.g. example.org)');
    }
    return element('shibmd:Scope', { regexp: regexp === undefined ? 'false' : String(regexp) }, [value]);
  });
}
