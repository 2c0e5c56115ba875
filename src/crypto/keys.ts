import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { SamlError } from '../errors/index.js';

/** Key algorithms samlkit can sign and verify with. DSA loads but only signs behind an unsafe opt-in. */
export type KeyPairType = 'rsa' | 'ec' | 'dsa';

/** Input to {@link loadKeyPair}. */
export interface KeyPairInput {
  /**
   * X.509 certificate as PEM, or bare base64 DER (whitespace allowed); or the bytes of a PEM or
   * DER file as a Buffer / Uint8Array (what `readFileSync(path)` returns without an encoding).
   */
  certificate: string | Uint8Array;
  /** PKCS#8, PKCS#1 or SEC1 private key as PEM (a string, or the bytes of a PEM file). Omit for a verification-only pair. */
  privateKey?: string | Uint8Array;
  /** Passphrase of an encrypted private key. */
  passphrase?: string;
}

/**
 * A parsed certificate (and optionally its private key). Parse once with
 * {@link loadKeyPair} and reuse: the node:crypto key objects are cached inside.
 */
export interface KeyPair {
  readonly keyType: KeyPairType;
  /** Named curve for EC keys: `P-256`, `P-384` or `P-521`. */
  readonly curve: 'P-256' | 'P-384' | 'P-521' | undefined;
  /** RSA modulus or DSA prime size in bits, EC field size for EC keys. */
  readonly keySize: number;
  /** The certificate as base64 DER, as it goes into `ds:X509Certificate`. */
  readonly certificateBase64: string;
  /** The certificate as PEM. */
  readonly certificatePem: string;
  /** SHA-256 fingerprint of the DER certificate, upper-case hex pairs joined by `:`. */
  readonly fingerprintSha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subject: string;
  readonly hasPrivateKey: boolean;
}

interface KeyObjects {
  publicKey: KeyObject;
  privateKey: KeyObject | undefined;
}

// A value may be a function that makes the key objects on first use (certificates of a large
// metadata aggregate: importing an RSA key costs more than everything else read about it).
const keyObjects = new WeakMap<KeyPair, KeyObjects | (() => KeyObjects)>();

const curveNames: ReadonlyMap<string, KeyPair['curve']> = new Map([
  ['prime256v1', 'P-256'],
  ['secp384r1', 'P-384'],
  ['secp521r1', 'P-521'],
]);

const pemCertificate = /^-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----\s*$/;

/**
 * Whether `body` is base64 broken by ASCII white space only: the alphabet, then at most two `=`,
 * a multiple of four characters in all. `undefined` when it holds any other character, for the
 * general rule to decide. One pass, no copy: certificates of an aggregate come this way by the
 * thousand, in lines.
 */
function isWrappedBase64(body: string): boolean | undefined {
  let count = 0;
  let padding = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    // Space, tab, LF, FF, CR: what every base64 decoder skips (vertical tab goes the general way).
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) continue;
    const alphabet =
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2b ||
      c === 0x2f;
    if (alphabet) {
      if (padding > 0) return false;
    } else if (c === 0x3d) padding++;
    else return undefined;
    count++;
  }
  return count > 0 && padding <= 2 && padding < count && count % 4 === 0;
}

/** @internal The DER bytes of a PEM or bare base64 certificate. */
export function readCertificateDer(text: string): Buffer {
  const trimmed = text.trim();
  const pemMatch = pemCertificate.exec(trimmed);
  const body = pemMatch ? pemMatch[1]! : trimmed;
  const wrapped = isWrappedBase64(body);
  if (wrapped === false) throw new SamlError('SAML_KEY_INVALID', 'certificate is not PEM or base64 DER');
  // Node's base64 decoder skips ASCII white space, so a wrapped body decodes as its compact form.
  if (wrapped === true) return Buffer.from(body, 'base64');
  const compact = body.replace(/\s+/g, '');
  if (compact.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new SamlError('SAML_KEY_INVALID', 'certificate is not PEM or base64 DER');
  }
  return Buffer.from(compact, 'base64');
}

/** @internal A certificate's base64 DER as PEM: lines of 64 characters (RFC 7468 §2). */
export function formatCertificatePem(base64: string): string {
  let pem = '-----BEGIN CERTIFICATE-----\n';
  for (let start = 0; start < base64.length; start += 64) pem += `${base64.slice(start, start + 64)}\n`;
  return `${pem}-----END CERTIFICATE-----\n`;
}

/** @internal */
export function normalizeCertificate(text: string): { pem: string; der: Buffer } {
  const der = readCertificateDer(text);
  return { pem: formatCertificatePem(der.toString('base64')), der };
}

/** @internal */
export function describeKeyType(key: KeyObject): {
  keyType: KeyPairType;
  curve: KeyPair['curve'];
  keySize: number;
} {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { keyType: 'rsa', curve: undefined, keySize: details.modulusLength ?? 0 };
    case 'ec': {
      const curve = curveNames.get(details.namedCurve ?? '');
      if (!curve) throw new SamlError('SAML_KEY_INVALID', 'EC key must use curve P-256, P-384 or P-521');
      return { keyType: 'ec', curve, keySize: Number(curve.slice(2)) };
    }
    case 'dsa':
      return { keyType: 'dsa', curve: undefined, keySize: details.modulusLength ?? 0 };
    default:
      throw new SamlError(
        'SAML_KEY_INVALID',
        'key type is not supported for SAML signatures (RSA, EC or DSA)',
      );
  }
}

/** The bytes of a key file as text: PEM as is; anything else (DER) as base64. */
function fileText(bytes: Uint8Array, allowDer: boolean): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buffer.toString('utf8');
  if (text.includes('-----BEGIN') || !allowDer) return text;
  return buffer.toString('base64');
}

