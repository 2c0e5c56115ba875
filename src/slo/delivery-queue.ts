import type { NameIdValue } from '../message/header.js';

/**
 * One back-channel delivery handed to a queue. It carries what the LogoutRequest
 * is built from, not the message: the sender builds and signs it when it sends,
 * so a retry an hour later is not an expired message.
 */
export interface QueuedDelivery {
  participantId: string;
  providerId: string;
  entityId: string;
  /** The NameID exactly as issued to this SP. */
  nameId: NameIdValue;
  sessionIndex: string;
}

/** The back-channel deliveries of one logout, handed over together. */
export interface QueuedLogout {
  logoutId: string;
  userId: string | undefined;
  deliveries: QueuedDelivery[];
}

/**
 * Where the identity provider facade hands back-channel deliveries when given one
 * (`deliveryQueue` option), instead of sending them itself: e.g. `createLogoutQueue`
 * from `samlkit/bullmq`. `enqueue` resolves once every delivery is durably queued
 * and rejects when none can be; the facade then reports those participants as
 * failed with reason `queue_unavailable`.
 */
export interface DeliveryQueue {
  /** Queues one delivery per participant of this logout; resolves once all are durably queued. */
  enqueue(logout: QueuedLogout): Promise<void>;
}
