import { type ProviderInput, parseProvider } from '../config/index.js';
import { createConfigError } from '../config/issues.js';
import type { KeyPair } from '../crypto/keys.js';
import { type Issue, isSamlError, SamlError } from '../errors/index.js';
import { type Clock, systemClock } from '../message/context.js';
import type { OwnedProvider, OwnedProviderStore, OwnedProvidersReplaced } from '../store/store.js';
import { type AggregateLimits, importAggregate } from './import-aggregate.js';
import type { EntityProblem, ImportedAggregate } from './imported-entity.js';
import { createLastGoodCopy } from './last-good-copy.js';
import { createMetadataFetcher, type MetadataHttpOptions } from './metadata-fetch.js';
import { clampDuration } from './refresh-window.js';
import type { RegistrationFilter } from './registration-filter.js';

/** Options of {@link createMetadataSource}. */
export interface MetadataSourceOptions extends MetadataHttpOptions {
  /** The federation's signed aggregate (`md:EntitiesDescriptor`). */
  url: string;
  /** The federation's metadata signing certificates; the aggregate must verify with one. */
  certificates: readonly (KeyPair | string)[];
  /** Where the SPs of the aggregate go; the facade's store (memory, Redis or PostgreSQL). */
  store: OwnedProviderStore;
  /**
   * The owner name of the providers this source stores; the source replaces exactly those.
   * Give each source its own. Default `metadata:` + `url`.
   */
  owner?: string;
  /** Which entities to register; default all SPs of the aggregate. */
  filter?: RegistrationFilter;
  /** Size bounds of the aggregate; see `defaultAggregateLimits`. Also bounds the download. */
  limits?: AggregateLimits;
  /** Provider settings added to what the metadata says, for every SP (`signAssertion`, …). */
  providerDefaults?: Partial<Omit<ProviderInput, 'entityId'>>;
  /**
   * A file holding the last aggregate that verified and was applied. `start()` loads it first
   * (verified again, `validUntil` enforced), so an IdP restarting while the federation is
   * unreachable still knows its SPs. Default none.
   */
  cacheFile?: string;
  /** Shortest time between fetches, and the wait before retrying a failed one. Default 5 minutes. */
  minRefreshMs?: number;
  /** Longest time between fetches (also used when the aggregate has no `cacheDuration`). Default 12 hours. */
  maxRefreshMs?: number;
  /** For `validUntil`. Default: system time. */
  clock?: Clock;
  /** Receives every {@link MetadataSourceEvent}, synchronously; what it throws is ignored. */
  onEvent?: (event: MetadataSourceEvent) => void;
}

/** Where a failure happened: nothing of that aggregate was applied. */
export type MetadataFailureStage = 'fetch' | 'verify' | 'store' | 'cache_file';

/**
 * What a metadata source did. A failure never leaves a half-applied aggregate: the providers
 * stored before stay until a newer aggregate verifies, or until their `validUntil` passes.
 */
export type MetadataSourceEvent =
  | {
      type: 'metadata_updated';
      /** `network`: fetched now; `cache_file`: the last good copy, at start. */
      origin: 'network' | 'cache_file';
      /** SPs registered, their ids (the entity IDs). */
      stored: string[];
      /** SPs that were registered and are no longer in the aggregate (or no longer pass the filter). */
      removed: string[];
      /** SPs left out because a provider registered by hand, or by another source, has the entity ID. */
      conflicts: OwnedProvidersReplaced['conflicts'];
      /** Entities left out because they could not be read or turned into a provider. */
      problems: EntityProblem[];
      validUntil?: Date;
      /** When the next fetch is due (epoch ms), unless the source is stopped. */
      nextRefreshAt?: number;
    }
  | { type: 'metadata_not_modified'; nextRefreshAt?: number }
  | {
      type: 'metadata_failed';
      stage: MetadataFailureStage;
      /** `SAML_METADATA_UNAVAILABLE` (fetch, with the transport error as cause), a signature, XML or expiry code, or `SAML_STORE_FAILED`. */
      error: SamlError;
      nextRefreshAt?: number;
    }
  /** The loaded aggregate passed its `validUntil` with no newer one: its providers were removed. */
  | { type: 'metadata_expired'; removed: string[]; nextRefreshAt?: number };

