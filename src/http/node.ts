import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSamlError, SamlError } from '../errors/index.js';
import type { RawRequestParts } from './request.js';
import { defaultMaxBodyBytes } from './request.js';
import { respondWithRefusal } from './responses.js';

/** A node:http request as a web `Request`, with the request target exactly as it arrived. */
export interface NodeRequest {
  request: Request;
  raw: Required<RawRequestParts>;
}

/** Options of {@link readNodeRequest} and {@link toNodeHandler}. */
export interface NodeRequestOptions {
  /** Largest body read, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * The body when a framework has already read it (as a string, unparsed);
   * otherwise it is read from the stream.
   */
  body?: string | Uint8Array;
}

async function readStream(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of incoming) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += bytes.byteLength;
    if (total > limit) {
      incoming.resume();
      throw new SamlError('SAML_BINDING_LIMIT_EXCEEDED', 'request body exceeds the size limit', {
        details: { limit },
      });
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

/** The origin the request was addressed to; only for `Request.url`, never trusted for a check. */
function originOf(incoming: IncomingMessage): string {
  const scheme = (incoming.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http';
  const host = incoming.headers.host;
  if (
    host !== undefined &&
    /^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$/.test(host)
  )
    return `${scheme}://${host}`;
  return `${scheme}://localhost`;
}

/**
 * The URL of a node:http request: its target on the origin it was addressed to.
 * For `Request.url` and routing only; the raw target is what the HTTP-Redirect
 * signature covers.
 */
export function nodeRequestUrl(incoming: IncomingMessage): URL {
  const target = incoming.url ?? '/';
  try {
    return new URL(target.startsWith('/') ? target : `/${target}`, originOf(incoming));
  } catch {
    return new URL('/', originOf(incoming));
  }
}

/**
 * Reads a node:http request (also Express's, or Fastify's `request.raw`) into
 * a web `Request` and keeps the raw query from the request line, which the
 * HTTP-Redirect signature covers.
 */
export async function readNodeRequest(
  incoming: IncomingMessage,
  options: NodeRequestOptions = {},
): Promise<NodeRequest> {
  const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const target = incoming.url ?? '/';
  const headers = new Headers();
  for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
    try {
      headers.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
    } catch {
      // A header the fetch API refuses is not one a SAML endpoint reads.
    }
  }
  const method = (incoming.method ?? 'GET').toUpperCase();
  let body: Uint8Array | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const given = options.body;
    body =
      given === undefined
        ? await readStream(incoming, limit)
        : typeof given === 'string'
          ? Buffer.from(given)
          : given;
    if (body.byteLength > limit) {
      throw new SamlError('SAML_BINDING_LIMIT_EXCEEDED', 'request body exceeds the size limit', {
        details: { limit },
      });
    }
    headers.delete('content-length');
    headers.delete('transfer-encoding');
  }
  const request = new Request(nodeRequestUrl(incoming), {
    method,
    headers,
    ...(body === undefined ? {} : { body: body as Uint8Array<ArrayBuffer> }),
  });
  return { request, raw: { rawUrl: target } };
}

/** Writes a web `Response` to a node:http response. */
export async function writeNodeResponse(response: Response, outgoing: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const body = response.body === null ? undefined : Buffer.from(await response.arrayBuffer());
  // Sent in one piece with its length: no chunked framing around a body that is all here.
  if (body !== undefined) headers['content-length'] = String(body.byteLength);
  outgoing.writeHead(response.status, headers);
  outgoing.end(body);
}

/**
 * Adapts a web handler (`handlers.sso`, `handlers.slo`, …) to node:http:
 * `createServer(toNodeHandler(handlers.slo))`. A body over the limit is
 * answered 413; other errors reject the returned promise for the caller's 500.
 */
export function toNodeHandler(
  handler: (request: Request, raw: RawRequestParts) => Promise<Response>,
  options: Omit<NodeRequestOptions, 'body'> = {},
): (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void> {
  return async (incoming, outgoing) => {
    let read: NodeRequest;
    try {
      read = await readNodeRequest(incoming, options);
    } catch (error) {
      if (!isSamlError(error)) throw error;
      await writeNodeResponse(respondWithRefusal(error), outgoing);
      return;
    }
    await writeNodeResponse(await handler(read.request, read.raw), outgoing);
  };
}
