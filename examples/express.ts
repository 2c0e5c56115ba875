/**
 * Express 5: the IdP's SingleLogoutService endpoints on a Router.
 *
 *   app.use(sloRouter(idp));   // GET /saml/slo/redirect, POST /saml/slo/post, POST /saml/slo/soap
 *
 * In your own code, import from 'samlkit' instead of '../src/index.js'.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler, type Router } from 'express';
import type { IdentityProvider } from '../src/index.js';
import { handleSlo, sloPaths } from './slo-http.js';

export function sloRouter(idp: IdentityProvider): Router {
  const router = express.Router();
  // Bodies stay raw strings: samlkit decodes the form and the SOAP envelope itself.
  const rawBody = express.text({
    type: ['application/x-www-form-urlencoded', 'text/xml', 'application/soap+xml'],
    limit: '512kb',
  });
  const handler: RequestHandler = async (req, res) => {
    const result = await handleSlo(idp, {
      method: req.method,
      url: req.originalUrl, // as received: the Redirect signature covers the raw query
      ...(typeof req.body === 'string' ? { body: req.body } : {}),
      ...(req.get('content-type') ? { contentType: req.get('content-type')! } : {}),
    });
    res.status(result.status).set(result.headers).send(result.body);
  };
  router.get(sloPaths.redirect, handler);
  router.post(sloPaths.post, rawBody, handler);
  router.post(sloPaths.soap, rawBody, handler);
  return router;
}

/** An Express app with the SLO endpoints, listening on 127.0.0.1 (port 0: any free port). */
export async function listenExpress(idp: IdentityProvider, port = 0) {
  const app = express();
  app.use(sloRouter(idp));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
