/**
 * Single Sign-On, end to end on 127.0.0.1.
 *
 * - wiki (an SP played by @node-saml/node-saml) sends the browser to the IdP
 *   with a signed AuthnRequest (HTTP-Redirect). The IdP checks it, keeps it
 *   while the user logs in, then answers with a signed Response by HTTP-POST
 *   to the wiki's registered ACS. The wiki gets the user's email address.
 * - crm (another node-saml SP) is then opened from the IdP's app list:
 *   IdP-initiated SSO, an unsolicited Response with a pairwise persistent NameID.
 *
 * The IdP is `createIdentityProvider` behind a small node:http server with an
 * in-memory login page. A fetch with `redirect: 'manual'` plays the browser,
 * including submitting the auto-post form. Everything stops at the end.
 *
 * Run it: `npx vitest run test/examples.test.ts` (the test imports `main`).
 * In your own code, import from 'samlkit' instead of '../src/index.js'.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import {
  authnContextClasses,
  createIdentityProvider,
  createMemoryStore,
  isSamlError,
  type KeyPair,
  loadKeyPair,
  nameIdFormats,
  type PendingAuthnRequest,
  parseProvider,
  type SsoReply,
  type SsoUser,
} from '../src/index.js';

const keys = new URL('../fixtures/keys/', import.meta.url);
const pem = (name: string) => readFileSync(new URL(name, keys), 'utf8');
const pair = (name: string): KeyPair =>
  loadKeyPair({ certificate: pem(`${name}.crt`), privateKey: pem(`${name}.key`) });

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => unknown;

async function serve(handler: Handler): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      Promise.resolve(handler(req, body, res)).catch(() => res.writeHead(500).end());
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

/** What a browser does with an auto-post page: submit the form's hidden fields to its action. */
async function submitForm(html: string): Promise<Response> {
  const decodeHtml = (text: string) =>
    text
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const action = decodeHtml(/<form [^>]*action="([^"]*)"/.exec(html)?.[1] ?? '');
  const fields = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/>/g))
    fields.append(decodeHtml(name!), decodeHtml(value!));
  return fetch(action, {
    method: 'POST',
    body: fields,
    redirect: 'manual',
  });
}

export interface SsoExampleSummary {
  /** What the wiki read from the Response (SP-initiated). */
  wiki: { nameID: string; nameIDFormat: string; email: unknown; groups: unknown };
  /** What the crm read (IdP-initiated). */
  crm: { nameID: string; nameIDFormat: string; relayState: string | undefined };
  /** SPs alice now has a session participant at, for Single Logout. */
  participants: string[];
  origins: string[];
}

