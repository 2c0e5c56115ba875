import { digestAlgorithms, nameIdFormats, signatureAlgorithms } from '../constants/index.js';
import type { Provider } from './provider-types.js';

type DefaultedField = Exclude<
  keyof Provider,
  'entityId' | 'acsUrl' | 'assertionConsumerServices' | 'singleLogoutServices' | 'name' | 'durations'
>;

/**
 * authentik's SAMLProvider model defaults (reference §2.1), plus samlkit's own
 * fields (`unsafe…` flags, NameID format allow-list and NameID strategy among them),
 * except two: `issuer` is empty (the identity provider's entity ID, where authentik
 * writes `authentik`) and `signResponse` is true (pysaml2 refuses unsigned Responses
 * as shipped). `name` has no entry: it defaults to the entity ID; nor have
 * `assertionConsumerServices` (one endpoint at `acsUrl`) and `singleLogoutServices`
 * (the `slsUrl` one).
 */
export const providerDefaults: Readonly<Pick<Provider, DefaultedField>> = Object.freeze({
  spBinding: 'redirect',
  audience: '',
  issuer: '',
  slsUrl: '',
  slsBinding: 'redirect',
  logoutMethod: 'frontchannel_iframe',
  authnRequestsSigned: false,
  signingMethods: Object.freeze([]),
  digestMethods: Object.freeze([]),
  encryptionMethods: Object.freeze([]),
  assertionValidNotBefore: 'minutes=-5',
  assertionValidNotOnOrAfter: 'minutes=5',
  sessionValidNotOnOrAfter: 'minutes=86400',
  digestAlgorithm: digestAlgorithms.sha256,
  signatureAlgorithm: signatureAlgorithms.rsaSha256,
  signingKeyPair: null,
  verificationCertificates: Object.freeze([]),
  encryptionCertificate: null,
  signAssertion: true,
  signResponse: true,
  signLogoutRequest: false,
  signLogoutResponse: false,
  defaultRelayState: '',
  defaultNameIdPolicy: nameIdFormats.unspecified,
  allowedNameIdFormats: Object.freeze([]),
  nameIdStrategy: 'pairwise',
  nameIdMapping: null,
  authnContextClassRefMapping: null,
  subjectIdRequirement: null,
  unsafeAllowSha1: false,
  unsafeAllowDsa: false,
  unsafeAllowShortRsaKeys: false,
});
