export {
  type AcsRequest,
  defaultAssertionConsumerService,
  selectAssertionConsumerService,
} from './assertion-consumer-service.js';
export type { AttributeInput } from './attributes.js';
export {
  type AuthentikUser,
  authentikAttributeNames,
  authentikDefaultAttributes,
  authentikSubject,
} from './authentik-user.js';
export { satisfiesAuthnContext } from './authn-context.js';
export {
  type AuthnContextComparison,
  type AuthnRequest,
  type NameIdPolicy,
  parseAuthnRequest,
  type RequestedAuthnContext,
} from './authn-request.js';
export { type CheckedAuthnRequest, checkAuthnRequest } from './check-authn-request.js';
export type { AssertionEncryptionOptions } from './encrypted-assertion.js';
export { statusForError } from './error-status.js';
export { type CreateNameIdInput, createNameId, type NameIdSubject } from './name-id.js';
export {
  isRegisteredNameIdFormat,
  issuableNameIdFormats,
  type ResolvedNameIdPolicy,
  resolveNameIdPolicy,
} from './name-id-policy.js';
export {
  type BuildResponseInput,
  type BuiltResponse,
  buildResponse,
  type ResponseAssertionInput,
} from './response.js';
export { type CreateSessionIndexInput, createSessionIndex } from './session-index.js';
export {
  type CreateSubjectIdentifiersInput,
  createSubjectIdentifiers,
  type SubjectIdRequirement,
  subjectIdentifierNames,
} from './subject-identifier.js';
