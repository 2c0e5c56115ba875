import { detectBinding, type HttpInput, inspectMessage, type Received } from '../bindings/index.js';
import type { AssertionConsumerService, ProviderNameIdFormat } from '../config/index.js';
import { isSamlError, SamlError } from '../errors/index.js';
import { findSender, verifyFromSender } from '../message/receive-from-provider.js';
import {
  defaultAssertionConsumerService,
  selectAssertionConsumerService,
} from './assertion-consumer-service.js';
import { type AuthnRequest, parseAuthnRequest } from './authn-request.js';
import { checkAuthnRequest } from './check-authn-request.js';
import { statusForError } from './error-status.js';
import type { SsoContext } from './sso-context.js';
import { buildSsoReply, type SsoReply } from './sso-reply.js';

/**
 * A verified AuthnRequest waiting for the user to be authenticated. Plain
 * JSON-serializable data: keep it in the user's server-side session across
 * login pages, then pass it to `completeAuthnRequest`.
 */
export interface PendingAuthnRequest {
  providerId: string;
  /** The request as read from verified bytes: ForceAuthn, IsPassive, NameIDPolicy, RequestedAuthnContext, … */
  request: AuthnRequest;
  relayState?: string;
  binding: 'redirect' | 'post';
  signed: boolean;
  /** The registered endpoint the Response goes to. */
  acs: { url: string; index: number };
  /** The NameID format that will be issued and its SPNameQualifier. */
  nameIdFormat: ProviderNameIdFormat;
  spNameQualifier: string;
  /** Epoch milliseconds. */
  receivedAt: number;
}

/** Result of `receiveAuthnRequest`: the pending request, or the error and the Response telling the SP. */
export type AuthnRequestResult =
  | { ok: true; pending: PendingAuthnRequest }
  | {
      ok: false;
      error: SamlError;
      providerId: string;
      /** The error Response to the provider's registered ACS; absent only when none could be built. */
      reply?: SsoReply;
    };

/** Our SSO endpoint for this binding; a binding without one is not served. */
function endpointFor(context: SsoContext, binding: 'redirect' | 'post'): string {
  const url = binding === 'redirect' ? context.endpoints.ssoRedirect : context.endpoints.ssoPost;
  if (url === undefined) {
    const name = binding === 'redirect' ? 'ssoRedirect' : 'ssoPost';
    throw new SamlError(
      'SAML_BINDING_PARAMETER_INVALID',
      `SSO on this binding is not enabled (no endpoints.${name})`,
    );
  }
  return url;
}

/**
 * Receives an AuthnRequest (HTTP-Redirect or HTTP-POST) and runs every check:
 * registered Issuer, signature with that provider's certificates, Destination,
 * IssueInstant, replay, a registered ACS by URL or index, NameIDPolicy.
 * A refused request from a registered provider is answered with an error
 * Response to one of its registered ACSs (SAMLProf §4.1.4.2).
 *
 * @throws SamlError when the message cannot be attributed to a registered
 * provider (undecodable, unknown Issuer, not an AuthnRequest, a binding we do not serve).
 */
export async function receiveAuthnRequest(
  context: SsoContext,
  input: HttpInput,
): Promise<AuthnRequestResult> {
  // ECP (PAOS over SOAP) is not supported: the browser profile's two bindings only.
  if (detectBinding(input) === 'soap') {
    throw new SamlError(
      'SAML_BINDING_PARAMETER_INVALID',
      'AuthnRequests arrive by HTTP-Redirect or HTTP-POST',
    );
  }
  const inspected = inspectMessage(input);
  const binding = inspected.binding === 'redirect' ? 'redirect' : 'post';
  if (inspected.header.type !== 'AuthnRequest') {
    throw new SamlError('SAML_MESSAGE_TYPE_MISMATCH', 'unexpected message type', {
      details: { expected: 'AuthnRequest', actual: inspected.header.type },
    });
  }
  const destination = endpointFor(context, binding);
  const sender = await findSender(context.store, inspected);
  const { providerId, provider } = sender;
  let received: Received | undefined;
  let request: AuthnRequest | undefined;
  try {
    received = await verifyFromSender(context, input, inspected, sender, {
      messageType: 'AuthnRequest',
      destination,
      // Per SP (SAMLProf §4.1.4.1 makes signing optional; the Response goes only to a registered ACS).
      requireSignature: context.settings.requireSignedAuthnRequests === true || provider.authnRequestsSigned,
    });
    request = parseAuthnRequest(received);
    const checked = checkAuthnRequest(request, provider);
    return {
      ok: true,
      pending: {
        providerId,
        request,
        ...(received.relayState === undefined ? {} : { relayState: received.relayState }),
        binding,
        signed: received.signed,
        acs: { url: checked.acs.url, index: checked.acs.index },
        nameIdFormat: checked.nameIdPolicy.format,
        spNameQualifier: checked.nameIdPolicy.spNameQualifier,
        receivedAt: context.clock().getTime(),
      },
    };
  } catch (error) {
    if (!isSamlError(error)) throw error;
    // The SP hears about it at a registered ACS: the one it asked for when that is registered, else the default.
    let acs: AssertionConsumerService;
    try {
      acs = request
        ? selectAssertionConsumerService(provider, request)
        : defaultAssertionConsumerService(provider);
    } catch {
      acs = defaultAssertionConsumerService(provider);
    }
    try {
      // InResponseTo and RelayState only from a request that passed verification.
      const built = buildSsoReply(
        context,
        { providerId, provider, acs },
        {
          status: statusForError(error),
          ...(request ? { inResponseTo: request.id } : {}),
          ...(request && received?.relayState ? { relayState: received.relayState } : {}),
        },
      );
      return { ok: false, error, providerId, reply: built };
    } catch {
      return { ok: false, error, providerId };
    }
  }
}
