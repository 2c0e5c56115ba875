/**
 * The Single Logout engine without the facade or any framework: its functions
 * called with an explicit SloContext built by hand, the memory store, and a
 * real SOAP SP on 127.0.0.1 for the back channel. Front-channel SPs are played
 * by samlkit's own bindings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildLogoutResponse,
  createFetchTransport,
  createMemoryStore,
  encodeRedirect,
  type LogoutEvent,
  nameIdFormats,
  parseLogoutRequest,
  parseProvider,
  type QueuedLogout,
  receiveRedirect,
} from '../../src/index.js';
import type { ChainState } from '../../src/slo/chain.js';
import type { SloContext } from '../../src/slo/context.js';
import { sameNameId } from '../../src/slo/name-id-match.js';
import { receiveLogoutRequest } from '../../src/slo/receive-logout-request.js';
import { receiveLogoutResponse } from '../../src/slo/receive-logout-response.js';
import { recordSession } from '../../src/slo/record-session.js';
import { startLogout } from '../../src/slo/start-logout.js';
import { type BackchannelSp, idpEntityId, startBackchannelSp } from '../support/backchannel-sps.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';

const sloRedirect = 'https://idp.nodes.test/slo/redirect';
const nativeEntity = 'https://native.engine.test/metadata';
const nativeSls = 'https://native.engine.test/slo';
// The SOAP SP checks times with the real clock, so the engine's clock is read once, now.
const now = new Date();

let soapSp: BackchannelSp;
beforeAll(async () => {
  soapSp = await startBackchannelSp('engine-soap', 'soap');
});
afterAll(async () => {
  await soapSp?.close();
});

/** A context as createIdentityProvider would build it, by hand: every dependency in sight. */
async function context(overrides: Partial<SloContext> = {}) {
  const events: LogoutEvent[] = [];
  let next = 0;
  const store = createMemoryStore();
  await store.putProvider(
    'native',
    parseProvider({
      entityId: nativeEntity,
      acsUrl: 'https://native.engine.test/acs',
      slsUrl: nativeSls,
      slsBinding: 'redirect',
      logoutMethod: 'frontchannel_native',
      verificationCertificates: [certificatePem('sp-a')],
    }),
  );
  await store.putProvider('soap', soapSp.provider());
  const slo: SloContext = {
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    clock: () => now,
    clockSkewMs: 180_000,
    maxMessageAgeMs: 600_000,
    maxRelayStateBytes: 2048,
    generateId: () => `_id-${++next}`,
    emit: (event) => events.push(event),
    endpoints: { sloRedirect },
    transport: createFetchTransport({ attempts: 1, allowTargets: ['127.0.0.1'], unsafeAllowHttp: true }),
    concurrency: 4,
    backchannelTimeoutMs: 5_000,
    transactionTtlMs: 60_000,
    ...overrides,
  };
  for (const providerId of ['native', 'soap']) {
    await recordSession(slo, {
      providerId,
      userId: 'alice',
      nameId: { value: `alice@${providerId}`, format: nameIdFormats.persistent },
      sessionIndex: `_s-${providerId}`,
    });
  }
  return { slo, events, store };
}

