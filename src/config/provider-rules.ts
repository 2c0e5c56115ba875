import { digestAlgorithmInfo, signatureAlgorithmInfo } from '../constants/index.js';
import { isShortRsaKey, type KeyPair } from '../crypto/keys.js';
import type { Issue } from '../errors/index.js';
import { resolveLogoutServices } from './logout-services.js';
import type { ProviderField, ProviderFields } from './provider-schema.js';
import type { ProviderDurations } from './provider-types.js';

/** @internal What the cross-field rules see: only the fields (and durations) that passed their own checks. */
export interface RuleInput {
  fields: Partial<ProviderFields>;
  durations: Partial<ProviderDurations>;
  allowSha1: boolean;
  allowDsa: boolean;
  allowShortRsaKeys: boolean;
  /** How a field is spelled in the caller's input (camelCase, or authentik's snake_case). */
  label: (field: ProviderField) => string;
}

const signingFlags = ['signAssertion', 'signResponse', 'signLogoutRequest', 'signLogoutResponse'] as const;

const keyTypeNames = { rsa: 'RSA', ec: 'EC', dsa: 'DSA' } as const;
const keyTypeArticles = { rsa: 'an', ec: 'an', dsa: 'a' } as const;

/**
 * A flag must not promise a signature the IdP cannot make; checked on the merged
 * config, defaults included. Without a key of its own the provider is signed for
 * with the identity provider's key, so only a key without its private half is wrong.
 */
function checkSigningFlags({ fields, label }: RuleInput, issues: Issue[]): void {
  if (!('signingKeyPair' in fields)) return;
  const pair = fields.signingKeyPair;
  if (pair === null || pair === undefined || pair.hasPrivateKey) return;
  for (const flag of signingFlags) {
    if (fields[flag] !== true) continue;
    issues.push({ path: [flag], message: `is on but ${label('signingKeyPair')} has no private key` });
  }
}

/** Requiring signed AuthnRequests needs a certificate to check them with, or nothing could ever pass. */
function checkAuthnRequestSigning({ fields, label }: RuleInput, issues: Issue[]): void {
  if (fields.authnRequestsSigned !== true || fields.verificationCertificates === undefined) return;
  if (fields.verificationCertificates.length === 0) {
    issues.push({
      path: ['authnRequestsSigned'],
      message: `is on but ${label('verificationCertificates')} is empty`,
    });
  }
}

/**
 * Back-channel delivery needs a SOAP or POST endpoint; front-channel delivery a
 * browser one, as a browser cannot carry SOAP. With both shapes given, `slsUrl`
 * must be one of the listed endpoints.
 */
function checkLogoutDelivery({ fields, label }: RuleInput, issues: Issue[]): void {
  const method = fields.logoutMethod;
  if (method === undefined || fields.slsUrl === undefined || fields.slsBinding === undefined) return;
  const listed = fields.singleLogoutServices ?? [];
  if (
    listed.length > 0 &&
    fields.slsUrl !== '' &&
    !listed.some((service) => service.url === fields.slsUrl && service.binding === fields.slsBinding)
  ) {
    issues.push({
      path: ['slsUrl'],
      message: `must be the url of the ${label('slsBinding')} entry of ${label('singleLogoutServices')}`,
    });
    return;
  }
  const { services } = resolveLogoutServices(fields);
  if (method === 'backchannel') {
    if (services.length === 0) {
      issues.push({
        path: ['slsUrl'],
        message: `is required when ${label('logoutMethod')} is "backchannel"`,
      });
    }
    if (
      services.length === 0
        ? fields.slsBinding === 'redirect'
        : services.every((s) => s.binding === 'redirect')
    ) {
      issues.push({
        path: [listed.length > 0 ? 'singleLogoutServices' : 'slsBinding'],
        message: `must be "post" or "soap" when ${label('logoutMethod')} is "backchannel"`,
      });
    }
  } else if (services.length > 0 && services.every((service) => service.binding === 'soap')) {
    issues.push({
      path: [listed.length > 0 ? 'singleLogoutServices' : 'slsBinding'],
      message: `"soap" needs ${label('logoutMethod')} "backchannel"; a browser cannot carry SOAP`,
    });
  }
}

