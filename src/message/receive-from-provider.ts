import {
  type HttpInput,
  type InspectedMessage,
  inspectMessage,
  type Received,
  type ReceiveOptions,
} from '../bindings/index.js';
import { takeEarlierParse } from '../bindings/inspect.js';
import { receivePostReusing } from '../bindings/post.js';
import { receiveRedirectReusing } from '../bindings/redirect.js';
import { receiveSoapReusing } from '../bindings/soap.js';
import type { Provider } from '../config/index.js';
import type { Binding } from '../constants/saml.js';
import { SamlError } from '../errors/index.js';
import type { Store } from '../store/store.js';
import type { Clock } from './context.js';
import type { MessageType } from './header.js';
import { parseInstant } from './instant.js';

/** A registered provider found by the Issuer of an inspected message. */
export interface Sender {
  providerId: string;
  provider: Provider;
}

/** What every message from a provider is checked with. */
export interface SenderContext {
  store: Store;
  clock: Clock;
  clockSkewMs: number;
  /** Oldest IssueInstant accepted, before skew; also how long IDs stay in the replay cache. */
  maxMessageAgeMs: number;
  /** RelayState limit in UTF-8 bytes. Default: the `receive*` default (80). */
  maxRelayStateBytes?: number;
}

/** What this endpoint expects of the message. */
export interface SenderExpectations {
  messageType: MessageType;
  /** Our endpoint URL, checked against Destination; undefined skips the check. */
  destination?: string;
  /** For responses: the ID of our request. */
  inResponseTo?: string;
  /** When false, an unsigned message is accepted; a present signature is always verified. */
  requireSignature: boolean;
}

/**
 * Looks up the provider named by the Issuer of a message that is NOT yet
 * verified: it only selects whose certificates the message is verified with.
 *
 * @throws SamlError `SAML_ISSUER_UNKNOWN`
 */
export async function findSender(store: Store, inspected: InspectedMessage): Promise<Sender> {
  const issuer = inspected.header.issuer?.value;
  const found = issuer === undefined ? undefined : await store.findProviderByEntityId(issuer);
  if (!found) throw new SamlError('SAML_ISSUER_UNKNOWN', 'the message Issuer is not a registered provider');
  return { providerId: found.id, provider: found.provider };
}

/**
 * Receives a message from a known provider on the binding it arrived on:
 * signature (that provider's certificates only), Issuer, Destination, times
 * and InResponseTo through `receive*`, then replay: (issuer, ID) is
 * remembered for as long as the message could be accepted.
 */
export async function verifyFromSender(
  context: SenderContext,
  input: HttpInput,
  inspected: InspectedMessage,
  { provider }: Sender,
  expect: SenderExpectations,
): Promise<Received> {
  const options: ReceiveOptions = {
    trust: provider.verificationCertificates,
    requireSignature: expect.requireSignature,
    messageTypes: [expect.messageType],
    expect: {
      issuer: provider.entityId,
      ...(expect.destination ? { destination: expect.destination } : {}),
      ...(expect.inResponseTo ? { inResponseTo: expect.inResponseTo } : {}),
    },
    clock: context.clock,
    clockSkewMs: context.clockSkewMs,
    maxMessageAgeMs: context.maxMessageAgeMs,
    ...(context.maxRelayStateBytes === undefined ? {} : { maxRelayStateBytes: context.maxRelayStateBytes }),
    unsafeAllowSha1: provider.unsafeAllowSha1,
    unsafeAllowDsa: provider.unsafeAllowDsa,
    unsafeAllowShortRsaKeys: provider.unsafeAllowShortRsaKeys,
  };
  let received: Received;
  // The inspection's parse is reused only if the receive step decodes exactly the same text.
  const earlier = takeEarlierParse(inspected);
  if (inspected.binding === 'redirect')
    received = receiveRedirectReusing(input.query ?? '', options, earlier);
  else if (inspected.binding === 'post') received = receivePostReusing(input.body ?? '', options, earlier);
  else received = receiveSoapReusing(String(input.body ?? ''), options, earlier);
  const expiresAt =
    parseInstant(received.header.issueInstant, 'IssueInstant') +
    context.maxMessageAgeMs +
    2 * context.clockSkewMs;
  const fresh = await context.store.rememberOnce(
    `${provider.entityId}\u0000${received.header.id}`,
    expiresAt,
    context.clock().getTime(),
  );
  if (!fresh) throw new SamlError('SAML_REPLAY_DETECTED', 'this message was already received');
  return received;
}

/** Options of {@link receiveFromProvider}: where the message comes from, and what it must be. */
export interface ReceiveFromProviderOptions extends SenderContext {
  /** The message type this endpoint accepts. */
  messageType: MessageType;
  /**
   * Our endpoint URL, checked against Destination: one URL, or one per binding (a binding
   * without one is refused). Absent: Destination is not checked.
   */
  destination?: string | Partial<Record<Binding, string>>;
  /** For responses: the ID of our request. */
  inResponseTo?: string;
  /** Default true: an unsigned message is refused. A present signature is always verified. */
  requireSignature?: boolean;
}

/** A message verified as coming from a registered provider. */
export interface ReceivedFromProvider {
  received: Received;
  /** The provider's id in the store. */
  providerId: string;
  provider: Provider;
}

/**
 * The step every custom flow starts with: reads which registered provider a
 * message names as its Issuer (unverified, only to choose whose certificates
 * to trust), verifies the signature with that provider's certificates alone,
 * checks Issuer, Destination, times and InResponseTo, and remembers the
 * message ID so a replay is refused.
 *
 * @throws SamlError when the message is refused: `SAML_ISSUER_UNKNOWN`,
 * `SAML_SIGNATURE_*`, `SAML_DESTINATION_MISMATCH`, `SAML_REPLAY_DETECTED`, …
 */
export async function receiveFromProvider(
  input: HttpInput,
  options: ReceiveFromProviderOptions,
): Promise<ReceivedFromProvider> {
  const inspected = inspectMessage(input);
  const destination =
    typeof options.destination === 'object' ? options.destination[inspected.binding] : options.destination;
  if (typeof options.destination === 'object' && destination === undefined) {
    throw new SamlError('SAML_BINDING_PARAMETER_INVALID', 'this endpoint does not accept this binding');
  }
  const sender = await findSender(options.store, inspected);
  const received = await verifyFromSender(options, input, inspected, sender, {
    messageType: options.messageType,
    requireSignature: options.requireSignature ?? true,
    ...(destination === undefined ? {} : { destination }),
    ...(options.inResponseTo === undefined ? {} : { inResponseTo: options.inResponseTo }),
  });
  return { received, providerId: sender.providerId, provider: sender.provider };
}
