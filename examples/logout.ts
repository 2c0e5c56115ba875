/**
 * SP-initiated Single Logout, end to end on 127.0.0.1.
 *
 * Three Service Providers share a user's session:
 *   - wiki  starts the logout from the browser (HTTP-Redirect), front channel
 *   - crm   is told server to server with an HTTP-POST form (back channel)
 *   - chat  is told server to server over SOAP and answers a signed LogoutResponse
 *
 * The IdP is `createIdentityProvider` behind a small node:http server. A fetch
 * with `redirect: 'manual'` plays the browser. Everything stops at the end.
 *
 * Run it: `npx vitest run test/examples.test.ts` (the test imports `main`).
 * In your own code, import from 'samlkit' instead of '../src/index.js'.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  createFetchTransport,
  createIdentityProvider,
  createMemoryStore,
  encodeRedirect,
  encodeSoap,
  isSamlError,
  type KeyPair,
  type LogoutResult,
  loadKeyPair,
  nameIdFormats,
  parseLogoutRequest,
  parseLogoutResponse,
  parseProvider,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from '../src/index.js';

const keys = new URL('../fixtures/keys/', import.meta.url);
const pem = (name: string) => readFileSync(new URL(name, keys), 'utf8');
const pair = (name: string): KeyPair =>
  loadKeyPair({ certificate: pem(`${name}.crt`), privateKey: pem(`${name}.key`) });

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;

/** A node:http server on 127.0.0.1, any free port. */
async function serve(handler: Handler): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      Promise.resolve(handler(req, body, res)).catch(() => {
        res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const stop = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export interface ExampleSummary {
  status: string;
  participants: { providerId: string; outcome: string; reason?: string }[];
  /** The ID of the wiki's LogoutRequest. */
  requestId: string;
  /** What the wiki read from the IdP's LogoutResponse. */
  wikiSaw: { status: string; inResponseTo?: string };
  /** The servers the example started (all stopped when `main` returns). */
  origins: string[];
}

export async function main(log: (line: string) => void = console.log): Promise<ExampleSummary> {
  const idpKey = pair('idp');
  const idpEntityId = 'https://idp.example.test/metadata';
  const servers: Server[] = [];
  try {
    // --- The IdP's HTTP endpoints: hand the raw request to the facade, send its reply.
    let idp!: ReturnType<typeof createIdentityProvider>;
    let outcome: LogoutResult | undefined;
    const idpHttp = await serve(async (req, body, res) => {
      const method = req.method ?? 'GET';
      const input = {
        method,
        query: req.url ?? '',
        ...(method === 'POST' ? { body } : {}),
        ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      };
      try {
        const isResponse =
          /[?&]SAMLResponse=/.test(req.url ?? '') || new URLSearchParams(body).has('SAMLResponse');
        const result = isResponse
          ? await idp.receiveLogoutResponse(input)
          : await idp.receiveLogoutRequest(input);
        // A refused message is a result: answer 400 with its code, never the message itself.
        if (!result.ok) {
          res.writeHead(400).end(result.error.code);
          return;
        }
        outcome = result;
        const reply = result.reply;
        if (reply.kind === 'redirect') res.writeHead(302, { location: reply.url }).end();
        else if (reply.kind === 'post')
          res.writeHead(200, { 'content-type': 'text/html' }).end(reply.form.html);
        else if (reply.kind === 'soap')
          res.writeHead(200, { 'content-type': reply.contentType }).end(reply.body);
        else res.writeHead(200).end('logged out');
      } catch (error) {
        res.writeHead(400).end(isSamlError(error) ? error.code : 'error');
      }
    });
    servers.push(idpHttp.server);
    const sloRedirect = `${idpHttp.origin}/slo/redirect`;

    // --- crm: back channel, HTTP-POST. Verifies our signed LogoutRequest; 200 means "logged out".
    const crm = await serve((_req, body, res) => {
      try {
        const received = receivePost(body, {
          trust: [idpKey],
          expect: { issuer: idpEntityId, destination: `${crm.origin}/slo` },
        });
        log(`crm: ending the session of ${parseLogoutRequest(received.xml).nameId?.value}`);
        res.writeHead(200).end('ok');
      } catch {
        res.writeHead(400).end();
      }
    });
    servers.push(crm.server);

    // --- chat: back channel, SOAP. Answers a LogoutResponse signed with its own key.
    const chatKey = pair('sp-b');
    const chat = await serve((_req, body, res) => {
      const received = receiveSoap(body, {
        trust: [idpKey],
        expect: { issuer: idpEntityId, destination: `${chat.origin}/soap` },
      });
      const request = parseLogoutRequest(received.xml);
      log(`chat: ending the session of ${request.nameId?.value}`);
      const response = buildLogoutResponse({ issuer: 'https://chat.example.test', inResponseTo: request.id });
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(encodeSoap(response.xml, { sign: { key: chatKey } }));
    });
    servers.push(chat.server);

    // --- wiki: the SP whose user clicks "log out". Its SLS receives the IdP's LogoutResponse.
    const wikiKey = pair('sp-a');
    let wikiSaw: ExampleSummary['wikiSaw'] = { status: 'nothing received' };
    const wiki = await serve((req, _body, res) => {
      const received = receiveRedirect(req.url ?? '', {
        trust: [idpKey],
        expect: { issuer: idpEntityId, destination: `${wiki.origin}/slo` },
      });
      const response = parseLogoutResponse(received.xml);
      wikiSaw = {
        status: response.status.code,
        ...(response.inResponseTo ? { inResponseTo: response.inResponseTo } : {}),
      };
      res.writeHead(200).end('wiki: you are logged out');
    });
    servers.push(wiki.server);

    // --- The IdP: providers, a store, a transport, and the facade.
    const store = createMemoryStore();
    const common = { signAssertion: false } as const;
    await store.putProvider(
      'wiki',
      parseProvider({
        ...common,
        entityId: 'https://wiki.example.test',
        acsUrl: `${wiki.origin}/acs`,
        slsUrl: `${wiki.origin}/slo`,
        slsBinding: 'redirect',
        logoutMethod: 'frontchannel_native',
        verificationCertificates: [wikiKey],
      }),
    );
    await store.putProvider(
      'crm',
      parseProvider({
        ...common,
        entityId: 'https://crm.example.test',
        acsUrl: `${crm.origin}/acs`,
        slsUrl: `${crm.origin}/slo`,
        slsBinding: 'post',
        logoutMethod: 'backchannel',
      }),
    );
    await store.putProvider(
      'chat',
      parseProvider({
        ...common,
        entityId: 'https://chat.example.test',
        acsUrl: `${chat.origin}/acs`,
        slsUrl: `${chat.origin}/soap`,
        slsBinding: 'soap',
        logoutMethod: 'backchannel',
        verificationCertificates: [chatKey],
      }),
    );
    idp = createIdentityProvider({
      entityId: idpEntityId,
      signing: { key: idpKey },
      store,
      endpoints: { sloRedirect, sloPost: `${idpHttp.origin}/slo/post` },
      // The example's SPs listen on http://127.0.0.1: allowed by name here; real SPs use https.
      transport: createFetchTransport({
        attempts: 2,
        timeoutMs: 2_000,
        allowTargets: ['127.0.0.1'],
        unsafeAllowHttp: true,
      }),
      onEvent: (event) => log(`event: ${event.type}`),
    });

    // --- At SSO time the IdP recorded one participant per SP.
    for (const sp of ['wiki', 'crm', 'chat']) {
      await idp.recordSession({
        providerId: sp,
        userId: 'alice',
        nameId: { value: `alice@${sp}`, format: nameIdFormats.persistent },
        sessionIndex: `_session-alice-${sp}`,
      });
    }

    // --- The wiki sends the browser to the IdP with a signed LogoutRequest...
    const request = buildLogoutRequest({
      issuer: 'https://wiki.example.test',
      destination: sloRedirect,
      nameId: { value: 'alice@wiki', format: nameIdFormats.persistent },
      sessionIndex: '_session-alice-wiki',
    });
    let url = encodeRedirect({
      type: 'SAMLRequest',
      xml: request.xml,
      destination: sloRedirect,
      relayState: 'after-logout',
      sign: { key: wikiKey },
    });
    // ...and the browser follows redirects until a page.
    for (let hop = 0; hop < 5; hop++) {
      const response = await fetch(url, { redirect: 'manual' });
      await response.text();
      const location = response.headers.get('location');
      if (response.status !== 302 || !location) break;
      url = location;
    }

    if (!outcome) throw new Error('the IdP handled nothing');
    log(`IdP: logout ${outcome.status}`);
    for (const p of outcome.participants) {
      log(`  ${p.entityId}: ${p.outcome}${p.reason ? ` (${p.reason})` : ''}`);
    }
    log(`wiki: got ${wikiSaw.status} in response to ${wikiSaw.inResponseTo}`);
    const left = await store.listParticipantsByUser('alice', Date.now());
    log(`sessions left for alice: ${left.length}`);
    return {
      status: outcome.status,
      participants: outcome.participants.map(({ providerId, outcome, reason }) => ({
        providerId,
        outcome,
        ...(reason ? { reason } : {}),
      })),
      requestId: request.id,
      wikiSaw,
      origins: [idpHttp.origin, crm.origin, chat.origin, wiki.origin],
    };
  } finally {
    await Promise.all(servers.map(stop));
  }
}
