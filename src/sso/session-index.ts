import { derivePairwiseHex, randomHex } from '../crypto/index.js';
import { SamlError } from '../errors/index.js';

/** Input to {@link createSessionIndex}. */
export interface CreateSessionIndexInput {
  /** The SP's entity ID: each SP gets its own SessionIndex. */
  spEntityId: string;
  /** The IdP session. Without it the SessionIndex is random. */
  sessionId?: string;
  /** Needed with `sessionId`; at least 32 bytes. */
  secret?: string | Uint8Array;
}

/**
 * A SessionIndex for one SP (SAMLCore §2.7.2): distinct per SP, so SPs cannot
 * correlate sessions through it (authentik sends one value to all, reference
 * §8.2), and stable within one IdP session for that SP, so signing in to the
 * same SP again replaces its session participant instead of adding one.
 */
export function createSessionIndex(input: CreateSessionIndexInput): string {
  if (input.sessionId === undefined || input.sessionId === '') return `_${randomHex(32)}`;
  if (input.secret === undefined) {
    throw new SamlError(
      'SAML_INPUT_INVALID',
      'a secret is required to derive a SessionIndex from a session',
      {
        details: { issues: [{ path: ['secret'], message: 'is required with sessionId' }] },
      },
    );
  }
  return `_${derivePairwiseHex(input.secret, ['session-index', input.spEntityId, input.sessionId])}`;
}
