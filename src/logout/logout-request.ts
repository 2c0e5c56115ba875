import type { Received } from '../bindings/receive.js';
import { namespaces } from '../constants/namespaces.js';
import { type DecryptOptions, decryptElement } from '../crypto/index.js';
import { SamlError } from '../errors/index.js';
import { InputIssues, isHttpUrl, type MessageContext, resolveContext } from '../message/build-input.js';
import { type MessageFields, type NameIdValue, readHeader, readNameId } from '../message/header.js';
import { formatInstant } from '../message/instant.js';
import {
  carryTree,
  childElements,
  type Element,
  element,
  isElement,
  parseCarried,
  parseXml,
  readText,
  serialize,
  type XmlElement,
} from '../xml/index.js';

/** Input to {@link buildLogoutRequest} (SAMLCore §3.7.1). */
export interface BuildLogoutRequestInput extends MessageContext {
  /** Our entity ID, the `saml:Issuer`. */
  issuer: string;
  /** The SP's SingleLogoutService URL: always from configuration, never from a message. */
  destination: string;
  /** The NameID exactly as issued to this SP at SSO time. */
  nameId: NameIdValue;
  /** One or more SessionIndex values of the session(s) to end. */
  sessionIndex?: string | readonly string[];
  /** Time after which the request expires (SAMLCore §3.7.1). */
  notOnOrAfter?: Date;
  /** Reason URI, e.g. `urn:oasis:names:tc:SAML:2.0:logout:user`. */
  reason?: string;
}

/** A LogoutRequest as read from verified bytes. */
export interface LogoutRequest extends MessageFields {
  notOnOrAfter?: string;
  reason?: string;
  /** The principal's NameID; absent when the request carries a BaseID or EncryptedID instead. */
  nameId?: NameIdValue;
  /** Present when the principal is identified by `saml:BaseID` (its xsi type is not interpreted). */
  baseId?: { nameQualifier?: string; spNameQualifier?: string };
  /**
   * Present when the principal is an `saml:EncryptedID`. With `decryption`
   * options, `nameId` then holds the decrypted NameID; without, decryption is up to the caller.
   */
  encryptedId?: true;
  sessionIndexes: string[];
}

function nameIdElement(nameId: NameIdValue, issues: InputIssues): XmlElement | undefined {
  issues.check(
    typeof nameId === 'object' && nameId !== null && typeof nameId.value === 'string',
    ['nameId', 'value'],
    'is required',
  );
  if (issues.issues.length > 0) return undefined;
  return element(
    'saml:NameID',
    {
      NameQualifier: nameId.nameQualifier,
      SPNameQualifier: nameId.spNameQualifier,
      Format: nameId.format,
      SPProvidedID: nameId.spProvidedId,
    },
    [nameId.value],
  );
}

/** Builds the element tree of a LogoutRequest; exposed to bindings through the serialized string. */
export function buildLogoutRequestTree(input: BuildLogoutRequestInput): {
  id: string;
  tree: XmlElement;
  /** The Destination written, read once from the input and checked. */
  destination: string;
} {
  const issues = new InputIssues();
  issues.require(input.issuer, ['issuer']);
  const destination = input.destination;
  issues.check(isHttpUrl(destination), ['destination'], 'must be an absolute http(s) URL');
  const sessionIndexes =
    input.sessionIndex === undefined
      ? []
      : typeof input.sessionIndex === 'string'
        ? [input.sessionIndex]
        : [...input.sessionIndex];
  sessionIndexes.forEach((value, i) => {
    issues.require(value, ['sessionIndex', i]);
  });
  if (input.notOnOrAfter !== undefined) {
    issues.check(
      input.notOnOrAfter instanceof Date && Number.isFinite(input.notOnOrAfter.getTime()),
      ['notOnOrAfter'],
      'must be a valid Date',
    );
  }
  if (input.reason !== undefined)
    issues.check(/^[a-z][a-z0-9+.-]*:\S+$/i.test(input.reason), ['reason'], 'must be a URI');
  const nameId = nameIdElement(input.nameId, issues);
  issues.throwIfAny('LogoutRequest');
  const { id, issueInstant } = resolveContext(input);
  const tree = element(
    'samlp:LogoutRequest',
    {
      ID: id,
      Version: '2.0',
      IssueInstant: issueInstant,
      Destination: destination,
      NotOnOrAfter: input.notOnOrAfter === undefined ? undefined : formatInstant(input.notOnOrAfter),
      Reason: input.reason,
    },
    [
      element('saml:Issuer', {}, [input.issuer]),
      nameId,
      ...sessionIndexes.map((value) => element('samlp:SessionIndex', {}, [value])),
    ],
    ['samlp', 'saml'],
  );
  return { id, tree, destination };
}

