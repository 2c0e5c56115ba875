import { type SignatureAlgorithm, signatureAlgorithms } from '../constants/algorithms.js';
import {
  acceptSignatureAlgorithm,
  checkSigningChoice,
  defaultSignatureAlgorithm,
  type KeyPair,
  signQueryString,
  verifyQueryString,
} from '../crypto/index.js';
import { SamlError } from '../errors/index.js';
import { isHttpUrl } from '../message/build-input.js';
import { messageTypeOf } from '../message/header.js';
import { checkTextOnlyElements } from '../message/text-only.js';
import { carriesCheckedDestination, carryParse, parseXml } from '../xml/index.js';
import { decodeBase64Strict, decodeUtf8Strict, encodeBase64 } from './base64.js';
import { deflate, inflateCapped } from './deflate.js';
import { formDecode, formEncode, formEncodeBase64, splitRawParameters } from './form-encoding.js';
import {
  checkOutgoingRelayState,
  checkRelayState,
  defaultReceiveLimits,
  type EarlierParse,
  expectedTypes,
  finishReceive,
  onlyMessageParameter,
  parseOrReuse,
  type Received,
  type ReceiveOptions,
  trustedKeys,
} from './receive.js';
import { textOf } from './sign-xml.js';

/** How to sign an outgoing message. */
export interface SignOptions {
  key: KeyPair;
  /** Default: RSA-SHA256, or ECDSA with the hash matching the curve. */
  algorithm?: SignatureAlgorithm;
  /** @deprecated Allows SHA-1; practical collisions exist. */
  unsafeAllowSha1?: boolean;
  /** @deprecated Allows DSA keys. */
  unsafeAllowDsa?: boolean;
}

/** Input to {@link encodeRedirect}. */
export interface EncodeRedirectInput {
  type: 'SAMLRequest' | 'SAMLResponse';
  /** An unsigned message, e.g. from `buildLogoutRequest`: its text, or the builder's result. */
  xml: string | { readonly xml: string };
  /** The peer endpoint, from configuration. Existing query parameters are kept (unsigned). */
  destination: string;
  /** Opaque, at most 80 bytes (SAMLBind §3.4.3) unless `maxRelayStateBytes` says otherwise; omitted when empty. */
  relayState?: string;
  /**
   * Default 80. Raise it only to return, byte for byte, a longer RelayState the
   * peer sent (the identity provider facade passes its receive limit); at most 8192.
   */
  maxRelayStateBytes?: number;
  sign?: SignOptions;
}

const deflateEncoding = 'urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE';
// The SigAlg values are a fixed list of URIs: form-encoded once, not per message.
const encodedAlgorithms: ReadonlyMap<string, string> = new Map(
  Object.values(signatureAlgorithms).map((uri) => [uri, formEncode(uri)]),
);
const xmlDeclaration = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * HTTP-Redirect binding (SAMLBind §3.4): raw DEFLATE, base64, form-encoding.
 * When signing, the exact octet string placed in the URL
 * (`SAMLRequest=…[&RelayState=…]&SigAlg=…`) is what gets signed, and
 * `Signature` comes last. Returns the full URL.
 */
export function encodeRedirect(input: EncodeRedirectInput): string {
  // A builder's result whose Destination is this very string was checked by the same rule.
  if (!carriesCheckedDestination(input.xml, input.destination) && !isHttpUrl(input.destination)) {
    throw new SamlError('SAML_INPUT_INVALID', 'destination must be an absolute http(s) URL', {
      details: { issues: [{ path: ['destination'], message: 'must be an absolute http(s) URL' }] },
    });
  }
  if (input.type !== 'SAMLRequest' && input.type !== 'SAMLResponse')
    throw new TypeError('type must be SAMLRequest or SAMLResponse');
  checkOutgoingRelayState(input.relayState, input.maxRelayStateBytes);
  // SAMLBind §3.4.4.1: any XML signature must be removed before encoding.
  // An element named Signature needs those letters in the text: most messages skip the parse.
  const xml = textOf(input.xml);
  if (xml.includes('Signature') && parseXml(xml).signatureCount > 0) {
    throw new SamlError('SAML_INPUT_INVALID', 'HTTP-Redirect messages carry no XML signature', {
      details: { issues: [{ path: ['xml'], message: 'must not contain a ds:Signature' }] },
    });
  }
  const payload = xml.startsWith('<?xml') ? xml : xmlDeclaration + xml;
  let octets = `${input.type}=${formEncodeBase64(encodeBase64(deflate(payload)))}`;
  if (input.relayState) octets += `&RelayState=${formEncode(input.relayState)}`;
  if (input.sign) {
    const algorithm = input.sign.algorithm ?? defaultSignatureAlgorithm(input.sign.key);
    checkSigningChoice(input.sign.key, algorithm, 'http://www.w3.org/2001/04/xmlenc#sha256', input.sign);
    octets += `&SigAlg=${encodedAlgorithms.get(algorithm) ?? formEncode(algorithm)}`;
    octets += `&Signature=${formEncodeBase64(signQueryString(input.sign.key, algorithm, octets))}`;
  }
  return input.destination + (input.destination.includes('?') ? '&' : '?') + octets;
}

