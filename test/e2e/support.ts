/**
 * Plumbing for the end-to-end Single Logout suite: loopback HTTP servers, an
 * IdP HTTP front for the facade, and a minimal "browser" that follows 302s and
 * auto-submit forms. Nothing here speaks SAML itself; the SPs and the IdP do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type HttpInput,
  type IdentityProvider,
  isSamlError,
  type LogoutReply,
  type LogoutResult,
} from '../../src/index.js';

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;

/** A node:http server on 127.0.0.1 with an OS-chosen port. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  server: Server;
  close(): Promise<void>;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function listen(handler: Handler): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handler(req, body, res))
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(error instanceof Error ? error.message : 'error');
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on a port that was just released: connecting to it is refused. */
export async function closedPortUrl(path: string): Promise<string> {
  const probe = await listen((_req, _body, res) => {
    res.end();
  });
  await probe.close();
  return `${probe.origin}${path}`;
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location });
  res.end();
}

export function text(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8` });
  res.end(body);
}

// ---------------------------------------------------------------------------
// The IdP's HTTP front: what an application mounts at its SLO endpoints.

export interface IdpEndpoints {
  sloRedirect: string;
  sloPost: string;
  sloSoap: string;
}

export interface IdpServer extends LoopbackServer {
  endpoints: IdpEndpoints;
  /** Every LogoutResult the facade returned, in order (the app would render `iframes` from them). */
  results: LogoutResult[];
  /** The error codes the facade threw, in order. */
  errors: string[];
}

/** Replies the way a web framework adapter would: 302, an auto-post page, a SOAP body, or a page. */
export function sendReply(res: ServerResponse, reply: LogoutReply): void {
  if (reply.kind === 'redirect') redirect(res, reply.url);
  else if (reply.kind === 'post') text(res, 200, reply.form.html, 'text/html');
  else if (reply.kind === 'soap') text(res, 200, reply.body, 'text/xml');
  else text(res, 200, `logged out${reply.returnTo ? `; continue at ${reply.returnTo}` : ''}`);
}

/**
 * Serves `/slo/redirect`, `/slo/post` and `/slo/soap` with the facade returned
 * by `facade()` (looked up per request, so a test can swap it).
 */
export async function startIdpServer(facade: () => IdentityProvider): Promise<IdpServer> {
  const results: LogoutResult[] = [];
  const errors: string[] = [];
  const loopback = await listen(async (req, body, res) => {
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type'];
    const input: HttpInput = {
      method,
      query: req.url ?? '',
      ...(method === 'POST' ? { body } : {}),
      ...(contentType ? { contentType } : {}),
    };
    const isResponse =
      method === 'GET'
        ? /[?&]SAMLResponse=/.test(req.url ?? '')
        : !(contentType ?? '').includes('xml') && new URLSearchParams(body).has('SAMLResponse');
    try {
      const idp = facade();
      const result = isResponse
        ? await idp.handleLogoutResponse(input)
        : await idp.handleLogoutRequest(input);
      results.push(result);
      sendReply(res, result.reply);
    } catch (error) {
      const code = isSamlError(error) ? error.code : 'INTERNAL';
      errors.push(code);
      text(res, isSamlError(error) ? 400 : 500, JSON.stringify({ code }), 'application/json');
    }
  });
  return {
    ...loopback,
    endpoints: {
      sloRedirect: `${loopback.origin}/slo/redirect`,
      sloPost: `${loopback.origin}/slo/post`,
      sloSoap: `${loopback.origin}/slo/soap`,
    },
    results,
    errors,
  };
}

// ---------------------------------------------------------------------------
// A minimal browser.

export type Navigation =
  | { method: 'GET'; url: string }
  | { method: 'POST'; url: string; fields: Record<string, string> };

export interface Visit {
  request: Navigation;
  status: number;
  location?: string;
  contentType: string;
  body: string;
}

/** Where a facade reply sends the browser. */
export function navigationOf(reply: LogoutReply): Navigation {
  if (reply.kind === 'redirect') return { method: 'GET', url: reply.url };
  if (reply.kind === 'post') return { method: 'POST', url: reply.form.url, fields: reply.form.fields };
  throw new Error(`a ${reply.kind} reply is not a browser navigation`);
}

const htmlEntities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};
const unescapeHtml = (value: string) => value.replace(/&(?:amp|lt|gt|quot|#39);/g, (m) => htmlEntities[m]!);

/** The auto-submit form of an HTTP-POST binding page, as a browser would submit it. */
export function parsePostForm(html: string): { url: string; fields: Record<string, string> } | undefined {
  const form = /<form\b[^>]*\bmethod="post"[^>]*\baction="([^"]*)"/i.exec(html);
  if (!form) return undefined;
  const fields: Record<string, string> = {};
  for (const input of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/?>/g)) {
    fields[unescapeHtml(input[1]!)] = unescapeHtml(input[2]!);
  }
  return { url: unescapeHtml(form[1]!), fields };
}

/** Performs one navigation; `route` may send it elsewhere (a load balancer picking an IdP node). */
export async function visit(nav: Navigation, route: (url: string) => string = (u) => u): Promise<Visit> {
  const response = await fetch(route(nav.url), {
    method: nav.method,
    redirect: 'manual',
    ...(nav.method === 'POST'
      ? {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(nav.fields).toString(),
        }
      : {}),
  });
  const location = response.headers.get('location');
  return {
    request: nav,
    status: response.status,
    ...(location ? { location } : {}),
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

/** The next navigation a browser makes after a visit: a 302, or an auto-post form. */
export function nextNavigation(v: Visit): Navigation | undefined {
  if (v.status === 302 && v.location) return { method: 'GET', url: v.location };
  if (v.status === 200 && v.contentType.startsWith('text/html')) {
    const form = parsePostForm(v.body);
    if (form) return { method: 'POST', ...form };
  }
  return undefined;
}

/** Follows 302s and forms until a page that goes nowhere; returns every visit. */
export async function browse(
  start: Navigation,
  options: { route?: (url: string) => string; maxHops?: number } = {},
): Promise<Visit[]> {
  const trail: Visit[] = [];
  let nav: Navigation | undefined = start;
  while (nav) {
    if (trail.length >= (options.maxHops ?? 12)) throw new Error('too many hops');
    const v = await visit(nav, options.route);
    trail.push(v);
    nav = nextNavigation(v);
  }
  return trail;
}

/** The raw query of a URL, cut out of the string as a server sees it (never re-encoded). */
export function rawQuery(url: string): string {
  const question = url.indexOf('?');
  return question === -1 ? '' : url.slice(question + 1).split('#')[0]!;
}
