import type { SignatureAlgorithm } from '../constants/algorithms.js';
import type { Binding } from '../constants/saml.js';
import { type AlgorithmPolicy, type KeyPair, toKeyPair } from '../crypto/index.js';
import { SamlError } from '../errors/index.js';
import { type Clock, systemClock } from '../message/context.js';
import { type MessageHeader, type MessageType, readHeader } from '../message/header.js';
import { parseInstant } from '../message/instant.js';
import { type ParsedXml, parseXml } from '../xml/index.js';

/** What to check on an incoming message. `{ trust }` alone is a complete call. */
export interface ReceiveOptions extends AlgorithmPolicy {
  /** Certificates of the peer (several for rollover): KeyPairs or PEM / base64 strings. Never KeyInfo. */
  trust: readonly (KeyPair | string)[];
  /**
   * Default true. Set false only where the channel itself authenticates the peer
   * (e.g. mutually authenticated TLS on SOAP). A present signature is always verified.
   */
  requireSignature?: boolean;
  /** Maximum decoded XML size in bytes, also the inflate cap. Default 256 KiB. */
  maxBytes?: number;
  /** Accepted root types; default all four protocol messages samlkit reads. */
  messageTypes?: readonly MessageType[];
  /** Each check runs when its value is given (the facade gives them all). */
  expect?: {
    /** The peer's entity ID; the message Issuer must equal it exactly. */
    issuer?: string;
    /** Our endpoint URL; Destination must equal it, and is required when the message is signed. */
    destination?: string;
    /** For responses: the ID of the request we sent. */
    inResponseTo?: string;
  };
  /** Clock for IssueInstant / NotOnOrAfter checks, which always run. Default: system time. */
  clock?: Clock;
  /** Allowed clock difference with the peer. Default 180 s. */
  clockSkewMs?: number;
  /** Oldest IssueInstant accepted, before skew. Default 10 minutes. */
  maxMessageAgeMs?: number;
  /**
   * RelayState limit in UTF-8 bytes. Default 80 (SAMLBind §3.4.3, a limit on the
   * sender); at most 8192. Real SPs send more (SimpleSAMLphp puts its return URL
   * there), so the identity provider facade accepts up to 2048 by default.
   */
  maxRelayStateBytes?: number;
}

/** A message that passed the binding, signature and message checks. */
export interface Received {
  /** The parameter it arrived in. */
  type: 'SAMLRequest' | 'SAMLResponse';
  binding: Binding;
  /** The root element's type. */
  messageType: MessageType;
  /** The verified bytes only: read fields from here, e.g. `parseLogoutRequest(received)`, which reuses the verified tree they were made of. */
  xml: string;
  relayState?: string;
  signed: boolean;
  algorithm?: SignatureAlgorithm;
  /** The trusted certificate that verified the signature. */
  certificate?: KeyPair;
  /** ID, Issuer, Destination, IssueInstant, InResponseTo, NotOnOrAfter, read from the verified bytes. */
  header: MessageHeader;
}

export const defaultReceiveLimits = {
  maxBytes: 256 * 1024,
  clockSkewMs: 180_000,
  maxMessageAgeMs: 600_000,
  maxRelayStateBytes: 80,
} as const;

export function trustedKeys(options: ReceiveOptions): KeyPair[] {
  if (!options || !Array.isArray(options.trust)) throw new TypeError('receive options need a `trust` array');
  return options.trust.map((value) => toKeyPair(value));
}

export function expectedTypes(
  parameter: 'SAMLRequest' | 'SAMLResponse',
  options: ReceiveOptions,
): readonly MessageType[] {
  // The parameter name is bound to the root type: renaming it must fail (attacks §7).
  const byParameter: readonly MessageType[] =
    parameter === 'SAMLRequest' ? ['LogoutRequest', 'AuthnRequest'] : ['LogoutResponse', 'Response'];
  return options.messageTypes ? byParameter.filter((t) => options.messageTypes!.includes(t)) : byParameter;
}

/** The one message parameter present: exactly one of SAMLRequest or SAMLResponse (SAMLBind §3.4.4, §3.5.4). */
export function onlyMessageParameter(
  has: (name: 'SAMLRequest' | 'SAMLResponse') => boolean,
): 'SAMLRequest' | 'SAMLResponse' {
  if (has('SAMLRequest') === has('SAMLResponse')) {
    throw new SamlError(
      'SAML_BINDING_PARAMETER_INVALID',
      'exactly one of SAMLRequest or SAMLResponse is required',
    );
  }
  return has('SAMLRequest') ? 'SAMLRequest' : 'SAMLResponse';
}

const relayStateForbidden = /[\u0000-\u001F\u007F]/;

/** The most any RelayState limit can be raised to: a redirect URL has to carry it. */
export const maxRelayStateLimit = 8192;

/**
 * Outgoing RelayState: at most 80 bytes (SAMLBind §3.4.3, §3.5.3) and no control
 * characters, so the peer can echo it back to us. `limit` is raised only to echo,
 * byte for byte, a RelayState a peer sent (SAMLBind §3.4.3: the same value MUST be returned).
 */
