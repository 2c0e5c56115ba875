/**
 * Hono 4 on Node (@hono/node-server): the IdP's endpoints from samlkit/http as a sub-app.
 *
 *   app.route('/', samlApp(handlers));   // /saml/sso, /saml/slo, /saml/metadata
 *
 * In your own code, import from 'samlkit/http' instead of '../src/http/index.js'.
 */
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { IdpHandlers } from '../src/http/index.js';

type Env = { Bindings: HttpBindings };

export function samlApp(handlers: IdpHandlers): Hono<Env> {
  const app = new Hono<Env>();
  // c.req.url went through the WHATWG URL parser, which may re-encode a query; the Redirect
  // signature covers the bytes as sent, so pass the request line node:http received.
  const raw = (incoming: HttpBindings['incoming'] | undefined) =>
    incoming?.url === undefined ? {} : { rawUrl: incoming.url };
  app.on(['GET', 'POST'], '/saml/sso', (c) => handlers.sso(c.req.raw, raw(c.env?.incoming)));
  app.on(['GET', 'POST'], '/saml/slo', (c) => handlers.slo(c.req.raw, raw(c.env?.incoming)));
  app.get('/saml/metadata', (c) => handlers.metadata(c.req.raw));
  return app;
}