/**
 * Builds an unsigned LogoutRequest (SAMLCore §3.7.1). Sign it when encoding:
 * `encodeRedirect`/`encodePost`/`encodeSoap` with `sign`. Pass the result itself
 * as their `xml` and the signer takes the tree it was built from instead of
 * parsing the text again.
 *
 * @example
 * const { id, xml } = buildLogoutRequest({
 *   issuer: 'https://idp.example.com', destination: 'https://sp.example.com/slo',
 *   nameId: { value: 'alice@example.com', format: nameIdFormats.emailAddress }, sessionIndex: '_abc',
 * });
 */
export function buildLogoutRequest(input: BuildLogoutRequestInput): { id: string; xml: string } {
  const { id, tree, destination } = buildLogoutRequestTree(input);
  // Encoders that sign take this tree instead of parsing the text again (bound to this exact text),
  // and skip checking an action URL that is this checked Destination, the very same string.
  return carryTree({ id, xml: serialize(tree) }, tree, destination);
}

/** Options of {@link parseLogoutRequest}. */
export interface ParseLogoutRequestOptions {
  /**
   * Our encryption key(s) and accepted algorithms, to decrypt an `saml:EncryptedID`
   * (SAMLCore §2.2.4, §3.7.1) into `nameId`. Only ever on verified bytes.
   */
  decryption?: DecryptOptions;
}

/** The NameID inside an EncryptedID: its EncryptedData decrypted, then read as one saml:NameID. */
function decryptNameId(encryptedId: Element, decryption: DecryptOptions): NameIdValue {
  const data = childElements(encryptedId).filter((c) => isElement(c, 'xenc', 'EncryptedData'));
  if (data.length !== 1) {
    throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'EncryptedID must hold one xenc:EncryptedData');
  }
  const plaintext = decryptElement(data[0]!, decryption);
  // The plaintext is an element that may rely on the saml prefix of its former context.
  const { root } = parseXml(`<w xmlns:saml="${namespaces.saml}">${plaintext}</w>`);
  const children = childElements(root);
  if (children.length !== 1 || !isElement(children[0]!, 'saml', 'NameID')) {
    throw new SamlError('SAML_MESSAGE_INVALID', 'EncryptedID does not decrypt to one saml:NameID');
  }
  return readNameId(children[0]!);
}

/**
 * Reads a LogoutRequest from an ALREADY VERIFIED document: a `receive*`
 * result (whose parse of the verified bytes is reused), or its `xml`.
 * Missing required parts are `SamlError`s, never crashes. An EncryptedID is
 * decrypted when `options.decryption` is given.
 */
export function parseLogoutRequest(
  verified: Received | string,
  options: ParseLogoutRequestOptions = {},
): LogoutRequest {
  const { root } = parseCarried(verified);
  const header = readHeader(root, ['LogoutRequest']);
  const request: LogoutRequest = { ...header, sessionIndexes: [] };
  delete (request as { type?: string }).type;
  const reason = root.getAttribute('Reason');
  if (reason !== null) request.reason = reason;
  // Schema order: Issuer?, Signature?, Extensions?, (BaseID | NameID | EncryptedID), SessionIndex*.
  let identifiers = 0;
  for (const child of childElements(root)) {
    if (isElement(child, 'saml', 'NameID')) {
      request.nameId = readNameId(child);
      identifiers++;
    } else if (isElement(child, 'saml', 'BaseID')) {
      const baseId: { nameQualifier?: string; spNameQualifier?: string } = {};
      const nq = child.getAttribute('NameQualifier');
      const spnq = child.getAttribute('SPNameQualifier');
      if (nq !== null) baseId.nameQualifier = nq;
      if (spnq !== null) baseId.spNameQualifier = spnq;
      request.baseId = baseId;
      identifiers++;
    } else if (isElement(child, 'saml', 'EncryptedID')) {
      request.encryptedId = true;
      if (options.decryption) request.nameId = decryptNameId(child, options.decryption);
      identifiers++;
    } else if (isElement(child, 'samlp', 'SessionIndex')) {
      request.sessionIndexes.push(readText(child));
    }
  }
  if (identifiers !== 1) {
    throw new SamlError(
      'SAML_MESSAGE_INVALID',
      identifiers === 0
        ? 'LogoutRequest has no NameID, BaseID or EncryptedID'
        : 'LogoutRequest names more than one principal',
    );
  }
  return request;
}
