import {
  type DigestAlgorithm,
  defaultAcceptedSignatureAlgorithms,
  digestAlgorithmInfo,
  isDigestAlgorithm,
  isSignatureAlgorithm,
  type SignatureAlgorithm,
  signatureAlgorithmInfo,
} from '../constants/algorithms.js';
import type { InputIssues } from '../message/build-input.js';
import { element, type XmlElement } from '../xml/index.js';
import {
  expectKnownKeys,
  expectList,
  expectNumber,
  expectRecord,
  expectString,
  type OptionPath,
} from './option-shape.js';

/** One `alg:SigningMethod`: an algorithm the entity verifies, optionally bounded in key size (bits). */
export interface SigningMethodHint {
  algorithm: SignatureAlgorithm;
  minKeySize?: number;
  maxKeySize?: number;
}

/**
 * What the entity accepts in the signatures it verifies (SAML V2.0 Metadata
 * Profile for Algorithm Support), in order of preference. A peer that reads the
 * profile (Shibboleth, OpenSAML) signs with the first one it supports and has a
 * key for; without hints Shibboleth SP signs with RSA-SHA1.
 */
export interface AlgorithmSupport {
  digestMethods: readonly DigestAlgorithm[];
  signingMethods: readonly SigningMethodHint[];
}

/** Per-field override of {@link defaultAlgorithmSupport}; an empty list leaves that element kind out. */
export type AlgorithmSupportInput = Partial<AlgorithmSupport>;

/**
 * What samlkit verifies without opt-ins: SHA-256/384/512 digests, RSA and
 * ECDSA with SHA-256/384/512, SHA-256 first. RSA keys under 2048 bits are
 * refused (NIST SP 800-131A), hence `MinKeySize="2048"`; an EC key's size is
 * its curve, and every curve samlkit loads (P-256, P-384, P-521) is accepted.
 */
export const defaultAlgorithmSupport: AlgorithmSupport = {
  digestMethods: (Object.keys(digestAlgorithmInfo) as DigestAlgorithm[]).filter(
    (uri) => !digestAlgorithmInfo[uri].unsafe,
  ),
  signingMethods: defaultAcceptedSignatureAlgorithms.map((algorithm) =>
    signatureAlgorithmInfo[algorithm].keyType === 'rsa' ? { algorithm, minKeySize: 2048 } : { algorithm },
  ),
};

function checkKeySize(value: unknown, path: OptionPath, issues: InputIssues): string | undefined {
  if (value === undefined) return undefined;
  const size = expectNumber(value, path);
  issues.check(Number.isSafeInteger(size) && size > 0, [...path], 'must be a positive whole number of bits');
  return String(size);
}

/**
 * The `alg:DigestMethod` and `alg:SigningMethod` elements for the
 * EntityDescriptor's `md:Extensions`. The profile allows them there or in a
 * role's Extensions, role-level hints replacing entity-level ones; at entity
 * level every reader finds them (OpenSAML looks in the role, then the entity).
 * SHA-1 and DSA are never advertised: peers fall back to them without hints.
 */
export function buildAlgorithmSupport(
  input: AlgorithmSupportInput | false | undefined,
  issues: InputIssues,
): XmlElement[] {
  if (input === false) return [];
  const path = ['algorithmSupport'];
  const record = input === undefined ? {} : expectRecord(input, path);
  expectKnownKeys(record, ['digestMethods', 'signingMethods'], path);
  const digests =
    record.digestMethods === undefined
      ? defaultAlgorithmSupport.digestMethods
      : expectList(record.digestMethods, [...path, 'digestMethods']);
  const signing =
    record.signingMethods === undefined
      ? defaultAlgorithmSupport.signingMethods
      : expectList(record.signingMethods, [...path, 'signingMethods']);

  const digestElements = digests.map((raw, index) => {
    const at = [...path, 'digestMethods', index];
    const uri = expectString(raw, at);
    issues.check(isDigestAlgorithm(uri), at, 'is not a digest algorithm samlkit verifies');
    issues.check(!isDigestAlgorithm(uri) || !digestAlgorithmInfo[uri].unsafe, at, 'SHA-1 is not advertised');
    return element('alg:DigestMethod', { Algorithm: uri });
  });
  const signingElements = signing.map((raw, index) => {
    const at = [...path, 'signingMethods', index];
    const hint = expectRecord(raw, at);
    expectKnownKeys(hint, ['algorithm', 'minKeySize', 'maxKeySize'], at);
    const uri = expectString(hint.algorithm, [...at, 'algorithm']);
    const known = isSignatureAlgorithm(uri);
    issues.check(known, [...at, 'algorithm'], 'is not a signature algorithm samlkit verifies');
    issues.check(
      !known || !signatureAlgorithmInfo[uri].unsafe,
      [...at, 'algorithm'],
      'SHA-1 and DSA are not advertised',
    );
    const min = checkKeySize(hint.minKeySize, [...at, 'minKeySize'], issues);
    const max = checkKeySize(hint.maxKeySize, [...at, 'maxKeySize'], issues);
    issues.check(
      min === undefined || max === undefined || Number(min) <= Number(max),
      [...at, 'maxKeySize'],
      'must not be below minKeySize',
    );
    return element('alg:SigningMethod', { Algorithm: uri, MinKeySize: min, MaxKeySize: max });
  });
  return [...digestElements, ...signingElements];
}
