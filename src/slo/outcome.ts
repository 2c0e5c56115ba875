import type { LogoutMethod } from '../config/index.js';

/** What happened to one session participant during a logout. */
export interface ParticipantOutcome {
  participantId: string;
  providerId: string;
  entityId: string;
  method: LogoutMethod;
  /**
   * - `logged_out`: the SP confirmed (back-channel 2xx / Success, or a Success LogoutResponse in a chain)
   * - `failed`: delivery or the SP's answer failed; `reason` says why
   * - `skipped`: the SP has no SLS URL, so no message could be sent
   * - `delegated`: handed to the browser (iframe) where the outcome cannot be observed
   * - `pending`: a front-channel chain hop not yet answered
   */
  outcome: 'logged_out' | 'failed' | 'skipped' | 'delegated' | 'pending';
  /** A `SAML_*` code, a status code URI, or `no_sls_url` / `no_browser`. */
  reason?: string;
}

/** The LogoutResponse status to report: Success only when nobody failed (SAMLCore §3.7.3.2). */
export function aggregateStatus(outcomes: readonly ParticipantOutcome[]): 'Success' | 'PartialLogout' {
  return outcomes.some((o) => o.outcome === 'failed' || o.outcome === 'pending')
    ? 'PartialLogout'
    : 'Success';
}
