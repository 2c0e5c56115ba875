/**
 * The facade's `deliveryQueue` hook, without a database: an in-memory queue
 * that keeps what it is given. The BullMQ queue behind the same port is tested
 * against Redis in bullmq.db.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  createIdentityProvider,
  createMemoryStore,
  type DeliveryQueue,
  isSamlError,
  type LogoutEvent,
  nameIdFormats,
  parseProvider,
  type QueuedLogout,
} from '../../src/index.js';
import { certificatePem, keyPair } from '../support/keys.js';

const idpEntityId = 'https://idp.queue.test/metadata';
const endpoints = { sloRedirect: 'https://idp.queue.test/slo', sloPost: 'https://idp.queue.test/slo' };

async function setup(queue: DeliveryQueue) {
  const store = createMemoryStore();
  for (const [id, binding] of [
    ['post', 'post'],
    ['soap', 'soap'],
  ] as const) {
    await store.putProvider(
      id,
      parseProvider({
        entityId: `https://${id}.queue.test/metadata`,
        acsUrl: `https://${id}.queue.test/acs`,
        slsUrl: `https://${id}.queue.test/slo`,
        slsBinding: binding,
        logoutMethod: 'backchannel',
        verificationCertificates: [certificatePem('sp-a')],
        signAssertion: false,
      }),
    );
  }
  await store.putProvider(
    'frame',
    parseProvider({
      entityId: 'https://frame.queue.test/metadata',
      acsUrl: 'https://frame.queue.test/acs',
      slsUrl: 'https://frame.queue.test/slo',
      logoutMethod: 'frontchannel_iframe',
      signAssertion: false,
    }),
  );
  const events: LogoutEvent[] = [];
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints,
    deliveryQueue: queue,
    // Nothing may be sent in process when a queue is given.
    transport: {
      send: () => {
        throw new Error('sent in process');
      },
    },
    onEvent: (event) => events.push(event),
  });
  for (const sp of ['post', 'soap', 'frame']) {
    await idp.recordSession({
      providerId: sp,
      userId: 'alice',
      nameId: { value: `alice@${sp}`, format: nameIdFormats.persistent, spNameQualifier: `q-${sp}` },
      sessionIndex: `_s-${sp}`,
    });
  }
  return { idp, store, events };
}

describe('deliveryQueue hook', () => {
  it('hands every back-channel participant to the queue, in one call, and reports them queued', async () => {
    const queued: QueuedLogout[] = [];
    const { idp, store, events } = await setup({
      enqueue: async (logout) => {
        queued.push(structuredClone(logout));
      },
    });
    const result = await idp.logout('alice');
    expect(queued).toHaveLength(1);
    expect(queued[0]!.logoutId).toBe(result.logoutId);
    expect(queued[0]!.userId).toBe('alice');
    expect(
      queued[0]!.deliveries.map((d) => [d.providerId, d.entityId, d.nameId, d.sessionIndex]).sort(),
    ).toEqual([
      [
        'post',
        'https://post.queue.test/metadata',
        { value: 'alice@post', format: nameIdFormats.persistent, spNameQualifier: 'q-post' },
        '_s-post',
      ],
      [
        'soap',
        'https://soap.queue.test/metadata',
        { value: 'alice@soap', format: nameIdFormats.persistent, spNameQualifier: 'q-soap' },
        '_s-soap',
      ],
    ]);
    expect(result.status).toBe('Success');
    expect(result.participants.map((p) => [p.providerId, p.outcome]).sort()).toEqual([
      ['frame', 'delegated'],
      ['post', 'queued'],
      ['soap', 'queued'],
    ]);
    expect(events.map((e) => e.type)).toEqual(['logout_completed']);
    // The sessions are ended before the queue delivers anything.
    expect(await store.listParticipantsByUser('alice', Date.now())).toEqual([]);
  });

  it('reports the participants failed (queue_unavailable) when the queue refuses them', async () => {
    const { idp, events } = await setup({
      enqueue: async () => {
        throw new Error('redis is down');
      },
    });
    const result = await idp.logout('alice');
    expect(result.status).toBe('PartialLogout');
    expect(
      result.participants.filter((p) => p.method === 'backchannel').map((p) => [p.outcome, p.reason]),
    ).toEqual([
      ['failed', 'queue_unavailable'],
      ['failed', 'queue_unavailable'],
    ]);
    expect(events.filter((e) => e.type === 'participant_failed')).toHaveLength(2);
  });

  it('refuses a deliveryQueue without enqueue', () => {
    let error: unknown;
    try {
      createIdentityProvider({
        entityId: idpEntityId,
        signing: { key: keyPair('idp') },
        store: createMemoryStore(),
        endpoints,
        deliveryQueue: {} as DeliveryQueue,
      });
    } catch (e) {
      error = e;
    }
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    expect((error as { details: { issues: { path: string[] }[] } }).details.issues[0]!.path).toEqual([
      'deliveryQueue',
    ]);
  });
});
