import type { Received } from '../bindings/receive.js';
import { type StatusCodeName, statusCodes, type TopLevelStatus } from '../constants/saml.js';
import { SamlError } from '../errors/index.js';
import { InputIssues, isHttpUrl, type MessageContext, resolveContext } from '../message/build-input.js';
import { isValidId } from '../message/context.js';
import { type MessageFields, readHeader } from '../message/header.js';
import {
  attribute,
  carryTree,
  childrenNamed,
  type Element,
  element,
  optionalChild,
  parseCarried,
  readText,
  serialize,
  type XmlElement,
} from '../xml/index.js';

/** A status to send: top-level code, optional second-level code and message (SAMLCore §3.2.2.2). */
export interface StatusInput {
  code: TopLevelStatus;
  /** A second-level code name (`PartialLogout`, `UnknownPrincipal`, `RequestDenied`, …) or a full URI. */
  subCode?: StatusCodeName | (string & {});
  message?: string;
}

/** Input to {@link buildLogoutResponse} (SAMLCore §3.7.2). */
export interface BuildLogoutResponseInput extends MessageContext {
  issuer: string;
  /** The SP's SingleLogoutService (response) URL, from configuration. */
  destination?: string;
  /** ID of the LogoutRequest answered; omit only for an unsolicited response. */
  inResponseTo?: string;
  /** Default `{ code: 'Success' }`. */
  status?: StatusInput;
}

/** A Status as read from a response. */
export interface Status {
  /** Top-level status code URI. */
  code: string;
  /** Second-level status code URI, when present. */
  subCode?: string;
  message?: string;
  /** True only when the top-level code is Success. */
  success: boolean;
}

/** A LogoutResponse as read from verified bytes. */
export interface LogoutResponse extends MessageFields {
  inResponseTo?: string;
  status: Status;
}

const topLevel = new Set<string>([
  statusCodes.Success,
  statusCodes.Requester,
  statusCodes.Responder,
  statusCodes.VersionMismatch,
]);

/** A status code name's URI, or the code itself when it is already a URI. */
export function statusCodeUri(code: string): string | undefined {
  if (Object.hasOwn(statusCodes, code)) return statusCodes[code as StatusCodeName];
  return /^[a-z][a-z0-9+.-]*:\S+$/i.test(code) ? code : undefined;
}

/** Builds a `samlp:Status` element; shared by every status response. */
export function buildStatus(status: StatusInput, issues: InputIssues): XmlElement | undefined {
  const top = statusCodes[status.code];
  issues.check(
    top !== undefined && topLevel.has(top),
    ['status', 'code'],
    'must be Success, Requester, Responder or VersionMismatch',
  );
  const sub = status.subCode === undefined ? undefined : statusCodeUri(status.subCode);
  if (status.subCode !== undefined)
    issues.check(sub !== undefined, ['status', 'subCode'], 'must be a status code name or URI');
  if (status.message !== undefined)
    issues.check(typeof status.message === 'string', ['status', 'message'], 'must be a string');
  if (top === undefined) return undefined;
  return element('samlp:Status', {}, [
    element('samlp:StatusCode', { Value: top }, [
      sub === undefined ? undefined : element('samlp:StatusCode', { Value: sub }),
    ]),
    status.message === undefined ? undefined : element('samlp:StatusMessage', {}, [status.message]),
  ]);
}

/** Builds the element tree of a LogoutResponse. */
export function buildLogoutResponseTree(input: BuildLogoutResponseInput): {
  id: string;
  tree: XmlElement;
  /** The Destination written, if any, read once from the input and checked. */
  destination: string | undefined;
} {
  const issues = new InputIssues();
  issues.require(input.issuer, ['issuer']);
  const destination = input.destination;
  if (destination !== undefined)
    issues.check(isHttpUrl(destination), ['destination'], 'must be an absolute http(s) URL');
  // Echoed from an incoming request: it must stay an NCName so it cannot inject markup or IDs (attacks §11).
  if (input.inResponseTo !== undefined)
    issues.check(
      typeof input.inResponseTo === 'string' && isValidId(input.inResponseTo),
      ['inResponseTo'],
      'must be a valid SAML ID',
    );
  const status = buildStatus(input.status ?? { code: 'Success' }, issues);
  issues.throwIfAny('LogoutResponse');
  const { id, issueInstant } = resolveContext(input);
  const tree = element(
    'samlp:LogoutResponse',
    {
      Version: '2.0',
      IssueInstant: issueInstant,
      ID: id,
      Destination: destination,
      InResponseTo: input.inResponseTo,
    },
    [element('saml:Issuer', {}, [input.issuer]), status],
    ['samlp', 'saml'],
  );
  return { id, tree, destination };
}

/**
 * Builds an unsigned LogoutResponse (SAMLCore §3.7.2); sign it when encoding
 * (pass the result itself as the encoder's `xml`: its tree is signed without a parse).
 *
 * @example
 * buildLogoutResponse({ issuer: 'https://idp.example.com', destination: 'https://sp.example.com/slo',
 *   inResponseTo: request.id, status: { code: 'Responder', subCode: 'PartialLogout' } });
 */
export function buildLogoutResponse(input: BuildLogoutResponseInput): { id: string; xml: string } {
  const { id, tree, destination } = buildLogoutResponseTree(input);
  // Encoders that sign take this tree instead of parsing the text again (bound to this exact text),
  // and skip checking an action URL that is this checked Destination, the very same string.
  return carryTree({ id, xml: serialize(tree) }, tree, destination);
}

/** Reads the Status of a status response root. */
export function readStatus(root: Element): Status {
  const statusNode = optionalChild(root, 'samlp', 'Status');
  if (!statusNode) throw new SamlError('SAML_MESSAGE_INVALID', 'response has no Status');
  const codes = childrenNamed(statusNode, 'samlp', 'StatusCode');
  if (codes.length !== 1)
    throw new SamlError('SAML_MESSAGE_INVALID', 'Status must have exactly one StatusCode');
  const code = attribute(codes[0]!, 'Value');
  if (code === undefined || !topLevel.has(code)) {
    throw new SamlError('SAML_MESSAGE_INVALID', 'top-level StatusCode is not a SAML top-level status');
  }
  const status: Status = { code, success: code === statusCodes.Success };
  const nested = childrenNamed(codes[0]!, 'samlp', 'StatusCode');
  if (nested.length > 1)
    throw new SamlError('SAML_MESSAGE_INVALID', 'StatusCode has more than one nested StatusCode');
  if (nested[0]) {
    const subCode = attribute(nested[0], 'Value');
    if (subCode === undefined) throw new SamlError('SAML_MESSAGE_INVALID', 'nested StatusCode has no Value');
    status.subCode = subCode;
  }
  const message = optionalChild(statusNode, 'samlp', 'StatusMessage');
  if (message) status.message = readText(message);
  return status;
}

/**
 * Reads a LogoutResponse from an ALREADY VERIFIED document: a `receive*`
 * result (whose parse of the verified bytes is reused), or its `xml`.
 */
export function parseLogoutResponse(verified: Received | string): LogoutResponse {
  const { root } = parseCarried(verified);
  const { type: _type, notOnOrAfter: _n, ...header } = readHeader(root, ['LogoutResponse']);
  return { ...header, status: readStatus(root) };
}
