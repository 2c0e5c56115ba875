import type { Provider } from '../config/index.js';
import { SamlError } from '../errors/index.js';
import { duplicateEntityId } from './provider-record.js';
import type { LogoutTransaction, SessionParticipant, Store } from './store.js';

/**
 * An in-process Store: the embedded default for a single IdP node and for tests.
 * State is lost on restart and not shared between processes; use a database
 * store when several IdP nodes serve the same users.
 */
export function createMemoryStore(): Store {
  const providers = new Map<string, Provider>();
  const providerIdsByEntity = new Map<string, string>();
  const participants = new Map<string, SessionParticipant>();
  const participantsByUser = new Map<string, Set<string>>();
  const participantByProviderSession = new Map<string, string>();
  const replay = new Map<string, number>();
  const transactions = new Map<string, LogoutTransaction>();
  let replaySweepAt = 0;

  const sessionKey = (providerId: string, sessionIndex: string) => `${providerId}\u0000${sessionIndex}`;

  function removeParticipant(id: string): void {
    const participant = participants.get(id);
    if (!participant) return;
    participants.delete(id);
    const ids = participantsByUser.get(participant.userId);
    ids?.delete(id);
    if (ids?.size === 0) participantsByUser.delete(participant.userId);
    const key = sessionKey(participant.providerId, participant.sessionIndex);
    if (participantByProviderSession.get(key) === id) participantByProviderSession.delete(key);
  }

  const live = (p: SessionParticipant | undefined, now: number): p is SessionParticipant =>
    p !== undefined && p.expiresAt > now;

  return {
    async putProvider(id, provider) {
      const owner = providerIdsByEntity.get(provider.entityId);
      if (owner !== undefined && owner !== id) throw duplicateEntityId(owner);
      const previous = providers.get(id);
      if (previous) providerIdsByEntity.delete(previous.entityId);
      providers.set(id, provider);
      providerIdsByEntity.set(provider.entityId, id);
    },
    async getProvider(id) {
      return providers.get(id);
    },
    async findProviderByEntityId(entityId) {
      const id = providerIdsByEntity.get(entityId);
      const provider = id === undefined ? undefined : providers.get(id);
      return id === undefined || provider === undefined ? undefined : { id, provider };
    },
    async deleteProvider(id) {
      const provider = providers.get(id);
      if (provider) providerIdsByEntity.delete(provider.entityId);
      providers.delete(id);
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
      const result: SessionParticipant[] = [];
      for (const id of participantsByUser.get(userId) ?? []) {
        const participant = participants.get(id);
        if (live(participant, now)) result.push(structuredClone(participant));
      }
      return result;
    },
    async findParticipants({ providerId, nameId, sessionIndex }, now) {
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
      for (const id of ids) removeParticipant(id);
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
      // Sweep at most once a minute so the cache stays bounded by the acceptance window.
      if (now - replaySweepAt > 60_000) {
        replaySweepAt = now;
        for (const [k, until] of replay) if (until <= now) replay.delete(k);
      }
      const until = replay.get(key);
      if (until !== undefined && until > now) return false;
      replay.set(key, expiresAt);
      return true;
    },

    async createTransaction(transaction, now) {
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
