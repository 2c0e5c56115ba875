import { canonicalizeElement, findEnvelopedSignature } from '../crypto/index.js';
import { isSamlError } from '../errors/index.js';
import { parseLogoutRequest } from '../logout/logout-request.js';
import { parseLogoutResponse, readStatus, type Status } from '../logout/logout-response.js';
import type { MessageHeader, NameIdValue } from '../message/header.js';
import { attribute, type Element, optionalChild } from '../xml/index.js';
import type { MessageInput } from './message-input.js';
import { signatureAlgorithmName } from './names.js';
import { printable } from './printable.js';

/** What a message says about itself; for `decode` unverified, for `verify` read from the verified bytes. */
export interface MessageSummary {
  messageType: MessageHeader['type'];
  id: string;
  issueInstant: string;
  issuer?: string;
  destination?: string;
  notOnOrAfter?: string;
  inResponseTo?: string;
  nameId?: NameIdValue;
  sessionIndexes?: string[];
  reason?: string;
  status?: Status;
  /** A part of the message samlkit's parser refuses, as `CODE: message`. */
  problem?: string;
}

/** How a message is signed, as far as can be seen without verifying. */
export interface SignatureSummary {
  kind: 'query' | 'enveloped' | 'none' | 'misplaced';
  algorithm?: string;
  /** For `misplaced`: why the signature breaks the SAML signature profile. */
  problem?: string;
}

/** The protocol message alone, as a string the message parsers take (for SOAP: canonicalized out of the envelope). */
export function messageXmlOf(input: MessageInput): string {
  return input.form === 'soap' ? canonicalizeElement(input.message) : input.xml;
}

/** Header fields plus NameID/SessionIndex (LogoutRequest) or Status (responses), read from `xml`. */
export function summarizeMessage(header: MessageHeader, xml: string, root?: Element): MessageSummary {
  const summary: MessageSummary = {
    messageType: header.type,
    id: header.id,
    issueInstant: header.issueInstant,
    ...(header.issuer ? { issuer: header.issuer.value } : {}),
    ...(header.destination === undefined ? {} : { destination: header.destination }),
    ...(header.notOnOrAfter === undefined ? {} : { notOnOrAfter: header.notOnOrAfter }),
    ...(header.inResponseTo === undefined ? {} : { inResponseTo: header.inResponseTo }),
  };
  try {
    if (header.type === 'LogoutRequest') {
      const request = parseLogoutRequest(xml);
      if (request.nameId) summary.nameId = request.nameId;
      summary.sessionIndexes = request.sessionIndexes;
      if (request.reason !== undefined) summary.reason = request.reason;
    } else if (header.type === 'LogoutResponse') {
      summary.status = parseLogoutResponse(xml).status;
    } else if (header.type === 'Response' && root) {
      summary.status = readStatus(root);
    }
  } catch (error) {
    if (!isSamlError(error)) throw error;
    summary.problem = `${error.code}: ${error.message}`;
  }
  return summary;
}

/** The signature a decoded message carries: query parameters, or a `ds:Signature` of the message element. */
export function describeSignature(input: MessageInput): SignatureSummary {
  if (input.sigAlg !== undefined || input.querySignature) {
    return { kind: 'query', ...(input.sigAlg === undefined ? {} : { algorithm: input.sigAlg }) };
  }
  try {
    const signature = findEnvelopedSignature({ ...input.parsed, root: input.message });
    if (!signature) {
      return input.parsed.signatureCount > 0
        ? { kind: 'misplaced', problem: 'a Signature appears outside the message root' }
        : { kind: 'none' };
    }
    const method = optionalChild(
      optionalChild(signature, 'ds', 'SignedInfo') ?? signature,
      'ds',
      'SignatureMethod',
    );
    const algorithm = method ? attribute(method, 'Algorithm') : undefined;
    return { kind: 'enveloped', ...(algorithm === undefined ? {} : { algorithm }) };
  } catch (error) {
    if (!isSamlError(error)) throw error;
    return { kind: 'misplaced', problem: error.message };
  }
}

function describeNameId(nameId: NameIdValue): string {
  const qualifiers = [
    nameId.format === undefined ? undefined : `Format=${nameId.format}`,
    nameId.nameQualifier === undefined ? undefined : `NameQualifier=${nameId.nameQualifier}`,
    nameId.spNameQualifier === undefined ? undefined : `SPNameQualifier=${nameId.spNameQualifier}`,
    nameId.spProvidedId === undefined ? undefined : `SPProvidedID=${nameId.spProvidedId}`,
  ].filter((part) => part !== undefined);
  return qualifiers.length === 0 ? nameId.value : `${nameId.value}  (${qualifiers.join(', ')})`;
}

function describeStatus(status: Status): string {
  const short = (uri: string) => uri.replace('urn:oasis:names:tc:SAML:2.0:status:', '');
  let text = short(status.code);
  if (status.subCode !== undefined) text += ` / ${short(status.subCode)}`;
  if (status.message !== undefined) text += ` ("${status.message}")`;
  return text;
}

/** One line of a report: label and value. */
export type Row = [label: string, value: string];

/** The summary as report rows, in the order the message carries them. */
export function summaryRows(summary: MessageSummary): Row[] {
  const rows: Row[] = [
    ['Message', summary.messageType],
    ['ID', summary.id],
    ['IssueInstant', summary.issueInstant],
    ['Issuer', summary.issuer ?? '(none)'],
    ['Destination', summary.destination ?? '(none)'],
  ];
  if (summary.notOnOrAfter !== undefined) rows.push(['NotOnOrAfter', summary.notOnOrAfter]);
  if (summary.inResponseTo !== undefined) rows.push(['InResponseTo', summary.inResponseTo]);
  if (summary.messageType === 'LogoutRequest' && summary.problem === undefined) {
    rows.push(['NameID', summary.nameId ? describeNameId(summary.nameId) : '(none: BaseID or EncryptedID)']);
    rows.push([
      'SessionIndex',
      summary.sessionIndexes && summary.sessionIndexes.length > 0
        ? summary.sessionIndexes.join(', ')
        : '(none)',
    ]);
    if (summary.reason !== undefined) rows.push(['Reason', summary.reason]);
  }
  if (summary.status) rows.push(['Status', describeStatus(summary.status)]);
  if (summary.problem !== undefined) rows.push(['Problem', summary.problem]);
  return rows;
}

/** The signature as a report value. */
export function describeSignatureRow(signature: SignatureSummary): string {
  const algorithm =
    signature.algorithm === undefined ? 'no SigAlg' : signatureAlgorithmName(signature.algorithm);
  switch (signature.kind) {
    case 'query':
      return `${algorithm}, HTTP-Redirect query signature (SigAlg/Signature parameters)`;
    case 'enveloped':
      return `${algorithm}, enveloped ds:Signature`;
    case 'misplaced':
      return `breaks the SAML signature profile: ${signature.problem}`;
    default:
      return '(none)';
  }
}

/** Renders rows as aligned `Label:  value` lines. */
export function formatRows(rows: readonly Row[], indent = ''): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}${printable(value)}\n`).join('');
}
