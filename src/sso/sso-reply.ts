import { encodePost, type PostForm } from '../bindings/index.js';
import type { AssertionConsumerService, Provider } from '../config/index.js';
import { statusCodes } from '../constants/saml.js';
import { type Status, type StatusInput, statusCodeUri } from '../logout/logout-response.js';
import type { NameIdValue } from '../message/header.js';
import { issuerFor } from '../message/issuer.js';
import type { SessionParticipant } from '../store/store.js';
import { buildResponse } from './response.js';
import type { SsoContext } from './sso-context.js';

/** What to send: the Response as an HTTP-POST form to the registered ACS. */
export interface SsoReply {
  kind: 'post';
  form: PostForm;
  providerId: string;
  responseId: string;
  inResponseTo?: string;
  status: Status;
  /** On Success: what was issued, and the session participant recorded for logout. */
  assertionId?: string;
  nameId?: NameIdValue;
  sessionIndex?: string;
  participant?: SessionParticipant;
}

/** The Status a reply reports, as URIs like a parsed one. */
function statusOf(input: StatusInput): Status {
  const sub = input.subCode === undefined ? undefined : statusCodeUri(input.subCode);
  return {
    code: statusCodes[input.code],
    ...(sub === undefined ? {} : { subCode: sub }),
    ...(input.message === undefined ? {} : { message: input.message }),
    success: input.code === 'Success',
  };
}

/** The parts of one Response: its status, what it answers, and its assertion on Success. */
export interface SsoReplyParts {
  inResponseTo?: string;
  relayState?: string;
  status: StatusInput;
  assertion?: Parameters<typeof buildResponse>[0]['assertion'];
}

/**
 * Builds, signs (and encrypts) a Response and wraps it in the POST form for a
 * registered ACS (SAMLProf §4.1.2: the Response travels by HTTP-POST).
 */
export function buildSsoReply(
  context: SsoContext,
  target: { providerId: string; provider: Provider; acs: Pick<AssertionConsumerService, 'url'> },
  parts: SsoReplyParts,
): SsoReply {
  const { providerId, provider, acs } = target;
  const choice = context.settings.encryption;
  const encryption = typeof choice === 'function' ? choice(provider, providerId) : choice;
  const built = buildResponse({
    provider,
    ...(encryption === undefined ? {} : { encryption }),
    issuer: issuerFor(context, provider),
    signing: context.signing,
    destination: acs.url,
    status: parts.status,
    ...(parts.inResponseTo === undefined ? {} : { inResponseTo: parts.inResponseTo }),
    ...(parts.assertion === undefined ? {} : { assertion: parts.assertion }),
    clock: context.clock,
    generateId: context.generateId,
  });
  const form = encodePost({
    type: 'SAMLResponse',
    xml: built.xml,
    destination: acs.url,
    ...(parts.relayState ? { relayState: parts.relayState } : {}),
    maxRelayStateBytes: context.maxRelayStateBytes,
  });
  return {
    kind: 'post',
    form,
    providerId,
    responseId: built.id,
    ...(parts.inResponseTo === undefined ? {} : { inResponseTo: parts.inResponseTo }),
    status: statusOf(parts.status),
    ...(built.assertionId === undefined ? {} : { assertionId: built.assertionId }),
  };
}
