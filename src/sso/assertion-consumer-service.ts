import type { AssertionConsumerService, Provider } from '../config/index.js';
import { acsBindingUris } from '../constants/saml.js';
import { SamlError } from '../errors/index.js';
import type { AuthnRequest } from './authn-request.js';

/** What a request says about where its Response goes (SAMLCore §3.4.1). */
export type AcsRequest = Pick<
  AuthnRequest,
  'assertionConsumerServiceUrl' | 'assertionConsumerServiceIndex' | 'protocolBinding'
>;

/** Compares two absolute URLs as the same resource: scheme and host case, default port, dot segments. */
function sameUrl(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  try {
    return new URL(registered).href === new URL(requested).href;
  } catch {
    return false;
  }
}

function unsupported(message: string, binding: string): never {
  throw new SamlError('SAML_BINDING_UNSUPPORTED', message, { details: { binding } });
}

/** The provider's default ACS: the `post` endpoint at `acsUrl`. */
export function defaultAssertionConsumerService(provider: Provider): AssertionConsumerService {
  const found = provider.assertionConsumerServices.find(
    (service) => service.binding === 'post' && service.url === provider.acsUrl,
  );
  // parseProvider guarantees it; a hand-built Provider object might not.
  if (!found) {
    throw new SamlError('SAML_CONFIG_INVALID', 'provider has no POST endpoint at its acsUrl', {
      details: {
        issues: [{ path: ['assertionConsumerServices'], message: 'has no POST endpoint at acsUrl' }],
      },
    });
  }
  return found;
}

/**
 * Chooses the ACS endpoint a Response goes to: one the provider registered,
 * never a URL taken from the message (SAMLProf §4.1.4.1). A request may name
 * it by index, or by URL (compared as the same resource) and optionally a
 * ProtocolBinding; naming none means the default. The Response is always sent
 * by HTTP-POST: SAMLProf §4.1.2 forbids HTTP-Redirect for it, and Artifact and
 * PAOS are not implemented.
 *
 * @throws SamlError `SAML_ACS_NOT_REGISTERED` for an unknown URL or index,
 * `SAML_BINDING_UNSUPPORTED` when the binding asked for (or registered) is not HTTP-POST.
 */
export function selectAssertionConsumerService(
  provider: Provider,
  request: AcsRequest = {},
): AssertionConsumerService {
  const binding = request.protocolBinding;
  if (binding !== undefined && binding !== acsBindingUris.post)
    unsupported('the requested ProtocolBinding is not HTTP-POST', binding);
  const services = provider.assertionConsumerServices;
  let chosen: AssertionConsumerService;
  if (request.assertionConsumerServiceIndex !== undefined) {
    const index = request.assertionConsumerServiceIndex;
    const found = services.find((service) => service.index === index);
    if (!found) {
      throw new SamlError('SAML_ACS_NOT_REGISTERED', 'AssertionConsumerServiceIndex is not registered', {
        details: { index },
      });
    }
    chosen = found;
  } else if (request.assertionConsumerServiceUrl !== undefined) {
    const url = request.assertionConsumerServiceUrl;
    const matching = services.filter((service) => sameUrl(service.url, url));
    if (matching.length === 0)
      throw new SamlError('SAML_ACS_NOT_REGISTERED', 'AssertionConsumerServiceURL is not registered');
    chosen = matching.find((service) => service.binding === 'post') ?? matching[0]!;
  } else {
    return defaultAssertionConsumerService(provider);
  }
  if (chosen.binding !== 'post')
    unsupported('the registered endpoint does not use HTTP-POST', acsBindingUris[chosen.binding]);
  return chosen;
}
