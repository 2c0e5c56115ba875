// The public surface of `samlkit`, name by name: a change here is a change to the API, and
// test/package/api-surface.test.ts shows it as a diff of test/package/api-surface.txt.

// Bindings: encode out, receive (decode, verify, check) in.
export {
  detectBinding,
  type HttpInput,
  type InspectedMessage,
  inspectMessage,
} from './bindings/inspect.js';
export { type EncodePostInput, encodePost, type PostForm, receivePost } from './bindings/post.js';
export type { Received, ReceiveOptions } from './bindings/receive.js';
export {
  type EncodeRedirectInput,
  encodeRedirect,
  type ReceiveRedirectOptions,
  receiveRedirect,
  type SignOptions,
} from './bindings/redirect.js';
export type { EnvelopedSignOptions } from './bindings/sign-xml.js';
export { encodeSoap, encodeSoapFault, receiveSoap } from './bindings/soap.js';

// Configuration.
export { maxDurationMs, parseDuration } from './config/duration.js';
export { type IdpEndpoints, idpEndpoints } from './config/endpoints.js';
export { parseProvider } from './config/provider.js';
export { providerDefaults } from './config/provider-defaults.js';
export type {
  AcsBinding,
  AssertionConsumerService,
  AssertionConsumerServiceInput,
  AuthentikSamlProviderJson,
  CertificateInput,
  KeyPairResolver,
  LogoutMethod,
  NameIdStrategy,
  ParseProviderOptions,
  Provider,
  ProviderDurations,
  ProviderInput,
  ProviderNameIdFormat,
  SingleLogoutService,
  SingleLogoutServiceInput,
  SlsBinding,
  SpBinding,
} from './config/provider-types.js';

// URIs and names of the specifications.
export {
  type DigestAlgorithm,
  defaultAcceptedSignatureAlgorithms,
  digestAlgorithms,
  type KeyType,
  type SignatureAlgorithm,
  signatureAlgorithms,
  transforms,
} from './constants/algorithms.js';
export {
  type DataEncryptionAlgorithm,
  dataEncryptionAlgorithms,
  defaultAcceptedDataEncryptionAlgorithms,
  defaultAcceptedKeyTransportAlgorithms,
  type KeyTransportAlgorithm,
  keyTransportAlgorithms,
  type MaskGenerationFunction,
  maskGenerationFunctions,
} from './constants/encryption.js';
export { type NamespacePrefix, namespaces } from './constants/namespaces.js';
export {
  acsBindingUris,
  attributeNameFormats,
  authnContextClasses,
  type Binding,
  bindingUris,
  confirmationMethods,
  logoutReasons,
  type NameIdFormat,
  nameIdFormats,
  type StatusCodeName,
  statusCodes,
  type TopLevelStatus,
} from './constants/saml.js';

// Keys.
export type { AlgorithmPolicy } from './crypto/algorithms.js';
export { type KeyPair, type KeyPairInput, type KeyPairType, loadKeyPair } from './crypto/keys.js';
export type { AssertionEncryptionOptions, DecryptOptions } from './crypto/xml-encryption.js';

// Errors.
export { errorCodes, type SamlErrorCode } from './errors/codes.js';
export {
  type Issue,
  isSamlError,
  SamlError,
  type SamlErrorDetails,
  type SamlErrorDetailsByCode,
  type SamlErrorDetailsOf,
  type SamlErrorOptions,
} from './errors/saml-error.js';

// Federation metadata: signed aggregates.
export {
  type AggregateLimits,
  defaultAggregateLimits,
  type EntityProblem,
  entityCategoryAttribute,
  type IdentityProviderRole,
  type ImportAggregateOptions,
  type ImportedAggregate,
  type ImportedEntity,
  importAggregate,
  type RegistrationFilter,
} from './federation/index.js';
// Federation metadata: query service, and the store wrapper that uses it.
export {
  createMdqClient,
  type MdqClient,
  type MdqClientOptions,
  type MdqEvent,
} from './federation/mdq-client.js';
export type { MetadataHttpOptions } from './federation/metadata-fetch.js';
export { type MetadataQueryStoreOptions, withMetadataQuery } from './federation/metadata-query-store.js';
export {
  createMetadataSource,
  type MetadataFailureStage,
  type MetadataSource,
  type MetadataSourceEvent,
  type MetadataSourceOptions,
} from './federation/metadata-source.js';

// The identity provider facade.
export {
  type AuthnRequestResult,
  createIdentityProvider,
  type FrontChannelStep,
  type IdentityProvider,
  type IdentityProviderEndpoints,
  type IdentityProviderOptions,
  type InitiateSsoOptions,
  type LogoutMessageResult,
  type LogoutRefusal,
  type LogoutReply,
  type LogoutResult,
  type NameIdMappingContext,
  type PendingAuthnRequest,
  type RecordSessionInput,
  type SingleSignOn,
  type SsoDecision,
  type SsoOptions,
  type SsoReply,
  type SsoUser,
  type StartLogoutOptions,
  type SubjectIdentifierOptions,
} from './idp/index.js';

