/**
 * Fastify 5: the IdP's endpoints from samlkit/http as a plugin.
 *
 *   await app.register(samlPlugin(handlers));   // /saml/sso, /saml/slo, /saml/metadata
 *
 * In your own code, import from 'samlkit/http' instead of '../src/http/index.js'.
 */
import type { FastifyPluginAsync } from 'fastify';
import { type IdpHandlers, readNodeRequest } from '../src/http/index.js';

type Handler = IdpHandlers['slo'];

export function samlPlugin(handlers: IdpHandlers): FastifyPluginAsync {
  return async (app) => {
    // Bodies stay raw strings (samlkit reads the form and the SOAP envelope itself);
    // registered inside the plugin, these parsers stay off the rest of the app.
    const types = ['application/x-www-form-urlencoded', 'text/xml', 'application/soap+xml'];
    app.addContentTypeParser(types, { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    const mount = (url: string, handler: Handler) =>
      app.route({
        method: ['GET', 'POST'],
        url,
        handler: async (request, reply) => {
          const body = typeof request.body === 'string' ? { body: request.body } : {};
          const { request: web, raw } = await readNodeRequest(request.raw, body); // keeps the raw query
          return reply.send(await handler(web, raw));
        },
      });
    mount('/saml/sso', handlers.sso);
    mount('/saml/slo', handlers.slo);
    mount('/saml/metadata', (request) => handlers.metadata(request));
  };
}
