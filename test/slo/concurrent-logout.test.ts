/**
 * Two logouts of one user at the same time, against real back-channel SPs on
 * 127.0.0.1: both list every participant, and each SP must still be sent one
 * LogoutRequest, by the logout whose delete removed its participant.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  createFetchTransport,
  createIdentityProvider,
  createMemoryStore,
  encodeRedirect,
  encodeSoap,
  type HttpInput,
  type LogoutResult,
  nameIdFormats,
  type Store,
} from '../../src/index.js';
import {
  type BackchannelSp,
  idpEndpoints,
  idpEntityId,
  spKeys,
  startBackchannelTrio,
} from '../support/backchannel-sps.js';
import { keyPair } from '../support/keys.js';

type SpName = 'post1' | 'post2' | 'soap';
const spNames: SpName[] = ['post1', 'post2', 'soap'];
let sps: Record<SpName, BackchannelSp>;

beforeAll(async () => {
  sps = await startBackchannelTrio('race-');
});
afterAll(async () => {
  await Promise.all(Object.values(sps ?? {}).map((sp) => sp.close()));
});
beforeEach(() => {
  for (const sp of Object.values(sps)) {
    sp.hits = 0;
    sp.received.length = 0;
    sp.refused.length = 0;
  }
});

/**
 * A memory store whose listParticipantsByUser holds each caller until `callers` have listed, so
 * both logouts see every participant before either deletes (the interleaving that used to tell
 * each SP twice), then lets them go on in arrival order or the reverse.
 */
function listingBarrier(callers: number, order: 'arrival' | 'reverse'): Store {
  const inner = createMemoryStore();
  const held: (() => void)[] = [];
  return {
    ...inner,
    async listParticipantsByUser(userId, now) {
      const listed = await inner.listParticipantsByUser(userId, now);
      await new Promise<void>((resolve) => {
        held.push(resolve);
        // Released on a later turn, once every holder awaits, so they go on in the order released.
        if (held.length === callers)
          setImmediate(() => {
            for (const go of order === 'arrival' ? held : held.reverse()) go();
          });
      });
      return listed;
    },
  };
}

async function setup(store: Store = createMemoryStore()) {
  for (const name of spNames) await store.putProvider(name, sps[name].provider());
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints: idpEndpoints,
    // One try per delivery: a second LogoutRequest at an SP can only come from a second logout.
    transport: createFetchTransport({ attempts: 1, allowTargets: ['127.0.0.1'], unsafeAllowHttp: true }),
  });
  for (const name of spNames) {
    await idp.recordSession({
      providerId: name,
      userId: 'alice',
      nameId: { value: `alice@${name}`, format: nameIdFormats.persistent },
      sessionIndex: `_s-alice-${name}`,
    });
  }
  return { idp, store };
}

/** The signed LogoutRequest the SP sends for alice's session there, over HTTP-Redirect or SOAP. */
function aliceLogsOutAt(name: SpName, binding: 'redirect' | 'soap'): HttpInput {
  const sp = sps[name];
  const destination = binding === 'soap' ? idpEndpoints.sloSoap : idpEndpoints.sloRedirect;
  const request = buildLogoutRequest({
    issuer: sp.entityId,
    destination,
    nameId: { value: `alice@${name}`, format: nameIdFormats.persistent },
    sessionIndex: `_s-alice-${name}`,
  });
  const key = { key: keyPair(spKeys[sp.binding]) };
  if (binding === 'soap') {
    return { method: 'POST', contentType: 'text/xml', body: encodeSoap(request.xml, { sign: key }) };
  }
  return {
    method: 'GET',
    query: encodeRedirect({
      type: 'SAMLRequest',
      xml: request.xml,
      destination,
      relayState: 'rs',
      sign: key,
    }),
  };
}

const told = (result: LogoutResult) => result.participants.map((p) => p.providerId).sort();
const receivedBy = (name: SpName) => sps[name].received.map((r) => r.sessionIndexes);

