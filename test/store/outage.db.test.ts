/**
 * Regression: store and queue outages hung or crashed the IdP (finding 7). With the
 * client set-ups the docs showed, store calls during a Redis outage hung for over a
 * minute (ioredis's retries), BullMQ `enqueue` never settled, and a PostgreSQL restart
 * raised an uncaught `error` on the pg Pool (57P01) that killed the process.
 *
 * Each test runs its own durable server (Redis appendonly + appendfsync always,
 * PostgreSQL with fsync) and stops it under load: operations while it is down end in
 * `SAML_STORE_FAILED` (the facade: `queue_unavailable`) within the deadline, no uncaught
 * exception is raised, every acknowledged write is still there after the restart, and
 * the same clients work again without restarting anything.
 */
import { Redis, type RedisOptions } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nameIdFormats } from '../../src/constants/saml.js';
import { isSamlError } from '../../src/errors/index.js';
import { createIdentityProvider, createMemoryStore, parseProvider } from '../../src/index.js';
import { createLogoutQueue } from '../../src/queue/logout-queue.js';
import { createPostgresStore } from '../../src/store/postgres.js';
import { migrate } from '../../src/store/postgres-migrations.js';
import { createRedisStore } from '../../src/store/redis.js';
import type { SessionParticipant, Store } from '../../src/store/store.js';
import { findPostgres, findRedisServer } from '../support/database-servers.mjs';
import { keyPair } from '../support/keys.js';
import {
  type RestartableServer,
  startRestartablePostgres,
  startRestartableRedis,
} from '../support/restartable-servers.js';

/** The deadline the stores get here, and the slack allowed on a loaded machine. */
const deadlineMs = 1_000;
const slackMs = 1_500;

/** Starting and destroying durable servers (initdb and a checkpoint with fsync) on a loaded machine. */
const serverHookTimeoutMs = 60_000;

/** The fail-fast ioredis options docs/guide/stores-and-transports.md shows for the store. */
const failFastRedis: RedisOptions = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  commandTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 100, 1_000),
};

let uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);
beforeEach(() => {
  uncaught = [];
  process.on('uncaughtException', onUncaught);
});
afterEach(() => {
  process.off('uncaughtException', onUncaught);
});

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
}, serverHookTimeoutMs);

let sequence = 0;
const participant = (userId: string): SessionParticipant => {
  const id = `p${++sequence}`;
  return {
    id,
    providerId: 'sp',
    userId,
    nameId: { value: `${userId}-${id}`, format: nameIdFormats.persistent },
    sessionIndex: `_s${id}`,
    createdAt: Date.now(),
    expiresAt: Date.now() + 3_600_000,
  };
};

/**
 * Writes participants of `user` from `writers` loops until stopped; records which writes
 * were acknowledged, and how long each failure took to settle. `hold()` keeps the loops
 * from starting new writes (those in flight carry on) until the function it returns is called.
 */