// Logout messages.
export {
  type BuildLogoutRequestInput,
  buildLogoutRequest,
  type LogoutRequest,
  type ParseLogoutRequestOptions,
  parseLogoutRequest,
} from './logout/logout-request.js';
export {
  type BuildLogoutResponseInput,
  buildLogoutResponse,
  type LogoutResponse,
  parseLogoutResponse,
  type Status,
  type StatusInput,
} from './logout/logout-response.js';
export type { MessageContext } from './message/build-input.js';
export type { Clock, IdGenerator } from './message/context.js';
export type { MessageHeader, MessageType, NameIdValue } from './message/header.js';
export type { IdpSigning } from './message/idp-signing.js';
export {
  type ReceivedFromProvider,
  type ReceiveFromProviderOptions,
  receiveFromProvider,
  type SenderContext,
} from './message/receive-from-provider.js';
export type { SigningChoice } from './metadata/algorithm-hints.js';
// Metadata.
export {
  type AlgorithmSupport,
  type AlgorithmSupportInput,
  defaultAlgorithmSupport,
  type SigningMethodHint,
} from './metadata/algorithm-support.js';
export type { ContactPersonInput, ContactType } from './metadata/contact-person.js';
export type { EntityAttributeInput } from './metadata/entity-attributes.js';
export {
  type BuildIdpMetadataInput,
  buildIdpMetadata,
  defaultIdpNameIdFormats,
  type IdpMetadataEndpoints,
} from './metadata/idp-metadata.js';
export type { LocalizedValues } from './metadata/localized-values.js';
export type { OrganizationInput } from './metadata/organization.js';
export type { ScopeInput } from './metadata/shibboleth-scope.js';
export {
  type MetadataEndpoint,
  type MetadataIndexedEndpoint,
  type ParseSpMetadataOptions,
  parseSpMetadata,
  type SpMetadata,
} from './metadata/sp-metadata.js';
export type { UiInfoInput, UiLogo } from './metadata/ui-info.js';

// Single Logout: what the facade reports and hands to a queue.
export type { DeliveryQueue, QueuedDelivery, QueuedLogout } from './slo/delivery-queue.js';
export type { EventHandler, LogoutEvent } from './slo/events.js';
export type { ParticipantOutcome } from './slo/outcome.js';

// Single Sign-On messages and the steps of a custom SSO flow.
export {
  type AcsRequest,
  defaultAssertionConsumerService,
  selectAssertionConsumerService,
} from './sso/assertion-consumer-service.js';
export type { AttributeInput } from './sso/attributes.js';
export {
  type AuthentikUser,
  authentikAttributeNames,
  authentikDefaultAttributes,
  authentikSubject,
} from './sso/authentik-user.js';
export { satisfiesAuthnContext } from './sso/authn-context.js';
export {
  type AuthnContextComparison,
  type AuthnRequest,
  type NameIdPolicy,
  parseAuthnRequest,
  type RequestedAuthnContext,
} from './sso/authn-request.js';
export { type CheckedAuthnRequest, checkAuthnRequest } from './sso/check-authn-request.js';
export { statusForError } from './sso/error-status.js';
export { type CreateNameIdInput, createNameId, type NameIdSubject } from './sso/name-id.js';
export {
  isRegisteredNameIdFormat,
  issuableNameIdFormats,
  type ResolvedNameIdPolicy,
  resolveNameIdPolicy,
} from './sso/name-id-policy.js';
export {
  type BuildResponseInput,
  type BuiltResponse,
  buildResponse,
  type ResponseAssertionInput,
} from './sso/response.js';
export { type CreateSessionIndexInput, createSessionIndex } from './sso/session-index.js';
export {
  type CreateSubjectIdentifiersInput,
  createSubjectIdentifiers,
  type SubjectIdRequirement,
  subjectIdentifierNames,
} from './sso/subject-identifier.js';

// Ports: the store and the transport.
export { createMemoryStore, type MemoryStore } from './store/memory.js';
export type {
  LogoutTransaction,
  LogoutTransactionStore,
  OwnedProvider,
  OwnedProviderStore,
  OwnedProvidersReplaced,
  ProviderStore,
  ReplayCache,
  SessionParticipant,
  SessionStore,
  Store,
} from './store/store.js';
export type { StoreSweep } from './store/sweep.js';
export { isPublicAddress } from './transport/address-guard.js';
export type { BackoffOptions, SleepFunction } from './transport/backoff.js';
export { createFetchTransport, type FetchFunction, type FetchTransportOptions } from './transport/fetch.js';
export type { TransportTlsOptions } from './transport/pinned-request.js';
export type { LookupFunction } from './transport/target-guard.js';
export type { Transport, TransportRequest, TransportResponse } from './transport/transport.js';
export type { XmlLimits } from './xml/parse.js';
