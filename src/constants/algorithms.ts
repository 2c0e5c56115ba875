/** XML-DSig / RFC 6931 signature method URIs samlkit knows. */
export const signatureAlgorithms = {
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  ecdsaSha1: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  ecdsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  ecdsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
  dsaSha1: 'http://www.w3.org/2000/09/xmldsig#dsa-sha1',
} as const;

/** One of the {@link signatureAlgorithms} URIs. */
export type SignatureAlgorithm = (typeof signatureAlgorithms)[keyof typeof signatureAlgorithms];

/** Digest method URIs (XML-Enc and RFC 6931). */
export const digestAlgorithms = {
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
} as const;

/** One of the {@link digestAlgorithms} URIs. */
export type DigestAlgorithm = (typeof digestAlgorithms)[keyof typeof digestAlgorithms];

/** Canonicalization and transform URIs allowed by the SAML signature profile (SAMLCore §5.4.3–4). */
export const transforms = {
  envelopedSignature: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  exclusiveC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
} as const;

/** Key types samlkit signs and verifies with. */
export type KeyType = 'rsa' | 'ec';

interface SignatureAlgorithmInfo {
  keyType: KeyType | 'dsa';
  hash: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  /** SHA-1 and DSA: accepted only behind an `unsafe…` opt-in. */
  unsafe: boolean;
}

/** Exact-URI lookup table; no fragment or case-insensitive matching (attacks §7). */
export const signatureAlgorithmInfo: Readonly<Record<SignatureAlgorithm, SignatureAlgorithmInfo>> = {
  [signatureAlgorithms.rsaSha1]: { keyType: 'rsa', hash: 'sha1', unsafe: true },
  [signatureAlgorithms.rsaSha256]: { keyType: 'rsa', hash: 'sha256', unsafe: false },
  [signatureAlgorithms.rsaSha384]: { keyType: 'rsa', hash: 'sha384', unsafe: false },
  [signatureAlgorithms.rsaSha512]: { keyType: 'rsa', hash: 'sha512', unsafe: false },
  [signatureAlgorithms.ecdsaSha1]: { keyType: 'ec', hash: 'sha1', unsafe: true },
  [signatureAlgorithms.ecdsaSha256]: { keyType: 'ec', hash: 'sha256', unsafe: false },
  [signatureAlgorithms.ecdsaSha384]: { keyType: 'ec', hash: 'sha384', unsafe: false },
  [signatureAlgorithms.ecdsaSha512]: { keyType: 'ec', hash: 'sha512', unsafe: false },
  [signatureAlgorithms.dsaSha1]: { keyType: 'dsa', hash: 'sha1', unsafe: true },
};

/** Exact-URI lookup table for digest methods. */
export const digestAlgorithmInfo: Readonly<
  Record<DigestAlgorithm, { hash: 'sha1' | 'sha256' | 'sha384' | 'sha512'; unsafe: boolean }>
> = {
  [digestAlgorithms.sha1]: { hash: 'sha1', unsafe: true },
  [digestAlgorithms.sha256]: { hash: 'sha256', unsafe: false },
  [digestAlgorithms.sha384]: { hash: 'sha384', unsafe: false },
  [digestAlgorithms.sha512]: { hash: 'sha512', unsafe: false },
};

/** Whether `uri` is exactly one of the {@link signatureAlgorithms} URIs. */
export function isSignatureAlgorithm(uri: string): uri is SignatureAlgorithm {
  return Object.hasOwn(signatureAlgorithmInfo, uri);
}

/** Whether `uri` is exactly one of the {@link digestAlgorithms} URIs. */
export function isDigestAlgorithm(uri: string): uri is DigestAlgorithm {
  return Object.hasOwn(digestAlgorithmInfo, uri);
}

/** The safe signature algorithms accepted on incoming messages when the caller names none. */
export const defaultAcceptedSignatureAlgorithms: readonly SignatureAlgorithm[] = [
  signatureAlgorithms.rsaSha256,
  signatureAlgorithms.rsaSha384,
  signatureAlgorithms.rsaSha512,
  signatureAlgorithms.ecdsaSha256,
  signatureAlgorithms.ecdsaSha384,
  signatureAlgorithms.ecdsaSha512,
];
