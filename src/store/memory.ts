import type { Provider } from '../config/index.js';
import { SamlError } from '../errors/index.js';
import { checkOwnedProviders, type HeldProvider, planOwnedReplacement } from './owned-providers.js';
import { duplicateEntityId } from './provider-record.js';
import type { LogoutTransaction, OwnedProviderStore, SessionParticipant, Store } from './store.js';
import type { StoreSweep } from './sweep.js';

/**
 * An in-process Store: the embedded default for a single IdP node and for tests.
 * State is lost on restart and not shared between processes; use a database
 * store when several IdP nodes serve the same users.
 */
/** The memory store, with `sweep(now)` like the database stores; it also sweeps by itself once a minute. */
export interface MemoryStore extends Store, OwnedProviderStore {
  /** Removes everything expired at `now` (epoch ms) and says how much. */
  sweep(now: number): Promise<StoreSweep>;
}

/**
 * Creates an in-process Store: the embedded default for a single IdP node and for tests.
 * State is lost on restart and not shared between processes.
 */
export function createMemoryStore(): MemoryStore {
  const providers = new Map<string, Provider>();
  const providerIdsByEntity = new Map<string, string>();
  const ownerOf = new Map<string, string>();
  const idsByOwner = new Map<string, Set<string>>();
  const participants = new Map<string, SessionParticipant>();
  const participantsByUser = new Map<string, Set<string>>();
  const participantByProviderSession = new Map<string, string>();
  const replay = new Map<string, number>();
  const transactions = new Map<string, LogoutTransaction>();
  let sweptAt = 0;

  function disown(id: string): void {
    const owner = ownerOf.get(id);
    if (owner === undefined) return;
    ownerOf.delete(id);
    const ids = idsByOwner.get(owner);
    ids?.delete(id);
    if (ids?.size === 0) idsByOwner.delete(owner);
  }

  function removeProvider(id: string): void {
    const provider = providers.get(id);
    if (provider && providerIdsByEntity.get(provider.entityId) === id)
      providerIdsByEntity.delete(provider.entityId);
    providers.delete(id);
    disown(id);
  }

  const sessionKey = (providerId: string, sessionIndex: string) => `${providerId}\u0000${sessionIndex}`;

  /** Removes one participant and its index entries; returns whether it was there. */
  function removeParticipant(id: string): boolean {
    const participant = participants.get(id);
    if (!participant) return false;
    participants.delete(id);
    const ids = participantsByUser.get(participant.userId);
    ids?.delete(id);
    if (ids?.size === 0) participantsByUser.delete(participant.userId);
    const key = sessionKey(participant.providerId, participant.sessionIndex);
    if (participantByProviderSession.get(key) === id) participantByProviderSession.delete(key);
    return true;
  }

  const live = (p: SessionParticipant | undefined, now: number): p is SessionParticipant =>
    p !== undefined && p.expiresAt > now;

  /**
   * Drops everything expired at `now`, at most once a minute (amortized over the calls that
   * carry the caller's clock), so abandoned logout chains, ended sessions and old replay keys
   * do not accumulate in a long-running process.
   */
  function sweep(now: number): void {
    if (now - sweptAt <= 60_000) return;
    sweptAt = now;
    sweepExpired(now);
  }

  function sweepExpired(now: number): StoreSweep {
    const removed: StoreSweep = { participants: 0, replayKeys: 0, transactions: 0 };
    for (const [key, until] of replay) {
      if (until <= now) {
        replay.delete(key);
        removed.replayKeys++;
      }
    }
    for (const [id, transaction] of transactions) {
      if (transaction.expiresAt <= now) {
        transactions.delete(id);
        removed.transactions++;
      }
    }
    for (const participant of [...participants.values()]) {
      if (participant.expiresAt <= now) {
        removeParticipant(participant.id);
        removed.participants++;
      }
    }
    return removed;
  }

  return {
    async sweep(now) {
      sweptAt = now;
      return sweepExpired(now);
    },
    async putProvider(id, provider) {
      const owner = providerIdsByEntity.get(provider.entityId);
      if (owner !== undefined && owner !== id) throw duplicateEntityId(owner);
      removeProvider(id);
      providers.set(id, provider);
      providerIdsByEntity.set(provider.entityId, id);
    },
    async replaceOwnedProviders(owner, entries) {
      checkOwnedProviders(owner, entries);
      const held = new Map<string, HeldProvider>();
      const owned = idsByOwner.get(owner) ?? new Set<string>();
      const note = (id: string | undefined) => {
        const provider = id === undefined ? undefined : providers.get(id);
        if (provider) held.set(id!, { entityId: provider.entityId, owner: ownerOf.get(id!) });
      };
      for (const { id, provider } of entries) {
        note(id);
        note(providerIdsByEntity.get(provider.entityId));
      }
      const plan = planOwnedReplacement(owner, entries, held, providerIdsByEntity, owned);
      for (const id of [...owned]) removeProvider(id);
      const ids = new Set<string>();
      for (const { id, provider } of plan.keep) {
        providers.set(id, provider);
        providerIdsByEntity.set(provider.entityId, id);
        ownerOf.set(id, owner);
        ids.add(id);
      }
      if (ids.size > 0) idsByOwner.set(owner, ids);
      return { stored: plan.stored, removed: plan.removed, conflicts: plan.conflicts };
    },
    async getProvider(id) {
      return providers.get(id);
    },
    async findProviderByEntityId(entityId) {
      const id = providerIdsByEntity.get(entityId);
      const provider = id === undefined ? undefined : providers.get(id);
      if (id === undefined || provider === undefined) return undefined;
      const owner = ownerOf.get(id);
      return owner === undefined ? { id, provider } : { id, provider, owner };
    },
    async deleteProvider(id) {
      removeProvider(id);
    },

    async recordParticipant(participant) {
      removeParticipant(participant.id);
      const key = sessionKey(participant.providerId, participant.sessionIndex);
      const existing = participantByProviderSession.get(key);
      if (existing !== undefined) removeParticipant(existing);
      participants.set(participant.id, structuredClone(participant));
      const ids = participantsByUser.get(participant.userId) ?? new Set<string>();
      participantsByUser.set(participant.userId, ids);
      ids.add(participant.id);
      participantByProviderSession.set(key, participant.id);
    },
    async listParticipantsByUser(userId, now) {
      sweep(now);
      const result: SessionParticipant[] = [];
      for (const id of participantsByUser.get(userId) ?? []) {
        const participant = participants.get(id);
        if (live(participant, now)) result.push(structuredClone(participant));
      }
      return result;
    },
    async findParticipants({ providerId, nameId, sessionIndex }, now) {
      sweep(now);
      if (sessionIndex !== undefined) {
        const participant = participants.get(
          participantByProviderSession.get(sessionKey(providerId, sessionIndex)) ?? '',
        );
        return live(participant, now) && participant.nameId.value === nameId
          ? [structuredClone(participant)]
          : [];
      }
      const result: SessionParticipant[] = [];
      for (const participant of participants.values()) {
        if (
          participant.providerId === providerId &&
          participant.nameId.value === nameId &&
          live(participant, now)
        ) {
          result.push(structuredClone(participant));
        }
      }
      return result;
    },
    async deleteParticipants(ids) {
      const removed: string[] = [];
      for (const id of ids) if (removeParticipant(id)) removed.push(id);
      return removed;
    },
    async expireParticipants(now) {
      let count = 0;
      for (const participant of [...participants.values()]) {
        if (participant.expiresAt <= now) {
          removeParticipant(participant.id);
          count++;
        }
      }
      return count;
    },

    async rememberOnce(key, expiresAt, now) {
      sweep(now);
      const until = replay.get(key);
      if (until !== undefined && until > now) return false;
      replay.set(key, expiresAt);
      return true;
    },

    async createTransaction(transaction, now) {
      sweep(now);
      const existing = transactions.get(transaction.id);
      if (existing && existing.expiresAt > now) {
        throw new SamlError('SAML_STORE_FAILED', 'a logout transaction with this id exists');
      }
      transactions.set(transaction.id, structuredClone(transaction));
    },
    async getTransaction(id, now) {
      const transaction = transactions.get(id);
      if (!transaction) return undefined;
      if (transaction.expiresAt <= now) {
        transactions.delete(id);
        return undefined;
      }
      return structuredClone(transaction);
    },
    async updateTransaction(transaction, expectedVersion, now) {
      const current = transactions.get(transaction.id);
      if (!current || current.version !== expectedVersion || current.expiresAt <= now) return false;
      transactions.set(transaction.id, structuredClone(transaction));
      return true;
    },
    async deleteTransaction(id) {
      transactions.delete(id);
    },
  };
}