/** A federation aggregate kept in a store and refreshed on schedule. */
export interface MetadataSource {
  /**
   * Loads the last good copy (when `cacheFile` is set), fetches the aggregate once, and keeps
   * fetching on schedule until `stop()`. Resolves with the event of the first fetch; failures
   * are events, never rejections.
   */
  start(): Promise<MetadataSourceEvent>;
  /** Fetches now (a fetch in progress is joined, not repeated) and resolves with its event. */
  refresh(): Promise<MetadataSourceEvent>;
  /** Stops the schedule. The stored providers stay. */
  stop(): void;
}

/** Every option `createMetadataSource` reads; the type makes a new option fail to compile until listed. */
const knownOptions: Record<keyof MetadataSourceOptions, true> = {
  url: true,
  certificates: true,
  store: true,
  owner: true,
  filter: true,
  limits: true,
  providerDefaults: true,
  cacheFile: true,
  minRefreshMs: true,
  maxRefreshMs: true,
  clock: true,
  onEvent: true,
  transport: true,
  http: true,
  timeoutMs: true,
  maxBytes: true,
};

const defaults = {
  minRefreshMs: 5 * 60_000,
  maxRefreshMs: 12 * 3_600_000,
  timeoutMs: 60_000,
  maxBytes: 256 * 1024 * 1024,
} as const;

/**
 * Creates a source that keeps the SPs of a federation's signed aggregate in `store`.
 *
 * Each fetch is a conditional GET (If-None-Match with the last ETag, If-Modified-Since with
 * the last Last-Modified; a 304 keeps what is loaded). A new aggregate is verified whole by
 * `importAggregate` (signature against `certificates`, `validUntil`), turned into providers
 * with `parseProvider`, and written with `replaceOwnedProviders`: in one atomic step the
 * source's providers become exactly the aggregate's SPs, and providers registered by hand are
 * never touched. The next fetch is due after the aggregate's `cacheDuration`, held within
 * `[minRefreshMs, maxRefreshMs]` and before `validUntil`; a failed fetch is retried after
 * `minRefreshMs`.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` for unusable options (every problem listed).
 */
