/** Control characters and whitespace: the WHATWG parser silently strips some of them, hiding what was configured. */
const unsafeCharacters = /[\s\u0000-\u001f\u007f]/;

/**
 * @internal Returns why `text` is not an absolute http(s) URL, or undefined when it is: the one
 * rule for every endpoint URL, configured or passed to a builder. Hostnames without a dot are
 * fine (authentik's "domainless" validator allows them); embedded credentials are not, since
 * they would leak into messages and logs; nor is a fragment, which a browser never sends, so a
 * Destination or ACS URL with one could never match (SAMLBind §3.4.5.2, §3.5.5.2).
 */
export function describeHttpUrlProblem(text: string): string | undefined {
  if (unsafeCharacters.test(text)) return 'must not contain whitespace or control characters';
  // The scheme check runs on the raw text: `new URL('http:host')` would quietly add the slashes.
  if (!/^https?:\/\//i.test(text)) return 'must be an absolute http or https URL';
  // WHATWG reads `\` as `/` and skips extra slashes (`https:///acs` is host `acs`): refuse what would be rewritten.
  if (text.includes('\\')) return 'must not contain backslashes';
  if (/^https?:\/\/[/?#]/i.test(text) || /^https?:\/\/$/i.test(text)) return 'must have a host';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL';
  }
  if (url.hostname === '') return 'must have a host';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (text.includes('#')) return 'must not have a fragment';
  return undefined;
}
