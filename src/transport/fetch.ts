import { type Issue, isSamlError, SamlError } from '../errors/index.js';
import { type BackoffOptions, backoffDelay, sleep as defaultSleep, type SleepFunction } from './backoff.js';
import { requestPinned, type TransportTlsOptions } from './pinned-request.js';
import { emptyAllowList, parseTargetAllowList, type TargetAllowList } from './target-allow-list.js';
import {
  assertAllowedScheme,
  assertAllowedTarget,
  checkTargetHost,
  guardedLookup,
  type LookupFunction,
  parseTargetUrl,
  redactUrl,
  systemLookup,
} from './target-guard.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

/** The subset of `fetch` the transport calls; inject one to use another HTTP stack or dispatcher. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/** Options of {@link createFetchTransport}. */
export interface FetchTransportOptions {
  /** Deadline of each attempt: DNS check, connect, headers and the whole body. Default 10 000 ms. */
  timeoutMs?: number;
  /** Total tries, the first included. Default 5. */
  attempts?: number;
  /** Delay between attempts. Default `{ baseMs: 250, maxMs: 5_000 }`, exponential with full jitter. */
  backoff?: BackoffOptions;
  /**
   * Default false: any 3xx fails with `SAML_TRANSPORT_FAILED` and its target is never contacted.
   * When true, up to 5 redirects are followed by hand, each hop re-checked against the
   * scheme policy and the guard.
   */
  followRedirects?: boolean;
  /** Cap on the response body in bytes; beyond it the read stops and the attempt fails. Default 256 KiB. */
  maxResponseBytes?: number;
  /**
   * Private back-channel targets this IdP may reach although the address guard
   * refuses non-public addresses: host names (`sp.corp.example`) and CIDR ranges
   * (`10.20.0.0/16`, `fd00::/8`, `127.0.0.1`). Default none.
   */
  allowTargets?: readonly string[];
  /**
   * Turns the address guard off: targets may be loopback, private, link-local or
   * the cloud metadata service. For labs and tests only; an IdP whose SPs register
   * their own metadata is then an SSRF relay. Default false.
   */
  unsafeAllowPrivateTargets?: boolean;
  /** Allows plain `http:` targets: the signed LogoutRequest and its NameID travel in clear. Default false. */
  unsafeAllowHttp?: boolean;
  /** Resolver used by the guard. Default `dns.promises.lookup` with `all: true`. */
  lookup?: LookupFunction;
  /**
   * TLS of the back channel: a private CA and a client certificate (mutual TLS), for
   * every target, or chosen per target URL (per SP). Built-in client only.
   */
  tls?: TransportTlsOptions | ((target: URL) => TransportTlsOptions | undefined);
  /**
   * Another HTTP client. Default: the built-in `node:http` client, which pins each
   * connection to the addresses the guard checked. An injected `fetch` cannot be
   * pinned: the guard checks DNS before it, and the connection resolves again.
   */
  fetch?: FetchFunction;
  /** Sent unless the request brings its own `user-agent`. Default `'samlkit'`. */
  userAgent?: string;
}

const defaults = {
  timeoutMs: 10_000,
  attempts: 5,
  baseMs: 250,
  maxMs: 5_000,
  maxResponseBytes: 256 * 1024,
  userAgent: 'samlkit',
} as const;

const maxRedirects = 5;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** Why one attempt failed; turned into a SamlError by the retry loop. */
class AttemptFailure extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly status?: number,
    cause?: unknown,
  ) {
    super(reason, cause === undefined ? undefined : { cause });
  }
}

