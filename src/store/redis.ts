import type { Redis } from 'ioredis';
import { createConfigError } from '../config/issues.js';
import type { KeyPair } from '../crypto/keys.js';
import { SamlError } from '../errors/index.js';
import { checkOwnedProviders } from './owned-providers.js';
import { createProviderCodec, duplicateEntityId } from './provider-record.js';
import { createScriptRunner } from './redis-script-runner.js';
import { type ScriptName, scripts } from './redis-scripts.js';
import type {
  LogoutTransaction,
  OwnedProviderStore,
  OwnedProvidersReplaced,
  SessionParticipant,
  Store,
} from './store.js';
import { checkOperationTimeout, maintenanceTimeoutMs, storeOperation } from './store-failure.js';
import type { StoreSweep } from './sweep.js';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * A connected or lazily connecting ioredis client to a standalone Redis (or Valkey),
   * directly or through Sentinel. Redis Cluster is not supported: operations span keys
   * of several users and providers. The client must not have a `keyPrefix`; use `prefix`.
   */
  client: Redis;
  /** Prefix of every key the store writes. Default `samlkit:`. */
  prefix?: string;
  /**
   * Key pairs (with private keys) that providers' `signingKeyPair` may be. Stored
   * providers refer to them by certificate fingerprint: private keys are never
   * written to Redis. Every node needs the same list.
   */
  signingKeys?: readonly KeyPair[];
  /**
   * Deadline of each operation, in milliseconds: past it the operation fails with
   * `SAML_STORE_FAILED` whatever the client is still doing. Default 5 000.
   */
  operationTimeoutMs?: number;
}

/** A {@link Store} on Redis, plus a sweep for participants whose time to live has not yet run out. */
export interface RedisStore extends Store, OwnedProviderStore {
  /**
   * Removes participants expired at `now` with their index entries. Redis also drops
   * them on its own one hour after expiry (key time to live); replay keys and logout
   * transactions expire by time to live only, so their counts are always 0.
   */
  sweep(now: number): Promise<StoreSweep>;
}

/** How long a participant outlives its expiry in Redis, so a sweep can still find its index entries. */
const participantGraceMs = 3_600_000;
const sweepBatch = 500;

interface StoredParticipant {
  id: string;
  providerId: string;
  userId: string;
  nameId: SessionParticipant['nameId'];
  sessionIndex: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * A {@link Store} on Redis through ioredis, shared by every IdP node.
 *
 * Every operation is one Lua script or one command, so each is atomic: the replay
 * cache is a single set-if-absent with a time to live, and logout transaction
 * updates are compare-and-set on the version. Participants, replay keys and
 * transactions carry Redis time to live, computed from the caller's clock
 * (`expiresAt - now`), so Redis forgets them by itself; reads still check
 * `expiresAt` against the caller's `now`.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` for unusable options. Operations throw
 * `SAML_STORE_FAILED` (the ioredis error in `cause`) when Redis fails.
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const client = options?.client;
  const prefix = options?.prefix ?? 'samlkit:';
  const issues = [];
  if (typeof client?.evalsha !== 'function' || typeof client.script !== 'function')
    issues.push({ path: ['client'], message: 'must be an ioredis client' });
  else if ((client as { isCluster?: boolean }).isCluster)
    issues.push({ path: ['client'], message: 'must not be a Redis Cluster client (not supported)' });
  else if (client.options?.keyPrefix)
    issues.push({ path: ['client'], message: 'must not have a keyPrefix; use the prefix option' });
  if (typeof prefix !== 'string') issues.push({ path: ['prefix'], message: 'must be a string' });
  const timeoutMs = checkOperationTimeout(options?.operationTimeoutMs, issues);
  if (issues.length > 0) throw createConfigError('invalid Redis store options', issues);
  const codec = createProviderCodec(options.signingKeys);
  const runScript = createScriptRunner(client);
  const run = (name: ScriptName, keys: string[], args: (string | number)[]) =>
    runScript(scripts[name], keys, [prefix, ...args]);

  const op = <T>(operation: string, body: () => Promise<T>) =>
    storeOperation('redis', operation, body, timeoutMs);
  const maintenance = <T>(operation: string, body: () => Promise<T>) =>
    storeOperation('redis', operation, body, Math.max(timeoutMs, maintenanceTimeoutMs));
  const key = (...parts: string[]) => prefix + parts.join('');
  // JSON arrays make compound keys unambiguous whatever the ids contain.
  const userKey = (userId: string) => key('pu:', userId);
  const nameKey = (providerId: string, nameId: string) => key('pn:', JSON.stringify([providerId, nameId]));
  const sessionKey = (providerId: string, sessionIndex: string) =>
    key('ps:', JSON.stringify([providerId, sessionIndex]));
  const transactionKey = (id: string) => key('tx:', id);

  const parseParticipant = (data: unknown): SessionParticipant => {
    if (typeof data !== 'string') throw new SamlError('SAML_STORE_FAILED', 'redis store: bad participant');
    return JSON.parse(data) as StoredParticipant;
  };
  const live = (list: SessionParticipant[], now: number) => list.filter((p) => p.expiresAt > now);
  const ttlFrom = (expiresAt: number, now: number) => Math.max(1, Math.ceil(expiresAt - now));

