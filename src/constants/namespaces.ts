/** Namespace URIs used by SAML 2.0 messages (SAMLCore §1.2). */
export const namespaces = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  /** XML Encryption 1.1 additions: AES-GCM, RSA-OAEP with a chosen MGF (xmlenc-core1 §5). */
  xenc11: 'http://www.w3.org/2009/xmlenc11#',
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
} as const;

/** The prefixes samlkit writes for {@link namespaces}. */
export type NamespacePrefix = keyof typeof namespaces;
