import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction as NetLookupFunction } from 'node:net';
import { SamlError } from '../errors/index.js';
import { type AddressCategory, classifyAddress } from './address-guard.js';
import type { TargetAllowList } from './target-allow-list.js';

/**
 * Resolves a hostname to every address it has. Entries may be strings or
 * `{ address }` objects, so `dns.promises.lookup(name, { all: true })` fits as is.
 */
export type LookupFunction = (hostname: string) => Promise<ReadonlyArray<string | { address: string }>>;

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
 * The address guard, before any connection: an IP-literal host (already normalised
 * by the WHATWG parser, so `http://2130706433/` is `127.0.0.1`) is classified
 * directly; `localhost` and `*.localhost` are refused without asking DNS (RFC 6761).
 * A host named in the allow-list passes. For any other name this returns `false`:
 * its addresses are checked when the connection resolves it ({@link guardedLookup}).
 *
 * @returns true when the target is settled (an allowed IP literal or allow-listed host).
 * @throws SamlError `SAML_TRANSPORT_TARGET_FORBIDDEN` for a refused target.
 */
export function checkTargetHost(url: URL, allow: TargetAllowList): boolean {
  const host = url.hostname;
  if (allow.allowsHost(host)) return true;
  if (host.startsWith('[') || isIP(host) !== 0) {
    check(url, host, allow);
    return true;
  }
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name === 'localhost' || name.endsWith('.localhost')) {
    throw forbidden(url, 'target is loopback', { range: 'loopback' satisfies AddressCategory });
  }
  return false;
}

/** What the two guards need besides the target: the allow-list, the resolver, and what a failed lookup becomes. */
export interface TargetGuardOptions {
  readonly allow: TargetAllowList;
  readonly lookup: LookupFunction;
  /**
   * Builds the error for a lookup that failed or answered no usable address: the
   * name came from a peer and its DNS answer is not ours to trust, so this is a
   * transport failure (the caller's verdict, retryable), never a bare `Error`.
   */
  readonly onLookupError: (cause: unknown) => Error;
}

/**
 * The guard for a client that cannot be pinned (an injected `fetch`): resolves the
 * name and refuses it when ANY of its addresses is neither public nor allow-listed.
 * The later connection resolves again, so this leaves a DNS-rebinding gap; the
 * built-in client checks inside the connection instead ({@link guardedLookup}).
 *
 * Throws `SAML_TRANSPORT_TARGET_FORBIDDEN` for a refused target, the error built by
 * `onLookupError` for a failing or empty lookup, and `signal`'s reason when it aborts.
 */
export async function assertAllowedTarget(
  url: URL,
  options: TargetGuardOptions & { readonly signal?: AbortSignal | undefined },
): Promise<void> {
  const { allow, lookup, onLookupError, signal } = options;
  if (checkTargetHost(url, allow)) return;
  let answers: ReadonlyArray<string | { address: string }>;
  try {
    answers = await abortable(lookup(url.hostname), signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw onLookupError(error);
  }
  if (answers.length === 0) throw onLookupError(new Error('DNS lookup returned no address'));
  for (const answer of answers) {
    check(url, typeof answer === 'string' ? answer : answer.address, allow);
  }
}

/**
 * A `lookup` for `http.request` that resolves with `lookup`, refuses the target
 * when any address is neither public nor allow-listed, and hands the socket only
 * the addresses it checked: the connection is pinned to them, so a DNS answer
 * that changes between check and connect (DNS rebinding) cannot redirect it.
 * Refusals reach the request's `'error'` event as the SamlError; a failing or
 * empty lookup as `onLookupError(cause)`.
 */
export function guardedLookup(url: URL, options: TargetGuardOptions): NetLookupFunction {
  const { allow, lookup, onLookupError } = options;
  return (hostname, lookupOptions, callback) => {
    // A lookup that throws instead of rejecting becomes a rejection too: thrown here, inside the
    // socket's connect, it would escape the request and every handler around it.
    new Promise<Awaited<ReturnType<typeof lookup>>>((resolve) => resolve(lookup(hostname))).then(
      (answers) => {
        const addresses = answers.map((answer) => (typeof answer === 'string' ? answer : answer.address));
        if (addresses.length === 0) {
          callback(onLookupError(new Error('DNS lookup returned no address')), '', 0);
          return;
        }
        try {
          for (const address of addresses) check(url, address, allow);
        } catch (error) {
          callback(error as Error, '', 0);
          return;
        }
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const entries = addresses
          .map((address) => ({ address, family: isIP(address) }))
          .filter((entry) => wanted === 0 || entry.family === wanted);
        const first = entries[0];
        if (!first) {
          callback(onLookupError(new Error('DNS lookup returned no address of the wanted family')), '', 0);
          return;
        }
        if (lookupOptions.all) (callback as unknown as (e: null, a: typeof entries) => void)(null, entries);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(onLookupError(error), '', 0),
    );
  };
}

function check(url: URL, address: string, allow: TargetAllowList): void {
  const range = classifyAddress(address);
  if (range === 'public' || allow.allowsAddress(address)) return;
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
