import type { LogoutMethod } from '../config/index.js';
import { isSamlError } from '../errors/index.js';

/** What happened to one session participant during a logout. */
export interface ParticipantOutcome {
  participantId: string;
  providerId: string;
  entityId: string;
  method: LogoutMethod;
  /**
   * - `logged_out`: the SP confirmed (back-channel 2xx / Success, or a Success LogoutResponse in a chain)
   * - `failed`: delivery or the SP's answer failed; `reason` says why
   * - `skipped`: no message could be sent (the SP has no SLS URL, or is no longer registered)
   * - `delegated`: handed to the browser (iframe) where the outcome cannot be observed
   * - `pending`: a front-channel chain hop not yet answered (only in results of a running chain)
   * - `queued`: handed to the facade's `deliveryQueue`; the queue reports the outcome later
   */
  outcome: 'logged_out' | 'failed' | 'skipped' | 'delegated' | 'pending' | 'queued';
  /**
   * A `SAML_*` code, a status code URI, or `no_sls_url` / `no_browser` /
   * `provider_unknown` / `queue_unavailable` / `queue_failed` / `message_build_failed`.
   * Coarse on purpose: a back-channel target that did not give a SAML answer is
   * `SAML_TRANSPORT_FAILED` whatever it answered (HTTP status, refused connection,
   * timeout), so outcomes, which applications may show, are no oracle on what an SP's
   * URL reaches. The detail is in the `participant_failed` event, for the operator's log.
   * A participant whose LogoutRequest cannot be built or signed (its data, its key)
   * fails with the `SamlError` code, e.g. `SAML_INPUT_INVALID` or `SAML_KEY_INVALID`,
   * and the others are still told.
   */
  reason?: string;
}

/**
 * The LogoutResponse status to report: Success only when nobody failed and no
 * hop is still pending (SAMLCore §3.7.3.2). `skipped`, `delegated` and `queued`
 * do not count as failures: nothing could be sent, the outcome is unobservable,
 * or it is the delivery queue's to report.
 */
export function aggregateStatus(outcomes: readonly ParticipantOutcome[]): 'Success' | 'PartialLogout' {
  return outcomes.some((o) => o.outcome === 'failed' || o.outcome === 'pending')
    ? 'PartialLogout'
    : 'Success';
}

/** The outcome reason when one participant's message cannot be built or signed. */
export function failureReason(error: unknown): string {
  return isSamlError(error) ? error.code : 'message_build_failed';
}
