import type { AssertionConsumerService, Provider, ProviderNameIdFormat } from '../config/index.js';
import { authnContextClasses } from '../constants/saml.js';
import { isSamlError, SamlError } from '../errors/index.js';
import type { StatusInput } from '../logout/logout-response.js';
import type { NameIdValue } from '../message/header.js';
import { issuerFor } from '../message/issuer.js';
import { satisfiesAuthnContext } from './authn-context.js';
import type { AuthnRequest } from './authn-request.js';
import { statusForError } from './error-status.js';
import { createNameId, type NameIdSubject } from './name-id.js';
import { createSessionIndex } from './session-index.js';
import type { SsoContext } from './sso-context.js';
import type { NameIdMappingContext, SsoOptions, SsoUser } from './sso-options.js';
import { buildSsoReply, type SsoReply } from './sso-reply.js';
import { addSubjectIdentifiers } from './subject-identifier.js';

/**
 * The subject with the provider's NameID mapping applied (authentik's
 * `name_id_mapping`): it replaces the value, never the format.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` when the provider has a mapping and
 * no `sso.nameIdMapping` evaluates it: issuing the strategy's value instead
 * would silently hand the SP a different identifier.
 */
function withMappedNameId(sso: SsoOptions, context: Omit<NameIdMappingContext, 'mapping'>): NameIdSubject {
  const mapping = context.provider.nameIdMapping;
  if (mapping === null) return context.user;
  if (sso.nameIdMapping === undefined) {
    throw new SamlError(
      'SAML_CONFIG_INVALID',
      'the provider has a nameIdMapping but sso.nameIdMapping is not set',
      {
        details: {
          issues: [
            { path: ['sso', 'nameIdMapping'], message: 'is required for providers with a nameIdMapping' },
          ],
        },
      },
    );
  }
  const value = sso.nameIdMapping({ ...context, mapping });
  if (value === undefined) return context.user;
  if (typeof value !== 'string' || value === '')
    throw new TypeError('sso.nameIdMapping must return a non-empty string or undefined');
  return { ...context.user, nameId: value };
}

/**
 * Answers with an assertion about `user` (SAMLProf §4.1.4.2), or with the status
 * to refuse with when this user cannot have one (RequestedAuthnContext not met,
 * no NameID in the format, not the requested subject), and records the session participant.
 */
export async function answerWithAssertion(
  context: SsoContext,
  args: {
    providerId: string;
    provider: Provider;
    acs: Pick<AssertionConsumerService, 'url'>;
    user: SsoUser;
    format: ProviderNameIdFormat;
    spNameQualifier: string;
    inResponseTo?: string;
    relayState?: string;
    request?: AuthnRequest;
  },
): Promise<SsoReply> {
  const { providerId, provider, acs, user, request } = args;
  const sso = context.settings;
  const refuse = (status: StatusInput) =>
    buildSsoReply(
      context,
      { providerId, provider, acs },
      {
        status,
        ...(args.inResponseTo === undefined ? {} : { inResponseTo: args.inResponseTo }),
        ...(args.relayState === undefined ? {} : { relayState: args.relayState }),
      },
    );
  const classRef = user.authnContextClassRef ?? authnContextClasses.unspecified;
  if (
    request?.requestedAuthnContext &&
    !satisfiesAuthnContext(request.requestedAuthnContext, classRef, sso.authnContextRank)
  ) {
    const error = new SamlError(
      'SAML_AUTHN_CONTEXT_UNSATISFIED',
      'the authentication does not satisfy the requested context',
    );
    return refuse(statusForError(error));
  }
  const sessionIndex = createSessionIndex({
    spEntityId: provider.entityId,
    ...(user.sessionId === undefined ? {} : { sessionId: user.sessionId }),
    secret: sso.secret,
  });
  let nameId: NameIdValue;
  try {
    nameId = createNameId({
      format: args.format,
      subject: withMappedNameId(sso, { user, provider, providerId, format: args.format }),
      idpEntityId: issuerFor(context, provider),
      spNameQualifier: args.spNameQualifier,
      secret: sso.secret,
      strategy: provider.nameIdStrategy,
      ...(sso.authentikInstallId === undefined ? {} : { installId: sso.authentikInstallId }),
      sessionIndex,
    });
  } catch (error) {
    // The request was fine; this IdP cannot name this user in that format. Unsolicited, the caller hears it.
    if (request && isSamlError(error, 'SAML_NAME_ID_POLICY_UNSUPPORTED'))
      return refuse({ ...statusForError(error), code: 'Responder' });
    throw error;
  }
  // SAMLProf §4.1.4.1: a request about a named subject is answered only about that subject.
  const asked = request?.subject;
  if (
    asked &&
    (asked.value !== nameId.value || (asked.format !== undefined && asked.format !== nameId.format))
  ) {
    return refuse({
      code: 'Responder',
      subCode: 'AuthnFailed',
      message: 'the authenticated user is not the requested subject',
    });
  }
  // What the SP's metadata asks for (subject-id:req), when the IdP releases subject identifiers.
  const attributes = addSubjectIdentifiers(sso, provider, user);
  const built = buildSsoReply(
    context,
    { providerId, provider, acs },
    {
      status: { code: 'Success' },
      ...(args.inResponseTo === undefined ? {} : { inResponseTo: args.inResponseTo }),
      ...(args.relayState === undefined ? {} : { relayState: args.relayState }),
      assertion: {
        nameId,
        sessionIndex,
        authnContextClassRef: classRef,
        ...(user.authnInstant === undefined ? {} : { authnInstant: user.authnInstant }),
        ...(attributes === undefined ? {} : { attributes }),
      },
    },
  );
  // Recorded as part of responding, so Single Logout reaches every SP that got an assertion.
  const participant = await context.recordSession({
    providerId,
    userId: user.id,
    nameId,
    sessionIndex,
  });
  return { ...built, nameId, sessionIndex, participant };
}

/**
 * The caller's user: an object whose `id` is a string and whose `authnInstant`,
 * when given, is a Date (anything else is a mistake in the calling code); the
 * values are data, often the user's own, so an empty id or an invalid date is a
 * `SamlError` the caller can handle like any bad input.
 *
 * @throws TypeError for a user that is not an object, an id that is not a string, an authnInstant that is not a Date.
 * @throws SamlError `SAML_INPUT_INVALID` for an empty id or an invalid date.
 */
export function checkUser(user: SsoUser): void {
  if (typeof user !== 'object' || user === null || typeof user.id !== 'string')
    throw new TypeError('the user must be an object with a string id');
  if (user.authnInstant !== undefined && !(user.authnInstant instanceof Date))
    throw new TypeError('user.authnInstant must be a Date');
  if (user.id === '') {
    throw new SamlError('SAML_INPUT_INVALID', 'invalid SSO user', {
      details: { issues: [{ path: ['user', 'id'], message: 'must be a non-empty string' }] },
    });
  }
  if (user.authnInstant !== undefined && !Number.isFinite(user.authnInstant.getTime())) {
    throw new SamlError('SAML_INPUT_INVALID', 'invalid SSO user', {
      details: { issues: [{ path: ['user', 'authnInstant'], message: 'must be a valid Date' }] },
    });
  }
}
