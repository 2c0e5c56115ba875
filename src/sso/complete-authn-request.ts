import type { HttpInput } from '../bindings/index.js';
import { SamlError } from '../errors/index.js';
import type { StatusInput } from '../logout/logout-response.js';
import { answerWithAssertion, checkUser } from './answer-with-assertion.js';
import { checkAuthnRequest } from './check-authn-request.js';
import type { PendingAuthnRequest } from './receive-authn-request.js';
import { receiveAuthnRequest } from './receive-authn-request.js';
import { defaultAuthnRequestTtlMs, findProvider, type SsoContext } from './sso-context.js';
import type { SsoUser } from './sso-options.js';
import { buildSsoReply, type SsoReply } from './sso-reply.js';
import { addSubjectIdentifiers } from './subject-identifier.js';

/** The caller's answer to an AuthnRequest: the authenticated user, or a refusal such as NoPassive. */
export type SsoDecision = { user: SsoUser } | { status: StatusInput };

/** A pending request is read back from the caller's session: checked as data before it is trusted. */
function checkPending(pending: PendingAuthnRequest): void {
  const ok =
    typeof pending === 'object' &&
    pending !== null &&
    typeof pending.providerId === 'string' &&
    typeof pending.request === 'object' &&
    pending.request !== null &&
    typeof pending.request.id === 'string' &&
    typeof pending.request.issuer?.value === 'string' &&
    typeof pending.acs?.url === 'string' &&
    typeof pending.receivedAt === 'number';
  if (!ok) {
    throw new SamlError('SAML_INPUT_INVALID', 'not a pending AuthnRequest from receiveAuthnRequest', {
      details: {
        issues: [{ path: ['pending'], message: 'must be the pending request receiveAuthnRequest returned' }],
      },
    });
  }
}

/**
 * Answers a pending request: a signed (and, for providers with an encryption
 * certificate, encrypted) Response with an assertion about `decision.user`,
 * or the refusal `decision.status`; records the session participant for
 * Single Logout. Each request is answered once.
 *
 * @throws SamlError `SAML_INPUT_INVALID` (e.g. ForceAuthn without a fresh
 * authnInstant, a pending request that is not one), `SAML_REPLAY_DETECTED`,
 * `SAML_MESSAGE_EXPIRED`, `SAML_ACS_NOT_REGISTERED`.
 * @throws TypeError for a decision that is neither `{ user }` nor `{ status }`, or a malformed user.
 */
export async function completeAuthnRequest(
  context: SsoContext,
  pending: PendingAuthnRequest,
  decision: SsoDecision,
): Promise<SsoReply> {
  const sso = context.settings;
  const { store, clock } = context;
  checkPending(pending);
  const provider = await findProvider(context, pending.providerId);
  const now = clock().getTime();
  if (now > pending.receivedAt + (sso.authnRequestTtlMs ?? defaultAuthnRequestTtlMs)) {
    throw new SamlError('SAML_MESSAGE_EXPIRED', 'the AuthnRequest waited too long for an answer');
  }
  // Derived again from the request and the provider's current registration, not trusted from the
  // stored state: the registration may have changed while the user logged in, and the state may be altered.
  const checked = checkAuthnRequest(pending.request, provider);
  const acs = checked.acs;
  if (acs.url !== pending.acs.url)
    throw new SamlError('SAML_ACS_NOT_REGISTERED', 'the ACS of this request is no longer registered');
  const request = pending.request;
  const relayState = pending.relayState;
  const common = { inResponseTo: request.id, ...(relayState === undefined ? {} : { relayState }) };
  // The decision is the calling code's own value, not data: a wrong shape is a programming mistake.
  if (!decision || typeof decision !== 'object' || !('user' in decision || 'status' in decision))
    throw new TypeError('a decision is { user } or { status }');
  let user = 'user' in decision ? decision.user : undefined;
  if ('user' in decision) {
    checkUser(decision.user);
    // ForceAuthn (SAMLCore §3.4.1): an authentication that happened before the request does not count.
    if (
      request.forceAuthn &&
      !(decision.user.authnInstant && decision.user.authnInstant.getTime() >= pending.receivedAt)
    ) {
      throw new SamlError(
        'SAML_INPUT_INVALID',
        'ForceAuthn: authenticate the user again and pass that authnInstant',
        {
          details: {
            issues: [
              { path: ['user', 'authnInstant'], message: 'must not be before the request was received' },
            ],
          },
        },
      );
    }
    // Before the request is marked answered, so a user the SP's subject-id:req cannot be met for
    // (no valid subjectId) can be completed again once the caller gives one.
    const attributes = addSubjectIdentifiers(sso, provider, decision.user);
    if (attributes !== decision.user.attributes) user = { ...decision.user, attributes: attributes ?? [] };
  } else if (decision.status?.code === 'Success') {
    throw new SamlError('SAML_INPUT_INVALID', 'a refusal needs a status other than Success', {
      details: { issues: [{ path: ['status', 'code'], message: 'must not be Success' }] },
    });
  }
  // One answer per request: a second completion (double submit, replay of the pending state) is refused.
  const once = await store.rememberOnce(
    `sso-response\u0000${provider.entityId}\u0000${request.id}`,
    pending.receivedAt + (sso.authnRequestTtlMs ?? defaultAuthnRequestTtlMs) + context.clockSkewMs,
    now,
  );
  if (!once) throw new SamlError('SAML_REPLAY_DETECTED', 'this AuthnRequest was already answered');
  if ('status' in decision) {
    return buildSsoReply(
      context,
      { providerId: pending.providerId, provider, acs },
      { status: decision.status, ...common },
    );
  }
  return answerWithAssertion(context, {
    providerId: pending.providerId,
    provider,
    acs,
    user: user!,
    format: checked.nameIdPolicy.format,
    spNameQualifier: checked.nameIdPolicy.spNameQualifier,
    request,
    ...common,
  });
}

/**
 * `receiveAuthnRequest` and `completeAuthnRequest` in one call, for a user who
 * is already authenticated: `decide` sees the checked request. A refused request
 * is answered with its error Response without calling `decide`.
 *
 * @throws SamlError as `receiveAuthnRequest` when there is nobody to answer.
 */
export async function respondToAuthnRequest(
  context: SsoContext,
  input: HttpInput,
  decide: (pending: PendingAuthnRequest) => SsoDecision | Promise<SsoDecision>,
): Promise<SsoReply> {
  if (typeof decide !== 'function') throw new TypeError('decide must be a function');
  const result = await receiveAuthnRequest(context, input);
  if (!result.ok) {
    if (result.reply) return result.reply;
    throw result.error;
  }
  return completeAuthnRequest(context, result.pending, await decide(result.pending));
}
