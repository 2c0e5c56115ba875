/** `value` within `[min, max]`; `fallback` when it is undefined. */
export function clampDuration(value: number | undefined, fallback: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value ?? fallback));
}
