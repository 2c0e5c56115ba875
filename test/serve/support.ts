/**
 * What the serve tests drive startIdp with: a small browser over fetch (a
 * cookie jar, redirects followed, self-posting forms submitted) and SPs played
 * by @node-saml/node-saml on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CacheProvider, SAML, type SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import { afterAll } from 'vitest';
import { readFixture } from '../support/keys.js';

const decodeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The fields of the first form on a page, and where it posts. */
export function readFormOf(html: string, index = 0): { action: string; fields: Record<string, string> } {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const form = forms[index];
  if (!form) throw new Error(`no form ${index} on the page: ${html.slice(0, 400)}`);
  const action = decodeHtml(/action="([^"]*)"/.exec(form[1]!)?.[1] ?? '');
  const fields: Record<string, string> = {};
  for (const [, attributes] of form[2]!.matchAll(/<input\b([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(attributes!)?.[1];
    const value = /value="([^"]*)"/.exec(attributes!)?.[1] ?? '';
    if (name !== undefined) fields[decodeHtml(name)] = decodeHtml(value);
  }
  return { action, fields };
}

/** One page the browser ended on. */
export interface Visit {
  url: string;
  status: number;
  html: string;
  headers: Headers;
  /** Every URL visited on the way, in order. */
  trail: string[];
}

/**
 * A browser in miniature: keeps cookies per host (as browsers do, across
 * ports), follows redirects, and submits forms marked `data-auto-submit` (what
 * the page's script does); iframes it loads too, as a browser would.
 */
