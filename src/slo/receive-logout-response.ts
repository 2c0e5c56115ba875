import type { HttpInput } from '../bindings/index.js';
import { SamlError } from '../errors/index.js';
import { parseLogoutResponse } from '../logout/index.js';
import type { Status } from '../logout/logout-response.js';
import { advanceChain, type ChainState } from './chain.js';
import type { SloContext } from './context.js';
import { outcomeEvent } from './events.js';
import type { LogoutMessageResult, LogoutResult } from './logout-result.js';
import type { ParticipantOutcome } from './outcome.js';
import { type Attribution, emitRejected, receiveLogoutMessage, resultOf } from './receive-logout-message.js';

/**
 * A LogoutResponse from an SP in a front-channel native chain: checks it answers
 * the hop the chain waits for (RelayState selects the chain; the chain says which
 * SP must answer which request), records its outcome and returns the next hop,
 * or the final reply.
 *
 * A response that is refused, or belongs to no running chain, is `{ ok: false }`.
 */
export function receiveLogoutResponse(context: SloContext, input: HttpInput): Promise<LogoutMessageResult> {
  return resultOf((attribution) => answerLogoutResponse(context, input, attribution));
}

async function answerLogoutResponse(
  context: SloContext,
  input: HttpInput,
  attribution: Attribution,
): Promise<LogoutResult> {
  let loaded: { id: string; version: number; state: ChainState } | undefined;
  const { received, providerId } = await receiveLogoutMessage(
    context,
    input,
    'LogoutResponse',
    attribution,
    async ({ relayState, providerId: responder }) => {
      // RelayState is only a lookup key: it selects a transaction, and the
      // transaction says which SP must answer which request.
      const transaction =
        relayState === undefined
          ? undefined
          : await context.store.getTransaction(relayState, context.clock().getTime());
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
    emitRejected(context, 'LogoutResponse', providerId, error);
    throw error;
  }
  context.emit({
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
  const event = outcomeEvent(logoutId, outcome);
  return advanceChain(context, {
    logoutId,
    state,
    version,
    soap: false,
    events: event ? [event] : [],
    iframes: [],
  });
}
