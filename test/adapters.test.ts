/**
 * The Express, Fastify and Hono examples mount the IdP's SLO endpoints; each is
 * started on 127.0.0.1 and driven with real HTTP requests, and every reply is
 * verified with the IdP certificate.
 */
import { sign as signBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenExpress } from '../examples/express.js';
import { listenFastify } from '../examples/fastify.js';
import { listenHono } from '../examples/hono.js';
import { sloPaths } from '../examples/slo-http.js';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  createIdentityProvider,
  createMemoryStore,
  encodePost,
  encodeRedirect,
  encodeSoap,
  type IdentityProvider,
  nameIdFormats,
  parseLogoutRequest,
  parseLogoutResponse,
  parseProvider,
  receivePost,
  receiveRedirect,
  receiveSoap,
  type Store,
  signatureAlgorithms,
} from '../src/index.js';
import { parsePostForm } from './e2e/support.js';
import { certificate, keyPair, privateKeyPem } from './support/keys.js';

const idpEntityId = 'https://idp.adapters.test/metadata';
const sps = {
  a: { entityId: 'https://a.adapters.test/metadata', sls: 'https://a.adapters.test/slo', key: 'sp-a' },
  b: { entityId: 'https://b.adapters.test/metadata', sls: 'https://b.adapters.test/slo', key: 'sp-b' },
  c: { entityId: 'https://c.adapters.test/metadata', sls: 'https://c.adapters.test/slo', key: 'sp-ec' },
} as const;
type Sp = keyof typeof sps;

interface Started {
  origin: string;
  close(): Promise<void>;
}

const frameworks: [string, (idp: IdentityProvider) => Promise<Started>][] = [
  ['Express', listenExpress],
  ['Fastify', listenFastify],
  ['Hono', listenHono],
];

const fromIdp = (destination: string, inResponseTo?: string) => ({
  trust: [certificate('idp')],
  expect: { issuer: idpEntityId, destination, ...(inResponseTo ? { inResponseTo } : {}) },
});

