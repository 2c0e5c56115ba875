/**
 * An identity provider that only does Single Sign-On: configured with its SSO
 * endpoints and settings alone, no Single Logout endpoint. It signs users in,
 * records their sessions (so logout can be added later), and refuses logout
 * messages as a binding it does not serve.
 */
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  createIdentityProvider,
  createMemoryStore,
  encodePost,
  encodeRedirect,
  encodeSoap,
  isSamlError,
  type LogoutEvent,
} from '../../src/index.js';
import { signedParts } from '../../src/testing/index.js';
import {
  fixedClock,
  idpEntityId,
  idpSloUrl,
  idpSsoPost,
  idpSsoRedirect,
  postInput,
  redirectInput,
  responseXmlOf,
  secret,
  spAcsUrl,
  spEntityId,
  spProvider,
} from '../sso/support.js';
import { certificate, keyPair } from '../support/keys.js';

async function ssoOnly(endpoints: { ssoRedirect?: string; ssoPost?: string } = { ssoPost: idpSsoPost }) {
  const store = createMemoryStore();
  await store.putProvider('sp-a', spProvider());
  const events: LogoutEvent[] = [];
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints,
    sso: { secret },
    clock: fixedClock,
    onEvent: (event) => events.push(event),
  });
  return { idp, store, events };
}

describe('an SSO-only identity provider', () => {
  it('needs no Single Logout endpoint, and signs a user in from an SP-initiated request', async () => {
    const { idp, store } = await ssoOnly();
    const received = await idp.receiveAuthnRequest(postInput({}, { relayState: 'back-to' }));
    if (!received.ok) throw received.error;
    const reply = await idp.completeAuthnRequest(received.pending, {
      user: { id: 'alice', email: 'alice@example.com' },
    });
    expect(reply.status.success).toBe(true);
    // The SP's view: an assertion it can verify with our certificate, at its ACS, with its RelayState.
    const parts = signedParts(responseXmlOf(reply.form.fields), { trust: [certificate('idp')] });
    expect(parts).toEqual([expect.objectContaining({ valid: true })]);
    expect(parts[0]!.path).toContain('Assertion');
    expect(reply.form.url).toBe(spAcsUrl);
    expect(reply.form.fields.RelayState).toBe('back-to');
    // The session is still recorded: adding Single Logout later reaches this SP.
    const sessions = await store.listParticipantsByUser('alice', fixedClock().getTime());
    expect(sessions.map((s) => s.providerId)).toEqual(['sp-a']);
  });

  it('serves only the SSO bindings it has an endpoint for', async () => {
    const { idp } = await ssoOnly({ ssoRedirect: idpSsoRedirect });
    expect((await idp.receiveAuthnRequest(redirectInput())).ok).toBe(true);
    const post = await idp.receiveAuthnRequest(postInput({ id: '_post' }));
    expect(post.ok).toBe(false);
    expect(post.ok === false && post.error.code).toBe('SAML_BINDING_PARAMETER_INVALID');
  });

  it('refuses logout messages as results, on every binding, and changes nothing', async () => {
    const { idp, store, events } = await ssoOnly();
    await idp.initiateSso('sp-a', { id: 'alice', email: 'alice@example.com' });
    const request = buildLogoutRequest({
      issuer: spEntityId,
      destination: idpSloUrl,
      nameId: { value: 'alice@example.com' },
      sessionIndex: 'any',
    });
    const signed = { key: keyPair('sp-a') };
    const redirect = encodeRedirect({
      type: 'SAMLRequest',
      xml: request.xml,
      destination: idpSloUrl,
      sign: signed,
    });
    const post = encodePost({ type: 'SAMLRequest', xml: request.xml, destination: idpSloUrl, sign: signed });
    const inputs = [
      { method: 'GET', query: redirect.slice(redirect.indexOf('?') + 1) },
      { method: 'POST', body: post.fields },
      { method: 'POST', contentType: 'text/xml', body: encodeSoap(request.xml, { sign: signed }) },
    ];
    for (const input of inputs) {
      const result = await idp.receiveLogoutRequest(input);
      expect(result.ok).toBe(false);
      expect(result.ok === false && result.error.code).toBe('SAML_BINDING_PARAMETER_INVALID');
    }
    expect(events.map((e) => e.type)).toEqual(['message_rejected', 'message_rejected', 'message_rejected']);
    expect(await store.listParticipantsByUser('alice', fixedClock().getTime())).toHaveLength(1);
  });

  it('still ends sessions by IdP-initiated logout, which needs no endpoint of its own', async () => {
    const { idp, store } = await ssoOnly();
    await idp.initiateSso('sp-a', { id: 'alice', email: 'alice@example.com' });
    const result = await idp.logout('alice');
    // sp-a logs out in an iframe (authentik's default method): a signed request for the page to render.
    expect(result.participants.map((p) => [p.providerId, p.outcome])).toEqual([['sp-a', 'delegated']]);
    expect(result.iframes).toHaveLength(1);
    expect(result.complete).toBe(true);
    expect(await store.listParticipantsByUser('alice', fixedClock().getTime())).toEqual([]);
  });

  it('refuses an SSO endpoint without the sso settings when it is created', () => {
    let caught: unknown;
    try {
      createIdentityProvider({
        entityId: idpEntityId,
        signing: { key: keyPair('idp') },
        store: createMemoryStore(),
        endpoints: { ssoPost: idpSsoPost },
      });
    } catch (error) {
      caught = error;
    }
    expect(isSamlError(caught, 'SAML_CONFIG_INVALID') && caught.details?.issues).toEqual([
      { path: ['sso'], message: 'is required with endpoints.ssoPost' },
    ]);
  });
});
