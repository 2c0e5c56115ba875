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
  /** SAML V2.0 Metadata Profile for Algorithm Support: alg:DigestMethod, alg:SigningMethod. */
  alg: 'urn:oasis:names:tc:SAML:metadata:algsupport',
  /** SAML V2.0 Metadata Extensions for Login and Discovery User Interface: mdui:UIInfo. */
  mdui: 'urn:oasis:names:tc:SAML:metadata:ui',
  /** SAML V2.0 Metadata Extension for Entity Attributes: mdattr:EntityAttributes. */
  mdattr: 'urn:oasis:names:tc:SAML:metadata:attribute',
  /** SAML V2.0 Metadata Extensions for Registration and Publication Information: mdrpi:RegistrationInfo. */
  mdrpi: 'urn:oasis:names:tc:SAML:metadata:rpi',
  /** Shibboleth metadata extensions: shibmd:Scope. */
  shibmd: 'urn:mace:shibboleth:metadata:1.0',
  /** REFEDS metadata extensions: the remd:contactType attribute of security contacts. */
  remd: 'http://refeds.org/metadata',
} as const;

/** The prefixes samlkit writes for {@link namespaces}. */
export type NamespacePrefix = keyof typeof namespaces;
