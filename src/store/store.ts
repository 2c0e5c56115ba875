import type { Provider } from '../config/index.js';
import type { NameIdValue } from '../message/header.js';

/** One SP's share of a user's session, recorded at SSO time (authentik's SAMLSession). */
export interface SessionParticipant {
  /** Unique per participant; the store assigns none, the facade does. */
  id: string;
  providerId: string;
  userId: string;
  /** The NameID exactly as issued to this SP: value, format and qualifiers. */
  nameId: NameIdValue;
  /** The SessionIndex issued to this SP. */
  sessionIndex: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds: created + the provider's sessionValidNotOnOrAfter. */
  expiresAt: number;
}

/** Registered SPs, by the caller's id and by SAML entity ID. */
export interface ProviderStore {
  /** Inserts or replaces the provider registered under `id` (the caller's own key, e.g. a database id). */
  putProvider(id: string, provider: Provider): Promise<void>;
  /** The provider registered under `id`, or `undefined`. */
  getProvider(id: string): Promise<Provider | undefined>;
  /** The provider with this entity ID and its id. */
  findProviderByEntityId(entityId: string): Promise<{ id: string; provider: Provider } | undefined>;
  /** Removes the provider; its session participants stay until they expire or are deleted. */
  deleteProvider(id: string): Promise<void>;
}

/** Session participants. Expired ones are never returned, even before they are swept. */
export interface SessionStore {
  /** Inserts or replaces by `id`; a participant with the same provider and SessionIndex is replaced too. */
  recordParticipant(participant: SessionParticipant): Promise<void>;
  /** Every unexpired participant of the user at `now` (epoch ms), in the order they were recorded. */
  listParticipantsByUser(userId: string, now: number): Promise<SessionParticipant[]>;
  /** The participants of one provider whose NameID value and SessionIndex match. */
  findParticipants(
    query: { providerId: string; nameId: string; sessionIndex?: string },
    now: number,
  ): Promise<SessionParticipant[]>;
  /** Deletes the participants with these ids; unknown ids are ignored. */
  deleteParticipants(ids: readonly string[]): Promise<void>;
  /** Deletes participants expired at `now`; returns how many. */
  expireParticipants(now: number): Promise<number>;
}

/** Remembers message IDs to refuse replays (SAMLCore §1.3.4). */
export interface ReplayCache {
  /**
   * Atomically remembers `key` until `expiresAt` (epoch ms). Returns true when
   * it was not yet remembered, false for a replay.
   */
  rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/** State of a front-channel logout chain, kept between browser hops so any node can continue it. */
export interface LogoutTransaction {
  id: string;
  /** Incremented on every write; writes are compare-and-set on it. */
  version: number;
  expiresAt: number;
  /** Serializable state owned by the facade. */
  state: unknown;
}

/** Front-channel logout chains between browser hops. */
export interface LogoutTransactionStore {
  /** Stores a new transaction; its `id` is new (a random logout id). */
  createTransaction(transaction: LogoutTransaction): Promise<void>;
  /** The transaction, unless it does not exist or has expired at `now` (epoch ms). */
  getTransaction(id: string, now: number): Promise<LogoutTransaction | undefined>;
  /** Replaces the transaction only if its stored version is `expectedVersion`; returns whether it did. */
  updateTransaction(transaction: LogoutTransaction, expectedVersion: number): Promise<boolean>;
  /** Forgets a finished transaction; an unknown id is ignored. */
  deleteTransaction(id: string): Promise<void>;
}

/** Everything the identity provider facade persists. */
export interface Store extends ProviderStore, SessionStore, ReplayCache, LogoutTransactionStore {}
