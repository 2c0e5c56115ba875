import type { Provider, ProviderNameIdFormat } from '../config/index.js';
import { minPairwiseSecretBytes, pairwiseSecretBytes } from '../crypto/index.js';
import type { Issue } from '../errors/index.js';
import { isHttpUrl } from '../message/build-input.js';
import type { AttributeInput } from './attributes.js';
import type { AssertionEncryptionOptions } from './encrypted-assertion.js';
import type { NameIdSubject } from './name-id.js';
import { checkSubjectIdentifierOptions } from './subject-identifier.js';

/** Single Sign-On settings of `createIdentityProvider`. */
export interface SsoOptions {
  /**
   * At least 32 bytes, kept secret and stable: persistent NameIDs are an HMAC
   * of it, the SP and the user ID (changing it changes every persistent NameID),
   * and SessionIndex and transient values are derived from it and the session.
   */
  secret: string | Uint8Array;
  /**
   * Require a signature on every AuthnRequest, from every provider; publish it
   * as `WantAuthnRequestsSigned="true"` in the IdP metadata. Default false: a
   * signature is required only from providers with `authnRequestsSigned` (their
   * metadata's `AuthnRequestsSigned="true"`), and a present signature is always
   * verified. An unsigned AuthnRequest cannot divert the Response: it goes only
   * to an ACS the provider registered (SAMLProf §4.1.4.1).
   */
  requireSignedAuthnRequests?: boolean;
  /**
   * Authentication context classes from weakest to strongest, for
   * RequestedAuthnContext comparisons `minimum`, `maximum` and `better`
   * (see `satisfiesAuthnContext`). Default: none known, so only equal classes match.
   */
  authnContextRank?: readonly string[];
  /** How long a received AuthnRequest may wait for `completeAuthnRequest`. Default 1 hour. */
  authnRequestTtlMs?: number;
  /**
   * How assertions are encrypted for providers that have an
   * `encryptionCertificate`: one setting for all, or chosen per provider
   * (e.g. AES-128-CBC with `unsafeAllowCbc` for one SP that cannot decrypt
   * AES-GCM). Default AES-256-GCM with RSA-OAEP.
   */
  encryption?:
    | AssertionEncryptionOptions
    | ((provider: Provider, providerId: string) => AssertionEncryptionOptions | undefined);
  /**
   * authentik's install identifier (its `install_id`), for providers whose
   * `nameIdStrategy` is `authentik`: their persistent NameIDs are the hex
   * SHA-256 of `"<user id>-<install id>"`, as authentik issued them.
   */
  authentikInstallId?: string;
  /**
   * authentik's `name_id_mapping`: called for providers whose `nameIdMapping` is
   * set, with that reference; a string it returns is the NameID value (the
   * format stays the negotiated one), `undefined` keeps the strategy's value.
   * A provider with a `nameIdMapping` and no function here cannot sign anyone in.
   */
  nameIdMapping?: (context: NameIdMappingContext) => string | undefined;
  /**
   * Release the SAML V2.0 Subject Identifier Attributes Profile's `subject-id` or
   * `pairwise-id` attribute to every SP that asks for one in its metadata (its
   * `subject-id:req` entity attribute, `provider.subjectIdRequirement`), scoped to
   * `scope`: `pairwise-id` for `pairwise-id` and `any`, `subject-id` for `subject-id`,
   * nothing for `none` or an SP that did not ask. `pairwise-id` is derived from `secret`.
   * An attribute the caller already gives in `user.attributes` is kept as given instead.
   * Default: none released automatically (`createSubjectIdentifiers` makes them by hand).
   */
  subjectIdentifiers?: SubjectIdentifierOptions;
}

/** What {@link SsoOptions.subjectIdentifiers} is set to. */
export interface SubjectIdentifierOptions {
  /**
   * The IdP's scope (`[A-Za-z0-9][A-Za-z0-9.-]{0,126}`, written in lower case), the same
   * as in its metadata's `shibmd:Scope` (`buildIdpMetadata({ scopes })`): SPs such as
   * Shibboleth drop scoped values whose scope the IdP's metadata does not list.
   */
  scope: string;
}

/** What {@link SsoOptions.nameIdMapping} is called with. */
export interface NameIdMappingContext {
  /** The provider's `nameIdMapping` reference (authentik: the property-mapping UUID). */
  mapping: string;
  user: SsoUser;
  provider: Provider;
  providerId: string;
  format: ProviderNameIdFormat;
}

/** The user an assertion is about, as the caller authenticated them. */
export interface SsoUser extends NameIdSubject {
  /** When the user authenticated. Default: now. Required after a ForceAuthn request. */
  authnInstant?: Date;
  /** How: an AuthnContextClassRef URI (see `authnContextClasses`). Default `unspecified`. */
  authnContextClassRef?: string;
  /** The attributes to release to this SP (the caller's attribute mappings). */
  attributes?: readonly AttributeInput[];
  /**
   * The unique part of this user's `subject-id` (`[A-Za-z0-9][A-Za-z0-9=-]{0,126}`:
   * stable, never reassigned), for SPs that ask for `subject-id` while
   * `sso.subjectIdentifiers` is set. Default `id`, which then must fit that grammar.
   */
  subjectId?: string;
}

/** Adds the problems of the SSO options to the facade's option check. */
export function checkSsoOptions(
  sso: SsoOptions | undefined,
  endpoints: { ssoRedirect?: unknown; ssoPost?: unknown } | undefined,
  issues: Issue[],
): void {
  for (const name of ['ssoRedirect', 'ssoPost'] as const) {
    const value = endpoints?.[name];
    if (value !== undefined && !isHttpUrl(value))
      issues.push({ path: ['endpoints', name], message: 'must be an absolute http(s) URL' });
  }
  if (sso === undefined) return;
  if (typeof sso !== 'object' || sso === null) {
    issues.push({ path: ['sso'], message: 'must be an object' });
    return;
  }
  const secret = sso.secret;
  if (
    !(typeof secret === 'string' || secret instanceof Uint8Array) ||
    pairwiseSecretBytes(secret).length < minPairwiseSecretBytes
  )
    issues.push({ path: ['sso', 'secret'], message: `must be at least ${minPairwiseSecretBytes} bytes` });
  if (sso.requireSignedAuthnRequests !== undefined && typeof sso.requireSignedAuthnRequests !== 'boolean')
    issues.push({ path: ['sso', 'requireSignedAuthnRequests'], message: 'must be true or false' });
  if (
    sso.authnContextRank !== undefined &&
    !(Array.isArray(sso.authnContextRank) && sso.authnContextRank.every((uri) => typeof uri === 'string'))
  )
    issues.push({ path: ['sso', 'authnContextRank'], message: 'must be an array of URIs' });
  if (sso.encryption !== undefined && !['object', 'function'].includes(typeof sso.encryption))
    issues.push({ path: ['sso', 'encryption'], message: 'must be an object or a function' });
  const installId = sso.authentikInstallId;
  if (installId !== undefined && !(typeof installId === 'string' && installId !== ''))
    issues.push({ path: ['sso', 'authentikInstallId'], message: 'must be a non-empty string' });
  if (sso.nameIdMapping !== undefined && typeof sso.nameIdMapping !== 'function')
    issues.push({ path: ['sso', 'nameIdMapping'], message: 'must be a function' });
  checkSubjectIdentifierOptions(sso.subjectIdentifiers, issues);
  const ttl = sso.authnRequestTtlMs;
  if (ttl !== undefined && !(typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0))
    issues.push({ path: ['sso', 'authnRequestTtlMs'], message: 'must be a positive number of milliseconds' });
}
