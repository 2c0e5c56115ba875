// samlkit/bullmq: back-channel logout delivery as BullMQ jobs on Redis (bullmq and ioredis,
// optional peer dependencies).

export {
  createLogoutQueue,
  type DeliveryJobData,
  type LogoutQueue,
  type LogoutQueueOptions,
} from './queue/logout-queue.js';
export type { BackchannelLogout } from './queue/logout-record.js';
export { createLogoutWorker, type LogoutWorker, type LogoutWorkerOptions } from './queue/logout-worker.js';
export type { LogoutQueueConnection } from './queue/queue-options.js';
