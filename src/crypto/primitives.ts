import * as nodeCrypto from 'node:crypto';
import { createHash, randomFillSync, sign, verify } from 'node:crypto';
import {
  type DigestAlgorithm,
  digestAlgorithmInfo,
  type SignatureAlgorithm,
  signatureAlgorithmInfo,
} from '../constants/algorithms.js';
import { type KeyPair, keyObjectsOf } from './keys.js';

// crypto.hash (Node 20.12 and later) digests in one call without a Hash object, about a
// microsecond less per digest of a message; older Node 20 releases take createHash.
const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string })
  .hash;

/** Base64 digest of `data` (UTF-8) with a DigestMethod. */
export function digestBase64(algorithm: DigestAlgorithm, data: string): string {
  const name = digestAlgorithmInfo[algorithm].hash;
  if (oneShotHash !== undefined) return oneShotHash(name, data, 'base64');
  return createHash(name).update(data, 'utf8').digest('base64');
}

// XML-DSig (RFC 4051 §3.3) wants ECDSA and DSA values as r||s, not DER.
function encodingFor(key: KeyPair): 'ieee-p1363' | undefined {
  return key.keyType === 'rsa' ? undefined : 'ieee-p1363';
}

/** Signs the UTF-8 bytes of `data`; RSA is PKCS#1 v1.5. Returns base64. */
export function signBase64(key: KeyPair, algorithm: SignatureAlgorithm, data: string): string {
  const { privateKey } = keyObjectsOf(key);
  if (!privateKey) throw new TypeError('key pair has no private key');
  const dsaEncoding = encodingFor(key);
  const signature = sign(
    signatureAlgorithmInfo[algorithm].hash,
    Buffer.from(data, 'utf8'),
    dsaEncoding ? { key: privateKey, dsaEncoding } : privateKey,
  );
  return signature.toString('base64');
}

/**
 * Verifies with one key. Any exception (malformed value, wrong key type) is a
 * plain `false`: callers treat thrown and false outcomes alike.
 */
export function verifyBytes(
  key: KeyPair,
  algorithm: SignatureAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const { publicKey } = keyObjectsOf(key);
    const dsaEncoding = encodingFor(key);
    return verify(
      signatureAlgorithmInfo[algorithm].hash,
      data,
      dsaEncoding ? { key: publicKey, dsaEncoding } : publicKey,
      signature,
    );
  } catch {
    return false;
  }
}

// One CSPRNG call per 4 KiB instead of one per ID: each call has a fixed cost that
// dominated building a small message. Every byte is handed out once, then the pool is refilled.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** Lower-case hex from a CSPRNG. */
export function randomHex(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > pool.length)
    throw new RangeError('invalid byte count');
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/**
 * SHA-256 of `parts`, each length-prefixed so no two part lists share an input,
 * as 64 lower-case hex characters: a fixed-size store key for values of any length.
 */
export function hashPartsHex(parts: readonly string[]): string {
  const hash = createHash('sha256');
  const length = Buffer.alloc(4);
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  }
  return hash.digest('hex');
}
