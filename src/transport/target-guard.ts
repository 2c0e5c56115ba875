import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SamlError } from '../errors/index.js';
import { type AddressCategory, classifyAddress } from './address-guard.js';

/**
 * Resolves a hostname to every address it has. Entries may be strings or
 * `{ address }` objects, so `dns.promises.lookup(name, { all: true })` fits as is.
 */
export type LookupFunction = (hostname: string) => Promise<ReadonlyArray<string | { address: string }>>;

/** `'public-only'` refuses targets that resolve to non-public addresses; `'off'` checks nothing. */
export type GuardMode = 'public-only' | 'off';

/** The default {@link LookupFunction}: the system resolver, like `fetch` itself uses. */
export const systemLookup: LookupFunction = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A URL as it may appear in error details and logs: no credentials, query string or fragment. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Parses a back-channel URL and applies the scheme policy. No request is made
 * for a URL refused here: `SAML_TRANSPORT_FAILED` when it does not parse,
 * `SAML_TRANSPORT_TARGET_FORBIDDEN` for any scheme but https (and http when
 * allowed) or for embedded credentials.
 */
export function parseTargetUrl(text: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new SamlError('SAML_TRANSPORT_FAILED', 'back-channel URL is not a valid absolute URL', {
      details: { attempts: 0, reason: 'invalid url' },
      cause,
    });
  }
  assertAllowedScheme(url, allowHttp);
  if (url.username !== '' || url.password !== '') {
    throw forbidden(url, 'url carries credentials');
  }
  return url;
}

/** Throws `SAML_TRANSPORT_TARGET_FORBIDDEN` unless `url` is https, or http with `allowHttp`. */
export function assertAllowedScheme(url: URL, allowHttp: boolean): void {
  if (url.protocol === 'https:' || (url.protocol === 'http:' && allowHttp)) return;
  // Only the scheme: the rest of a file:, data: or javascript: URL may be anything.
  const scheme = url.protocol.slice(0, -1);
  throw new SamlError(
    'SAML_TRANSPORT_TARGET_FORBIDDEN',
    `back-channel URL scheme is not allowed: ${scheme}`,
    {
      details: { scheme, reason: url.protocol === 'http:' ? 'http not allowed' : 'scheme not allowed' },
    },
  );
}

/**
 * The `'public-only'` check: an IP-literal host (already normalised by the WHATWG
 * parser, so `http://2130706433/` is `127.0.0.1`) is classified directly; a name
 * is resolved and refused when ANY of its addresses is not public. `localhost`
 * and `*.localhost` are refused without asking DNS (RFC 6761).
 *
 * Throws `SAML_TRANSPORT_TARGET_FORBIDDEN` for a refused target. A failing or
 * empty lookup rejects with a plain error, which the transport treats as a
 * (retryable) network failure.
 *
 * Limit: this checks what DNS answers now; the later connection resolves again
 * and is not pinned to these addresses (see docs/guide/transport.md).
 */
export async function assertPublicTarget(
  url: URL,
  lookup: LookupFunction,
  signal?: AbortSignal,
): Promise<void> {
  const host = url.hostname;
  if (host.startsWith('[') || isIP(host) !== 0) {
    check(url, host);
    return;
  }
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name === 'localhost' || name.endsWith('.localhost')) {
    throw forbidden(url, 'target is loopback', { range: 'loopback' satisfies AddressCategory });
  }
  const answers = await abortable(lookup(host), signal);
  if (answers.length === 0) throw new Error('DNS lookup returned no address');
  for (const answer of answers) {
    check(url, typeof answer === 'string' ? answer : answer.address);
  }
}

function check(url: URL, address: string): void {
  const range = classifyAddress(address);
  if (range === 'public') return;
  throw forbidden(url, `target is ${range}`, { range, address: address.replace(/^\[|\]$/g, '') });
}

function forbidden(url: URL, reason: string, extra: Record<string, unknown> = {}): SamlError {
  return new SamlError('SAML_TRANSPORT_TARGET_FORBIDDEN', `back-channel target refused: ${reason}`, {
    details: { url: redactUrl(url), reason, ...extra },
  });
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (the lookup itself may linger). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
