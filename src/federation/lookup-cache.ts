/** One cached answer: a value or a remembered miss (`undefined`), until `expiresAt` (epoch ms). */
interface CacheEntry<T> {
  value: T | undefined;
  expiresAt: number;
}

/** A bounded cache whose entries expire; the least recently used entry goes first when full. */
export interface LookupCache<T> {
  /** The entry for `key` unless absent or expired at `now`. */
  get(key: string, now: number): CacheEntry<T> | undefined;
  set(key: string, value: T | undefined, expiresAt: number): void;
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
      if (entry.expiresAt <= now) return undefined;
      entries.set(key, entry);
      return entry;
    },
    set(key, value, expiresAt) {
      entries.delete(key);
      entries.set(key, { value, expiresAt });
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