/**
 * The default back-channel {@link Transport}, over `fetch`.
 *
 * Each attempt has its own deadline; network errors, timeouts and 5xx answers are
 * retried with backoff up to `attempts` tries in total, and the caller's `signal`
 * stops everything at once. A 2xx or 4xx answer is returned as is; a 3xx fails
 * unless `followRedirects`; a body above `maxResponseBytes` fails. Failures throw
 * `SAML_TRANSPORT_FAILED` with `details: { url, status?, attempts, reason }`
 * (the URL without query string; never any body), refused targets throw
 * `SAML_TRANSPORT_TARGET_FORBIDDEN` before any request is made.
 *
 * Safe by default: https only, and the address guard refuses targets that are or
 * resolve to loopback, private, link-local, metadata-service and other non-public
 * addresses, checked inside the connection's own DNS lookup so the socket goes to
 * the address that was checked. Name private SPs in `allowTargets`.
 */
export function createFetchTransport(options: FetchTransportOptions = {}): Transport {
  const config = resolveOptions(options);

  return {
    async send(request: TransportRequest): Promise<TransportResponse> {
      const url = parseTargetUrl(request.url, config.unsafeAllowHttp);
      const timeoutMs = request.timeoutMs ?? config.timeoutMs;
      if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
        throw new SamlError('SAML_INPUT_INVALID', 'timeoutMs must be a positive number of milliseconds', {
          details: { issues: [{ path: ['timeoutMs'], message: 'must be a positive finite number' }] },
        });
      }
      const headers = buildHeaders(request.headers, config.userAgent);
      const { signal } = request;
      const fail = (reason: string, attempts: number, status?: number, cause?: unknown): SamlError =>
        new SamlError('SAML_TRANSPORT_FAILED', failureMessage(reason, attempts, status), {
          details: { url: redactUrl(url), ...(status === undefined ? {} : { status }), attempts, reason },
          ...(cause === undefined ? {} : { cause }),
        });

      let attempts = 0;
      for (;;) {
        if (signal?.aborted) throw fail('aborted', attempts, undefined, signal.reason);
        attempts += 1;
        try {
          return await attempt(config, url, request, headers, timeoutMs);
        } catch (error) {
          if (isSamlError(error)) throw error;
          const failure =
            error instanceof AttemptFailure
              ? error
              : new AttemptFailure('internal error', false, undefined, error);
          if (signal?.aborted) throw fail('aborted', attempts, undefined, signal.reason);
          if (!failure.retryable || attempts >= config.attempts) {
            throw fail(failure.reason, attempts, failure.status, failure.cause);
          }
        }
        const delay = backoffDelay(attempts, config);
        try {
          await config.sleep(delay, signal);
        } catch (cause) {
          throw fail('aborted', attempts, undefined, cause);
        }
      }
    },
  };
}

type ResolvedOptions = Required<
  Omit<FetchTransportOptions, 'backoff' | 'allowTargets' | 'tls' | 'fetch' | 'unsafeAllowPrivateTargets'>
> & {
  guard: boolean;
  allow: TargetAllowList;
  tls: (target: URL) => TransportTlsOptions | undefined;
  /** Undefined: the built-in pinned client. */
  fetch: FetchFunction | undefined;
  baseMs: number;
  maxMs: number;
  random: () => number;
  sleep: SleepFunction;
};

