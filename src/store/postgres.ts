import type { Pool, PoolClient } from 'pg';
import { createConfigError } from '../config/issues.js';
import type { KeyPair } from '../crypto/keys.js';
import { type Issue, SamlError } from '../errors/index.js';
import type { NameIdValue } from '../message/header.js';
import { checkOwnedProviders, type HeldProvider, planOwnedReplacement } from './owned-providers.js';
import { quoteSchema } from './postgres-migrations.js';
import { postgresQueries } from './postgres-queries.js';
import { createProviderCodec, duplicateEntityId } from './provider-record.js';
import type { LogoutTransaction, OwnedProviderStore, SessionParticipant, Store } from './store.js';
import { checkOperationTimeout, maintenanceTimeoutMs, storeOperation } from './store-failure.js';
import type { StoreSweep } from './sweep.js';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** A `pg` Pool. Run {@link migrate} on it (same `schema`) before the first use. */
  pool: Pool;
  /** The schema holding the samlkit tables. Default: the connection's `search_path`. */
  schema?: string;
  /**
   * Key pairs (with private keys) that providers' `signingKeyPair` may be. Stored
   * providers refer to them by certificate fingerprint: private keys are never
   * written to the database. Every node needs the same list.
   */
  signingKeys?: readonly KeyPair[];
  /**
   * Deadline of each operation, in milliseconds: past it the operation fails with
   * `SAML_STORE_FAILED` whatever the client is still doing. Default 5 000.
   */
  operationTimeoutMs?: number;
  /**
   * Receives the errors of idle pool connections (a server restart ends them with
   * 57P01). The store listens on the pool's `'error'` event so that such an error never
   * crashes the process; the next query opens a new connection. Default: ignored.
   */
  onPoolError?: (error: Error) => void;
}

/** A {@link Store} on PostgreSQL, plus the sweep to run periodically. */
export interface PostgresStore extends Store, OwnedProviderStore {
  /**
   * Deletes participants, replay entries and logout transactions expired at `now`.
   * Reads never return expired rows; this keeps the tables small. Run it every few minutes.
   */
  sweep(now: number): Promise<StoreSweep>;
}

interface ParticipantRow {
  id: string;
  provider_id: string;
  user_id: string;
  name_id: string;
  name_id_format: string | null;
  name_qualifier: string | null;
  sp_name_qualifier: string | null;
  sp_provided_id: string | null;
  session_index: string;
  created_at: string;
  expires_at: string;
}

