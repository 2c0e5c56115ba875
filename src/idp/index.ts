export {
  createIdentityProvider,
  type FrontChannelStep,
  type IdentityProvider,
  type IdentityProviderOptions,
  type LogoutReply,
  type LogoutResult,
  type RecordSessionInput,
} from './identity-provider.js';
