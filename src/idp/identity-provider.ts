import {
  type EnvelopedSignOptions,
  encodePost,
  encodeRedirect,
  encodeSoap,
  type HttpInput,
  inspectMessage,
  type PostForm,
  type Received,
  type ReceiveOptions,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from '../bindings/index.js';
import type { Provider } from '../config/index.js';
import type { DigestAlgorithm, SignatureAlgorithm } from '../constants/algorithms.js';
import type { Binding } from '../constants/saml.js';
import type { KeyPair } from '../crypto/keys.js';
import { SamlError } from '../errors/index.js';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  type LogoutRequest,
  parseLogoutRequest,
  parseLogoutResponse,
} from '../logout/index.js';
import type { StatusInput } from '../logout/logout-response.js';
import { type Clock, generateId, type IdGenerator, systemClock } from '../message/context.js';
import type { NameIdValue } from '../message/header.js';
import { parseInstant } from '../message/instant.js';
import { deliverBackchannel } from '../slo/backchannel.js';
import { mapWithConcurrency } from '../slo/concurrency.js';
import { type EventHandler, emitter } from '../slo/events.js';
import { aggregateStatus, type ParticipantOutcome } from '../slo/outcome.js';
import type { SessionParticipant, Store } from '../store/store.js';
import { createFetchTransport } from '../transport/index.js';
import type { Transport } from '../transport/transport.js';

/** Options of {@link createIdentityProvider}. */
export interface IdentityProviderOptions {
  /** Our entity ID: the Issuer of every message we send. */
  entityId: string;
  /** Default signing key (a provider's own `signingKeyPair` wins). Every logout message is signed. */
  signing: { key: KeyPair; algorithm?: SignatureAlgorithm; digestAlgorithm?: DigestAlgorithm };
  store: Store;
  /** Our SLO endpoint URLs, checked against incoming Destination attributes. */
  endpoints: { sloRedirect: string; sloPost: string; sloSoap?: string };
  /** Back-channel delivery; default `createFetchTransport()`. */
  transport?: Transport;
  clock?: Clock;
  clockSkewMs?: number;
  /** Back-channel deliveries in flight at once. Default 10. */
  concurrency?: number;
  /** Per-attempt back-channel timeout. Default 10 s. */
  backchannelTimeoutMs?: number;
  /** How long a front-channel chain may take. Default 10 minutes. */
  transactionTtlMs?: number;
  generateId?: IdGenerator;
  onEvent?: EventHandler;
}

/** What to send back to the browser or SP. */
export type LogoutReply =
  | { kind: 'redirect'; url: string }
  | { kind: 'post'; form: PostForm }
  | { kind: 'soap'; body: string; contentType: 'text/xml; charset=utf-8' }
  /** IdP-initiated chain finished: send the browser where the caller wants. */
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
  /** Final status once complete; while a chain is running, the status so far. */
  status: 'Success' | 'PartialLogout' | 'UnknownPrincipal';
  participants: ParticipantOutcome[];
  /** False while a front-channel chain still has hops; `reply` is then the next hop. */
  complete: boolean;
  reply: LogoutReply;
  /** Front-channel iframe logouts for the caller to render (outcomes unobservable). */
  iframes: FrontChannelStep[];
}

/** Input of `recordSession`: one SP's participation, at SSO time. */
export interface RecordSessionInput {
  providerId: string;
  userId: string;
  nameId: NameIdValue;
  sessionIndex: string;
}

export interface IdentityProvider {
  recordSession(input: RecordSessionInput): Promise<SessionParticipant>;
  handleLogoutRequest(input: HttpInput): Promise<LogoutResult>;
  handleLogoutResponse(input: HttpInput): Promise<LogoutResult>;
  logout(userId: string, options?: { returnTo?: string; exceptProviderId?: string }): Promise<LogoutResult>;
}

interface ChainOrigin {
  providerId: string;
  requestId: string;
  relayState?: string;
  binding: 'redirect' | 'post';
}

interface ChainState {
  userId: string | undefined;
  origin?: ChainOrigin;
  returnTo?: string;
  outcomes: ParticipantOutcome[];
  /** Participants still to visit, in order. */
  queue: { participantId: string; providerId: string; nameId: NameIdValue; sessionIndex: string }[];
  current?: { participantId: string; providerId: string; requestId: string };
  iframes: FrontChannelStep[];
}

