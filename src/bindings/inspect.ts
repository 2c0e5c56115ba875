import type { Binding } from '../constants/saml.js';
import { SamlError } from '../errors/index.js';
import { type MessageHeader, readHeader } from '../message/header.js';
import { parseXml } from '../xml/index.js';
import { formDecode } from './form-encoding.js';
import { decodePostMessage, readForm } from './post.js';
import { defaultReceiveLimits, type EarlierParse, onlyMessageParameter } from './receive.js';
import { collectParameters, decodeRedirectMessage, rawQueryOf } from './redirect.js';
import { bodyMessage } from './soap.js';

/** A framework-agnostic HTTP request as an SLO endpoint sees it. */
export interface HttpInput {
  /** `GET` or `POST`. */
  method: string;
  /** The raw query string (or full URL) exactly as received; needed for HTTP-Redirect. */
  query?: string;
  /** The raw body (urlencoded form or SOAP XML), or an already parsed form. */
  body?: string | Record<string, unknown> | URLSearchParams;
  /** The Content-Type header; `text/xml` or `application/soap+xml` means SOAP. */
  contentType?: string;
}

/** What an unverified look at a message shows: enough to choose whose keys to verify it with. */
export interface InspectedMessage {
  binding: Binding;
  type: 'SAMLRequest' | 'SAMLResponse';
  /** Unverified: use it only to look up the peer, then verify with that peer's certificates. */
  header: MessageHeader;
  relayState?: string;
}

// The unverified parse travels on the inspection of its own request (non-enumerable, under a
// private symbol) and is handed over once: no other request can reach it.
const earlierParse = Symbol('samlkit.earlierParse');

function attachEarlierParse(inspected: InspectedMessage, earlier: EarlierParse): InspectedMessage {
  Object.defineProperty(inspected, earlierParse, { value: earlier, configurable: true });
  return inspected;
}

/**
 * Hands over, once, the parse `inspectMessage` made, so the receive step of the
 * same request reuses it when it decodes exactly the same text.
 */
export function takeEarlierParse(inspected: InspectedMessage): EarlierParse | undefined {
  const earlier = (inspected as { [earlierParse]?: EarlierParse })[earlierParse];
  delete (inspected as { [earlierParse]?: EarlierParse })[earlierParse];
  return earlier;
}

/** Which binding an HTTP request uses (SAMLBind §3.2, §3.4, §3.5). */
export function detectBinding(input: HttpInput): Binding {
  const method = input.method.toUpperCase();
  if (method === 'GET') return 'redirect';
  if (method !== 'POST')
    throw new SamlError('SAML_BINDING_PARAMETER_INVALID', 'SAML endpoints accept GET and POST only');
  const type = (input.contentType ?? '').toLowerCase();
  return type.includes('xml') ? 'soap' : 'post';
}

/**
 * Decodes a message WITHOUT verifying it, to learn its Issuer (and type) so
 * the right peer's certificates can be chosen. Nothing it returns may be
 * trusted; the `receive*` functions must run next.
 */
export function inspectMessage(input: HttpInput, maxBytes = defaultReceiveLimits.maxBytes): InspectedMessage {
  const binding = detectBinding(input);
  let xml: string;
  let type: 'SAMLRequest' | 'SAMLResponse';
  let relayState: string | undefined;
  let encodedMessage: string | undefined;
  if (binding === 'redirect') {
    const params = collectParameters(rawQueryOf(input.query ?? ''));
    type = onlyMessageParameter((name) => params.has(name));
    const raw = params.get('RelayState');
    if (raw !== undefined) relayState = formDecode(raw);
    encodedMessage = params.get(type)!;
    xml = decodeRedirectMessage(encodedMessage, maxBytes, false);
  } else if (binding === 'post') {
    const fields = readForm(input.body ?? '');
    type = onlyMessageParameter((name) => fields.has(name));
    relayState = fields.get('RelayState');
    xml = decodePostMessage(fields.get(type)!, maxBytes);
  } else {
    if (typeof input.body !== 'string') throw new TypeError('a SOAP request needs the raw body string');
    const parsed = parseXml(input.body, { maxBytes });
    const header = readHeader(bodyMessage(parsed.root));
    const soapType =
      header.type === 'LogoutResponse' || header.type === 'Response' ? 'SAMLResponse' : 'SAMLRequest';
    return attachEarlierParse({ binding, type: soapType, header }, { xml: input.body, maxBytes, parsed });
  }
  const parsed = parseXml(xml, { maxBytes });
  const header = readHeader(parsed.root);
  const inspected: InspectedMessage = {
    binding,
    type,
    header,
    ...(relayState === undefined ? {} : { relayState }),
  };
  return attachEarlierParse(inspected, {
    xml,
    maxBytes,
    parsed,
    ...(encodedMessage === undefined ? {} : { encodedMessage }),
  });
}
