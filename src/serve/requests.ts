import type { IncomingMessage } from 'node:http';
import { type NodeRequest, nodeRequestUrl, readNodeRequest } from '../http/node.js';
import type { RequestParts } from '../http/request.js';

/** A request as serve's routes read it: method, URL, headers and body, like a web `Request`. */
export type ServeRequest = RequestParts;

/** A request read for the routes: the request, its raw target, and its URL parsed once for routing. */
export interface ReadServeRequest {
  request: ServeRequest;
  raw: NodeRequest['raw'];
  /** `request.url` parsed: the routes read its path and query parameters. */
  url: URL;
}

/**
 * Reads a node:http request for the routes. A GET or HEAD carries no body: its
 * method, URL and headers are read off the node:http request as they are, with
 * no web `Request` built around them (that costs a login more than the routes'
 * own work). Any other method is a web `Request`, its body read within the limit.
 *
 * @throws SamlError `SAML_BINDING_LIMIT_EXCEEDED` for a body over the limit.
 */
export async function readServeRequest(incoming: IncomingMessage): Promise<ReadServeRequest> {
  const method = (incoming.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    const read = await readNodeRequest(incoming);
    return { ...read, url: new URL(read.request.url) };
  }
  const headers = incoming.headers;
  const url = nodeRequestUrl(incoming);
  return {
    url,
    request: {
      method,
      url: url.href,
      body: null,
      headers: {
        // node:http joins a repeated header (Cookie with `; `); Set-Cookie is never read here.
        get: (name) => {
          const value = headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
        },
      },
    },
    raw: { rawUrl: incoming.url ?? '/' },
  };
}
