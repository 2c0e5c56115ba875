import { namespaces } from '../constants/namespaces.js';
import { type AssertionEncryptionOptions, encryptElement } from '../crypto/index.js';
import type { KeyPair } from '../crypto/keys.js';
import { element, serialize, type XmlElement } from '../xml/index.js';

export type { AssertionEncryptionOptions };

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
