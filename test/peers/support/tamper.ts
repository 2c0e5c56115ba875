/**
 * An attacker in the browser: edits a SAML message in flight and keeps its
 * signature, so the receiver must notice that the signed bytes changed.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Navigation } from './browser.js';

/**
 * The same HTTP-Redirect navigation with the deflated message edited by `edit`
 * (default: the IssueInstant moved by a second) and the Signature left as it was.
 */
export function tamperRedirect(
  nav: Navigation,
  edit: (xml: string) => string = shiftIssueInstant,
): Navigation {
  const url = new URL(nav.url);
  const name = url.searchParams.has('SAMLRequest') ? 'SAMLRequest' : 'SAMLResponse';
  const xml = inflateRawSync(Buffer.from(url.searchParams.get(name)!, 'base64')).toString('utf8');
  const edited = edit(xml);
  if (edited === xml) throw new Error('the edit changed nothing');
  url.searchParams.set(name, deflateRawSync(Buffer.from(edited)).toString('base64'));
  return { method: 'GET', url: url.href };
}

/** The same HTTP-POST navigation with the message edited by `edit`. */
export function tamperPost(nav: Navigation, edit: (xml: string) => string): Navigation {
  if (nav.method !== 'POST') throw new Error('not an HTTP-POST navigation');
  const name = 'SAMLRequest' in nav.fields ? 'SAMLRequest' : 'SAMLResponse';
  const xml = Buffer.from(nav.fields[name]!, 'base64').toString('utf8');
  const edited = edit(xml);
  if (edited === xml) throw new Error('the edit changed nothing');
  return { ...nav, fields: { ...nav.fields, [name]: Buffer.from(edited).toString('base64') } };
}

function shiftIssueInstant(xml: string): string {
  return xml.replace(/IssueInstant="([^"]+)"/, (_, instant: string) => {
    const moved = new Date(new Date(instant).getTime() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return `IssueInstant="${moved}"`;
  });
}
