/** Block encryption (data) algorithm URIs of XML Encryption 1.1 (xmlenc-core1 §5.2). */
export const dataEncryptionAlgorithms = {
  aes128Gcm: 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  aes256Gcm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  /** Unauthenticated: a padding oracle on any receiver that accepts it (Jager & Somorovsky, CCS 2011). */
  aes128Cbc: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  /** Unauthenticated: a padding oracle on any receiver that accepts it (Jager & Somorovsky, CCS 2011). */
  aes256Cbc: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
} as const;

/** One of the {@link dataEncryptionAlgorithms} URIs. */
export type DataEncryptionAlgorithm =
  (typeof dataEncryptionAlgorithms)[keyof typeof dataEncryptionAlgorithms];

/** Key transport algorithm URIs (xmlenc-core1 §5.4). */
export const keyTransportAlgorithms = {
  /** RSA-OAEP with MGF1-SHA1; the OAEP digest is SHA-1 unless a DigestMethod says otherwise. */
  rsaOaepMgf1p: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  /** RSA-OAEP with a DigestMethod and an optional `xenc11:MGF` (default MGF1-SHA1). */
  rsaOaep: 'http://www.w3.org/2009/xmlenc11#rsa-oaep',
  /** RSAES-PKCS1-v1_5: Bleichenbacher-style oracles; refused unless opted in (xmlenc-core1 §5.4.1). */
  rsa15: 'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
} as const;

/** One of the {@link keyTransportAlgorithms} URIs. */
export type KeyTransportAlgorithm = (typeof keyTransportAlgorithms)[keyof typeof keyTransportAlgorithms];

/** Mask generation functions for `xmlenc11#rsa-oaep` (xmlenc-core1 §5.4.2). */
export const maskGenerationFunctions = {
  mgf1Sha1: 'http://www.w3.org/2009/xmlenc11#mgf1sha1',
  mgf1Sha224: 'http://www.w3.org/2009/xmlenc11#mgf1sha224',
  mgf1Sha256: 'http://www.w3.org/2009/xmlenc11#mgf1sha256',
  mgf1Sha384: 'http://www.w3.org/2009/xmlenc11#mgf1sha384',
  mgf1Sha512: 'http://www.w3.org/2009/xmlenc11#mgf1sha512',
} as const;

/** One of the {@link maskGenerationFunctions} URIs. */
export type MaskGenerationFunction = (typeof maskGenerationFunctions)[keyof typeof maskGenerationFunctions];

/** The `Type` of an `xenc:EncryptedData` that replaces one element (xmlenc-core1 §3.1, SAMLCore §6.1). */
export const encryptedElementType = 'http://www.w3.org/2001/04/xmlenc#Element';

/** `ds:RetrievalMethod` Type pointing at an `xenc:EncryptedKey` (xmlenc-core1 §3.5.1). */
export const encryptedKeyRetrievalType = 'http://www.w3.org/2001/04/xmlenc#EncryptedKey';

/** What node:crypto needs to run one data encryption algorithm. */
export interface DataEncryptionInfo {
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'aes-128-cbc' | 'aes-256-cbc';
  keyBytes: 16 | 32;
  /** IV bytes prepended to the ciphertext: 12 for GCM, one block for CBC. */
  ivBytes: 12 | 16;
  authenticated: boolean;
}

/** Exact-URI lookup table (no fragment or case-insensitive matching). */
export const dataEncryptionInfo: Readonly<Record<DataEncryptionAlgorithm, DataEncryptionInfo>> = {
  [dataEncryptionAlgorithms.aes128Gcm]: {
    cipher: 'aes-128-gcm',
    keyBytes: 16,
    ivBytes: 12,
    authenticated: true,
  },
  [dataEncryptionAlgorithms.aes256Gcm]: {
    cipher: 'aes-256-gcm',
    keyBytes: 32,
    ivBytes: 12,
    authenticated: true,
  },
  [dataEncryptionAlgorithms.aes128Cbc]: {
    cipher: 'aes-128-cbc',
    keyBytes: 16,
    ivBytes: 16,
    authenticated: false,
  },
  [dataEncryptionAlgorithms.aes256Cbc]: {
    cipher: 'aes-256-cbc',
    keyBytes: 32,
    ivBytes: 16,
    authenticated: false,
  },
};

export const maskGenerationHash: Readonly<
  Record<MaskGenerationFunction, 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512'>
> = {
  [maskGenerationFunctions.mgf1Sha1]: 'sha1',
  [maskGenerationFunctions.mgf1Sha224]: 'sha224',
  [maskGenerationFunctions.mgf1Sha256]: 'sha256',
  [maskGenerationFunctions.mgf1Sha384]: 'sha384',
  [maskGenerationFunctions.mgf1Sha512]: 'sha512',
};

/** True for a data encryption algorithm URI samlkit implements (exact match). */
export function isDataEncryptionAlgorithm(uri: string): uri is DataEncryptionAlgorithm {
  return Object.hasOwn(dataEncryptionInfo, uri);
}

/** True for a key transport algorithm URI samlkit implements (exact match). */
export function isKeyTransportAlgorithm(uri: string): uri is KeyTransportAlgorithm {
  return Object.values(keyTransportAlgorithms).includes(uri as KeyTransportAlgorithm);
}

/** True for a mask generation function URI samlkit implements (exact match). */
export function isMaskGenerationFunction(uri: string): uri is MaskGenerationFunction {
  return Object.hasOwn(maskGenerationHash, uri);
}

/** What a receiver accepts when the caller names nothing: authenticated encryption, RSA-OAEP. */
export const defaultAcceptedDataEncryptionAlgorithms: readonly DataEncryptionAlgorithm[] = [
  dataEncryptionAlgorithms.aes128Gcm,
  dataEncryptionAlgorithms.aes256Gcm,
];

export const defaultAcceptedKeyTransportAlgorithms: readonly KeyTransportAlgorithm[] = [
  keyTransportAlgorithms.rsaOaepMgf1p,
  keyTransportAlgorithms.rsaOaep,
];
