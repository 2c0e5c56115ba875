import type { Issue } from '../errors/index.js';
import { createFetchTransport, type FetchTransportOptions } from '../transport/fetch.js';
import type { Transport, TransportResponse } from '../transport/transport.js';

/** How metadata is fetched: the options every metadata source and query client shares. */
export interface MetadataHttpOptions {
  /**
   * Another transport (it must send `GET` and return 304 answers). Default: the built-in one,
   * made from `http`.
   */
  transport?: Transport;
  /**
   * Options of the built-in transport: https only, and the address guard refuses loopback and
   * private targets unless `allowTargets` names them. A federation's URL is chosen by the
   * operator; name a private mirror in `allowTargets`, and set `unsafeAllowHttp` only for tests.
   */
  http?: FetchTransportOptions;
  /** Deadline of each attempt: connect, headers and the whole body, in milliseconds. */
  timeoutMs?: number;
  /** Largest answer accepted, in bytes; a larger one fails before it is parsed. */
  maxBytes?: number;
}

/** The transport and limits one metadata client uses. */
export interface MetadataFetcher {
  get(url: string, headers: Record<string, string>): Promise<TransportResponse>;
  maxBytes: number;
}

/** Checks the shared options and builds the fetcher; problems go to `issues`. */
export function createMetadataFetcher(
  options: MetadataHttpOptions,
  defaults: { timeoutMs: number; maxBytes: number },
  issues: Issue[],
): MetadataFetcher {
  const positive = (value: unknown, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
    issues.push({ path: [name], message: 'must be a positive number' });
    return fallback;
  };
  const timeoutMs = positive(options.timeoutMs, 'timeoutMs', defaults.timeoutMs);
  const maxBytes = positive(options.maxBytes, 'maxBytes', defaults.maxBytes);
  if (options.transport !== undefined && typeof options.transport?.send !== 'function')
    issues.push({ path: ['transport'], message: 'must have a send(request) method' });
  if (options.transport !== undefined && options.http !== undefined)
    issues.push({
      path: ['http'],
      message: 'is for the built-in transport; leave it out when giving transport',
    });
  let transport = options.transport;
  if (transport === undefined && issues.length === 0) {
    // Metadata is fetched again on schedule: one retry, not the back channel's five.
    transport = createFetchTransport({ attempts: 2, maxResponseBytes: Math.ceil(maxBytes), ...options.http });
  }
  return {
    maxBytes,
    get: (url, headers) => transport!.send({ url, method: 'GET', headers, body: '', timeoutMs }),
  };
}
