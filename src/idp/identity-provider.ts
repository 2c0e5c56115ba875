import type { HttpInput } from '../bindings/index.js';
import { generateId, systemClock } from '../message/context.js';
import type { SloContext } from '../slo/context.js';
import { emitter } from '../slo/events.js';
import type { LogoutMessageResult, LogoutResult } from '../slo/logout-result.js';
import { receiveLogoutRequest } from '../slo/receive-logout-request.js';
import { receiveLogoutResponse } from '../slo/receive-logout-response.js';
import { type RecordSessionInput, recordSession } from '../slo/record-session.js';
import { type StartLogoutOptions, startLogout } from '../slo/start-logout.js';
import {
  completeAuthnRequest,
  respondToAuthnRequest,
  type SsoDecision,
} from '../sso/complete-authn-request.js';
import { type InitiateSsoOptions, initiateSso } from '../sso/initiate-sso.js';
import {
  type AuthnRequestResult,
  type PendingAuthnRequest,
  receiveAuthnRequest,
} from '../sso/receive-authn-request.js';
import type { SsoContext } from '../sso/sso-context.js';
import type { SsoUser } from '../sso/sso-options.js';
import type { SsoReply } from '../sso/sso-reply.js';
import type { SessionParticipant } from '../store/store.js';
import { createFetchTransport } from '../transport/index.js';
import { checkOptions, defaults, type IdentityProviderOptions } from './options.js';

/** The Single Sign-On methods of the identity provider facade (SAMLProf §4.1). */
export interface SingleSignOn {
  /**
   * Receives an AuthnRequest (HTTP-Redirect or HTTP-POST) and runs every
   * check: registered Issuer, signature with that provider's certificates,
   * Destination, IssueInstant, replay, a registered ACS by URL or index,
   * HTTP-POST, NameIDPolicy. Returns the pending request to complete after the
   * user is authenticated, or the error and the error Response for the SP.
   *
   * @throws SamlError when the message cannot be attributed to a registered
   * provider (undecodable, unknown Issuer, not an AuthnRequest, a binding
   * without an SSO endpoint).
   * @throws TypeError when Single Sign-On is not configured (no `sso` option).
   */
  receiveAuthnRequest(input: HttpInput): Promise<AuthnRequestResult>;
  /**
   * Answers a pending request: a signed (and, for providers with an encryption
   * certificate, encrypted) Response with an assertion about `decision.user`,
   * or the refusal `decision.status`. Records the session participant for
   * Single Logout. Each request is answered once.
   *
   * @throws SamlError `SAML_INPUT_INVALID` (e.g. ForceAuthn without a fresh
   * authnInstant, an empty user id, a `pending` that is not one), `SAML_REPLAY_DETECTED`,
   * `SAML_MESSAGE_EXPIRED`, `SAML_ACS_NOT_REGISTERED`.
   * @throws TypeError when Single Sign-On is not configured (no `sso` option), for a
   * decision that is neither `{ user }` nor `{ status }`, or a user without a string id.
   */
  completeAuthnRequest(pending: PendingAuthnRequest, decision: SsoDecision): Promise<SsoReply>;
  /**
   * `receiveAuthnRequest` and `completeAuthnRequest` in one call, for a user
   * who is already authenticated: `decide` sees the checked request and returns
   * `{ user }` or `{ status }`. A refused request is answered with its error
   * Response without calling `decide`.
   *
   * @throws SamlError as `receiveAuthnRequest` when there is nobody to answer,
   * and as `completeAuthnRequest`.
   * @throws TypeError when Single Sign-On is not configured (no `sso` option), or
   * `decide` is not a function or returns no decision.
   */
  respondToAuthnRequest(
    input: HttpInput,
    decide: (pending: PendingAuthnRequest) => SsoDecision | Promise<SsoDecision>,
  ): Promise<SsoReply>;
  /**
   * IdP-initiated SSO: an unsolicited Response for `user` to the provider's
   * default (or chosen) ACS, with the provider's `defaultRelayState` unless
   * another is given. Records the session participant.
   *
   * @throws SamlError `SAML_ISSUER_UNKNOWN`, `SAML_ACS_NOT_REGISTERED`,
   * `SAML_NAME_ID_POLICY_UNSUPPORTED` (the user lacks the format's value), `SAML_INPUT_INVALID`.
   * @throws TypeError when Single Sign-On is not configured (no `sso` option), or
   * for a user without a string id.
   */
  initiateSso(providerId: string, user: SsoUser, options?: InitiateSsoOptions): Promise<SsoReply>;
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
   * @throws TypeError when `input` is not an object.
   */
  recordSession(input: RecordSessionInput): Promise<SessionParticipant>;
  /**
   * SP-initiated logout (SAMLProf §4.4.3): receives and verifies a
   * LogoutRequest (HTTP-Redirect, HTTP-POST or SOAP), ends the user's
   * sessions, propagates to every other participant and returns the
   * LogoutResponse to send back in `reply`, with `ok: true`.
   *
   * A refused message is `{ ok: false, error, providerId? }`, never thrown:
   * nothing has changed then, unless the error is this IdP's own
   * (`error.status` is `Responder`, e.g. the store failed).
   */
  receiveLogoutRequest(input: HttpInput): Promise<LogoutMessageResult>;
  /**
   * A LogoutResponse from an SP in a front-channel native chain: records its
   * outcome and returns the next hop, or the final reply, with `ok: true`. A
   * response that is refused or belongs to no running chain is `{ ok: false }`.
   */
  receiveLogoutResponse(input: HttpInput): Promise<LogoutMessageResult>;
  /**
   * `receiveLogoutRequest`, with the refusal thrown.
   *
   * @throws SamlError when the message is refused; nothing has changed then.
   * @deprecated Use `receiveLogoutRequest`, whose refusals are results like
   * those of `receiveAuthnRequest`.
   */
  handleLogoutRequest(input: HttpInput): Promise<LogoutResult>;
  /**
   * `receiveLogoutResponse`, with the refusal thrown.
   *
   * @throws SamlError when the response is refused or belongs to no running chain.
   * @deprecated Use `receiveLogoutResponse`, whose refusals are results like
   * those of `receiveAuthnRequest`.
   */
  handleLogoutResponse(input: HttpInput): Promise<LogoutResult>;
  /**
   * IdP-initiated logout: ends every session of `userId` and tells each
   * participant. `exceptProviderId` is deleted without being told.
   *
   * @throws SamlError `SAML_INPUT_INVALID` when `userId` is empty.
   * @throws TypeError when `userId` is not a string.
   */
  logout(userId: string, options?: StartLogoutOptions): Promise<LogoutResult>;
}

