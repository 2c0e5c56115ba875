import { createHash } from 'node:crypto';
import {
  type DigestAlgorithm,
  digestAlgorithmInfo,
  type SignatureAlgorithm,
} from '../constants/algorithms.js';
import type { Element, XmlNamespaceDeclaration } from '../xml/index.js';
import type { AlgorithmPolicy } from './algorithms.js';
import type { KeyPair } from './keys.js';
import { checkDigest, readSignatureProfile, verifySignedInfo } from './xml-signature.js';

/**
 * An enveloped signature whose SignedInfo has verified, waiting for the
 * canonical bytes of the signed element. The bytes are digested as they come:
 * the canonical form of a large document is never held whole.
 */
export interface StreamedVerification {
  readonly certificate: KeyPair;
  readonly algorithm: SignatureAlgorithm;
  readonly digestAlgorithm: DigestAlgorithm;
  /** InclusiveNamespaces of the Reference's exclusive C14N (`#default` for the default namespace). */
  readonly referencePrefixes: readonly string[];
  /** Digests the next piece of the signed element's canonical form. */
  update(canonicalText: string): void;
  /** Compares the digest of everything given with the signed one; `SAML_SIGNATURE_INVALID` when they differ. */
  finish(): void;
}

// Pieces are joined up to this size before hashing: one call per piece cost more than the hash itself.
const chunkSize = 64 * 1024;

/**
 * Checks a root's enveloped `ds:Signature` under the SAML profile and
 * verifies its SignedInfo with `trusted` (as `verifyEnvelopedSignature`
 * does), before anything of the signed element is digested: a wrong key fails
 * here, before the body is read. `root` gives the signed element's ID and its
 * namespace declarations (the Signature was read detached from it).
 */
export function startStreamedVerification(
  signature: Element,
  root: { id: string | undefined; declarations: readonly XmlNamespaceDeclaration[] },
  trusted: readonly KeyPair[],
  policy: AlgorithmPolicy = {},
): StreamedVerification {
  const profile = readSignatureProfile(signature, root.id, policy);
  const certificate = verifySignedInfo(profile, trusted, policy, root.declarations);
  const hash = createHash(digestAlgorithmInfo[profile.digestAlgorithm].hash);
  let pending = '';
  return {
    certificate,
    algorithm: profile.algorithm,
    digestAlgorithm: profile.digestAlgorithm,
    referencePrefixes: profile.referencePrefixes,
    update(canonicalText) {
      pending += canonicalText;
      if (pending.length >= chunkSize) {
        hash.update(pending, 'utf8');
        pending = '';
      }
    },
    finish() {
      hash.update(pending, 'utf8');
      pending = '';
      checkDigest(hash.digest(), profile.expectedDigest);
    },
  };
}
