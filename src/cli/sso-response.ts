import type { SignatureAlgorithm } from '../constants/algorithms.js';
import {
  type AlgorithmPolicy,
  decryptElement,
  type KeyPair,
  verifyEnvelopedSignature,
} from '../crypto/index.js';
import { SamlError } from '../errors/index.js';
import { type NameIdValue, readNameId } from '../message/header.js';
import { parseInstant } from '../message/instant.js';
import {
  attribute,
  childElements,
  childrenNamed,
  type Element,
  isElement,
  optionalChild,
  type ParsedXml,
  parseXml,
  readText,
} from '../xml/index.js';

/**
 * An SSO Response the way a Service Provider reads it (SAMLProf §4.1.3.5, §4.1.4.3): the
 * Response and each assertion are signed objects of their own, each checked against the SAML
 * signature profile on its own element; an encrypted assertion is decrypted first. At least one
 * signature must cover the assertion. The logout rule (exactly one signature, on the root) does
 * not apply here: the IdP's default is a signed assertion inside an unsigned Response.
 */

/** What an assertion says, read from its verified (or, for `decode`, unverified) element. */
export interface AssertionSummary {
  id?: string;
  issuer?: string;
  issueInstant?: string;
  nameId?: NameIdValue;
  /** `saml:EncryptedID` in place of a NameID. */
  encryptedId?: boolean;
  confirmation?: {
    method?: string;
    recipient?: string;
    notOnOrAfter?: string;
    inResponseTo?: string;
  };
  conditions?: { notBefore?: string; notOnOrAfter?: string; audiences: string[] };
  authn?: {
    authnInstant?: string;
    sessionIndex?: string;
    sessionNotOnOrAfter?: string;
    classRef?: string;
  };
  attributes: { name: string; values: string[] }[];
}

/** The signed objects of a Response and what verified them. */
export interface SignedPart {
  algorithm: SignatureAlgorithm;
  certificate: KeyPair;
}

export interface VerifiedSsoResponse {
  /** The Response's verified bytes without its signature, or the Response as received when only its assertion is signed. */
  responseXml: string;
  responseSignature?: SignedPart;
  assertionSignature?: SignedPart;
  /** Whether the assertion came encrypted. */
  encrypted: boolean;
  /** The assertion's verified bytes (canonical), when there is one. */
  assertionXml?: string;
  assertion?: AssertionSummary;
}

export interface VerifySsoResponseOptions extends AlgorithmPolicy {
  trust: readonly KeyPair[];
  /** Our private keys, to decrypt an EncryptedAssertion. */
  decryptionKeys?: readonly (KeyPair | string)[];
  maxBytes: number;
  now: number;
  skewMs: number;
  /** Checked against SubjectConfirmationData Recipient when given. */
  destination?: string;
  /** Checked against SubjectConfirmationData InResponseTo when given. */
  inResponseTo?: string;
  /** Checked against the AudienceRestriction when given. */
  audience?: string;
}

function violation(message: string): never {
  throw new SamlError('SAML_SIGNATURE_PROFILE_VIOLATION', message);
}

/** The one `ds:Signature` child of `owner`, placed after Issuer (SAMLCore §5.4.2); undefined when unsigned. */
function ownSignature(owner: Element): Element | undefined {
  const children = childElements(owner);
  const signatures = children.filter((child) => isElement(child, 'ds', 'Signature'));
  if (signatures.length > 1) violation(`${owner.localName} has more than one Signature`);
  const [signature] = signatures;
  if (!signature) return undefined;
  const index = children.indexOf(signature);
  if (!(index === 0 || (index === 1 && isElement(children[0]!, 'saml', 'Issuer')))) {
    violation(`${owner.localName} Signature is not placed after Issuer`);
  }
  return signature;
}

/** Every `ds:Signature` in the document, wherever it is. */
function signaturesIn(root: Element): number {
  return root.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature').length;
}

function verifyOwn(parsed: ParsedXml, owner: Element, signature: Element, options: VerifySsoResponseOptions) {
  const verified = verifyEnvelopedSignature({ ...parsed, root: owner }, signature, options.trust, options);
  return {
    xml: verified.canonicalXml,
    part: { algorithm: verified.algorithm, certificate: verified.certificate },
  };
}

/** The assertion of a Response: at most one `Assertion` or `EncryptedAssertion`. */
function assertionChild(response: Element): Element | undefined {
  const found = childElements(response).filter(
    (child) => isElement(child, 'saml', 'Assertion') || isElement(child, 'saml', 'EncryptedAssertion'),
  );
  if (found.length > 1) {
    throw new SamlError(
      'SAML_MESSAGE_INVALID',
      'Response carries more than one assertion; this tool reads one',
    );
  }
  return found[0];
}

