/**
 * The table of every stable error code. `docs/errors.md` is generated from it
 * (`npm run docs:errors`) and a test fails when the two drift apart.
 *
 * `status` is the SAML top-level status a reply to the peer should carry when
 * this error ends the handling of its message (SAMLCore §3.2.2.2).
 */
export const errorCodes = {
  SAML_CONFIG_INVALID: {
    area: 'config',
    status: 'Responder',
    description: 'A provider or option object failed validation; `details.issues` lists every problem.',
  },
  SAML_INPUT_INVALID: {
    area: 'config',
    status: 'Responder',
    description: 'A function received input it cannot build a message from; `details.issues` lists why.',
  },
  SAML_KEY_INVALID: {
    area: 'crypto',
    status: 'Responder',
    description:
      'Key material could not be loaded: bad PEM, a key that does not match its certificate, or an encrypted key without passphrase.',
  },
  SAML_XML_MALFORMED: {
    area: 'xml',
    status: 'Requester',
    description: 'The document is not well-formed XML, or the parser reported any warning or error.',
  },
  SAML_XML_DTD_FORBIDDEN: {
    area: 'xml',
    status: 'Requester',
    description: 'The document carries a DOCTYPE or entity declaration; SAML messages never need one.',
  },
  SAML_XML_FORBIDDEN_CONTENT: {
    area: 'xml',
    status: 'Requester',
    description:
      'The document contains a processing instruction, a control character, a line separator or a non-UTF-8 encoding declaration.',
  },
  SAML_XML_LIMIT_EXCEEDED: {
    area: 'xml',
    status: 'Requester',
    description: 'The document exceeds the byte, nesting depth, element or attribute limit.',
  },
  SAML_XML_MIXED_CONTENT: {
    area: 'xml',
    status: 'Requester',
    description:
      'A text-only element (NameID, Issuer, SessionIndex, ...) contains a comment, CDATA, PI or child element.',
  },
  SAML_SIGNATURE_MISSING: {
    area: 'signature',
    status: 'Requester',
    description: 'A signature is required and the message carries none.',
  },
  SAML_SIGNATURE_INVALID: {
    area: 'signature',
    status: 'Requester',
    description: 'The signature or a reference digest does not verify with any trusted certificate.',
  },
  SAML_SIGNATURE_PROFILE_VIOLATION: {
    area: 'signature',
    status: 'Requester',
    description:
      'The signature breaks the SAML signature profile (SAMLCore §5.4): placement, reference, transforms or duplicate IDs.',
  },
  SAML_ALGORITHM_FORBIDDEN: {
    area: 'signature',
    status: 'Requester',
    description: 'The algorithm is unknown, not on the allowlist, or does not fit the key type.',
  },
  SAML_BINDING_DECODE_FAILED: {
    area: 'binding',
    status: 'Requester',
    description: 'The binding payload is not valid strict base64, raw DEFLATE, UTF-8 or form encoding.',
  },
  SAML_BINDING_LIMIT_EXCEEDED: {
    area: 'binding',
    status: 'Requester',
    description: 'The encoded or inflated payload exceeds its size limit.',
  },
  SAML_BINDING_PARAMETER_INVALID: {
    area: 'binding',
    status: 'Requester',
    description:
      'A binding parameter is missing, duplicated, smuggled under an encoded name, out of order or otherwise not allowed.',
  },
  SAML_RELAY_STATE_INVALID: {
    area: 'binding',
    status: 'Requester',
    description: 'RelayState exceeds 80 bytes (SAMLBind §3.4.3) or contains forbidden characters.',
  },
  SAML_SOAP_FAULT: {
    area: 'binding',
    status: 'Responder',
    description: 'The SOAP peer answered with a SOAP Fault, or the envelope is not a SOAP 1.1 envelope.',
  },
  SAML_MESSAGE_INVALID: {
    area: 'message',
    status: 'Requester',
    description:
      'The message lacks a required part (ID, Version, IssueInstant, NameID, Status, ...) or has a bad value.',
  },
  SAML_MESSAGE_TYPE_MISMATCH: {
    area: 'message',
    status: 'Requester',
    description: 'The root element is not the message type the endpoint or parameter name expects.',
  },
  SAML_VERSION_MISMATCH: {
    area: 'message',
    status: 'VersionMismatch',
    description: 'The message Version is not 2.0.',
  },
  SAML_ISSUER_MISMATCH: {
    area: 'message',
    status: 'Requester',
    description: 'The Issuer is missing or is not the expected entity.',
  },
  SAML_ISSUER_UNKNOWN: {
    area: 'message',
    status: 'Requester',
    description: 'The Issuer names no registered provider.',
  },
  SAML_DESTINATION_MISMATCH: {
    area: 'message',
    status: 'Requester',
    description: 'Destination is not our endpoint, or is missing from a signed message (SAMLBind §3.4.5.2).',
  },
  SAML_MESSAGE_EXPIRED: {
    area: 'message',
    status: 'Requester',
    description:
      'IssueInstant is outside the accepted window, or NotOnOrAfter has passed (clock skew included).',
  },
  SAML_IN_RESPONSE_TO_MISMATCH: {
    area: 'message',
    status: 'Requester',
    description: 'InResponseTo is missing or does not name a request we sent to this peer.',
  },
  SAML_REPLAY_DETECTED: {
    area: 'message',
    status: 'Requester',
    description: 'A message with this ID from this issuer was already accepted.',
  },
  SAML_STATUS_NOT_SUCCESS: {
    area: 'message',
    status: 'Responder',
    description: 'The peer answered with a status other than Success; `details` carries both status levels.',
  },
  SAML_SESSION_NOT_FOUND: {
    area: 'logout',
    status: 'Requester',
    description: 'No session participant matches the NameID and SessionIndex of the request.',
  },
  SAML_LOGOUT_TRANSACTION_UNKNOWN: {
    area: 'logout',
    status: 'Requester',
    description: 'A LogoutResponse arrived for no pending front-channel logout transaction.',
  },
  SAML_ACS_NOT_REGISTERED: {
    area: 'sso',
    status: 'Requester',
    description:
      'The AuthnRequest names an AssertionConsumerServiceURL or AssertionConsumerServiceIndex the provider did not register.',
  },
  SAML_BINDING_UNSUPPORTED: {
    area: 'sso',
    status: 'Requester',
    description:
      'The AuthnRequest asks for a ProtocolBinding, or names an ACS endpoint whose binding, that samlkit cannot answer with (it sends Responses by HTTP-POST).',
  },
  SAML_NAME_ID_POLICY_UNSUPPORTED: {
    area: 'sso',
    status: 'Requester',
    description:
      'The NameIDPolicy asks for a format or SPNameQualifier this IdP does not issue, or the user lacks the value the format needs.',
  },
  SAML_AUTHN_CONTEXT_UNSATISFIED: {
    area: 'sso',
    status: 'Responder',
    description: "The user's authentication does not satisfy the AuthnRequest's RequestedAuthnContext.",
  },
  SAML_TRANSPORT_FAILED: {
    area: 'transport',
    status: 'Responder',
    description:
      'A back-channel request failed: network error, timeout, non-2xx status, redirect or oversized body.',
  },
  SAML_TRANSPORT_TARGET_FORBIDDEN: {
    area: 'transport',
    status: 'Responder',
    description:
      'The back-channel URL is plain http, or is or resolves to a loopback, private, link-local or other non-public address not in allowTargets.',
  },
  SAML_STORE_FAILED: {
    area: 'store',
    status: 'Responder',
    description:
      'The session store or logout queue failed, did not answer within its deadline, or returned inconsistent data.',
  },
  SAML_ENCRYPTED_DATA_INVALID: {
    area: 'encryption',
    status: 'Requester',
    description:
      'An `xenc:EncryptedData` breaks the expected structure (XML-Enc §3): a missing or repeated part, a CipherReference, bad base64, a wrong Type or no usable EncryptedKey.',
  },
  SAML_DECRYPTION_FAILED: {
    area: 'encryption',
    status: 'Requester',
    description:
      'Decryption failed: wrong key, tampered ciphertext or tag, or a plaintext that is not one well-formed element. One code and message for every cryptographic failure, so a reply reveals nothing about which step failed.',
  },
  SAML_METADATA_INVALID: {
    area: 'metadata',
    status: 'Responder',
    description:
      'SAML metadata lacks a required part (SPSSODescriptor, AssertionConsumerService, ...), has a bad value, or holds no entity with the requested entityID.',
  },
  SAML_METADATA_UNAVAILABLE: {
    area: 'metadata',
    status: 'Responder',
    description:
      'Federation metadata could not be had: the metadata source or query service was unreachable, answered an HTTP error, or sent metadata that failed verification; `cause` holds the underlying error.',
  },
  SAML_METADATA_EXPIRED: {
    area: 'metadata',
    status: 'Responder',
    description: 'A `validUntil` in the metadata (entity, role or enclosing group) has passed.',
  },
} as const satisfies Record<string, { area: string; status: string; description: string }>;

/** Every stable `SAML_*` code a {@link SamlError} can carry (see docs/errors.md). */
export type SamlErrorCode = keyof typeof errorCodes;