describe('concurrent logouts of one user', () => {
  it('fix: two idp.logout calls at once send each SP one LogoutRequest', async () => {
    const { idp, store } = await setup();
    const results = await Promise.all([idp.logout('alice'), idp.logout('alice')]);
    for (const name of spNames) {
      expect(receivedBy(name), name).toEqual([[`_s-alice-${name}`]]);
      expect(sps[name].refused, name).toEqual([]);
    }
    // One logout told everyone; the other found everything already ended and told no one.
    expect(results.map(told).sort()).toEqual([[], spNames]);
    expect(results.map((r) => r.status)).toEqual(['Success', 'Success']);
    expect(await store.listParticipantsByUser('alice', Date.now())).toEqual([]);
  });

  it('a store that returns no ids from deleteParticipants (an older custom store) still has every SP told', async () => {
    const inner = createMemoryStore();
    const oldContract = {
      ...inner,
      async deleteParticipants(ids: readonly string[]) {
        await inner.deleteParticipants(ids);
      },
    } as unknown as Store;
    const { idp } = await setup(oldContract);
    const result = await idp.logout('alice');
    expect(result.status).toBe('Success');
    for (const name of spNames) expect(receivedBy(name), name).toEqual([[`_s-alice-${name}`]]);
    expect(await inner.listParticipantsByUser('alice', Date.now())).toEqual([]);
  });

  for (const order of ['arrival', 'reverse'] as const) {
    it(`fix: two idp.logout calls that both listed every participant tell each SP once (${order} order)`, async () => {
      const { idp } = await setup(listingBarrier(2, order));
      const results = await Promise.all([idp.logout('alice'), idp.logout('alice')]);
      for (const name of spNames) expect(receivedBy(name), name).toEqual([[`_s-alice-${name}`]]);
      expect(results.map(told).sort()).toEqual([[], spNames]);
    });

    for (const binding of ['redirect', 'soap'] as const) {
      // idp.logout lists first (the request is verified before it lists): in arrival order it deletes first.
      const first = order === 'arrival' ? 'idp.logout' : 'the request';
      it(`fix: an SP-initiated ${binding} LogoutRequest racing idp.logout tells each other SP once (${first} deletes first)`, async () => {
        // The requester is the SOAP SP over SOAP, or post1 through the browser.
        const requester: SpName = binding === 'soap' ? 'soap' : 'post1';
        const others = spNames.filter((name) => name !== requester);
        const { idp } = await setup(listingBarrier(2, order));
        const [byIdp, bySp] = await Promise.all([
          idp.logout('alice'),
          idp.handleLogoutRequest(aliceLogsOutAt(requester, binding)),
        ]);
        for (const name of others) expect(receivedBy(name), name).toEqual([[`_s-alice-${name}`]]);
        for (const name of spNames) expect(sps[name].refused, name).toEqual([]);
        // No participant is in both results: each was told by the logout that removed it.
        const byIdpIds = byIdp.participants.map((p) => p.participantId);
        expect(bySp.participants.filter((p) => byIdpIds.includes(p.participantId))).toEqual([]);
        if (first === 'idp.logout') {
          // It removed everything: it told the requester too, and the request tells no one.
          expect(told(byIdp)).toEqual(spNames);
          expect(told(bySp)).toEqual([]);
          expect(receivedBy(requester)).toEqual([[`_s-alice-${requester}`]]);
        } else {
          // The request removed everything: it told the others, and the requester is not told.
          expect(told(byIdp)).toEqual([]);
          expect(told(bySp)).toEqual(others);
          expect(receivedBy(requester)).toEqual([]);
        }
        // The requester's session ended either way: its answer is Success.
        expect(bySp).toMatchObject({ userId: 'alice', status: 'Success', complete: true });
        expect(bySp.reply.kind).toBe(binding === 'soap' ? 'soap' : 'post');
        expect(byIdp.status).toBe('Success');
      });
    }
  }
});