/** Reads what an assertion says. Structure only: no signature or time is checked here. */
export function summarizeAssertion(assertion: Element): AssertionSummary {
  const summary: AssertionSummary = { attributes: [] };
  const id = attribute(assertion, 'ID');
  if (id !== undefined) summary.id = id;
  const issueInstant = attribute(assertion, 'IssueInstant');
  if (issueInstant !== undefined) summary.issueInstant = issueInstant;
  const issuer = optionalChild(assertion, 'saml', 'Issuer');
  if (issuer) summary.issuer = readText(issuer);
  const subject = optionalChild(assertion, 'saml', 'Subject');
  if (subject) {
    const nameId = optionalChild(subject, 'saml', 'NameID');
    if (nameId) summary.nameId = readNameId(nameId);
    if (optionalChild(subject, 'saml', 'EncryptedID')) summary.encryptedId = true;
    const confirmation = optionalChild(subject, 'saml', 'SubjectConfirmation');
    if (confirmation) {
      const data = optionalChild(confirmation, 'saml', 'SubjectConfirmationData');
      summary.confirmation = definedOnly({
        method: attribute(confirmation, 'Method'),
        recipient: data && attribute(data, 'Recipient'),
        notOnOrAfter: data && attribute(data, 'NotOnOrAfter'),
        inResponseTo: data && attribute(data, 'InResponseTo'),
      });
    }
  }
  const conditions = optionalChild(assertion, 'saml', 'Conditions');
  if (conditions) {
    summary.conditions = {
      ...definedOnly({
        notBefore: attribute(conditions, 'NotBefore'),
        notOnOrAfter: attribute(conditions, 'NotOnOrAfter'),
      }),
      audiences: childrenNamed(conditions, 'saml', 'AudienceRestriction').flatMap((restriction) =>
        childrenNamed(restriction, 'saml', 'Audience').map(readText),
      ),
    };
  }
  const statement = optionalChild(assertion, 'saml', 'AuthnStatement');
  if (statement) {
    const context = optionalChild(statement, 'saml', 'AuthnContext');
    const classRef = context && optionalChild(context, 'saml', 'AuthnContextClassRef');
    summary.authn = definedOnly({
      authnInstant: attribute(statement, 'AuthnInstant'),
      sessionIndex: attribute(statement, 'SessionIndex'),
      sessionNotOnOrAfter: attribute(statement, 'SessionNotOnOrAfter'),
      classRef: classRef ? readText(classRef) : undefined,
    });
  }
  for (const attributeStatement of childrenNamed(assertion, 'saml', 'AttributeStatement')) {
    for (const node of childrenNamed(attributeStatement, 'saml', 'Attribute')) {
      summary.attributes.push({
        name: attribute(node, 'Name') ?? '',
        values: childrenNamed(node, 'saml', 'AttributeValue').map(readText),
      });
    }
  }
  return summary;
}

function definedOnly<T extends Record<string, string | undefined>>(record: T): { [K in keyof T]?: string } {
  const result: { [K in keyof T]?: string } = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) result[key as keyof T] = value;
  return result;
}

function expired(message: string): never {
  throw new SamlError('SAML_MESSAGE_EXPIRED', message);
}

/** The checks an SP makes on the assertion (SAMLProf §4.1.4.3, SAMLCore §2.5.1). */
function checkAssertion(summary: AssertionSummary, options: VerifySsoResponseOptions): void {
  const { now, skewMs } = options;
  const confirmation = summary.confirmation;
  if (confirmation?.notOnOrAfter !== undefined) {
    if (now - skewMs >= parseInstant(confirmation.notOnOrAfter, 'SubjectConfirmationData NotOnOrAfter'))
      expired('SubjectConfirmationData NotOnOrAfter has passed');
  }
  const conditions = summary.conditions;
  if (conditions?.notBefore !== undefined && now + skewMs < parseInstant(conditions.notBefore, 'NotBefore'))
    expired('Conditions NotBefore is in the future');
  if (
    conditions?.notOnOrAfter !== undefined &&
    now - skewMs >= parseInstant(conditions.notOnOrAfter, 'NotOnOrAfter')
  )
    expired('Conditions NotOnOrAfter has passed');
  if (options.destination !== undefined && confirmation?.recipient !== options.destination) {
    throw new SamlError(
      'SAML_DESTINATION_MISMATCH',
      'SubjectConfirmationData Recipient is not this endpoint',
      {
        details: {
          expected: options.destination,
          ...(confirmation?.recipient === undefined ? {} : { actual: confirmation.recipient }),
        },
      },
    );
  }
  if (options.inResponseTo !== undefined && confirmation?.inResponseTo !== options.inResponseTo) {
    throw new SamlError(
      'SAML_IN_RESPONSE_TO_MISMATCH',
      'SubjectConfirmationData InResponseTo does not name our request',
      {
        details: {
          expected: options.inResponseTo,
          ...(confirmation?.inResponseTo === undefined ? {} : { actual: confirmation.inResponseTo }),
        },
      },
    );
  }
  if (options.audience !== undefined && !(conditions?.audiences ?? []).includes(options.audience)) {
    throw new SamlError('SAML_MESSAGE_INVALID', 'the assertion is not addressed to this audience', {
      details: { expected: options.audience },
    });
  }
}

