/**
 * Several IdP nodes, each its own node process on the built package, sharing
 * one Redis or one PostgreSQL, as behind a load balancer: what one node saw or
 * started, the other knows. Back-channel jobs queued by one node are delivered
 * by a worker process, and a worker killed mid-delivery loses no job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  encodeRedirect,
  type LogoutResult,
  nameIdFormats,
  parseLogoutRequest,
  parseProvider,
  receiveRedirect,
  type Store,
} from '../../src/index.js';
import { createLogoutQueue } from '../../src/queue/logout-queue.js';
import { createPostgresStore } from '../../src/store/postgres.js';
import { createRedisStore } from '../../src/store/redis.js';
import { rawQuery } from '../e2e/support.js';
import {
  type BackchannelSp,
  type BackchannelTrio,
  idpEndpoints,
  idpEntityId,
  startBackchannelSp,
  startBackchannelTrio,
} from '../support/backchannel-sps.js';
import {
  connectPostgres,
  connectRedis,
  migratedSchema,
  postgresUrl,
  redisUrl,
  skipLoudly,
  uniqueName,
} from '../support/database-clients.js';
import { certificatePem, keyPair } from '../support/keys.js';
import { callNode, type NodeProcess, startNodeProcess } from '../support/node-processes.js';

const nativeSps = { n1: 'sp-a', n2: 'sp-b' } as const;
const entity = (sp: string) => `https://${sp}.nodes.test/metadata`;
const sls = (sp: string) => `https://${sp}.nodes.test/slo`;

function nativeProvider(sp: keyof typeof nativeSps) {
  return parseProvider({
    entityId: entity(sp),
    acsUrl: `https://${sp}.nodes.test/acs`,
    slsUrl: sls(sp),
    slsBinding: 'redirect',
    logoutMethod: 'frontchannel_native',
    verificationCertificates: [certificatePem(nativeSps[sp])],
    signAssertion: false,
  });
}

/** The path and raw query a browser would request at an IdP node for a redirect-binding URL. */
const onNode = (url: string) => `/slo/redirect?${rawQuery(url)}`;

/** A signed SP-initiated LogoutRequest over HTTP-Redirect. */
function spLogoutRequest(sp: keyof typeof nativeSps, user: string): string {
  const request = buildLogoutRequest({
    issuer: entity(sp),
    destination: idpEndpoints.sloRedirect,
    nameId: { value: `${user}@${sp}`, format: nameIdFormats.persistent },
    sessionIndex: `_s-${user}-${sp}`,
  });
  return encodeRedirect({
    type: 'SAMLRequest',
    xml: request.xml,
    destination: idpEndpoints.sloRedirect,
    sign: { key: keyPair(nativeSps[sp]) },
  });
}

/** The SP's side of a native hop: verify the IdP's LogoutRequest, answer a signed Success. */
function spAnswer(hopUrl: string, sp: keyof typeof nativeSps): string {
  const received = receiveRedirect(hopUrl, {
    trust: [certificatePem('idp')],
    expect: { issuer: idpEntityId, destination: sls(sp) },
  });
  const request = parseLogoutRequest(received.xml);
  const response = buildLogoutResponse({
    issuer: entity(sp),
    destination: idpEndpoints.sloRedirect,
    inResponseTo: request.id,
  });
  return encodeRedirect({
    type: 'SAMLResponse',
    xml: response.xml,
    destination: idpEndpoints.sloRedirect,
    relayState: received.relayState!,
    sign: { key: keyPair(nativeSps[sp]) },
  });
}

const resultOf = (body: Record<string, unknown>) => body.result as LogoutResult;
const hopUrl = (result: LogoutResult) => {
  expect(result.reply.kind).toBe('redirect');
  return (result.reply as { url: string }).url;
};

type Backend = { kind: 'redis'; url: string } | { kind: 'postgres'; url: string };

