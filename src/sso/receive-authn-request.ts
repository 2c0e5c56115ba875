import {
  detectBinding,
  type HttpInput,
  type InspectedMessage,
  inspectMessage,
  type Received,
} from '../bindings/index.js';
import type { AssertionConsumerService, ProviderNameIdFormat } from '../config/index.js';
import { isSamlError, SamlError } from '../errors/index.js';
import { findSender, type Sender, verifyFromSender } from '../message/receive-from-provider.js';
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

/**
 * Result of `receiveAuthnRequest`: the pending request, or the refusal. A
 * refusal names the provider and carries the error Response telling it when
 * the request named a registered provider; without `providerId` there is
 * nobody to answer (answer the browser with a 400 that does not echo the message).
 */
export type AuthnRequestResult =
  | { ok: true; pending: PendingAuthnRequest }
  | {
      ok: false;
      error: SamlError;
      /** The registered provider the request named (unverified when its signature is what failed). */
      providerId?: string;
      /** The error Response to the provider's registered ACS; absent when there is nobody to answer, or none could be built. */
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

/** The registered provider an AuthnRequest names, before anything is verified: it selects whose keys to trust. */
async function findRequester(
  context: SsoContext,
  input: HttpInput,
): Promise<{ inspected: InspectedMessage; sender: Sender; destination: string }> {
  // ECP (PAOS over SOAP) is not supported: the browser profile's two bindings only.
  if (detectBinding(input) === 'soap') {
    throw new SamlError(
      'SAML_BINDING_PARAMETER_INVALID',
      'AuthnRequests arrive by HTTP-Redirect or HTTP-POST',
    );
  }
  const inspected = inspectMessage(input);
  if (inspected.header.type !== 'AuthnRequest') {
    throw new SamlError('SAML_MESSAGE_TYPE_MISMATCH', 'unexpected message type', {
      details: { expected: 'AuthnRequest', actual: inspected.header.type },
    });
  }
  const destination = endpointFor(context, inspected.binding === 'redirect' ? 'redirect' : 'post');
  const sender = await findSender(context.store, inspected);
  return { inspected, sender, destination };
}

/**
 * Receives an AuthnRequest (HTTP-Redirect or HTTP-POST) and runs every check:
 * registered Issuer, signature with that provider's certificates, Destination,
 * IssueInstant, replay, a registered ACS by URL or index, NameIDPolicy.
 * Every refusal is a result, never thrown: a refused request from a registered
 * provider comes with the error Response to one of its registered ACSs
 * (SAMLProf §4.1.4.2); one that names no registered provider (undecodable,
 * unknown Issuer, not an AuthnRequest, a binding we do not serve) has nobody to answer.
 */
export async function receiveAuthnRequest(
  context: SsoContext,
  input: HttpInput,
): Promise<AuthnRequestResult> {
  let attributed: { inspected: InspectedMessage; sender: Sender; destination: string };
  try {
    attributed = await findRequester(context, input);
  } catch (error) {
    if (!isSamlError(error)) throw error;
    return { ok: false, error };
  }
  const { inspected, sender, destination } = attributed;
  const binding = inspected.binding === 'redirect' ? 'redirect' : 'post';
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
