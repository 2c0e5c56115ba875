import type { AssertionConsumerService, Provider } from '../config/index.js';
import { SamlError } from '../errors/index.js';
import { selectAssertionConsumerService } from './assertion-consumer-service.js';
import type { AuthnRequest } from './authn-request.js';
import { type ResolvedNameIdPolicy, resolveNameIdPolicy } from './name-id-policy.js';

/** What a provider's registration says about an AuthnRequest it sent. */
export interface CheckedAuthnRequest {
  /** The registered endpoint the Response goes to. */
  acs: AssertionConsumerService;
  nameIdPolicy: ResolvedNameIdPolicy;
}

/**
 * The provider-level checks of an AuthnRequest read by `parseAuthnRequest`:
 * the Issuer is this provider, the ACS it names (URL or index) is one the
 * provider registered and can be answered by HTTP-POST, and the NameIDPolicy
 * asks for a format this IdP issues. Signature, Destination, IssueInstant and
 * replay are checked when receiving (`receiveRedirect` / `receivePost` and
 * the facade's replay cache).
 *
 * @throws SamlError `SAML_ISSUER_MISMATCH`, `SAML_ACS_NOT_REGISTERED`,
 * `SAML_BINDING_UNSUPPORTED` or `SAML_NAME_ID_POLICY_UNSUPPORTED`.
 */
export function checkAuthnRequest(request: AuthnRequest, provider: Provider): CheckedAuthnRequest {
  if (request.issuer.value !== provider.entityId) {
    throw new SamlError('SAML_ISSUER_MISMATCH', 'Issuer is not the expected entity', {
      details: { expected: provider.entityId, actual: request.issuer.value },
    });
  }
  const acs = selectAssertionConsumerService(provider, request);
  return { acs, nameIdPolicy: resolveNameIdPolicy(provider, request.nameIdPolicy) };
}
