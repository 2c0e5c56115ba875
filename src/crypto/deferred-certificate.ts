import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { SamlError } from '../errors/index.js';
import { type DerSpan, readDerSpan } from './der.js';
import {
  describeKeyType,
  formatCertificatePem,
  type KeyPair,
  loadKeyPair,
  readCertificateDer,
  registerDeferredKeyObjects,
} from './keys.js';

const oids = {
  rsa: '2a864886f70d010101',
  ec: '2a8648ce3d0201',
  p256: '2a8648ce3d030107',
  p384: '2b81040022',
  p521: '2b81040023',
} as const;
const curves: ReadonlyMap<string, { curve: KeyPair['curve']; keySize: number }> = new Map([
  [oids.p256, { curve: 'P-256', keySize: 256 }],
  [oids.p384, { curve: 'P-384', keySize: 384 }],
  [oids.p521, { curve: 'P-521', keySize: 521 }],
]);

function invalid(): never {
  throw new SamlError('SAML_KEY_INVALID', 'certificate could not be parsed');
}

/** The elements of a constructed DER value, each checked to fit exactly. */
function elementsOf(der: Buffer, parent: DerSpan): DerSpan[] {
  const found: DerSpan[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const element = readDerSpan(der, offset, parent.end);
    found.push(element);
    offset = element.end;
  }
  return found;
}

const utcTime = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const generalizedTime = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/** X.509 Time (RFC 5280 §4.1.2.5): UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ. */
function readTime(der: Buffer, element: DerSpan): Date {
  const text = der.toString('latin1', element.start, element.end);
  const match = (element.tag === 0x17 ? utcTime : generalizedTime).exec(text);
  if (match === null || (element.tag !== 0x17 && element.tag !== 0x18)) invalid();
  let year = Number(match[1]);
  if (element.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(
    Date.UTC(
      year,
      Number(match[2]) - 1,
      Number(match[3]),
      Number(match[4]),
      Number(match[5]),
      Number(match[6]),
    ),
  );
}

interface Outline {
  keyType: 'rsa' | 'ec';
  curve: KeyPair['curve'];
  keySize: number;
  notBefore: Date;
  notAfter: Date;
}

/**
 * Key type, size and validity read from the DER of an RSA or EC certificate; `undefined` for
 * other key types. Read by positions in `der`, without a view per field: thousands of
 * certificates pass here in an aggregate import.
 */
function readOutline(der: Buffer): Outline | undefined {
  const certificate = readDerSpan(der, 0, der.length);
  if (certificate.tag !== 0x30 || certificate.end !== der.length) invalid();
  const [tbs, signatureAlgorithm, signatureValue, ...rest] = elementsOf(der, certificate);
  if (
    tbs?.tag !== 0x30 ||
    signatureAlgorithm?.tag !== 0x30 ||
    signatureValue?.tag !== 0x03 ||
    rest.length > 0
  ) {
    invalid();
  }
  const fields = elementsOf(der, tbs);
  // version [0] EXPLICIT is optional (v1 certificates omit it).
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const validity = fields[at + 3];
  const spki = fields[at + 5];
  if (fields[at]?.tag !== 0x02 || validity?.tag !== 0x30 || spki?.tag !== 0x30) invalid();
  const [notBefore, notAfter] = elementsOf(der, validity);
  if (notBefore === undefined || notAfter === undefined) invalid();
  const [algorithm, publicKey] = elementsOf(der, spki);
  if (algorithm?.tag !== 0x30 || publicKey?.tag !== 0x03) invalid();
  const [oid, parameters] = elementsOf(der, algorithm);
  if (oid?.tag !== 0x06) invalid();
  const times = { notBefore: readTime(der, notBefore), notAfter: readTime(der, notAfter) };
  const type = der.toString('hex', oid.start, oid.end);
  if (type === oids.rsa) {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1),
    // after the BIT STRING's octet of unused bits, which must be 0.
    if (publicKey.start >= publicKey.end || der[publicKey.start] !== 0) invalid();
    const key = readDerSpan(der, publicKey.start + 1, publicKey.end);
    const [modulus] = elementsOf(der, key);
    if (key.tag !== 0x30 || modulus?.tag !== 0x02) invalid();
    let first = modulus.start;
    while (first < modulus.end && der[first] === 0) first++;
    if (first === modulus.end) invalid();
    return {
      keyType: 'rsa',
      curve: undefined,
      keySize: (modulus.end - first - 1) * 8 + (32 - Math.clz32(der[first]!)),
      ...times,
    };
  }
  if (type === oids.ec && parameters?.tag === 0x06) {
    const curve = curves.get(der.toString('hex', parameters.start, parameters.end));
    if (curve === undefined) return undefined;
    return { keyType: 'ec', ...curve, ...times };
  }
  return undefined;
}

