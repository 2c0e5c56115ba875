import { createConfigError } from '../config/issues.js';
import { digestAlgorithms, type SignatureAlgorithm } from '../constants/algorithms.js';
import { type KeyPair, toKeyPair } from '../crypto/keys.js';
import { digestBase64 } from '../crypto/primitives.js';
import { type Issue, isSamlError, SamlError } from '../errors/index.js';
import { type Clock, systemClock } from '../message/context.js';
import { parseSpMetadata, type SpMetadata } from '../metadata/sp-metadata.js';
import type { XmlLimits } from '../xml/index.js';
import { readCacheDuration } from './cache-duration.js';
import { createLookupCache } from './lookup-cache.js';
import { createMetadataFetcher, type MetadataHttpOptions } from './metadata-fetch.js';
import { clampDuration } from './refresh-window.js';

/** Options of {@link createMdqClient}. */
export interface MdqClientOptions extends MetadataHttpOptions {
  /** The service's base URL; entities are fetched from `{baseUrl}/entities/{id}`. */
  baseUrl: string;
  /**
   * The federation's metadata signing certificates (PEM or from `loadKeyPair`). Every answer
   * must carry a signature that verifies with one; a certificate inside an answer is never used.
   */
  certificates: readonly (KeyPair | string)[];
  /**
   * How the entity ID goes into the path: `'urlencoded'` (the entity ID percent-encoded) or
   * `'sha1'` (`{sha1}` and the hex SHA-1 of the entity ID, which every MDQ service answers and
   * which keeps the entity ID out of access logs). Default `'urlencoded'`.
   */
  identifier?: 'urlencoded' | 'sha1';
  /** Entities (and misses) kept in memory at most; the least recently used go first. Default 1 000. */
  cacheSize?: number;
  /** How long an entity the service does not know (404) is remembered as unknown. Default 60 000 ms. */
  negativeCacheMs?: number;
  /** Shortest time an entity is cached, whatever its `cacheDuration`. Default 60 000 ms. */
  minCacheMs?: number;
  /** Longest time an entity is cached; also the time for one without `cacheDuration`. Default 6 hours. */
  maxCacheMs?: number;
  /**
   * How long after its cache time an answer may still be served while the service cannot be
   * reached (a connection error, a timeout, an HTTP 5xx): the answer was verified when it
   * arrived and is never served past its `validUntil`. Each time it is served so, an
   * `mdq_stale_served` event says so, and the service is asked again after `negativeCacheMs`.
   * A service that answers is not down: after a 404 the entity is unknown, and another 4xx, a
   * redirect, an answer over the size limit or one that does not verify fails the lookup; either
   * ends the stale copy. `0` fails every lookup of an expired entity while the service is down.
   * Default 1 hour.
   */
  staleIfUnavailableMs?: number;
  /** Receives every {@link MdqEvent}, synchronously; what it throws is ignored. */
  onEvent?: (event: MdqEvent) => void;
  /** Parser bounds of one answer. Default 1 MiB (`maxBytes`), 50 000 elements. */
  limits?: XmlLimits;
  /** Signature methods accepted on answers. Default: RSA and ECDSA with SHA-256/384/512. */
  algorithms?: readonly SignatureAlgorithm[];
  /** For `validUntil` and cache expiry. Default: system time. */
  clock?: Clock;
}

/** Whether a transport failure is the service being down: no HTTP answer at all, or a 5xx. */
function isOutage(error: unknown): boolean {
  const status = isSamlError(error) ? (error.details as { status?: unknown } | undefined)?.status : undefined;
  return typeof status !== 'number' || status >= 500;
}

/**
 * What an MDQ client reports: `mdq_stale_served` when a lookup is answered with an expired but
 * still valid answer because the service could not be reached (`error` says why; `staleUntil`
 * is when that answer stops being served, epoch ms), `mdq_failed` when a lookup fails.
 */
export type MdqEvent =
  | { type: 'mdq_stale_served'; entityId: string; error: SamlError; expiredAt: number; staleUntil: number }
  | { type: 'mdq_failed'; entityId: string; error: SamlError };

