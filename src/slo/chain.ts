import { encodeSoap } from '../bindings/index.js';
import { SamlError } from '../errors/index.js';
import { buildLogoutResponse } from '../logout/index.js';
import type { StatusInput } from '../logout/logout-response.js';
import type { NameIdValue } from '../message/header.js';
import { issuerFor } from '../message/issuer.js';
import { type SloContext, signFor } from './context.js';
import { frontChannelEndpoint } from './endpoints.js';
import type { LogoutEvent } from './events.js';
import { buildFrontChannelMessage, buildRequestFor, requestEndpoint } from './front-channel-message.js';
import type { FrontChannelStep, LogoutReply, LogoutResult } from './logout-result.js';
import { aggregateStatus, failureReason, type ParticipantOutcome } from './outcome.js';

/** The SP-initiated request a chain answers when it ends. */
export interface ChainOrigin {
  providerId: string;
  requestId: string;
  relayState?: string;
  binding: 'redirect' | 'post';
}

/** A front-channel native participant still to visit. */
export interface Hop {
  participantId: string;
  providerId: string;
  entityId: string;
  nameId: NameIdValue;
  sessionIndex: string;
}

/**
 * What a chain keeps in the store between browser hops; plain data
 * (JSON-serializable), so any node sharing the store can continue it.
 */
export interface ChainState {
  userId: string | undefined;
  origin?: ChainOrigin;
  returnTo?: string;
  outcomes: ParticipantOutcome[];
  /** Participants still to visit, in order. */
  queue: Hop[];
  /** The hop whose LogoutResponse we are waiting for. */
  current?: Hop & { requestId: string };
}

/** Where one step of a chain stands: the stored version it was read at (none before the first hop). */
export interface ChainStep {
  logoutId: string;
  state: ChainState;
  version: number | undefined;
  /** The logout was asked for over SOAP: the final answer is a SOAP body, and no hop can be sent. */
  soap: boolean;
  /** This step's outcome events, emitted only once the step is stored. */
  events: LogoutEvent[];
  iframes: FrontChannelStep[];
}

/** Stores the chain: created on the first hop, then compare-and-set on the version read. */
async function persist(context: SloContext, step: ChainStep): Promise<void> {
  const { store } = context;
  const now = context.clock().getTime();
  const transaction = {
    id: step.logoutId,
    version: (step.version ?? 0) + 1,
    expiresAt: now + context.transactionTtlMs,
    state: step.state,
  };
  if (step.version === undefined) await store.createTransaction(transaction, now);
  else if (!(await store.updateTransaction(transaction, step.version, now))) {
    throw new SamlError('SAML_REPLAY_DETECTED', 'this logout step was already processed');
  }
}

/** The hops not answered yet, listed as `pending`. */
function pendingOf(state: ChainState): ParticipantOutcome[] {
  return [...(state.current ? [state.current] : []), ...state.queue].map((hop) => ({
    participantId: hop.participantId,
    providerId: hop.providerId,
    entityId: hop.entityId,
    method: 'frontchannel_native',
    outcome: 'pending',
  }));
}

/**
 * The final LogoutResponse to the SP that started an SP-initiated logout,
 * always to its configured SLS URL; `done` when it has none.
 */
export async function buildFinalReply(
  context: SloContext,
  origin: ChainOrigin,
  status: StatusInput,
  soap: boolean,
): Promise<LogoutReply> {
  const provider = await context.store.getProvider(origin.providerId);
  const response = (destination?: string) =>
    buildLogoutResponse({
      issuer: issuerFor(context, provider),
      ...(destination ? { destination } : {}),
      inResponseTo: origin.requestId,
      status,
      clock: context.clock,
      generateId: context.generateId,
    });
  if (soap) {
    return {
      kind: 'soap',
      body: encodeSoap(response(), { sign: signFor(context, provider) }),
      contentType: 'text/xml; charset=utf-8',
    };
  }
  // Answered on a browser binding, whatever the SP's back channel: its configured one
  // first, else the one it used; at the endpoint's ResponseLocation when it has one.
  const endpoint = provider && frontChannelEndpoint(provider, [provider.slsBinding, origin.binding]);
  if (!provider || !endpoint) return { kind: 'done' };
  return buildFrontChannelMessage(context, {
    provider,
    endpoint,
    xml: response(endpoint.responseUrl),
    type: 'SAMLResponse',
    relayState: origin.relayState,
  });
}

/**
 * Sends the next native hop, or finishes. Every write of a stored chain is
 * compare-and-set, the last one included, and the step's events are emitted
 * only once the step is stored.
 */
export async function advanceChain(context: SloContext, step: ChainStep): Promise<LogoutResult> {
  const { logoutId, state, events, iframes } = step;
  const { emit } = context;
  for (let next = state.queue.shift(); next; next = state.queue.shift()) {
    const provider = await context.store.getProvider(next.providerId);
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
      request = buildRequestFor(context, provider, next, endpoint.url);
      reply = buildFrontChannelMessage(context, {
        provider,
        endpoint,
        xml: request,
        type: 'SAMLRequest',
        relayState: logoutId,
      });
    } catch (error) {
      // This hop cannot be sent: it fails alone and the chain moves on to the next participant.
      const outcome: ParticipantOutcome = {
        participantId: next.participantId,
        providerId: next.providerId,
        entityId: provider.entityId,
        method: 'frontchannel_native',
        outcome: 'failed',
        reason: failureReason(error),
      };
      state.outcomes.push(outcome);
      events.push({ type: 'participant_failed', logoutId, outcome });
      continue;
    }
    state.current = { ...next, entityId: provider.entityId, requestId: request.id };
    await persist(context, step);
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
  if (step.version !== undefined) {
    // Claim the last step before answering, so two answers to it cannot both complete the logout.
    await persist(context, step);
    await context.store.deleteTransaction(logoutId);
  }
  for (const event of events) emit(event);
  const status = aggregateStatus(state.outcomes);
  emit({ type: 'logout_completed', logoutId, userId: state.userId, status, participants: state.outcomes });
  const reply: LogoutReply = state.origin
    ? await buildFinalReply(
        context,
        state.origin,
        status === 'Success' ? { code: 'Success' } : { code: 'Responder', subCode: 'PartialLogout' },
        step.soap,
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