/** SHA-1 and DSA stay off unless opted into, whether or not anything is signed yet. */
function checkAlgorithms({ fields, allowSha1, allowDsa, label }: RuleInput, issues: Issue[]): void {
  const algorithm = fields.signatureAlgorithm;
  if (algorithm !== undefined) {
    const info = signatureAlgorithmInfo[algorithm];
    const pair = fields.signingKeyPair;
    if (pair && pair.keyType !== info.keyType) {
      issues.push({
        path: ['signatureAlgorithm'],
        message: `needs ${keyTypeArticles[info.keyType]} ${keyTypeNames[info.keyType]} key but ${label('signingKeyPair')} is ${keyTypeNames[pair.keyType]}`,
      });
    }
    if (info.hash === 'sha1' && !allowSha1) {
      issues.push({
        path: ['signatureAlgorithm'],
        message: `uses SHA-1; set ${label('unsafeAllowSha1')} to allow it`,
      });
    }
    if (info.keyType === 'dsa' && !allowDsa) {
      issues.push({
        path: ['signatureAlgorithm'],
        message: `is DSA; set ${label('unsafeAllowDsa')} to allow it`,
      });
    }
  }
  if (
    fields.digestAlgorithm !== undefined &&
    digestAlgorithmInfo[fields.digestAlgorithm].hash === 'sha1' &&
    !allowSha1
  ) {
    issues.push({
      path: ['digestAlgorithm'],
      message: `is SHA-1; set ${label('unsafeAllowSha1')} to allow it`,
    });
  }
}

/** Key types: DSA only behind its flag; encryption is RSA-OAEP key transport, so it needs an RSA certificate. */
function checkKeyTypes({ fields, allowDsa, allowShortRsaKeys, label }: RuleInput, issues: Issue[]): void {
  const refuseWeakKey = (pair: KeyPair | null | undefined, path: (string | number)[]) => {
    if (pair?.keyType === 'dsa' && !allowDsa) {
      issues.push({ path, message: `is a DSA key; set ${label('unsafeAllowDsa')} to allow it` });
    }
    // NIST SP 800-131A: RSA under 2048 bits no longer protects signatures or key transport.
    if (pair && isShortRsaKey(pair) && !allowShortRsaKeys) {
      issues.push({
        path,
        message: `is an RSA key shorter than 2048 bits; set ${label('unsafeAllowShortRsaKeys')} to allow it`,
      });
    }
  };
  refuseWeakKey(fields.signingKeyPair, ['signingKeyPair']);
  for (const [index, pair] of (fields.verificationCertificates ?? []).entries()) {
    refuseWeakKey(pair, ['verificationCertificates', index]);
  }
  const encryption = fields.encryptionCertificate;
  refuseWeakKey(encryption, ['encryptionCertificate']);
  if (encryption && encryption.keyType !== 'rsa') {
    issues.push({
      path: ['encryptionCertificate'],
      message: 'must be an RSA certificate (RSA-OAEP key transport)',
    });
  }
}

/** A window that excludes the moment of issue produces assertions no SP will ever accept. */
function checkDurations({ durations }: RuleInput, issues: Issue[]): void {
  const { assertionValidNotBefore, assertionValidNotOnOrAfter, sessionValidNotOnOrAfter } = durations;
  if (assertionValidNotBefore !== undefined && assertionValidNotBefore > 0) {
    issues.push({
      path: ['assertionValidNotBefore'],
      message: 'must be zero or negative, or assertions are not yet valid when issued',
    });
  }
  if (assertionValidNotOnOrAfter !== undefined && assertionValidNotOnOrAfter <= 0) {
    issues.push({
      path: ['assertionValidNotOnOrAfter'],
      message: 'must be positive, or assertions are expired when issued',
    });
  }
  if (sessionValidNotOnOrAfter !== undefined && sessionValidNotOnOrAfter <= 0) {
    issues.push({
      path: ['sessionValidNotOnOrAfter'],
      message: 'must be positive, or sessions end when they start',
    });
  }
}

/**
 * Registered ACS endpoints: indexes identify them (SAMLMeta §2.2.3), and the
 * default endpoint `acsUrl` must be one a Response can be POSTed to.
 */
function checkAssertionConsumerServices({ fields, label }: RuleInput, issues: Issue[]): void {
  const services = fields.assertionConsumerServices;
  if (services === undefined || services.length === 0) return;
  const seen = new Set<number>();
  services.forEach((service, i) => {
    if (seen.has(service.index)) {
      issues.push({ path: ['assertionConsumerServices', i, 'index'], message: 'repeats another index' });
    }
    seen.add(service.index);
  });
  if (services.filter((service) => service.isDefault).length > 1) {
    issues.push({ path: ['assertionConsumerServices'], message: 'has more than one isDefault entry' });
  }
  if (
    fields.acsUrl !== undefined &&
    !services.some((service) => service.binding === 'post' && service.url === fields.acsUrl)
  ) {
    issues.push({
      path: ['acsUrl'],
      message: `must be the URL of a "post" entry of ${label('assertionConsumerServices')}`,
    });
  }
}

/** @internal Every cross-field rule, each skipping the parts whose own checks failed. */
export function checkProviderRules(input: RuleInput): Issue[] {
  const issues: Issue[] = [];
  checkSigningFlags(input, issues);
  checkAuthnRequestSigning(input, issues);
  checkLogoutDelivery(input, issues);
  checkAlgorithms(input, issues);
  checkKeyTypes(input, issues);
  checkDurations(input, issues);
  checkAssertionConsumerServices(input, issues);
  return issues;
}
