import type { EnvelopedSignOptions } from '../bindings/index.js';
import type { Provider } from '../config/index.js';
import type { DigestAlgorithm, SignatureAlgorithm } from '../constants/algorithms.js';
import type { KeyPair } from '../crypto/keys.js';
import { buildLogoutRequest } from '../logout/index.js';
import type { Clock, IdGenerator } from '../message/context.js';
import type { NameIdValue } from '../message/header.js';
import { chooseSigningAlgorithms } from '../metadata/algorithm-hints.js';

/** The IdP's default signing key and algorithms. */
export interface IdpSigning {
  key: KeyPair;
  algorithm?: SignatureAlgorithm;
  digestAlgorithm?: DigestAlgorithm;
}

/**
 * The provider's own signing key and algorithms when it has one, else the IdP's;
 * the algorithms then follow what the SP advertises (see `chooseSigningAlgorithms`).
 */
export function signingFor(provider: Provider | undefined, signing: IdpSigning): EnvelopedSignOptions {
  const own = provider?.signingKeyPair;
  const choice = own
    ? { key: own, algorithm: provider!.signatureAlgorithm, digestAlgorithm: provider!.digestAlgorithm }
    : {
        key: signing.key,
        ...(signing.algorithm ? { algorithm: signing.algorithm } : {}),
        ...(signing.digestAlgorithm ? { digestAlgorithm: signing.digestAlgorithm } : {}),
      };
  return {
    key: choice.key,
    ...chooseSigningAlgorithms(choice, provider),
    unsafeAllowSha1: provider?.unsafeAllowSha1 ?? false,
    unsafeAllowDsa: provider?.unsafeAllowDsa ?? false,
  };
}

/**
 * The (unsigned) LogoutRequest that tells one participant its session ended:
 * its NameID and SessionIndex as issued, to one of the provider's SingleLogoutService endpoints,
 * valid for `lifetimeMs` (NotOnOrAfter, SAMLCore §3.7.1).
 */
export function buildParticipantLogoutRequest(input: {
  issuer: string;
  provider: Provider;
  /** The endpoint it is sent to. Default: the provider's `slsUrl`. */
  destination?: string;
  participant: { nameId: NameIdValue; sessionIndex: string };
  clock: Clock;
  generateId: IdGenerator;
  lifetimeMs: number;
}): { id: string; xml: string } {
  const now = input.clock();
  return buildLogoutRequest({
    issuer: input.issuer,
    destination: input.destination ?? input.provider.slsUrl,
    nameId: input.participant.nameId,
    sessionIndex: input.participant.sessionIndex,
    issueInstant: now,
    notOnOrAfter: new Date(now.getTime() + input.lifetimeMs),
    reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
    generateId: input.generateId,
  });
}
