import { canonicalizeElement, findEnvelopedSignature } from '../crypto/index.js';
import { isSamlError } from '../errors/index.js';
import { parseLogoutRequest } from '../logout/logout-request.js';
import { parseLogoutResponse, readStatus, type Status } from '../logout/logout-response.js';
import type { MessageHeader, NameIdValue } from '../message/header.js';
import { type AuthnRequest, parseAuthnRequest } from '../sso/authn-request.js';
import { attribute, childElements, type Element, isElement, optionalChild } from '../xml/index.js';
import type { MessageInput } from './message-input.js';
import { signatureAlgorithmName } from './names.js';
import { printable } from './printable.js';
import { type AssertionSummary, summarizeAssertion } from './sso-response.js';

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
  /** Response: what its assertion says (for `decode` unverified, for `verify` read from the verified assertion). */
  assertion?: AssertionSummary;
  /** Response: the assertion came as an EncryptedAssertion. */
  encryptedAssertion?: boolean;
  /** AuthnRequest: every field samlkit reads from it. */
  authnRequest?: AuthnRequest;
  /** A part of the message samlkit's parser refuses, as `CODE: message`. */
  problem?: string;
}

/** How a message is signed, as far as can be seen without verifying. */
export interface SignatureSummary {
  kind: 'query' | 'enveloped' | 'none' | 'misplaced';
  algorithm?: string;
  /** An SSO Response: which of its objects carry their own signature. */
  signed?: ('Response' | 'Assertion')[];
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
      const assertion = childElements(root).find(
        (child) => isElement(child, 'saml', 'Assertion') || isElement(child, 'saml', 'EncryptedAssertion'),
      );
      if (assertion && isElement(assertion, 'saml', 'EncryptedAssertion')) summary.encryptedAssertion = true;
      else if (assertion) summary.assertion = summarizeAssertion(assertion);
    } else if (header.type === 'AuthnRequest') {
      summary.authnRequest = parseAuthnRequest(xml);
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
  if (isElement(input.message, 'samlp', 'Response')) return describeResponseSignatures(input.message);
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

function signatureAlgorithmOf(signature: Element): string | undefined {
  const method = optionalChild(
    optionalChild(signature, 'ds', 'SignedInfo') ?? signature,
    'ds',
    'SignatureMethod',
  );
  return method ? attribute(method, 'Algorithm') : undefined;
}

/** A Response and its assertion are signed objects of their own (SAMLProf §4.1.3.5). */
function describeResponseSignatures(response: Element): SignatureSummary {
  const own = (owner: Element) => childElements(owner).find((child) => isElement(child, 'ds', 'Signature'));
  const responseSignature = own(response);
  const assertion = childElements(response).find((child) => isElement(child, 'saml', 'Assertion'));
  const assertionSignature = assertion && own(assertion);
  const signed: ('Response' | 'Assertion')[] = [];
  if (responseSignature) signed.push('Response');
  if (assertionSignature) signed.push('Assertion');
  const first = responseSignature ?? assertionSignature;
  if (!first) return { kind: 'none' };
  const algorithm = signatureAlgorithmOf(first);
  return { kind: 'enveloped', signed, ...(algorithm === undefined ? {} : { algorithm }) };
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
  if (summary.authnRequest) rows.push(...authnRequestRows(summary.authnRequest));
  if (summary.messageType === 'Response' && summary.problem === undefined) {
    if (summary.assertion)
      rows.push(...assertionRows(summary.assertion, summary.encryptedAssertion === true));
    else if (summary.encryptedAssertion)
      rows.push(['Assertion', 'encrypted (pass --key <our private key> to read it)']);
    else rows.push(['Assertion', '(none)']);
  }
  if (summary.problem !== undefined) rows.push(['Problem', summary.problem]);
  return rows;
}

function authnRequestRows(request: AuthnRequest): Row[] {
  const rows: Row[] = [];
  if (request.providerName !== undefined) rows.push(['ProviderName', request.providerName]);
  rows.push(['ACS URL', request.assertionConsumerServiceUrl ?? '(none: the default ACS)']);
  if (request.assertionConsumerServiceIndex !== undefined)
    rows.push(['ACS index', String(request.assertionConsumerServiceIndex)]);
  if (request.protocolBinding !== undefined) rows.push(['ProtocolBinding', request.protocolBinding]);
  if (request.attributeConsumingServiceIndex !== undefined)
    rows.push(['AttributeConsumingServiceIndex', String(request.attributeConsumingServiceIndex)]);
  rows.push(['ForceAuthn', String(request.forceAuthn)]);
  rows.push(['IsPassive', String(request.isPassive)]);
  const policy = request.nameIdPolicy;
  rows.push([
    'NameIDPolicy',
    policy
      ? [
          policy.format === undefined ? undefined : `Format=${policy.format}`,
          policy.spNameQualifier === undefined ? undefined : `SPNameQualifier=${policy.spNameQualifier}`,
          policy.allowCreate === undefined ? undefined : `AllowCreate=${policy.allowCreate}`,
        ]
          .filter((part) => part !== undefined)
          .join(', ') || '(empty)'
      : '(none)',
  ]);
  const context = request.requestedAuthnContext;
  if (context) {
    rows.push([
      'RequestedAuthnContext',
      `${context.comparison}: ${[...context.classRefs, ...context.declRefs].join(', ')}`,
    ]);
  }
  if (request.subject) rows.push(['Subject', describeNameId(request.subject)]);
  return rows;
}

function assertionRows(assertion: AssertionSummary, encrypted: boolean): Row[] {
  const rows: Row[] = [
    ['Assertion', `${assertion.id ?? '(no ID)'}${encrypted ? ' (decrypted from EncryptedAssertion)' : ''}`],
  ];
  if (assertion.issuer !== undefined) rows.push(['  Issuer', assertion.issuer]);
  rows.push([
    '  Subject',
    assertion.nameId ? describeNameId(assertion.nameId) : assertion.encryptedId ? '(EncryptedID)' : '(none)',
  ]);
  const confirmation = assertion.confirmation;
  if (confirmation) {
    const parts = [
      confirmation.method?.replace('urn:oasis:names:tc:SAML:2.0:cm:', ''),
      confirmation.recipient === undefined ? undefined : `Recipient=${confirmation.recipient}`,
      confirmation.inResponseTo === undefined ? undefined : `InResponseTo=${confirmation.inResponseTo}`,
      confirmation.notOnOrAfter === undefined ? undefined : `NotOnOrAfter=${confirmation.notOnOrAfter}`,
    ].filter((part) => part !== undefined);
    rows.push(['  Confirmation', parts.join(', ')]);
  }
  const conditions = assertion.conditions;
  if (conditions) {
    rows.push([
      '  Conditions',
      [
        conditions.notBefore === undefined ? undefined : `NotBefore=${conditions.notBefore}`,
        conditions.notOnOrAfter === undefined ? undefined : `NotOnOrAfter=${conditions.notOnOrAfter}`,
      ]
        .filter((part) => part !== undefined)
        .join(', ') || '(no time limits)',
    ]);
    rows.push(['  Audience', conditions.audiences.length > 0 ? conditions.audiences.join(', ') : '(none)']);
  }
  const authn = assertion.authn;
  if (authn) {
    rows.push([
      '  AuthnStatement',
      [
        authn.authnInstant === undefined ? undefined : `AuthnInstant=${authn.authnInstant}`,
        authn.sessionIndex === undefined ? undefined : `SessionIndex=${authn.sessionIndex}`,
        authn.sessionNotOnOrAfter === undefined
          ? undefined
          : `SessionNotOnOrAfter=${authn.sessionNotOnOrAfter}`,
      ]
        .filter((part) => part !== undefined)
        .join(', '),
    ]);
    if (authn.classRef !== undefined) rows.push(['  AuthnContext', authn.classRef]);
  }
  if (assertion.attributes.length === 0) rows.push(['  Attributes', '(none)']);
  for (const { name, values } of assertion.attributes)
    rows.push(['  Attribute', `${name} = ${values.join(', ')}`]);
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
      return `${algorithm}, enveloped ds:Signature${signature.signed ? ` on the ${signature.signed.join(' and the ')}` : ''}`;
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
