import {
  type EnvelopedSignOptions,
  encodePost,
  encodeRedirect,
  encodeSoap,
  type HttpInput,
  inspectMessage,
  type PostForm,
} from '../bindings/index.js';
import type { Provider } from '../config/index.js';
import { createConfigError } from '../config/issues.js';
import { nameIdFormats } from '../constants/saml.js';
import { isKeyPair } from '../crypto/keys.js';
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
import { deliverBackchannel } from '../slo/backchannel.js';
import { mapWithConcurrency } from '../slo/concurrency.js';
import type { DeliveryQueue } from '../slo/delivery-queue.js';
import { type EventHandler, emitter, type LogoutEvent } from '../slo/events.js';
import { aggregateStatus, type ParticipantOutcome } from '../slo/outcome.js';
import { buildParticipantLogoutRequest, type IdpSigning, signingFor } from '../slo/participant-request.js';
import type { SessionParticipant, Store } from '../store/store.js';
import { createFetchTransport } from '../transport/index.js';
import type { Transport } from '../transport/transport.js';
import { findSender, type SenderContext, verifyFromSender } from './provider-messages.js';
import { checkSsoOptions, createSingleSignOn, type SingleSignOn, type SsoOptions } from './single-sign-on.js';

/** Options of {@link createIdentityProvider}. */
export interface IdentityProviderOptions {
  /** Our entity ID: the Issuer of every message we send. */
  entityId: string;
  /** Default signing key (a provider's own `signingKeyPair` wins). Every logout message is signed. */
  signing: IdpSigning;
  store: Store;
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
  /** Back-channel delivery; default `createFetchTransport()`. */
  transport?: Transport;
  /**
   * Hand back-channel deliveries to this queue instead of sending them in process
   * (e.g. `createLogoutQueue` from `samlkit/bullmq`). Those participants are then
   * `queued` in the result, and the queue reports their outcomes. Default: none.
   */
  deliveryQueue?: DeliveryQueue;
  clock?: Clock;
  /** Allowed clock difference with SPs. Default 180 s. */
  clockSkewMs?: number;
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
   * @throws SamlError `SAML_INPUT_INVALID` for a missing field, `SAML_ISSUER_UNKNOWN` for an unregistered provider.
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
  concurrency: 64,
  backchannelTimeoutMs: 10_000,
  transactionTtlMs: 600_000,
} as const;

/** Fails fast, with every problem listed, on options that would break a logout half-way. */
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
};
const knownEndpoints: Record<keyof IdentityProviderOptions['endpoints'], true> = {
  sloRedirect: true,
  sloPost: true,
  sloSoap: true,
  ssoRedirect: true,
  ssoPost: true,
};

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
  number('concurrency', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer');
  number('backchannelTimeoutMs', (n) => n > 0, 'must be a positive number of milliseconds');
  number('transactionTtlMs', (n) => n > 0, 'must be a positive number of milliseconds');
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function')
    issues.push({ path: ['onEvent'], message: 'must be a function' });
  if (options.deliveryQueue !== undefined && typeof options.deliveryQueue?.enqueue !== 'function')
    issues.push({ path: ['deliveryQueue'], message: 'must have an enqueue function' });
  checkSsoOptions(options.sso, options.endpoints, issues);
  if (issues.length > 0) throw createConfigError('invalid identity provider options', issues);
}

