import { decodeBase64Strict, decodeUtf8Strict } from '../bindings/base64.js';
import { inflateCapped } from '../bindings/deflate.js';
import { formDecode, splitRawParameters } from '../bindings/form-encoding.js';
import type { HttpInput } from '../bindings/inspect.js';
import { decodePostMessage, readForm } from '../bindings/post.js';
import { defaultReceiveLimits, onlyMessageParameter } from '../bindings/receive.js';
import { collectParameters, decodeRedirectMessage, rawQueryOf } from '../bindings/redirect.js';
import { bodyMessage } from '../bindings/soap.js';
import type { Binding } from '../constants/saml.js';
import { canonicalize, elementFromDom, parseXml } from '../xml/index.js';

/** A SAML protocol message taken out of its binding, NOT verified. */
export interface DecodedMessage {
  binding: Binding;
  type: 'SAMLRequest' | 'SAMLResponse';
  /** The message XML: as sent for Redirect and POST, the Body's element (exclusive C14N) for SOAP. */
  xml: string;
  relayState?: string;
  /** HTTP-Redirect only: the `SigAlg` parameter, decoded. */
  sigAlg?: string;
  /** HTTP-Redirect only: the `Signature` parameter (base64), decoded from the query. */
  signature?: string;
  /** HTTP-POST only: the sender DEFLATEd the message as for HTTP-Redirect (SAMLBind §3.5.4 says not to). */
  deflated?: true;
  /** Where the message goes: the URL without its query (Redirect) or the form's `action` (an HTML page). */
  destination?: string;
}

/**
 * Whatever a test has in hand: a Redirect URL or query string, a POST body
 * (urlencoded), its fields (object, `URLSearchParams`, or what `encodePost`
 * returns), the HTML page with the auto-submit form, a SOAP envelope, or an
 * HTTP request as the `samlkit/http` handlers see it.
 */
export type MessageInput =
  | string
  | URLSearchParams
  | Record<string, unknown>
  | { url: string; fields: Record<string, string>; html?: string }
  | HttpInput;

/** Options of {@link decodeMessage}. */
export interface DecodeMessageOptions {
  /** Largest message accepted, in bytes. Defaults to the receive limit of the bindings. */
  maxBytes?: number;
}

const htmlEntities = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

function decodeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6});/g, (whole, ref: string) => {
    if (!ref.startsWith('#')) return htmlEntities.get(ref) ?? whole;
    const code = ref.startsWith('#x') ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function htmlAttribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(tag);
  if (!match) return undefined;
  return decodeHtml(match[1] ?? match[2] ?? match[3] ?? '');
}

/** The hidden fields and action of the (first) form of an HTML page. A tag ends at the next `<` or `>`, so unclosed tags cost linear time. */
function readHtmlForm(html: string): { fields: Map<string, string>; action?: string } {
  const fields = new Map<string, string>();
  const form = /<form\b[^<>]*>/i.exec(html);
  for (const [tag] of html.matchAll(/<input\b[^<>]*>/gi)) {
    const name = htmlAttribute(tag, 'name');
    const value = htmlAttribute(tag, 'value');
    if (name === undefined || value === undefined) continue;
    if (fields.has(name)) throw new Error(`the HTML form has more than one ${name} field`);
    fields.set(name, value);
  }
  const action = form ? htmlAttribute(form[0], 'action') : undefined;
  return action === undefined ? { fields } : { fields, action };
}

function fromRedirect(input: string, maxBytes: number): DecodedMessage {
  const question = input.indexOf('?');
  const params = collectParameters(rawQueryOf(input));
  const type = onlyMessageParameter((name) => params.has(name));
  const decoded: DecodedMessage = {
    binding: 'redirect',
    type,
    xml: decodeRedirectMessage(params.get(type)!, maxBytes, false),
  };
  const relayState = params.get('RelayState');
  const sigAlg = params.get('SigAlg');
  const signature = params.get('Signature');
  if (relayState !== undefined) decoded.relayState = formDecode(relayState);
  if (sigAlg !== undefined) decoded.sigAlg = formDecode(sigAlg);
  if (signature !== undefined) decoded.signature = formDecode(signature);
  if (question > 0) decoded.destination = input.slice(0, question);
  return decoded;
}

