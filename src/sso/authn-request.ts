import type { Received } from '../bindings/receive.js';
import { SamlError } from '../errors/index.js';
import { type MessageFields, type NameIdValue, readHeader, readNameId } from '../message/header.js';
import {
  attribute,
  childElements,
  childrenNamed,
  type Element,
  isElement,
  optionalChild,
  parseCarried,
  readText,
} from '../xml/index.js';

/** The `samlp:NameIDPolicy` of a request (SAMLCore §3.4.1.1); each part only when present. */
export interface NameIdPolicy {
  format?: string;
  spNameQualifier?: string;
  allowCreate?: boolean;
}

/** How the requested contexts compare with the one used (SAMLCore §3.3.2.2.1). */
export type AuthnContextComparison = 'exact' | 'minimum' | 'maximum' | 'better';

/** The `samlp:RequestedAuthnContext` of a request: class references or declaration references. */
export interface RequestedAuthnContext {
  /** Default `exact`. */
  comparison: AuthnContextComparison;
  classRefs: string[];
  declRefs: string[];
}

/** An AuthnRequest as read from verified bytes (SAMLCore §3.4.1). */
export interface AuthnRequest extends MessageFields {
  /** Required by the Web SSO profile (SAMLProf §4.1.4.1). */
  issuer: NameIdValue;
  /** The SP asks for a fresh authentication, not an existing session. */
  forceAuthn: boolean;
  /** The SP asks that the user is not interacted with: answer NoPassive when that is impossible. */
  isPassive: boolean;
  /** Binding URI the Response should use. */
  protocolBinding?: string;
  /** Where the SP wants the Response; only a registered URL is ever used. */
  assertionConsumerServiceUrl?: string;
  assertionConsumerServiceIndex?: number;
  attributeConsumingServiceIndex?: number;
  providerName?: string;
  nameIdPolicy?: NameIdPolicy;
  requestedAuthnContext?: RequestedAuthnContext;
  /** The principal the SP asks about, when the request names one by NameID. */
  subject?: NameIdValue;
}

function invalid(message: string): never {
  throw new SamlError('SAML_MESSAGE_INVALID', message);
}

/** xs:boolean after whitespace collapsing: `true`, `false`, `1` or `0`. */
function readBoolean(node: Element, name: string): boolean | undefined {
  const value = attribute(node, name);
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return invalid(`${name} is not a boolean`);
}

/** xs:unsignedShort (SAMLCore §3.4.1 uses it for the two service indexes). */
function readUnsignedShort(node: Element, name: string): number | undefined {
  const value = attribute(node, name);
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^\+?\d{1,5}$/.test(text) || Number(text) > 65535) invalid(`${name} is not an unsignedShort`);
  return Number(text);
}

const uriPattern = /^[a-z][a-z0-9+.-]*:\S+$/i;

function readUri(node: Element, name: string): string | undefined {
  const value = attribute(node, name);
  if (value !== undefined && !uriPattern.test(value)) invalid(`${name} is not a URI`);
  return value;
}

function readNameIdPolicy(node: Element): NameIdPolicy {
  const policy: NameIdPolicy = {};
  const format = readUri(node, 'Format');
  const spNameQualifier = attribute(node, 'SPNameQualifier');
  const allowCreate = readBoolean(node, 'AllowCreate');
  if (format !== undefined) policy.format = format;
  if (spNameQualifier !== undefined) policy.spNameQualifier = spNameQualifier;
  if (allowCreate !== undefined) policy.allowCreate = allowCreate;
  return policy;
}

const comparisons: readonly AuthnContextComparison[] = ['exact', 'minimum', 'maximum', 'better'];

function readRequestedAuthnContext(node: Element): RequestedAuthnContext {
  const comparison = attribute(node, 'Comparison') ?? 'exact';
  if (!(comparisons as readonly string[]).includes(comparison))
    invalid('RequestedAuthnContext Comparison is not exact, minimum, maximum or better');
  const classRefs = childrenNamed(node, 'saml', 'AuthnContextClassRef').map(readText);
  const declRefs = childrenNamed(node, 'saml', 'AuthnContextDeclRef').map(readText);
  // A choice of one or more class references, or one or more declaration references.
  if (classRefs.length + declRefs.length === 0 || (classRefs.length > 0 && declRefs.length > 0))
    invalid('RequestedAuthnContext needs class references or declaration references');
  if (childElements(node).length !== classRefs.length + declRefs.length)
    invalid('RequestedAuthnContext has unexpected children');
  return { comparison: comparison as AuthnContextComparison, classRefs, declRefs };
}

/**
 * Reads an AuthnRequest from an ALREADY VERIFIED document (a `receive*`
 * result, whose parse of the verified bytes is reused, or its `xml`): its header, the ACS it asks for, ForceAuthn, IsPassive,
 * NameIDPolicy, RequestedAuthnContext and Subject. Structure only: whether the
 * provider registered that ACS and issues that NameID format is
 * `checkAuthnRequest`'s job. Missing or malformed parts are `SamlError`s.
 */
export function parseAuthnRequest(verified: Received | string): AuthnRequest {
  const { root } = parseCarried(verified);
  const { type: _type, inResponseTo: _i, notOnOrAfter: _n, ...header } = readHeader(root, ['AuthnRequest']);
  if (header.issuer === undefined || header.issuer.value === '')
    invalid('AuthnRequest has no Issuer (SAMLProf §4.1.4.1)');
  const request: AuthnRequest = {
    ...header,
    issuer: header.issuer,
    forceAuthn: readBoolean(root, 'ForceAuthn') ?? false,
    isPassive: readBoolean(root, 'IsPassive') ?? false,
  };
  const protocolBinding = readUri(root, 'ProtocolBinding');
  const acsUrl = attribute(root, 'AssertionConsumerServiceURL');
  const acsIndex = readUnsignedShort(root, 'AssertionConsumerServiceIndex');
  // SAMLCore §3.4.1: the index is mutually exclusive with the URL and the binding.
  if (acsIndex !== undefined && (acsUrl !== undefined || protocolBinding !== undefined))
    invalid('AssertionConsumerServiceIndex excludes AssertionConsumerServiceURL and ProtocolBinding');
  if (protocolBinding !== undefined) request.protocolBinding = protocolBinding;
  if (acsUrl !== undefined) request.assertionConsumerServiceUrl = acsUrl;
  if (acsIndex !== undefined) request.assertionConsumerServiceIndex = acsIndex;
  const attributeIndex = readUnsignedShort(root, 'AttributeConsumingServiceIndex');
  if (attributeIndex !== undefined) request.attributeConsumingServiceIndex = attributeIndex;
  const providerName = attribute(root, 'ProviderName');
  if (providerName !== undefined) request.providerName = providerName;

  const subject = optionalChild(root, 'saml', 'Subject');
  if (subject) {
    const nameId = optionalChild(subject, 'saml', 'NameID');
    if (nameId) request.subject = readNameId(nameId);
    else if (
      childElements(subject).some(
        (c) => isElement(c, 'saml', 'EncryptedID') || isElement(c, 'saml', 'BaseID'),
      )
    )
      invalid('AuthnRequest Subject names the principal by BaseID or EncryptedID, which is not supported');
  }
  const policy = optionalChild(root, 'samlp', 'NameIDPolicy');
  if (policy) request.nameIdPolicy = readNameIdPolicy(policy);
  const requested = optionalChild(root, 'samlp', 'RequestedAuthnContext');
  if (requested) request.requestedAuthnContext = readRequestedAuthnContext(requested);
  return request;
}
