/**
 * Clients for the servers of test/support/database-setup.ts: each test file gets
 * its own namespace (a Redis key prefix, a PostgreSQL schema), so files running
 * side by side never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, inject, it } from 'vitest';
import { migrate } from '../../src/store/postgres-migrations.js';

export const redisUrl = inject('redisUrl');
export const postgresUrl = inject('postgresUrl');

/** A fresh name for a prefix or schema. */
export function uniqueName(label: string): string {
  return `${label}_${randomBytes(6).toString('hex')}`;
}

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.all(closers.splice(0).map((close) => close().catch(() => undefined)));
});

/** An ioredis client (to the test server unless `url` says otherwise), closed after the file. */
export function connectRedis(options: RedisOptions = {}, url = redisUrl): Redis {
  const client = new Redis(url, options);
  closers.push(() => client.quit());
  return client;
}

/** A client of a port nobody listens on, failing commands at once rather than queueing them. */
export function unreachableRedis(options: RedisOptions = {}): Redis {
  const client = connectRedis(
    { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, ...options },
    'redis://127.0.0.1:1',
  );
  client.on('error', () => undefined);
  return client;
}

/** A pg Pool closed after the file. */
export function connectPostgres(options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 10, ...options });
  closers.push(() => pool.end());
  return pool;
}

/** A new schema with the samlkit tables in it. */
export async function migratedSchema(pool: pg.Pool): Promise<string> {
  const schema = uniqueName('samlkit');
  await migrate(pool, { schema });
  return schema;
}

/** Registers a visibly skipped test (and a loud line in the output) when a server is missing. */
export function skipLoudly(what: string): void {
  const message = `${what} is not installed: these tests are SKIPPED (CI=true fails instead)`;
  console.warn(`\n!!! ${message} !!!\n`);
  describe(what, () => {
    it.skip(message, () => {});
  });
}
