/**
 * Reads an xs:duration (`PnYnMnDTnHnMnS`) such as a metadata `cacheDuration` into milliseconds.
 * Years count 365 days and months 30: a cache lifetime needs no calendar. Returns `undefined`
 * for anything else (negative or malformed), which callers treat as "not given".
 */
export function readCacheDuration(text: string | number | undefined): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    text.trim(),
  );
  if (!match || /^P(T)?$/.test(text.trim()) || text.trim().endsWith('T')) return undefined;
  const [, years, months, days, hours, minutes, seconds] = match;
  const n = (value: string | undefined) => (value === undefined ? 0 : Number(value));
  const total =
    ((((n(years) * 365 + n(months) * 30 + n(days)) * 24 + n(hours)) * 60 + n(minutes)) * 60 + n(seconds)) *
    1000;
  return Number.isFinite(total) ? total : undefined;
}

/** `value` within `[min, max]`; `fallback` when it is undefined. */
export function clampDuration(value: number | undefined, fallback: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value ?? fallback));
}