describe.each(frameworks)('%s adapter (examples/)', (_name, listen) => {
  let server: Started;
  let store: Store;
  let idp: IdentityProvider;
  let url: { redirect: string; post: string; soap: string };
  let users = 0;

  beforeAll(async () => {
    store = createMemoryStore();
    // The server needs the facade and the facade needs the server's URLs: delegate lazily.
    const lazy: IdentityProvider = {
      recordSession: (input) => idp.recordSession(input),
      handleLogoutRequest: (input) => idp.handleLogoutRequest(input),
      handleLogoutResponse: (input) => idp.handleLogoutResponse(input),
      logout: (userId, options) => idp.logout(userId, options),
      receiveAuthnRequest: (input) => idp.receiveAuthnRequest(input),
      completeAuthnRequest: (pending, decision) => idp.completeAuthnRequest(pending, decision),
      respondToAuthnRequest: (input, decide) => idp.respondToAuthnRequest(input, decide),
      initiateSso: (providerId, user, options) => idp.initiateSso(providerId, user, options),
    };
    server = await listen(lazy);
    url = {
      redirect: server.origin + sloPaths.redirect,
      post: server.origin + sloPaths.post,
      soap: server.origin + sloPaths.soap,
    };
    const common = { signAssertion: false, acsUrl: 'https://sp.adapters.test/acs' };
    await store.putProvider(
      'a',
      parseProvider({
        ...common,
        entityId: sps.a.entityId,
        slsUrl: sps.a.sls,
        slsBinding: 'redirect',
        logoutMethod: 'frontchannel_native',
        verificationCertificates: [certificate('sp-a')],
      }),
    );
    await store.putProvider(
      'b',
      parseProvider({
        ...common,
        entityId: sps.b.entityId,
        slsUrl: sps.b.sls,
        slsBinding: 'post',
        logoutMethod: 'frontchannel_native',
        verificationCertificates: [certificate('sp-b')],
      }),
    );
    await store.putProvider(
      'c',
      parseProvider({
        ...common,
        entityId: sps.c.entityId,
        slsUrl: sps.c.sls,
        slsBinding: 'redirect',
        logoutMethod: 'frontchannel_iframe',
        verificationCertificates: [certificate('sp-ec')],
      }),
    );
    idp = createIdentityProvider({
      entityId: idpEntityId,
      signing: { key: keyPair('idp') },
      store,
      endpoints: { sloRedirect: url.redirect, sloPost: url.post, sloSoap: url.soap },
      backchannel: { allowTargets: ['127.0.0.1'], unsafeAllowHttp: true }, // the SPs listen on http://127.0.0.1
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  /** A new user signed in at `at`. */
  async function signIn(...at: Sp[]): Promise<string> {
    const user = `user-${++users}`;
    for (const sp of at) {
      await idp.recordSession({
        providerId: sp,
        userId: user,
        nameId: { value: `${user}@${sp}`, format: nameIdFormats.persistent },
        sessionIndex: `_s-${user}-${sp}`,
      });
    }
    return user;
  }

  const logoutRequest = (sp: Sp, user: string, destination: string) =>
    buildLogoutRequest({
      issuer: sps[sp].entityId,
      destination,
      nameId: { value: `${user}@${sp}`, format: nameIdFormats.persistent },
      sessionIndex: `_s-${user}-${sp}`,
    });

  const get = (target: string) => fetch(target, { redirect: 'manual' });
  const postForm = (target: string, fields: Record<string, string>) =>
    fetch(target, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  it('GET /saml/slo/redirect: a signed HTTP-Redirect LogoutRequest → 302 to the SP with a signed Success', async () => {
    const user = await signIn('a');
    const request = logoutRequest('a', user, url.redirect);
    const response = await get(
      encodeRedirect({
        type: 'SAMLRequest',
        xml: request.xml,
        destination: url.redirect,
        relayState: 'back-to-a',
        sign: { key: keyPair('sp-a') },
      }),
    );
    expect(response.status).toBe(302);
    const location = response.headers.get('location')!;
    expect(location.startsWith(`${sps.a.sls}?SAMLResponse=`)).toBe(true);
    const received = receiveRedirect(location, fromIdp(sps.a.sls, request.id));
    expect(received.relayState).toBe('back-to-a');
    expect(parseLogoutResponse(received.xml).status.success).toBe(true);
    expect(await store.listParticipantsByUser(user, Date.now())).toEqual([]);
  });

  it('POST /saml/slo/post: a signed HTTP-POST LogoutRequest → an HTML form to the SP with a signed Success', async () => {
    const user = await signIn('b');
    const request = logoutRequest('b', user, url.post);
    const form = encodePost({
      type: 'SAMLRequest',
      xml: request.xml,
      destination: url.post,
      sign: { key: keyPair('sp-b') },
    });
    const response = await postForm(url.post, form.fields);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = parsePostForm(await response.text())!;
    expect(page.url).toBe(sps.b.sls);
    const received = receivePost(page.fields, fromIdp(sps.b.sls, request.id));
    expect(parseLogoutResponse(received.xml).status.success).toBe(true);
  });

  it('POST /saml/slo/soap: a signed SOAP LogoutRequest → a signed SOAP LogoutResponse', async () => {
    const user = await signIn('a');
    const request = logoutRequest('a', user, url.soap);
    const response = await fetch(url.soap, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: encodeSoap(request.xml, { sign: { key: keyPair('sp-a') } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
    const received = receiveSoap(await response.text(), {
      trust: [certificate('idp')],
      expect: { issuer: idpEntityId, inResponseTo: request.id },
    });
    expect(parseLogoutResponse(received.xml).status.success).toBe(true);
  });

  it('a native chain: the next SP answers on the POST endpoint, which routes it to handleLogoutResponse', async () => {
    const user = await signIn('a', 'b');
    const request = logoutRequest('a', user, url.redirect);
    const first = await get(
      encodeRedirect({
        type: 'SAMLRequest',
        xml: request.xml,
        destination: url.redirect,
        relayState: 'rs-a',
        sign: { key: keyPair('sp-a') },
      }),
    );
    // The IdP sends the browser on to b with a LogoutRequest (b's SLS binding is POST).
    expect(first.status).toBe(200);
    const toB = parsePostForm(await first.text())!;
    expect(toB.url).toBe(sps.b.sls);
    const forB = receivePost(toB.fields, fromIdp(sps.b.sls));
    const bRequest = parseLogoutRequest(forB.xml);
    expect(bRequest.nameId?.value).toBe(`${user}@b`);

    // b answers with its own signed LogoutResponse, carrying the chain's RelayState.
    const answer = buildLogoutResponse({
      issuer: sps.b.entityId,
      destination: url.post,
      inResponseTo: bRequest.id,
    });
    const last = await postForm(
      url.post,
      encodePost({
        type: 'SAMLResponse',
        xml: answer.xml,
        destination: url.post,
        relayState: forB.relayState!,
        sign: { key: keyPair('sp-b') },
      }).fields,
    );
    expect(last.status).toBe(302);
    const received = receiveRedirect(last.headers.get('location')!, fromIdp(sps.a.sls, request.id));
    expect(received.relayState).toBe('rs-a');
    expect(parseLogoutResponse(received.xml).status.success).toBe(true);
  });

  it('frontchannel_iframe participants: a page with one iframe per SP under a nonce CSP, then Continue', async () => {
    const user = await signIn('a', 'c');
    const request = logoutRequest('a', user, url.redirect);
    const response = await get(
      encodeRedirect({
        type: 'SAMLRequest',
        xml: request.xml,
        destination: url.redirect,
        sign: { key: keyPair('sp-a') },
      }),
    );
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1];
    const html = await response.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    const decodeAmp = (s: string) => s.replace(/&amp;/g, '&');
    const frame = decodeAmp(/<iframe hidden src="([^"]+)"/.exec(html)![1]!);
    const forC = receiveRedirect(frame, fromIdp(sps.c.sls));
    expect(parseLogoutRequest(forC.xml).nameId?.value).toBe(`${user}@c`);
    const next = decodeAmp(/<a id="next" href="([^"]+)"/.exec(html)![1]!);
    const final = receiveRedirect(next, fromIdp(sps.a.sls, request.id));
    expect(parseLogoutResponse(final.xml).status.success).toBe(true);
  });

  it('verifies the Redirect signature over the query bytes exactly as sent (a raw quote is not re-encoded)', async () => {
    const user = await signIn('a');
    const request = logoutRequest('a', user, url.redirect);
    const unsigned = encodeRedirect({ type: 'SAMLRequest', xml: request.xml, destination: url.redirect });
    const samlRequest = /[?&](SAMLRequest=[^&]+)/.exec(unsigned)![1];
    // Some SP stacks leave ' unencoded; a WHATWG URL parser would turn it into %27.
    const octets = `${samlRequest}&RelayState=it's&SigAlg=${encodeURIComponent(signatureAlgorithms.rsaSha256)}`;
    const signature = signBytes('sha256', Buffer.from(octets), privateKeyPem('sp-a')).toString('base64');
    const path = `${sloPaths.redirect}?${octets}&Signature=${encodeURIComponent(signature)}`;
    const { port } = new URL(server.origin);
    const reply = await new Promise<{ status: number; location?: string }>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ...(res.headers.location ? { location: res.headers.location } : {}),
          }),
        );
      })
        .on('error', reject)
        .end();
    });
    expect(reply.status).toBe(302);
    const received = receiveRedirect(reply.location!, fromIdp(sps.a.sls, request.id));
    expect(received.relayState).toBe("it's");
  });

  it('refuses a message it cannot verify: 400 naming the code, a SOAP Fault on SOAP, and a replay', async () => {
    const user = await signIn('a');
    const request = logoutRequest('a', user, url.redirect);
    const signed = encodeRedirect({
      type: 'SAMLRequest',
      xml: request.xml,
      destination: url.redirect,
      sign: { key: keyPair('evil') },
    });
    const refused = await get(signed);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe('Logout refused (SAML_SIGNATURE_INVALID)');
    expect(await store.listParticipantsByUser(user, Date.now())).toHaveLength(1);

    const soap = await fetch(url.soap, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: encodeSoap(logoutRequest('a', user, url.soap).xml),
    });
    expect(soap.status).toBe(500);
    const fault = await soap.text();
    expect(fault).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(fault).not.toContain(user);

    const good = encodeRedirect({
      type: 'SAMLRequest',
      xml: request.xml,
      destination: url.redirect,
      sign: { key: keyPair('sp-a') },
    });
    expect((await get(good)).status).toBe(302);
    const replay = await get(good);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toBe('Logout refused (SAML_REPLAY_DETECTED)');
  });
});
