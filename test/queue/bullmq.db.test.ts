/**
 * samlkit/bullmq in one process against a real Redis: the facade queues, a
 * worker delivers to loopback SPs, outcomes come back through onEvent and by
 * logout id. The multi-process test (test/store/multi-node.db.test.ts) covers
 * workers in other processes and a killed worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdentityProvider,
  isSamlError,
  type LogoutEvent,
  nameIdFormats,
  type Store,
} from '../../src/index.js';
import { createLogoutQueue, type LogoutQueue } from '../../src/queue/logout-queue.js';
import { createLogoutWorker, type LogoutWorker } from '../../src/queue/logout-worker.js';
import { createRedisStore } from '../../src/store/redis.js';
import { createFetchTransport } from '../../src/transport/index.js';
import {
  type BackchannelTrio,
  idpEndpoints,
  idpEntityId,
  startBackchannelTrio,
} from '../support/backchannel-sps.js';
import {
  connectRedis,
  redisUrl,
  skipLoudly,
  uniqueName,
  unreachableRedis,
} from '../support/database-clients.js';
import { keyPair } from '../support/keys.js';

if (!redisUrl) {
  skipLoudly('redis-server');
} else {
  const connection = connectRedis({ maxRetriesPerRequest: null });
  let sps: BackchannelTrio;

  beforeAll(async () => {
    sps = await startBackchannelTrio('');
  });
  afterAll(async () => {
    await Promise.all(Object.values(sps ?? {}).map((sp) => sp.close()));
  });

  /** A queue, a worker and a facade on a fresh Redis namespace. */
  async function setup(options: { attempts?: number; workers?: number } = {}) {
    for (const sp of Object.values(sps)) {
      sp.hits = 0;
      sp.received.length = 0;
      sp.refused.length = 0;
      sp.behave = () => 'ok';
    }
    const name = uniqueName('logout');
    const store: Store = createRedisStore({ client: connection, prefix: `${name}:` });
    for (const sp of Object.values(sps)) await store.putProvider(sp.name, sp.provider());
    const queue = createLogoutQueue({
      connection,
      name,
      attempts: options.attempts ?? 3,
      backoffMs: 10,
    });
    const events: LogoutEvent[] = [];
    const workers: LogoutWorker[] = Array.from({ length: options.workers ?? 1 }, () =>
      createLogoutWorker({
        connection,
        name,
        entityId: idpEntityId,
        signing: { key: keyPair('idp') },
        store,
        // The SPs listen on http://127.0.0.1.
        transport: createFetchTransport({ attempts: 1, allowTargets: ['127.0.0.1'], unsafeAllowHttp: true }),
        onEvent: (event) => events.push(event),
      }),
    );
    const idp = createIdentityProvider({
      entityId: idpEntityId,
      signing: { key: keyPair('idp') },
      store,
      endpoints: idpEndpoints,
      deliveryQueue: queue,
    });
    const signIn = (user: string, sp: string) =>
      idp.recordSession({
        providerId: sp,
        userId: user,
        nameId: { value: `${user}@${sp}`, format: nameIdFormats.persistent },
        sessionIndex: `_s-${user}-${sp}`,
      });
    const stop = async () => {
      await Promise.all(workers.map((w) => w.close()));
      await queue.close();
    };
    return { store, queue, workers, events, idp, signIn, stop };
  }

  async function settled(queue: LogoutQueue, logoutId: string) {
    const logout = await queue.waitForLogout(logoutId, { timeoutMs: 15_000, pollMs: 20 });
    expect(logout?.complete).toBe(true);
    return logout!;
  }

  describe('samlkit/bullmq', () => {
    it('queues one job per back-channel participant; a worker delivers them and reports the outcomes', async () => {
      const { queue, events, idp, signIn, stop } = await setup();
      try {
        for (const sp of ['post1', 'post2', 'soap']) await signIn('alice', sp);
        const result = await idp.logout('alice');
        expect(result.status).toBe('Success');
        expect(result.participants.map((p) => [p.providerId, p.outcome]).sort()).toEqual([
          ['post1', 'queued'],
          ['post2', 'queued'],
          ['soap', 'queued'],
        ]);
        const logout = await settled(queue, result.logoutId);
        expect(logout.userId).toBe('alice');
        expect(logout.status).toBe('Success');
        expect(logout.participants.map((p) => [p.providerId, p.outcome])).toEqual([
          ['post1', 'logged_out'],
          ['post2', 'logged_out'],
          ['soap', 'logged_out'],
        ]);
        // Each SP verified a signed LogoutRequest for its own session.
        for (const name of ['post1', 'post2', 'soap'] as const) {
          expect(sps[name].received.map((r) => [r.nameId, r.sessionIndexes])).toEqual([
            [`alice@${name}`, [`_s-alice-${name}`]],
          ]);
          expect(sps[name].refused).toEqual([]);
        }
        await expect.poll(() => events.filter((e) => e.type === 'backchannel_completed').length).toBe(1);
        expect(events.filter((e) => e.type === 'participant_logged_out').length).toBe(3);
        expect(events.find((e) => e.type === 'backchannel_completed')).toMatchObject({
          logoutId: result.logoutId,
          userId: 'alice',
          status: 'Success',
        });
        expect((await queue.queue.getJobCounts('completed')).completed).toBe(3);
      } finally {
        await stop();
      }
    });

    it('retries a transport failure with backoff, and stops at once on a final answer', async () => {
      const { queue, events, idp, signIn, stop } = await setup({ attempts: 3 });
      try {
        sps.post1.behave = (hit) => (hit <= 2 ? 503 : 'ok'); // retried: 503, 503, then 200
        sps.post2.behave = () => 400; // final: a 4xx is the SP's answer
        sps.soap.behave = () => 503; // retried until attempts run out
        for (const sp of ['post1', 'post2', 'soap']) await signIn('bob', sp);
        const result = await idp.logout('bob');
        const logout = await settled(queue, result.logoutId);
        expect(logout.status).toBe('PartialLogout');
        expect(logout.participants.map((p) => [p.providerId, p.outcome, p.reason])).toEqual([
          ['post1', 'logged_out', undefined],
          ['post2', 'failed', 'SAML_TRANSPORT_FAILED'], // a final 400: not retried
          ['soap', 'failed', 'SAML_TRANSPORT_FAILED'],
        ]);
        expect([sps.post1.hits, sps.post2.hits, sps.soap.hits]).toEqual([3, 1, 3]);
        // Every attempt carried a fresh, separately signed LogoutRequest.
        expect(new Set(sps.post1.received.map((r) => r.id)).size).toBe(sps.post1.received.length);
        await expect.poll(() => events.some((e) => e.type === 'backchannel_completed')).toBe(true);
        expect(
          events
            .filter((e) => e.type === 'participant_failed')
            .map((e) => (e.type === 'participant_failed' ? e.outcome.providerId : ''))
            .sort(),
        ).toEqual(['post2', 'soap']);
        expect(await queue.queue.getJobCounts('failed', 'completed')).toEqual({ failed: 2, completed: 1 });
      } finally {
        await stop();
      }
    });

    it('reports each participant once and the logout once, with several workers', async () => {
      const { queue, events, idp, signIn, stop } = await setup({ workers: 3 });
      try {
        for (const sp of ['post1', 'post2', 'soap']) await signIn('carol', sp);
        const result = await idp.logout('carol');
        await settled(queue, result.logoutId);
        await expect.poll(() => events.filter((e) => e.type === 'backchannel_completed').length).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(events.filter((e) => e.type === 'backchannel_completed').length).toBe(1);
        expect(events.filter((e) => e.type === 'participant_logged_out').length).toBe(3);
      } finally {
        await stop();
      }
    });

    it('skips a provider removed before its delivery ran', async () => {
      const { queue, store, workers, idp, signIn, stop } = await setup();
      try {
        await Promise.all(workers.map((w) => w.worker.pause()));
        await signIn('dave', 'post1');
        const result = await idp.logout('dave');
        await store.deleteProvider('post1');
        workers.forEach((w) => {
          w.worker.resume();
        });
        const logout = await settled(queue, result.logoutId);
        expect(logout.participants).toEqual([
          expect.objectContaining({ providerId: 'post1', outcome: 'skipped', reason: 'provider_unknown' }),
        ]);
        expect(sps.post1.hits).toBe(0);
      } finally {
        await stop();
      }
    });

    it('gives a participant an outcome (queue_failed) when its provider cannot be read on any attempt', async () => {
      const { queue, workers, idp, signIn, stop } = await setup({ attempts: 2 });
      const events: LogoutEvent[] = [];
      // A worker whose store is a Redis nobody listens on: every read fails for real.
      const blind = createLogoutWorker({
        connection,
        name: queue.queue.name,
        entityId: idpEntityId,
        signing: { key: keyPair('idp') },
        store: createRedisStore({ client: unreachableRedis() }),
        onEvent: (event) => events.push(event),
      });
      try {
        await Promise.all(workers.map((w) => w.close()));
        await signIn('gina', 'post1');
        const result = await idp.logout('gina');
        const logout = await settled(queue, result.logoutId);
        expect(logout.status).toBe('PartialLogout');
        expect(logout.participants).toEqual([
          expect.objectContaining({ providerId: 'post1', outcome: 'failed', reason: 'queue_failed' }),
        ]);
        await expect
          .poll(() => events.map((e) => e.type))
          .toEqual(['participant_failed', 'backchannel_completed']);
        expect(events[0]).toMatchObject({ detail: expect.stringMatching(/redis store: getProvider failed/) });
        expect(sps.post1.hits).toBe(0);
      } finally {
        await blind.close();
        await stop();
      }
    });

    it('adds no second job when the same logout is queued again', async () => {
      const { queue, workers, stop } = await setup();
      try {
        await Promise.all(workers.map((w) => w.close()));
        const logout = {
          logoutId: '_l1',
          userId: 'erin',
          deliveries: [
            {
              participantId: 'p:1',
              providerId: 'post1',
              entityId: sps.post1.entityId,
              nameId: { value: 'e' },
              sessionIndex: 's',
            },
          ],
        };
        await queue.enqueue(logout);
        await queue.enqueue(logout);
        expect(await queue.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
        expect(await queue.getLogout('_l1')).toMatchObject({
          complete: false,
          participants: [{ outcome: 'queued' }],
        });
        // Time out waiting: the outcome as it is, still running.
        expect(await queue.waitForLogout('_l1', { timeoutMs: 50, pollMs: 10 })).toMatchObject({
          complete: false,
        });
        expect(await queue.getLogout('_unknown')).toBeUndefined();
      } finally {
        await stop();
      }
    });

    it('reports participants failed (queue_unavailable) when the queue cannot take them', async () => {
      const dead = unreachableRedis();
      const { store, signIn, stop } = await setup();
      const unreachable = createLogoutQueue({ connection: dead, name: uniqueName('dead') });
      unreachable.queue.on('error', () => undefined);
      try {
        const events: LogoutEvent[] = [];
        const idp = createIdentityProvider({
          entityId: idpEntityId,
          signing: { key: keyPair('idp') },
          store,
          endpoints: idpEndpoints,
          deliveryQueue: unreachable,
          onEvent: (event) => events.push(event),
        });
        await signIn('frank', 'post1');
        const result = await idp.logout('frank');
        expect(result.status).toBe('PartialLogout');
        expect(result.participants).toEqual([
          expect.objectContaining({ providerId: 'post1', outcome: 'failed', reason: 'queue_unavailable' }),
        ]);
        expect(events.map((e) => e.type)).toEqual(['participant_failed', 'logout_completed']);
        const error = await unreachable.getLogout('x').catch((e) => e);
        expect(isSamlError(error, 'SAML_STORE_FAILED')).toBe(true);
      } finally {
        await unreachable.close().catch(() => undefined);
        await stop();
      }
    });

    it('refuses unusable options', () => {
      const plain = connectRedis({ lazyConnect: true }); // maxRetriesPerRequest is not null
      const attempts: [() => unknown, string][] = [
        [() => createLogoutQueue({ connection: {} as never }), 'connection'],
        [() => createLogoutQueue({ connection, name: 'a:b' }), 'name'],
        [() => createLogoutQueue({ connection, attempts: 0 }), 'attempts'],
        [
          () =>
            createLogoutWorker({
              connection: plain,
              entityId: idpEntityId,
              signing: { key: keyPair('idp') },
              store: createRedisStore({ client: connection }),
            }),
          'connection',
        ],
        [
          () =>
            createLogoutWorker({
              connection,
              entityId: '',
              signing: { key: keyPair('idp') },
              store: createRedisStore({ client: connection }),
            }),
          'entityId',
        ],
      ];
      for (const [create, path] of attempts) {
        let error: unknown;
        try {
          create();
        } catch (e) {
          error = e;
        }
        expect(isSamlError(error, 'SAML_CONFIG_INVALID'), path).toBe(true);
        expect((error as { details: { issues: { path: string[] }[] } }).details.issues[0]!.path[0]).toBe(
          path,
        );
      }
    });
  });
}
