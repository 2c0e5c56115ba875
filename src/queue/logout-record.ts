import type { Redis } from 'ioredis';
import { SamlError } from '../errors/index.js';
import type { QueuedLogout } from '../slo/delivery-queue.js';
import { aggregateStatus, type ParticipantOutcome } from '../slo/outcome.js';
import { createScriptRunner } from '../store/redis-script-runner.js';

/**
 * Where a queued logout's outcomes live while its deliveries run: one Redis hash
 * per logout, next to the BullMQ queue's own keys. Fields: `total`, `done`,
 * `userId`, `p:<participant>` (who was queued) and `o:<participant>` (the final
 * outcome, written once).
 */

/** The queued back-channel part of one logout, as the queue knows it. */
export interface BackchannelLogout {
  logoutId: string;
  userId: string | undefined;
  /** True once every queued delivery has a final outcome. */
  complete: boolean;
  /** Of the outcomes so far: `PartialLogout` as soon as one failed. */
  status: 'Success' | 'PartialLogout';
  /** One per queued participant, by provider id; those still being delivered have outcome `queued`. */
  participants: ParticipantOutcome[];
}

/** Whether an outcome was new, and how far its logout is. */
export interface RecordedOutcome {
  /** False when this participant already had a final outcome (a delivery run twice) or the logout is unknown. */
  fresh: boolean;
  /** True when this outcome was the logout's last one. */
  completed: boolean;
}

const finishLua = `
if redis.call('HEXISTS', KEYS[1], 'total') == 0 then return { 0, 0 } end
local fresh = redis.call('HSETNX', KEYS[1], 'o:' .. ARGV[1], ARGV[2])
local done = tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
if fresh == 1 then done = redis.call('HINCRBY', KEYS[1], 'done', 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local total = tonumber(redis.call('HGET', KEYS[1], 'total'))
if fresh == 1 and done == total then return { 1, 1 } end
return { fresh, 0 }
`;

export interface LogoutRecords {
  /** Writes who is queued; must happen before any delivery can finish. */
  open(logout: QueuedLogout): Promise<void>;
  /** Removes a logout whose jobs could not be queued. */
  discard(logoutId: string): Promise<void>;
  /** Records a participant's final outcome, once (atomic; a second outcome for it is ignored). */
  finish(logoutId: string, outcome: ParticipantOutcome): Promise<RecordedOutcome>;
  read(logoutId: string): Promise<BackchannelLogout | undefined>;
}

export function createLogoutRecords(
  client: Redis,
  queue: { prefix: string; name: string },
  ttlMs: number,
): LogoutRecords {
  const run = createScriptRunner(client);
  const key = (logoutId: string) => `${queue.prefix}:${queue.name}:samlkit-logout:${logoutId}`;
  return {
    async open(logout) {
      const fields: Record<string, string> = { total: String(logout.deliveries.length) };
      if (logout.userId !== undefined) fields.userId = logout.userId;
      for (const delivery of logout.deliveries) {
        const queued: ParticipantOutcome = {
          participantId: delivery.participantId,
          providerId: delivery.providerId,
          entityId: delivery.entityId,
          method: 'backchannel',
          outcome: 'queued',
        };
        fields[`p:${delivery.participantId}`] = JSON.stringify(queued);
      }
      const replies = await client
        .multi()
        .hset(key(logout.logoutId), fields)
        .pexpire(key(logout.logoutId), ttlMs)
        .exec();
      // exec() resolves even when commands failed: their errors are in the replies.
      const failure =
        replies === null ? new Error('transaction aborted') : replies.find(([error]) => error)?.[0];
      if (failure) throw failure;
    },
    async discard(logoutId) {
      await client.del(key(logoutId));
    },
    async finish(logoutId, outcome) {
      const [fresh, completed] = (await run(
        finishLua,
        [key(logoutId)],
        [outcome.participantId, JSON.stringify(outcome), ttlMs],
      )) as [number, number];
      return { fresh: fresh === 1, completed: completed === 1 };
    },
    async read(logoutId) {
      const fields = await client.hgetall(key(logoutId));
      if (fields.total === undefined) return undefined;
      const participants: ParticipantOutcome[] = [];
      try {
        for (const [name, value] of Object.entries(fields)) {
          if (!name.startsWith('p:')) continue;
          const final = fields[`o:${name.slice(2)}`];
          participants.push(JSON.parse(final ?? value) as ParticipantOutcome);
        }
      } catch (cause) {
        throw new SamlError('SAML_STORE_FAILED', 'queued logout record is not valid JSON', { cause });
      }
      participants.sort(
        (a, b) => a.providerId.localeCompare(b.providerId) || a.participantId.localeCompare(b.participantId),
      );
      return {
        logoutId,
        userId: fields.userId,
        complete: Number(fields.done ?? 0) >= Number(fields.total),
        status: aggregateStatus(participants),
        participants,
      };
    },
  };
}
