export {
  type AlgorithmPolicy,
  acceptDigestAlgorithm,
  acceptSignatureAlgorithm,
  checkSigningChoice,
  defaultSignatureAlgorithm,
  keyFitsAlgorithm,
} from './algorithms.js';
export { deriveAuthentikUid } from './authentik-uid.js';
export { loadCertificateDeferred } from './deferred-certificate.js';
export {
  isKeyPair,
  isShortRsaKey,
  type KeyPair,
  type KeyPairInput,
  type KeyPairType,
  loadKeyPair,
  minimumRsaKeyBits,
  refuseShortRsaKeys,
  toKeyPair,
} from './keys.js';
export { derivePairwiseHex, minPairwiseSecretBytes, pairwiseSecretBytes } from './pairwise.js';
export {
  createTokenMac,
  equalSecretText,
  hashPassword,
  type PasswordHash,
  verifyPassword,
} from './password.js';
export { hashPartsHex, randomHex } from './primitives.js';
export { signQueryString, verifyQueryString } from './query-signature.js';
export {
  createSelfSignedCertificate,
  type SelfSignedCertificate,
  type SelfSignedCertificateInput,
} from './self-signed-certificate.js';
export { type StreamedVerification, startStreamedVerification } from './streamed-signature.js';
export {
  type AssertionEncryptionOptions,
  type DecryptOptions,
  decryptElement,
  type EncryptOptions,
  encryptElement,
} from './xml-encryption.js';
export {
  canonicalizeElement,
  findEnvelopedSignature,
  type SignXmlOptions,
  signSerialized,
  signTree,
  type VerifiedXml,
  verifyEnvelopedSignature,
} from './xml-signature.js';
