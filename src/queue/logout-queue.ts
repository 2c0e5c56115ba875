import { Queue } from 'bullmq';
import { createConfigError } from '../config/issues.js';
import type { Issue } from '../errors/index.js';
import type { DeliveryQueue, QueuedDelivery } from '../slo/delivery-queue.js';
import { checkOperationTimeout, storeOperation } from '../store/store-failure.js';
import { type BackchannelLogout, createLogoutRecords } from './logout-record.js';
import { checkQueueConnection, deliveryJobId, type LogoutQueueConnection } from './queue-options.js';

/** The data of one BullMQ delivery job. */
export interface DeliveryJobData extends QueuedDelivery {
  logoutId: string;
}

/** Options of {@link createLogoutQueue}. */
export interface LogoutQueueOptions extends LogoutQueueConnection {
  /** Tries per delivery, the first included (BullMQ `attempts`). Default 5. */
  attempts?: number;
  /** Delay before the first retry, doubled for each next one, with jitter (BullMQ exponential backoff). Default 1000 ms. */
  backoffMs?: number;
  /**
   * Deadline of `enqueue` and of each read, in milliseconds: past it `enqueue` fails
   * (the facade reports `queue_unavailable`) however long BullMQ would wait for Redis. Default 5 000.
   */
  operationTimeoutMs?: number;
}

/** The facade's side of the queue: give it to `createIdentityProvider({ deliveryQueue })`. */
export interface LogoutQueue extends DeliveryQueue {
  /** The BullMQ queue, for dashboards and metrics. */
  readonly queue: Queue<DeliveryJobData>;
  /** The outcomes so far of a logout's queued deliveries; `undefined` for an unknown (or forgotten) logout id. */
  getLogout(logoutId: string): Promise<BackchannelLogout | undefined>;
  /**
   * Waits until every queued delivery of the logout has an outcome, checking every
   * `pollMs` (default 250 ms), at most `timeoutMs` (default 60 s); then returns the
   * outcomes as they are (`complete: false` when the time ran out). `undefined` for an unknown logout id.
   */
  waitForLogout(
    logoutId: string,
    options?: { timeoutMs?: number; pollMs?: number },
  ): Promise<BackchannelLogout | undefined>;
  /** Closes the BullMQ queue; the ioredis client stays open (it is yours). */
  close(): Promise<void>;
}

const defaults = { attempts: 5, backoffMs: 1_000 } as const;

/**
 * Back-channel logout delivery as BullMQ jobs: `enqueue` (called by the facade)
 * records who is queued and adds one job per participant, each with `attempts`
 * tries and exponential backoff. Workers (`createLogoutWorker`, any process)
 * send them; {@link LogoutQueue.getLogout} and {@link LogoutQueue.waitForLogout}
 * read the outcomes by logout id from any process.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` for unusable options. `enqueue` and the
 * readers throw `SAML_STORE_FAILED` when Redis fails.
 */
export function createLogoutQueue(options: LogoutQueueOptions): LogoutQueue {
  const issues: Issue[] = [];
  const { client, name, prefix, resultTtlMs } = checkQueueConnection(options, issues);
  const attempts = options?.attempts ?? defaults.attempts;
  const backoffMs = options?.backoffMs ?? defaults.backoffMs;
  if (!(Number.isInteger(attempts) && attempts >= 1))
    issues.push({ path: ['attempts'], message: 'must be a positive integer' });
  if (!(Number.isFinite(backoffMs) && backoffMs >= 0))
    issues.push({ path: ['backoffMs'], message: 'must be a non-negative number of milliseconds' });
  const timeoutMs = checkOperationTimeout(options?.operationTimeoutMs, issues);
  if (issues.length > 0) throw createConfigError('invalid logout queue options', issues);

  const queue = new Queue<DeliveryJobData>(name, { connection: client, prefix });
  // BullMQ re-emits connection errors on the queue; with no listener Node would throw them.
  queue.on('error', () => undefined);
  const records = createLogoutRecords(client, { prefix, name }, resultTtlMs);
  const op = <T>(operation: string, body: () => Promise<T>) =>
    storeOperation('bullmq', operation, body, timeoutMs);

  return {
    queue,
    enqueue: (logout) =>
      op('enqueue', async () => {
        if (logout.deliveries.length === 0) return;
        await records.open(logout);
        try {
          await queue.addBulk(
            logout.deliveries.map((delivery) => ({
              name: 'backchannel-logout',
              data: { logoutId: logout.logoutId, ...delivery },
              opts: {
                jobId: deliveryJobId(logout.logoutId, delivery.participantId),
                attempts,
                backoff: { type: 'exponential', delay: backoffMs, jitter: 0.5 },
                removeOnComplete: { age: Math.ceil(resultTtlMs / 1000) },
                removeOnFail: { age: Math.ceil(resultTtlMs / 1000) },
              },
            })),
          );
        } catch (error) {
          await records.discard(logout.logoutId).catch(() => undefined);
          throw error;
        }
      }),
    getLogout: (logoutId) => op('getLogout', () => records.read(logoutId)),
    // Each read has the operation deadline; the wait as a whole has its own.
    waitForLogout: async (logoutId, { timeoutMs: waitMs = 60_000, pollMs = 250 } = {}) => {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const logout = await op('waitForLogout', () => records.read(logoutId));
        if (!logout || logout.complete || Date.now() >= deadline) return logout;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))),
        );
      }
    },
    close: () => queue.close(),
  };
}
