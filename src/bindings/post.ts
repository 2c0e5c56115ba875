import { SamlError } from '../errors/index.js';
import { isHttpUrl } from '../message/build-input.js';
import { carriesCheckedDestination } from '../xml/index.js';
import { decodeBase64Strict, decodeUtf8Strict, encodeBase64 } from './base64.js';
import { receiveEnveloped } from './enveloped.js';
import { formDecode, splitRawParameters } from './form-encoding.js';
import { renderBase64Input, renderHiddenInput, renderPostForm } from './html-form.js';
import {
  checkOutgoingRelayState,
  checkRelayState,
  defaultReceiveLimits,
  type EarlierParse,
  onlyMessageParameter,
  parseOrReuse,
  type Received,
  type ReceiveOptions,
} from './receive.js';
import { type EnvelopedSignOptions, signedText, textOf } from './sign-xml.js';

/** Input to {@link encodePost}. */
export interface EncodePostInput {
  type: 'SAMLRequest' | 'SAMLResponse';
  /**
   * The message: its text, or a builder's result (`buildLogoutRequest`,
   * `buildLogoutResponse`) as it was returned. Given the result, `sign` signs
   * the tree it was built from instead of parsing `xml` again, as long as its
   * `xml` is still the text it was built as (otherwise the text is parsed).
   */
  xml: string | { readonly xml: string };
  /** The form action: the peer endpoint from configuration. */
  destination: string;
  /** Opaque, at most 80 bytes (SAMLBind §3.5.3) unless `maxRelayStateBytes` says otherwise. */
  relayState?: string;
  /**
   * Default 80. Raise it only to return, byte for byte, a longer RelayState the
   * peer sent (the identity provider facade passes its receive limit); at most 8192.
   */
  maxRelayStateBytes?: number;
  /** Enveloped signature (SAMLCore §5.4), placed after the Issuer. */
  sign?: EnvelopedSignOptions;
  /** CSP nonce: enables the auto-submit script. Without it the page has no script. */
  nonce?: string;
}

/** An HTTP-POST message: where to post, the form fields, and a ready HTML page. */
export interface PostForm {
  url: string;
  fields: Record<string, string>;
  html: string;
  /** The XML that was encoded (signed when requested). */
  xml: string;
}

/** HTTP-POST binding (SAMLBind §3.5): base64 of the (optionally signed) XML in a form. */
export function encodePost(input: EncodePostInput): PostForm {
  // A builder's result whose Destination is this very string was checked by the same rule.
  if (!carriesCheckedDestination(input.xml, input.destination) && !isHttpUrl(input.destination)) {
    throw new SamlError('SAML_INPUT_INVALID', 'destination must be an absolute http(s) URL', {
      details: { issues: [{ path: ['destination'], message: 'must be an absolute http(s) URL' }] },
    });
  }
  if (input.type !== 'SAMLRequest' && input.type !== 'SAMLResponse')
    throw new TypeError('type must be SAMLRequest or SAMLResponse');
  // Same rule as HTTP-Redirect: at most 80 bytes, no control characters (SAMLBind §3.5.3).
  checkOutgoingRelayState(input.relayState, input.maxRelayStateBytes);
  const xml = input.sign ? signedText(input.xml, input.sign) : textOf(input.xml);
  const encoded = encodeBase64(xml);
  const fields: Record<string, string> = { [input.type]: encoded };
  let inputs = renderBase64Input(input.type, encoded);
  if (input.relayState) {
    fields.RelayState = input.relayState;
    inputs += renderHiddenInput('RelayState', input.relayState);
  }
  return {
    url: input.destination,
    fields,
    html: renderPostForm(input.destination, inputs, input.nonce === undefined ? {} : { nonce: input.nonce }),
    xml,
  };
}

/** Decodes the base64 form value of an HTTP-POST message to its XML, within the size limit. */
export function decodePostMessage(value: string, maxBytes: number): string {
  // Some SPs wrap base64 at 76 columns; CR/LF are the only characters dropped.
  const encoded = value.includes('\n') ? value.replace(/\r?\n/g, '') : value;
  if (encoded.length > Math.ceil(maxBytes / 3) * 4) {
    throw new SamlError('SAML_BINDING_LIMIT_EXCEEDED', 'message exceeds the size limit', {
      details: { limit: maxBytes },
    });
  }
  return decodeUtf8Strict(decodeBase64Strict(encoded));
}

const formNames = ['SAMLRequest', 'SAMLResponse', 'RelayState'] as const;

export function readForm(form: Record<string, unknown> | URLSearchParams | string): Map<string, string> {
  const found = new Map<string, string>();
  const add = (name: string, value: unknown) => {
    if (!(formNames as readonly string[]).includes(name)) return;
    if (found.has(name) || typeof value !== 'string') {
      throw new SamlError('SAML_BINDING_PARAMETER_INVALID', `duplicate or non-string ${name} field`);
    }
    found.set(name, value);
  };
  if (typeof form === 'string') {
    for (const { name, rawValue } of splitRawParameters(form)) {
      // Fields other than ours are ignored whatever their encoding; ours must decode strictly.
      let decoded: string;
      try {
        decoded = formDecode(name);
      } catch {
        continue;
      }
      if ((formNames as readonly string[]).includes(decoded)) add(decoded, formDecode(rawValue));
    }
  } else if (form instanceof URLSearchParams) {
    for (const [name, value] of form) add(name, value);
  } else if (typeof form === 'object' && form !== null) {
    for (const name of formNames) if (Object.hasOwn(form, name)) add(name, form[name]);
  } else {
    throw new TypeError('receivePost expects a form object, URLSearchParams or a urlencoded body');
  }
  return found;
}

/**
 * Receives an HTTP-POST message from the form fields (an object, URLSearchParams
 * or the raw urlencoded body). Strict base64 (line breaks tolerated), strict
 * parse, signature profile checks, trusted-key verification, and message
 * checks; the result's `xml` is the canonical signed bytes.
 */
export function receivePost(
  form: Record<string, unknown> | URLSearchParams | string,
  options: ReceiveOptions,
): Received {
  return receivePostReusing(form, options, undefined);
}

/** {@link receivePost}, taking the parse an inspection of the same request made when the text is the same. */
export function receivePostReusing(
  form: Record<string, unknown> | URLSearchParams | string,
  options: ReceiveOptions,
  earlier: EarlierParse | undefined,
): Received {
  const maxBytes = options.maxBytes ?? defaultReceiveLimits.maxBytes;
  // A raw body is bounded before it is split and decoded: base64 and percent-encoding
  // at most triple the message, and RelayState adds little.
  if (typeof form === 'string' && form.length > maxBytes * 4) {
    throw new SamlError('SAML_BINDING_LIMIT_EXCEEDED', 'form body exceeds the size limit', {
      details: { limit: maxBytes * 4 },
    });
  }
  const fields = readForm(form);
  const type = onlyMessageParameter((name) => fields.has(name));
  const relayState = fields.get('RelayState');
  checkRelayState(relayState, options);
  const xml = decodePostMessage(fields.get(type)!, maxBytes);
  const parsed = parseOrReuse(xml, maxBytes, earlier);
  return receiveEnveloped(
    parsed,
    xml,
    { type, binding: 'post', relayState: relayState || undefined },
    options,
  );
}