function checkRecordSession(input: RecordSessionInput): void {
  const issues: Issue[] = [];
  const nonEmpty = (value: unknown) => typeof value === 'string' && value !== '';
  if (!nonEmpty(input?.providerId))
    issues.push({ path: ['providerId'], message: 'must be a non-empty string' });
  if (!nonEmpty(input?.userId)) issues.push({ path: ['userId'], message: 'must be a non-empty string' });
  if (!nonEmpty(input?.nameId?.value))
    issues.push({ path: ['nameId', 'value'], message: 'must be a non-empty string' });
  if (!nonEmpty(input?.sessionIndex))
    issues.push({ path: ['sessionIndex'], message: 'must be a non-empty string' });
  if (issues.length > 0) {
    throw new SamlError('SAML_INPUT_INVALID', 'invalid session participant', { details: { issues } });
  }
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
  let transport = options.transport;
  const maxMessageAgeMs = 600_000;
  const senderContext: SenderContext = { store, clock, clockSkewMs: skew, maxMessageAgeMs };

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

  /** The browser binding to reach a provider's SLS URL with. */
  const browserBinding = (provider: Provider, fallback: 'redirect' | 'post' = 'post'): 'redirect' | 'post' =>
    provider.slsBinding === 'soap' ? fallback : provider.slsBinding;

  /** A signed front-channel message to the provider's configured SLS URL (never a URL from a message). */
  function frontChannelMessage(
    provider: Provider,
    xml: string,
    type: 'SAMLRequest' | 'SAMLResponse',
    relayState: string | undefined,
    binding: 'redirect' | 'post',
  ): { kind: 'redirect'; url: string } | { kind: 'post'; form: PostForm } {
    const sign = signFor(provider);
    const base = { type, xml, destination: provider.slsUrl, ...(relayState ? { relayState } : {}) };
    return binding === 'redirect'
      ? { kind: 'redirect', url: encodeRedirect({ ...base, sign }) }
      : { kind: 'post', form: encodePost({ ...base, sign }) };
  }

  function logoutRequestFor(provider: Provider, participant: { nameId: NameIdValue; sessionIndex: string }) {
    return buildParticipantLogoutRequest({
      issuer: options.entityId,
      provider,
      participant,
      clock,
      generateId: newId,
      lifetimeMs: maxMessageAgeMs,
    });
  }

  function eventFor(logoutId: string, outcome: ParticipantOutcome): LogoutEvent | undefined {
    if (outcome.outcome === 'logged_out') return { type: 'participant_logged_out', logoutId, outcome };
    if (outcome.outcome === 'failed') return { type: 'participant_failed', logoutId, outcome };
    return undefined;
  }

  function record(logoutId: string, state: ChainState, outcome: ParticipantOutcome): void {
    state.outcomes.push(outcome);
    const event = eventFor(logoutId, outcome);
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
    const backchannel: { participant: SessionParticipant; provider: Provider }[] = [];
    for (const { participant, provider } of resolved) {
      const base = {
        participantId: participant.id,
        providerId: participant.providerId,
        entityId: provider?.entityId ?? '',
        method: provider?.logoutMethod ?? 'backchannel',
      } as const;
      if (!provider || provider.slsUrl === '') {
        record(logoutId, state, {
          ...base,
          outcome: 'skipped',
          reason: provider ? 'no_sls_url' : 'provider_unknown',
        });
      } else if (provider.logoutMethod === 'backchannel') {
        backchannel.push({ participant, provider });
      } else if (!interactive) {
        record(logoutId, state, { ...base, outcome: 'failed', reason: 'no_browser' });
      } else if (provider.logoutMethod === 'frontchannel_iframe') {
        const { xml } = logoutRequestFor(provider, participant);
        const message = frontChannelMessage(
          provider,
          xml,
          'SAMLRequest',
          undefined,
          browserBinding(provider),
        );
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
    transport ??= createFetchTransport();
    const results = await mapWithConcurrency(backchannel, concurrency, ({ participant, provider }) =>
      deliverBackchannel({
        provider,
        request: logoutRequestFor(provider, participant),
        sign: signFor(provider),
        transport: transport!,
        timeoutMs,
        clock,
        clockSkewMs: skew,
      }),
    );
    results.forEach((result, i) => {
      const { participant, provider } = backchannel[i]!;
      const base = backchannelOutcomeBase(participant, provider);
      record(
        logoutId,
        state,
        result.ok
          ? { ...base, outcome: 'logged_out' }
          : {
              ...base,
              outcome: 'failed',
              reason: result.reason,
              ...(result.detail ? { detail: result.detail } : {}),
            },
      );
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
        issuer: options.entityId,
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
    if (!provider || provider.slsUrl === '') return { kind: 'done' };
    // A SOAP-bound SP that came through the browser is answered on the binding it used.
    return frontChannelMessage(
      provider,
      response(provider.slsUrl).xml,
      'SAMLResponse',
      origin.relayState,
      browserBinding(provider, origin.binding),
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
      if (!provider || provider.slsUrl === '') {
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
      const request = logoutRequestFor(provider, next);
      state.current = { ...next, entityId: provider.entityId, requestId: request.id };
      const reply = frontChannelMessage(
        provider,
        request.xml,
        'SAMLRequest',
        logoutId,
        browserBinding(provider),
      );
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
  function sameNameId(recorded: NameIdValue, requested: NameIdValue, spEntityId: string): boolean {
    const format = (n: NameIdValue) => n.format ?? nameIdFormats.unspecified;
    const nameQualifier = (n: NameIdValue) => n.nameQualifier ?? options.entityId;
    const spNameQualifier = (n: NameIdValue) => n.spNameQualifier ?? spEntityId;
    return (
      recorded.value === requested.value &&
      format(recorded) === format(requested) &&
      nameQualifier(recorded) === nameQualifier(requested) &&
      spNameQualifier(recorded) === spNameQualifier(requested)
    );
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
        request = parseLogoutRequest(received.xml);
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
          for (const p of found) if (sameNameId(p.nameId, nameId, provider.entityId)) matched.set(p.id, p);
        }
      }
      const userIds = new Set([...matched.values()].map((p) => p.userId));
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
        status = parseLogoutResponse(received.xml).status;
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
