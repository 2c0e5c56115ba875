/**
 * Shared helpers for the interop suites (node-saml and samlify acting as the SP,
 * samlkit acting as the IdP). Nothing here imitates the protocol: these helpers
 * only do what an HTTP framework or a browser does with a URL or a form.
 */
import { inflateRawSync } from 'node:zlib';
import { expect } from 'vitest';
import {
  encodePost,
  encodeRedirect,
  isSamlError,
  nameIdFormats,
  type PostForm,
  type ReceiveRedirectOptions,
} from '../../src/index.js';
import { certificate, keyPair } from '../support/keys.js';
import { idpEntityId, idpSloUrl, spEntityId, spSloUrl } from '../support/messages.js';
import { hasXmllint, schemaErrors, schemas } from '../support/xsd.js';

export { idpEntityId, idpSloUrl, spEntityId, spSloUrl };

/** Where the SPs' SSO entry point would be; both libraries insist on one. */
export const idpSsoUrl = 'https://idp.example.com/sso';
/** The SP's assertion consumer service; node-saml's constructor requires it. */
export const spAcsUrl = 'https://sp-a.example.com/acs';

export const redirectBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const postBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** A principal as samlkit recorded it at SSO time. */
export function samplePrincipal() {
  const suffix = Math.random().toString(36).slice(2, 10);
  return {
    nameId: { value: `alice-${suffix}@example.com`, format: nameIdFormats.persistent },
    sessionIndex: `_session-${suffix}`,
  };
}

/**
 * RelayState values URL encoders disagree on (form-encoding vs
 * encodeURIComponent vs WHATWG URL): space, the RFC 3986 "mark" characters,
 * `+`, `%`, `&`, `=`, non-ASCII, and all of them at once (≤ 80 bytes).
 */
export const awkwardRelayStates: readonly string[] = [
  'a b',
  "!'()*~",
  'a+b',
  '100%',
  'x&y=z',
  'é€',
  "https://sp-a.example.com/after?x=1&y=a b+c%20!'()*~é€",
];

/**
 * True when node-saml 5.1.0 signs different bytes than it puts in the URL for
 * this RelayState: its URL comes from URLSearchParams (space → `+`, `!'()~`
 * percent-encoded) while the signed string comes from querystring.stringify
 * (space → `%20`, `!'()~` literal).
 */
