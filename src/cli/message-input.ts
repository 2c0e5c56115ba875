import { encodeBase64 } from '../bindings/base64.js';
import { formDecode, formEncode } from '../bindings/form-encoding.js';
import { detectBinding, type HttpInput, type InspectedMessage, inspectMessage } from '../bindings/inspect.js';
import { decodePostMessage, readForm } from '../bindings/post.js';
import { defaultReceiveLimits, onlyMessageParameter } from '../bindings/receive.js';
import { collectParameters, decodeRedirectMessage, rawQueryOf } from '../bindings/redirect.js';
import { bodyMessage } from '../bindings/soap.js';
import type { Binding } from '../constants/saml.js';
import { isSamlError, SamlError } from '../errors/index.js';
import { type Element, isElement, type ParsedXml, parseXml } from '../xml/index.js';
import type { InputText } from './input.js';

/** How the message was given on the command line. */
export type InputForm = 'url' | 'query' | 'form' | 'json' | 'soap' | 'xml' | 'base64';

type Parameter = 'SAMLRequest' | 'SAMLResponse';

/** A message read from the command line, decoded but NOT verified. */
export interface MessageInput {
  form: InputForm;
  /**
   * What an SLO endpoint would have received for this input. `detectBinding`,
   * `inspectMessage` and the `receive*` functions all take it as it is.
   */
  http: HttpInput;
  /** `detectBinding(http)`: the receive path `verify` uses. */
  binding: Binding;
  /** For HTTP-Redirect payloads and bare base64: whether the payload was raw DEFLATE. */
  deflated?: boolean;
  /** The parameter the message travels in (for bare XML and base64: implied by its root element). */
  parameter: Parameter;
  /** The decoded document: the protocol message, or the SOAP envelope. */
  xml: string;
  parsed: ParsedXml;
  /** The protocol message element (the SOAP Body's child for SOAP). */
  message: Element;
  relayState?: string;
  /** HTTP-Redirect only: the SigAlg parameter, decoded. */
  sigAlg?: string;
  /** Whether a redirect carries a Signature parameter. */
  querySignature?: boolean;
  /**
   * The input `inspectMessage` reads the header from. Same as `http`, except for
   * an uncompressed HTTP-Redirect payload, which the binding (and so
   * `inspectMessage`) refuses: that one is inspected as the POST form it equals.
   */
  inspection: HttpInput;
}

const maxBytes = defaultReceiveLimits.maxBytes;

function parameterOf(root: Element): Parameter {
  return root.localName === 'LogoutResponse' || root.localName === 'Response'
    ? 'SAMLResponse'
    : 'SAMLRequest';
}

function finish(
  fields: Omit<MessageInput, 'binding' | 'parsed' | 'message' | 'inspection'> & { inspection?: HttpInput },
): MessageInput {
  const parsed = parseXml(fields.xml, { maxBytes });
  const message = fields.form === 'soap' ? bodyMessage(parsed.root) : parsed.root;
  return {
    ...fields,
    binding: detectBinding(fields.http),
    parsed,
    message,
    inspection: fields.inspection ?? fields.http,
  };
}

function fromForm(body: string | Record<string, unknown>, form: 'form' | 'json'): MessageInput {
  const fields = readForm(body);
  const parameter = onlyMessageParameter((name) => fields.has(name));
  const relayState = fields.get('RelayState');
  return finish({
    form,
    http: { method: 'POST', body },
    parameter,
    xml: decodePostMessage(fields.get(parameter)!, maxBytes),
    ...(relayState === undefined ? {} : { relayState }),
  });
}

function fromQuery(text: string, form: 'url' | 'query'): MessageInput {
  const params = collectParameters(rawQueryOf(text));
  const parameter = onlyMessageParameter((name) => params.has(name));
  const raw = params.get(parameter)!;
  const rawSigAlg = params.get('SigAlg');
  const querySignature = params.has('Signature');
  let xml: string;
  let deflated = true;
  try {
    xml = decodeRedirectMessage(raw, maxBytes, false);
  } catch (error) {
    if (!isSamlError(error, 'SAML_BINDING_DECODE_FAILED')) throw error;
    // A bare, unsigned `SAMLRequest=…` that is not DEFLATE is an HTTP-POST form body.
    if (form === 'query' && rawSigAlg === undefined && !querySignature)
      return fromForm(rawQueryOf(text), 'form');
    xml = decodeRedirectMessage(raw, maxBytes, true);
    deflated = false;
  }
  const rawRelayState = params.get('RelayState');
  const relayState = rawRelayState === undefined ? undefined : formDecode(rawRelayState);
  return finish({
    form,
    http: { method: 'GET', query: text },
    deflated,
    parameter,
    xml,
    querySignature,
    ...(relayState === undefined ? {} : { relayState }),
    ...(rawSigAlg === undefined ? {} : { sigAlg: formDecode(rawSigAlg) }),
    ...(deflated
      ? {}
      : {
          inspection: {
            method: 'POST',
            body: {
              [parameter]: formDecode(raw),
              ...(relayState === undefined ? {} : { RelayState: relayState }),
            },
          },
        }),
  });
}

