import type { DigestAlgorithm } from '../constants/algorithms.js';
import type {
  DataEncryptionAlgorithm,
  KeyTransportAlgorithm,
  MaskGenerationFunction,
} from '../constants/encryption.js';
import { namespaces } from '../constants/namespaces.js';
import { encryptElement } from '../crypto/index.js';
import type { KeyPair } from '../crypto/keys.js';
import { element, serialize, type XmlElement } from '../xml/index.js';

/**
 * How an Assertion is encrypted (XML Encryption 1.1). Default AES-256-GCM
 * with RSA-OAEP (`xmlenc#rsa-oaep-mgf1p`). AES-CBC and RSA 1.5 only with
 * their `unsafe…` opt-ins, for an SP known to need them.
 */
export interface AssertionEncryptionOptions {
  /** Block encryption. Default AES-256-GCM; CBC needs `unsafeAllowCbc`. */
  dataAlgorithm?: DataEncryptionAlgorithm;
  /** Key transport. Default `xmlenc#rsa-oaep-mgf1p`; RSA 1.5 needs `unsafeAllowRsa15`. */
  keyTransport?: KeyTransportAlgorithm;
  /** The OAEP DigestMethod. Default SHA-1 for `rsa-oaep-mgf1p`, SHA-256 for `xmlenc11#rsa-oaep`. */
  oaepDigest?: DigestAlgorithm;
  /** MGF of `xmlenc11#rsa-oaep`. Default MGF1-SHA1. */
  mgf?: MaskGenerationFunction;
  /** Writes the SP certificate into the EncryptedKey's KeyInfo, a hint for SPs with several keys. */
  includeCertificate?: boolean;
  /** `Recipient` of the EncryptedKey. Default (in `buildResponse`): the SP entity ID. */
  recipient?: string;
  /** Allows AES-CBC, which makes any receiver that accepts it a padding oracle. */
  unsafeAllowCbc?: boolean;
  /** Allows RSA PKCS#1 v1.5 key transport (Bleichenbacher oracles). */
  unsafeAllowRsa15?: boolean;
}

/**
 * The Assertion serialized on its own, with the `saml` namespace declared on
 * it, so the plaintext inside EncryptedData is a complete element wherever it
 * is decrypted (authentik's issue #19586). Adding the declaration leaves the
 * exclusive C14N of the assertion, and so its signature, unchanged.
 */
export function standaloneAssertion(assertion: XmlElement): string {
  const declared = assertion.declarations.some((d) => d.prefix === 'saml');
  return serialize(
    declared
      ? assertion
      : { ...assertion, declarations: [{ prefix: 'saml', uri: namespaces.saml }, ...assertion.declarations] },
  );
}

/**
 * Replaces a (signed) Assertion with `saml:EncryptedAssertion` (SAMLCore
 * §2.3.4, §6.2): the assertion exactly as signed, encrypted to the SP's
 * certificate, the EncryptedKey inside the EncryptedData's KeyInfo.
 */
export function encryptAssertion(
  assertion: XmlElement,
  certificate: KeyPair,
  options: AssertionEncryptionOptions = {},
): XmlElement {
  return element('saml:EncryptedAssertion', {}, [
    encryptElement(standaloneAssertion(assertion), { ...options, certificate }),
  ]);
}
