import type { Redis } from 'ioredis';
import type { Issue } from '../errors/index.js';

/** What the logout queue and its workers must agree on. */
export interface LogoutQueueConnection {
  /**
   * An ioredis client (standalone Redis, or through Sentinel). BullMQ shares it and
   * duplicates it for its blocking reads; samlkit keeps each logout's outcomes with it.
   */
  connection: Redis;
  /** The BullMQ queue name. Default `samlkit-logout`. */
  name?: string;
  /** BullMQ's key prefix. Default `bull`. */
  prefix?: string;
  /** How long a logout's outcomes stay readable after its last change. Default 24 hours. */
  resultTtlMs?: number;
}

export const queueDefaults = {
  name: 'samlkit-logout',
  prefix: 'bull',
  resultTtlMs: 86_400_000,
} as const;

/** Checks the shared options; returns them with defaults applied. */
export function checkQueueConnection(options: LogoutQueueConnection | undefined, issues: Issue[]) {
  const client = options?.connection;
  if (typeof client?.hgetall !== 'function' || typeof client.duplicate !== 'function')
    issues.push({ path: ['connection'], message: 'must be an ioredis client' });
  else if ((client as { isCluster?: boolean }).isCluster)
    issues.push({ path: ['connection'], message: 'must not be a Redis Cluster client (not supported)' });
  else if (client.options?.keyPrefix)
    issues.push({ path: ['connection'], message: 'must not have a keyPrefix; use the prefix option' });
  const name = options?.name ?? queueDefaults.name;
  if (typeof name !== 'string' || name === '' || name.includes(':'))
    issues.push({ path: ['name'], message: 'must be a non-empty string without ":"' });
  const prefix = options?.prefix ?? queueDefaults.prefix;
  if (typeof prefix !== 'string' || prefix === '')
    issues.push({ path: ['prefix'], message: 'must be a non-empty string' });
  const resultTtlMs = options?.resultTtlMs ?? queueDefaults.resultTtlMs;
  if (!(Number.isInteger(resultTtlMs) && resultTtlMs > 0))
    issues.push({ path: ['resultTtlMs'], message: 'must be a positive integer of milliseconds' });
  return { client: client as Redis, name, prefix, resultTtlMs };
}

/**
 * The BullMQ job id of one delivery: one per logout and participant, so queueing
 * the same logout again adds no second job. BullMQ refuses ":" in ids.
 */
export function deliveryJobId(logoutId: string, participantId: string): string {
  // encodeURIComponent leaves `.` alone; escaping it too keeps the `.` separator unambiguous
  // (`_a.b` + `c` and `_a` + `b.c` must not share an id, or BullMQ drops one as a duplicate).
  const part = (value: string) => encodeURIComponent(value).replaceAll('.', '%2E');
  return `${part(logoutId)}.${part(participantId)}`;
}
