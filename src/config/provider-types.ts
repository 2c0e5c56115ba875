import type { DigestAlgorithm, SignatureAlgorithm } from '../constants/index.js';
import type { KeyPair, KeyPairInput } from '../crypto/keys.js';

/** How the IdP sends the SSO Response to the SP. authentik's default, `redirect`, is deprecated there. */
export type SpBinding = 'redirect' | 'post';

/**
 * How logout messages reach the SP's SLS URL. `soap` is a samlkit addition for
 * back-channel logout (SAML Bindings §3.2); authentik only knows the first two.
 */
export type SlsBinding = 'redirect' | 'post' | 'soap';

/**
 * How logout is propagated to this SP: hidden iframes, a chain of browser
 * redirects/forms in the active tab, or server-to-server.
 */
export type LogoutMethod = 'frontchannel_iframe' | 'frontchannel_native' | 'backchannel';

/**
 * How persistent and unspecified NameID values are made for this SP:
 * - `pairwise`: an HMAC of the IdP's secret, the SP and the user ID, different
 *   for every SP, so SPs cannot correlate a user (samlkit's default).
 * - `authentik`: authentik's `uid`, hex SHA-256 of `"<user id>-<install id>"`,
 *   the same for every SP, with authentik's per-format rules, so SPs migrated
 *   from authentik keep the identifiers they already know.
 */
export type NameIdStrategy = 'pairwise' | 'authentik';

/**
 * What an SP asks for in its metadata's `urn:oasis:names:tc:SAML:profiles:subject-id:req`
 * entity attribute (SAML V2.0 Subject Identifier Attributes Profile v1.0 §3.4): the
 * `subject-id` attribute, the `pairwise-id` attribute, either of them, or neither.
 */
export type SubjectIdRequirement = 'subject-id' | 'pairwise-id' | 'any' | 'none';

/** The six NameID formats authentik accepts as `default_name_id_policy` (reference §4.3). */
export type ProviderNameIdFormat =
  | 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
  | 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
  | 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'
  | 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName'
  | 'urn:oasis:names:tc:SAML:2.0:nameid-format:WindowsDomainQualifiedName'
  | 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/**
 * Binding of a registered AssertionConsumerService endpoint (SAMLMeta §2.4.4).
 * samlkit sends Responses by HTTP-POST only: the Web SSO profile forbids
 * HTTP-Redirect for them (SAMLProf §4.1.2) and Artifact and PAOS are not
 * implemented, so an ACS with another binding is registered but never used.
 */
export type AcsBinding = 'post' | 'redirect' | 'artifact' | 'paos';

/** One AssertionConsumerService endpoint as the SP registered it (its metadata). */
export interface AssertionConsumerServiceInput {
  /** Absolute http(s) URL: the `Location`. */
  url: string;
  /** The endpoint index, an xs:unsignedShort unique within the provider. */
  index: number;
  /** Default `post`. */
  binding?: AcsBinding;
  /** The metadata `isDefault` flag, kept for round trips; the default endpoint is the one at `acsUrl`. */
  isDefault?: boolean;
}

/** A registered AssertionConsumerService endpoint, defaults applied (frozen inside a Provider). */
export interface AssertionConsumerService {
  url: string;
  index: number;
  binding: AcsBinding;
  isDefault: boolean;
}

/**
 * One SingleLogoutService endpoint of the SP (SAMLMeta §2.2.2), as its metadata lists it.
 * Front-channel messages go to a `redirect` or `post` endpoint, back-channel ones to `soap`
 * (or, authentik's way, `post`).
 */
export interface SingleLogoutServiceInput {
  binding: SlsBinding;
  /** Absolute http(s) URL: the `Location`, where requests go. */
  url: string;
  /** Absolute http(s) URL: the `ResponseLocation`, where LogoutResponses go. Default: `url`. */
  responseUrl?: string;
}

/** A registered SingleLogoutService endpoint (frozen inside a Provider). */
export interface SingleLogoutService {
  binding: SlsBinding;
  url: string;
  responseUrl?: string | undefined;
}

/** Key material for a certificate-only slot: a loaded pair, a PEM or base64 DER certificate, or loader input. */
export type CertificateInput = KeyPair | KeyPairInput | string;

/** The three validity windows, parsed once so callers never re-parse the strings. */
export interface ProviderDurations {
  /** Added to "now" for `Conditions@NotBefore`; zero or negative. */
  readonly assertionValidNotBefore: number;
  /** Added to "now" for `NotOnOrAfter` of the assertion and subject confirmation; positive. */
  readonly assertionValidNotOnOrAfter: number;
  /** Added to "now" for `AuthnStatement@SessionNotOnOrAfter` and the session participant's expiry; positive. */
  readonly sessionValidNotOnOrAfter: number;
}

