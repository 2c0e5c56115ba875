import type { HttpInput } from '../bindings/index.js';
import { SamlError } from '../errors/index.js';

/** What a handler needs besides the web `Request`. */
export interface RawRequestParts {
  /**
   * The request target exactly as it arrived on the request line: path and
   * query (`incoming.url` in node:http, `req.originalUrl` in Express). Only
   * the query is used: the HTTP-Redirect signature covers those bytes, and a
   * `Request` URL has been through the WHATWG URL parser, which re-encodes some
   * characters (a raw `'` becomes `%27`). Default: the `Request` URL, right
   * for SPs that percent-encode fully.
   */
  rawUrl?: string;
}

/**
 * The parts of a web `Request` the handlers read: a `Request` itself, or an
 * equivalent lighter object of the caller's.
 */
export type RequestParts = Pick<Request, 'method' | 'url' | 'body'> & { headers: Pick<Headers, 'get'> };

/** Default cap on a request body: a 256 KiB message, base64-encoded, then form-encoded. */
export const defaultMaxBodyBytes = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a body up to `limit` bytes; a larger one is refused before it is all read. */
async function readBody(request: RequestParts, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  const tooLarge = () =>
    new SamlError('SAML_BINDING_LIMIT_EXCEEDED', 'request body exceeds the size limit', {
      details: { limit },
    });
  if (declared > limit) throw tooLarge();
  if (request.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return utf8.decode(Buffer.concat(chunks, total));
  } catch {
    throw new SamlError('SAML_BINDING_DECODE_FAILED', 'request body is not UTF-8');
  }
}

/** The query of a `Request` URL, or the raw one the caller kept. */
function queryOf(request: RequestParts, raw: RawRequestParts): string {
  if (raw.rawUrl !== undefined) {
    if (typeof raw.rawUrl !== 'string') throw new TypeError('rawUrl must be a string');
    // A path has no raw `?`: the first one starts the query.
    const mark = raw.rawUrl.indexOf('?');
    return mark === -1 ? '' : raw.rawUrl.slice(mark + 1);
  }
  const url = request.url;
  const mark = url.indexOf('?');
  if (mark === -1) return '';
  const hash = url.indexOf('#', mark);
  return url.slice(mark + 1, hash === -1 ? undefined : hash);
}

/** A web `Request` as the facade's framework-neutral input; the body is read within `maxBodyBytes`. */
export async function readHttpInput(
  request: RequestParts,
  raw: RawRequestParts,
  maxBodyBytes: number,
): Promise<HttpInput> {
  const contentType = request.headers.get('content-type');
  return {
    method: request.method,
    query: queryOf(request, raw),
    ...(request.method === 'POST' ? { body: await readBody(request, maxBodyBytes) } : {}),
    ...(contentType === null ? {} : { contentType }),
  };
}

/** True when a request carries a SOAP envelope (SAMLBind §3.2.3: text/xml). */
export function isSoap(input: HttpInput): boolean {
  return input.method === 'POST' && /xml/i.test(input.contentType ?? '');
}

/** The names of the parameters of a query or form body, undecoded; only used to route. */
function parameterNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const pair of text.split('&')) {
    const equals = pair.indexOf('=');
    names.add(equals === -1 ? pair : pair.slice(0, equals));
  }
  return names;
}

/** True when the message parameter is SAMLResponse (query on GET, form field on POST). */
export function carriesResponse(input: HttpInput): boolean {
  if (isSoap(input)) return false;
  const text =
    input.method === 'GET' ? (input.query ?? '') : typeof input.body === 'string' ? input.body : '';
  return parameterNames(text).has('SAMLResponse');
}