export function createMetadataSource(options: MetadataSourceOptions): MetadataSource {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createMetadataSource expects an options object');
  const issues: Issue[] = [];
  // A misspelt option (`cachefile`) would otherwise be dropped without a word.
  for (const key of Object.keys(options))
    if (!Object.hasOwn(knownOptions, key)) issues.push({ path: [key], message: 'is not an option' });
  try {
    const url = new URL(options.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    issues.push({ path: ['url'], message: 'must be an absolute http(s) URL' });
  }
  if (!Array.isArray(options.certificates) || options.certificates.length === 0)
    issues.push({ path: ['certificates'], message: 'must list the federation signing certificates' });
  if (typeof options.store?.replaceOwnedProviders !== 'function')
    issues.push({
      path: ['store'],
      message: 'must be a store with replaceOwnedProviders (memory, Redis, PostgreSQL)',
    });
  const owner = options.owner ?? `metadata:${options.url}`;
  if (typeof owner !== 'string' || owner === '')
    issues.push({ path: ['owner'], message: 'must be a non-empty string' });
  if (options.cacheFile !== undefined && (typeof options.cacheFile !== 'string' || options.cacheFile === ''))
    issues.push({ path: ['cacheFile'], message: 'must be a file path' });
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function')
    issues.push({ path: ['onEvent'], message: 'must be a function' });
  const duration = (name: 'minRefreshMs' | 'maxRefreshMs'): number => {
    const value = options[name] ?? defaults[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2_147_483_647)
      issues.push({ path: [name], message: 'must be a positive number of milliseconds (at most 2^31 - 1)' });
    return value;
  };
  const minRefreshMs = duration('minRefreshMs');
  const maxRefreshMs = duration('maxRefreshMs');
  if (minRefreshMs > maxRefreshMs)
    issues.push({ path: ['minRefreshMs'], message: 'must not exceed maxRefreshMs' });
  const maxBytes = options.limits?.maxBytes ?? defaults.maxBytes;
  const fetcher = createMetadataFetcher(options, { timeoutMs: defaults.timeoutMs, maxBytes }, issues);
  if (issues.length > 0) throw createConfigError('invalid metadata source options', issues);

  const { store, url } = options;
  const clock = options.clock ?? systemClock;
  const copy = options.cacheFile === undefined ? undefined : createLastGoodCopy(options.cacheFile);
  const handler = options.onEvent;
  // What the last applied aggregate was: its validators for conditional GETs and its expiry.
  let validators: { etag?: string; lastModified?: string } = {};
  let loadedUntil: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<MetadataSourceEvent> | undefined;
  let started = false;

  function emit<E extends MetadataSourceEvent>(event: E): E {
    try {
      handler?.(event);
    } catch {
      // Observability must not change what the source does.
    }
    return event;
  }

  function schedule(delayMs: number): number | undefined {
    clearTimeout(timer);
    timer = undefined;
    if (!started) return undefined;
    const delay = Math.max(0, Math.min(delayMs, 2_147_483_647));
    timer = setTimeout(() => {
      void refresh();
    }, delay);
    // A pending refresh never keeps the process alive on its own.
    timer.unref?.();
    return clock().getTime() + delay;
  }

  /** When the next fetch is due after applying an aggregate: its cacheDuration, bounded, before validUntil. */
  function nextDelay(aggregate: ImportedAggregate): number {
    let delay = clampDuration(aggregate.cacheDurationMs, maxRefreshMs, minRefreshMs, maxRefreshMs);
    const validUntil = aggregate.validUntil?.getTime();
    if (validUntil !== undefined) {
      // Half the time left, so a failed fetch still leaves room to retry before the copy expires.
      delay = Math.min(delay, Math.max(minRefreshMs, (validUntil - clock().getTime()) / 2));
    }
    return delay;
  }

  const failed = (stage: MetadataFailureStage, error: unknown, retry = true) =>
    emit({
      type: 'metadata_failed',
      stage,
      error: isSamlError(error)
        ? error
        : new SamlError('SAML_METADATA_UNAVAILABLE', `metadata source: ${stage} failed`, { cause: error }),
      ...(retry ? withNext(schedule(retryDelay())) : {}),
    });

  /** After a failure: `minRefreshMs`, or sooner when the loaded aggregate expires first. */
  const retryDelay = () =>
    loadedUntil === undefined
      ? minRefreshMs
      : Math.min(minRefreshMs, Math.max(0, loadedUntil - clock().getTime()));

  const withNext = (at: number | undefined) => (at === undefined ? {} : { nextRefreshAt: at });

  /** Removes the providers of a loaded aggregate whose validUntil has passed; true when it did. */
  async function expireIfDue(): Promise<MetadataSourceEvent | undefined> {
    if (loadedUntil === undefined || clock().getTime() < loadedUntil) return undefined;
    let result: OwnedProvidersReplaced;
    try {
      result = await store.replaceOwnedProviders(owner, []);
    } catch (error) {
      return failed('store', error);
    }
    loadedUntil = undefined;
    validators = {};
    return emit({ type: 'metadata_expired', removed: result.removed, ...withNext(schedule(minRefreshMs)) });
  }

  /** Verifies `xml` and replaces the source's providers with its SPs; throws with the failing stage. */
  async function apply(
    xml: string,
  ): Promise<{ aggregate: ImportedAggregate; replaced: OwnedProvidersReplaced; problems: EntityProblem[] }> {
    let aggregate: ImportedAggregate;
    try {
      aggregate = importAggregate(xml, {
        certificates: options.certificates,
        now: clock(),
        ...(options.filter === undefined ? {} : { filter: options.filter }),
        ...(options.limits === undefined ? {} : { limits: options.limits }),
      });
    } catch (error) {
      throw new StageFailure('verify', error);
    }
    const problems = [...aggregate.problems];
    const providers: OwnedProvider[] = [];
    for (const entity of aggregate.entities) {
      if (entity.serviceProvider === undefined) continue;
      try {
        const provider = parseProvider({
          ...entity.serviceProvider.provider,
          ...options.providerDefaults,
          entityId: entity.entityId,
        });
        providers.push({ id: entity.entityId, provider });
      } catch (error) {
        if (!isSamlError(error)) throw error;
        problems.push({ entityId: entity.entityId, code: error.code, message: error.message });
      }
    }
    let replaced: OwnedProvidersReplaced;
    try {
      replaced = await store.replaceOwnedProviders(owner, providers);
    } catch (error) {
      throw new StageFailure('store', error);
    }
    loadedUntil = aggregate.validUntil?.getTime();
    return { aggregate, replaced, problems };
  }

  function updated(
    origin: 'network' | 'cache_file',
    { aggregate, replaced, problems }: Awaited<ReturnType<typeof apply>>,
    nextRefreshAt: number | undefined,
  ) {
    return emit({
      type: 'metadata_updated',
      origin,
      stored: replaced.stored,
      removed: replaced.removed,
      conflicts: replaced.conflicts,
      problems,
      ...(aggregate.validUntil === undefined ? {} : { validUntil: aggregate.validUntil }),
      ...withNext(nextRefreshAt),
    });
  }

  async function fetchOnce(): Promise<MetadataSourceEvent> {
    const headers: Record<string, string> = { accept: 'application/samlmetadata+xml' };
    if (validators.etag !== undefined) headers['if-none-match'] = validators.etag;
    if (validators.lastModified !== undefined) headers['if-modified-since'] = validators.lastModified;
    let response: Awaited<ReturnType<typeof fetcher.get>>;
    try {
      response = await fetcher.get(url, headers);
      if (response.status !== 200 && response.status !== 304)
        throw new SamlError(
          'SAML_METADATA_UNAVAILABLE',
          `metadata source: the server answered HTTP ${response.status}`,
          {
            details: { status: response.status },
          },
        );
    } catch (error) {
      const wrapped = isSamlError(error, 'SAML_METADATA_UNAVAILABLE')
        ? error
        : new SamlError('SAML_METADATA_UNAVAILABLE', 'metadata source: the aggregate could not be fetched', {
            cause: error,
          });
      return (await expireIfDue()) ?? failed('fetch', wrapped);
    }
    if (response.status === 304) {
      return (
        (await expireIfDue()) ?? emit({ type: 'metadata_not_modified', ...withNext(schedule(currentDelay)) })
      );
    }
    let result: Awaited<ReturnType<typeof apply>>;
    try {
      result = await apply(response.body);
    } catch (error) {
      if (!(error instanceof StageFailure)) throw error;
      return (await expireIfDue()) ?? failed(error.stage, error.cause);
    }
    validators = {
      ...(response.headers.etag === undefined ? {} : { etag: response.headers.etag }),
      ...(response.headers['last-modified'] === undefined
        ? {}
        : { lastModified: response.headers['last-modified'] }),
    };
    currentDelay = nextDelay(result.aggregate);
    const event = updated('network', result, schedule(currentDelay));
    if (copy) {
      try {
        await copy.write(response.body);
      } catch (error) {
        failed('cache_file', error, false);
      }
    }
    return event;
  }

  // The delay the last applied aggregate asked for; a 304 keeps it.
  let currentDelay = maxRefreshMs;

  function refresh(): Promise<MetadataSourceEvent> {
    running ??= fetchOnce()
      .catch((error: unknown) => failed('fetch', error))
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  return {
    async start() {
      if (started) return refresh();
      started = true;
      if (copy) {
        try {
          const xml = await copy.read();
          if (xml !== undefined) updated('cache_file', await apply(xml), undefined);
        } catch (error) {
          // The copy is verified like a download; its error (signature, expiry) says why it was refused.
          failed('cache_file', error instanceof StageFailure ? error.cause : error, false);
        }
      }
      return refresh();
    },
    refresh,
    stop() {
      started = false;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** A failure of one stage of applying an aggregate, carrying the original error. */
class StageFailure extends Error {
  constructor(
    readonly stage: MetadataFailureStage,
    cause: unknown,
  ) {
    super(stage, { cause });
  }
}
