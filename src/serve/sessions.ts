import { randomHex } from '../crypto/index.js';
import type { PendingAuthnRequest } from '../idp/index.js';
import type { Store } from '../store/store.js';

/** A signed-in browser: who, since when, and how they were authenticated. */
export interface LoginSession {
  username: string;
  /** Epoch milliseconds of the authentication. */
  authnInstant: number;
  method: 'password' | 'automatic';
}

/** Sessions of the login page and AuthnRequests waiting for a login, kept in the IdP's store. */
export interface SessionKeeper {
  /** Starts a session under a new unguessable ID (a fresh one at every login: no fixation). */
  create(session: LoginSession): Promise<string>;
  get(id: string): Promise<LoginSession | undefined>;
  end(id: string): Promise<void>;
  /** Keeps a verified AuthnRequest while the user signs in; returns its reference. */
  holdPending(pending: PendingAuthnRequest): Promise<string>;
  /** The AuthnRequest held under `id`, removed so it is answered once. */
  takePending(id: string): Promise<PendingAuthnRequest | undefined>;
  /** Reads the AuthnRequest held under `id` without removing it. */
  peekPending(id: string): Promise<PendingAuthnRequest | undefined>;
}

/** A session or request reference: 32 random bytes, hex. Anything else is never looked up. */
export const referencePattern = /^[0-9a-f]{64}$/;

const sessionTtlMs = 8 * 3_600_000;
const pendingTtlMs = 3_600_000;

/**
 * Sessions on the facade's store: the logout-transaction records (plain JSON
 * with an expiry) under their own key prefix, so every node on the same Redis
 * or PostgreSQL sees the same sessions.
 */
export function createSessionKeeper(store: Store, now: () => number): SessionKeeper {
  const put = async (prefix: string, state: unknown, ttl: number) => {
    const id = randomHex(32);
    const at = now();
    await store.createTransaction({ id: `${prefix}${id}`, version: 1, expiresAt: at + ttl, state }, at);
    return id;
  };
  const read = async (prefix: string, id: string) => {
    if (!referencePattern.test(id)) return undefined;
    return (await store.getTransaction(`${prefix}${id}`, now()))?.state;
  };
  return {
    create: (session) => put('serve-session:', session, sessionTtlMs),
    async get(id) {
      const state = (await read('serve-session:', id)) as LoginSession | undefined;
      return typeof state?.username === 'string' ? state : undefined;
    },
    async end(id) {
      if (referencePattern.test(id)) await store.deleteTransaction(`serve-session:${id}`);
    },
    holdPending: (pending) => put('serve-pending:', pending, pendingTtlMs),
    async takePending(id) {
      const state = (await read('serve-pending:', id)) as PendingAuthnRequest | undefined;
      if (state !== undefined) await store.deleteTransaction(`serve-pending:${id}`);
      return state;
    },
    peekPending: async (id) => (await read('serve-pending:', id)) as PendingAuthnRequest | undefined,
  };
}
