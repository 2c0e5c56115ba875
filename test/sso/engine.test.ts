/**
 * The Single Sign-On engine without the facade or any framework: its functions
 * called with an explicit SsoContext built by hand and the memory store. The
 * session participant goes to whatever `recordSession` the context holds, so
 * the engine needs nothing of Single Logout.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, type SessionParticipant } from '../../src/index.js';
import { completeAuthnRequest } from '../../src/sso/complete-authn-request.js';
import { initiateSso } from '../../src/sso/initiate-sso.js';
import { receiveAuthnRequest } from '../../src/sso/receive-authn-request.js';
import type { SsoContext } from '../../src/sso/sso-context.js';
import { keyPair } from '../support/keys.js';
import {
  expectUnanswered,
  fixedClock,
  idpEntityId,
  idpSsoPost,
  postInput,
  secret,
  spAcsUrl,
  spProvider,
} from './support.js';

async function context(overrides: Partial<SsoContext> = {}) {
  const store = createMemoryStore();
  await store.putProvider('sp-a', spProvider({ defaultRelayState: '/home' }));
  const recorded: Parameters<SsoContext['recordSession']>[0][] = [];
  let next = 0;
  const sso: SsoContext = {
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    clock: fixedClock,
    clockSkewMs: 180_000,
    maxMessageAgeMs: 600_000,
    maxRelayStateBytes: 2048,
    settings: { secret },
    endpoints: { ssoPost: idpSsoPost },
    generateId: () => `_sso-${++next}`,
    recordSession: async (input) => {
      recorded.push(input);
      return { id: `p${recorded.length}`, ...input, createdAt: 0, expiresAt: 1 } satisfies SessionParticipant;
    },
    ...overrides,
  };
  return { sso, recorded };
}

describe('the SSO engine over an explicit context', () => {
  it('receives, completes once, and hands the issued NameID and SessionIndex to recordSession', async () => {
    const { sso, recorded } = await context();
    const received = await receiveAuthnRequest(sso, postInput({ id: '_req-1' }, { relayState: 'rs' }));
    if (!received.ok) throw received.error;
    expect(received.pending).toMatchObject({ providerId: 'sp-a', relayState: 'rs', acs: { url: spAcsUrl } });
    const reply = await completeAuthnRequest(sso, received.pending, { user: { id: 'alice' } });
    expect([reply.inResponseTo, reply.form.url, reply.status.success]).toEqual(['_req-1', spAcsUrl, true]);
    expect(recorded).toEqual([
      { providerId: 'sp-a', userId: 'alice', nameId: reply.nameId, sessionIndex: reply.sessionIndex },
    ]);
    expect(reply.participant?.id).toBe('p1');
    await expect(
      completeAuthnRequest(sso, received.pending, { user: { id: 'alice' } }),
    ).rejects.toMatchObject({
      code: 'SAML_REPLAY_DETECTED',
    });
    expect(recorded).toHaveLength(1);
  });

  it('answers a refusal with the error Response and records nobody', async () => {
    const { sso, recorded } = await context();
    const received = await receiveAuthnRequest(sso, postInput({ id: '_req-2' }));
    if (!received.ok) throw received.error;
    const reply = await completeAuthnRequest(sso, received.pending, {
      status: { code: 'Responder', subCode: 'NoPassive' },
    });
    expect([reply.status.success, reply.nameId, recorded]).toEqual([false, undefined, []]);
  });

  it('initiateSso sends an unsolicited Response with the provider default RelayState', async () => {
    const { sso, recorded } = await context();
    const reply = await initiateSso(sso, 'sp-a', { id: 'bob' });
    expect([reply.inResponseTo, reply.form.fields.RelayState]).toEqual([undefined, '/home']);
    expect(recorded.map((r) => r.userId)).toEqual(['bob']);
  });

  it('a context without an endpoint for the binding refuses with nobody to answer', async () => {
    const { sso } = await context({ endpoints: {} });
    await expectUnanswered(receiveAuthnRequest(sso, postInput()), 'SAML_BINDING_PARAMETER_INVALID');
  });
});
