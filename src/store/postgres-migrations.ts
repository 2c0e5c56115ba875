import type { Pool, PoolClient } from 'pg';
import { createConfigError } from '../config/issues.js';
import { SamlError } from '../errors/index.js';
import { maintenanceTimeoutMs, storeOperation } from './store-failure.js';

/** One step of the PostgreSQL schema; `sql` is byte for byte the file `sql/<name>.sql` of the package. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/** Every schema version, in order. Append only: a released step never changes. */
export const postgresMigrations: readonly PostgresMigration[] = Object.freeze([
  {
    version: 1,
    name: '001_init',
    sql: `-- samlkit store schema, version 1: what createPostgresStore reads and writes.
-- migrate() applies this file (the same text is embedded in the package) and records it in
-- samlkit_migrations. To run it with your own migration tool instead, apply it in the schema
-- you give createPostgresStore. Times are epoch milliseconds (bigint), from the IdP's clock.

-- Registered SPs. config is the provider as parseProvider accepts it; certificates as PEM,
-- and a private signing key only as the fingerprint of its certificate.
CREATE TABLE samlkit_providers (
  id text PRIMARY KEY,
  entity_id text NOT NULL,
  config jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- findProviderByEntityId (every incoming message); an entity ID names one provider.
CREATE UNIQUE INDEX samlkit_providers_entity_id ON samlkit_providers (entity_id);

-- One SP's share of a user's session, recorded at SSO time.
CREATE TABLE samlkit_participants (
  id text PRIMARY KEY,
  provider_id text NOT NULL,
  user_id text NOT NULL,
  name_id text NOT NULL,
  name_id_format text,
  name_qualifier text,
  sp_name_qualifier text,
  sp_provided_id text,
  session_index text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
-- findParticipants with a SessionIndex; one participant per provider and SessionIndex.
CREATE UNIQUE INDEX samlkit_participants_session ON samlkit_participants (provider_id, session_index);
-- findParticipants without a SessionIndex.
CREATE INDEX samlkit_participants_name_id ON samlkit_participants (provider_id, name_id);
-- listParticipantsByUser (live ones only).
CREATE INDEX samlkit_participants_user ON samlkit_participants (user_id, expires_at);
-- expireParticipants / sweep.
CREATE INDEX samlkit_participants_expires_at ON samlkit_participants (expires_at);

-- Message IDs already received (issuer and ID), kept until they could no longer be accepted.
-- bytea: the key joins issuer and ID with a NUL byte, which text cannot hold.
CREATE TABLE samlkit_replay (
  key bytea PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX samlkit_replay_expires_at ON samlkit_replay (expires_at);

-- Front-channel logout chains between browser hops; writes are compare-and-set on version.
-- state is JSON text rather than jsonb: it may carry strings from SAML messages, and jsonb
-- refuses the NUL character that JSON text escapes.
CREATE TABLE samlkit_logout_transactions (
  id text PRIMARY KEY,
  version integer NOT NULL,
  expires_at bigint NOT NULL,
  state text NOT NULL
);
CREATE INDEX samlkit_logout_transactions_expires_at ON samlkit_logout_transactions (expires_at);
`,
  },
  {
    version: 2,
    name: '002_participant_order',
    sql: `-- samlkit store schema, version 2: participants are listed in the order they were recorded.
-- created_at is the clock of the IdP node that recorded a participant: it ties within a
-- millisecond and differs between nodes. recorded_seq comes from a database sequence instead,
-- taken as each row is written. Rows from version 1 are numbered in created_at order, the best
-- record of their order there is.
ALTER TABLE samlkit_participants ADD COLUMN recorded_seq bigint;
CREATE SEQUENCE samlkit_participants_recorded_seq OWNED BY samlkit_participants.recorded_seq;
UPDATE samlkit_participants AS p SET recorded_seq = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM samlkit_participants) AS o
  WHERE p.id = o.id;
SELECT setval('samlkit_participants_recorded_seq', (SELECT count(*) FROM samlkit_participants) + 1, false);
ALTER TABLE samlkit_participants
  ALTER COLUMN recorded_seq SET DEFAULT nextval('samlkit_participants_recorded_seq'),
  ALTER COLUMN recorded_seq SET NOT NULL;
`,
  },
  {
    version: 3,
    name: '003_provider_owner',
    sql: `-- samlkit store schema, version 3: providers a metadata source owns.
-- owner names the source (a federation aggregate, a metadata query service) that stored a
-- provider through replaceOwnedProviders; it is NULL for providers registered by hand, which a
-- source never touches. A source replaces all of its providers in one transaction.
ALTER TABLE samlkit_providers ADD COLUMN owner text;
CREATE INDEX samlkit_providers_owner ON samlkit_providers (owner) WHERE owner IS NOT NULL;
`,
  },
]);

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** The schema to create the tables in (created when missing). Default: the connection's `search_path`. */
  schema?: string;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** Versions applied by this call, in order; empty when the schema was up to date. */
  applied: number[];
  /** The schema version now in the database. */
  version: number;
}

// "saml" in ASCII: the advisory lock that serializes migrations of one schema across nodes.
const lockNamespace = 0x73616d6c;

/** Checks a schema name; identifiers cannot be query parameters, so only plain names are accepted. */
export function quoteSchema(schema: string | undefined): string | undefined {
  if (schema === undefined) return undefined;
  if (typeof schema !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw createConfigError('invalid PostgreSQL store options', [
      { path: ['schema'], message: 'must be a plain identifier (letters, digits, underscore; at most 63)' },
    ]);
  }
  return `"${schema}"`;
}

/**
 * Brings the samlkit tables up to the latest schema version, in one transaction.
 * Safe to run on every node at boot: concurrent calls wait for each other on an
 * advisory lock, and versions already applied (recorded in `samlkit_migrations`)
 * are skipped.
 *
 * @throws SamlError `SAML_STORE_FAILED` when PostgreSQL fails, or when the database
 * holds a newer schema version than this release knows.
 */
export async function migrate(pool: Pool | PoolClient, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = quoteSchema(options.schema);
  return storeOperation(
    'postgres',
    'migrate',
    async () => {
      const client = 'release' in pool ? pool : await pool.connect();
      try {
        await client.query('BEGIN');
        try {
          await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
            lockNamespace,
            options.schema ?? '',
          ]);
          if (schema) {
            await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
            await client.query(`SET LOCAL search_path TO ${schema}`);
          }
          await client.query(
            'CREATE TABLE IF NOT EXISTS samlkit_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
          );
          const { rows } = await client.query<{ version: number }>('SELECT version FROM samlkit_migrations');
          const done = new Set(rows.map((row) => row.version));
          const latest = postgresMigrations.at(-1)!.version;
          const newest = Math.max(0, ...done);
          if (newest > latest) {
            throw new SamlError(
              'SAML_STORE_FAILED',
              `postgres store: the database schema is version ${newest}, newer than this release knows (${latest})`,
            );
          }
          const applied: number[] = [];
          for (const migration of postgresMigrations) {
            if (done.has(migration.version)) continue;
            await client.query(migration.sql);
            await client.query('INSERT INTO samlkit_migrations (version, name) VALUES ($1, $2)', [
              migration.version,
              migration.name,
            ]);
            applied.push(migration.version);
          }
          await client.query('COMMIT');
          return { applied, version: latest };
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } finally {
        if (client !== pool) (client as PoolClient).release();
      }
      // Migrations wait for the advisory lock another node may hold: a longer deadline than queries.
    },
    maintenanceTimeoutMs,
  );
}