/**
 * An SP as the IdP sees it, as accepted by `parseProvider`. Field names are the
 * camelCase of authentik's SAMLProvider and the defaults are authentik's. Only
 * `entityId` and `acsUrl` are required, but note that `signAssertion` defaults to
 * `true`: give a `signingKeyPair` with a private key, or set `signAssertion: false`.
 */
export interface ProviderInput {
  /** The SP's entity ID (its `Issuer`); at most 1024 characters. */
  entityId: string;
  /** Assertion Consumer Service URL: absolute http(s). The default ACS, used when a request names none. */
  acsUrl: string;
  /**
   * Every ACS endpoint the SP registered, for AuthnRequests that name an
   * `AssertionConsumerServiceURL` or `AssertionConsumerServiceIndex` other than
   * the default. When given, `acsUrl` must be the URL of one of its `post`
   * entries. Default: one `post` endpoint at index 0 for `acsUrl`.
   */
  assertionConsumerServices?: readonly AssertionConsumerServiceInput[];
  /** Display name. Default: the entity ID. */
  name?: string;
  /**
   * Default `redirect` (authentik's default). Kept for authentik compatibility:
   * samlkit sends SSO Responses by HTTP-POST whatever this says (SAMLProf §4.1.2).
   */
  spBinding?: SpBinding;
  /** `AudienceRestriction/Audience`; empty means no restriction. Default `''`. */
  audience?: string;
  /**
   * The IdP entity ID used as `<saml:Issuer>` towards this SP (authentik gives
   * each provider its own). Default `''`: the identity provider's `entityId`.
   */
  issuer?: string;
  /**
   * SP Single Logout Service URL (authentik's one-endpoint shape); empty means no
   * SAML logout messages go to this SP, unless `singleLogoutServices` lists some. Default `''`.
   */
  slsUrl?: string;
  /** Default `redirect`. */
  slsBinding?: SlsBinding;
  /**
   * Every SingleLogoutService endpoint of the SP, by binding (its metadata lists
   * up to one per binding). Front-channel messages use a `redirect` or `post`
   * endpoint, LogoutResponses its `responseUrl` when set, and back-channel
   * logout its `soap` endpoint (else `post`). Default: the one endpoint
   * `slsUrl` + `slsBinding`; when given without `slsUrl`, `slsUrl` and
   * `slsBinding` are taken from its first browser endpoint (else its first).
   */
  singleLogoutServices?: readonly SingleLogoutServiceInput[];
  /**
   * Default `frontchannel_iframe` (authentik's). `backchannel` needs a `soap` or
   * `post` endpoint. `parseSpMetadata` chooses `backchannel` when the SP has a
   * SOAP endpoint, else `frontchannel_native`.
   */
  logoutMethod?: LogoutMethod;
  /**
   * Refuse this SP's AuthnRequests unless they are signed by one of its
   * `verificationCertificates` (its metadata's `AuthnRequestsSigned="true"`).
   * Default `false`: an unsigned AuthnRequest is accepted, as the Response only
   * ever goes to a registered ACS (SAMLProf §4.1.4.1); a present signature is always verified.
   */
  authnRequestsSigned?: boolean;
  /**
   * Signature algorithm URIs the SP advertises (`alg:SigningMethod`, SAML V2.0
   * Metadata Profile for Algorithm Support), in its order. When the configured
   * `signatureAlgorithm` is not among them, the first listed one samlkit allows
   * for the signing key is used instead. Default `[]`: no hint.
   */
  signingMethods?: readonly string[];
  /** Digest algorithm URIs the SP advertises (`alg:DigestMethod`); used like `signingMethods`. Default `[]`. */
  digestMethods?: readonly string[];
  /**
   * Encryption algorithm URIs of the SP's encryption key (`md:EncryptionMethod`).
   * When the chosen block encryption or key transport is not among them, the
   * first listed one samlkit allows is used (never CBC or RSA 1.5 without their
   * opt-ins). Default `[]`: no hint.
   */
  encryptionMethods?: readonly string[];
  /** Time-delta string (see `parseDuration`). Default `minutes=-5`. */
  assertionValidNotBefore?: string;
  /** Default `minutes=5`. */
  assertionValidNotOnOrAfter?: string;
  /** Default `minutes=86400` (60 days). */
  sessionValidNotOnOrAfter?: string;
  /** Default SHA-256. SHA-1 needs `unsafeAllowSha1`. */
  digestAlgorithm?: DigestAlgorithm;
  /** Default RSA-SHA256. Must fit the signing key type; SHA-1 and DSA need their `unsafe…` flag. */
  signatureAlgorithm?: SignatureAlgorithm;
  /**
   * Key and certificate for every outgoing signature to this SP. Default `null`:
   * the identity provider's `signing` key signs (SSO and logout alike).
   */
  signingKeyPair?: KeyPair | KeyPairInput | null;
  /** Certificates trusted for this SP's signatures; several during key rollover. Default `[]`. */
  verificationCertificates?: readonly CertificateInput[];
  /** RSA certificate assertions are encrypted to. Default `null` (no encryption). */
  encryptionCertificate?: CertificateInput | null;
  /** Default `true`. */
  signAssertion?: boolean;
  /**
   * Default `true` (authentik: `false`): pysaml2 refuses an unsigned Response
   * at its shipped defaults, and every other SP accepts a signed one.
   */
  signResponse?: boolean;
  /** Default `false`. */
  signLogoutRequest?: boolean;
  /** Default `false`. */
  signLogoutResponse?: boolean;
  /** RelayState for IdP-initiated SSO; at most 80 bytes of UTF-8. Default `''`. */
  defaultRelayState?: string;
  /** Default `…nameid-format:unspecified`. */
  defaultNameIdPolicy?: ProviderNameIdFormat;
  /**
   * The formats besides `defaultNameIdPolicy` this SP may ask for in its
   * NameIDPolicy (from its metadata's NameIDFormat list); any other request
   * is answered with InvalidNameIDPolicy. Default `[]`: the default format only.
   */
  allowedNameIdFormats?: readonly ProviderNameIdFormat[];
  /** Default `pairwise`; `authentik` for providers read from authentik JSON. */
  nameIdStrategy?: NameIdStrategy;
  /** Opaque reference to a NameID mapping (authentik: a property-mapping UUID). Default `null`. */
  nameIdMapping?: string | null;
  /** Opaque reference to an AuthnContextClassRef mapping. Default `null`. */
  authnContextClassRefMapping?: string | null;
  /**
   * The SP's `subject-id:req` entity attribute, as `parseSpMetadata` reads it: with the
   * facade's `sso.subjectIdentifiers` set, the SSO Response carries the `subject-id` or
   * `pairwise-id` attribute it asks for. Default `null`: the SP asked for neither.
   */
  subjectIdRequirement?: SubjectIdRequirement | null;
  /** Accept SHA-1 digests and signatures (broken collision resistance). Default `false`. */
  unsafeAllowSha1?: boolean;
  /** Accept DSA keys and `dsa-sha1` (obsolete, SHA-1 only in XML-DSig). Default `false`. */
  unsafeAllowDsa?: boolean;
  /** Accept RSA keys shorter than 2048 bits (factorable with modest means). Default `false`. */
  unsafeAllowShortRsaKeys?: boolean;
}