export async function main(log: (line: string) => void = console.log): Promise<SsoExampleSummary> {
  const idpKey = pair('idp');
  const idpEntityId = 'https://idp.example.test/metadata';
  const servers: Server[] = [];
  try {
    // --- The IdP: its HTTP server, a login page, and sessions kept in memory.
    const users: Record<string, Omit<SsoUser, 'sessionId' | 'authnInstant'>> = {
      alice: {
        id: 'user-0001',
        email: 'alice@example.test',
        attributes: [
          { name: 'email', values: 'alice@example.test' },
          { name: 'groups', values: ['staff', 'wiki-editors'] },
        ],
      },
    };
    const sessions = new Map<string, { user: SsoUser }>();
    const waiting = new Map<string, PendingAuthnRequest>();
    let idp!: ReturnType<typeof createIdentityProvider>;

    const send = (res: ServerResponse, reply: SsoReply) =>
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(reply.form.html);
    const sessionOf = (req: IncomingMessage) =>
      sessions.get(/idp_session=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '');

    const idpHttp = await serve(async (req, body, res) => {
      const url = new URL(req.url ?? '/', 'http://idp');
      try {
        if (url.pathname === '/sso/redirect' || url.pathname === '/sso/post') {
          const method = req.method ?? 'GET';
          const result = await idp.receiveAuthnRequest({
            method,
            query: req.url ?? '',
            ...(method === 'POST' ? { body } : {}),
          });
          // A request the SP should hear about is answered at its registered ACS.
          if (!result.ok)
            return result.reply ? send(res, result.reply) : res.writeHead(400).end(result.error.code);
          const { pending } = result;
          log(`IdP: AuthnRequest ${pending.request.id} from ${pending.request.issuer.value}`);
          const session = sessionOf(req);
          if (session && !pending.request.forceAuthn)
            return send(res, await idp.completeAuthnRequest(pending, session));
          if (pending.request.isPassive)
            return send(
              res,
              await idp.completeAuthnRequest(pending, {
                status: { code: 'Responder', subCode: 'NoPassive' },
              }),
            );
          // Keep the verified request (plain data) while the user logs in.
          const state = randomUUID();
          waiting.set(state, pending);
          return res.writeHead(302, { location: `/login?state=${state}` }).end();
        }
        if (url.pathname === '/login' && req.method === 'POST') {
          const form = new URLSearchParams(body);
          const known = users[form.get('username') ?? ''];
          const pending = waiting.get(form.get('state') ?? '');
          if (!known || form.get('password') !== 'correct horse' || !pending) return res.writeHead(401).end();
          waiting.delete(form.get('state')!);
          const sessionId = randomUUID();
          const user: SsoUser = {
            ...known,
            sessionId,
            authnInstant: new Date(),
            authnContextClassRef: authnContextClasses.passwordProtectedTransport,
          };
          sessions.set(sessionId, { user });
          log(`IdP: ${form.get('username')} logged in`);
          const reply = await idp.completeAuthnRequest(pending, { user });
          res.setHeader('set-cookie', `idp_session=${sessionId}; HttpOnly; SameSite=Lax`);
          return send(res, reply);
        }
        if (url.pathname === '/init') {
          // IdP-initiated: the user picks an app from the IdP's portal.
          const session = sessionOf(req);
          if (!session) return res.writeHead(401).end();
          return send(res, await idp.initiateSso(url.searchParams.get('sp') ?? '', session.user));
        }
        res.writeHead(404).end();
      } catch (error) {
        res.writeHead(400).end(isSamlError(error) ? error.code : 'error');
      }
    });
    servers.push(idpHttp.server);
    const ssoRedirect = `${idpHttp.origin}/sso/redirect`;

    // --- Two SPs played by node-saml; each ACS validates the Response and greets the user.
    const greetings: Record<string, Awaited<ReturnType<SAML['validatePostResponseAsync']>>['profile']> = {};
    const sp = async (name: string, options: Partial<ConstructorParameters<typeof SAML>[0]>) => {
      let saml!: SAML;
      const http = await serve(async (req, body, res) => {
        if (req.url === '/login') {
          return res
            .writeHead(302, { location: await saml.getAuthorizeUrlAsync('/home', undefined, {}) })
            .end();
        }
        const { profile } = await saml.validatePostResponseAsync(
          Object.fromEntries(new URLSearchParams(body)),
        );
        greetings[name] = profile;
        res.writeHead(200).end(`${name}: welcome ${profile?.nameID}`);
      });
      servers.push(http.server);
      saml = new SAML({
        callbackUrl: `${http.origin}/acs`,
        entryPoint: ssoRedirect,
        issuer: `https://${name}.example.test`,
        audience: `https://${name}.example.test`,
        idpCert: idpKey.certificatePem,
        idpIssuer: idpEntityId,
        wantAuthnResponseSigned: false,
        wantAssertionsSigned: true,
        ...options,
      });
      return http;
    };
    const wiki = await sp('wiki', {
      privateKey: pem('sp-a.key'),
      signatureAlgorithm: 'sha256',
      validateInResponseTo: ValidateInResponseTo.always,
    });
    const crm = await sp('crm', {
      identifierFormat: nameIdFormats.persistent,
      validateInResponseTo: ValidateInResponseTo.ifPresent,
    });

    // --- The IdP's registrations and the facade.
    const store = createMemoryStore();
    await store.putProvider(
      'wiki',
      parseProvider({
        entityId: 'https://wiki.example.test',
        acsUrl: `${wiki.origin}/acs`,
        spBinding: 'post',
        // The format the wiki asks for; a NameID is issued only in a format the SP is registered for.
        defaultNameIdPolicy: nameIdFormats.emailAddress,
        signingKeyPair: idpKey,
        verificationCertificates: [pem('sp-a.crt')],
      }),
    );
    await store.putProvider(
      'crm',
      parseProvider({
        entityId: 'https://crm.example.test',
        acsUrl: `${crm.origin}/acs`,
        spBinding: 'post',
        signingKeyPair: idpKey,
        defaultNameIdPolicy: nameIdFormats.persistent,
        defaultRelayState: '/dashboard',
      }),
    );
    idp = createIdentityProvider({
      entityId: idpEntityId,
      signing: { key: idpKey },
      store,
      endpoints: {
        ssoRedirect,
        ssoPost: `${idpHttp.origin}/sso/post`,
        sloRedirect: `${idpHttp.origin}/slo/redirect`,
        sloPost: `${idpHttp.origin}/slo/post`,
      },
      // In production: a long random secret from your secret store, never changed.
      sso: { secret: 'example secret: use 32+ random bytes from your secret store' },
    });

    // --- SP-initiated: the browser opens the wiki, lands on the IdP, logs in, posts back.
    let response = await fetch(`${wiki.origin}/login`, { redirect: 'manual' });
    response = await fetch(response.headers.get('location')!, { redirect: 'manual' });
    const state = new URL(response.headers.get('location')!, idpHttp.origin).searchParams.get('state')!;
    response = await fetch(`${idpHttp.origin}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'alice', password: 'correct horse', state }),
      redirect: 'manual',
    });
    const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
    log(await (await submitForm(await response.text())).text());

    // --- IdP-initiated: from the IdP portal, alice opens the crm.
    response = await fetch(`${idpHttp.origin}/init?sp=crm`, { headers: { cookie } });
    const portalPage = await response.text();
    const relayState = /name="RelayState" value="([^"]*)"/.exec(portalPage)?.[1];
    log(await (await submitForm(portalPage)).text());

    const participants = (await store.listParticipantsByUser('user-0001', Date.now()))
      .map((p) => p.providerId)
      .sort();
    log(`IdP: alice has sessions at ${participants.join(', ')}`);
    const wikiProfile = greetings.wiki!;
    const crmProfile = greetings.crm!;
    return {
      wiki: {
        nameID: wikiProfile.nameID,
        nameIDFormat: wikiProfile.nameIDFormat,
        email: wikiProfile.email,
        groups: wikiProfile.groups,
      },
      crm: { nameID: crmProfile.nameID, nameIDFormat: crmProfile.nameIDFormat, relayState },
      participants,
      origins: [idpHttp.origin, wiki.origin, crm.origin],
    };
  } finally {
    await Promise.all(servers.map(stop));
  }
}
