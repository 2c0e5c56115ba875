/**
 * An identity provider that only does Single Logout: sessions are recorded by
 * another system's SSO (`recordSession`), and logout runs here. Configured with
 * its SLO endpoints alone, no `sso` settings: the SSO methods are a mistake in
 * the calling code (TypeError), and a binding without an endpoint is refused.
 */
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  createIdentityProvider,
  createMemoryStore,
  encodePost,
  encodeRedirect,
  type IdentityProviderEndpoints,
  type LogoutEvent,
  nameIdFormats,
  parseLogoutResponse,
  parseProvider,
  receivePost,
} from '../../src/index.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';

const idpEntityId = 'https://idp.slo-only.test/metadata';
const sloRedirect = 'https://idp.slo-only.test/slo/redirect';
const sloPost = 'https://idp.slo-only.test/slo/post';
const spEntity = 'https://sp.slo-only.test/metadata';
const spSls = 'https://sp.slo-only.test/slo';
const nameId = { value: 'alice@sp', format: nameIdFormats.persistent };

async function sloOnly(endpoints: IdentityProviderEndpoints = { sloRedirect, sloPost }) {
  const store = createMemoryStore();
  await store.putProvider(
    'sp',
    parseProvider({
      entityId: spEntity,
      acsUrl: 'https://sp.slo-only.test/acs',
      slsUrl: spSls,
      slsBinding: 'post',
      logoutMethod: 'frontchannel_native',
      verificationCertificates: [certificatePem('sp-a')],
    }),
  );
  const events: LogoutEvent[] = [];
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints,
    onEvent: (event) => events.push(event),
  });
  await idp.recordSession({ providerId: 'sp', userId: 'alice', nameId, sessionIndex: '_s1' });
  return { idp, store, events };
}

/** The SP's signed LogoutRequest for alice's session, to `destination`. */
function logoutRequest(destination: string) {
  return buildLogoutRequest({ issuer: spEntity, destination, nameId, sessionIndex: '_s1' }).xml;
}

describe('an SLO-only identity provider', () => {
  it('needs no sso settings: an SP-initiated logout ends the session and answers the SP', async () => {
    const { idp, store } = await sloOnly();
    const form = encodePost({
      type: 'SAMLRequest',
      xml: logoutRequest(sloPost),
      destination: sloPost,
      relayState: 'rs',
      sign: { key: keyPair('sp-a') },
    });
    const result = await idp.receiveLogoutRequest({ method: 'POST', body: form.fields });
    if (!result.ok) throw result.error;
    expect([result.status, result.userId, result.complete]).toEqual(['Success', 'alice', true]);
    expect(await store.listParticipantsByUser('alice', Date.now())).toEqual([]);
    // The SP's view: a LogoutResponse signed by us, at its SLS URL, with its RelayState.
    if (result.reply.kind !== 'post') throw new Error(`expected a POST reply, got ${result.reply.kind}`);
    const answer = receivePost(result.reply.form.fields, {
      trust: [certificate('idp')],
      expect: { issuer: idpEntityId, destination: spSls },
    });
    expect(parseLogoutResponse(answer.xml).status.success).toBe(true);
    expect(answer.relayState).toBe('rs');
  });

  it('treats an SSO call as a mistake in the calling code: a TypeError, whatever the input', async () => {
    const { idp } = await sloOnly();
    const input = { method: 'GET', query: 'SAMLRequest=x' };
    await expect(idp.receiveAuthnRequest(input)).rejects.toThrow(TypeError);
    await expect(idp.respondToAuthnRequest(input, () => ({ user: { id: 'alice' } }))).rejects.toThrow(
      TypeError,
    );
    await expect(idp.initiateSso('sp', { id: 'alice' })).rejects.toThrow(/sso option/);
  });

  it('refuses a binding it has no endpoint for, before looking at the message, and changes nothing', async () => {
    const { idp, store, events } = await sloOnly({ sloPost });
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml: logoutRequest(sloRedirect),
      destination: sloRedirect,
      sign: { key: keyPair('sp-a') },
    });
    const result = await idp.receiveLogoutRequest({ method: 'GET', query: url.slice(url.indexOf('?') + 1) });
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'SAML_BINDING_PARAMETER_INVALID' }),
    });
    expect(events).toEqual([
      { type: 'message_rejected', messageType: 'LogoutRequest', code: 'SAML_BINDING_PARAMETER_INVALID' },
    ]);
    expect(await store.listParticipantsByUser('alice', Date.now())).toHaveLength(1);
  });

  it('names the provider in a refusal once the Issuer is known (here: a bad signature)', async () => {
    const { idp } = await sloOnly();
    const form = encodePost({
      type: 'SAMLRequest',
      xml: logoutRequest(sloPost),
      destination: sloPost,
      sign: { key: keyPair('sp-b') },
    });
    const result = await idp.receiveLogoutRequest({ method: 'POST', body: form.fields });
    expect(result.ok === false && [result.error.code, result.providerId]).toEqual([
      'SAML_SIGNATURE_INVALID',
      'sp',
    ]);
    // The deprecated form throws the same refusal (a message that failed verification is not remembered).
    await expect(idp.handleLogoutRequest({ method: 'POST', body: form.fields })).rejects.toMatchObject({
      code: 'SAML_SIGNATURE_INVALID',
    });
  });
});
