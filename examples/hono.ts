/**
 * Hono 4 on Node (@hono/node-server): the IdP's SingleLogoutService endpoints as a sub-app.
 *
 *   app.route('/', sloApp(idp));   // GET /saml/slo/redirect, POST /saml/slo/post, POST /saml/slo/soap
 *
 * In your own code, import from 'samlkit' instead of '../src/index.js'.
 */
import type { AddressInfo } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import { type Handler, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { IdentityProvider } from '../src/index.js';
import { handleSlo, sloPaths } from './slo-http.js';

type Env = { Bindings: HttpBindings };

export function sloApp(idp: IdentityProvider): Hono<Env> {
  const app = new Hono<Env>();
  app.use(bodyLimit({ maxSize: 512 * 1024 }));
  const handler: Handler<Env> = async (c) => {
    // c.req.url went through the WHATWG URL parser, which may re-encode a query; the Redirect
    // signature covers the bytes as sent, so read the request line node:http received.
    const url = c.env?.incoming?.url ?? new URL(c.req.url).pathname + new URL(c.req.url).search;
    const contentType = c.req.header('content-type');
    const result = await handleSlo(idp, {
      method: c.req.method,
      url,
      ...(c.req.method === 'POST' ? { body: await c.req.text() } : {}),
      ...(contentType ? { contentType } : {}),
    });
    return result.status === 302
      ? c.redirect(result.headers.location!, 302)
      : c.body(result.body, result.status as ContentfulStatusCode, result.headers);
  };
  app.get(sloPaths.redirect, handler);
  app.post(sloPaths.post, handler);
  app.post(sloPaths.soap, handler);
  return app;
}

/** A Hono app with the SLO endpoints, served on 127.0.0.1 (port 0: any free port). */
export async function listenHono(idp: IdentityProvider, port = 0) {
  const app = new Hono<Env>();
  app.route('/', sloApp(idp));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
