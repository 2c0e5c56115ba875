import type { Provider } from '../config/index.js';
import { hashPartsHex } from '../crypto/index.js';
import type { NameIdValue } from '../message/header.js';
import type { SessionParticipant } from '../store/store.js';
import type { SloContext } from './context.js';
import { sameNameId } from './name-id-match.js';

/*
 * A logout remembers, briefly, whom it logged out, so an SP whose LogoutRequest
 * loses a race with it (its participant already deleted) is told Success, the
 * truth, not UnknownPrincipal. Kept as long as a LogoutRequest issued before the
 * logout can still be accepted; keyed as `findParticipants` looks participants up.
 */

const loggedOutId = (providerId: string, nameId: string, sessionIndex: string) =>
  `logged-out:${hashPartsHex([providerId, nameId, sessionIndex])}`;

/** Remembers each participant's NameID (with and without its SessionIndex) as just logged out. */
export async function rememberLoggedOut(
  context: SloContext,
  participants: readonly SessionParticipant[],
): Promise<void> {
  const { store } = context;
  const now = context.clock().getTime();
  const ttl = context.maxMessageAgeMs + context.clockSkewMs;
  await Promise.all(
    participants.flatMap((p) =>
      // By its SessionIndex, and without one for requests that name only the NameID.
      [p.sessionIndex, ''].map(async (sessionIndex) => {
        try {
          await store.createTransaction(
            {
              id: loggedOutId(p.providerId, p.nameId.value, sessionIndex),
              version: 1,
              expiresAt: now + ttl,
              state: { loggedOut: { userId: p.userId, nameId: p.nameId } },
            },
            now,
          );
        } catch {
          // Already remembered (another session of this NameID), or the store refused:
          // the logout itself matters more than a precise answer to a late request.
        }
      }),
    ),
  );
}

/** The user a just-finished logout logged out under this NameID (and SessionIndex), if any. */
export async function findLoggedOut(
  context: SloContext,
  request: { providerId: string; provider: Provider; nameId: NameIdValue; sessionIndexes: readonly string[] },
): Promise<string | undefined> {
  const now = context.clock().getTime();
  const { providerId, provider, nameId, sessionIndexes } = request;
  for (const sessionIndex of sessionIndexes.length > 0 ? sessionIndexes : ['']) {
    const found = await context.store.getTransaction(
      loggedOutId(providerId, nameId.value, sessionIndex),
      now,
    );
    const loggedOut = (found?.state as { loggedOut?: { userId: string; nameId: NameIdValue } } | undefined)
      ?.loggedOut;
    if (loggedOut && sameNameId(context, loggedOut.nameId, nameId, provider)) return loggedOut.userId;
  }
  return undefined;
}
