import type { EnvelopedSignOptions } from '../bindings/index.js';
import type { Provider } from '../config/index.js';
import type { DigestAlgorithm, SignatureAlgorithm } from '../constants/algorithms.js';
import type { KeyPair } from '../crypto/keys.js';
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
