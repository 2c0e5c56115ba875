import type { EnvelopedSignOptions } from '../bindings/index.js';
import type { Provider } from '../config/index.js';
import type { SessionParticipant } from '../store/store.js';
import { type DeliveryResult, deliverBackchannel } from './backchannel.js';
import type { ChainState } from './chain.js';
import { mapWithConcurrency } from './concurrency.js';
import { type SloContext, signFor } from './context.js';
import type { DeliveryQueue } from './delivery-queue.js';
import { backchannelEndpoint, type ChosenEndpoint } from './endpoints.js';
import { outcomeEvent } from './events.js';
import {
  buildFrontChannelMessage,
  buildRequestFor,
  type FrontChannelMessage,
  requestEndpoint,
} from './front-channel-message.js';
import type { FrontChannelStep } from './logout-result.js';
import { failureReason, type ParticipantOutcome } from './outcome.js';

/** What one propagation works on: the logout, its chain state, and the iframes it lists. */
export interface Propagation {
  logoutId: string;
  state: ChainState;
  /** The iframe steps for the caller to render; filled by `propagate`. */
  iframes: FrontChannelStep[];
  /** A browser is there to visit front-channel participants (not over SOAP). */
  interactive: boolean;
}

interface BackchannelTarget {
  participant: SessionParticipant;
  provider: Provider;
  endpoint: ChosenEndpoint<'soap' | 'post'>;
}

/** Records an outcome in the chain and tells the operator; `detail` goes to the event only. */
function record(
  context: SloContext,
  propagation: Propagation,
  outcome: ParticipantOutcome,
  detail?: string,
): void {
  propagation.state.outcomes.push(outcome);
  const event = outcomeEvent(propagation.logoutId, outcome, detail);
  if (event) context.emit(event);
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
 * Tells every participant its session ended, by its `logoutMethod`: back channel
 * now (bounded concurrency) or through the delivery queue, iframes listed for the
 * caller, native ones queued on the chain for `advanceChain`. One participant's
 * failure never stops the others.
 */
export async function propagate(
  context: SloContext,
  propagation: Propagation,
  participants: readonly SessionParticipant[],
): Promise<void> {
  const resolved = await Promise.all(
    participants.map(async (p) => ({
      participant: p,
      provider: await context.store.getProvider(p.providerId),
    })),
  );
  const backchannel: BackchannelTarget[] = [];
  for (const { participant, provider } of resolved) {
    const base = {
      participantId: participant.id,
      providerId: participant.providerId,
      entityId: provider?.entityId ?? '',
      method: provider?.logoutMethod ?? 'backchannel',
    } as const;
    const back = provider?.logoutMethod === 'backchannel' ? backchannelEndpoint(provider) : undefined;
    const front = provider && provider.logoutMethod !== 'backchannel' ? requestEndpoint(provider) : undefined;
    if (!provider || (back === undefined && front === undefined)) {
      record(context, propagation, {
        ...base,
        outcome: 'skipped',
        reason: provider ? 'no_sls_url' : 'provider_unknown',
      });
    } else if (back !== undefined) {
      backchannel.push({ participant, provider, endpoint: back });
    } else if (!propagation.interactive) {
      record(context, propagation, { ...base, outcome: 'failed', reason: 'no_browser' });
    } else if (provider.logoutMethod === 'frontchannel_iframe') {
      let message: FrontChannelMessage;
      try {
        message = buildFrontChannelMessage(context, {
          provider,
          endpoint: front!,
          xml: buildRequestFor(context, provider, participant, front!.url),
          type: 'SAMLRequest',
          relayState: undefined,
        });
      } catch (error) {
        // Its data, its endpoint or its key: this participant's failure, not the logout's.
        record(context, propagation, { ...base, outcome: 'failed', reason: failureReason(error) });
        continue;
      }
      propagation.iframes.push({
        participantId: participant.id,
        providerId: participant.providerId,
        entityId: provider.entityId,
        binding: message.kind,
        ...(message.kind === 'redirect' ? { url: message.url } : { form: message.form }),
      });
      record(context, propagation, { ...base, outcome: 'delegated' });
    } else {
      propagation.state.queue.push({
        participantId: participant.id,
        providerId: participant.providerId,
        entityId: provider.entityId,
        nameId: participant.nameId,
        sessionIndex: participant.sessionIndex,
      });
    }
  }
  if (backchannel.length === 0) return;
  if (context.deliveryQueue) {
    await enqueueBackchannel(context, propagation, backchannel, context.deliveryQueue);
    return;
  }
  const results = await mapWithConcurrency(
    backchannel,
    context.concurrency,
    async ({ participant, provider, endpoint }): Promise<DeliveryResult> => {
      let request: { id: string; xml: string };
      let sign: EnvelopedSignOptions;
      try {
        request = buildRequestFor(context, provider, participant, endpoint.url);
        sign = signFor(context, provider);
      } catch (error) {
        // One participant's message failing to build never stops the others' deliveries.
        return { ok: false, reason: failureReason(error) };
      }
      return deliverBackchannel({
        provider,
        endpoint,
        request,
        sign,
        transport: context.transport,
        timeoutMs: context.backchannelTimeoutMs,
        clock: context.clock,
        clockSkewMs: context.clockSkewMs,
      });
    },
  );
  results.forEach((result, i) => {
    const { participant, provider } = backchannel[i]!;
    const base = backchannelOutcomeBase(participant, provider);
    if (result.ok) record(context, propagation, { ...base, outcome: 'logged_out' });
    else record(context, propagation, { ...base, outcome: 'failed', reason: result.reason }, result.detail);
  });
}

/**
 * Hands the back-channel deliveries to the queue: `queued` when it took them, or
 * `failed` (`queue_unavailable`) when it refused, as their sessions are already ended.
 */
async function enqueueBackchannel(
  context: SloContext,
  propagation: Propagation,
  backchannel: readonly BackchannelTarget[],
  queue: DeliveryQueue,
): Promise<void> {
  let queued = true;
  try {
    await queue.enqueue({
      logoutId: propagation.logoutId,
      userId: propagation.state.userId,
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
      context,
      propagation,
      queued ? { ...base, outcome: 'queued' } : { ...base, outcome: 'failed', reason: 'queue_unavailable' },
    );
  }
}