/**
 * Parses a certificate and optional private key once. Throws `SAML_KEY_INVALID`
 * for bad PEM, an unsupported key type, a private key that does not match the
 * certificate, or an encrypted key given without (or with a wrong) passphrase.
 */
export function loadKeyPair(keyInput: KeyPairInput): KeyPair {
  if (typeof keyInput !== 'object' || keyInput === null) {
    throw new SamlError('SAML_KEY_INVALID', 'certificate must be a string');
  }
  const input = {
    ...keyInput,
    certificate:
      keyInput.certificate instanceof Uint8Array
        ? fileText(keyInput.certificate, true)
        : keyInput.certificate,
    ...(keyInput.privateKey instanceof Uint8Array
      ? { privateKey: fileText(keyInput.privateKey, false) }
      : {}),
  };
  if (typeof input.certificate !== 'string') {
    throw new SamlError('SAML_KEY_INVALID', 'certificate must be a string or bytes');
  }
  const { pem, der } = normalizeCertificate(input.certificate);
  let certificate: X509Certificate;
  let publicKey: KeyObject;
  try {
    certificate = new X509Certificate(der);
    // OpenSSL reads the key only here: a certificate that parses may still hold a key it refuses.
    publicKey = certificate.publicKey;
  } catch (cause) {
    throw new SamlError('SAML_KEY_INVALID', 'certificate could not be parsed', { cause });
  }
  const { keyType, curve, keySize } = describeKeyType(publicKey);

  let privateKey: KeyObject | undefined;
  if (input.privateKey !== undefined) {
    if (typeof input.privateKey !== 'string' || !input.privateKey.includes('-----BEGIN')) {
      throw new SamlError('SAML_KEY_INVALID', 'private key must be PEM');
    }
    const encrypted = input.privateKey.includes('ENCRYPTED');
    if (encrypted && !input.passphrase) {
      throw new SamlError('SAML_KEY_INVALID', 'private key is encrypted and no passphrase was given');
    }
    try {
      privateKey = createPrivateKey({
        key: input.privateKey,
        format: 'pem',
        ...(input.passphrase === undefined ? {} : { passphrase: input.passphrase }),
      });
    } catch (cause) {
      const message = encrypted ? 'private key could not be decrypted' : 'private key could not be parsed';
      throw new SamlError('SAML_KEY_INVALID', message, { cause });
    }
    if (!certificate.checkPrivateKey(privateKey)) {
      throw new SamlError('SAML_KEY_INVALID', 'private key does not match the certificate');
    }
  }

  const pair: KeyPair = Object.freeze({
    keyType,
    curve,
    keySize,
    certificateBase64: der.toString('base64'),
    certificatePem: pem,
    fingerprintSha256: certificate.fingerprint256,
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
    subject: certificate.subject,
    hasPrivateKey: privateKey !== undefined,
  });
  keyObjects.set(pair, { publicKey, privateKey });
  return pair;
}

/** NIST SP 800-131A: RSA under 2048 bits no longer protects signatures or key transport. */
export const minimumRsaKeyBits = 2048;

/**
 * The one rule for short RSA keys, applied wherever a key is trusted or configured: provider
 * input, SP metadata, and every signature verification (`receive*`, the facade, `samlkit verify`).
 */
export function isShortRsaKey(pair: KeyPair): boolean {
  return pair.keyType === 'rsa' && pair.keySize < minimumRsaKeyBits;
}

/** Refuses, with `SAML_KEY_INVALID`, a trusted RSA key under 2048 bits unless the caller opted in. */
export function refuseShortRsaKeys(
  trusted: readonly KeyPair[],
  policy: { unsafeAllowShortRsaKeys?: boolean | undefined },
): void {
  if (policy.unsafeAllowShortRsaKeys === true) return;
  const index = trusted.findIndex(isShortRsaKey);
  if (index !== -1) {
    throw new SamlError('SAML_KEY_INVALID', 'a trusted RSA key is shorter than 2048 bits', {
      details: { keySize: trusted[index]!.keySize, minimum: minimumRsaKeyBits },
    });
  }
}

/** True when `value` was produced by {@link loadKeyPair} in this copy of samlkit. */
export function isKeyPair(value: unknown): value is KeyPair {
  return typeof value === 'object' && value !== null && keyObjects.has(value as KeyPair);
}

/** @internal The cached node:crypto keys of a pair. */
export function keyObjectsOf(pair: KeyPair): KeyObjects {
  let objects = keyObjects.get(pair);
  if (!objects) throw new TypeError('not a KeyPair from loadKeyPair()');
  if (typeof objects === 'function') {
    objects = objects();
    keyObjects.set(pair, objects);
  }
  return objects;
}

/** @internal Registers a pair whose key objects are made by `make` on first use. */
export function registerDeferredKeyObjects(pair: KeyPair, make: () => KeyObjects): void {
  keyObjects.set(pair, make);
}

const certificateCache = new Map<string, KeyPair>();

/**
 * Accepts a KeyPair or a PEM / base64 certificate and returns a KeyPair.
 * Certificates given as strings are parsed once and remembered (bounded).
 */
export function toKeyPair(value: KeyPair | string): KeyPair {
  if (typeof value !== 'string') {
    keyObjectsOf(value);
    return value;
  }
  let pair = certificateCache.get(value);
  if (!pair) {
    pair = loadKeyPair({ certificate: value });
    if (certificateCache.size >= 256) certificateCache.delete(certificateCache.keys().next().value as string);
    certificateCache.set(value, pair);
  }
  return pair;
}