/**
 * The Single Logout facade: records session participants, handles SP-initiated
 * LogoutRequests on any binding, runs IdP-initiated logout, and continues
 * front-channel chains from state in the store (so any node can continue them).
 */
export function createIdentityProvider(options: IdentityProviderOptions): IdentityProvider {
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const skew = options.clockSkewMs ?? 180_000;
  const newId = options.generateId ?? generateId;
  const emit = emitter(options.onEvent);
  const concurrency = options.concurrency ?? 10;
  const timeoutMs = options.backchannelTimeoutMs ?? 10_000;
  const ttl = options.transactionTtlMs ?? 600_000;
  let transport = options.transport;
  const maxMessageAgeMs = 600_000;

  const signFor = (provider: Provider): EnvelopedSignOptions => {
    const key = provider.signingKeyPair ?? options.signing.key;
    return {
      key,
      ...(provider.signingKeyPair
        ? { algorithm: provider.signatureAlgorithm, digestAlgorithm: provider.digestAlgorithm }
        : {}),
      ...(options.signing.algorithm && !provider.signingKeyPair
        ? { algorithm: options.signing.algorithm }
        : {}),
      ...(options.signing.digestAlgorithm && !provider.signingKeyPair
        ? { digestAlgorithm: options.signing.digestAlgorithm }
        : {}),
      unsafeAllowSha1: provider.unsafeAllowSha1,
      unsafeAllowDsa: provider.unsafeAllowDsa,
    };
  };

  const endpointFor = (binding: Binding): string | undefined =>
    binding === 'redirect'
      ? options.endpoints.sloRedirect
      : binding === 'post'
        ? options.endpoints.sloPost
        : options.endpoints.sloSoap;

  async function receiveFrom(
    input: HttpInput,
    expected: 'LogoutRequest' | 'LogoutResponse',
    inResponseTo?: (relayState: string | undefined) => Promise<string | undefined>,
  ) {
    const inspected = inspectMessage(input);
    const issuer = inspected.header.issuer?.value;
    const found = issuer === undefined ? undefined : await store.findProviderByEntityId(issuer);
    if (!found) throw new SamlError('SAML_ISSUER_UNKNOWN', 'the message Issuer is not a registered provider');
    const { provider } = found;
    if (provider.verificationCertificates.length === 0) {
      throw new SamlError(
        'SAML_SIGNATURE_MISSING',
        'the provider has no verification certificate to check its messages',
      );
    }
    const destination = endpointFor(inspected.binding);
    const expectedInResponseTo = inResponseTo ? await inResponseTo(inspected.relayState) : undefined;
    const receiveOptions: ReceiveOptions = {
      trust: provider.verificationCertificates,
      messageTypes: [expected],
      expect: {
        issuer: provider.entityId,
        ...(destination ? { destination } : {}),
        ...(expectedInResponseTo ? { inResponseTo: expectedInResponseTo } : {}),
      },
      clock,
      clockSkewMs: skew,
      maxMessageAgeMs,
      unsafeAllowSha1: provider.unsafeAllowSha1,
    };
    let received: Received;
    if (inspected.binding === 'redirect') received = receiveRedirect(input.query ?? '', receiveOptions);
    else if (inspected.binding === 'post') received = receivePost(input.body ?? '', receiveOptions);
    else received = receiveSoap(String(input.body ?? ''), receiveOptions);
    // Replay: (issuer, ID) remembered for as long as the message could be accepted.
    const expiresAt = parseInstant(received.header.issueInstant, 'IssueInstant') + maxMessageAgeMs + 2 * skew;
    if (
      !(await store.rememberOnce(
        `${provider.entityId}\u0000${received.header.id}`,
        expiresAt,
        clock().getTime(),
      ))
    ) {
      throw new SamlError('SAML_REPLAY_DETECTED', 'this message was already received');
    }
    return { received, providerId: found.id, provider };
  }

  function frontChannelMessage(
    provider: Provider,
    xml: string,
    type: 'SAMLRequest' | 'SAMLResponse',
    relayState: string | undefined,
  ): { kind: 'redirect'; url: string } | { kind: 'post'; form: PostForm } {
    const sign = signFor(provider);
    const base = { type, xml, destination: provider.slsUrl, ...(relayState ? { relayState } : {}) };
    return provider.slsBinding === 'redirect'
      ? { kind: 'redirect', url: encodeRedirect({ ...base, sign }) }
      : { kind: 'post', form: encodePost({ ...base, sign }) };
  }

  function logoutRequestFor(provider: Provider, participant: { nameId: NameIdValue; sessionIndex: string }) {
    const now = clock();
    return buildLogoutRequest({
      issuer: options.entityId,
      destination: provider.slsUrl,
      nameId: participant.nameId,
      sessionIndex: participant.sessionIndex,
      issueInstant: now,
      notOnOrAfter: new Date(now.getTime() + maxMessageAgeMs),
      reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
      generateId: newId,
    });
  }

  function record(logoutId: string, state: ChainState, outcome: ParticipantOutcome): void {
    state.outcomes.push(outcome);
    if (outcome.outcome === 'logged_out') emit({ type: 'participant_logged_out', logoutId, outcome });
    if (outcome.outcome === 'failed') emit({ type: 'participant_failed', logoutId, outcome });
  }

  /** Propagates to every participant: back channel now, iframes listed, native ones queued for the chain. */
  async function propagate(
    logoutId: string,
    state: ChainState,
    participants: SessionParticipant[],
    interactive: boolean,
  ): Promise<void> {
    const resolved = await Promise.all(
      participants.map(async (p) => ({ participant: p, provider: await store.getProvider(p.providerId) })),
    );
    const backchannel: typeof resolved = [];
    for (const item of resolved) {
      const { participant, provider } = item;
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
          reason: provider ? 'no_sls_url' : 'SAML_ISSUER_UNKNOWN',
        });
      } else if (provider.logoutMethod === 'backchannel') {
        backchannel.push(item);
      } else if (!interactive) {
        record(logoutId, state, { ...base, outcome: 'failed', reason: 'no_browser' });
      } else if (provider.logoutMethod === 'frontchannel_iframe') {
        const { xml } = logoutRequestFor(provider, participant);
        const message = frontChannelMessage(provider, xml, 'SAMLRequest', undefined);
        state.iframes.push({
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
          nameId: participant.nameId,
          sessionIndex: participant.sessionIndex,
        });
      }
    }
    transport ??= createFetchTransport();
    const results = await mapWithConcurrency(backchannel, concurrency, async ({ participant, provider }) => {
      const request = logoutRequestFor(provider!, participant);
      return deliverBackchannel({
        provider: provider!,
        request,
        sign: signFor(provider!),
        transport: transport!,
        timeoutMs,
        clock,
        clockSkewMs: skew,
      });
    });
    results.forEach((result, i) => {
      const { participant, provider } = backchannel[i]!;
      const base = {
        participantId: participant.id,
        providerId: participant.providerId,
        entityId: provider!.entityId,
        method: 'backchannel',
      } as const;
      record(
        logoutId,
        state,
        result.ok
          ? { ...base, outcome: 'logged_out' }
          : { ...base, outcome: 'failed', reason: result.reason },
      );
    });
  }

  /** The final LogoutResponse to the SP that started an SP-initiated logout. */
  async function finalReply(state: ChainState, status: StatusInput, soap: boolean): Promise<LogoutReply> {
    const origin = state.origin!;
    const provider = await store.getProvider(origin.providerId);
    if (!provider) throw new SamlError('SAML_STORE_FAILED', 'the originating provider disappeared');
    const response = buildLogoutResponse({
      issuer: options.entityId,
      ...(soap ? {} : { destination: provider.slsUrl }),
      inResponseTo: origin.requestId,
      status,
      clock,
      generateId: newId,
    });
    if (soap)
      return {
        kind: 'soap',
        body: encodeSoap(response.xml, { sign: signFor(provider) }),
        contentType: 'text/xml; charset=utf-8',
      };
    if (provider.slsUrl === '')
      throw new SamlError('SAML_CONFIG_INVALID', 'the provider has no SLS URL to answer to', {
        details: { issues: [{ path: ['slsUrl'], message: 'required to answer a LogoutRequest' }] },
      });
    return frontChannelMessage(provider, response.xml, 'SAMLResponse', origin.relayState);
  }

  /** Sends the next native hop, or finishes. Persists the chain when hops remain. */
  async function advance(
    logoutId: string,
    state: ChainState,
    version: number | undefined,
    soap: boolean,
  ): Promise<LogoutResult> {
    const next = state.queue.shift();
    if (next) {
      const provider = (await store.getProvider(next.providerId))!;
      const request = logoutRequestFor(provider, next);
      state.current = {
        participantId: next.participantId,
        providerId: next.providerId,
        requestId: request.id,
      };
      const transaction = {
        id: logoutId,
        version: (version ?? 0) + 1,
        expiresAt: clock().getTime() + ttl,
        state,
      };
      if (version === undefined) await store.createTransaction(transaction);
      else if (!(await store.updateTransaction(transaction, version))) {
        throw new SamlError('SAML_REPLAY_DETECTED', 'this logout step was already processed');
      }
      return {
        logoutId,
        userId: state.userId,
        status: aggregateStatus(state.outcomes),
        participants: [...state.outcomes],
        complete: false,
        reply: frontChannelMessage(provider, request.xml, 'SAMLRequest', logoutId),
        iframes: state.iframes,
      };
    }
    if (version !== undefined) await store.deleteTransaction(logoutId);
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
      iframes: state.iframes,
    };
  }

  function sameNameId(a: NameIdValue, b: NameIdValue): boolean {
    // The NameID must be the one issued to that SP, qualifiers included (attacks §8, forced logout).
    return (
      a.value === b.value &&
      (a.format ?? '') === (b.format ?? '') &&
      (a.nameQualifier ?? '') === (b.nameQualifier ?? '') &&
      (a.spNameQualifier ?? '') === (b.spNameQualifier ?? '')
    );
  }

  return {
    async recordSession(input) {
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
    },

    async handleLogoutRequest(input) {
      const { received, providerId } = await receiveFrom(input, 'LogoutRequest');
      const request: LogoutRequest = parseLogoutRequest(received.xml);
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
        iframes: [],
      };
      const now = clock().getTime();
      const nameId = request.nameId;
      let matched: SessionParticipant[] = [];
      if (nameId && nameId.value !== '') {
        const indexes = request.sessionIndexes.length > 0 ? request.sessionIndexes : [undefined];
        for (const sessionIndex of indexes) {
          const found = await store.findParticipants(
            { providerId, nameId: nameId.value, ...(sessionIndex ? { sessionIndex } : {}) },
            now,
          );
          matched.push(...found.filter((p) => sameNameId(p.nameId, nameId)));
        }
      }
      matched = matched.filter((p, i) => matched.findIndex((q) => q.id === p.id) === i);
      const userIds = new Set(matched.map((p) => p.userId));
      if (matched.length === 0 || userIds.size !== 1) {
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
      await store.deleteParticipants(all.map((p) => p.id));
      await propagate(
        logoutId,
        state,
        all.filter((p) => p.providerId !== providerId),
        !soap,
      );
      return advance(logoutId, state, undefined, soap);
    },

    async handleLogoutResponse(input) {
      let transactionId: string | undefined;
      let loaded: { version: number; state: ChainState } | undefined;
      const { received, provider } = await receiveFrom(input, 'LogoutResponse', async (relayState) => {
        transactionId = relayState;
        const transaction =
          relayState === undefined ? undefined : await store.getTransaction(relayState, clock().getTime());
        if (!transaction)
          throw new SamlError('SAML_LOGOUT_TRANSACTION_UNKNOWN', 'no logout in progress for this response');
        loaded = { version: transaction.version, state: transaction.state as ChainState };
        return loaded.state.current?.requestId;
      });
      const { version, state } = loaded!;
      const current = state.current!;
      const participant = {
        participantId: current.participantId,
        providerId: current.providerId,
        entityId: provider.entityId,
        method: 'frontchannel_native',
      } as const;
      const status = parseLogoutResponse(received.xml).status;
      emit({
        type: 'logout_response_received',
        logoutId: transactionId!,
        providerId: current.providerId,
        binding: received.binding,
        status: status.code,
      });
      record(
        transactionId!,
        state,
        status.success
          ? { ...participant, outcome: 'logged_out' }
          : { ...participant, outcome: 'failed', reason: status.subCode ?? status.code },
      );
      delete state.current;
      return advance(transactionId!, state, version, false);
    },

    async logout(userId, logoutOptions = {}) {
      const logoutId = newId();
      const state: ChainState = {
        userId,
        outcomes: [],
        queue: [],
        iframes: [],
        ...(logoutOptions.returnTo ? { returnTo: logoutOptions.returnTo } : {}),
      };
      const all = await store.listParticipantsByUser(userId, clock().getTime());
      await store.deleteParticipants(all.map((p) => p.id));
      await propagate(
        logoutId,
        state,
        all.filter((p) => p.providerId !== logoutOptions.exceptProviderId),
        true,
      );
      return advance(logoutId, state, undefined, false);
    },
  };
}
