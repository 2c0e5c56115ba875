import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSamlError, parseProvider } from '../../src/index.js';
import { createPostgresStore } from '../../src/store/postgres.js';
import { migrate, postgresMigrations } from '../../src/store/postgres-migrations.js';
import { postgresQueries } from '../../src/store/postgres-queries.js';
import {
  connectPostgres,
  migratedSchema,
  postgresUrl,
  skipLoudly,
  uniqueName,
} from '../support/database-clients.js';
import { keyPair } from '../support/keys.js';
import { runOwnedProviderConformance } from '../support/owned-provider-conformance.js';
import { runStoreConformance } from '../support/store-conformance.js';

if (!postgresUrl) {
  skipLoudly('PostgreSQL');
} else {
  const pool = connectPostgres();
  runStoreConformance('postgres', async ({ signingKeys }) =>
    createPostgresStore({ pool, schema: await migratedSchema(pool), signingKeys }),
  );
  runOwnedProviderConformance('postgres', async () =>
    createPostgresStore({ pool, schema: await migratedSchema(pool), signingKeys: [keyPair('idp')] }),
  );

  describe('PostgreSQL schema and migrate()', () => {
    it('ships each migration as a file with the same text as the embedded one', () => {
      for (const migration of postgresMigrations) {
        const file = readFileSync(new URL(`../../sql/${migration.name}.sql`, import.meta.url), 'utf8');
        expect(file).toBe(migration.sql);
      }
      expect(postgresMigrations.map((m) => m.version)).toEqual(postgresMigrations.map((_, i) => i + 1));
    });

    it('applies every version once, even when several nodes migrate at the same time', async () => {
      const schema = uniqueName('race');
      const pools = [connectPostgres({ max: 1 }), connectPostgres({ max: 1 }), connectPostgres({ max: 1 })];
      const results = await Promise.all(pools.map((p) => migrate(p, { schema })));
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, postgresMigrations.length]);
      expect(results.every((r) => r.version === postgresMigrations.length)).toBe(true);
      expect(await migrate(pool, { schema })).toEqual({ applied: [], version: postgresMigrations.length });
      const { rows } = await pool.query(
        `SELECT version, name FROM "${schema}".samlkit_migrations ORDER BY version`,
      );
      expect(rows).toEqual(postgresMigrations.map(({ version, name }) => ({ version, name })));
    });

    it('refuses a database whose schema is newer than this release', async () => {
      const schema = await migratedSchema(pool);
      await pool.query(`INSERT INTO "${schema}".samlkit_migrations (version, name) VALUES (999, 'future')`);
      const error = await migrate(pool, { schema }).catch((e) => e);
      expect(isSamlError(error, 'SAML_STORE_FAILED')).toBe(true);
      expect(error.message).toMatch(/version 999/);
    });

    it('refuses a schema name that is not a plain identifier', async () => {
      for (const schema of ['a"b', 'x; DROP TABLE y', '', '1abc']) {
        const error = await migrate(pool, { schema }).catch((e) => e);
        expect(isSamlError(error, 'SAML_CONFIG_INVALID'), schema).toBe(true);
        expect(() => createPostgresStore({ pool, schema })).toThrow(/schema/);
      }
    });

    it('has an index for every lookup the store makes', async () => {
      const schema = await migratedSchema(pool);
      const q = postgresQueries(`"${schema}"`);
      const lookups: [string, unknown[]][] = [
        [q.getProvider, ['id']],
        [q.findProviderByEntityId, ['e']],
        [q.providerOwner, ['e']],
        [q.listParticipantsByUser, ['u', 1]],
        [q.findParticipantBySession, ['p', 's', 'n', 1]],
        [q.findParticipantsByNameId, ['p', 'n', 1]],
        [q.deleteParticipants, [['a', 'b']]],
        [q.replaceParticipant, ['id', 'p', 's']],
        [q.expireParticipants, [1]],
        [q.getTransaction, ['t', 1]],
        [q.updateTransaction, ['t', 2, 1, '{}', 1, 1]],
        [q.expireReplay, [1]],
        [q.expireTransactions, [1]],
      ];
      const client = await pool.connect();
      try {
        // With sequential scans priced out, a plan without an index means there is none to use.
        await client.query('SET enable_seqscan = off');
        for (const [sql, params] of lookups) {
          const { rows } = await client.query(`EXPLAIN ${sql}`, params);
          const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
          expect(plan, sql).toMatch(/Index|Bitmap/);
          expect(plan, sql).not.toMatch(/Seq Scan/);
        }
      } finally {
        await client.query('RESET enable_seqscan');
        client.release();
      }
    });
  });

  describe('PostgreSQL store', () => {
    it('adds one error listener to a pool however many stores share it, plus one per onPoolError', async () => {
      const shared = connectPostgres({ max: 1 });
      try {
        const schema = await migratedSchema(shared);
        for (let i = 0; i < 20; i++) createPostgresStore({ pool: shared, schema });
        expect(shared.listenerCount('error')).toBe(1);
        const seen: string[] = [];
        createPostgresStore({
          pool: shared,
          schema,
          onPoolError: (error) => seen.push(`a ${error.message}`),
        });
        createPostgresStore({
          pool: shared,
          schema,
          onPoolError: (error) => seen.push(`b ${error.message}`),
        });
        expect(shared.listenerCount('error')).toBe(3);
        // An idle client's error reaches every hook and crashes nothing.
        shared.emit('error', new Error('terminating connection due to administrator command'));
        expect(seen).toEqual([
          'a terminating connection due to administrator command',
          'b terminating connection due to administrator command',
        ]);
      } finally {
        await shared.end();
      }
    });

    it('sweeps expired participants, replay entries and transactions', async () => {
      const store = createPostgresStore({ pool, schema: await migratedSchema(pool) });
      await store.recordParticipant({
        id: 'p1',
        providerId: 'sp',
        userId: 'u',
        nameId: { value: 'n' },
        sessionIndex: 's',
        createdAt: 1_000,
        expiresAt: 2_000,
      });
      await store.rememberOnce('k1', 2_000, 1_000);
      await store.rememberOnce('k2', 9_000, 1_000);
      await store.createTransaction({ id: 't', version: 1, expiresAt: 2_000, state: {} }, 1_000);
      expect(await store.sweep(2_000)).toEqual({ participants: 1, replayKeys: 1, transactions: 1 });
      expect(await store.sweep(2_000)).toEqual({ participants: 0, replayKeys: 0, transactions: 0 });
      expect(await store.rememberOnce('k2', 9_000, 2_000)).toBe(false);
    });

    it('writes no private key to the database: a signing key is stored as its certificate fingerprint', async () => {
      const schema = await migratedSchema(pool);
      const store = createPostgresStore({ pool, schema, signingKeys: [keyPair('idp')] });
      const entityId = 'https://signed.example.com';
      await store.putProvider(
        'sp',
        parseProvider({ entityId, acsUrl: `${entityId}/acs`, signingKeyPair: keyPair('idp') }),
      );
      const { rows } = await pool.query(`SELECT config::text AS config FROM "${schema}".samlkit_providers`);
      expect(rows[0].config).toContain(keyPair('idp').fingerprintSha256);
      expect(rows[0].config).not.toMatch(/PRIVATE KEY/);
      const error = await createPostgresStore({ pool, schema })
        .findProviderByEntityId(entityId)
        .catch((e) => e);
      expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    });

    it('says SAML_STORE_FAILED, the driver error as cause, when the tables are missing or the server is gone', async () => {
      const unmigrated = createPostgresStore({ pool, schema: uniqueName('empty') });
      const missing = await unmigrated.getProvider('x').catch((e) => e);
      expect(isSamlError(missing, 'SAML_STORE_FAILED')).toBe(true);
      expect(missing.cause.code).toBe('42P01'); // undefined_table
      const dead = connectPostgres({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres' });
      const error = await createPostgresStore({ pool: dead })
        .rememberOnce('k', 2, 1)
        .catch((e) => e);
      expect(isSamlError(error, 'SAML_STORE_FAILED')).toBe(true);
      expect(error.cause).toBeInstanceOf(Error);
    });

    it('refuses options without a pool', () => {
      expect(() => createPostgresStore({} as never)).toThrow(
        expect.objectContaining({ code: 'SAML_CONFIG_INVALID' }),
      );
    });
  });
}
