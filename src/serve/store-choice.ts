import type { ServeStoreOption } from '../config/serve-options.js';
import type { KeyPair } from '../crypto/index.js';
import { createMemoryStore } from '../store/memory.js';
import type { Store } from '../store/store.js';

/** The chosen store and how to let go of its connections. */
export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

/**
 * Opens the store: memory by default, or Redis / PostgreSQL through their
 * optional peer dependencies (loaded only when chosen). PostgreSQL's schema is
 * migrated first; the migration is safe to run from several processes.
 */
export async function openStore(
  choice: ServeStoreOption | undefined,
  signingKeys: readonly KeyPair[],
): Promise<OpenedStore> {
  if (choice === undefined) return { store: createMemoryStore(), close: async () => undefined };
  if ('redis' in choice) {
    const [{ Redis }, { createRedisStore }] = await Promise.all([
      import('ioredis'),
      import('../store/redis.js'),
    ]);
    const client = new Redis(choice.redis, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await client.connect();
    const store = createRedisStore({
      client,
      ...(choice.prefix === undefined ? {} : { prefix: choice.prefix }),
    });
    return {
      store,
      close: async () => {
        await client.quit().catch(() => client.disconnect());
      },
    };
  }
  const [pg, { createPostgresStore }, { migrate }] = await Promise.all([
    import('pg'),
    import('../store/postgres.js'),
    import('../store/postgres-migrations.js'),
  ]);
  const Pool = (pg.default ?? pg).Pool;
  const pool = new Pool({ connectionString: choice.postgres, max: 10 });
  try {
    await migrate(pool, choice.prefix === undefined ? {} : { schema: choice.prefix });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const store = createPostgresStore({
    pool,
    signingKeys,
    ...(choice.prefix === undefined ? {} : { schema: choice.prefix }),
  });
  return { store, close: () => pool.end() };
}
