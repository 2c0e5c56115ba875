import { encodePost, encodeRedirect, type PostForm } from '../bindings/index.js';
import type { Provider } from '../config/index.js';
import type { NameIdValue } from '../message/header.js';
import { issuerFor } from '../message/issuer.js';
import { type SloContext, signFor } from './context.js';
import { type BrowserBinding, type ChosenEndpoint, frontChannelEndpoint } from './endpoints.js';
import { buildParticipantLogoutRequest } from './participant-request.js';

/** A browser message: a URL to redirect to, or a form to post. */
export type FrontChannelMessage = { kind: 'redirect'; url: string } | { kind: 'post'; form: PostForm };

/**
 * A signed front-channel message to a registered endpoint of the provider
 * (never a URL from a message): a request to its `url`, a response to its `responseUrl`.
 */
export function buildFrontChannelMessage(
  context: SloContext,
  input: {
    provider: Provider;
    endpoint: ChosenEndpoint<BrowserBinding>;
    /** The message as built (its result, so a signer reuses the built tree), or its text. */
    xml: string | { readonly xml: string };
    type: 'SAMLRequest' | 'SAMLResponse';
    relayState: string | undefined;
  },
): FrontChannelMessage {
  const { endpoint, type, relayState } = input;
  const sign = signFor(context, input.provider);
  const base = {
    type,
    xml: input.xml,
    destination: type === 'SAMLRequest' ? endpoint.url : endpoint.responseUrl,
    ...(relayState ? { relayState } : {}),
    maxRelayStateBytes: context.maxRelayStateBytes,
  };
  return endpoint.binding === 'redirect'
    ? { kind: 'redirect', url: encodeRedirect({ ...base, sign }) }
    : { kind: 'post', form: encodePost({ ...base, sign }) };
}

/** The browser endpoint for requests to a participant: its `slsBinding` first, as configured. */
export function requestEndpoint(provider: Provider): ChosenEndpoint<BrowserBinding> | undefined {
  return frontChannelEndpoint(provider, [provider.slsBinding]);
}

/** The (unsigned) LogoutRequest telling one participant, from this IdP, to `destination`. */
export function buildRequestFor(
  context: SloContext,
  provider: Provider,
  participant: { nameId: NameIdValue; sessionIndex: string },
  destination: string,
): { id: string; xml: string } {
  return buildParticipantLogoutRequest({
    issuer: issuerFor(context, provider),
    provider,
    destination,
    participant,
    clock: context.clock,
    generateId: context.generateId,
    lifetimeMs: context.maxMessageAgeMs,
  });
}