function fromPostFields(fields: Map<string, string>, maxBytes: number, destination?: string): DecodedMessage {
  const type = onlyMessageParameter((name) => fields.has(name));
  const value = fields.get(type)!;
  const decoded: DecodedMessage = { binding: 'post', type, xml: '' };
  const bytes = decodeBase64Strict(value.replace(/\r?\n/g, ''));
  if (bytes[0] === 0x3c || bytes[0] === 0xef) decoded.xml = decodePostMessage(value, maxBytes);
  else {
    // SAMLBind §3.5.4: POST carries the XML itself, but some SPs (node-saml) DEFLATE it anyway.
    decoded.xml = decodeUtf8Strict(inflateCapped(bytes, maxBytes));
    decoded.deflated = true;
  }
  const relayState = fields.get('RelayState');
  if (relayState !== undefined) decoded.relayState = relayState;
  if (destination !== undefined) decoded.destination = destination;
  return decoded;
}

/** The SAML message in a SOAP envelope's Body, standing alone (exclusive C14N declares what it uses). */
export function soapMessageXml(envelope: string, maxBytes = defaultReceiveLimits.maxBytes): string {
  return canonicalize(elementFromDom(bodyMessage(parseXml(envelope, { maxBytes }).root)));
}

function fromSoap(envelope: string, maxBytes: number): DecodedMessage {
  const xml = soapMessageXml(envelope, maxBytes);
  const name = /^<(?:[\w.-]+:)?([\w.-]+)/.exec(xml)?.[1] ?? '';
  const type = name.endsWith('Response') ? 'SAMLResponse' : 'SAMLRequest';
  return { binding: 'soap', type, xml };
}

/** A urlencoded string: a Redirect query when it carries a query signature or a DEFLATEd message. */
function looksLikeRedirect(body: string): boolean {
  const names = new Map<string, string>();
  for (const { name, rawValue } of splitRawParameters(body)) names.set(name, rawValue);
  if (names.has('SigAlg') || names.has('Signature')) return true;
  const value = names.get('SAMLRequest') ?? names.get('SAMLResponse');
  if (value === undefined) return false;
  // HTTP-POST carries base64 of the XML itself, so it decodes to `<` (or a BOM / declaration).
  const bytes = decodeBase64Strict(formDecode(value).replace(/\r?\n/g, ''));
  return bytes[0] !== 0x3c && bytes[0] !== 0xef;
}

function fromString(input: string, maxBytes: number): DecodedMessage {
  const text = input.trim();
  if (text.startsWith('<')) {
    if (/^<!doctype html|<html[\s>]|<form[\s>]/i.test(text)) {
      const { fields, action } = readHtmlForm(text);
      return fromPostFields(fields, maxBytes, action);
    }
    return fromSoap(text, maxBytes);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.includes('?') || looksLikeRedirect(text)) {
    return fromRedirect(text, maxBytes);
  }
  return fromPostFields(readForm(text), maxBytes);
}

/**
 * Takes a SAML message out of any binding in one call: HTTP-Redirect (URL or
 * query), HTTP-POST (urlencoded body, fields, `encodePost`'s result, or the
 * HTML page with the form), or SOAP (the envelope), and tells which it was.
 *
 * **It verifies nothing**: no signature, no issuer, no destination, no time.
 * It is for tests that look at what was sent; anything that acts on a
 * message must use `receiveRedirect` / `receivePost` / `receiveSoap` (or the
 * identity provider's handlers) instead. Decoding itself is as strict as
 * receiving: strict base64, capped inflate, the hardened parser for SOAP.
 */
export function decodeMessage(input: MessageInput, options: DecodeMessageOptions = {}): DecodedMessage {
  const maxBytes = options.maxBytes ?? defaultReceiveLimits.maxBytes;
  if (typeof input === 'string') return fromString(input, maxBytes);
  if (input instanceof URLSearchParams) {
    const query = input.toString();
    return looksLikeRedirect(query)
      ? fromRedirect(query, maxBytes)
      : fromPostFields(readForm(input), maxBytes);
  }
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(
      'decodeMessage expects a URL, a query or form body, form fields, an HTML page or a SOAP envelope',
    );
  }
  if (Object.hasOwn(input, 'method') && typeof (input as HttpInput).method === 'string') {
    const request = input as HttpInput;
    if (request.method.toUpperCase() === 'GET') return fromRedirect(request.query ?? '', maxBytes);
    const body = request.body ?? '';
    if (typeof body === 'string') return fromString(body, maxBytes);
    return decodeMessage(body, options);
  }
  if (Object.hasOwn(input, 'fields') && typeof (input as { fields: unknown }).fields === 'object') {
    const form = input as { url: string; fields: Record<string, string> };
    return fromPostFields(readForm(form.fields), maxBytes, form.url);
  }
  return fromPostFields(readForm(input as Record<string, unknown>), maxBytes);
}