/** Extra options of {@link receiveRedirect}. */
export interface ReceiveRedirectOptions extends ReceiveOptions {
  /**
   * Accept a `SAMLRequest`/`SAMLResponse` that is base64 but not deflated.
   * Off by default: the binding requires DEFLATE, and guessing hides bugs.
   */
  allowUncompressed?: boolean;
  /**
   * Also accept a signature computed over the parameters re-encoded with
   * `encodeURIComponent`, after the raw bytes failed. Some SPs (node-saml ≤ 5.1
   * with RelayState containing spaces or `!'()~`) sign bytes that differ from
   * the URL they send. The signature still covers the same decoded values, so
   * this loosens interop, not integrity. Off by default.
   */
  acceptReencodedSignature?: boolean;
}

const samlParameters = [
  'SAMLRequest',
  'SAMLResponse',
  'RelayState',
  'SigAlg',
  'Signature',
  'SAMLEncoding',
] as const;
type SamlParameter = (typeof samlParameters)[number];
const lowerNames = samlParameters.map((n) => n.toLowerCase());

/**
 * Decodes the raw (still form-encoded) SAMLRequest/SAMLResponse value of an
 * HTTP-Redirect message: strict base64, capped raw inflate, strict UTF-8.
 */
export function decodeRedirectMessage(
  rawValue: string,
  maxBytes: number,
  allowUncompressed: boolean,
): string {
  const compressed = decodeBase64Strict(formDecode(rawValue));
  let bytes: Uint8Array;
  try {
    bytes = inflateCapped(compressed, maxBytes);
  } catch (error) {
    const plain = allowUncompressed && compressed[0] === 0x3c; // '<'
    if (!plain || (error as SamlError).code === 'SAML_BINDING_LIMIT_EXCEEDED' || compressed.length > maxBytes)
      throw error;
    bytes = compressed;
  }
  return decodeUtf8Strict(bytes);
}

export function rawQueryOf(input: string): string {
  const question = input.indexOf('?');
  let query = question === -1 ? input : input.slice(question + 1);
  const hash = query.indexOf('#');
  if (hash !== -1) query = query.slice(0, hash);
  return query;
}

export function collectParameters(query: string): Map<SamlParameter, string> {
  const found = new Map<SamlParameter, string>();
  for (const { name, rawValue } of splitRawParameters(query)) {
    if ((samlParameters as readonly string[]).includes(name)) {
      if (found.has(name as SamlParameter)) {
        throw new SamlError('SAML_BINDING_PARAMETER_INVALID', `duplicate ${name} parameter`);
      }
      found.set(name as SamlParameter, rawValue);
      continue;
    }
    // A name that decodes or folds to a SAML parameter is smuggling (e.g. SAML%52equest, samlrequest, SAMLRequest[]).
    let decoded: string;
    try {
      decoded = formDecode(name).trim().toLowerCase();
    } catch {
      decoded = name.toLowerCase();
    }
    if (lowerNames.some((n) => decoded.startsWith(n))) {
      throw new SamlError('SAML_BINDING_PARAMETER_INVALID', 'parameter name imitates a SAML parameter');
    }
  }
  return found;
}

/**
 * Receives an HTTP-Redirect message from a raw query string or full URL:
 * parameters are taken from the raw query (never a framework's decoded map),
 * the signature is verified over the exact received substrings in binding order
 * before anything is decoded, then strict base64, capped raw inflate, strict
 * parsing and the message checks. Synchronous and fail-closed.
 */