/**
 * A validated, fully defaulted and deeply frozen SP config, as returned by
 * `parseProvider`. Key material is always loaded into {@link KeyPair}s.
 */
export interface Provider {
  readonly entityId: string;
  readonly acsUrl: string;
  /** Every registered ACS endpoint; at least the `post` endpoint at `acsUrl`. */
  readonly assertionConsumerServices: readonly AssertionConsumerService[];
  readonly name: string;
  readonly spBinding: SpBinding;
  readonly audience: string;
  readonly issuer: string;
  readonly slsUrl: string;
  readonly slsBinding: SlsBinding;
  /** Every SingleLogoutService endpoint; the `slsUrl` one among them. Empty when there is none. */
  readonly singleLogoutServices: readonly SingleLogoutService[];
  readonly logoutMethod: LogoutMethod;
  readonly authnRequestsSigned: boolean;
  readonly signingMethods: readonly string[];
  readonly digestMethods: readonly string[];
  readonly encryptionMethods: readonly string[];
  /** The configured strings, kept for display and round trips; use {@link Provider.durations} for arithmetic. */
  readonly assertionValidNotBefore: string;
  readonly assertionValidNotOnOrAfter: string;
  readonly sessionValidNotOnOrAfter: string;
  /** The three validity windows in milliseconds. */
  readonly durations: ProviderDurations;
  readonly digestAlgorithm: DigestAlgorithm;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signingKeyPair: KeyPair | null;
  readonly verificationCertificates: readonly KeyPair[];
  readonly encryptionCertificate: KeyPair | null;
  readonly signAssertion: boolean;
  readonly signResponse: boolean;
  readonly signLogoutRequest: boolean;
  readonly signLogoutResponse: boolean;
  readonly defaultRelayState: string;
  readonly defaultNameIdPolicy: ProviderNameIdFormat;
  /** Formats issued on request besides the default one. */
  readonly allowedNameIdFormats: readonly ProviderNameIdFormat[];
  readonly nameIdStrategy: NameIdStrategy;
  readonly nameIdMapping: string | null;
  readonly authnContextClassRefMapping: string | null;
  /** The SP's `subject-id:req` (see {@link ProviderInput.subjectIdRequirement}); `null` when it has none. */
  readonly subjectIdRequirement: SubjectIdRequirement | null;
  /** True when either the input or the parse options opted in. */
  readonly unsafeAllowSha1: boolean;
  /** True when either the input or the parse options opted in. */
  readonly unsafeAllowDsa: boolean;
  /** True when either the input or the parse options opted in. */
  readonly unsafeAllowShortRsaKeys: boolean;
}

