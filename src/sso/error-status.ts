import { isSamlError, type SamlErrorCode } from '../errors/index.js';
import type { StatusInput } from '../logout/logout-response.js';

/** Second-level status codes for the errors an SP should hear about (SAMLCore §3.2.2.2). */
const subCodes: Partial<Record<SamlErrorCode, StatusInput['subCode']>> = {
  SAML_ACS_NOT_REGISTERED: 'RequestDenied',
  SAML_BINDING_UNSUPPORTED: 'UnsupportedBinding',
  SAML_NAME_ID_POLICY_UNSUPPORTED: 'InvalidNameIDPolicy',
  SAML_AUTHN_CONTEXT_UNSATISFIED: 'NoAuthnContext',
  SAML_SIGNATURE_MISSING: 'RequestDenied',
  SAML_SIGNATURE_INVALID: 'RequestDenied',
  SAML_SIGNATURE_PROFILE_VIOLATION: 'RequestDenied',
  SAML_ALGORITHM_FORBIDDEN: 'RequestDenied',
  SAML_DESTINATION_MISMATCH: 'RequestDenied',
  SAML_MESSAGE_EXPIRED: 'RequestDenied',
  SAML_REPLAY_DETECTED: 'RequestDenied',
  SAML_ISSUER_MISMATCH: 'RequestDenied',
  SAML_RELAY_STATE_INVALID: 'RequestDenied',
};

/**
 * The Status to answer an AuthnRequest with when handling it failed: the
 * error's top-level status (docs/errors.md) and a second-level code where one
 * fits, e.g. InvalidNameIDPolicy, UnsupportedBinding, NoAuthnContext or
 * RequestDenied. The StatusMessage is the error's own short, fixed text when
 * it is about the request (a Requester status or a second-level code); an
 * IdP-side failure (store, transport, configuration, keys) says nothing about
 * this IdP's internals. Anything not a SamlError is a Responder error without detail.
 */
export function statusForError(error: unknown): StatusInput {
  if (!isSamlError(error)) return { code: 'Responder' };
  const subCode = subCodes[error.code];
  const aboutTheRequest = error.status !== 'Responder' || subCode !== undefined;
  return {
    code: error.status,
    ...(subCode ? { subCode } : {}),
    ...(aboutTheRequest ? { message: error.message } : {}),
  };
}
