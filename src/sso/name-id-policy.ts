import type { Provider, ProviderNameIdFormat } from '../config/index.js';
import { nameIdFormats } from '../constants/saml.js';
import { SamlError } from '../errors/index.js';
import type { NameIdPolicy } from './authn-request.js';

/** The NameID formats samlkit issues: authentik's six (reference §4.3). */
export const issuableNameIdFormats: readonly ProviderNameIdFormat[] = [
  nameIdFormats.emailAddress,
  nameIdFormats.persistent,
  nameIdFormats.transient,
  nameIdFormats.unspecified,
  nameIdFormats.x509SubjectName,
  nameIdFormats.windowsDomainQualifiedName,
];

/** Whether the provider is registered for `format`: its default or one of its allowed formats. */
export function isRegisteredNameIdFormat(provider: Provider, format: string): format is ProviderNameIdFormat {
  return (
    format === provider.defaultNameIdPolicy ||
    (provider.allowedNameIdFormats as readonly string[]).includes(format)
  );
}

/** The NameID to issue: its format and the SPNameQualifier (the SP, or what it asked for). */
export interface ResolvedNameIdPolicy {
  format: ProviderNameIdFormat;
  spNameQualifier: string;
}

/**
 * Resolves a request's NameIDPolicy against the provider (SAMLCore §3.4.1.1):
 * no format, or `unspecified`, means the provider's `defaultNameIdPolicy`; a
 * format is honoured only when it is that default or on the provider's
 * `allowedNameIdFormats`. Anything else, an issuable format the SP is not
 * registered for included, is refused: otherwise an SP registered for
 * pairwise persistent NameIDs could ask for `emailAddress` and get the user's
 * global address. An SPNameQualifier may only name the SP itself (its entity
 * ID or configured audience): affiliations are not supported.
 *
 * @throws SamlError `SAML_NAME_ID_POLICY_UNSUPPORTED`, answered with InvalidNameIDPolicy.
 */
export function resolveNameIdPolicy(provider: Provider, policy: NameIdPolicy = {}): ResolvedNameIdPolicy {
  const requested = policy.format;
  let format: ProviderNameIdFormat;
  if (requested === undefined || requested === nameIdFormats.unspecified) {
    format = provider.defaultNameIdPolicy;
  } else if (isRegisteredNameIdFormat(provider, requested)) {
    format = requested;
  } else {
    throw new SamlError(
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
      (issuableNameIdFormats as readonly string[]).includes(requested)
        ? 'NameIDPolicy asks for a format this SP is not registered for'
        : 'NameIDPolicy asks for a format this IdP does not issue',
      { details: { format: requested } },
    );
  }
  const qualifier = policy.spNameQualifier;
  if (
    qualifier !== undefined &&
    qualifier !== provider.entityId &&
    (provider.audience === '' || qualifier !== provider.audience)
  ) {
    throw new SamlError(
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
      'NameIDPolicy SPNameQualifier does not name this SP',
    );
  }
  // Either name of the SP is accepted in the request, but the NameID always lives in the
  // namespace of its entity ID: a persistent value must not change with how the SP asked
  // (SAMLCore §8.3.7), and logout matches participants by that qualifier.
  return { format, spNameQualifier: provider.entityId };
}
