import {
  type EnvelopedSignOptions,
  encodePost,
  encodeRedirect,
  encodeSoap,
  type HttpInput,
  inspectMessage,
  type PostForm,
} from '../bindings/index.js';
import { maxRelayStateLimit } from '../bindings/receive.js';
import type { Provider } from '../config/index.js';
import { createConfigError } from '../config/issues.js';
import { nameIdFormats } from '../constants/saml.js';
import { hashPartsHex } from '../crypto/index.js';
import { isKeyPair, type KeyPair } from '../crypto/keys.js';
import { type Issue, isSamlError, SamlError } from '../errors/index.js';
import {
  buildLogoutResponse,
  type LogoutRequest,
  parseLogoutRequest,
  parseLogoutResponse,
} from '../logout/index.js';
import type { Status, StatusInput } from '../logout/logout-response.js';
import { isHttpUrl } from '../message/build-input.js';
import { type Clock, generateId, type IdGenerator, systemClock } from '../message/context.js';
import type { NameIdValue } from '../message/header.js';
import { type DeliveryResult, deliverBackchannel } from '../slo/backchannel.js';
import { mapWithConcurrency } from '../slo/concurrency.js';
import type { DeliveryQueue } from '../slo/delivery-queue.js';
import {
  type BrowserBinding,
  backchannelEndpoint,
  type ChosenEndpoint,
  frontChannelEndpoint,
} from '../slo/endpoints.js';
import { type EventHandler, emitter, type LogoutEvent } from '../slo/events.js';
import { aggregateStatus, type ParticipantOutcome } from '../slo/outcome.js';
import { buildParticipantLogoutRequest, type IdpSigning, signingFor } from '../slo/participant-request.js';
import type { SessionParticipant, Store } from '../store/store.js';
import { createFetchTransport, type FetchTransportOptions } from '../transport/index.js';
import type { Transport } from '../transport/transport.js';
import { isXmlText } from '../xml/index.js';
import { findSender, type SenderContext, verifyFromSender } from './provider-messages.js';
import { checkSsoOptions, createSingleSignOn, type SingleSignOn, type SsoOptions } from './single-sign-on.js';

/** Options of {@link createIdentityProvider}. */
export interface IdentityProviderOptions {
  /** Our entity ID: the Issuer of every message we send, except to a provider with its own `issuer`. */
  entityId: string;
  /**
   * The signing key for SSO and logout alike (a provider's own `signingKeyPair`
   * wins). Every logout message is signed.
   */
  signing: IdpSigning;
  store: Store;
  /**
   * Our encryption key pairs (with private keys; several during rollover), to
   * decrypt an `saml:EncryptedID` in a LogoutRequest once its signature is
   * verified. Publish their certificates in the IdP metadata (`encryptionCertificates`).
   * Default: none, and a LogoutRequest naming its principal only by EncryptedID matches no session.
   */
  decryptionKeys?: readonly KeyPair[];
  /**
   * Our endpoint URLs, checked against incoming Destination attributes.
   * SOAP LogoutRequests are accepted only when `sloSoap` is set; AuthnRequests
   * only on a binding whose SSO endpoint is set.
   */
  endpoints: {
    sloRedirect: string;
    sloPost: string;
    sloSoap?: string;
    ssoRedirect?: string;
    ssoPost?: string;
  };
  /** Single Sign-On: needed by the SSO methods (`receiveAuthnRequest`, `initiateSso`, …). */
  sso?: SsoOptions;
  /** Back-channel delivery; default `createFetchTransport(backchannel)`. */
  transport?: Transport;
  /**
   * Options of the transport the facade creates when `transport` is not given. Its
   * defaults are safe: https only, and no loopback, private, link-local or
   * metadata-service target (checked after DNS, the connection pinned to the
   * checked address). SPs on a private network: `{ allowTargets: ['10.20.0.0/16'] }`.
   */
  backchannel?: FetchTransportOptions;
  /**
   * Hand back-channel deliveries to this queue instead of sending them in process
   * (e.g. `createLogoutQueue` from `samlkit/bullmq`). Those participants are then
   * `queued` in the result, and the queue reports their outcomes. Default: none.
   */
  deliveryQueue?: DeliveryQueue;
  clock?: Clock;
  /** Allowed clock difference with SPs. Default 180 s. */
  clockSkewMs?: number;
  /**
   * Longest RelayState accepted from an SP, in UTF-8 bytes; it is returned byte
   * for byte. Default 2048, at most 8192. SAMLBind §3.4.3 limits senders to 80
   * bytes, but SPs such as SimpleSAMLphp put a return URL there.
   */
  maxRelayStateBytes?: number;
  /** Back-channel deliveries in flight at once, a positive integer. Default 64. */
  concurrency?: number;
  /** Per-attempt back-channel timeout. Default 10 s. */
  backchannelTimeoutMs?: number;
  /** How long a front-channel chain may wait for the next hop. Default 10 minutes. */
  transactionTtlMs?: number;
  generateId?: IdGenerator;
  onEvent?: EventHandler;
}

/** What to send back to the browser or SP. */
export type LogoutReply =
  | { kind: 'redirect'; url: string }
  | { kind: 'post'; form: PostForm }
  | { kind: 'soap'; body: string; contentType: 'text/xml; charset=utf-8' }
  /**
   * Nothing to send to an SP: an IdP-initiated logout finished, or the SP
   * that asked has no SLS URL to answer to. Send the browser where you want.
   */
  | { kind: 'done'; returnTo?: string };