function fromXml(text: string): MessageInput {
  const parsed = parseXml(text, { maxBytes });
  if (isElement(parsed.root, 'soapenv', 'Envelope')) {
    const parameter = parameterOf(bodyMessage(parsed.root));
    return finish({
      form: 'soap',
      http: { method: 'POST', contentType: 'text/xml; charset=utf-8', body: text },
      parameter,
      xml: text,
    });
  }
  // A bare document is what an HTTP-POST form carries once base64-decoded.
  const parameter = parameterOf(parsed.root);
  return finish({
    form: 'xml',
    http: { method: 'POST', body: { [parameter]: encodeBase64(text) } },
    parameter,
    xml: text,
  });
}

function fromJson(text: string): MessageInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SamlError('SAML_BINDING_DECODE_FAILED', 'input looks like JSON but does not parse', { cause });
  }
  // Either the form fields themselves or `{ url, fields }` as `samlkit logout-request --binding post` prints.
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  const fields = record && 'fields' in record ? (record as { fields: unknown }).fields : record;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new SamlError('SAML_BINDING_PARAMETER_INVALID', 'JSON input must be an object of form fields');
  }
  return fromForm(fields as Record<string, unknown>, 'json');
}

function fromBase64(text: string, source: InputText['source']): MessageInput {
  let value = text.replace(/\s+/g, '');
  // Copied out of a URL, the value may still be percent-encoded.
  if (/%[0-9A-Fa-f]{2}/.test(value)) value = formDecode(value);
  let xml: string;
  let deflated = true;
  try {
    xml = decodeRedirectMessage(formEncode(value), maxBytes, false);
  } catch (error) {
    if (!isSamlError(error, 'SAML_BINDING_DECODE_FAILED')) throw error;
    try {
      xml = decodePostMessage(value, maxBytes);
    } catch (plainError) {
      if (!isSamlError(plainError, 'SAML_BINDING_DECODE_FAILED')) throw plainError;
      throw new SamlError(
        'SAML_BINDING_DECODE_FAILED',
        source === 'argument'
          ? 'input is not a URL, query string, form body, XML, JSON or base64 message, and no file has that name'
          : `${source === 'file' ? 'file' : 'standard input'} holds no URL, query string, form body, XML, JSON or base64 message`,
        { cause: plainError },
      );
    }
    deflated = false;
  }
  const parameter = parameterOf(parseXml(xml, { maxBytes }).root);
  return finish({
    form: 'base64',
    http: deflated
      ? { method: 'GET', query: `${parameter}=${formEncode(value)}` }
      : { method: 'POST', body: { [parameter]: value } },
    deflated,
    parameter,
    xml,
  });
}

/**
 * Recognises how a message was given (URL, query string, urlencoded form body,
 * JSON form fields, SOAP envelope, bare XML, or a bare base64 payload, DEFLATE
 * or not), decodes it with the binding decoders and parses it strictly. Nothing
 * is verified.
 */
export function readMessageInput({ text, source }: InputText): MessageInput {
  if (text.length === 0) throw new SamlError('SAML_BINDING_DECODE_FAILED', 'input is empty');
  if (text.startsWith('<')) return fromXml(text);
  if (text.startsWith('{')) return fromJson(text);
  if (/^https?:\/\//i.test(text)) return fromQuery(text, 'url');
  if (/(?:^[?]?|&)SAML(?:Request|Response)=/.test(text)) return fromQuery(text, 'query');
  return fromBase64(text, source);
}

/** The unverified header, type and RelayState, from the library's `inspectMessage`. */
export function inspectInput(input: MessageInput): InspectedMessage {
  return inspectMessage(input.inspection, maxBytes);
}
