import { namespaces } from '../constants/namespaces.js';
import type { KeyPair } from '../crypto/keys.js';
import { SamlError } from '../errors/index.js';
import { serialize, type XmlElement } from '../xml/index.js';

/** How to encrypt an Assertion for the SP. */
export interface AssertionEncryptionInput {
  /** The SP's RSA encryption certificate. */
  certificate: KeyPair;
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
 * Replaces a (signed) Assertion with `saml:EncryptedAssertion` (SAMLCore §2.3.4).
 * XML Encryption is not part of this build yet, so this fails closed rather
 * than send the assertion in the clear to an SP that asked for encryption.
 */
export function encryptAssertion(assertion: XmlElement, _input: AssertionEncryptionInput): XmlElement {
  standaloneAssertion(assertion);
  throw new SamlError('SAML_CONFIG_INVALID', 'assertion encryption is not available in this build', {
    details: { issues: [{ path: ['encryptionCertificate'], message: 'XML Encryption is not available' }] },
  });
}