function describeNodes(backend: Backend) {
  describe(`two IdP node processes sharing ${backend.kind}`, () => {
    let store: Store;
    let storeConfig: Record<string, string>;
    let nodeA: NodeProcess;
    let nodeB: NodeProcess;
    let backchannel: BackchannelSp[];

    beforeAll(async () => {
      backchannel = await Promise.all([
        startBackchannelSp(`${backend.kind}-bc1`, 'post'),
        startBackchannelSp(`${backend.kind}-bc2`, 'soap'),
      ]);
      if (backend.kind === 'redis') {
        const prefix = `${uniqueName('nodes')}:`;
        store = createRedisStore({ client: connectRedis(), prefix });
        storeConfig = { kind: 'redis', url: backend.url, prefix };
      } else {
        const pool = connectPostgres();
        const schema = await migratedSchema(pool);
        store = createPostgresStore({ pool, schema });
        storeConfig = { kind: 'postgres', url: backend.url, schema };
      }
      await store.putProvider('n1', nativeProvider('n1'));
      await store.putProvider('n2', nativeProvider('n2'));
      for (const sp of backchannel) await store.putProvider(sp.name, sp.provider());
      const env = {
        SAMLKIT_NODE: JSON.stringify({ store: storeConfig, entityId: idpEntityId, endpoints: idpEndpoints }),
      };
      [nodeA, nodeB] = await Promise.all([
        startNodeProcess('./idp-node-process.mjs', env),
        startNodeProcess('./idp-node-process.mjs', env),
      ]);
    });

    afterAll(async () => {
      await Promise.all([nodeA?.stop(), nodeB?.stop()]);
      await Promise.all((backchannel ?? []).map((sp) => sp.close()));
    });

    const signIn = (node: NodeProcess, user: string, sp: string) =>
      callNode(node, '/control/session', {
        json: {
          providerId: sp,
          userId: user,
          nameId: { value: `${user}@${sp}`, format: nameIdFormats.persistent },
          sessionIndex: `_s-${user}-${sp}`,
        },
      });

    it('a LogoutRequest accepted by one node is refused as a replay by the other', async () => {
      expect((await signIn(nodeA, 'rita', 'n1')).status).toBe(200);
      const request = spLogoutRequest('n1', 'rita');
      const first = await callNode(nodeA, onNode(request));
      expect(first.status).toBe(200);
      expect(resultOf(first.body)).toMatchObject({ userId: 'rita', status: 'Success', complete: true });
      const replayed = await callNode(nodeB, onNode(request));
      expect(replayed).toEqual({ status: 400, body: { code: 'SAML_REPLAY_DETECTED' } });
      expect(await callNode(nodeA, onNode(request))).toEqual({
        status: 400,
        body: { code: 'SAML_REPLAY_DETECTED' },
      });
      // The session the first node ended is gone for both.
      expect(await store.listParticipantsByUser('rita', Date.now())).toEqual([]);
    });

    it('fix: the same user logged out on both nodes at once: each back-channel SP is told once', async () => {
      // Several users at once, so the two nodes' list-then-delete windows overlap for some of them.
      const users = Array.from({ length: 12 }, (_, i) => `racer${i}`);
      for (const user of users) for (const sp of backchannel) await signIn(nodeA, user, sp.name);
      const calls = users.flatMap((user) =>
        [nodeA, nodeB].map((node) => callNode(node, '/control/logout', { json: { userId: user } })),
      );
      const answers = await Promise.all(calls);
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      for (const sp of backchannel) {
        expect(sp.refused, sp.name).toEqual([]);
        expect(sp.received.map((r) => r.nameId).sort(), sp.name).toEqual(
          users.map((user) => `${user}@${sp.name}`).sort(),
        );
      }
      // Per user, the two logouts told the SPs between them once, not once each.
      for (const [i, user] of users.entries()) {
        const [a, b] = [resultOf(answers[2 * i]!.body), resultOf(answers[2 * i + 1]!.body)];
        expect(a.participants.length + b.participants.length, user).toBe(backchannel.length);
        expect(await store.listParticipantsByUser(user, Date.now())).toEqual([]);
      }
    });

    it('a front-channel chain started on one node is continued on the other, one step at a time', async () => {
      // Sessions recorded through different nodes land in the one store.
      await signIn(nodeA, 'chris', 'n1');
      await signIn(nodeB, 'chris', 'n2');
      const started = await callNode(nodeA, '/control/logout', { json: { userId: 'chris' } });
      const chain = resultOf(started.body);
      expect(chain).toMatchObject({ complete: false });
      expect(chain.participants.map((p) => [p.providerId, p.outcome])).toEqual([
        ['n1', 'pending'],
        ['n2', 'pending'],
      ]);
      const toN1 = hopUrl(chain);
      expect(new URL(toN1).origin + new URL(toN1).pathname).toBe(sls('n1'));

      // n1 answers twice (two distinct messages), one to each node at once: one of them advances the chain.
      const [viaB, viaA] = await Promise.all([
        callNode(nodeB, onNode(spAnswer(toN1, 'n1'))),
        callNode(nodeA, onNode(spAnswer(toN1, 'n1'))),
      ]);
      const winners = [viaB, viaA].filter((r) => r.status === 200);
      const losers = [viaB, viaA].filter((r) => r.status !== 200);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      // Lost the compare-and-set, or read the chain after it had moved on to n2.
      expect(['SAML_REPLAY_DETECTED', 'SAML_ISSUER_MISMATCH']).toContain(losers[0]!.body.code);
      const next = resultOf(winners[0]!.body);
      expect(next.participants.map((p) => [p.providerId, p.outcome])).toEqual([
        ['n1', 'logged_out'],
        ['n2', 'pending'],
      ]);
      const toN2 = hopUrl(next);
      expect(toN2.startsWith(sls('n2'))).toBe(true);

      // n2 answers to the node that did not take the last step.
      const finalNode = winners[0] === viaA ? nodeB : nodeA;
      const done = await callNode(finalNode, onNode(spAnswer(toN2, 'n2')));
      expect(done.status).toBe(200);
      expect(resultOf(done.body)).toMatchObject({
        logoutId: chain.logoutId,
        complete: true,
        status: 'Success',
      });
      expect(resultOf(done.body).reply).toEqual({ kind: 'done' });
      // The finished chain is gone: a late answer finds nothing, on either node.
      expect((await callNode(nodeA, onNode(spAnswer(toN2, 'n2')))).body.code).toBe(
        'SAML_LOGOUT_TRANSACTION_UNKNOWN',
      );
    });
  });
}