  return {
    putProvider: (id, provider) =>
      op('putProvider', async () => {
        const owner = await run('putProvider', [], [id, provider.entityId, codec.encode(provider)]);
        if (typeof owner === 'string') throw duplicateEntityId(owner);
      }),
    getProvider: (id) =>
      op('getProvider', async () => {
        const json = await client.hget(key('pr:', id), 'json');
        return json === null ? undefined : codec.decode(json);
      }),
    findProviderByEntityId: (entityId) =>
      op('findProviderByEntityId', async () => {
        const found = (await run('findProviderByEntityId', [], [entityId])) as
          | [string, string, string]
          | null;
        if (!found) return undefined;
        const provider = codec.decode(found[1]);
        return found[2] === '' ? { id: found[0], provider } : { id: found[0], provider, owner: found[2] };
      }),
    replaceOwnedProviders: async (owner, providers) => {
      checkOwnedProviders(owner, providers);
      // A whole aggregate in one script: the maintenance deadline, not a single lookup's.
      return maintenance('replaceOwnedProviders', async () => {
        const args: string[] = [owner];
        for (const { id, provider } of providers) args.push(id, provider.entityId, codec.encode(provider));
        const [stored, removed, flat] = (await run('replaceOwnedProviders', [], args)) as [
          string[],
          string[],
          string[],
        ];
        const conflicts: OwnedProvidersReplaced['conflicts'] = [];
        for (let i = 0; i < flat.length; i += 3)
          conflicts.push({ id: flat[i]!, entityId: flat[i + 1]!, heldBy: flat[i + 2]! });
        return { stored, removed, conflicts };
      });
    },
    deleteProvider: (id) =>
      op('deleteProvider', async () => {
        await run('deleteProvider', [], [id]);
      }),

    recordParticipant: (participant) =>
      op('recordParticipant', async () => {
        const stored: StoredParticipant = {
          id: participant.id,
          providerId: participant.providerId,
          userId: participant.userId,
          nameId: { ...participant.nameId },
          sessionIndex: participant.sessionIndex,
          createdAt: participant.createdAt,
          expiresAt: participant.expiresAt,
        };
        await run(
          'recordParticipant',
          [],
          [
            participant.id,
            JSON.stringify(stored),
            userKey(participant.userId),
            nameKey(participant.providerId, participant.nameId.value),
            sessionKey(participant.providerId, participant.sessionIndex),
            participant.expiresAt,
            ttlFrom(participant.expiresAt + participantGraceMs, participant.createdAt),
            participant.createdAt,
            participantGraceMs,
          ],
        );
      }),
    listParticipantsByUser: (userId, now) =>
      op('listParticipantsByUser', async () => {
        const rows = (await run('listIndexed', [], [userKey(userId), now])) as string[];
        return live(rows.map(parseParticipant), now);
      }),
    findParticipants: ({ providerId, nameId, sessionIndex }, now) =>
      op('findParticipants', async () => {
        if (sessionIndex === undefined) {
          const rows = (await run('listIndexed', [], [nameKey(providerId, nameId), now])) as string[];
          return live(rows.map(parseParticipant), now).filter(
            (p) => p.providerId === providerId && p.nameId.value === nameId,
          );
        }
        const row = await run('findBySession', [], [sessionKey(providerId, sessionIndex)]);
        if (row === null) return [];
        const participant = parseParticipant(row);
        return participant.expiresAt > now && participant.nameId.value === nameId ? [participant] : [];
      }),
    deleteParticipants: (ids) =>
      op('deleteParticipants', async () => {
        if (ids.length === 0) return [];
        return (await run('deleteParticipants', [], [...ids])) as string[];
      }),
    expireParticipants: (now) => maintenance('expireParticipants', () => expire(now)),

    rememberOnce: (replayKey, expiresAt, now) =>
      op('rememberOnce', async () => {
        const result = await run(
          'rememberOnce',
          [key('rp:', replayKey)],
          [expiresAt, now, ttlFrom(expiresAt, now)],
        );
        return result === 1;
      }),

    createTransaction: (transaction, now) =>
      op('createTransaction', async () => {
        const created = await run(
          'createTransaction',
          [transactionKey(transaction.id)],
          transactionArgs(transaction, now),
        );
        if (created !== 1)
          throw new SamlError('SAML_STORE_FAILED', 'a logout transaction with this id exists');
      }),
    getTransaction: (id, now) =>
      op('getTransaction', async () => {
        const [version, expiresAt, state] = await client.hmget(
          transactionKey(id),
          'version',
          'expiresAt',
          'state',
        );
        if (version == null || expiresAt == null || state == null || Number(expiresAt) <= now)
          return undefined;
        return { id, version: Number(version), expiresAt: Number(expiresAt), state: JSON.parse(state) };
      }),
    updateTransaction: (transaction, expectedVersion, now) =>
      op('updateTransaction', async () => {
        const updated = await run(
          'updateTransaction',
          [transactionKey(transaction.id)],
          [...transactionArgs(transaction, now), expectedVersion],
        );
        return updated === 1;
      }),
    deleteTransaction: (id) =>
      op('deleteTransaction', async () => {
        await client.del(transactionKey(id));
      }),

    sweep: (now) =>
      maintenance('sweep', async () => ({ participants: await expire(now), replayKeys: 0, transactions: 0 })),
  };

  async function expire(now: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const [count, examined] = (await run('expireParticipants', [], [now, sweepBatch])) as [number, number];
      removed += count;
      if (examined < sweepBatch) return removed;
    }
  }

  function transactionArgs(transaction: LogoutTransaction, now: number): (string | number)[] {
    const state = JSON.stringify(transaction.state);
    if (state === undefined) throw new SamlError('SAML_STORE_FAILED', 'logout transaction state is not JSON');
    return [transaction.version, transaction.expiresAt, state, now, ttlFrom(transaction.expiresAt, now)];
  }
}