/** Looks SPs up one at a time from a Metadata Query Protocol service, verified and cached. */
export interface MdqClient {
  /**
   * The entity's SP metadata, verified against the federation certificates; `undefined` when
   * the service does not know it (HTTP 404). Answers are cached for their `cacheDuration`
   * (within `minCacheMs`…`maxCacheMs`, never past `validUntil`), misses for `negativeCacheMs`,
   * and concurrent lookups of one entity share one request.
   *
   * @throws SamlError `SAML_METADATA_UNAVAILABLE` when the service cannot be reached (and no
   * answer within `staleIfUnavailableMs` can stand in), answers another error, or sends
   * metadata that does not verify or does not describe that entity (the reason in `cause`).
   * Failures are not cached.
   */
  lookup(entityId: string): Promise<SpMetadata | undefined>;
  /** Forgets a cached answer, so the next lookup asks the service again. */
  forget(entityId: string): void;
}

/** Every option `createMdqClient` reads; the type makes a new option fail to compile until listed. */
const knownOptions: Record<keyof MdqClientOptions, true> = {
  baseUrl: true,
  certificates: true,
  identifier: true,
  cacheSize: true,
  negativeCacheMs: true,
  minCacheMs: true,
  maxCacheMs: true,
  staleIfUnavailableMs: true,
  onEvent: true,
  limits: true,
  algorithms: true,
  clock: true,
  transport: true,
  http: true,
  timeoutMs: true,
  maxBytes: true,
};

const defaults = {
  identifier: 'urlencoded',
  cacheSize: 1_000,
  negativeCacheMs: 60_000,
  minCacheMs: 60_000,
  maxCacheMs: 6 * 3_600_000,
  staleIfUnavailableMs: 3_600_000,
  timeoutMs: 10_000,
  maxBytes: 1024 * 1024,
} as const;

/** A `cacheDuration` in milliseconds; a missing or malformed one counts as absent (the longest cache). */
function readDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return readCacheDuration(text);
  } catch {
    return undefined;
  }
}

/** The path segment MDQ (draft-young-md-query §3.2) gives an entity: `{sha1}<hex>` or the encoded ID. */
export function mdqIdentifier(entityId: string, form: 'urlencoded' | 'sha1'): string {
  if (form === 'urlencoded') return encodeURIComponent(entityId);
  const hex = Buffer.from(digestBase64(digestAlgorithms.sha1, entityId), 'base64').toString('hex');
  return `%7Bsha1%7D${hex}`;
}

/**
 * Creates a client of a Metadata Query Protocol service (draft-young-md-query,
 * draft-young-md-query-saml): `GET {baseUrl}/entities/{id}` with
 * `Accept: application/samlmetadata+xml`, each answer verified as signed metadata.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` for unusable options (every problem listed).
 */