export function nodeSamlEncodersDisagree(relayState: string): boolean {
  return /[ !'()~]/.test(relayState);
}

/** What an HTTP framework hands to an SP for a redirect URL. */
export interface SplitRedirect {
  /** The query exactly as on the wire (Express `req.originalUrl.split('?')[1]`). */
  rawQuery: string;
  /** The decoded parameters (Express `req.query`). */
  query: Record<string, string>;
  /** samlify's `octetString`: the raw `SAMLRequest|SAMLResponse, RelayState, SigAlg` tokens, wire order. */
  octetString: string;
}

/**
 * Splits a redirect URL the way a server sees it. The raw query is cut out of
 * the string, never taken from `new URL(url).search`, which would re-encode `'`.
 */
export function splitRedirect(url: string): SplitRedirect {
  const question = url.indexOf('?');
  expect(question).toBeGreaterThan(0);
  const rawQuery = url.slice(question + 1).split('#')[0]!;
  const query = Object.fromEntries(new URLSearchParams(rawQuery));
  const octetString = rawQuery
    .split('&')
    .filter((token) => !token.startsWith('Signature='))
    .join('&');
  return { rawQuery, query, octetString };
}

/** The raw (still encoded) parameter names of a redirect URL, in wire order. */
export function parameterNames(url: string): string[] {
  return splitRedirect(url)
    .rawQuery.split('&')
    .map((token) => token.slice(0, token.indexOf('=')));
}

/** The raw value of one parameter of a redirect URL, as on the wire. */
export function rawParameter(url: string, name: string): string | undefined {
  const token = splitRedirect(url)
    .rawQuery.split('&')
    .find((t) => t.startsWith(`${name}=`));
  return token?.slice(name.length + 1);
}

/** Inflates the SAMLRequest/SAMLResponse of a redirect URL (test-side inspection only). */
export function inflateRedirectMessage(url: string): string {
  const { query } = splitRedirect(url);
  const message = query.SAMLRequest ?? query.SAMLResponse;
  expect(message).toBeTypeOf('string');
  return inflateRawSync(Buffer.from(message!, 'base64')).toString('utf8');
}

/** Flips one bit of the detached Signature, keeping it valid base64 and the rest of the URL intact. */
export function tamperSignature(url: string): string {
  const raw = rawParameter(url, 'Signature');
  expect(raw).toBeDefined();
  const bytes = Buffer.from(decodeURIComponent(raw!), 'base64');
  bytes[bytes.length >> 1]! ^= 0x01;
  return url.replace(`Signature=${raw}`, `Signature=${encodeURIComponent(bytes.toString('base64'))}`);
}

/** Removes SigAlg and Signature: the same message, unsigned. */
export function stripSignature(url: string): string {
  const [base, query] = url.split('?') as [string, string];
  const kept = query.split('&').filter((t) => !t.startsWith('SigAlg=') && !t.startsWith('Signature='));
  return `${base}?${kept.join('&')}`;
}

/** What a WHATWG URL parser (a browser following the redirect) makes of the URL. */
export function browserNormalized(url: string): string {
  return new URL(url).href;
}

/** Receive options samlkit's IdP uses for a message from the SP (sp-a). */
export function fromSp(extra: Partial<ReceiveRedirectOptions> = {}): ReceiveRedirectOptions {
  return {
    trust: [certificate('sp-a')],
    ...extra,
    expect: { issuer: spEntityId, destination: idpSloUrl, ...extra.expect },
  };
}

/** Asserts `fn` throws a SamlError with `code`. */
export function expectSamlError(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code}`).toBeDefined();
  expect(isSamlError(thrown) ? thrown.code : thrown).toBe(code);
}

/** Reads the ID attribute of a message's root (test-side inspection only). */
export function rootId(xml: string): string {
  const match = /<(?:\w+:)?Logout(?:Request|Response)\b[^>]*?\sID="([^"]+)"/.exec(xml);
  expect(match).not.toBeNull();
  return match![1]!;
}

// ---------------------------------------------------------------------------
// XSD validation for samlify's mandatory schema-validator hook.

/** True when xmllint is installed (required on CI), so the validator below is a real XSD check. */
export const xmllintAvailable = hasXmllint();

/** xmllint's complaints about a protocol message against the OASIS schemas; empty when valid. */
export function xsdProblems(xml: string): string[] {
  return schemaErrors(schemas.protocol, { message: xml }).message ?? [];
}

/**
 * The schema validator handed to samlify's `setSchemaValidator`. samlify calls
 * it with every decoded message it parses, i.e. every message samlkit sends in
 * these tests, so each one is validated against the SAML protocol XSD. Without
 * xmllint (allowed off CI only) it just checks the root element, and XSD
 * validity of samlkit's output rests on samlkit's own schema tests.
 */
export const samlifySchemaValidator = {
  validate: async (xml: string): Promise<string> => {
    if (xmllintAvailable) {
      const problems = xsdProblems(xml);
      if (problems.length > 0) throw new Error(`XSD validation failed: ${problems.join('; ')}`);
      return 'xsd-valid';
    }
    if (!/^(?:<\?xml[^>]*\?>)?\s*<(?:\w+:)?Logout(?:Request|Response)\b/.test(xml)) {
      throw new Error('not a LogoutRequest or LogoutResponse');
    }
    return 'root-checked';
  },
};

type MessageParameter = 'SAMLRequest' | 'SAMLResponse';

/** samlkit's IdP sends `xml` to the SP's SLO URL by HTTP-Redirect, signed with the IdP key. */
export function idpRedirectToSp(type: MessageParameter, xml: string, relayState?: string): string {
  return encodeRedirect({
    type,
    xml,
    destination: spSloUrl,
    ...(relayState === undefined ? {} : { relayState }),
    sign: { key: keyPair('idp') },
  });
}

/** The same by HTTP-POST, enveloped-signed with the IdP key. */
export function idpPostToSp(type: MessageParameter, xml: string, relayState?: string): PostForm {
  return encodePost({
    type,
    xml,
    destination: spSloUrl,
    ...(relayState === undefined ? {} : { relayState }),
    sign: { key: keyPair('idp') },
  });
}