describe('the SLO engine over an explicit context', () => {
  it('startLogout tells the SOAP SP at once, stores the chain, and receiveLogoutResponse finishes it', async () => {
    const { slo, events, store } = await context();
    const started = await startLogout(slo, 'alice', { returnTo: '/bye' });
    expect(started.participants.map((p) => [p.providerId, p.outcome])).toEqual([
      ['soap', 'logged_out'],
      ['native', 'pending'],
    ]);
    expect(soapSp.received.at(-1)).toMatchObject({ nameId: 'alice@soap', sessionIndexes: ['_s-soap'] });
    expect(await store.listParticipantsByUser('alice', now.getTime())).toEqual([]);
    // The chain lives in the store, keyed by the logout id the hop carries as RelayState.
    if (started.reply.kind !== 'redirect') throw new Error('expected a redirect hop');
    const hop = receiveRedirect(started.reply.url, {
      trust: [certificate('idp')],
      expect: { issuer: idpEntityId, destination: nativeSls },
      clock: slo.clock,
    });
    expect(hop.relayState).toBe(started.logoutId);
    const stored = await store.getTransaction(started.logoutId, now.getTime());
    expect((stored!.state as ChainState).current).toMatchObject({ providerId: 'native' });

    const request = parseLogoutRequest(hop.xml);
    const answer = encodeRedirect({
      type: 'SAMLResponse',
      xml: buildLogoutResponse({
        issuer: nativeEntity,
        destination: sloRedirect,
        inResponseTo: request.id,
        issueInstant: now,
      }).xml,
      destination: sloRedirect,
      relayState: started.logoutId,
      sign: { key: keyPair('sp-a') },
    });
    const finished = await receiveLogoutResponse(slo, { method: 'GET', query: answer });
    if (!finished.ok) throw finished.error;
    expect([finished.complete, finished.status, finished.reply]).toEqual([
      true,
      'Success',
      { kind: 'done', returnTo: '/bye' },
    ]);
    expect(await store.getTransaction(started.logoutId, now.getTime())).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual([
      'participant_logged_out',
      'logout_response_received',
      'participant_logged_out',
      'logout_completed',
    ]);
  });

  it('hands back-channel deliveries to the delivery queue of the context, or fails them when it refuses', async () => {
    const taken: QueuedLogout[] = [];
    const before = soapSp.hits;
    const queued = await context({ deliveryQueue: { enqueue: async (logout) => void taken.push(logout) } });
    const result = await startLogout(queued.slo, 'alice');
    expect(result.participants.find((p) => p.providerId === 'soap')?.outcome).toBe('queued');
    expect(taken).toEqual([
      {
        logoutId: result.logoutId,
        userId: 'alice',
        deliveries: [expect.objectContaining({ providerId: 'soap', sessionIndex: '_s-soap' })],
      },
    ]);
    const refusing = await context({
      deliveryQueue: {
        enqueue: () => Promise.reject(new Error('queue down')),
      },
    });
    const failed = await startLogout(refusing.slo, 'alice');
    expect(failed.participants.find((p) => p.providerId === 'soap')).toMatchObject({
      outcome: 'failed',
      reason: 'queue_unavailable',
    });
    expect(soapSp.hits).toBe(before);
  });

  it('receiveLogoutRequest refuses, as a result, a binding the context has no endpoint for', async () => {
    const { slo, events, store } = await context({ endpoints: {} });
    const result = await receiveLogoutRequest(slo, { method: 'GET', query: 'SAMLRequest=x' });
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'SAML_BINDING_PARAMETER_INVALID' }),
    });
    expect(events).toEqual([
      { type: 'message_rejected', messageType: 'LogoutRequest', code: 'SAML_BINDING_PARAMETER_INVALID' },
    ]);
    expect(await store.listParticipantsByUser('alice', now.getTime())).toHaveLength(2);
  });

  it('recordSession refuses an unknown provider and values XML cannot carry, as SamlErrors', async () => {
    const { slo } = await context();
    const input = { providerId: 'native', userId: 'bob', nameId: { value: 'bob' }, sessionIndex: '_s' };
    await expect(recordSession(slo, { ...input, providerId: 'nobody' })).rejects.toMatchObject({
      code: 'SAML_ISSUER_UNKNOWN',
    });
    await expect(recordSession(slo, { ...input, userId: 'b\u0001' })).rejects.toMatchObject({
      code: 'SAML_INPUT_INVALID',
      details: { issues: [{ path: ['userId'], message: 'contains a character that XML cannot carry' }] },
    });
  });

  it('sameNameId reads absent qualifiers as this IdP and that SP (SAMLCore §8.3.7), and nothing else', async () => {
    const { slo, store } = await context();
    const provider = (await store.getProvider('native'))!;
    const recorded = { value: 'a', format: nameIdFormats.persistent };
    const full = { ...recorded, nameQualifier: idpEntityId, spNameQualifier: nativeEntity };
    expect(sameNameId(slo, recorded, full, provider)).toBe(true);
    expect(sameNameId(slo, recorded, { ...full, nameQualifier: 'https://other-idp' }, provider)).toBe(false);
    expect(sameNameId(slo, recorded, { ...full, spNameQualifier: 'https://other-sp' }, provider)).toBe(false);
    expect(sameNameId(slo, recorded, { value: 'a' }, provider)).toBe(false); // unspecified ≠ persistent
  });
});
