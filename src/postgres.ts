// samlkit/postgres: the Store on PostgreSQL (pg, an optional peer dependency) and its schema migrations.
export { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from './store/postgres.js';
export {
  type MigrateOptions,
  type MigrateResult,
  migrate,
  type PostgresMigration,
  postgresMigrations,
} from './store/postgres-migrations.js';
export type { StoreSweep } from './store/sweep.js';
