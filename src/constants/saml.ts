/** Binding URIs (SAMLBind §3). */
export const bindingUris = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  soap: 'urn:oasis:names:tc:SAML:2.0:bindings:SOAP',
} as const;

/** A SAML binding by short name: HTTP-Redirect, HTTP-POST or SOAP. */
export type Binding = keyof typeof bindingUris;

/** Binding URIs an AssertionConsumerService can name (SAMLBind §3, SAMLMeta §2.4.4). */
export const acsBindingUris = {
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  artifact: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact',
  paos: 'urn:oasis:names:tc:SAML:2.0:bindings:PAOS',
} as const;

/** NameID format URIs (SAMLCore §8.3). */
export const nameIdFormats = {
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  x509SubjectName: 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName',
  windowsDomainQualifiedName: 'urn:oasis:names:tc:SAML:2.0:nameid-format:WindowsDomainQualifiedName',
  entity: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
} as const;

/** One of the {@link nameIdFormats} URIs. */
export type NameIdFormat = (typeof nameIdFormats)[keyof typeof nameIdFormats];

const statusPrefix = 'urn:oasis:names:tc:SAML:2.0:status:';

/** Status code URIs (SAMLCore §3.2.2.2). */
export const statusCodes = {
  Success: `${statusPrefix}Success`,
  Requester: `${statusPrefix}Requester`,
  Responder: `${statusPrefix}Responder`,
  VersionMismatch: `${statusPrefix}VersionMismatch`,
  AuthnFailed: `${statusPrefix}AuthnFailed`,
  InvalidAttrNameOrValue: `${statusPrefix}InvalidAttrNameOrValue`,
  InvalidNameIDPolicy: `${statusPrefix}InvalidNameIDPolicy`,
  NoAuthnContext: `${statusPrefix}NoAuthnContext`,
  NoAvailableIDP: `${statusPrefix}NoAvailableIDP`,
  NoPassive: `${statusPrefix}NoPassive`,
  NoSupportedIDP: `${statusPrefix}NoSupportedIDP`,
  PartialLogout: `${statusPrefix}PartialLogout`,
  ProxyCountExceeded: `${statusPrefix}ProxyCountExceeded`,
  RequestDenied: `${statusPrefix}RequestDenied`,
  RequestUnsupported: `${statusPrefix}RequestUnsupported`,
  RequestVersionDeprecated: `${statusPrefix}RequestVersionDeprecated`,
  RequestVersionTooHigh: `${statusPrefix}RequestVersionTooHigh`,
  RequestVersionTooLow: `${statusPrefix}RequestVersionTooLow`,
  ResourceNotRecognized: `${statusPrefix}ResourceNotRecognized`,
  TooManyResponses: `${statusPrefix}TooManyResponses`,
  UnknownAttrProfile: `${statusPrefix}UnknownAttrProfile`,
  UnknownPrincipal: `${statusPrefix}UnknownPrincipal`,
  UnsupportedBinding: `${statusPrefix}UnsupportedBinding`,
} as const;

/** A status code by its last URI segment (`Success`, `PartialLogout`, …). */
export type StatusCodeName = keyof typeof statusCodes;
/** The four top-level status codes (SAMLCore §3.2.2.2). */
export type TopLevelStatus = 'Success' | 'Requester' | 'Responder' | 'VersionMismatch';

/** Authentication context class URIs (SAML AuthnContext §3.4), the ones IdPs commonly assert. */
export const authnContextClasses = {
  unspecified: 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified',
  password: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  passwordProtectedTransport: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  previousSession: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PreviousSession',
  x509: 'urn:oasis:names:tc:SAML:2.0:ac:classes:X509',
  tlsClient: 'urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient',
  kerberos: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos',
  smartcardPki: 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
  timeSyncToken: 'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
  mobileOneFactorContract: 'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileOneFactorContract',
  mobileTwoFactorContract: 'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
} as const;

/** Attribute NameFormat URIs (SAMLCore §8.2). */
export const attributeNameFormats = {
  unspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
  uri: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  basic: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
} as const;

/** Subject confirmation method URIs (SAMLProf §3). */
export const confirmationMethods = {
  bearer: 'urn:oasis:names:tc:SAML:2.0:cm:bearer',
} as const;

/** LogoutRequest Reason values (SAMLCore §3.7.3). */
export const logoutReasons = {
  user: 'urn:oasis:names:tc:SAML:2.0:logout:user',
  admin: 'urn:oasis:names:tc:SAML:2.0:logout:admin',
} as const;
