/**
 * Fastify 5: the IdP's SingleLogoutService endpoints as a plugin.
 *
 *   await app.register(sloPlugin(idp));   // GET /saml/slo/redirect, POST /saml/slo/post, POST /saml/slo/soap
 *
 * In your own code, import from 'samlkit' instead of '../src/index.js'.
 */
import Fastify, { type FastifyPluginAsync, type RouteHandlerMethod } from 'fastify';
import type { IdentityProvider } from '../src/index.js';
import { handleSlo, sloPaths } from './slo-http.js';

export function sloPlugin(idp: IdentityProvider): FastifyPluginAsync {
  return async (app) => {
    // Bodies stay raw strings: samlkit decodes the form and the SOAP envelope itself.
    // Registered inside the plugin, these parsers do not leak into the rest of the app.
    app.addContentTypeParser(
      ['application/x-www-form-urlencoded', 'text/xml', 'application/soap+xml'],
      { parseAs: 'string', bodyLimit: 512 * 1024 },
      (_request, body, done) => done(null, body),
    );
    const handler: RouteHandlerMethod = async (request, reply) => {
      const result = await handleSlo(idp, {
        method: request.method,
        url: request.raw.url ?? request.url, // as received: the Redirect signature covers the raw query
        ...(typeof request.body === 'string' ? { body: request.body } : {}),
        ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
      });
      return reply.code(result.status).headers(result.headers).send(result.body);
    };
    app.get(sloPaths.redirect, handler);
    app.post(sloPaths.post, handler);
    app.post(sloPaths.soap, handler);
  };
}

/** A Fastify app with the SLO endpoints, listening on 127.0.0.1 (port 0: any free port). */
export async function listenFastify(idp: IdentityProvider, port = 0) {
  const app = Fastify();
  await app.register(sloPlugin(idp));
  const origin = await app.listen({ port, host: '127.0.0.1' });
  return { origin, close: () => app.close() };
}