export class Browser {
  readonly cookies = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.cookies.get(new URL(url).hostname)?.get(name);
  }

  private store(url: string, headers: Headers): void {
    const host = new URL(url).hostname;
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    this.cookies.set(host, jar);
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const equals = pair!.indexOf('=');
      const name = pair!.slice(0, equals).trim();
      const value = pair!.slice(equals + 1).trim();
      if (/;\s*Max-Age=0/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }

  private header(url: string): Record<string, string> {
    const jar = this.cookies.get(new URL(url).hostname);
    if (!jar || jar.size === 0) return {};
    return { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') };
  }

  /** One request, no redirect followed. */
  async request(
    url: string,
    init: {
      method?: string;
      form?: Record<string, string>;
      body?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const body = init.form ? new URLSearchParams(init.form).toString() : init.body;
    const response = await fetch(url, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      redirect: 'manual',
      headers: {
        ...this.header(url),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    this.store(url, response.headers);
    return response;
  }

  /** Navigates like a user would: redirects, self-posting forms and iframes included. */
  async open(url: string, init: { form?: Record<string, string> } = {}): Promise<Visit> {
    const trail: string[] = [];
    let next: { url: string; form?: Record<string, string> } | undefined = { url, ...init };
    for (let hops = 0; hops < 30 && next; hops += 1) {
      trail.push(next.url);
      const response = await this.request(next.url, next.form ? { form: next.form } : {});
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        next = { url: new URL(location, next.url).toString() };
        continue;
      }
      const html = await response.text();
      for (const [, src] of html.matchAll(/<iframe hidden src="([^"]*)"/g))
        await this.open(new URL(decodeHtml(src!), next.url).toString());
      const framed = [
        ...html.matchAll(
          /<form hidden method="post" target="[^"]*" action="([^"]*)" data-auto-submit>([\s\S]*?)<\/form>/g,
        ),
      ];
      for (const [whole] of framed) {
        const form = readFormOf(whole);
        await this.open(new URL(form.action, next.url).toString(), { form: form.fields });
      }
      const auto = /<form method="post" action="([^"]*)" data-auto-submit>/.test(html);
      const continueButton = /<(?:a|button) id="continue"/.test(html);
      if (auto) {
        const form = readFormOf(html);
        next = { url: new URL(form.action, next.url).toString(), form: form.fields };
        continue;
      }
      if (continueButton) {
        const link = /<a id="continue" href="([^"]*)"/.exec(html);
        if (link) next = { url: new URL(decodeHtml(link[1]!), next.url).toString() };
        else {
          const form = readFormOf(
            html,
            html.slice(0, html.indexOf('id="continue"')).split('<form').length - 2,
          );
          next = { url: new URL(form.action, next.url).toString(), form: form.fields };
        }
        continue;
      }
      return { url: next.url, status: response.status, html, headers: response.headers, trail };
    }
    throw new Error(`too many hops: ${trail.join(' → ')}`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** An SP played by node-saml: /login starts SP-initiated SSO, /acs signs in, /logout starts SLO, /slo answers it. */
export interface NodeSamlSp {
  origin: string;
  entityId: string;
  /** Its metadata, for the IdP to register. */
  metadata: string;
  /** Points the SP at the IdP (its SSO and SLO URL and certificate). */
  trust(idp: { url: string; entityId: string; certificate: string }, options?: Partial<SamlConfig>): void;
  /** Every ACS outcome: the profile, or the error node-saml refused the Response with. */
  outcomes: (
    | { ok: true; nameID: string; attributes: Record<string, unknown>; sessionIndex?: string }
    | { ok: false; error: string }
  )[];
  /** Users signed in at this SP right now, by its session cookie. */
  sessions: Map<string, { nameID: string; nameIDFormat: string; sessionIndex?: string }>;
  /** LogoutRequests the SP received from the IdP (front channel). */
  logoutRequests: string[];
}

/** Starts a node-saml SP on 127.0.0.1. `slo` chooses how its SingleLogoutService is published. */
export async function startNodeSamlSp(
  name: string,
  options: { key?: 'sp-a' | 'sp-b' } = {},
): Promise<NodeSamlSp> {
  const keyName = options.key ?? 'sp-a';
  const privateKey = readFixture(`keys/${keyName}.key`);
  const certificatePem = readFixture(`keys/${keyName}.crt`);
  let saml: SAML | undefined;
  let config: SamlConfig | undefined;
  // One InResponseTo cache for the SP, shared by the clients made for ForceAuthn or IsPassive requests.
  const cache = new Map<string, string>();
  const cacheProvider: CacheProvider = {
    saveAsync: async (key, value) => {
      cache.set(key, value);
      return { value, createdAt: Date.now() };
    },
    getAsync: async (key) => cache.get(key) ?? null,
    removeAsync: async (key) => (key !== null && cache.delete(key) ? key : null),
  };
  const outcomes: NodeSamlSp['outcomes'] = [];
  const sessions: NodeSamlSp['sessions'] = new Map();
  const logoutRequests: string[] = [];
  let counter = 0;
  const cookieName = `sp_${name}`;
  const sessionOf = (req: IncomingMessage) =>
    sessions.get(new RegExp(`${cookieName}=(\\w+)`).exec(req.headers.cookie ?? '')?.[1] ?? '');

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sp');
    const body = await readBody(req);
    if (!saml) return res.writeHead(503).end('not configured');
    if (url.pathname === '/login') {
      const force = url.searchParams.has('force');
      const passive = url.searchParams.has('passive');
      const relay = url.searchParams.get('relay') ?? '/home';
      // ForceAuthn and IsPassive are node-saml settings: a client configured for this one request.
      const client = force || passive ? new SAML({ ...config!, forceAuthn: force, passive }) : saml;
      const target = await client.getAuthorizeUrlAsync(relay, undefined, {});
      return res.writeHead(302, { location: target }).end();
    }
    if (url.pathname === '/acs') {
      try {
        const fields = Object.fromEntries(new URLSearchParams(body));
        const { profile } = await saml.validatePostResponseAsync(fields);
        if (!profile) throw new Error('no profile');
        counter += 1;
        const id = `s${counter}`;
        sessions.set(id, {
          nameID: profile.nameID,
          nameIDFormat: profile.nameIDFormat,
          ...(profile.sessionIndex === undefined ? {} : { sessionIndex: profile.sessionIndex }),
        });
        outcomes.push({
          ok: true,
          nameID: profile.nameID,
          attributes: (profile.attributes ?? {}) as Record<string, unknown>,
          ...(profile.sessionIndex === undefined ? {} : { sessionIndex: profile.sessionIndex }),
        });
        return res
          .writeHead(200, {
            'set-cookie': `${cookieName}=${id}; Path=/; HttpOnly`,
            'content-type': 'text/plain',
          })
          .end(`${name}: welcome ${profile.nameID} (relay ${fields.RelayState ?? ''})`);
      } catch (error) {
        outcomes.push({ ok: false, error: (error as Error).message });
        return res
          .writeHead(403, { 'content-type': 'text/plain' })
          .end(`${name}: refused: ${(error as Error).message}`);
      }
    }
    if (url.pathname === '/home') {
      const session = sessionOf(req);
      return res
        .writeHead(session ? 200 : 401)
        .end(session ? `${name}: signed in as ${session.nameID}` : `${name}: signed out`);
    }
    if (url.pathname === '/logout') {
      const session = sessionOf(req);
      if (!session) return res.writeHead(401).end('not signed in');
      const target = await saml.getLogoutUrlAsync(
        {
          issuer: '',
          nameID: session.nameID,
          nameIDFormat: session.nameIDFormat,
          ...(session.sessionIndex ? { sessionIndex: session.sessionIndex } : {}),
        },
        '/bye',
        {},
      );
      return res.writeHead(302, { location: target }).end();
    }
    if (url.pathname === '/slo') {
      // The IdP uses the binding the metadata publishes (HTTP-POST for node-saml); Redirect works too.
      const post = req.method === 'POST';
      const fields: Record<string, string> = post
        ? Object.fromEntries(new URLSearchParams(body))
        : Object.fromEntries(url.searchParams);
      const raw = (req.url ?? '').split('?')[1] ?? '';
      try {
        if (fields.SAMLRequest) {
          const { profile } = post
            ? await saml.validatePostRequestAsync(fields)
            : await saml.validateRedirectAsync(fields, raw);
          logoutRequests.push(profile?.nameID ?? '');
          for (const [id, session] of sessions) if (session.nameID === profile?.nameID) sessions.delete(id);
          const target = await saml.getLogoutResponseUrlAsync(profile!, fields.RelayState ?? '', {}, true);
          return res.writeHead(302, { location: target }).end();
        }
        // node-saml looks for InResponseTo on a Response element only: a LogoutResponse is checked without it.
        const client = new SAML({ ...config!, validateInResponseTo: ValidateInResponseTo.never });
        const result = post
          ? await client.validatePostResponseAsync(fields)
          : await saml.validateRedirectAsync(fields, raw);
        if (post && !(result as { loggedOut?: boolean }).loggedOut) throw new Error('not a LogoutResponse');
        for (const [id] of sessions)
          if (new RegExp(`${cookieName}=${id}\\b`).test(req.headers.cookie ?? '')) sessions.delete(id);
        return res
          .writeHead(200, { 'set-cookie': `${cookieName}=; Path=/; Max-Age=0` })
          .end(`${name}: logged out`);
      } catch (error) {
        return res.writeHead(400).end(`${name}: slo refused: ${(error as Error).message}`);
      }
    }
    return res.writeHead(404).end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${origin}/metadata`;
  const base: SamlConfig = {
    callbackUrl: `${origin}/acs`,
    logoutCallbackUrl: `${origin}/slo`,
    issuer: entityId,
    audience: entityId,
    idpCert: certificatePem,
    privateKey,
    signatureAlgorithm: 'sha256',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    acceptedClockSkewMs: 5_000,
    cacheProvider,
  };
  const metadata = new SAML(base).generateServiceProviderMetadata(null, certificatePem);
  return {
    origin,
    entityId,
    metadata,
    outcomes,
    sessions,
    logoutRequests,
    trust(idp, extra = {}) {
      config = {
        ...base,
        entryPoint: `${idp.url}/sso`,
        logoutUrl: `${idp.url}/slo`,
        idpIssuer: idp.entityId,
        idpCert: idp.certificate,
        ...extra,
      };
      saml = new SAML(config);
    },
  };
}