async function attempt(
  config: ResolvedOptions,
  target: URL,
  request: TransportRequest,
  callerHeaders: Headers,
  timeoutMs: number,
): Promise<TransportResponse> {
  const controller = new AbortController();
  const { signal: callerSignal } = request;
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`attempt timed out after ${timeoutMs} ms`));
  }, timeoutMs);

  // Anything that is not one of our verdicts (a fetch TypeError, a stream error, an abort)
  // is a transport-level failure: a timeout, the caller's abort, or a network error.
  const classify = (error: unknown): unknown => {
    if (isSamlError(error) || error instanceof AttemptFailure) return error;
    if (timedOut) return new AttemptFailure('timeout', true, undefined, error);
    if (callerSignal?.aborted) return new AttemptFailure('aborted', false, undefined, error);
    return new AttemptFailure(networkReason(error), true, undefined, error);
  };

  try {
    let url = target;
    let method: string = request.method;
    let body: string | undefined = method === 'GET' ? undefined : request.body;
    let headers = callerHeaders;
    for (let hop = 0; ; hop++) {
      const response = await connect(config, url, { method, headers, body, signal: controller.signal });
      const { status } = response;

      // Not Modified answers a conditional GET (If-None-Match, If-Modified-Since): no redirect.
      if (status === 304) {
        await discard(response);
        return { status, headers: headersToRecord(response.headers), body: '' };
      }
      if (status >= 300 && status < 400) {
        await discard(response);
        if (!config.followRedirects) throw new AttemptFailure('redirect not followed', false, status);
        const location = response.headers.get('location');
        if (!redirectStatuses.has(status) || location === null) {
          throw new AttemptFailure('unexpected 3xx response', false, status);
        }
        if (hop >= maxRedirects) throw new AttemptFailure('too many redirects', false, status);
        let next: URL;
        try {
          next = new URL(location, url);
        } catch (cause) {
          throw new AttemptFailure('invalid redirect location', false, status, cause);
        }
        assertAllowedScheme(next, config.unsafeAllowHttp);
        if (next.username !== '' || next.password !== '') {
          throw new AttemptFailure('redirect location carries credentials', false, status);
        }
        // Fetch semantics: 303, and 301/302 after POST, continue as a bodiless GET.
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          headers = new Headers(headers);
          for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language']) {
            headers.delete(name);
          }
        }
        if (next.origin !== url.origin) {
          headers = new Headers(headers);
          headers.delete('authorization');
          headers.delete('cookie');
          headers.delete('proxy-authorization');
        }
        url = next;
        continue;
      }

      if (status >= 500) {
        await discard(response);
        throw new AttemptFailure('server error', true, status);
      }

      const text = await readBody(response, config.maxResponseBytes, controller);
      return { status, headers: headersToRecord(response.headers), body: text };
    }
  } catch (error) {
    throw classify(error);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  }
}

/** One request to `url` through the guard: pinned with the built-in client, checked before an injected `fetch`. */
async function connect(
  config: ResolvedOptions,
  url: URL,
  init: { method: string; headers: Headers; body: string | undefined; signal: AbortSignal },
): Promise<Response> {
  const lookupFailed = (error: unknown): AttemptFailure =>
    new AttemptFailure('dns lookup failed', true, undefined, error);
  if (config.fetch) {
    if (config.guard) {
      await assertAllowedTarget(url, {
        allow: config.allow,
        lookup: config.lookup,
        onLookupError: lookupFailed,
        signal: init.signal,
      });
    }
    return config.fetch(url.href, {
      method: init.method,
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: 'manual',
      credentials: 'omit',
      signal: init.signal,
    });
  }
  const settled = config.guard ? checkTargetHost(url, config.allow) : true;
  const lookup = settled
    ? undefined
    : guardedLookup(url, { allow: config.allow, lookup: config.lookup, onLookupError: lookupFailed });
  return requestPinned(url, init, { lookup, tls: config.tls(url) });
}

/** Reads the body as a stream and stops as soon as it exceeds `maxBytes`. */
async function readBody(response: Response, maxBytes: number, controller: AbortController): Promise<string> {
  const tooLarge = (): AttemptFailure => new AttemptFailure('response too large', false, response.status);
  const declared = response.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    await discard(response);
    controller.abort();
    throw tooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let received = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      controller.abort();
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The connection is going away either way.
  }
}

function buildHeaders(input: Record<string, string>, userAgent: string): Headers {
  let headers: Headers;
  try {
    headers = new Headers(input);
  } catch (cause) {
    throw new SamlError('SAML_INPUT_INVALID', 'back-channel request headers are not valid HTTP headers', {
      details: { issues: [{ path: ['headers'], message: 'must be valid HTTP header names and values' }] },
      cause,
    });
  }
  if (!headers.has('user-agent')) headers.set('user-agent', userAgent);
  return headers;
}

function headersToRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    // Header names come from the peer: `constructor` must not find Object.prototype.
    record[name] = Object.hasOwn(record, name) ? `${record[name]}, ${value}` : value;
  });
  return record;
}