/** Looks up an authentik CertificateKeyPair by UUID; `undefined` when there is none. */
export type KeyPairResolver = (uuid: string) => KeyPair | KeyPairInput | undefined;

/** Options of `parseProvider`. */
export interface ParseProviderOptions {
  /** Resolves the keypair UUIDs of authentik JSON (`signing_kp`, `verification_kp`, `encryption_kp`). */
  resolveKeyPair?: KeyPairResolver;
  /**
   * The SP entity ID when the input has none: authentik JSON has no such field, so it
   * wins over `audience` there; for camelCase input it is used only when `entityId` is absent.
   */
  entityId?: string;
  /** Opt in to SHA-1 for this provider (ORed with the input's own flag). */
  unsafeAllowSha1?: boolean;
  /** Opt in to DSA for this provider (ORed with the input's own flag). */
  unsafeAllowDsa?: boolean;
  /** Opt in to RSA keys under 2048 bits for this provider (ORed with the input's own flag). */
  unsafeAllowShortRsaKeys?: boolean;
  /**
   * The NameID strategy of a provider read from authentik JSON, which has no such
   * field. Default `authentik`, so migrated SPs keep their NameIDs. Not allowed
   * with camelCase input (set `nameIdStrategy` there).
   */
  nameIdStrategy?: NameIdStrategy;
  /**
   * The `allowedNameIdFormats` of a provider read from authentik JSON. Default:
   * all six, as authentik honours any of them in a NameIDPolicy. Narrow it to what
   * the SP really asks for. Not allowed with camelCase input.
   */
  allowedNameIdFormats?: readonly ProviderNameIdFormat[];
}

/**
 * The JSON of authentik's `GET /api/v3/providers/saml/:id/` (SAMLProviderSerializer).
 * Read-only fields are accepted and ignored; keypair fields are UUIDs.
 */
export interface AuthentikSamlProviderJson {
  acs_url: string;
  name?: string;
  sp_binding?: 'redirect' | 'post';
  audience?: string;
  issuer?: string;
  sls_url?: string;
  sls_binding?: SlsBinding;
  logout_method?: LogoutMethod;
  assertion_valid_not_before?: string;
  assertion_valid_not_on_or_after?: string;
  session_valid_not_on_or_after?: string;
  digest_algorithm?: DigestAlgorithm;
  signature_algorithm?: SignatureAlgorithm;
  signing_kp?: string | null;
  verification_kp?: string | null;
  encryption_kp?: string | null;
  sign_assertion?: boolean;
  sign_response?: boolean;
  sign_logout_request?: boolean;
  sign_logout_response?: boolean;
  default_relay_state?: string;
  default_name_id_policy?: ProviderNameIdFormat;
  name_id_mapping?: string | null;
  authn_context_class_ref_mapping?: string | null;
  pk?: number;
  authentication_flow?: string | null;
  authorization_flow?: string;
  invalidation_flow?: string;
  property_mappings?: string[];
  component?: string;
  assigned_application_slug?: string;
  assigned_application_name?: string;
  assigned_backchannel_application_slug?: string;
  assigned_backchannel_application_name?: string;
  verbose_name?: string;
  verbose_name_plural?: string;
  meta_model_name?: string;
  url_download_metadata?: string;
  url_sso_post?: string;
  url_sso_redirect?: string;
  url_sso_init?: string;
  url_slo_post?: string;
  url_slo_redirect?: string;
}
