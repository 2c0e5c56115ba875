// Store rows of the benchmark: replay-cache checks and participant lookups per second on the memory
// store, Redis and PostgreSQL (the built samlkit/redis and samlkit/postgres). The database servers are
// started for the run the way the tests start them (127.0.0.1, temporary directories); a server that
// is not installed has its rows skipped, with the reason printed.

import { Redis } from 'ioredis';
import pg from 'pg';
import * as samlkit from '../dist/index.js';
import { createPostgresStore, migrate } from '../dist/postgres.js';
import { createRedisStore } from '../dist/redis.js';
import {
  findPostgres,
  findRedisServer,
  startPostgres,
  startRedis,
} from '../test/support/database-servers.mjs';

const operations = [
  { id: 'replay-check', label: 'replay cache: rememberOnce, first sight' },
  { id: 'find-participant', label: 'participant by NameID + SessionIndex' },
  { id: 'list-by-user', label: 'participants of a user (4 each)' },
];
const callerCounts = [1, 32];

/** Operations per second of `op(i)` for i < total, with `callers` calls in flight at once. */
async function rate(total, callers, op) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < total) await op(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

async function measureStore(store, { quick, label }) {
  const participants = quick ? 2_000 : 20_000;
  const total = quick ? 500 : 20_000;
  const now = Date.now();
  for (let i = 0; i < participants; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, participants - i) }, (_, j) =>
        store.recordParticipant({
          id: `_p${i + j}`,
          providerId: `sp-${(i + j) % 20}`,
          userId: `user-${(i + j) >> 2}`,
          nameId: { value: `user-${(i + j) >> 2}@example.com`, format: samlkit.nameIdFormats.emailAddress },
          sessionIndex: `_s${i + j}`,
          createdAt: now,
          expiresAt: now + 86_400_000,
        }),
      ),
    );
  }
  const users = participants >> 2;
  const rows = {};
  let sequence = 0; // every replay check names a message ID never seen before
  for (const callers of callerCounts) {
    const run = async (id, op) => {
      await rate(Math.ceil(total / 10), callers, op); // warm-up: connections, scripts, plans
      rows[id] = { ...rows[id], [callers]: await rate(total, callers, op) };
    };
    await run('replay-check', async () => {
      if (!(await store.rememberOnce(`https://sp.example.com\u0000_r${sequence++}`, now + 600_000, now)))
        throw new Error(`${label}: a first sight was taken for a replay`);
    });
    await run('find-participant', async (i) => {
      const n = (i * 7919) % participants;
      const found = await store.findParticipants(
        { providerId: `sp-${n % 20}`, nameId: `user-${n >> 2}@example.com`, sessionIndex: `_s${n}` },
        now,
      );
      if (found.length !== 1) throw new Error(`${label}: participant _p${n} not found`);
    });
    await run('list-by-user', async (i) => {
      const listed = await store.listParticipantsByUser(`user-${(i * 7919) % users}`, now);
      if (listed.length !== 4) throw new Error(`${label}: a user has ${listed.length} participants, not 4`);
    });
  }
  return rows;
}

/**
 * Measures every store it can; returns `{ participants, rows: [{ store, operation, label, perSecond: { 1, 32 } }],
 * skipped: [{ store, reason }] }`.
 */
export async function measureStoreRows({ quick }) {
  const result = { participants: quick ? 2_000 : 20_000, callers: callerCounts, rows: [], skipped: [] };
  const stop = [];
  const backends = [{ name: 'memory', open: async () => samlkit.createMemoryStore() }];

  const redisBinary = findRedisServer();
  if (redisBinary) {
    backends.push({
      name: 'redis',
      open: async () => {
        const server = await startRedis(redisBinary);
        stop.push(() => server.stop());
        const client = new Redis(server.url);
        stop.unshift(() => client.quit());
        return createRedisStore({ client, prefix: 'bench:' });
      },
    });
  } else
    result.skipped.push({
      store: 'redis',
      reason: 'redis-server is not installed (apt-get install redis-server)',
    });

  const postgresBinaries = findPostgres();
  if (postgresBinaries) {
    backends.push({
      name: 'postgres',
      open: async () => {
        const server = await startPostgres(postgresBinaries);
        stop.push(() => server.stop());
        const pool = new pg.Pool({ connectionString: server.url, max: 32 });
        stop.unshift(() => pool.end());
        await migrate(pool, { schema: 'bench' });
        return createPostgresStore({ pool, schema: 'bench' });
      },
    });
  } else
    result.skipped.push({
      store: 'postgres',
      reason: 'PostgreSQL is not installed (apt-get install postgresql)',
    });

  try {
    for (const backend of backends) {
      const rows = await measureStore(await backend.open(), { quick, label: backend.name });
      for (const op of operations) {
        result.rows.push({ store: backend.name, operation: op.id, label: op.label, perSecond: rows[op.id] });
      }
    }
  } finally {
    for (const close of stop) await close().catch(() => undefined);
  }
  return result;
}

/** The rows as a Markdown table, then one line per skipped store. */
export function formatStoreRows(result) {
  const fmt = (v) => (v === undefined ? '—' : Math.round(v).toLocaleString('en-US'));
  const lines = [
    `stores (${result.participants} participants recorded; operations per second, with 1 and ${result.callers.at(-1)} calls in flight):`,
    '',
    `| store | operation | 1 caller /s | ${result.callers.at(-1)} callers /s |`,
    '|---|---|---:|---:|',
  ];
  for (const row of result.rows) {
    lines.push(
      `| ${row.store} | ${row.label} | ${fmt(row.perSecond[1])} | ${fmt(row.perSecond[result.callers.at(-1)])} |`,
    );
  }
  for (const skip of result.skipped) lines.push(`${skip.store} rows skipped: ${skip.reason}`);
  return lines.join('\n');
}