function toParticipant(row: ParticipantRow): SessionParticipant {
  const nameId: NameIdValue = { value: row.name_id };
  if (row.name_id_format !== null) nameId.format = row.name_id_format;
  if (row.name_qualifier !== null) nameId.nameQualifier = row.name_qualifier;
  if (row.sp_name_qualifier !== null) nameId.spNameQualifier = row.sp_name_qualifier;
  if (row.sp_provided_id !== null) nameId.spProvidedId = row.sp_provided_id;
  return {
    id: row.id,
    providerId: row.provider_id,
    userId: row.user_id,
    nameId,
    sessionIndex: row.session_index,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

/**
 * A {@link Store} on PostgreSQL through `pg`, shared by every IdP node.
 *
 * Parameterized statements only. Atomicity comes from single statements: the
 * replay cache is one `INSERT … ON CONFLICT DO UPDATE … WHERE expired` (set if
 * absent or expired), logout transaction updates are one `UPDATE … WHERE version
 * = expected`, and recording a participant is one transaction. Expiry is an
 * indexed `expires_at` column checked on every read; {@link PostgresStore.sweep}
 * deletes expired rows.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` for unusable options. Operations throw
 * `SAML_STORE_FAILED` (the pg error in `cause`) when PostgreSQL fails.
 */
// Columns hold whole epoch milliseconds, but durations may carry microseconds (parseDuration):
// an expiry rounds up and a `now` down, so nothing expires early or is kept alive by rounding.
// "fed" in ASCII with the lock namespace of migrations' style: replacements of one owner take turns.
const ownerLockNamespace = 0x666564;

const millisecondsUp = (time: number): number => Math.ceil(time);
const millisecondsDown = (time: number): number => Math.floor(time);

/** Pools that already carry the listener that keeps their errors from crashing the process. */
const poolsWithErrorListener = new WeakSet<object>();

export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const pool = options?.pool;
  const issues: Issue[] = [];
  if (
    typeof pool?.query !== 'function' ||
    typeof pool.connect !== 'function' ||
    typeof pool.on !== 'function'
  )
    issues.push({ path: ['pool'], message: 'must be a pg Pool' });
  const timeoutMs = checkOperationTimeout(options?.operationTimeoutMs, issues);
  if (options?.onPoolError !== undefined && typeof options.onPoolError !== 'function')
    issues.push({ path: ['onPoolError'], message: 'must be a function' });
  if (issues.length > 0) throw createConfigError('invalid PostgreSQL store options', issues);
  // An idle client's error (57P01 when the server restarts, a dropped socket) is emitted
  // on the pool; with no listener Node throws it and the process dies. One such listener per
  // pool, however many stores share it (a listener per store would pile up on a long-lived pool);
  // each store's own onPoolError is a listener of its own.
  if (!poolsWithErrorListener.has(pool)) {
    poolsWithErrorListener.add(pool);
    pool.on('error', () => {});
  }
  const onPoolError = options.onPoolError;
  if (onPoolError !== undefined) {
    pool.on('error', (error) => {
      try {
        onPoolError(error);
      } catch {
        // A logging hook must not crash the process either.
      }
    });
  }
  const q = postgresQueries(quoteSchema(options.schema));
  const codec = createProviderCodec(options.signingKeys);
  const op = <T>(operation: string, body: () => Promise<T>) =>
    storeOperation('postgres', operation, body, timeoutMs);
  const maintenance = <T>(operation: string, body: () => Promise<T>) =>
    storeOperation('postgres', operation, body, Math.max(timeoutMs, maintenanceTimeoutMs));
  const replayKey = (key: string) => Buffer.from(key, 'utf8');

  /** Runs `body` in one transaction on a checked-out client. */
  async function inTransaction<T>(body: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // A checked-out client has no pool listener: its connection error must not go unheard.
    const ignore = (): void => undefined;
    client.on('error', ignore);
    let failed = false;
    try {
      await client.query('BEGIN');
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      failed = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', ignore);
      // After a failure the connection may be broken: destroy it rather than pool it.
      client.release(failed);
    }
  }

  return {
    putProvider: (id, provider) =>
      op('putProvider', async () => {
        try {
          await pool.query(q.putProvider, [id, provider.entityId, codec.encode(provider)]);
        } catch (error) {
          if ((error as { code?: string })?.code !== '23505') throw error;
          const { rows } = await pool.query<{ id: string }>(q.providerOwner, [provider.entityId]);
          throw duplicateEntityId(rows[0]?.id ?? '');
        }
      }),
    getProvider: (id) =>
      op('getProvider', async () => {
        const { rows } = await pool.query<{ config: string }>(q.getProvider, [id]);
        return rows[0] ? codec.decode(rows[0].config) : undefined;
      }),
    findProviderByEntityId: (entityId) =>
      op('findProviderByEntityId', async () => {
        const { rows } = await pool.query<{ id: string; config: string; owner: string | null }>(
          q.findProviderByEntityId,
          [entityId],
        );
        const row = rows[0];
        if (!row) return undefined;
        const provider = codec.decode(row.config);
        return row.owner === null ? { id: row.id, provider } : { id: row.id, provider, owner: row.owner };
      }),
    replaceOwnedProviders: async (owner, providers) => {
      checkOwnedProviders(owner, providers);
      const configs = providers.map(({ provider }) => codec.encode(provider));
      // A whole aggregate in one transaction: the maintenance deadline, not a single lookup's.
      return maintenance('replaceOwnedProviders', () =>
        inTransaction(async (client) => {
          // Replacements of one owner from several nodes take turns; readers are never blocked.
          await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ownerLockNamespace, owner]);
          const ids = providers.map((entry) => entry.id);
          const entityIds = providers.map((entry) => entry.provider.entityId);
          const { rows } = await client.query<{ id: string; entity_id: string; owner: string | null }>(
            q.heldProviders,
            [ids, entityIds, owner],
          );
          const held = new Map<string, HeldProvider>();
          const holderOf = new Map<string, string>();
          const owned: string[] = [];
          for (const row of rows) {
            held.set(row.id, { entityId: row.entity_id, owner: row.owner ?? undefined });
            holderOf.set(row.entity_id, row.id);
            if (row.owner === owner) owned.push(row.id);
          }
          const plan = planOwnedReplacement(owner, providers, held, holderOf, owned);
          const kept = new Set(plan.keep);
          const keptConfigs = providers.flatMap((entry, i) => (kept.has(entry) ? [configs[i]!] : []));
          await client.query(q.deleteOwnedProviders, [owner]);
          await client.query(q.insertOwnedProviders, [
            plan.keep.map((entry) => entry.id),
            plan.keep.map((entry) => entry.provider.entityId),
            keptConfigs,
            owner,
          ]);
          return { stored: plan.stored, removed: plan.removed, conflicts: plan.conflicts };
        }),
      );
    },
    deleteProvider: (id) =>
      op('deleteProvider', async () => {
        await pool.query(q.deleteProvider, [id]);
      }),

    recordParticipant: (participant) =>
      op('recordParticipant', async () => {
        const { nameId } = participant;
        await inTransaction(async (client) => {
          await client.query(q.replaceParticipant, [
            participant.id,
            participant.providerId,
            participant.sessionIndex,
          ]);
          await client.query(q.insertParticipant, [
            participant.id,
            participant.providerId,
            participant.userId,
            nameId.value,
            nameId.format ?? null,
            nameId.nameQualifier ?? null,
            nameId.spNameQualifier ?? null,
            nameId.spProvidedId ?? null,
            participant.sessionIndex,
            millisecondsDown(participant.createdAt),
            millisecondsUp(participant.expiresAt),
          ]);
        });
      }),
    listParticipantsByUser: (userId, now) =>
      op('listParticipantsByUser', async () => {
        const { rows } = await pool.query<ParticipantRow>(q.listParticipantsByUser, [
          userId,
          millisecondsDown(now),
        ]);
        return rows.map(toParticipant);
      }),
    findParticipants: ({ providerId, nameId, sessionIndex }, now) =>
      op('findParticipants', async () => {
        const { rows } =
          sessionIndex === undefined
            ? await pool.query<ParticipantRow>(q.findParticipantsByNameId, [
                providerId,
                nameId,
                millisecondsDown(now),
              ])
            : await pool.query<ParticipantRow>(q.findParticipantBySession, [
                providerId,
                sessionIndex,
                nameId,
                millisecondsDown(now),
              ]);
        return rows.map(toParticipant);
      }),
    deleteParticipants: (ids) =>
      op('deleteParticipants', async () => {
        if (ids.length === 0) return [];
        const { rows } = await pool.query<{ id: string }>(q.deleteParticipants, [[...ids]]);
        return rows.map((row) => row.id);
      }),
    expireParticipants: (now) =>
      maintenance(
        'expireParticipants',
        async () => (await pool.query(q.expireParticipants, [millisecondsDown(now)])).rowCount ?? 0,
      ),

    rememberOnce: (key, expiresAt, now) =>
      op('rememberOnce', async () => {
        const { rowCount } = await pool.query(q.rememberOnce, [
          replayKey(key),
          millisecondsUp(expiresAt),
          millisecondsDown(now),
        ]);
        return rowCount === 1;
      }),

    createTransaction: (transaction, now) =>
      op('createTransaction', async () => {
        const { rowCount } = await pool.query(q.createTransaction, [
          transaction.id,
          transaction.version,
          millisecondsUp(transaction.expiresAt),
          stateText(transaction),
          millisecondsDown(now),
        ]);
        if (rowCount !== 1)
          throw new SamlError('SAML_STORE_FAILED', 'a logout transaction with this id exists');
      }),
    getTransaction: (id, now) =>
      op('getTransaction', async () => {
        const { rows } = await pool.query<{ version: number; expires_at: string; state: string }>(
          q.getTransaction,
          [id, millisecondsDown(now)],
        );
        const row = rows[0];
        if (!row) return undefined;
        return { id, version: row.version, expiresAt: Number(row.expires_at), state: JSON.parse(row.state) };
      }),
    updateTransaction: (transaction, expectedVersion, now) =>
      op('updateTransaction', async () => {
        const { rowCount } = await pool.query(q.updateTransaction, [
          transaction.id,
          transaction.version,
          millisecondsUp(transaction.expiresAt),
          stateText(transaction),
          expectedVersion,
          millisecondsDown(now),
        ]);
        return rowCount === 1;
      }),
    deleteTransaction: (id) =>
      op('deleteTransaction', async () => {
        await pool.query(q.deleteTransaction, [id]);
      }),

    sweep: (now) =>
      maintenance('sweep', async () => {
        const participants = (await pool.query(q.expireParticipants, [millisecondsDown(now)])).rowCount ?? 0;
        const replayKeys = (await pool.query(q.expireReplay, [millisecondsDown(now)])).rowCount ?? 0;
        const transactions = (await pool.query(q.expireTransactions, [millisecondsDown(now)])).rowCount ?? 0;
        return { participants, replayKeys, transactions };
      }),
  };
}

function stateText(transaction: LogoutTransaction): string {
  const text = JSON.stringify(transaction.state);
  if (text === undefined) throw new SamlError('SAML_STORE_FAILED', 'logout transaction state is not JSON');
  return text;
}
