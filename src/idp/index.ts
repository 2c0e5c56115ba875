export type {
  FrontChannelStep,
  LogoutMessageResult,
  LogoutRefusal,
  LogoutReply,
  LogoutResult,
} from '../slo/logout-result.js';
export type { RecordSessionInput } from '../slo/record-session.js';
export type { StartLogoutOptions } from '../slo/start-logout.js';
export type { SsoDecision } from '../sso/complete-authn-request.js';
export type { InitiateSsoOptions } from '../sso/initiate-sso.js';
export type { AuthnRequestResult, PendingAuthnRequest } from '../sso/receive-authn-request.js';
export type {
  NameIdMappingContext,
  SsoOptions,
  SsoUser,
  SubjectIdentifierOptions,
} from '../sso/sso-options.js';
export type { SsoReply } from '../sso/sso-reply.js';
export {
  createIdentityProvider,
  type IdentityProvider,
  type SingleSignOn,
} from './identity-provider.js';
export type { IdentityProviderEndpoints, IdentityProviderOptions } from './options.js';
