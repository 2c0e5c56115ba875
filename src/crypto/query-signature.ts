import type { SignatureAlgorithm } from '../constants/algorithms.js';
import { SamlError } from '../errors/index.js';
import { type AlgorithmPolicy, keyFitsAlgorithm } from './algorithms.js';
import { type KeyPair, refuseShortRsaKeys } from './keys.js';
import { signBase64, verifyBytes } from './primitives.js';

/**
 * Signs the exact octet string an HTTP-Redirect URL carries
 * (`SAMLRequest=…[&RelayState=…]&SigAlg=…`, SAMLBind §3.4.4.1). Returns base64.
 */
export function signQueryString(key: KeyPair, algorithm: SignatureAlgorithm, octets: string): string {
  return signBase64(key, algorithm, octets);
}

/**
 * Verifies a detached query signature over the octets as received, trying only
 * the trusted certificates that fit the algorithm (RSA keys under 2048 bits are
 * refused unless `policy` opts in). Returns the one that verified.
 */
export function verifyQueryString(
  trusted: readonly KeyPair[],
  algorithm: SignatureAlgorithm,
  octets: string,
  signature: Uint8Array,
  policy: AlgorithmPolicy = {},
): KeyPair {
  refuseShortRsaKeys(trusted, policy);
  const data = Buffer.from(octets, 'utf8');
  const candidates = trusted.filter((key) => keyFitsAlgorithm(key, algorithm));
  if (candidates.length === 0) {
    throw new SamlError('SAML_SIGNATURE_INVALID', 'no trusted certificate fits the signature algorithm');
  }
  const certificate = candidates.find((key) => verifyBytes(key, algorithm, data, signature));
  if (!certificate)
    throw new SamlError('SAML_SIGNATURE_INVALID', 'signature does not verify with a trusted certificate');
  return certificate;
}