function networkReason(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return `network error (${code})`;
    current = current.cause;
  }
  return 'network error';
}

function failureMessage(reason: string, attempts: number, status: number | undefined): string {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  const withStatus = status === undefined ? reason : `${reason} (HTTP ${status})`;
  return `back-channel request failed after ${tries}: ${withStatus}`;
}

function resolveOptions(options: FetchTransportOptions): ResolvedOptions {
  const issues: Issue[] = [];
  const positive = (
    value: number | undefined,
    fallback: number,
    path: string[],
    integer: boolean,
  ): number => {
    if (value === undefined) return fallback;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value >= 0 &&
      (!integer || Number.isInteger(value));
    if (!ok)
      issues.push({
        path,
        message: integer ? 'must be a non-negative integer' : 'must be a non-negative number',
      });
    return value;
  };
  const timeoutMs = positive(options.timeoutMs, defaults.timeoutMs, ['timeoutMs'], false);
  if (timeoutMs === 0) issues.push({ path: ['timeoutMs'], message: 'must be greater than 0' });
  const attempts = positive(options.attempts, defaults.attempts, ['attempts'], true);
  if (attempts === 0) issues.push({ path: ['attempts'], message: 'must be at least 1' });
  const baseMs = positive(options.backoff?.baseMs, defaults.baseMs, ['backoff', 'baseMs'], false);
  const maxMs = positive(options.backoff?.maxMs, defaults.maxMs, ['backoff', 'maxMs'], false);
  const maxResponseBytes = positive(
    options.maxResponseBytes,
    defaults.maxResponseBytes,
    ['maxResponseBytes'],
    true,
  );
  for (const name of ['unsafeAllowPrivateTargets', 'unsafeAllowHttp', 'followRedirects'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean')
      issues.push({ path: [name], message: 'must be a boolean' });
  }
  let allow = emptyAllowList;
  if (options.allowTargets !== undefined) {
    if (!Array.isArray(options.allowTargets)) {
      issues.push({ path: ['allowTargets'], message: 'must be an array of host names and CIDR ranges' });
    } else {
      try {
        allow = parseTargetAllowList(options.allowTargets);
      } catch (error) {
        if (!isSamlError(error, 'SAML_CONFIG_INVALID')) throw error;
        issues.push(...error.details.issues);
      }
    }
  }
  const fetchImpl = options.fetch;
  if (fetchImpl !== undefined && typeof fetchImpl !== 'function')
    issues.push({ path: ['fetch'], message: 'must be a function' });
  const tlsOption = options.tls;
  if (tlsOption !== undefined && typeof tlsOption !== 'function' && typeof tlsOption !== 'object')
    issues.push({ path: ['tls'], message: 'must be TLS options or a function of the target URL' });
  if (tlsOption !== undefined && fetchImpl !== undefined)
    issues.push({ path: ['tls'], message: 'applies to the built-in client only, not to an injected fetch' });
  if (issues.length > 0) {
    const first = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new SamlError(
      'SAML_CONFIG_INVALID',
      `invalid transport options: ${first.path.join('.')}: ${first.message}${more}`,
      {
        details: { issues },
      },
    );
  }
  return {
    timeoutMs,
    attempts,
    baseMs,
    maxMs,
    maxResponseBytes,
    guard: options.unsafeAllowPrivateTargets !== true,
    allow,
    followRedirects: options.followRedirects ?? false,
    unsafeAllowHttp: options.unsafeAllowHttp ?? false,
    lookup: options.lookup ?? systemLookup,
    tls: typeof tlsOption === 'function' ? tlsOption : () => tlsOption,
    // Called through a wrapper so a bare global `fetch` never runs with a foreign `this`.
    fetch: fetchImpl === undefined ? undefined : (url, init) => fetchImpl(url, init),
    userAgent: options.userAgent ?? defaults.userAgent,
    random: options.backoff?.random ?? Math.random,
    sleep: options.backoff?.sleep ?? defaultSleep,
  };
}
