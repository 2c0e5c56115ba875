import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction as NetLookupFunction } from 'node:net';
import { Readable } from 'node:stream';

/**
 * TLS settings of the back channel, as federations run it: a private CA for the
 * SPs' server certificates, and a client certificate for mutual TLS. PEM strings.
 */
export interface TransportTlsOptions {
  /** Trusted CA certificates. Replaces the public roots for these targets when set. */
  ca?: string | readonly string[];
  /** Client certificate chain, for SPs that require mutual TLS. */
  cert?: string;
  /** The client certificate's private key. */
  key?: string;
  passphrase?: string;
}

/** What the built-in client needs beyond the request itself. */
export interface PinnedConnection {
  /** Resolves and checks the host (see `guardedLookup`); undefined leaves resolution to Node. */
  lookup: NetLookupFunction | undefined;
  tls: TransportTlsOptions | undefined;
}

// Statuses whose response has no body by definition; a web `Response` refuses one.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/**
 * One HTTP(S) request with `node:http`, answered as a web `Response`. Unlike
 * global `fetch`, it takes the connection's `lookup`, which is what lets the
 * address guard pin the socket to the addresses it checked. A fresh connection
 * per request (no agent pool), so no socket outlives the check that opened it;
 * the TLS server name is the URL's host, as with `fetch`.
 */
export function requestPinned(
  url: URL,
  init: { method: string; headers: Headers; body: string | undefined; signal: AbortSignal },
  connection: PinnedConnection,
): Promise<Response> {
  const headers: Record<string, string> = {};
  init.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const { tls } = connection;
  const options = {
    method: init.method,
    headers,
    signal: init.signal,
    agent: false as const,
    ...(connection.lookup ? { lookup: connection.lookup } : {}),
    ...(tls?.ca === undefined ? {} : { ca: typeof tls.ca === 'string' ? tls.ca : [...tls.ca] }),
    ...(tls?.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls?.key === undefined ? {} : { key: tls.key }),
    ...(tls?.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
  };
  return new Promise<Response>((resolve, reject) => {
    const onResponse = (message: IncomingMessage): void => {
      try {
        resolve(toResponse(message, init.method));
      } catch (error) {
        message.destroy();
        reject(error);
      }
    };
    const request =
      url.protocol === 'https:'
        ? httpsRequest(url, options, onResponse)
        : httpRequest(url, options, onResponse);
    request.on('error', reject);
    request.end(init.body);
  });
}

function toResponse(message: IncomingMessage, method: string): Response {
  const status = message.statusCode ?? 0;
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  if (nullBodyStatuses.has(status) || method === 'HEAD') {
    message.resume();
    return new Response(null, { status, headers });
  }
  const body = Readable.toWeb(message) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}
