import { digestAlgorithms, nameIdFormats, signatureAlgorithms } from '../constants/index.js';
import type { Provider } from './provider-types.js';

type DefaultedField = Exclude<
  keyof Provider,
  'entityId' | 'acsUrl' | 'assertionConsumerServices' | 'name' | 'durations'
>;

/**
 * authentik's SAMLProvider model defaults (reference §2.1), plus samlkit's
 * `unsafe…` flags, NameID format allow-list and NameID strategy. `name` has no entry: it defaults to the entity ID; nor has
 * `assertionConsumerServices`: it defaults to one endpoint at `acsUrl`.
 */
export const providerDefaults: Readonly<Pick<Provider, DefaultedField>> = Object.freeze({
  spBinding: 'redirect',
  audience: '',
  issuer: 'authentik',
  slsUrl: '',
  slsBinding: 'redirect',
  logoutMethod: 'frontchannel_iframe',
  assertionValidNotBefore: 'minutes=-5',
  assertionValidNotOnOrAfter: 'minutes=5',
  sessionValidNotOnOrAfter: 'minutes=86400',
  digestAlgorithm: digestAlgorithms.sha256,
  signatureAlgorithm: signatureAlgorithms.rsaSha256,
  signingKeyPair: null,
  verificationCertificates: Object.freeze([]),
  encryptionCertificate: null,
  signAssertion: true,
  signResponse: false,
  signLogoutRequest: false,
  signLogoutResponse: false,
  defaultRelayState: '',
  defaultNameIdPolicy: nameIdFormats.unspecified,
  allowedNameIdFormats: Object.freeze([]),
  nameIdStrategy: 'pairwise',
  nameIdMapping: null,
  authnContextClassRefMapping: null,
  unsafeAllowSha1: false,
  unsafeAllowDsa: false,
  unsafeAllowShortRsaKeys: false,
});