/** Upper-case hex pairs of every byte value, for fingerprints. */
const hexPairs = Array.from({ length: 256 }, (_, byte) => byte.toString(16).toUpperCase().padStart(2, '0'));

/** SHA-256 of the DER as upper-case hex pairs joined by `:`, as `X509Certificate.fingerprint256`. */
function fingerprintOf(der: Buffer): string {
  const digest = createHash('sha256').update(der).digest();
  let text = hexPairs[digest[0]!]!;
  for (let i = 1; i < digest.length; i++) text += `:${hexPairs[digest[i]!]}`;
  return text;
}

/**
 * A certificate from metadata as a {@link KeyPair}, with the public key
 * imported only when it is first used. Key type and size, validity and
 * fingerprint are read from the DER here, so short RSA keys are refused and
 * duplicates found as with `loadKeyPair`; a key that OpenSSL later refuses, or
 * that disagrees with what was read here, makes its first use fail with
 * `SAML_KEY_INVALID`. Certificates of other key types are loaded at once.
 *
 * `certificateBase64`, `certificatePem`, `fingerprintSha256` and `subject` are made from the DER
 * when first read (an import of thousands of entities reads only the base64, to find duplicates), by
 * enumerable getters: spread, `Object.keys`, `JSON.stringify` and
 * `structuredClone` see the same values as for a pair from `loadKeyPair`.
 */
export function loadCertificateDeferred(text: string): KeyPair {
  const der = readCertificateDer(text);
  let outline: Outline | undefined;
  try {
    outline = readOutline(der);
  } catch (error) {
    if (error instanceof RangeError) invalid();
    throw error;
  }
  if (outline === undefined) return loadKeyPair({ certificate: text });
  let subject: string | undefined;
  let base64: string | undefined;
  let pem: string | undefined;
  let fingerprint: string | undefined;
  let parsed: X509Certificate | undefined;
  const parse = (): X509Certificate => {
    try {
      parsed ??= new X509Certificate(der);
    } catch (cause) {
      throw new SamlError('SAML_KEY_INVALID', 'certificate could not be parsed', { cause });
    }
    return parsed;
  };
  const pair: KeyPair = Object.freeze({
    keyType: outline.keyType,
    curve: outline.curve,
    keySize: outline.keySize,
    get certificateBase64(): string {
      base64 ??= der.toString('base64');
      return base64;
    },
    get certificatePem(): string {
      base64 ??= der.toString('base64');
      pem ??= formatCertificatePem(base64);
      return pem;
    },
    get fingerprintSha256(): string {
      fingerprint ??= fingerprintOf(der);
      return fingerprint;
    },
    notBefore: outline.notBefore,
    notAfter: outline.notAfter,
    get subject(): string {
      subject ??= parse().subject;
      return subject;
    },
    hasPrivateKey: false,
  });
  const expected = outline;
  registerDeferredKeyObjects(pair, () => {
    const certificate = parse();
    let publicKey: KeyObject;
    try {
      publicKey = certificate.publicKey;
    } catch (cause) {
      throw new SamlError('SAML_KEY_INVALID', 'certificate key could not be read', { cause });
    }
    const described = describeKeyType(publicKey);
    if (described.keyType !== expected.keyType || described.keySize !== expected.keySize) {
      throw new SamlError('SAML_KEY_INVALID', 'certificate key differs from what its DER says');
    }
    return { publicKey, privateKey: undefined };
  });
  return pair;
}