/** The older, throwing form of a logout result: the refusal thrown, the result without `ok`. */
function thrown(result: LogoutMessageResult): LogoutResult {
  if (!result.ok) throw result.error;
  const { ok: _ok, ...logout } = result;
  return logout;
}

/** Oldest IssueInstant accepted (before skew), and the lifetime of the LogoutRequests we send. */
const maxMessageAgeMs = 600_000;

/**
 * The identity provider: checks the options, builds the Single Logout and
 * Single Sign-On contexts from them, and hands each call to its engine
 * (`src/slo/`, `src/sso/`). It holds no protocol logic of its own, and no
 * state beyond the store: any node sharing the store can continue a chain.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` when the options are unusable, listing every problem.
 */
export function createIdentityProvider(options: IdentityProviderOptions): IdentityProvider {
  checkOptions(options);
  const endpoints = options.endpoints ?? {};
  const slo: SloContext = {
    entityId: options.entityId,
    signing: options.signing,
    store: options.store,
    clock: options.clock ?? systemClock,
    clockSkewMs: options.clockSkewMs ?? defaults.clockSkewMs,
    maxMessageAgeMs,
    maxRelayStateBytes: options.maxRelayStateBytes ?? defaults.maxRelayStateBytes,
    generateId: options.generateId ?? generateId,
    emit: emitter(options.onEvent),
    // An internal context: an undefined entry reads as absent (ADR 0015), so no conditional spreads.
    endpoints: { sloRedirect: endpoints.sloRedirect, sloPost: endpoints.sloPost, sloSoap: endpoints.sloSoap },
    transport: options.transport ?? createFetchTransport(options.backchannel),
    concurrency: options.concurrency ?? defaults.concurrency,
    backchannelTimeoutMs: options.backchannelTimeoutMs ?? defaults.backchannelTimeoutMs,
    transactionTtlMs: options.transactionTtlMs ?? defaults.transactionTtlMs,
    deliveryQueue: options.deliveryQueue,
    decryptionKeys: options.decryptionKeys,
  };
  const record = (input: RecordSessionInput) => recordSession(slo, input);
  const sso: SsoContext | undefined = options.sso && {
    entityId: slo.entityId,
    signing: slo.signing,
    store: slo.store,
    clock: slo.clock,
    clockSkewMs: slo.clockSkewMs,
    maxMessageAgeMs,
    maxRelayStateBytes: slo.maxRelayStateBytes,
    generateId: slo.generateId,
    settings: options.sso,
    endpoints: { ssoRedirect: endpoints.ssoRedirect, ssoPost: endpoints.ssoPost },
    recordSession: record,
  };
  /** Calling an SSO method on an IdP configured without `sso` is a mistake in the calling code. */
  const ssoContext = (): SsoContext => {
    if (sso === undefined)
      throw new TypeError('Single Sign-On is not configured: pass the sso option to createIdentityProvider');
    return sso;
  };

  return {
    recordSession: record,
    receiveLogoutRequest: (input) => receiveLogoutRequest(slo, input),
    receiveLogoutResponse: (input) => receiveLogoutResponse(slo, input),
    handleLogoutRequest: async (input) => thrown(await receiveLogoutRequest(slo, input)),
    handleLogoutResponse: async (input) => thrown(await receiveLogoutResponse(slo, input)),
    logout: (userId, logoutOptions) => startLogout(slo, userId, logoutOptions),
    receiveAuthnRequest: async (input) => receiveAuthnRequest(ssoContext(), input),
    completeAuthnRequest: async (pending, decision) => completeAuthnRequest(ssoContext(), pending, decision),
    respondToAuthnRequest: async (input, decide) => respondToAuthnRequest(ssoContext(), input, decide),
    initiateSso: async (providerId, user, ssoOptions) =>
      initiateSso(ssoContext(), providerId, user, ssoOptions),
  };
}