/**
 * Verifies an SSO Response as an SP: the Response signature (when present) over the Response,
 * the assertion signature (when present) over the assertion, after decrypting it with
 * `decryptionKeys`. Fails unless a signature covers the assertion, or, for a Response without
 * one (an error status), the Response itself is signed.
 */
export function verifySsoResponse(xml: string, options: VerifySsoResponseOptions): VerifiedSsoResponse {
  let parsed = parseXml(xml, { maxBytes: options.maxBytes });
  let response = parsed.root;
  let responseXml = xml;
  let responseSignature: SignedPart | undefined;
  const signatureNode = ownSignature(response);
  if (signatureNode) {
    const verified = verifyOwn(parsed, response, signatureNode, options);
    responseSignature = verified.part;
    // Read on from the verified bytes only.
    responseXml = verified.xml;
    parsed = parseXml(responseXml, { maxBytes: options.maxBytes });
    response = parsed.root;
  }
  const child = assertionChild(response);
  // Counted before verifying, which takes the assertion's signature out of the tree.
  const signatureCount = signaturesIn(response);
  let assertionSignature: SignedPart | undefined;
  let assertionXml: string | undefined;
  let assertion: AssertionSummary | undefined;
  const encrypted = child !== undefined && isElement(child, 'saml', 'EncryptedAssertion');
  let expectedSignatures = 0;
  if (child && encrypted) {
    const data = childElements(child).find((node) => isElement(node, 'xenc', 'EncryptedData'));
    if (!data) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'EncryptedAssertion has no EncryptedData');
    if (!options.decryptionKeys || options.decryptionKeys.length === 0) {
      throw new SamlError(
        'SAML_DECRYPTION_FAILED',
        'the assertion is encrypted: pass --key with our private key',
      );
    }
    const plain = decryptElement(data, { key: options.decryptionKeys });
    const inner = parseXml(plain, { maxBytes: options.maxBytes });
    if (!isElement(inner.root, 'saml', 'Assertion')) {
      throw new SamlError('SAML_MESSAGE_INVALID', 'EncryptedAssertion does not hold an Assertion');
    }
    const innerSignature = ownSignature(inner.root);
    if (signaturesIn(inner.root) !== (innerSignature ? 1 : 0))
      violation('a Signature appears outside its place');
    if (innerSignature) {
      const verified = verifyOwn(inner, inner.root, innerSignature, options);
      assertionSignature = verified.part;
      assertionXml = verified.xml;
    } else {
      assertionXml = plain;
    }
    assertion = summarizeAssertion(parseXml(assertionXml, { maxBytes: options.maxBytes }).root);
  } else if (child) {
    const innerSignature = ownSignature(child);
    if (innerSignature) {
      expectedSignatures = 1;
      // The assertion in its place in the (verified) Response: the same document, the same IDs.
      const verified = verifyOwn(parsed, child, innerSignature, options);
      assertionSignature = verified.part;
      assertionXml = verified.xml;
      assertion = summarizeAssertion(parseXml(assertionXml, { maxBytes: options.maxBytes }).root);
    } else {
      assertion = summarizeAssertion(child);
    }
  }
  // Signatures anywhere else (in an Advice, an Extension) are not checked, so not allowed.
  if (signatureCount !== expectedSignatures) violation('a Signature appears outside its place');
  if (!responseSignature && !assertionSignature) {
    throw new SamlError(
      'SAML_SIGNATURE_MISSING',
      child ? 'neither the Response nor its assertion is signed' : 'Response is not signed',
    );
  }
  if (assertion) checkAssertion(assertion, options);
  return {
    responseXml,
    encrypted,
    ...(responseSignature ? { responseSignature } : {}),
    ...(assertionSignature ? { assertionSignature } : {}),
    ...(assertionXml === undefined ? {} : { assertionXml }),
    ...(assertion ? { assertion } : {}),
  };
}
