import type { Binding } from '../constants/saml.js';
import type { ParticipantOutcome } from './outcome.js';

/** Typed events for logging and audit; a throwing handler never breaks a logout. */
export type LogoutEvent =
  | {
      type: 'logout_request_received';
      logoutId: string;
      providerId: string;
      binding: Binding;
      messageId: string;
    }
  | {
      type: 'logout_response_received';
      logoutId: string;
      providerId: string;
      binding: Binding;
      status: string;
    }
  | { type: 'participant_logged_out'; logoutId: string; outcome: ParticipantOutcome }
  /**
   * The equivalent of authentik's `configuration_error` event for a failed SLO delivery.
   * `detail`, for the operator's log only: what the SP's endpoint did (`HTTP 503 (text/html)`,
   * `answered text/html, not SOAP`, `timeout`, `network error (ECONNREFUSED)`, …).
   */
  | { type: 'participant_failed'; logoutId: string; outcome: ParticipantOutcome; detail?: string }
  /**
   * An incoming LogoutRequest or LogoutResponse was refused (bad signature,
   * unknown issuer, replay, no such transaction, …) before it changed anything:
   * the equivalent of authentik's `configuration_error` event on its SLO endpoints.
   * `providerId` is set once the Issuer named a registered provider (unverified
   * if the signature is what failed).
   */
  | {
      type: 'message_rejected';
      messageType: 'LogoutRequest' | 'LogoutResponse';
      code: string;
      providerId?: string;
    }
  /**
   * The last queued back-channel delivery of a logout finished (from `samlkit/bullmq`'s
   * worker): the outcomes of that logout's queued participants, once, from one worker.
   */
  | {
      type: 'backchannel_completed';
      logoutId: string;
      userId: string | undefined;
      status: 'Success' | 'PartialLogout';
      participants: ParticipantOutcome[];
    }
  | {
      type: 'logout_completed';
      logoutId: string;
      userId: string | undefined;
      status: 'Success' | 'PartialLogout';
      participants: ParticipantOutcome[];
    };

/** Receives every {@link LogoutEvent}, synchronously; what it throws is ignored. */
export type EventHandler = (event: LogoutEvent) => void;

/** Wraps a handler so that what it throws is ignored; no handler, no events. */
export function emitter(handler: EventHandler | undefined): EventHandler {
  return (event) => {
    if (!handler) return;
    try {
      handler(event);
    } catch {
      // Observability must not change protocol outcomes.
    }
  };
}

/**
 * The event telling the operator about one participant's outcome: logged out or
 * failed (`detail` goes to the event only, never into the outcome); none for the others.
 */
export function outcomeEvent(
  logoutId: string,
  outcome: ParticipantOutcome,
  detail?: string,
): LogoutEvent | undefined {
  if (outcome.outcome === 'logged_out') return { type: 'participant_logged_out', logoutId, outcome };
  if (outcome.outcome === 'failed')
    return { type: 'participant_failed', logoutId, outcome, ...(detail ? { detail } : {}) };
  return undefined;
}
