export {
  createIdentityProvider,
  type FrontChannelStep,
  type IdentityProvider,
  type IdentityProviderOptions,
  type LogoutReply,
  type LogoutResult,
  type RecordSessionInput,
} from './identity-provider.js';
export type {
  AuthnRequestResult,
  InitiateSsoOptions,
  NameIdMappingContext,
  PendingAuthnRequest,
  SingleSignOn,
  SsoDecision,
  SsoOptions,
  SsoReply,
  SsoUser,
} from './single-sign-on.js';
