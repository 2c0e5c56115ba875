/**
 * One cached answer: a value or a remembered miss (`undefined`), fresh until `expiresAt` and
 * kept, stale, until `staleUntil` (epoch ms) for when the source cannot be reached.
 */
interface CacheEntry<T> {
  value: T | undefined;
  expiresAt: number;
  staleUntil: number;
}

/** A bounded cache whose entries expire; the least recently used entry goes first when full. */
export interface LookupCache<T> {
  /** The entry for `key` while fresh at `now`; `undefined` when absent or expired. */
  get(key: string, now: number): CacheEntry<T> | undefined;
  /** The entry for `key` once expired but before its `staleUntil`; `undefined` otherwise. */
  getStale(key: string, now: number): CacheEntry<T> | undefined;
  /** `staleUntil` defaults to `expiresAt`: no stale use. */
  set(key: string, value: T | undefined, expiresAt: number, staleUntil?: number): void;
  delete(key: string): void;
  readonly size: number;
}

/** A cache of at most `capacity` entries (a Map keeps insertion order: re-inserting marks use). */
export function createLookupCache<T>(capacity: number): LookupCache<T> {
  const entries = new Map<string, CacheEntry<T>>();
  return {
    get(key, now) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      if (entry.staleUntil <= now && entry.expiresAt <= now) return undefined;
      entries.set(key, entry);
      return entry.expiresAt <= now ? undefined : entry;
    },
    getStale(key, now) {
      const entry = entries.get(key);
      if (entry === undefined || entry.expiresAt > now || entry.staleUntil <= now) return undefined;
      return entry;
    },
    set(key, value, expiresAt, staleUntil = expiresAt) {
      entries.delete(key);
      entries.set(key, { value, expiresAt, staleUntil: Math.max(expiresAt, staleUntil) });
      while (entries.size > capacity) entries.delete(entries.keys().next().value!);
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
