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
  /**
   * Inserts or replaces the provider with this id. An entity ID names one provider only:
   * putting a provider whose entity ID another id already has throws `SAML_CONFIG_INVALID`.
   */
  putProvider(id: string, provider: Provider): Promise<void>;
  /** The provider registered under `id`, or `undefined`. */
  getProvider(id: string): Promise<Provider | undefined>;
  /**
   * The provider with this entity ID and its id; `owner` is set when a metadata source
   * stored it through {@link OwnedProviderStore.replaceOwnedProviders}.
   */
  findProviderByEntityId(
    entityId: string,
  ): Promise<{ id: string; provider: Provider; owner?: string } | undefined>;
  /** Removes the provider; its session participants stay until they expire or are deleted. */
  deleteProvider(id: string): Promise<void>;
}

/** One provider a metadata source stores: its id in the store and the provider. */
export interface OwnedProvider {
  id: string;
  provider: Provider;
}

/** What {@link OwnedProviderStore.replaceOwnedProviders} did. */
export interface OwnedProvidersReplaced {
  /** The ids the owner holds now, in the order given. */
  stored: string[];
  /** The ids the owner held before and holds no more. */
  removed: string[];
  /**
   * Entries left out because a provider registered by hand, or owned by another owner, has
   * their id or entity ID (`heldBy` is that provider's id), or an earlier entry of the same
   * call has. What is not the owner's is never overwritten.
   */
  conflicts: { id: string; entityId: string; heldBy: string }[];
}

/**
 * Providers that a metadata source owns, next to those registered by hand. A provider put with
 * `putProvider` is registered by hand (that takes it over from any owner); one stored through
 * `replaceOwnedProviders` carries the owner's name.
 */
export interface OwnedProviderStore extends ProviderStore {
  /**
   * Makes the providers owned by `owner` exactly `providers`, in one atomic step: readers see
   * the old set or the new one, never a mixture. Providers of the owner that are not listed are
   * removed; providers registered by hand or owned by another owner are never touched (an entry
   * that would overwrite one is reported in `conflicts` and left out). An empty list removes
   * everything the owner holds.
   */
  replaceOwnedProviders(owner: string, providers: readonly OwnedProvider[]): Promise<OwnedProvidersReplaced>;
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
  /**
   * Deletes the participants with these ids, atomically, and returns the ids this call removed:
   * those stored until now, each once. Unknown ids, and ids another call already removed, are
   * not returned, so of concurrent calls over the same ids each id goes to exactly one; the
   * facade tells an SP of a logout only when its own call removed the SP's participant.
   */
  deleteParticipants(ids: readonly string[]): Promise<string[]>;
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

/**
 * Front-channel chain state. `now` (epoch ms, the caller's clock) lets stores
 * with server-side expiry turn `expiresAt` into a time to live.
 */
export interface LogoutTransactionStore {
  /** Stores a new transaction; throws when a live one with this id exists. */
  createTransaction(transaction: LogoutTransaction, now: number): Promise<void>;
  /** The transaction, unless it is unknown or expired at `now`. */
  getTransaction(id: string, now: number): Promise<LogoutTransaction | undefined>;
  /**
   * Replaces the transaction only if its stored version is `expectedVersion` and it
   * has not expired at `now`, atomically (compare-and-set); returns whether it did.
   */
  updateTransaction(transaction: LogoutTransaction, expectedVersion: number, now: number): Promise<boolean>;
  /** Forgets a finished transaction; an unknown id is ignored. */
  deleteTransaction(id: string): Promise<void>;
}

/** Everything the identity provider facade persists. */
export interface Store extends ProviderStore, SessionStore, ReplayCache, LogoutTransactionStore {}
