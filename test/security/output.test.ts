/**
 * Output side (attacks reference §11): attacker data from an incoming message
 * or a session, reflected into what the IdP sends back, never becomes markup,
 * a header or another element.
 */
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  createIdentityProvider,
  createMemoryStore,
  encodePost,
  encodeRedirect,
  nameIdFormats,
  parseLogoutRequest,
  parseLogoutResponse,
  parseProvider,
  receivePost,
  receiveRedirect,
} from '../../src/index.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';
import { clock, world } from './corpus.js';

const sp = world.providers['sp-a'];

async function idpWith(slsBinding: 'redirect' | 'post') {
  const store = createMemoryStore();
  await store.putProvider(
    'sp-a',
    parseProvider({
      entityId: sp.entityId,
      acsUrl: 'https://sp-a.example.com/acs',
      slsUrl: sp.slsUrl,
      slsBinding,
      logoutMethod: 'frontchannel_native',
      signAssertion: false,
      verificationCertificates: [certificatePem('sp-a')],
    }),
  );
  const idp = createIdentityProvider({
    entityId: world.idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints: { sloRedirect: world.endpoints.redirect, sloPost: world.endpoints.post },
    clock,
  });
  return idp;
}

const hostileRelayState = '"><script>alert(1)</script>';
const hostileNameId = '</saml:NameID><saml:NameID>admin';

function spRequest(binding: 'redirect' | 'post') {
  const { xml } = buildLogoutRequest({
    issuer: sp.entityId,
    destination: world.endpoints[binding],
    nameId: { value: hostileNameId, format: nameIdFormats.persistent },
    sessionIndex: '_s1',
    issueInstant: clock(),
  });
  const sign = { key: keyPair('sp-a') };
  if (binding === 'redirect') {
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml,
      destination: world.endpoints.redirect,
      relayState: hostileRelayState,
      sign,
    });
    return { method: 'GET', query: url };
  }
  const form = encodePost({
    type: 'SAMLRequest',
    xml,
    destination: world.endpoints.post,
    relayState: hostileRelayState,
    sign,
  });
  return { method: 'POST', body: form.fields, contentType: 'application/x-www-form-urlencoded' };
}

describe('output: reflected attacker data stays data', () => {
  it('a NameID that looks like markup is escaped in the LogoutRequest the IdP sends, and reads back exactly', async () => {
    const idp = await idpWith('redirect');
    await idp.recordSession({
      providerId: 'sp-a',
      userId: 'alice',
      nameId: { value: hostileNameId, format: nameIdFormats.persistent },
      sessionIndex: '_s1',
    });
    const result = await idp.logout('alice');
    const received = receiveRedirect((result.reply as { url: string }).url, {
      trust: [certificate('idp')],
      clock,
    });
    const request = parseLogoutRequest(received.xml);
    expect(request.nameId?.value).toBe(hostileNameId);
    expect(received.xml.match(/<saml:NameID/g)).toHaveLength(1);
  });

  it('RelayState carrying markup is HTML-escaped in the POST reply form and echoed exactly', async () => {
    const idp = await idpWith('post');
    await idp.recordSession({
      providerId: 'sp-a',
      userId: 'alice',
      nameId: { value: hostileNameId, format: nameIdFormats.persistent },
      sessionIndex: '_s1',
    });
    const result = await idp.handleLogoutRequest(spRequest('post'));
    expect(result.reply.kind).toBe('post');
    const { form } = result.reply as { form: { html: string; url: string; fields: Record<string, string> } };
    expect(form.url).toBe(sp.slsUrl);
    expect(form.html).not.toContain('<script>alert');
    expect(form.html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(form.fields.RelayState).toBe(hostileRelayState);
    const response = receivePost(form.fields, {
      trust: [certificate('idp')],
      clock,
      expect: { issuer: world.idpEntityId, destination: sp.slsUrl },
    });
    expect(response.relayState).toBe(hostileRelayState);
    expect(parseLogoutResponse(response.xml).status.success).toBe(true);
  });

  it('RelayState carrying markup is percent-encoded in the Redirect reply URL and echoed exactly', async () => {
    const idp = await idpWith('redirect');
    await idp.recordSession({
      providerId: 'sp-a',
      userId: 'alice',
      nameId: { value: hostileNameId, format: nameIdFormats.persistent },
      sessionIndex: '_s1',
    });
    const result = await idp.handleLogoutRequest(spRequest('redirect'));
    const url = (result.reply as { url: string }).url;
    expect(url.startsWith(`${sp.slsUrl}?`)).toBe(true);
    expect(url).not.toMatch(/[<>"\s]/);
    const response = receiveRedirect(url, { trust: [certificate('idp')], clock });
    expect(response.relayState).toBe(hostileRelayState);
  });
});
