import type { Provider } from '../config/index.js';
import { SamlError } from '../errors/index.js';
import type { IdGenerator } from '../message/context.js';
import type { NameIdValue } from '../message/header.js';
import type { IdpSigning } from '../message/idp-signing.js';
import type { SenderContext } from '../message/receive-from-provider.js';
import type { SessionParticipant } from '../store/store.js';
import type { SsoOptions } from './sso-options.js';

/** The SSO endpoints of the identity provider; AuthnRequests are received only on a binding whose endpoint is set. */
export interface SsoEndpoints {
  ssoRedirect?: string;
  ssoPost?: string;
}

/**
 * Everything the Single Sign-On engine works with, made explicit: the store,
 * clock and ID generator, the keys, the endpoints, the SSO settings and how a
 * session participant is recorded for Single Logout. `createIdentityProvider`
 * builds one from its options, and a test can build one by hand.
 */
export interface SsoContext extends SenderContext {
  /** Our entity ID: the Issuer towards providers without their own `issuer`. */
  entityId: string;
  /** The identity provider's key, for providers without a `signingKeyPair`. */
  signing: IdpSigning;
  /** The RelayState limit of received messages, also used to return it byte for byte. */
  maxRelayStateBytes: number;
  settings: SsoOptions;
  endpoints: SsoEndpoints;
  generateId: IdGenerator;
  /** Records the participant an assertion creates, so Single Logout reaches that SP. */
  recordSession(input: {
    providerId: string;
    userId: string;
    nameId: NameIdValue;
    sessionIndex: string;
  }): Promise<SessionParticipant>;
}

/** How long a received AuthnRequest may wait for its answer, by default. */
export const defaultAuthnRequestTtlMs = 3_600_000;

/** The registered provider with this id. */
export async function findProvider(context: SsoContext, providerId: string): Promise<Provider> {
  const provider = await context.store.getProvider(providerId);
  if (!provider) throw new SamlError('SAML_ISSUER_UNKNOWN', 'no provider with this id');
  return provider;
}