export function checkOutgoingRelayState(relayState: string | undefined, limit = 80): void {
  if (relayState === undefined) return;
  const max = Math.min(limit, maxRelayStateLimit);
  if (
    typeof relayState !== 'string' ||
    Buffer.byteLength(relayState, 'utf8') > max ||
    relayStateForbidden.test(relayState)
  ) {
    throw new SamlError(
      'SAML_RELAY_STATE_INVALID',
      `RelayState must be at most ${max} bytes without control characters`,
    );
  }
}

export function checkRelayState(relayState: string | undefined, options: ReceiveOptions): void {
  if (relayState === undefined) return;
  const limit = Math.min(
    options.maxRelayStateBytes ?? defaultReceiveLimits.maxRelayStateBytes,
    maxRelayStateLimit,
  );
  if (Buffer.byteLength(relayState, 'utf8') > limit) {
    throw new SamlError('SAML_RELAY_STATE_INVALID', 'RelayState exceeds its byte limit');
  }
  if (relayStateForbidden.test(relayState)) {
    throw new SamlError('SAML_RELAY_STATE_INVALID', 'RelayState contains control characters');
  }
}

/** Message-level checks on the header read from verified bytes (SAMLCore §3.2, SAMLBind §3.4.5.2). */
export function checkHeader(header: MessageHeader, signed: boolean, options: ReceiveOptions): void {
  const expect = options.expect ?? {};
  if (expect.issuer !== undefined && header.issuer?.value !== expect.issuer) {
    throw new SamlError('SAML_ISSUER_MISMATCH', 'Issuer is not the expected entity', {
      details: { expected: expect.issuer, ...(header.issuer ? { actual: header.issuer.value } : {}) },
    });
  }
  if (expect.destination !== undefined) {
    if (header.destination === undefined ? signed : header.destination !== expect.destination) {
      throw new SamlError('SAML_DESTINATION_MISMATCH', 'Destination is not this endpoint', {
        details: {
          expected: expect.destination,
          ...(header.destination ? { actual: header.destination } : {}),
        },
      });
    }
  }
  if (expect.inResponseTo !== undefined && header.inResponseTo !== expect.inResponseTo) {
    throw new SamlError('SAML_IN_RESPONSE_TO_MISMATCH', 'InResponseTo does not name our request', {
      details: {
        expected: expect.inResponseTo,
        ...(header.inResponseTo ? { actual: header.inResponseTo } : {}),
      },
    });
  }
  const now = (options.clock ?? systemClock)().getTime();
  const skew = options.clockSkewMs ?? defaultReceiveLimits.clockSkewMs;
  const maxAge = options.maxMessageAgeMs ?? defaultReceiveLimits.maxMessageAgeMs;
  const issued = parseInstant(header.issueInstant, 'IssueInstant');
  if (issued > now + skew || issued < now - maxAge - skew) {
    throw new SamlError('SAML_MESSAGE_EXPIRED', 'IssueInstant is outside the accepted window');
  }
  if (header.notOnOrAfter !== undefined && now - skew >= parseInstant(header.notOnOrAfter, 'NotOnOrAfter')) {
    throw new SamlError('SAML_MESSAGE_EXPIRED', 'NotOnOrAfter has passed');
  }
}

/** Reads and checks the header of a parse of verified bytes, and assembles the result. */
export function finishReceive(
  parsed: ParsedXml,
  xml: string,
  base: Omit<Received, 'xml' | 'header' | 'messageType'>,
  options: ReceiveOptions,
): Received {
  const header = readHeader(parsed.root, expectedTypes(base.type, options));
  checkHeader(header, base.signed, options);
  // Field by field in the order a spread would give: copying `base`, whose optional fields vary
  // by call, is a slow generic object copy on every message.
  const received = { type: base.type, binding: base.binding } as Received;
  if (base.relayState !== undefined) received.relayState = base.relayState;
  received.signed = base.signed;
  if (base.algorithm !== undefined) received.algorithm = base.algorithm;
  if (base.certificate !== undefined) received.certificate = base.certificate;
  received.messageType = header.type;
  received.xml = xml;
  received.header = header;
  return received;
}

/**
 * The parse an unverified inspection of the same request made (`inspectMessage`),
 * handed to its receive step so the same text is not decoded and parsed twice.
 */
export interface EarlierParse {
  readonly xml: string;
  readonly maxBytes: number;
  readonly parsed: ParsedXml;
  /**
   * For HTTP-Redirect: the still form-encoded message parameter `xml` was decoded from, without
   * `allowUncompressed`. Decoding is a function of those bytes, so the receive step that finds
   * exactly this parameter takes `xml` instead of inflating it again.
   */
  readonly encodedMessage?: string;
}

/**
 * Parses `xml`, or takes the earlier parse when it was made of exactly this text under the same
 * limit. `maxBytes` is the only XML limit receive options set; compare any other one added later.
 */
export function parseOrReuse(xml: string, maxBytes: number, earlier: EarlierParse | undefined): ParsedXml {
  if (earlier !== undefined && earlier.maxBytes === maxBytes && earlier.xml === xml) return earlier.parsed;
  return parseXml(xml, { maxBytes });
}
