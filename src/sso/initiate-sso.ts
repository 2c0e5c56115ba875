import type { ProviderNameIdFormat } from '../config/index.js';
import { SamlError } from '../errors/index.js';
import { answerWithAssertion, checkUser } from './answer-with-assertion.js';
import {
  defaultAssertionConsumerService,
  selectAssertionConsumerService,
} from './assertion-consumer-service.js';
import { isRegisteredNameIdFormat, issuableNameIdFormats } from './name-id-policy.js';
import { findProvider, type SsoContext } from './sso-context.js';
import type { SsoUser } from './sso-options.js';
import type { SsoReply } from './sso-reply.js';

/** Options of `initiateSso` (IdP-initiated, unsolicited SSO). */
export interface InitiateSsoOptions {
  /** Default: the provider's `defaultRelayState` when non-empty. */
  relayState?: string;
  /** Default: the provider's `defaultNameIdPolicy`. */
  nameIdFormat?: ProviderNameIdFormat;
  /** A registered ACS index; default: the endpoint at `acsUrl`. */
  acsIndex?: number;
}

/**
 * IdP-initiated SSO (SAMLProf §4.1.5): an unsolicited Response for `user` to the
 * provider's default (or chosen) ACS, with the provider's `defaultRelayState`
 * unless another is given. Records the session participant.
 *
 * @throws SamlError `SAML_ISSUER_UNKNOWN`, `SAML_ACS_NOT_REGISTERED`,
 * `SAML_NAME_ID_POLICY_UNSUPPORTED` (the user lacks the format's value), `SAML_INPUT_INVALID`.
 */
export async function initiateSso(
  context: SsoContext,
  providerId: string,
  user: SsoUser,
  options: InitiateSsoOptions = {},
): Promise<SsoReply> {
  checkUser(user);
  const provider = await findProvider(context, providerId);
  const acs =
    options.acsIndex === undefined
      ? defaultAssertionConsumerService(provider)
      : selectAssertionConsumerService(provider, { assertionConsumerServiceIndex: options.acsIndex });
  const format = options.nameIdFormat ?? provider.defaultNameIdPolicy;
  if (!issuableNameIdFormats.includes(format)) {
    throw new SamlError('SAML_NAME_ID_POLICY_UNSUPPORTED', 'this IdP does not issue that NameID format', {
      details: { format },
    });
  }
  if (!isRegisteredNameIdFormat(provider, format)) {
    throw new SamlError(
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
      'this SP is not registered for that NameID format (add it to allowedNameIdFormats)',
      { details: { format } },
    );
  }
  const relayState =
    options.relayState ?? (provider.defaultRelayState === '' ? undefined : provider.defaultRelayState);
  return answerWithAssertion(context, {
    providerId,
    provider,
    acs,
    user,
    format,
    spNameQualifier: provider.entityId,
    ...(relayState === undefined ? {} : { relayState }),
  });
}
