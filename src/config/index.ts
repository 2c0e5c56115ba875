export { maxDurationMs, parseDuration } from './duration.js';
export { type IdpEndpoints, idpEndpoints } from './endpoints.js';
export { parseProvider } from './provider.js';
export { providerDefaults } from './provider-defaults.js';
export type {
  AcsBinding,
  AssertionConsumerService,
  AssertionConsumerServiceInput,
  AuthentikSamlProviderJson,
  CertificateInput,
  KeyPairResolver,
  LogoutMethod,
  NameIdStrategy,
  ParseProviderOptions,
  Provider,
  ProviderDurations,
  ProviderInput,
  ProviderNameIdFormat,
  SingleLogoutService,
  SingleLogoutServiceInput,
  SlsBinding,
  SpBinding,
  SubjectIdRequirement,
} from './provider-types.js';
