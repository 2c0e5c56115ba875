import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * An answer of serve's routes as plain data, written to node:http as it is. The
 * routes build their pages as strings; a web `Response` around each one would
 * only be read back through a body stream, which costs more per login than
 * every part of the page itself.
 */
export interface ServeReply {
  status: number;
  /** Header names in lower case; `set-cookie` never here, always in `cookies`. */
  headers: Record<string, string>;
  /** `Set-Cookie` values, one header each. */
  cookies: readonly string[];
  /** The body as text, or none (a redirect). */
  body: string | null;
}

/** A reply with `Set-Cookie` values added. */
export function addCookies(reply: ServeReply, cookies: readonly string[]): ServeReply {
  return cookies.length === 0 ? reply : { ...reply, cookies: [...reply.cookies, ...cookies] };
}

/**
 * A web `Response` (from samlkit/http's response functions: logout results, refusals,
 * SOAP faults) as a reply. The body of every one of them is text.
 */
export async function replyFromResponse(response: Response): Promise<ServeReply> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  return {
    status: response.status,
    headers,
    cookies: response.headers.getSetCookie(),
    body: response.body === null ? null : await response.text(),
  };
}

/** Writes a reply in one go, with its Content-Length (no chunked framing). */
export function writeReply(reply: ServeReply, outgoing: ServerResponse): void {
  const headers: OutgoingHttpHeaders = { ...reply.headers };
  if (reply.cookies.length > 0) headers['set-cookie'] = [...reply.cookies];
  if (reply.body === null) {
    outgoing.writeHead(reply.status, headers).end();
    return;
  }
  headers['content-length'] = Buffer.byteLength(reply.body);
  outgoing.writeHead(reply.status, headers).end(reply.body);
}
