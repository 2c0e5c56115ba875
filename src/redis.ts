// samlkit/redis: the Store on Redis (ioredis, an optional peer dependency).
export { createRedisStore, type RedisStore, type RedisStoreOptions } from './store/redis.js';
export type { StoreSweep } from './store/sweep.js';