export function createMdqClient(options: MdqClientOptions): MdqClient {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createMdqClient expects an options object');
  const issues: Issue[] = [];
  for (const key of Object.keys(options))
    if (!Object.hasOwn(knownOptions, key)) issues.push({ path: [key], message: 'is not an option' });
  let base: URL | undefined;
  try {
    base = new URL(options.baseUrl);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    issues.push({ path: ['baseUrl'], message: 'must be an absolute http(s) URL' });
  }
  let trust: KeyPair[] = [];
  if (!Array.isArray(options.certificates) || options.certificates.length === 0) {
    issues.push({ path: ['certificates'], message: 'must list the federation signing certificates' });
  } else {
    try {
      trust = options.certificates.map((certificate) => toKeyPair(certificate));
    } catch (error) {
      if (!isSamlError(error)) throw error;
      issues.push({ path: ['certificates'], message: 'must be PEM certificates or KeyPairs' });
    }
  }
  const identifier = options.identifier ?? defaults.identifier;
  if (identifier !== 'urlencoded' && identifier !== 'sha1')
    issues.push({ path: ['identifier'], message: "must be 'urlencoded' or 'sha1'" });
  const number = (name: keyof typeof defaults, integer = false): number => {
    const value = options[name as keyof MdqClientOptions] ?? defaults[name];
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < 0 ||
      (integer && !Number.isInteger(value))
    )
      issues.push({
        path: [name],
        message: integer ? 'must be a non-negative integer' : 'must be a non-negative number',
      });
    return value as number;
  };
  const cacheSize = number('cacheSize', true);
  const negativeCacheMs = number('negativeCacheMs');
  const minCacheMs = number('minCacheMs');
  const maxCacheMs = number('maxCacheMs');
  const staleIfUnavailableMs = number('staleIfUnavailableMs');
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function')
    issues.push({ path: ['onEvent'], message: 'must be a function' });
  if (minCacheMs > maxCacheMs) issues.push({ path: ['minCacheMs'], message: 'must not exceed maxCacheMs' });
  const fetcher = createMetadataFetcher(options, defaults, issues);
  if (issues.length > 0) throw createConfigError('invalid metadata query options', issues);
  const clock = options.clock ?? systemClock;
  const root = base!.href.replace(/\/+$/, '');
  const limits: XmlLimits = { maxBytes: fetcher.maxBytes, ...options.limits };
  const cache = createLookupCache<SpMetadata>(cacheSize);
  const pending = new Map<string, Promise<SpMetadata | undefined>>();

  const unavailable = (message: string, entityId: string, cause?: unknown): SamlError =>
    new SamlError('SAML_METADATA_UNAVAILABLE', `metadata query: ${message}`, {
      details: { entityId },
      ...(cause === undefined ? {} : { cause }),
    });
  const handler = options.onEvent;
  function emit(event: MdqEvent): void {
    try {
      handler?.(event);
    } catch {
      // An event handler's failure must not change the lookup's outcome.
    }
  }

  /**
   * The expired answer that may stand in while the service cannot be reached: verified when it
   * arrived, still before its `validUntil` and within `staleIfUnavailableMs` of its expiry.
   */
  function serveStale(entityId: string, error: SamlError, now: number): SpMetadata | undefined {
    const stale = cache.getStale(entityId, now);
    const metadata = stale?.value;
    if (stale === undefined || metadata === undefined) return undefined;
    if (metadata.validUntil !== undefined && metadata.validUntil.getTime() <= now) return undefined;
    // Not asked again at once: every message from that SP would otherwise wait for the timeout.
    cache.set(entityId, metadata, Math.min(now + negativeCacheMs, stale.staleUntil), stale.staleUntil);
    emit({
      type: 'mdq_stale_served',
      entityId,
      error,
      expiredAt: stale.expiresAt,
      staleUntil: stale.staleUntil,
    });
    return metadata;
  }

  async function query(entityId: string): Promise<SpMetadata | undefined> {
    const url = `${root}/entities/${mdqIdentifier(entityId, identifier)}`;
    // A service that answers is not down (ADR 0018): an answer other than the entity's verified
    // metadata also ends the stale copy, so no later outage brings back what it did not vouch for.
    const refused = (error: SamlError): never => {
      cache.delete(entityId);
      throw error;
    };
    let response: Awaited<ReturnType<typeof fetcher.get>>;
    try {
      response = await fetcher.get(url, { accept: 'application/samlmetadata+xml' });
    } catch (error) {
      const failure = unavailable('the service could not be reached', entityId, error);
      // Only an outage (no connection, a timeout, a 5xx) lets a stale answer stand in: the
      // transport also throws for answers it refuses (a redirect, one over the size limit).
      if (!isOutage(error)) refused(failure);
      const stale = serveStale(entityId, failure, clock().getTime());
      if (stale !== undefined) return stale;
      throw failure;
    }
    const now = clock().getTime();
    if (response.status === 404) {
      cache.set(entityId, undefined, now + negativeCacheMs);
      return undefined;
    }
    if (response.status !== 200)
      refused(unavailable(`the service answered HTTP ${response.status}`, entityId));
    if (response.body.length > fetcher.maxBytes) refused(unavailable('the answer is too large', entityId));
    let metadata: SpMetadata;
    try {
      // The signature must verify with the federation keys and the entity must be the one asked for.
      metadata = parseSpMetadata(response.body, {
        trust,
        entityId,
        clock,
        limits,
        ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
      });
    } catch (error) {
      if (!isSamlError(error)) throw error;
      return refused(unavailable(`the answer was refused (${error.code})`, entityId, error));
    }
    const cacheMs = clampDuration(readDuration(metadata.cacheDuration), maxCacheMs, minCacheMs, maxCacheMs);
    const validUntil = metadata.validUntil?.getTime() ?? Number.POSITIVE_INFINITY;
    const until = Math.min(now + cacheMs, validUntil);
    cache.set(entityId, metadata, until, Math.min(until + staleIfUnavailableMs, validUntil));
    return metadata;
  }

  return {
    async lookup(entityId) {
      if (typeof entityId !== 'string') throw new TypeError('lookup expects an entity ID string');
      const cached = cache.get(entityId, clock().getTime());
      if (cached !== undefined) return cached.value;
      let running = pending.get(entityId);
      if (running === undefined) {
        running = query(entityId)
          .catch((error: unknown) => {
            if (isSamlError(error)) emit({ type: 'mdq_failed', entityId, error });
            throw error;
          })
          .finally(() => pending.delete(entityId));
        pending.set(entityId, running);
      }
      return running;
    },
    forget(entityId) {
      cache.delete(entityId);
    },
  };
}