if (!redisUrl) skipLoudly('redis-server');
else describeNodes({ kind: 'redis', url: redisUrl });
if (!postgresUrl) skipLoudly('PostgreSQL');
else describeNodes({ kind: 'postgres', url: postgresUrl });

if (redisUrl) {
  describe('back-channel jobs queued by an IdP node process, delivered by worker processes', () => {
    let sps: BackchannelTrio;
    const nodes: NodeProcess[] = [];

    beforeAll(async () => {
      sps = await startBackchannelTrio('w');
    });
    afterAll(async () => {
      await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
      await Promise.all(Object.values(sps ?? {}).map((sp) => sp.close()));
    });

    it('a killed worker loses no job: its delivery is retried by the next worker, and jobs queued meanwhile run', async () => {
      const prefix = `${uniqueName('queue-nodes')}:`;
      const queueName = uniqueName('logout');
      const store = createRedisStore({ client: connectRedis(), prefix });
      for (const [name, sp] of Object.entries(sps)) await store.putProvider(name, sp.provider());
      const workerEnv = {
        SAMLKIT_WORKER: JSON.stringify({
          redisUrl,
          queueName,
          storePrefix: prefix,
          entityId: idpEntityId,
          // Short locks, so a dead worker's job is found stalled in about a second.
          lockDurationMs: 1_000,
          stalledIntervalMs: 300,
        }),
      };
      const events: Record<string, unknown>[] = [];
      const collect = (worker: NodeProcess) =>
        worker.lines.filter((l) => l.startsWith('EVENT ')).map((l) => JSON.parse(l.slice(6)));

      // post1 keeps the first request open: the worker is mid-delivery when it dies.
      sps.post1.behave = (hit) => (hit === 1 ? 'hold' : 'ok');
      // The IdP node and the first worker start together (each is a Node start).
      const [node, first] = await Promise.all([
        startNodeProcess('./idp-node-process.mjs', {
          SAMLKIT_NODE: JSON.stringify({
            store: { kind: 'redis', url: redisUrl, prefix },
            entityId: idpEntityId,
            endpoints: idpEndpoints,
            queue: { url: redisUrl, name: queueName },
          }),
        }),
        startNodeProcess('./logout-worker-process.mjs', workerEnv),
      ]);
      nodes.push(node, first);
      for (const sp of ['post1', 'post2', 'soap']) {
        await callNode(node, '/control/session', {
          json: {
            providerId: sp,
            userId: 'wendy',
            nameId: { value: `wendy@${sp}` },
            sessionIndex: `_w-${sp}`,
          },
        });
      }
      const logout = resultOf((await callNode(node, '/control/logout', { json: { userId: 'wendy' } })).body);
      expect(logout.participants.map((p) => p.outcome)).toEqual(['queued', 'queued', 'queued']);
      await sps.post1.waitForHits(1);
      // The other two were delivered by this worker; then it dies while post1 waits.
      await first.waitForLine(
        () => collect(first).filter((e) => e.type === 'participant_logged_out').length === 2,
      );
      await first.stop('SIGKILL');
      events.push(...collect(first));
      sps.post1.release(); // its client is gone: nothing is answered

      // Queued while no worker runs.
      await callNode(node, '/control/session', {
        json: {
          providerId: 'post2',
          userId: 'xena',
          nameId: { value: 'xena@post2' },
          sessionIndex: '_x-post2',
        },
      });
      const later = resultOf((await callNode(node, '/control/logout', { json: { userId: 'xena' } })).body);

      const second = await startNodeProcess('./logout-worker-process.mjs', workerEnv);
      nodes.push(second);
      const queue = createLogoutQueue({
        connection: connectRedis({ maxRetriesPerRequest: null }),
        name: queueName,
      });
      try {
        const wendy = await queue.waitForLogout(logout.logoutId, { timeoutMs: 20_000, pollMs: 50 });
        expect(wendy).toMatchObject({ complete: true, status: 'Success', userId: 'wendy' });
        expect(wendy!.participants.map((p) => [p.providerId, p.outcome])).toEqual([
          ['post1', 'logged_out'],
          ['post2', 'logged_out'],
          ['soap', 'logged_out'],
        ]);
        const xena = await queue.waitForLogout(later.logoutId, { timeoutMs: 20_000, pollMs: 50 });
        expect(xena).toMatchObject({ complete: true, status: 'Success' });
      } finally {
        await queue.close();
      }
      // post1 got the held request, then the same delivery again from the second worker.
      expect(sps.post1.hits).toBe(2);
      expect(sps.post1.received.map((r) => r.sessionIndexes)).toEqual([['_w-post1'], ['_w-post1']]);
      // Delivery is at least once: a job the first worker finished but had not yet marked done runs again.
      expect([...new Set(sps.post2.received.map((r) => r.nameId))].sort()).toEqual([
        'wendy@post2',
        'xena@post2',
      ]);
      for (const sp of Object.values(sps)) expect(sp.refused).toEqual([]);

      // Outcomes reached the workers' onEvent once each, across both processes.
      for (const id of [logout.logoutId, later.logoutId]) {
        await second.waitForLine((l) => l.includes('"backchannel_completed"') && l.includes(id));
      }
      events.push(...collect(second));
      const ofWendy = events.filter((e) => e.logoutId === logout.logoutId);
      expect(ofWendy.filter((e) => e.type === 'participant_logged_out')).toHaveLength(3);
      expect(ofWendy.filter((e) => e.type === 'backchannel_completed')).toEqual([
        expect.objectContaining({ userId: 'wendy', status: 'Success' }),
      ]);
      expect(
        collect(second).some((e) => e.type === 'participant_logged_out' && e.logoutId === logout.logoutId),
      ).toBe(true);
    });
  });
}
