import { namespaces } from '../constants/namespaces.js';
import { nameIdFormats } from '../constants/saml.js';
import { SamlError } from '../errors/index.js';
import { attribute, type Element, isElement, optionalChild, readText } from '../xml/index.js';
import { isValidId } from './context.js';
import { parseInstant } from './instant.js';

/** The protocol messages samlkit reads, by root element local name (samlp namespace). */
export type MessageType = 'LogoutRequest' | 'LogoutResponse' | 'AuthnRequest' | 'Response';

const messageTypes: readonly MessageType[] = ['LogoutRequest', 'LogoutResponse', 'AuthnRequest', 'Response'];

/** An `Issuer` or NameID-like value with its optional qualifiers (SAMLCore §2.2.3). */
export interface NameIdValue {
  value: string;
  format?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  spProvidedId?: string;
}

/** Attributes and children every SAML request and status response share (SAMLCore §3.2.1, §3.2.2). */
export interface MessageHeader {
  type: MessageType;
  id: string;
  version: string;
  issueInstant: string;
  destination?: string;
  consent?: string;
  issuer?: NameIdValue;
  /** StatusResponseType only. */
  inResponseTo?: string;
  /** LogoutRequest only (SAMLCore §3.7.1). */
  notOnOrAfter?: string;
}

/** The header fields every parsed message exposes (the type is implied by the parser used). */
export type MessageFields = Omit<MessageHeader, 'type' | 'inResponseTo' | 'notOnOrAfter'>;

/** Reads a NameIDType element: text only, qualifiers as attributes. */
export function readNameId(node: Element): NameIdValue {
  const result: NameIdValue = { value: readText(node) };
  const format = attribute(node, 'Format');
  const nameQualifier = attribute(node, 'NameQualifier');
  const spNameQualifier = attribute(node, 'SPNameQualifier');
  const spProvidedId = attribute(node, 'SPProvidedID');
  if (format !== undefined) result.format = format;
  if (nameQualifier !== undefined) result.nameQualifier = nameQualifier;
  if (spNameQualifier !== undefined) result.spNameQualifier = spNameQualifier;
  if (spProvidedId !== undefined) result.spProvidedId = spProvidedId;
  return result;
}

/** The message type of a root element, or a `SAML_MESSAGE_TYPE_MISMATCH`. */
export function messageTypeOf(root: Element, expected?: readonly MessageType[]): MessageType {
  const type = root.localName as MessageType;
  const known = root.namespaceURI === namespaces.samlp && messageTypes.includes(type);
  if (!known || (expected !== undefined && !expected.includes(type))) {
    throw new SamlError('SAML_MESSAGE_TYPE_MISMATCH', 'unexpected message type', {
      details: {
        expected: (expected ?? messageTypes).join('|'),
        actual:
          root.namespaceURI === namespaces.samlp ? type : `{${root.namespaceURI ?? ''}}${root.localName}`,
      },
    });
  }
  return type;
}

/** Reads and checks the shared header of a protocol message root. */
export function readHeader(root: Element, expected?: readonly MessageType[]): MessageHeader {
  const type = messageTypeOf(root, expected);
  const id = attribute(root, 'ID');
  if (id === undefined || !isValidId(id))
    throw new SamlError('SAML_MESSAGE_INVALID', 'message ID is missing or invalid');
  const version = attribute(root, 'Version');
  if (version === undefined) throw new SamlError('SAML_MESSAGE_INVALID', 'message Version is missing');
  if (version !== '2.0') throw new SamlError('SAML_VERSION_MISMATCH', 'message Version is not 2.0');
  const issueInstant = attribute(root, 'IssueInstant');
  if (issueInstant === undefined)
    throw new SamlError('SAML_MESSAGE_INVALID', 'message IssueInstant is missing');
  parseInstant(issueInstant, 'IssueInstant');
  const header: MessageHeader = { type, id, version, issueInstant };
  const destination = attribute(root, 'Destination');
  if (destination !== undefined) header.destination = destination;
  const consent = attribute(root, 'Consent');
  if (consent !== undefined) header.consent = consent;
  const issuerNode = optionalChild(root, 'saml', 'Issuer');
  if (issuerNode) {
    const issuer = readNameId(issuerNode);
    // SAML profiles §4.4.4.1: an Issuer Format, when present, is the entity format.
    if (issuer.format !== undefined && issuer.format !== nameIdFormats.entity) {
      throw new SamlError('SAML_ISSUER_MISMATCH', 'Issuer Format must be the entity format', {
        details: { expected: nameIdFormats.entity, actual: issuer.format },
      });
    }
    header.issuer = issuer;
  }
  if (type === 'LogoutResponse' || type === 'Response') {
    const inResponseTo = attribute(root, 'InResponseTo');
    if (inResponseTo !== undefined) header.inResponseTo = inResponseTo;
  }
  if (type === 'LogoutRequest') {
    const notOnOrAfter = attribute(root, 'NotOnOrAfter');
    if (notOnOrAfter !== undefined) {
      parseInstant(notOnOrAfter, 'NotOnOrAfter');
      header.notOnOrAfter = notOnOrAfter;
    }
  }
  return header;
}

/** True when the child is the saml:Issuer element. */
export function isIssuer(node: Element): boolean {
  return isElement(node, 'saml', 'Issuer');
}
