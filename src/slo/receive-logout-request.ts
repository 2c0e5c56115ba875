import type { HttpInput } from '../bindings/index.js';
import { type LogoutRequest, parseLogoutRequest } from '../logout/index.js';
import type { SessionParticipant } from '../store/store.js';
import { advanceChain, buildFinalReply, type ChainState } from './chain.js';
import type { SloContext } from './context.js';
import { findLoggedOut, rememberLoggedOut } from './logged-out.js';
import type { FrontChannelStep, LogoutMessageResult, LogoutResult } from './logout-result.js';
import { sameNameId } from './name-id-match.js';
import { propagate } from './propagate.js';
import { type Attribution, emitRejected, receiveLogoutMessage, resultOf } from './receive-logout-message.js';
import { claimParticipants } from './record-session.js';

/**
 * SP-initiated logout (SAMLProf §4.4.3): receives and verifies a LogoutRequest
 * (HTTP-Redirect, HTTP-POST or SOAP), matches its NameID and SessionIndexes to
 * that SP's participants, ends the user's sessions, propagates to every other
 * participant, and returns the LogoutResponse for the SP, or the chain's first hop.
 *
 * A refused message is `{ ok: false }`; nothing has changed then, unless the
 * error is this IdP's own (`error.status` is `Responder`, e.g. the store failed).
 */
export function receiveLogoutRequest(context: SloContext, input: HttpInput): Promise<LogoutMessageResult> {
  return resultOf((attribution) => answerLogoutRequest(context, input, attribution));
}

async function answerLogoutRequest(
  context: SloContext,
  input: HttpInput,
  attribution: Attribution,
): Promise<LogoutResult> {
  const { store } = context;
  const { received, providerId, provider } = await receiveLogoutMessage(
    context,
    input,
    'LogoutRequest',
    attribution,
  );
  let request: LogoutRequest;
  try {
    // Decrypted only now, after the signature and the message checks (attacks: no oracle for strangers).
    request = parseLogoutRequest(
      received,
      context.decryptionKeys?.length ? { decryption: { key: context.decryptionKeys } } : {},
    );
  } catch (error) {
    emitRejected(context, 'LogoutRequest', providerId, error);
    throw error;
  }
  const logoutId = context.generateId();
  context.emit({
    type: 'logout_request_received',
    logoutId,
    providerId,
    binding: received.binding,
    messageId: request.id,
  });
  const soap = received.binding === 'soap';
  const origin = {
    providerId,
    requestId: request.id,
    ...(received.relayState ? { relayState: received.relayState } : {}),
    binding: received.binding === 'post' ? 'post' : 'redirect',
  } as const;
  const state: ChainState = { userId: undefined, origin, outcomes: [], queue: [] };
  const now = context.clock().getTime();
  const nameId = request.nameId;
  const matched = new Map<string, SessionParticipant>();
  if (nameId && nameId.value !== '') {
    const indexes = request.sessionIndexes.length > 0 ? request.sessionIndexes : [undefined];
    for (const sessionIndex of indexes) {
      const found = await store.findParticipants(
        { providerId, nameId: nameId.value, ...(sessionIndex ? { sessionIndex } : {}) },
        now,
      );
      for (const p of found) if (sameNameId(context, p.nameId, nameId, provider)) matched.set(p.id, p);
    }
  }
  const userIds = new Set([...matched.values()].map((p) => p.userId));
  if (matched.size === 0 && nameId && nameId.value !== '') {
    // Lost a race with a concurrent logout of the same user: its sessions are ended, so the
    // true answer is Success (SAMLCore §3.7.3.2), not UnknownPrincipal.
    const loggedOutUser = await findLoggedOut(context, {
      providerId,
      provider,
      nameId,
      sessionIndexes: request.sessionIndexes,
    });
    if (loggedOutUser !== undefined) {
      state.userId = loggedOutUser;
      return advanceChain(context, { logoutId, state, version: undefined, soap, events: [], iframes: [] });
    }
  }
  if (matched.size === 0 || userIds.size !== 1) {
    // Nothing of ours matches: end nothing (SAMLCore §3.7.3.2, UnknownPrincipal).
    const reply = await buildFinalReply(
      context,
      origin,
      { code: 'Requester', subCode: 'UnknownPrincipal' },
      soap,
    );
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
  await rememberLoggedOut(context, [...all, ...matched.values()]);
  const removed = await claimParticipants(store, [...new Set([...all.map((p) => p.id), ...matched.keys()])]);
  // Everyone but the sessions the request itself ended is told, the requester's other sessions
  // included; a participant a concurrent logout removed first is told by that logout. The
  // requester's sessions are ended either way, so its answer does not change.
  const iframes: FrontChannelStep[] = [];
  await propagate(
    context,
    { logoutId, state, iframes, interactive: !soap },
    all.filter((p) => !matched.has(p.id) && removed.has(p.id)),
  );
  return advanceChain(context, { logoutId, state, version: undefined, soap, events: [], iframes });
}