function load(store: Store, user: string, writers = 4) {
  const acknowledged: string[] = [];
  const failures: { code: string; ms: number }[] = [];
  const others: unknown[] = [];
  let running = true;
  let held: Promise<void> | undefined;
  const loops = Array.from({ length: writers }, async () => {
    while (running) {
      if (held) await held;
      const p = participant(user);
      const started = Date.now();
      try {
        await store.recordParticipant(p);
        acknowledged.push(p.id);
      } catch (error) {
        if (isSamlError(error)) failures.push({ code: error.code, ms: Date.now() - started });
        else others.push(error);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });
  return {
    acknowledged,
    failures,
    others,
    hold: () => {
      let resume = (): void => undefined;
      held = new Promise<void>((resolve) => {
        resume = resolve;
      });
      return () => {
        held = undefined;
        resume();
      };
    },
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * What a stop must find and deliver, for a store whose client reacts to the stop itself
 * (pg: 57P01 on idle connections). New writes are held from `beforeStop` until `afterStop`
 * has returned, so none takes a connection whose end is still on its way; writes in flight
 * carry on into the stop.
 */
interface StopHooks {
  /** Waits until the client is in the state the stop is to test; the server is still up. */
  beforeStop(): Promise<void>;
  /** Waits until the client has received what the stop sent it; the server is down. */
  afterStop(): Promise<void>;
}

/** The store's operations while the server is down: each a SAML_STORE_FAILED within the deadline. */
async function expectFastFailures(store: Store) {
  const timed = async (call: () => Promise<unknown>) => {
    const started = Date.now();
    let caught: unknown;
    try {
      await call();
    } catch (error) {
      caught = error;
    }
    return { caught, ms: Date.now() - started };
  };
  const calls = [
    () => store.getProvider('sp'),
    () => store.recordParticipant(participant('down')),
    () => store.listParticipantsByUser('down', Date.now()),
    () => store.rememberOnce(`k${sequence++}`, Date.now() + 60_000, Date.now()),
    () => store.getTransaction('t', Date.now()),
  ];
  const results = await Promise.all(calls.map(timed));
  for (const { caught, ms } of results) {
    expect(isSamlError(caught, 'SAML_STORE_FAILED')).toBe(true);
    expect(ms).toBeLessThan(deadlineMs + slackMs);
  }
}

async function loadAcrossRestart(server: RestartableServer, store: Store, user: string, hooks?: StopHooks) {
  const traffic = load(store, user);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const resume = hooks ? traffic.hold() : undefined;
  await hooks?.beforeStop();
  await server.stop();
  await hooks?.afterStop();
  resume?.();
  const downAt = traffic.acknowledged.length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  await expectFastFailures(store);
  await server.start();
  // Work resumes on the same clients: more writes are acknowledged after the restart.
  await expect.poll(() => traffic.acknowledged.length > downAt + 20, { timeout: 15_000 }).toBe(true);
  await traffic.stop();
  expect(traffic.others).toEqual([]);
  expect(traffic.failures.length).toBeGreaterThan(0);
  for (const failure of traffic.failures) {
    expect(failure.code).toBe('SAML_STORE_FAILED');
    expect(failure.ms).toBeLessThan(deadlineMs + slackMs);
  }
  // Nothing acknowledged was lost.
  const stored = new Set((await store.listParticipantsByUser(user, Date.now())).map((p) => p.id));
  expect(traffic.acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  expect(uncaught).toEqual([]);
}

describe.skipIf(!findRedisServer())(
  'regression: store and queue outages hang or crash (finding 7), Redis',
  () => {
    let server: RestartableServer;
    beforeEach(async () => {
      const started = await startRestartableRedis();
      server = started;
      // Each test's own server: \`server\` names the next test's by the time closers run.
      closers.push(() => started.destroy());
    }, serverHookTimeoutMs);

    const client = (options: RedisOptions) => {
      const redis = new Redis(server.url, options);
      redis.on('error', () => undefined);
      closers.push(async () => redis.disconnect());
      return redis;
    };

    it('the documented fail-fast client: clear errors while down, nothing lost, work resumes', async () => {
      const store = createRedisStore({ client: client(failFastRedis), operationTimeoutMs: deadlineMs });
      await loadAcrossRestart(server, store, 'alice');
    }, 60_000);

    it('ioredis at its defaults: the store still settles within its deadline (ioredis alone took ~73 s)', async () => {
      const store = createRedisStore({ client: client({}), operationTimeoutMs: deadlineMs });
      await store.getProvider('warm-up');
      await server.stop();
      await expectFastFailures(store);
      await server.start();
      await expect
        .poll(
          () =>
            store.getProvider('sp').then(
              () => true,
              () => false,
            ),
          { timeout: 15_000 },
        )
        .toBe(true);
      expect(uncaught).toEqual([]);
    }, 60_000);

    it('BullMQ enqueue settles as queue_unavailable while Redis is down, and queues again after', async () => {
      // The queue's connection as the BullMQ docs set it up: maxRetriesPerRequest null waits forever.
      const connection = client({ maxRetriesPerRequest: null });
      const queue = createLogoutQueue({ connection, name: 'outage', operationTimeoutMs: deadlineMs });
      closers.push(() => queue.close());
      const store = createMemoryStore();
      await store.putProvider(
        'sp',
        parseProvider({
          entityId: 'https://sp.example/metadata',
          acsUrl: 'https://sp.example/acs',
          slsUrl: 'https://sp.example/slo',
          slsBinding: 'post',
          logoutMethod: 'backchannel',
          signAssertion: false,
        }),
      );
      const idp = createIdentityProvider({
        entityId: 'https://idp.example/metadata',
        signing: { key: keyPair('idp') },
        store,
        endpoints: { sloRedirect: 'https://idp.example/slo', sloPost: 'https://idp.example/slo/post' },
        deliveryQueue: queue,
      });
      const logout = async (user: string) => {
        await idp.recordSession({
          providerId: 'sp',
          userId: user,
          nameId: { value: user, format: nameIdFormats.persistent },
          sessionIndex: `_${user}`,
        });
        const started = Date.now();
        const result = await idp.logout(user);
        return { outcome: result.participants[0]!, ms: Date.now() - started, logoutId: result.logoutId };
      };

      const first = await logout('before');
      expect(first.outcome).toMatchObject({ outcome: 'queued' });
      await server.stop();
      const down = await logout('during');
      expect(down.outcome).toMatchObject({ outcome: 'failed', reason: 'queue_unavailable' });
      expect(down.ms).toBeLessThan(deadlineMs + slackMs);
      await server.start();
      await expect
        .poll(async () => (await logout(`after-${sequence++}`)).outcome.outcome, { timeout: 15_000 })
        .toBe('queued');
      // The job queued before the outage survived it (appendonly): nothing lost.
      const jobs = await queue.queue.getJobs(['waiting', 'delayed', 'active']);
      expect(jobs.map((job) => job?.data.logoutId)).toContain(first.logoutId);
      expect(uncaught).toEqual([]);
    }, 60_000);
  },
);

describe.skipIf(!findPostgres())(
  'regression: store and queue outages hang or crash (finding 7), PostgreSQL',
  () => {
    let server: RestartableServer;
    beforeEach(async () => {
      const started = await startRestartablePostgres();
      server = started;
      // Each test's own server: \`server\` names the next test's by the time closers run.
      closers.push(() => started.destroy());
    }, serverHookTimeoutMs);

    it('a restart (57P01 on idle connections) crashes nothing; clear errors while down, nothing lost, work resumes', async () => {
      // The pool as the guide shows it, with a connection timeout so a connect cannot hang.
      const pool = new pg.Pool({ connectionString: server.url, max: 8, connectionTimeoutMillis: 2_000 });
      closers.push(() => pool.end());
      await migrate(pool);
      // Idle connections in the pool when the server goes: the ones a restart ends with 57P01.
      const warm = await Promise.all(Array.from({ length: 8 }, () => pool.connect()));
      for (const connection of warm) connection.release();
      const poolErrors: Error[] = [];
      const store = createPostgresStore({
        pool,
        operationTimeoutMs: deadlineMs,
        onPoolError: (error) => poolErrors.push(error),
      });
      // A write that retries while the shutdown is under way would take an idle connection
      // whose 57P01 is still on its way, and the error would end its query instead of reaching
      // the pool (a loaded machine delays the backends' messages): the hooks rule that out.
      let idleAtStop = 0;
      await loadAcrossRestart(server, store, 'bob', {
        beforeStop: async () => {
          // Writes that overran the deadline may hold every connection: they end, the server being up.
          await expect.poll(() => pool.idleCount, { timeout: 15_000 }).toBeGreaterThan(0);
          idleAtStop = pool.idleCount;
        },
        // Each idle connection leaves the pool on its error (all were used well within pg's 10 s idle timeout).
        afterStop: () => expect.poll(() => pool.idleCount, { timeout: 15_000 }).toBe(0),
      });
      // Every connection idle at the shutdown was ended with 57P01, reported, not thrown.
      const adminShutdowns = poolErrors.filter((error) => (error as { code?: string }).code === '57P01');
      expect(idleAtStop).toBeGreaterThan(0);
      expect(adminShutdowns.length).toBeGreaterThanOrEqual(idleAtStop);
    }, 90_000);
  },
);
