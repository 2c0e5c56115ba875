import {
  type DigestAlgorithm,
  defaultAcceptedSignatureAlgorithms,
  digestAlgorithmInfo,
  isDigestAlgorithm,
  isSignatureAlgorithm,
  type SignatureAlgorithm,
  signatureAlgorithmInfo,
} from '../constants/algorithms.js';
import { SamlError } from '../errors/index.js';
import type { KeyPair } from './keys.js';

/** What an incoming signature may use. */
export interface AlgorithmPolicy {
  /** Accepted signature methods; default: RSA and ECDSA with SHA-256/384/512. */
  algorithms?: readonly SignatureAlgorithm[];
  /**
   * @deprecated Accepts SHA-1 signatures and digests. SHA-1 collisions are practical;
   * enable only for a legacy peer you cannot upgrade.
   */
  unsafeAllowSha1?: boolean;
  /**
   * @deprecated Accepts DSA signatures (`dsa-sha1`, which also needs `unsafeAllowSha1`).
   * DSA is withdrawn from FIPS 186-5 and fails badly on nonce reuse.
   */
  unsafeAllowDsa?: boolean;
  /**
   * @deprecated Trusts RSA keys shorter than 2048 bits for verification (factorable with
   * modest means). Provider input and SP metadata carry the same opt-in.
   */
  unsafeAllowShortRsaKeys?: boolean;
}

/** Checks a SignatureMethod / SigAlg URI by exact string against the policy (attacks §7). */
export function acceptSignatureAlgorithm(uri: string, policy: AlgorithmPolicy = {}): SignatureAlgorithm {
  if (!isSignatureAlgorithm(uri)) {
    throw new SamlError('SAML_ALGORITHM_FORBIDDEN', 'signature algorithm is not recognised');
  }
  const info = signatureAlgorithmInfo[uri];
  if (info.hash === 'sha1' && !policy.unsafeAllowSha1) {
    throw new SamlError('SAML_ALGORITHM_FORBIDDEN', 'SHA-1 signatures are refused');
  }
  // Each unsafe opt-in admits only what it names: SHA-1 alone does not bring DSA in.
  if (info.keyType === 'dsa' && !policy.unsafeAllowDsa) {
    throw new SamlError('SAML_ALGORITHM_FORBIDDEN', 'DSA signatures are refused');
  }
  const allowed = policy.algorithms ?? defaultAcceptedSignatureAlgorithms;
  if (!allowed.includes(uri) && !(info.hash === 'sha1' && policy.unsafeAllowSha1)) {
    throw new SamlError('SAML_ALGORITHM_FORBIDDEN', 'signature algorithm is not on the allowlist');
  }
  return uri;
}

/** Checks a DigestMethod URI by exact string. */
export function acceptDigestAlgorithm(uri: string, policy: AlgorithmPolicy = {}): DigestAlgorithm {
  if (!isDigestAlgorithm(uri))
    throw new SamlError('SAML_ALGORITHM_FORBIDDEN', 'digest algorithm is not recognised');
  if (digestAlgorithmInfo[uri].unsafe && !policy.unsafeAllowSha1) {
    throw new SamlError('SAML_ALGORITHM_FORBIDDEN', 'SHA-1 digests are refused');
  }
  return uri;
}

/** True when `key` can produce or check signatures of `algorithm` (RSA vs EC vs DSA). */
export function keyFitsAlgorithm(key: KeyPair, algorithm: SignatureAlgorithm): boolean {
  return signatureAlgorithmInfo[algorithm].keyType === key.keyType;
}

/** The default signature method for a key: RSA-SHA256, or ECDSA with the hash matching the curve. */
export function defaultSignatureAlgorithm(key: KeyPair): SignatureAlgorithm {
  if (key.keyType === 'ec') {
    if (key.curve === 'P-384') return 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384';
    if (key.curve === 'P-521') return 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512';
    return 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
  }
  return 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
}

/** Checks an outgoing signing choice: known, safe unless opted in, and fitting the key. */
export function checkSigningChoice(
  key: KeyPair,
  algorithm: string,
  digest: string,
  unsafe: { unsafeAllowSha1?: boolean; unsafeAllowDsa?: boolean } = {},
): { algorithm: SignatureAlgorithm; digest: DigestAlgorithm } {
  if (!key.hasPrivateKey) throw new SamlError('SAML_KEY_INVALID', 'signing key pair has no private key');
  if (!isSignatureAlgorithm(algorithm)) {
    throw new SamlError('SAML_ALGORITHM_FORBIDDEN', 'signature algorithm is not recognised');
  }
  const info = signatureAlgorithmInfo[algorithm];
  if (info.keyType === 'dsa' && !unsafe.unsafeAllowDsa) {
    throw new SamlError('SAML_ALGORITHM_FORBIDDEN', 'DSA signatures are refused');
  }
  if (info.hash === 'sha1' && !unsafe.unsafeAllowSha1) {
    throw new SamlError('SAML_ALGORITHM_FORBIDDEN', 'SHA-1 signatures are refused');
  }
  if (!keyFitsAlgorithm(key, algorithm)) {
    throw new SamlError('SAML_ALGORITHM_FORBIDDEN', 'signature algorithm does not fit the key type');
  }
  return { algorithm, digest: acceptDigestAlgorithm(digest, unsafe) };
}
