import type { EnvelopedSignOptions } from '../bindings/index.js';
import type { Provider } from '../config/index.js';
import type { KeyPair } from '../crypto/keys.js';
import type { Clock, IdGenerator } from '../message/context.js';
import { type IdpSigning, signingFor } from '../message/idp-signing.js';
import type { SenderContext } from '../message/receive-from-provider.js';
import type { Store } from '../store/store.js';
import type { Transport } from '../transport/transport.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { EventHandler } from './events.js';

/** The SLO endpoints of the identity provider, checked against incoming Destination attributes. */
export interface SloEndpoints {
  sloRedirect?: string;
  sloPost?: string;
  /** SOAP LogoutRequests are accepted only when it is set. */
  sloSoap?: string;
}

/**
 * Everything the Single Logout engine works with, made explicit: the ports
 * (store, transport, delivery queue), the clock and ID generator, the keys,
 * the endpoints and the limits. Plain data and functions: `createIdentityProvider`
 * builds one from its options, and a test can build one by hand.
 */
export interface SloContext extends SenderContext {
  /** Our entity ID: the Issuer towards providers without their own `issuer`. */
  entityId: string;
  signing: IdpSigning;
  store: Store;
  clock: Clock;
  generateId: IdGenerator;
  /** Receives the logout events; must not throw (see `emitter`). */
  emit: EventHandler;
  endpoints: SloEndpoints;
  /** Back-channel delivery. */
  transport: Transport;
  /** Back-channel deliveries in flight at once. */
  concurrency: number;
  backchannelTimeoutMs: number;
  /** How long a front-channel chain may wait for the next hop. */
  transactionTtlMs: number;
  maxRelayStateBytes: number;
  deliveryQueue?: DeliveryQueue;
  /** Keys that decrypt an `saml:EncryptedID` in a verified LogoutRequest. */
  decryptionKeys?: readonly KeyPair[];
}

/** The provider's own signing key and algorithms when it has one, else ours. */
export function signFor(
  context: { signing: IdpSigning },
  provider: Provider | undefined,
): EnvelopedSignOptions {
  return signingFor(provider, context.signing);
}
