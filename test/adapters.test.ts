/**
 * The Express, Fastify and Hono examples (and plain node:http) mount the IdP's
 * endpoints from samlkit/http; each is started on 127.0.0.1 and driven with
 * real HTTP requests, and every reply is verified with the IdP certificate.
 */
import { createHash, sign as signBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samlRouter } from '../examples/express.js';
import { samlPlugin } from '../examples/fastify.js';
import { samlApp } from '../examples/hono.js';
import {
  autoSubmitScriptHash,
  createIdpHandlers,
  type IdpHandlers,
  toNodeHandler,
} from '../src/http/index.js';
import {
  buildIdpMetadata,
  buildLogoutRequest,
  buildLogoutResponse,
  createIdentityProvider,
  createMemoryStore,
  encodePost,
  encodeRedirect,
  encodeSoap,
  type IdentityProvider,
  nameIdFormats,
  type PendingAuthnRequest,
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
import { authnRequestXml } from './sso/support.js';
import { certificate, keyPair, privateKeyPem } from './support/keys.js';

const idpEntityId = 'https://idp.adapters.test/metadata';
const acsUrl = 'https://sp.adapters.test/acs';
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

function listening(server: Server): Promise<Started> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    );
  });
}

const frameworks: [string, (endpoints: IdpHandlers) => Promise<Started>][] = [
  [
    'Express',
    (endpoints) => {
      const app = express();
      app.use(samlRouter(endpoints));
      return listening(createServer(app));
    },
  ],
  [
    'Fastify',
    async (endpoints) => {
      const app = Fastify();
      await app.register(samlPlugin(endpoints));
      const origin = await app.listen({ port: 0, host: '127.0.0.1' });
      return { origin, close: () => app.close() };
    },
  ],
  [
    'Hono',
    (endpoints) => {
      const app = new Hono();
      app.route('/', samlApp(endpoints));
      return listening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', createServer }) as Server);
    },
  ],
  [
    'node:http',
    (endpoints) => {
      const routes = new Map([
        ['/saml/sso', toNodeHandler(endpoints.sso)],
        ['/saml/slo', toNodeHandler(endpoints.slo)],
        ['/saml/metadata', toNodeHandler(endpoints.metadata)],
      ]);
      const server = createServer((req, res) => {
        const handler = routes.get((req.url ?? '/').split('?')[0]!);
        if (!handler) return void res.writeHead(404).end();
        handler(req, res).catch(() => res.writeHead(500).end());
      });
      return listening(server);
    },
  ],
];