/** A front-channel message for the caller to render (iframe) or to send the browser to. */
export interface FrontChannelStep {
  participantId: string;
  providerId: string;
  entityId: string;
  binding: 'redirect' | 'post';
  /** For redirect: the URL; for post: the form. */
  url?: string;
  form?: PostForm;
}

/** Result of handling a LogoutRequest or advancing a chain. */
export interface LogoutResult {
  logoutId: string;
  userId: string | undefined;
  /**
   * Final status once complete. While a chain is running: the status of the
   * participants that have answered so far (pending hops are listed, not counted).
   */
  status: 'Success' | 'PartialLogout' | 'UnknownPrincipal';
  /** One entry per participant told (or not) about the logout; running chains list their hops as `pending`. */
  participants: ParticipantOutcome[];
  /** False while a front-channel chain still has hops; `reply` is then the next hop. */
  complete: boolean;
  reply: LogoutReply;
  /**
   * Front-channel iframe logouts for the caller to render (outcomes
   * unobservable). Only in the result of the call that started the logout;
   * later hops of a chain return an empty list.
   */
  iframes: FrontChannelStep[];
}

/** Input of `recordSession`: one SP's participation, at SSO time. */
export interface RecordSessionInput {
  providerId: string;
  userId: string;
  /** The NameID exactly as issued in the assertion: value, format and qualifiers. */
  nameId: NameIdValue;
  sessionIndex: string;
}

/** The facade returned by {@link createIdentityProvider}: Single Logout, and Single Sign-On (see `SingleSignOn`). */
export interface IdentityProvider extends SingleSignOn {
  /**
   * Records one SP's participation in a user's session, at SSO time.
   *
   * Every value must be one a LogoutRequest can carry: a value with a character
   * XML cannot hold (e.g. U+0001) is refused now, not found out at logout.
   *
   * @throws SamlError `SAML_INPUT_INVALID` for a missing field or a value XML
   * cannot carry (these values are data, often the user's own, so a SamlError
   * rather than a TypeError), `SAML_ISSUER_UNKNOWN` for an unregistered provider.
   */
  recordSession(input: RecordSessionInput): Promise<SessionParticipant>;
  /**
   * SP-initiated logout: receives and verifies a LogoutRequest (HTTP-Redirect,
   * HTTP-POST or SOAP), ends the user's sessions, propagates to every other
   * participant and returns the LogoutResponse to send back in `reply`.
   *
   * @throws SamlError when the message is refused; nothing has changed then.
   */
  handleLogoutRequest(input: HttpInput): Promise<LogoutResult>;
  /**
   * A LogoutResponse from an SP in a front-channel native chain: records its
   * outcome and returns the next hop, or the final reply.
   *
   * @throws SamlError when the response is refused or belongs to no running chain.
   */
  handleLogoutResponse(input: HttpInput): Promise<LogoutResult>;
  /**
   * IdP-initiated logout: ends every session of `userId` and tells each
   * participant. `exceptProviderId` is deleted without being told.
   *
   * @throws SamlError `SAML_INPUT_INVALID` when `userId` is empty.
   */
  logout(userId: string, options?: { returnTo?: string; exceptProviderId?: string }): Promise<LogoutResult>;
}

interface ChainOrigin {
  providerId: string;
  requestId: string;
  relayState?: string;
  binding: 'redirect' | 'post';
}

/** A front-channel native participant still to visit. */
interface Hop {
  participantId: string;
  providerId: string;
  entityId: string;
  nameId: NameIdValue;
  sessionIndex: string;
}

/** What a chain keeps in the store between browser hops; plain data (JSON-serializable). */
interface ChainState {
  userId: string | undefined;
  origin?: ChainOrigin;
  returnTo?: string;
  outcomes: ParticipantOutcome[];
  /** Participants still to visit, in order. */
  queue: Hop[];
  /** The hop whose LogoutResponse we are waiting for. */
  current?: Hop & { requestId: string };
}

const defaults = {
  clockSkewMs: 180_000,
  maxRelayStateBytes: 2048,
  concurrency: 64,
  backchannelTimeoutMs: 10_000,
  transactionTtlMs: 600_000,
} as const;

/** Every option `createIdentityProvider` reads; the type makes a new option fail to compile until listed. */
const knownOptions: Record<keyof IdentityProviderOptions, true> = {
  entityId: true,
  signing: true,
  store: true,
  endpoints: true,
  sso: true,
  transport: true,
  deliveryQueue: true,
  clock: true,
  clockSkewMs: true,
  concurrency: true,
  backchannelTimeoutMs: true,
  transactionTtlMs: true,
  generateId: true,
  onEvent: true,
  backchannel: true,
  maxRelayStateBytes: true,
  decryptionKeys: true,
};
const knownEndpoints: Record<keyof IdentityProviderOptions['endpoints'], true> = {
  sloRedirect: true,
  sloPost: true,
  sloSoap: true,
  ssoRedirect: true,
  ssoPost: true,
};

