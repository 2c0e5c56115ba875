/**
 * Express 5: the IdP's endpoints from samlkit/http on a Router.
 *
 *   app.use(samlRouter(handlers));   // /saml/sso, /saml/slo, /saml/metadata
 *
 * Mount it before any global body parser: the handlers read the raw body, and
 * the raw query from the request line, themselves.
 * In your own code, import from 'samlkit/http' instead of '../src/http/index.js'.
 */
import express, { type Router } from 'express';
import { type IdpHandlers, toNodeHandler } from '../src/http/index.js';

export function samlRouter(handlers: IdpHandlers): Router {
  const router = express.Router();
  const mount = (path: string, handler: Parameters<typeof toNodeHandler>[0]) => {
    const node = toNodeHandler(handler);
    // Express 5 would forward a rejected promise too; `next` keeps the 500 in Express's hands.
    router.all(path, (req, res, next) => void node(req, res).catch(next));
  };
  mount('/saml/sso', handlers.sso);
  mount('/saml/slo', handlers.slo);
  mount('/saml/metadata', handlers.metadata);
  return router;
}