const fromIdp = (destination: string, inResponseTo?: string) => ({
  trust: [certificate('idp')],
  expect: { issuer: idpEntityId, destination, ...(inResponseTo ? { inResponseTo } : {}) },
});

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe.each(frameworks)('%s adapter (samlkit/http)', (_name, listen) => {
  let server: Started;
  let store: Store;
  let idp: IdentityProvider;
  let endpoints: IdpHandlers;
  let slo: string;
  let sso: string;
  let users = 0;
  const waiting: PendingAuthnRequest[] = [];

  beforeAll(async () => {
    store = createMemoryStore();
    // The server needs the endpoints and the facade needs the server's URLs: delegate lazily.
    server = await listen({
      sso: (request, raw) => endpoints.sso(request, raw),
      slo: (request, raw) => endpoints.slo(request, raw),
      metadata: (request) => endpoints.metadata(request),
      completeLogin: (pending, decision, options) => endpoints.completeLogin(pending, decision, options),
    });
    slo = `${server.origin}/saml/slo`;
    sso = `${server.origin}/saml/sso`;
    const common = { signAssertion: false, signResponse: true, signingKeyPair: keyPair('idp'), acsUrl };
    const register = (id: Sp, slsBinding: 'redirect' | 'post', logoutMethod: string) =>
      store.putProvider(
        id,
        parseProvider({
          ...common,
          entityId: sps[id].entityId,
          slsUrl: sps[id].sls,
          slsBinding,
          logoutMethod: logoutMethod as 'frontchannel_native',
          verificationCertificates: [certificate(sps[id].key)],
        }),
      );
    await register('a', 'redirect', 'frontchannel_native');
    await register('b', 'post', 'frontchannel_native');
    await register('c', 'redirect', 'frontchannel_iframe');
    idp = createIdentityProvider({
      entityId: idpEntityId,
      signing: { key: keyPair('idp') },
      store,
      endpoints: { sloRedirect: slo, sloPost: slo, sloSoap: slo, ssoRedirect: sso, ssoPost: sso },
      backchannel: { allowTargets: ['127.0.0.1'], unsafeAllowHttp: true }, // the SPs listen on http://127.0.0.1
      sso: { secret: 'an SSO secret of at least thirty-two bytes, for adapter tests' },
    });
    const metadata = buildIdpMetadata({
      entityId: idpEntityId,
      signingCertificates: [certificate('idp')],
      endpoints: { ssoRedirect: sso, sloRedirect: slo, sloPost: slo, sloSoap: slo },
    }).xml;
    endpoints = createIdpHandlers(idp, {
      metadata,
      // The login step stays the application's: here a header stands for a signed-in session.
      login: (pending, request) => {
        if (request.headers.get('x-test-user') === 'alice')
          return endpoints.completeLogin(pending, { user: { id: 'alice' } });
        waiting.push(pending);
        return new Response(null, { status: 302, headers: { location: '/login' } });
      },
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

  const get = (target: string, headers: Record<string, string> = {}) =>
    fetch(target, { redirect: 'manual', headers });
  const postForm = (target: string, fields: Record<string, string>) =>
    fetch(target, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  /** The page's script is the fixed one, allowed by its published hash and nothing else. */
  function expectHashedScript(response: Response, html: string) {
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; script-src '[^']+'; /);
    expect(csp).toContain(`script-src ${autoSubmitScriptHash};`);
    const scripts = [...html.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(sha256(scripts[0]!)).toBe(autoSubmitScriptHash);
    // Without script: a form page shows its Continue button, the iframe page its Continue link.
    expect(html).toMatch(
      /<noscript>.*<button type="submit">Continue<\/button><\/noscript>|<a id="continue" href=/,
    );
  }

  it('GET /saml/slo: a signed HTTP-Redirect LogoutRequest → 302 to the SP with a signed Success', async () => {
    const user = await signIn('a');
    const request = logoutRequest('a', user, slo);
    const response = await get(
      encodeRedirect({
        type: 'SAMLRequest',
        xml: request.xml,
        destination: slo,
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

  it('POST /saml/slo: a signed HTTP-POST LogoutRequest → a self-submitting form to the SP with a signed Success', async () => {
    const user = await signIn('b');
    const request = logoutRequest('b', user, slo);
    const form = encodePost({
      type: 'SAMLRequest',
      xml: request.xml,
      destination: slo,
      sign: { key: keyPair('sp-b') },
    });
    const response = await postForm(slo, form.fields);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expectHashedScript(response, html);
    const page = parsePostForm(html)!;
    expect(page.url).toBe(sps.b.sls);
    const received = receivePost(page.fields, fromIdp(sps.b.sls, request.id));
    expect(parseLogoutResponse(received.xml).status.success).toBe(true);
  });

  it('POST /saml/slo with text/xml: a signed SOAP LogoutRequest → a signed SOAP LogoutResponse', async () => {
    const user = await signIn('a');
    const request = logoutRequest('a', user, slo);
    const response = await fetch(slo, {
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

  it('a native chain: the next SP answers with a SAMLResponse, which the endpoint routes to handleLogoutResponse', async () => {
    const user = await signIn('a', 'b');
    const request = logoutRequest('a', user, slo);
    const first = await get(
      encodeRedirect({
        type: 'SAMLRequest',
        xml: request.xml,
        destination: slo,
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
      destination: slo,
      inResponseTo: bRequest.id,
    });
    const last = await postForm(
      slo,
      encodePost({
        type: 'SAMLResponse',
        xml: answer.xml,
        destination: slo,
        relayState: forB.relayState!,
        sign: { key: keyPair('sp-b') },
      }).fields,
    );
    expect(last.status).toBe(302);
    const received = receiveRedirect(last.headers.get('location')!, fromIdp(sps.a.sls, request.id));
    expect(received.relayState).toBe('rs-a');
    expect(parseLogoutResponse(received.xml).status.success).toBe(true);
  });

  it('frontchannel_iframe participants: a page with one iframe per SP under the hash CSP, then Continue', async () => {
    const user = await signIn('a', 'c');
    const request = logoutRequest('a', user, slo);
    const response = await get(
      encodeRedirect({
        type: 'SAMLRequest',
        xml: request.xml,
        destination: slo,
        sign: { key: keyPair('sp-a') },
      }),
    );
    expect(response.status).toBe(200);
    const html = await response.text();
    expectHashedScript(response, html);
    expect(response.headers.get('content-security-policy')).toContain('frame-src https:');
    const decodeAmp = (s: string) => s.replace(/&amp;/g, '&');
    const frame = decodeAmp(/<iframe hidden src="([^"]+)"/.exec(html)![1]!);
    const forC = receiveRedirect(frame, fromIdp(sps.c.sls));
    expect(parseLogoutRequest(forC.xml).nameId?.value).toBe(`${user}@c`);
    const next = decodeAmp(/<a id="continue" href="([^"]+)"/.exec(html)![1]!);
    const final = receiveRedirect(next, fromIdp(sps.a.sls, request.id));
    expect(parseLogoutResponse(final.xml).status.success).toBe(true);
  });

  it('verifies the Redirect signature over the query bytes exactly as sent (a raw quote is not re-encoded)', async () => {
    const user = await signIn('a');
    const request = logoutRequest('a', user, slo);
    const unsigned = encodeRedirect({ type: 'SAMLRequest', xml: request.xml, destination: slo });
    const samlRequest = /[?&](SAMLRequest=[^&]+)/.exec(unsigned)![1];
    // Some SP stacks leave ' unencoded; a WHATWG URL parser would turn it into %27.
    const octets = `${samlRequest}&RelayState=it's&SigAlg=${encodeURIComponent(signatureAlgorithms.rsaSha256)}`;
    const signature = signBytes('sha256', Buffer.from(octets), privateKeyPem('sp-a')).toString('base64');
    const path = `/saml/slo?${octets}&Signature=${encodeURIComponent(signature)}`;
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
    const request = logoutRequest('a', user, slo);
    const forged = encodeRedirect({
      type: 'SAMLRequest',
      xml: request.xml,
      destination: slo,
      relayState: 'echo-me-not',
      sign: { key: keyPair('evil') },
    });
    const refused = await get(forged);
    expect(refused.status).toBe(400);
    const text = await refused.text();
    expect(text).toBe('SAML message refused (SAML_SIGNATURE_INVALID)\n');
    expect(await store.listParticipantsByUser(user, Date.now())).toHaveLength(1);

    const soap = await fetch(slo, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: encodeSoap(logoutRequest('a', user, slo).xml),
    });
    expect(soap.status).toBe(500);
    const fault = await soap.text();
    expect(fault).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(fault).not.toContain(user);

    const good = encodeRedirect({
      type: 'SAMLRequest',
      xml: request.xml,
      destination: slo,
      sign: { key: keyPair('sp-a') },
    });
    expect((await get(good)).status).toBe(302);
    const replay = await get(good);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toBe('SAML message refused (SAML_REPLAY_DETECTED)\n');
  });

  const authnRequest = (relayState?: string) =>
    encodeRedirect({
      type: 'SAMLRequest',
      xml: authnRequestXml({
        id: `_authn-${++users}`,
        issuer: sps.a.entityId,
        destination: sso,
        issueInstant: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      }),
      destination: sso,
      ...(relayState ? { relayState } : {}),
      sign: { key: keyPair('sp-a') },
    });

  it('GET /saml/sso: a signed AuthnRequest from a signed-in user → a self-submitting signed Response to the ACS', async () => {
    const response = await get(authnRequest('rs-sso'), { 'x-test-user': 'alice' });
    expect(response.status).toBe(200);
    const html = await response.text();
    expectHashedScript(response, html);
    const page = parsePostForm(html)!;
    expect(page.url).toBe(acsUrl);
    expect(page.fields.RelayState).toBe('rs-sso');
    const received = receivePost(page.fields, fromIdp(acsUrl, `_authn-${users}`));
    expect(received.messageType).toBe('Response');
    expect(received.xml).toContain('<saml:NameID');
  });

  it('GET /saml/sso: otherwise the pending request goes to the login step, and completeLogin answers it', async () => {
    const before = waiting.length;
    const response = await get(authnRequest());
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/login');
    expect(waiting).toHaveLength(before + 1);
    const pending = JSON.parse(JSON.stringify(waiting.at(-1))) as PendingAuthnRequest; // kept as JSON in a session
    const done = await endpoints.completeLogin(pending, { user: { id: 'bob' } });
    expect(parsePostForm(await done.text())!.url).toBe(acsUrl);
    // Each request is answered once.
    expect((await endpoints.completeLogin(pending, { user: { id: 'bob' } })).status).toBe(400);
  });

  it('GET /saml/metadata serves the metadata document; other methods get 405', async () => {
    const response = await get(`${server.origin}/saml/metadata`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/samlmetadata\+xml/);
    expect(await response.text()).toContain(`entityID="${idpEntityId}"`);
    const put = await fetch(slo, { method: 'PUT', body: 'x' });
    expect([404, 405]).toContain(put.status);
  });
});