export function receiveRedirect(rawQueryOrUrl: string, options: ReceiveRedirectOptions): Received {
  return receiveRedirectReusing(rawQueryOrUrl, options, undefined);
}

/** {@link receiveRedirect}, taking the parse an inspection of the same request made when the text is the same. */
export function receiveRedirectReusing(
  rawQueryOrUrl: string,
  options: ReceiveRedirectOptions,
  earlier: EarlierParse | undefined,
): Received {
  if (typeof rawQueryOrUrl !== 'string')
    throw new TypeError('receiveRedirect expects the raw query string or URL');
  const trusted = trustedKeys(options);
  const maxBytes = options.maxBytes ?? defaultReceiveLimits.maxBytes;
  const query = rawQueryOrUrl.length > maxBytes * 2 ? undefined : rawQueryOf(rawQueryOrUrl);
  if (query === undefined) {
    throw new SamlError('SAML_BINDING_LIMIT_EXCEEDED', 'query exceeds the size limit', {
      details: { limit: maxBytes * 2 },
    });
  }
  const params = collectParameters(query);
  const type = onlyMessageParameter((name) => params.has(name));
  const encoding = params.get('SAMLEncoding');
  if (encoding !== undefined && formDecode(encoding) !== deflateEncoding) {
    throw new SamlError('SAML_BINDING_PARAMETER_INVALID', 'SAMLEncoding is not DEFLATE');
  }
  const rawMessage = params.get(type)!;
  const rawRelayState = params.get('RelayState');
  const rawSigAlg = params.get('SigAlg');
  const rawSignature = params.get('Signature');
  const relayState = rawRelayState === undefined ? undefined : formDecode(rawRelayState);
  checkRelayState(relayState, options);

  let signed = false;
  let algorithm: SignatureAlgorithm | undefined;
  let certificate: KeyPair | undefined;
  if (rawSigAlg !== undefined || rawSignature !== undefined) {
    if (rawSigAlg === undefined || rawSignature === undefined || rawSignature.length === 0) {
      throw new SamlError('SAML_BINDING_PARAMETER_INVALID', 'SigAlg and Signature must come together');
    }
    algorithm = acceptSignatureAlgorithm(formDecode(rawSigAlg), options);
    const signature = decodeBase64Strict(formDecode(rawSignature));
    // SAMLBind §3.4.4.1: sign/verify the original encoded values, in this order.
    let octets = `${type}=${rawMessage}`;
    if (rawRelayState !== undefined) octets += `&RelayState=${rawRelayState}`;
    octets += `&SigAlg=${rawSigAlg}`;
    try {
      certificate = verifyQueryString(trusted, algorithm, octets, signature, options);
    } catch (error) {
      if (!options.acceptReencodedSignature) throw error;
      let reencoded = `${type}=${encodeURIComponent(formDecode(rawMessage))}`;
      if (relayState !== undefined) reencoded += `&RelayState=${encodeURIComponent(relayState)}`;
      reencoded += `&SigAlg=${encodeURIComponent(algorithm)}`;
      certificate = verifyQueryString(trusted, algorithm, reencoded, signature, options);
    }
    signed = true;
  } else if (options.requireSignature !== false) {
    throw new SamlError('SAML_SIGNATURE_MISSING', 'HTTP-Redirect message is not signed');
  }

  const allowUncompressed = options.allowUncompressed === true;
  // The same encoded parameter, decoded under the same limit and rules, is the same text.
  const xml =
    earlier?.encodedMessage === rawMessage && earlier.maxBytes === maxBytes && !allowUncompressed
      ? earlier.xml
      : decodeRedirectMessage(rawMessage, maxBytes, allowUncompressed);
  // When signed, the signature covered the encoded message this text was decoded from.
  const parsed = parseOrReuse(xml, maxBytes, earlier);
  messageTypeOf(parsed.root, expectedTypes(type, options));
  checkTextOnlyElements(parsed.root);
  if (parsed.signatureCount > 0) {
    throw new SamlError('SAML_SIGNATURE_PROFILE_VIOLATION', 'HTTP-Redirect message carries an XML signature');
  }
  const received = finishReceive(
    parsed,
    xml,
    { type, binding: 'redirect', relayState, signed, algorithm: signed ? algorithm : undefined, certificate },
    options,
  );
  // The result carries the parse of its verified bytes on to parse* (nothing verification mutated).
  return carryParse(received, parsed);
}
