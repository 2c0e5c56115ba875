import { SamlError } from '../errors/index.js';
import { advanceChain, type ChainState } from './chain.js';
import type { SloContext } from './context.js';
import { rememberLoggedOut } from './logged-out.js';
import type { FrontChannelStep, LogoutResult } from './logout-result.js';
import { propagate } from './propagate.js';
import { claimParticipants } from './record-session.js';

/** Options of an IdP-initiated logout. */
export interface StartLogoutOptions {
  /** Where the browser goes once the chain is done (in the final `done` reply). */
  returnTo?: string;
  /** A provider whose sessions are deleted without it being told (e.g. the one that asked the application). */
  exceptProviderId?: string;
}

/**
 * IdP-initiated logout (SAMLProf §4.4.2): ends every session of `userId` and
 * tells each participant; `exceptProviderId` is deleted without being told.
 *
 * @throws SamlError `SAML_INPUT_INVALID` when `userId` is empty.
 * @throws TypeError when `userId` is not a string.
 */
export async function startLogout(
  context: SloContext,
  userId: string,
  options: StartLogoutOptions = {},
): Promise<LogoutResult> {
  if (typeof userId !== 'string') throw new TypeError('userId must be a string');
  if (typeof options !== 'object' || options === null)
    throw new TypeError('logout options must be an object');
  if (userId === '') {
    throw new SamlError('SAML_INPUT_INVALID', 'userId must be a non-empty string', {
      details: { issues: [{ path: ['userId'], message: 'must be a non-empty string' }] },
    });
  }
  const logoutId = context.generateId();
  const state: ChainState = {
    userId,
    outcomes: [],
    queue: [],
    ...(options.returnTo ? { returnTo: options.returnTo } : {}),
  };
  const all = await context.store.listParticipantsByUser(userId, context.clock().getTime());
  await rememberLoggedOut(context, all);
  const removed = await claimParticipants(
    context.store,
    all.map((p) => p.id),
  );
  const iframes: FrontChannelStep[] = [];
  await propagate(
    context,
    { logoutId, state, iframes, interactive: true },
    // A participant a concurrent logout removed first is that logout's to tell.
    all.filter((p) => removed.has(p.id) && p.providerId !== options.exceptProviderId),
  );
  return advanceChain(context, { logoutId, state, version: undefined, soap: false, events: [], iframes });
}
