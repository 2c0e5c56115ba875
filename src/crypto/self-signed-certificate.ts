import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { Issue } from '../errors/index.js';
import { SamlError } from '../errors/index.js';
import {
  derBitString,
  derBoolean,
  derExplicit,
  derImplicitPrimitive,
  derNamedBits,
  derNull,
  derObjectIdentifier,
  derOctetString,
  derSequence,
  derSetOf,
  derTime,
  derUnsignedInteger,
  derUtf8String,
  readDer,
} from './der.js';

/** Input to {@link createSelfSignedCertificate}. */
export interface SelfSignedCertificateInput {
  /** `rsa` (2048-bit, the default) or `ec` (P-256). */
  keyType?: 'rsa' | 'ec';
  /** Subject and issuer common name, 1–64 characters. Default `samlkit self-signed`. */
  commonName?: string;
  /** Validity in days from `now`. Default 365. */
  validDays?: number;
  /** Start of validity (truncated to the second). Default: the current time. */
  now?: Date;
}

/** A new key pair and its self-signed certificate, both PEM; `loadKeyPair` takes them as they are. */
export interface SelfSignedCertificate {
  certificatePem: string;
  /** Unencrypted PKCS#8. */
  privateKeyPem: string;
}

const oids = {
  commonName: '2.5.4.3',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

const dayMs = 86_400_000;

function checkInput(input: SelfSignedCertificateInput): Required<SelfSignedCertificateInput> {
  const keyType = input.keyType ?? 'rsa';
  const commonName = input.commonName ?? 'samlkit self-signed';
  const validDays = input.validDays ?? 365;
  const now = new Date(Math.floor((input.now ?? new Date()).getTime() / 1000) * 1000);
  const issues: Issue[] = [];
  if (keyType !== 'rsa' && keyType !== 'ec') issues.push({ path: ['keyType'], message: 'must be rsa or ec' });
  // RFC 5280 Appendix A: ub-common-name is 64.
  if (typeof commonName !== 'string' || commonName.length === 0 || commonName.length > 64) {
    issues.push({ path: ['commonName'], message: 'must be 1 to 64 characters' });
  } else if (/[\u0000-\u001F\u007F]/.test(commonName)) {
    issues.push({ path: ['commonName'], message: 'must not contain control characters' });
  }
  if (!Number.isInteger(validDays) || validDays < 1 || validDays > 36_500) {
    issues.push({ path: ['validDays'], message: 'must be a whole number of days from 1 to 36500' });
  }
  if (!Number.isFinite(now.getTime()) || now.getUTCFullYear() < 1950 || now.getUTCFullYear() > 9000) {
    issues.push({ path: ['now'], message: 'must be a valid date between 1950 and 9000' });
  }
  if (issues.length > 0) {
    throw new SamlError('SAML_INPUT_INVALID', 'invalid self-signed certificate input', {
      details: { issues },
    });
  }
  return { keyType, commonName, validDays, now };
}

function extension(oid: string, critical: boolean, value: Uint8Array): Buffer {
  // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } (RFC 5280 §4.1).
  return critical
    ? derSequence(derObjectIdentifier(oid), derBoolean(true), derOctetString(value))
    : derSequence(derObjectIdentifier(oid), derOctetString(value));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. An identifier, not a security check. */
function keyIdentifier(spki: Buffer): Buffer {
  const outer = readDer(spki);
  const algorithm = readDer(outer.content);
  const subjectPublicKey = readDer(outer.content, algorithm.end);
  if (subjectPublicKey.tag !== 0x03) throw new RangeError('SubjectPublicKeyInfo has no BIT STRING');
  return createHash('sha1').update(subjectPublicKey.content.subarray(1)).digest();
}

function generateKeys(keyType: 'rsa' | 'ec'): { publicKey: KeyObject; privateKey: KeyObject } {
  return keyType === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Generates a key pair (RSA-2048 or P-256) and a self-signed X.509 v3
 * certificate for it (RFC 5280), signed with SHA-256. Extensions: subject and
 * authority key identifiers, basic constraints `cA` (critical: the certificate
 * is its own trust anchor) and key usage digitalSignature + keyCertSign
 * (critical). Meant for trying samlkit out and for tests.
 */
export function createSelfSignedCertificate(input: SelfSignedCertificateInput = {}): SelfSignedCertificate {
  const { keyType, commonName, validDays, now } = checkInput(input);
  const { publicKey, privateKey } = generateKeys(keyType);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = keyIdentifier(spki);
  // RFC 5758 §3.2: ecdsa-with-SHA256 has no parameters; RFC 4055 §5: RSA keeps its NULL.
  const signatureAlgorithm =
    keyType === 'rsa'
      ? derSequence(derObjectIdentifier(oids.sha256WithRsa), derNull())
      : derSequence(derObjectIdentifier(oids.ecdsaWithSha256));
  const name = derSequence(
    derSetOf(derSequence(derObjectIdentifier(oids.commonName), derUtf8String(commonName))),
  );
  // RFC 5280 §4.1.2.2: positive, at most 20 octets; 16 random octets with the top bit clear.
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const extensions = derSequence(
    extension(oids.subjectKeyIdentifier, false, derOctetString(keyId)),
    extension(oids.authorityKeyIdentifier, false, derSequence(derImplicitPrimitive(0, keyId))),
    extension(oids.basicConstraints, true, derSequence(derBoolean(true))),
    // KeyUsage bits: digitalSignature (0), keyCertSign (5).
    extension(oids.keyUsage, true, derNamedBits([0, 5])),
  );
  const tbsCertificate = derSequence(
    derExplicit(0, derUnsignedInteger(2)), // v3
    derUnsignedInteger(serial),
    signatureAlgorithm,
    name,
    derSequence(derTime(now), derTime(new Date(now.getTime() + validDays * dayMs))),
    name,
    spki,
    derExplicit(3, extensions),
  );
  // node:crypto writes ECDSA signatures as DER Ecdsa-Sig-Value, which X.509 wants (RFC 5758 §3.2).
  const signature = sign('sha256', tbsCertificate, privateKey);
  const certificate = derSequence(tbsCertificate, signatureAlgorithm, derBitString(signature));
  return {
    certificatePem: toPem('CERTIFICATE', certificate),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
