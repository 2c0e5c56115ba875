import type { Provider } from '../config/index.js';
import {
  type DigestAlgorithm,
  digestAlgorithmInfo,
  isDigestAlgorithm,
  isSignatureAlgorithm,
  type SignatureAlgorithm,
  signatureAlgorithmInfo,
} from '../constants/algorithms.js';
import {
  type DataEncryptionAlgorithm,
  dataEncryptionAlgorithms,
  dataEncryptionInfo,
  type KeyTransportAlgorithm,
  keyTransportAlgorithms,
} from '../constants/encryption.js';
import {
  type AssertionEncryptionOptions,
  defaultSignatureAlgorithm,
  type KeyPair,
  keyFitsAlgorithm,
} from '../crypto/index.js';

/** The provider fields that say what the SP accepts. */
type Hints = Pick<
  Provider,
  'signingMethods' | 'digestMethods' | 'encryptionMethods' | 'unsafeAllowSha1' | 'unsafeAllowDsa'
>;

/** A signing choice: the key and, when chosen, the algorithms. */
export interface SigningChoice {
  key: KeyPair;
  algorithm?: SignatureAlgorithm;
  digestAlgorithm?: string;
}

const defaultDigest: DigestAlgorithm = 'http://www.w3.org/2001/04/xmlenc#sha256';

/**
 * The signature and digest algorithms to sign for this SP with: the chosen
 * ones, unless the SP advertises algorithms (`alg:SigningMethod`,
 * `alg:DigestMethod`; SAML V2.0 Metadata Profile for Algorithm Support §2)
 * and the chosen one is not among them. Then the first advertised one that
 * samlkit allows (known, no SHA-1 or DSA without the provider's opt-in) and
 * that fits the key is used. With no such hint, the choice stands: a hint
 * never makes samlkit sign with an algorithm it would otherwise refuse.
 */
export function chooseSigningAlgorithms(
  choice: SigningChoice,
  provider: Hints | undefined,
): { algorithm: SignatureAlgorithm; digestAlgorithm: string } {
  const algorithm = choice.algorithm ?? defaultSignatureAlgorithm(choice.key);
  const digest = choice.digestAlgorithm ?? defaultDigest;
  if (provider === undefined) return { algorithm, digestAlgorithm: digest };
  const allowedSignature = (uri: string): uri is SignatureAlgorithm => {
    if (!isSignatureAlgorithm(uri)) return false;
    const info = signatureAlgorithmInfo[uri];
    return (
      (info.hash !== 'sha1' || provider.unsafeAllowSha1) &&
      (info.keyType !== 'dsa' || provider.unsafeAllowDsa) &&
      keyFitsAlgorithm(choice.key, uri)
    );
  };
  const allowedDigest = (uri: string): uri is DigestAlgorithm =>
    isDigestAlgorithm(uri) && (digestAlgorithmInfo[uri].hash !== 'sha1' || provider.unsafeAllowSha1);
  const pick = <T extends string>(
    chosen: T,
    advertised: readonly string[],
    allowed: (uri: string) => uri is T,
  ) =>
    advertised.length === 0 || advertised.includes(chosen) ? chosen : (advertised.find(allowed) ?? chosen);
  return {
    algorithm: pick(algorithm, provider.signingMethods, allowedSignature),
    digestAlgorithm: pick(digest, provider.digestMethods, allowedDigest),
  };
}

const dataPreference: readonly DataEncryptionAlgorithm[] = [
  dataEncryptionAlgorithms.aes256Gcm,
  dataEncryptionAlgorithms.aes128Gcm,
  dataEncryptionAlgorithms.aes256Cbc,
  dataEncryptionAlgorithms.aes128Cbc,
];
const transportPreference: readonly KeyTransportAlgorithm[] = [
  keyTransportAlgorithms.rsaOaepMgf1p,
  keyTransportAlgorithms.rsaOaep,
  keyTransportAlgorithms.rsa15,
];

/**
 * Encryption options for this SP: the chosen ones, unless its encryption key
 * lists `md:EncryptionMethod`s (SAMLMeta §2.4.1.1) and the chosen block
 * encryption or key transport is not among them. Then the strongest listed one
 * samlkit allows under the options' opt-ins is used (AES-GCM before CBC, which
 * needs `unsafeAllowCbc`; RSA-OAEP before RSA 1.5, which needs `unsafeAllowRsa15`).
 */
export function chooseEncryption(
  options: AssertionEncryptionOptions | undefined,
  provider: Hints,
): AssertionEncryptionOptions | undefined {
  const listed = new Set(provider.encryptionMethods);
  if (listed.size === 0) return options;
  const data = options?.dataAlgorithm ?? dataEncryptionAlgorithms.aes256Gcm;
  const transport = options?.keyTransport ?? keyTransportAlgorithms.rsaOaepMgf1p;
  const dataListed = dataPreference.some((uri) => listed.has(uri));
  const transportListed = transportPreference.some((uri) => listed.has(uri));
  const result: AssertionEncryptionOptions = { ...options };
  if (dataListed && !listed.has(data)) {
    const better = dataPreference.find(
      (uri) => listed.has(uri) && (dataEncryptionInfo[uri].authenticated || options?.unsafeAllowCbc === true),
    );
    if (better !== undefined) result.dataAlgorithm = better;
  }
  if (transportListed && !listed.has(transport)) {
    const better = transportPreference.find(
      (uri) =>
        listed.has(uri) && (uri !== keyTransportAlgorithms.rsa15 || options?.unsafeAllowRsa15 === true),
    );
    if (better !== undefined) result.keyTransport = better;
  }
  return result;
}
