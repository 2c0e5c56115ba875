import { createHmac } from 'node:crypto';

/** Shortest secret accepted for pairwise identifiers: 256 bits, the HMAC-SHA256 key strength. */
export const minPairwiseSecretBytes = 32;

/** The secret as bytes; strings count as UTF-8. */
export function pairwiseSecretBytes(secret: string | Uint8Array): Uint8Array {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
}

/**
 * HMAC-SHA256 of `parts` under `secret`, as 64 lower-case hex characters. Each
 * part is length-prefixed, so no two part lists share an input. The result is
 * stable for the same inputs, and without the secret it can neither be linked
 * to another SP's value nor traced back to the parts (SAMLCore §8.3.7 asks
 * persistent identifiers to be opaque and pairwise).
 */
export function derivePairwiseHex(secret: string | Uint8Array, parts: readonly string[]): string {
  const hmac = createHmac('sha256', pairwiseSecretBytes(secret));
  const length = Buffer.alloc(4);
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    length.writeUInt32BE(bytes.length);
    hmac.update(length).update(bytes);
  }
  return hmac.digest('hex');
}
