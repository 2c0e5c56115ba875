import { createHash } from 'node:crypto';

/**
 * authentik's `User.uid`: the hex SHA-256 of `"<user id>-<install id>"`
 * (reference §10.3). It is the same for every SP, so it is not pairwise; it
 * exists so that SPs moved from authentik keep the NameIDs they already store.
 */
export function deriveAuthentikUid(userId: string, installId: string): string {
  return createHash('sha256').update(`${userId}-${installId}`, 'utf8').digest('hex');
}