/** Fails fast, with every problem listed, on options that would break a logout half-way. */
function checkOptions(options: IdentityProviderOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw createConfigError('invalid identity provider options', [
      { path: [], message: 'must be an object' },
    ]);
  }
  const issues: Issue[] = [];
  if (typeof options.entityId !== 'string' || options.entityId === '')
    issues.push({ path: ['entityId'], message: 'must be a non-empty string' });
  const key = options.signing?.key;
  if (!isKeyPair(key) || !key.hasPrivateKey)
    issues.push({
      path: ['signing', 'key'],
      message: 'must be a KeyPair from loadKeyPair with a private key',
    });
  const store = options.store as Partial<Store> | undefined;
  if (typeof store?.getTransaction !== 'function' || typeof store.rememberOnce !== 'function')
    issues.push({ path: ['store'], message: 'must implement Store (e.g. createMemoryStore())' });
  // Misspelt options would otherwise be ignored silently, as parseProvider refuses them.
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(knownOptions, key))
      issues.push({ path: [key], message: 'is not an identity provider option' });
  }
  if (typeof options.endpoints !== 'object' || options.endpoints === null) {
    issues.push({ path: ['endpoints'], message: 'is required' });
  } else {
    for (const key of Object.keys(options.endpoints)) {
      if (!Object.hasOwn(knownEndpoints, key))
        issues.push({ path: ['endpoints', key], message: 'is not an endpoint' });
    }
  }
  for (const name of ['sloRedirect', 'sloPost', 'sloSoap'] as const) {
    const value = options.endpoints?.[name];
    if (value === undefined && name !== 'sloSoap')
      issues.push({ path: ['endpoints', name], message: 'is required' });
    else if (value !== undefined && !isHttpUrl(value))
      issues.push({ path: ['endpoints', name], message: 'must be an absolute http(s) URL' });
  }
  const number = (name: keyof typeof defaults, ok: (n: number) => boolean, message: string) => {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && ok(value)))
      issues.push({ path: [name], message });
  };
  number('clockSkewMs', (n) => n >= 0, 'must be a non-negative number of milliseconds');
  number(
    'maxRelayStateBytes',
    (n) => Number.isInteger(n) && n >= 80 && n <= maxRelayStateLimit,
    `must be an integer from 80 to ${maxRelayStateLimit}`,
  );
  number('concurrency', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer');
  number('backchannelTimeoutMs', (n) => n > 0, 'must be a positive number of milliseconds');
  number('transactionTtlMs', (n) => n > 0, 'must be a positive number of milliseconds');
  if (
    options.decryptionKeys !== undefined &&
    !(
      Array.isArray(options.decryptionKeys) &&
      options.decryptionKeys.every((key) => isKeyPair(key) && key.hasPrivateKey && key.keyType === 'rsa')
    )
  )
    issues.push({
      path: ['decryptionKeys'],
      message: 'must be RSA KeyPairs from loadKeyPair with private keys',
    });
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function')
    issues.push({ path: ['onEvent'], message: 'must be a function' });
  if (options.transport !== undefined && options.backchannel !== undefined)
    issues.push({
      path: ['backchannel'],
      message: 'configures the default transport: set it on your transport instead',
    });
  if (options.deliveryQueue !== undefined && typeof options.deliveryQueue?.enqueue !== 'function')
    issues.push({ path: ['deliveryQueue'], message: 'must have an enqueue function' });
  checkSsoOptions(options.sso, options.endpoints, issues);
  if (issues.length > 0) throw createConfigError('invalid identity provider options', issues);
}

/**
 * Refuses a participant whose LogoutRequest could never be built: every value
 * must be a string XML can carry. Recorded as is, such a value would only fail
 * at logout time, after the sessions are gone. The values are data, often the
 * user's own (an email address, a NameID mapping's output), not a programming
 * error, so the refusal is a `SamlError` the caller can handle like any bad input.
 */
function checkRecordSession(input: RecordSessionInput): void {
  const issues: Issue[] = [];
  const text = (value: unknown, path: (string | number)[], required: boolean) => {
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || (required && value === '')) {
      issues.push({ path, message: required ? 'must be a non-empty string' : 'must be a string' });
    } else if (!isXmlText(value)) {
      issues.push({ path, message: 'contains a character that XML cannot carry' });
    }
  };
  text(input?.providerId, ['providerId'], true);
  text(input?.userId, ['userId'], true);
  const nameId = input?.nameId as Partial<NameIdValue> | undefined;
  text(nameId?.value, ['nameId', 'value'], true);
  for (const key of ['format', 'nameQualifier', 'spNameQualifier', 'spProvidedId'] as const) {
    text(nameId?.[key], ['nameId', key], false);
  }
  text(input?.sessionIndex, ['sessionIndex'], true);
  if (issues.length > 0) {
    throw new SamlError('SAML_INPUT_INVALID', 'invalid session participant', { details: { issues } });
  }
}

/** The outcome reason when one participant's message cannot be built or signed. */
function buildFailureReason(error: unknown): string {
  return isSamlError(error) ? error.code : 'message_build_failed';
}

/**
 * The Single Logout facade: records session participants, handles SP-initiated
 * LogoutRequests on any binding, runs IdP-initiated logout, and continues
 * front-channel chains from state in the store (so any node can continue them).
 *
 * @throws SamlError `SAML_CONFIG_INVALID` when the options are unusable.
 */
