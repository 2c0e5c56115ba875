import { type Job, UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import { createConfigError } from '../config/issues.js';
import { isKeyPair } from '../crypto/keys.js';
import type { Issue } from '../errors/index.js';
import { type Clock, generateId, type IdGenerator, systemClock } from '../message/context.js';
import { type IdpSigning, signingFor } from '../message/idp-signing.js';
import { deliverBackchannel } from '../slo/backchannel.js';
import { backchannelEndpoint } from '../slo/endpoints.js';
import { type EventHandler, emitter } from '../slo/events.js';
import { aggregateStatus, type ParticipantOutcome } from '../slo/outcome.js';
import { buildParticipantLogoutRequest } from '../slo/participant-request.js';
import type { ProviderStore } from '../store/store.js';
import { createFetchTransport } from '../transport/index.js';
import type { Transport } from '../transport/transport.js';
import type { DeliveryJobData } from './logout-queue.js';
import { createLogoutRecords } from './logout-record.js';
import { checkQueueConnection, type LogoutQueueConnection } from './queue-options.js';

/** Options of {@link createLogoutWorker}: the queue's connection options and the IdP's signing setup. */
export interface LogoutWorkerOptions extends LogoutQueueConnection {
  /** Our entity ID, the Issuer of the LogoutRequests (the facade's `entityId`). */
  entityId: string;
  /** The facade's `signing`: a provider's own `signingKeyPair` wins, as in the facade. */
  signing: IdpSigning;
  /** Where providers are read at send time (a database store shared with the facade). */
  store: ProviderStore;
  /**
   * Default `createFetchTransport({ attempts: 1 })`, with its safe defaults (https only,
   * no private targets): BullMQ retries (with backoff, surviving restarts), so the
   * transport makes one try per job attempt. SPs on a private network: pass
   * `createFetchTransport({ attempts: 1, allowTargets: [...] })`.
   */
  transport?: Transport;
  /** Deadline of each HTTP attempt. Default 10 s. */
  backchannelTimeoutMs?: number;
  /** Allowed clock difference when checking a SOAP LogoutResponse. Default 180 s. */
  clockSkewMs?: number;
  clock?: Clock;
  generateId?: IdGenerator;
  /** Deliveries this worker runs at once. Default 16. */
  concurrency?: number;
  /** Receives `participant_logged_out` / `participant_failed` once per participant and `backchannel_completed` once per logout. */
  onEvent?: EventHandler;
  /** Passed to BullMQ's Worker: `lockDuration`, `stalledInterval`, `maxStalledCount`, … */
  workerOptions?: Omit<WorkerOptions, 'connection' | 'concurrency' | 'prefix' | 'autorun'>;
}

/** A running worker. */
export interface LogoutWorker {
  /** The BullMQ worker, for its events and metrics. */
  readonly worker: Worker<DeliveryJobData, ParticipantOutcome>;
  /** Stops taking jobs and waits for the running ones; the ioredis client stays open. */
  close(): Promise<void>;
}

const defaults = { backchannelTimeoutMs: 10_000, clockSkewMs: 180_000, concurrency: 16 } as const;
// A LogoutRequest is built per attempt and valid this long, like the facade's own.
const requestLifetimeMs = 600_000;

/** Failures worth another try later: no answer, or the SP said "not now" (408, 429, 5xx). */
const retryable = (result: { reason: string; status?: number }) =>
  result.reason === 'SAML_TRANSPORT_FAILED' &&
  (result.status === undefined || result.status === 408 || result.status === 429 || result.status >= 500);

/**
 * Runs queued back-channel logouts (see `createLogoutQueue`): for each job it reads
 * the provider, builds and signs a fresh LogoutRequest, and sends it through the
 * Transport like the facade does (SOAP with the answer checked, or a POST form).
 * A transport failure, 408, 429 or 5xx is retried by BullMQ with backoff while
 * attempts remain; any other failure is final at once. Each participant's final
 * outcome is recorded once (a job re-run after a crash records nothing twice) and
 * reaches `onEvent`; the worker that records a logout's last outcome emits
 * `backchannel_completed`. Delivery is at least once: a worker killed mid-send
 * leaves its job to be sent again once BullMQ finds it stalled.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` for unusable options.
 */
export function createLogoutWorker(options: LogoutWorkerOptions): LogoutWorker {
  const issues: Issue[] = [];
  const { client, name, prefix, resultTtlMs } = checkQueueConnection(options, issues);
  if (typeof options?.entityId !== 'string' || options.entityId === '')
    issues.push({ path: ['entityId'], message: 'must be a non-empty string' });
  if (!isKeyPair(options?.signing?.key) || !options.signing.key.hasPrivateKey)
    issues.push({
      path: ['signing', 'key'],
      message: 'must be a KeyPair from loadKeyPair with a private key',
    });
  if (typeof options?.store?.getProvider !== 'function')
    issues.push({ path: ['store'], message: 'must implement Store (getProvider)' });
  const concurrency = options?.concurrency ?? defaults.concurrency;
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    issues.push({ path: ['concurrency'], message: 'must be a positive integer' });
  if (issues.length === 0 && client.options?.maxRetriesPerRequest !== null)
    issues.push({
      path: ['connection'],
      message: 'a worker connection needs maxRetriesPerRequest: null (BullMQ blocks on it)',
    });
  if (issues.length > 0) throw createConfigError('invalid logout worker options', issues);

  const transport = options.transport ?? createFetchTransport({ attempts: 1 });
  const timeoutMs = options.backchannelTimeoutMs ?? defaults.backchannelTimeoutMs;
  const clockSkewMs = options.clockSkewMs ?? defaults.clockSkewMs;
  const clock = options.clock ?? systemClock;
  const newId = options.generateId ?? generateId;
  const emit = emitter(options.onEvent);
  const records = createLogoutRecords(client, { prefix, name }, resultTtlMs);

  /** Records a final outcome and emits its events, once per participant and once per logout. */
  async function finish(
    job: Job<DeliveryJobData>,
    outcome: ParticipantOutcome,
    detail?: string,
  ): Promise<void> {
    const { logoutId } = job.data;
    const { fresh, completed } = await records.finish(logoutId, outcome);
    if (!fresh) return;
    if (outcome.outcome === 'logged_out') emit({ type: 'participant_logged_out', logoutId, outcome });
    else if (outcome.outcome === 'failed')
      emit({ type: 'participant_failed', logoutId, outcome, ...(detail ? { detail } : {}) });
    if (completed) {
      const logout = await records.read(logoutId);
      if (logout) {
        emit({
          type: 'backchannel_completed',
          logoutId,
          userId: logout.userId,
          status: aggregateStatus(logout.participants),
          participants: logout.participants,
        });
      }
    }
  }

  async function deliver(job: Job<DeliveryJobData>): Promise<ParticipantOutcome> {
    const data = job.data;
    const base = {
      participantId: data.participantId,
      providerId: data.providerId,
      entityId: data.entityId,
      method: 'backchannel',
    } as const;
    const provider = await options.store.getProvider(data.providerId);
    if (!provider || provider.slsUrl === '') {
      const outcome: ParticipantOutcome = {
        ...base,
        outcome: 'skipped',
        reason: provider ? 'no_sls_url' : 'provider_unknown',
      };
      await finish(job, outcome);
      return outcome;
    }
    const endpoint = backchannelEndpoint(provider);
    const result = await deliverBackchannel({
      provider,
      ...(endpoint === undefined ? {} : { endpoint }),
      request: buildParticipantLogoutRequest({
        issuer: provider.issuer === '' ? options.entityId : provider.issuer,
        provider,
        ...(endpoint === undefined ? {} : { destination: endpoint.url }),
        participant: data,
        clock,
        generateId: newId,
        lifetimeMs: requestLifetimeMs,
      }),
      sign: signingFor(provider, options.signing),
      transport,
      timeoutMs,
      clock,
      clockSkewMs,
    });
    if (result.ok) {
      const outcome: ParticipantOutcome = { ...base, entityId: provider.entityId, outcome: 'logged_out' };
      await finish(job, outcome);
      return outcome;
    }
    const again = retryable(result) && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
    const message = `back-channel logout failed: ${result.reason}${result.detail ? ` (${result.detail})` : ''}`;
    if (again) throw new Error(message);
    await finish(
      job,
      { ...base, entityId: provider.entityId, outcome: 'failed', reason: result.reason },
      result.detail,
    );
    // Fails the job for BullMQ's books (no further attempt); the outcome is already recorded.
    throw new UnrecoverableError(message);
  }

  const worker = new Worker<DeliveryJobData, ParticipantOutcome>(name, deliver, {
    ...options.workerOptions,
    connection: client,
    prefix,
    concurrency,
  });
  // A job can also end without its processor deciding: its store read kept failing, or it
  // stalled (its worker died) more often than BullMQ allows. Its participant still gets an outcome.
  worker.on('failed', (job, error) => {
    if (!job) return;
    void (async () => {
      if ((await job.getState()) !== 'failed') return;
      await finish(
        job,
        {
          participantId: job.data.participantId,
          providerId: job.data.providerId,
          entityId: job.data.entityId,
          method: 'backchannel',
          outcome: 'failed',
          reason: 'queue_failed',
        },
        error.message.slice(0, 200),
      );
    })().catch(() => undefined);
  });
  // ioredis and BullMQ report connection trouble as 'error' events; without a listener Node would throw.
  worker.on('error', () => undefined);

  return { worker, close: () => worker.close() };
}