export function createIdentityProvider(options: IdentityProviderOptions): IdentityProvider {
  checkOptions(options);
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const skew = options.clockSkewMs ?? defaults.clockSkewMs;
  const newId = options.generateId ?? generateId;
  const emit = emitter(options.onEvent);
  const concurrency = options.concurrency ?? defaults.concurrency;
  const timeoutMs = options.backchannelTimeoutMs ?? defaults.backchannelTimeoutMs;
  const ttl = options.transactionTtlMs ?? defaults.transactionTtlMs;
  const transport = options.transport ?? createFetchTransport(options.backchannel);
  const maxMessageAgeMs = 600_000;
  const maxRelayStateBytes = options.maxRelayStateBytes ?? defaults.maxRelayStateBytes;
  const senderContext: SenderContext = {
    store,
    clock,
    clockSkewMs: skew,
    maxMessageAgeMs,
    maxRelayStateBytes,
  };
  /** One issuer per provider: its own `issuer` when set (authentik gives each one), else ours. */
  const issuerFor = (provider: Provider | undefined): string =>
    provider && provider.issuer !== '' ? provider.issuer : options.entityId;

  /** The provider's own signing key and algorithms when it has one, else ours. */
  const signFor = (provider: Provider | undefined): EnvelopedSignOptions =>
    signingFor(provider, options.signing);

  const rejected = (
    messageType: 'LogoutRequest' | 'LogoutResponse',
    providerId: string | undefined,
    error: unknown,
  ) => {
    if (isSamlError(error)) {
      emit({
        type: 'message_rejected',
        messageType,
        code: error.code,
        ...(providerId ? { providerId } : {}),
      });
    }
  };

  /**
   * Receives a message from a registered SP: Issuer lookup on the unverified
   * message, then signature (that provider's certificates only), Destination,
   * times, InResponseTo and replay. `expectResponse` resolves the request a
   * response must answer, and may refuse it first.
   */
  async function receiveFrom(
    input: HttpInput,
    expected: 'LogoutRequest' | 'LogoutResponse',
    expectResponse?: (context: { relayState: string | undefined; providerId: string }) => Promise<string>,
  ) {
    let providerId: string | undefined;
    try {
      const inspected = inspectMessage(input);
      if (inspected.binding === 'soap' && options.endpoints.sloSoap === undefined) {
        throw new SamlError(
          'SAML_BINDING_PARAMETER_INVALID',
          'SOAP logout is not enabled (no endpoints.sloSoap)',
        );
      }
      const sender = await findSender(store, inspected);
      providerId = sender.providerId;
      const { provider } = sender;
      if (provider.verificationCertificates.length === 0) {
        throw new SamlError(
          'SAML_SIGNATURE_MISSING',
          'the provider has no verification certificate to check its messages',
        );
      }
      // Front-channel messages must name the endpoint they were sent to (SAMLBind §3.4.5.2, §3.5.5.2);
      // on SOAP, Destination is optional but must be ours when present.
      const destination =
        inspected.binding === 'redirect'
          ? options.endpoints.sloRedirect
          : inspected.binding === 'post'
            ? options.endpoints.sloPost
            : inspected.header.destination === undefined
              ? undefined
              : options.endpoints.sloSoap;
      const inResponseTo = expectResponse
        ? await expectResponse({ relayState: inspected.relayState, providerId: sender.providerId })
        : undefined;
      const received = await verifyFromSender(senderContext, input, inspected, sender, {
        messageType: expected,
        requireSignature: true,
        ...(destination ? { destination } : {}),
        ...(inResponseTo ? { inResponseTo } : {}),
      });
      return { received, providerId: sender.providerId, provider };
    } catch (error) {
      rejected(expected, providerId, error);
      throw error;
    }
  }

  /**
   * A signed front-channel message to a registered endpoint of the provider
   * (never a URL from a message): a request to its `url`, a response to its `responseUrl`.
   */
  function frontChannelMessage(
    provider: Provider,
    endpoint: ChosenEndpoint<BrowserBinding>,
    xml: string,
    type: 'SAMLRequest' | 'SAMLResponse',
    relayState: string | undefined,
  ): { kind: 'redirect'; url: string } | { kind: 'post'; form: PostForm } {
    const sign = signFor(provider);
    const base = {
      type,
      xml,
      destination: type === 'SAMLRequest' ? endpoint.url : endpoint.responseUrl,
      ...(relayState ? { relayState } : {}),
      maxRelayStateBytes,
    };
    return endpoint.binding === 'redirect'
      ? { kind: 'redirect', url: encodeRedirect({ ...base, sign }) }
      : { kind: 'post', form: encodePost({ ...base, sign }) };
  }

  /** The browser endpoint for requests to a participant: its `slsBinding` first, as configured. */
  const requestEndpoint = (provider: Provider) => frontChannelEndpoint(provider, [provider.slsBinding]);

  function logoutRequestFor(
    provider: Provider,
    participant: { nameId: NameIdValue; sessionIndex: string },
    destination: string,
  ) {
    return buildParticipantLogoutRequest({
      issuer: issuerFor(provider),
      provider,
      destination,
      participant,
      clock,
      generateId: newId,
      lifetimeMs: maxMessageAgeMs,
    });
  }

  function eventFor(logoutId: string, outcome: ParticipantOutcome, detail?: string): LogoutEvent | undefined {
    if (outcome.outcome === 'logged_out') return { type: 'participant_logged_out', logoutId, outcome };
    if (outcome.outcome === 'failed')
      return { type: 'participant_failed', logoutId, outcome, ...(detail ? { detail } : {}) };
    return undefined;
  }

  /** `detail` goes to the operator's event only, never into the outcome. */
  function record(logoutId: string, state: ChainState, outcome: ParticipantOutcome, detail?: string): void {
    state.outcomes.push(outcome);
    const event = eventFor(logoutId, outcome, detail);
    if (event) emit(event);
  }

  /**
   * Deletes the participants and returns the ids this call removed. Two logouts of one user
   * racing (on this node or another sharing the store) both list every participant; only the
   * one whose delete removed a participant may tell its SP, or the SP hears twice.
   */
  async function claimParticipants(ids: readonly string[]): Promise<Set<string>> {
    const removed: unknown = await store.deleteParticipants(ids);
    // A store that returns no ids (written before deleteParticipants reported them) has deleted
    // already: every id counts as ours, so each SP is still told, as before, though two racing
    // logouts may then both tell it. Failing here would end the sessions and tell no one.
    return new Set(Array.isArray(removed) ? (removed as string[]) : ids);
  }

  /**
   * Propagates to every participant: back channel now (bounded concurrency),
   * iframes listed for the caller, native ones queued for the chain.
   */
  async function propagate(
    logoutId: string,
    state: ChainState,
    participants: SessionParticipant[],
    interactive: boolean,
    iframes: FrontChannelStep[],
  ): Promise<void> {
    const resolved = await Promise.all(
      participants.map(async (p) => ({ participant: p, provider: await store.getProvider(p.providerId) })),
    );
    const backchannel: {
      participant: SessionParticipant;
      provider: Provider;
      endpoint: ChosenEndpoint<'soap' | 'post'>;
    }[] = [];
    for (const { participant, provider } of resolved) {
      const base = {
        participantId: participant.id,
        providerId: participant.providerId,
        entityId: provider?.entityId ?? '',
        method: provider?.logoutMethod ?? 'backchannel',
      } as const;
      const back = provider?.logoutMethod === 'backchannel' ? backchannelEndpoint(provider) : undefined;
      const front =
        provider && provider.logoutMethod !== 'backchannel' ? requestEndpoint(provider) : undefined;
      if (!provider || (back === undefined && front === undefined)) {
        record(logoutId, state, {
          ...base,
          outcome: 'skipped',
          reason: provider ? 'no_sls_url' : 'provider_unknown',
        });
      } else if (back !== undefined) {
        backchannel.push({ participant, provider, endpoint: back });
      } else if (!interactive) {
        record(logoutId, state, { ...base, outcome: 'failed', reason: 'no_browser' });
      } else if (provider.logoutMethod === 'frontchannel_iframe') {
        let message: ReturnType<typeof frontChannelMessage>;
        try {
          const { xml } = logoutRequestFor(provider, participant, front!.url);
          message = frontChannelMessage(provider, front!, xml, 'SAMLRequest', undefined);
        } catch (error) {
          // Its data, its endpoint or its key: this participant's failure, not the logout's.
          record(logoutId, state, { ...base, outcome: 'failed', reason: buildFailureReason(error) });
          continue;
        }
        iframes.push({
          participantId: participant.id,
          providerId: participant.providerId,
          entityId: provider.entityId,
          binding: message.kind,
          ...(message.kind === 'redirect' ? { url: message.url } : { form: message.form }),
        });
        record(logoutId, state, { ...base, outcome: 'delegated' });
      } else {
        state.queue.push({
          participantId: participant.id,
          providerId: participant.providerId,
          entityId: provider.entityId,
          nameId: participant.nameId,
          sessionIndex: participant.sessionIndex,
        });
      }
    }
    if (backchannel.length === 0) return;
    if (options.deliveryQueue) {
      await enqueueBackchannel(logoutId, state, backchannel, options.deliveryQueue);
      return;
    }
    const results = await mapWithConcurrency(
      backchannel,
      concurrency,
      async ({ participant, provider, endpoint }): Promise<DeliveryResult> => {
        let request: { id: string; xml: string };
        let sign: EnvelopedSignOptions;
        try {
          request = logoutRequestFor(provider, participant, endpoint.url);
          sign = signFor(provider);
        } catch (error) {
          // One participant's message failing to build never stops the others' deliveries.
          return { ok: false, reason: buildFailureReason(error) };
        }
        return deliverBackchannel({
          provider,
          endpoint,
          request,
          sign,
          transport,
          timeoutMs,
          clock,
          clockSkewMs: skew,
        });
      },
    );
    results.forEach((result, i) => {
      const { participant, provider } = backchannel[i]!;
      const base = backchannelOutcomeBase(participant, provider);
      if (result.ok) record(logoutId, state, { ...base, outcome: 'logged_out' });
      else record(logoutId, state, { ...base, outcome: 'failed', reason: result.reason }, result.detail);
    });
  }

  /** The fields every back-channel outcome of this participant carries. */
  function backchannelOutcomeBase(participant: SessionParticipant, provider: Provider) {
    return {
      participantId: participant.id,
      providerId: participant.providerId,
      entityId: provider.entityId,
      method: 'backchannel',
    } as const;
  }

  /**
   * Hands the back-channel deliveries to the queue: `queued` when it took them, or
   * `failed` (`queue_unavailable`) when it refused, as their sessions are already ended.
   */
  async function enqueueBackchannel(
    logoutId: string,
    state: ChainState,
    backchannel: { participant: SessionParticipant; provider: Provider }[],
    queue: DeliveryQueue,
  ): Promise<void> {
    let queued = true;
    try {
      await queue.enqueue({
        logoutId,
        userId: state.userId,
        deliveries: backchannel.map(({ participant, provider }) => ({
          participantId: participant.id,
          providerId: participant.providerId,
          entityId: provider.entityId,
          nameId: { ...participant.nameId },
          sessionIndex: participant.sessionIndex,
        })),
      });
    } catch {
      queued = false;
    }
    for (const { participant, provider } of backchannel) {
      const base = backchannelOutcomeBase(participant, provider);
      record(
        logoutId,
        state,
        queued ? { ...base, outcome: 'queued' } : { ...base, outcome: 'failed', reason: 'queue_unavailable' },
      );
    }
  }

  /**
   * The final LogoutResponse to the SP that started an SP-initiated logout,
   * always to its configured SLS URL; `done` when it has none.
   */
  async function finalReply(state: ChainState, status: StatusInput, soap: boolean): Promise<LogoutReply> {
    const origin = state.origin!;
    const provider = await store.getProvider(origin.providerId);
    const response = (destination?: string) =>
      buildLogoutResponse({
        issuer: issuerFor(provider),
        ...(destination ? { destination } : {}),
        inResponseTo: origin.requestId,
        status,
        clock,
        generateId: newId,
      });
    if (soap) {
      return {
        kind: 'soap',
        body: encodeSoap(response().xml, { sign: signFor(provider) }),
        contentType: 'text/xml; charset=utf-8',
      };
    }
    // Answered on a browser binding, whatever the SP's back channel: its configured one
    // first, else the one it used; at the endpoint's ResponseLocation when it has one.
    const endpoint = provider && frontChannelEndpoint(provider, [provider.slsBinding, origin.binding]);
    if (!provider || !endpoint) return { kind: 'done' };
    return frontChannelMessage(
      provider,
      endpoint,
      response(endpoint.responseUrl).xml,
      'SAMLResponse',
      origin.relayState,
    );
  }

  /** Stores the chain: created on the first hop, then compare-and-set on the version read. */
  async function persist(logoutId: string, state: ChainState, version: number | undefined): Promise<void> {
    const now = clock().getTime();
    const transaction = { id: logoutId, version: (version ?? 0) + 1, expiresAt: now + ttl, state };
    if (version === undefined) await store.createTransaction(transaction, now);
    else if (!(await store.updateTransaction(transaction, version, now))) {
      throw new SamlError('SAML_REPLAY_DETECTED', 'this logout step was already processed');
    }
  }

  const pendingOf = (state: ChainState): ParticipantOutcome[] =>
    [...(state.current ? [state.current] : []), ...state.queue].map((hop) => ({
      participantId: hop.participantId,
      providerId: hop.providerId,
      entityId: hop.entityId,
      method: 'frontchannel_native',
      outcome: 'pending',
    }));

  /**
   * Sends the next native hop, or finishes. Every write of a stored chain is
   * compare-and-set, the last one included, and `events` (this step's
   * outcomes) are emitted only once the step is stored.
   */
  async function advance(
    logoutId: string,
    state: ChainState,
    version: number | undefined,
    soap: boolean,
    events: LogoutEvent[],
    iframes: FrontChannelStep[],
  ): Promise<LogoutResult> {
    for (let next = state.queue.shift(); next; next = state.queue.shift()) {
      const provider = await store.getProvider(next.providerId);
      const endpoint = provider && requestEndpoint(provider);
      if (!provider || !endpoint) {
        state.outcomes.push({
          participantId: next.participantId,
          providerId: next.providerId,
          entityId: provider?.entityId ?? next.entityId,
          method: 'frontchannel_native',
          outcome: 'skipped',
          reason: provider ? 'no_sls_url' : 'provider_unknown',
        });
        continue;
      }
      let request: { id: string; xml: string };
      let reply: LogoutReply;
      try {
        request = logoutRequestFor(provider, next, endpoint.url);
        reply = frontChannelMessage(provider, endpoint, request.xml, 'SAMLRequest', logoutId);
      } catch (error) {
        // This hop cannot be sent: it fails alone and the chain moves on to the next participant.
        const outcome: ParticipantOutcome = {
          participantId: next.participantId,
          providerId: next.providerId,
          entityId: provider.entityId,
          method: 'frontchannel_native',
          outcome: 'failed',
          reason: buildFailureReason(error),
        };
        state.outcomes.push(outcome);
        events.push({ type: 'participant_failed', logoutId, outcome });
        continue;
      }
      state.current = { ...next, entityId: provider.entityId, requestId: request.id };
      await persist(logoutId, state, version);
      for (const event of events) emit(event);
      return {
        logoutId,
        userId: state.userId,
        status: aggregateStatus(state.outcomes),
        participants: [...state.outcomes, ...pendingOf(state)],
        complete: false,
        reply,
        iframes,
      };
    }
    if (version !== undefined) {
      // Claim the last step before answering, so two answers to it cannot both complete the logout.
      await persist(logoutId, state, version);
      await store.deleteTransaction(logoutId);
    }
    for (const event of events) emit(event);
    const status = aggregateStatus(state.outcomes);
    emit({ type: 'logout_completed', logoutId, userId: state.userId, status, participants: state.outcomes });
    const reply: LogoutReply = state.origin
      ? await finalReply(
          state,
          status === 'Success' ? { code: 'Success' } : { code: 'Responder', subCode: 'PartialLogout' },
          soap,
        )
      : { kind: 'done', ...(state.returnTo ? { returnTo: state.returnTo } : {}) };
    return {
      logoutId,
      userId: state.userId,
      status,
      participants: state.outcomes,
      complete: true,
      reply,
      iframes,
    };
  }

  /**
   * The NameID in a request must be the one issued to that SP (attacks §8,
   * forced logout), compared as SAMLCore §2.2 defines it: an absent Format is
   * `unspecified`; an absent NameQualifier is this IdP and an absent
   * SPNameQualifier is that SP (SAMLCore §8.3.7), so an SP that leaves out what
   * the context already says still matches, and one that names another IdP or SP does not.
   */
  function sameNameId(recorded: NameIdValue, requested: NameIdValue, provider: Provider): boolean {
    const format = (n: NameIdValue) => n.format ?? nameIdFormats.unspecified;
    const nameQualifier = (n: NameIdValue) => n.nameQualifier ?? issuerFor(provider);
    const spNameQualifier = (n: NameIdValue) => n.spNameQualifier ?? provider.entityId;
    return (
      recorded.value === requested.value &&
      format(recorded) === format(requested) &&
      nameQualifier(recorded) === nameQualifier(requested) &&
      spNameQualifier(recorded) === spNameQualifier(requested)
    );
  }

  /**
   * A logout remembers, briefly, whom it logged out, so an SP whose LogoutRequest
   * loses a race with it (its participant already deleted) is told Success, the
   * truth, not UnknownPrincipal. Kept as long as a LogoutRequest issued before the
   * logout can still be accepted; keyed as `findParticipants` looks participants up.
   */
  const loggedOutTtl = maxMessageAgeMs + skew;
  const loggedOutId = (providerId: string, nameId: string, sessionIndex: string) =>
    `logged-out:${hashPartsHex([providerId, nameId, sessionIndex])}`;

  async function rememberLoggedOut(participants: readonly SessionParticipant[]): Promise<void> {
    const now = clock().getTime();
    await Promise.all(
      participants.flatMap((p) =>
        // By its SessionIndex, and without one for requests that name only the NameID.
        [p.sessionIndex, ''].map(async (sessionIndex) => {
          try {
            await store.createTransaction(
              {
                id: loggedOutId(p.providerId, p.nameId.value, sessionIndex),
                version: 1,
                expiresAt: now + loggedOutTtl,
                state: { loggedOut: { userId: p.userId, nameId: p.nameId } },
              },
              now,
            );
          } catch {
            // Already remembered (another session of this NameID), or the store refused:
            // the logout itself matters more than a precise answer to a late request.
          }
        }),
      ),
    );
  }

  /** The user a just-finished logout logged out under this NameID (and SessionIndex), if any. */
  async function findLoggedOut(
    providerId: string,
    provider: Provider,
    nameId: NameIdValue,
    sessionIndexes: readonly string[],
  ): Promise<string | undefined> {
    const now = clock().getTime();
    for (const sessionIndex of sessionIndexes.length > 0 ? sessionIndexes : ['']) {
      const found = await store.getTransaction(loggedOutId(providerId, nameId.value, sessionIndex), now);
      const loggedOut = (found?.state as { loggedOut?: { userId: string; nameId: NameIdValue } } | undefined)
        ?.loggedOut;
      if (loggedOut && sameNameId(loggedOut.nameId, nameId, provider)) return loggedOut.userId;
    }
    return undefined;
  }

  async function recordSession(input: RecordSessionInput): Promise<SessionParticipant> {
    checkRecordSession(input);
    const provider = await store.getProvider(input.providerId);
    if (!provider) throw new SamlError('SAML_ISSUER_UNKNOWN', 'no provider with this id');
    const now = clock().getTime();
    const participant: SessionParticipant = {
      id: newId(),
      providerId: input.providerId,
      userId: input.userId,
      nameId: { ...input.nameId },
      sessionIndex: input.sessionIndex,
      createdAt: now,
      expiresAt: now + provider.durations.sessionValidNotOnOrAfter,
    };
    await store.recordParticipant(participant);
    return participant;
  }

  const singleSignOn = createSingleSignOn({
    idpEntityId: options.entityId,
    issuerFor,
    signing: options.signing,
    maxRelayStateBytes,
    sso: options.sso,
    endpoints: options.endpoints,
    sender: senderContext,
    generateId: newId,
    recordParticipant: recordSession,
  });

  return {
    ...singleSignOn,
    recordSession,

    async handleLogoutRequest(input) {
      const { received, providerId, provider } = await receiveFrom(input, 'LogoutRequest');
      let request: LogoutRequest;
      try {
        // Decrypted only now, after the signature and the message checks (attacks: no oracle for strangers).
        request = parseLogoutRequest(
          received,
          options.decryptionKeys?.length ? { decryption: { key: options.decryptionKeys } } : {},
        );
      } catch (error) {
        rejected('LogoutRequest', providerId, error);
        throw error;
      }
      const logoutId = newId();
      emit({
        type: 'logout_request_received',
        logoutId,
        providerId,
        binding: received.binding,
        messageId: request.id,
      });
      const soap = received.binding === 'soap';
      const state: ChainState = {
        userId: undefined,
        origin: {
          providerId,
          requestId: request.id,
          ...(received.relayState ? { relayState: received.relayState } : {}),
          binding: received.binding === 'post' ? 'post' : 'redirect',
        },
        outcomes: [],
        queue: [],
      };
      const now = clock().getTime();
      const nameId = request.nameId;
      const matched = new Map<string, SessionParticipant>();
      if (nameId && nameId.value !== '') {
        const indexes = request.sessionIndexes.length > 0 ? request.sessionIndexes : [undefined];
        for (const sessionIndex of indexes) {
          const found = await store.findParticipants(
            { providerId, nameId: nameId.value, ...(sessionIndex ? { sessionIndex } : {}) },
            now,
          );
          for (const p of found) if (sameNameId(p.nameId, nameId, provider)) matched.set(p.id, p);
        }
      }
      const userIds = new Set([...matched.values()].map((p) => p.userId));
      if (matched.size === 0 && nameId && nameId.value !== '') {
        // Lost a race with a concurrent logout of the same user: its sessions are ended, so the
        // true answer is Success (SAMLCore §3.7.3.2), not UnknownPrincipal.
        const loggedOutUser = await findLoggedOut(providerId, provider, nameId, request.sessionIndexes);
        if (loggedOutUser !== undefined) {
          state.userId = loggedOutUser;
          return advance(logoutId, state, undefined, soap, [], []);
        }
      }
      if (matched.size === 0 || userIds.size !== 1) {
        // Nothing of ours matches: end nothing (SAMLCore §3.7.3.2, UnknownPrincipal).
        const reply = await finalReply(state, { code: 'Requester', subCode: 'UnknownPrincipal' }, soap);
        return {
          logoutId,
          userId: undefined,
          status: 'UnknownPrincipal',
          participants: [],
          complete: true,
          reply,
          iframes: [],
        };
      }
      state.userId = [...userIds][0]!;
      const all = await store.listParticipantsByUser(state.userId, now);
      await rememberLoggedOut([...all, ...matched.values()]);
      const removed = await claimParticipants([...new Set([...all.map((p) => p.id), ...matched.keys()])]);
      // Everyone but the sessions the request itself ended is told, the requester's other sessions
      // included; a participant a concurrent logout removed first is told by that logout. The
      // requester's sessions are ended either way, so its answer does not change.
      const iframes: FrontChannelStep[] = [];
      await propagate(
        logoutId,
        state,
        all.filter((p) => !matched.has(p.id) && removed.has(p.id)),
        !soap,
        iframes,
      );
      return advance(logoutId, state, undefined, soap, [], iframes);
    },

    async handleLogoutResponse(input) {
      let loaded: { id: string; version: number; state: ChainState } | undefined;
      const { received, providerId } = await receiveFrom(
        input,
        'LogoutResponse',
        async ({ relayState, providerId: responder }) => {
          // RelayState is only a lookup key: it selects a transaction, and the
          // transaction says which SP must answer which request.
          const transaction =
            relayState === undefined ? undefined : await store.getTransaction(relayState, clock().getTime());
          const state = transaction?.state as ChainState | undefined;
          if (!transaction || !state?.current) {
            throw new SamlError('SAML_LOGOUT_TRANSACTION_UNKNOWN', 'no logout in progress for this response');
          }
          if (state.current.providerId !== responder) {
            throw new SamlError('SAML_ISSUER_MISMATCH', 'this logout step waits for another provider', {
              details: { expected: state.current.entityId },
            });
          }
          loaded = { id: transaction.id, version: transaction.version, state };
          return state.current.requestId;
        },
      );
      const { id: logoutId, version, state } = loaded!;
      const current = state.current!;
      let status: Status;
      try {
        status = parseLogoutResponse(received).status;
      } catch (error) {
        rejected('LogoutResponse', providerId, error);
        throw error;
      }
      emit({
        type: 'logout_response_received',
        logoutId,
        providerId,
        binding: received.binding,
        status: status.code,
      });
      const base = {
        participantId: current.participantId,
        providerId: current.providerId,
        entityId: current.entityId,
        method: 'frontchannel_native',
      } as const;
      const outcome: ParticipantOutcome = status.success
        ? { ...base, outcome: 'logged_out' }
        : { ...base, outcome: 'failed', reason: status.subCode ?? status.code };
      state.outcomes.push(outcome);
      delete state.current;
      const event = eventFor(logoutId, outcome);
      return advance(logoutId, state, version, false, event ? [event] : [], []);
    },

    async logout(userId, logoutOptions = {}) {
      if (typeof userId !== 'string' || userId === '') {
        throw new SamlError('SAML_INPUT_INVALID', 'userId must be a non-empty string', {
          details: { issues: [{ path: ['userId'], message: 'must be a non-empty string' }] },
        });
      }
      const logoutId = newId();
      const state: ChainState = {
        userId,
        outcomes: [],
        queue: [],
        ...(logoutOptions.returnTo ? { returnTo: logoutOptions.returnTo } : {}),
      };
      const all = await store.listParticipantsByUser(userId, clock().getTime());
      await rememberLoggedOut(all);
      const removed = await claimParticipants(all.map((p) => p.id));
      const iframes: FrontChannelStep[] = [];
      await propagate(
        logoutId,
        state,
        // A participant a concurrent logout removed first is that logout's to tell.
        all.filter((p) => removed.has(p.id) && p.providerId !== logoutOptions.exceptProviderId),
        true,
        iframes,
      );
      return advance(logoutId, state, undefined, false, [], iframes);
    },
  };
}
