import type { Issue } from '../errors/index.js';
import { createConfigError } from './issues.js';

/** Milliseconds per unit; the keys are authentik's (Python `timedelta` keyword arguments). */
const unitMs = {
  microseconds: 0.001,
  milliseconds: 1,
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
} as const;

type DurationUnit = keyof typeof unitMs;

const unitList = Object.keys(unitMs).join(', ');

/**
 * The largest magnitude a duration (and each of its parts) may have: 100 years of
 * 365.25 days. Far beyond any sane assertion or session lifetime, and far below the
 * point where adding it to `Date.now()` leaves the range of a JavaScript Date.
 */
export const maxDurationMs = 36_525 * unitMs.days;

/** Bounds the work done on hostile input; real values are a few dozen characters. */
export const maxDurationLength = 256;

/** An optional sign, then digits with an optional fraction (`5`, `-1.5`, `.5`, `5.`). No exponent, no `nan`/`inf`. */
const plainDecimal = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

function isDurationUnit(key: string): key is DurationUnit {
  return Object.hasOwn(unitMs, key);
}

/**
 * @internal Checks a time-delta string and collects every problem instead of
 * stopping at the first, so provider validation can report them all together.
 */
export function checkDuration(
  text: unknown,
  path: (string | number)[],
): { ms: number; issues: [] } | { ms: undefined; issues: Issue[] } {
  const issues: Issue[] = [];
  const fail = (message: string) => issues.push({ path, message });

  if (typeof text !== 'string') {
    fail('must be a string such as "hours=1;minutes=-30"');
    return { ms: undefined, issues };
  }
  if (text.length > maxDurationLength) {
    fail(`is longer than ${maxDurationLength} characters`);
    return { ms: undefined, issues };
  }
  if (text.trim() === '') {
    fail('is empty; expected e.g. "minutes=5"');
    return { ms: undefined, issues };
  }

  const seen = new Set<DurationUnit>();
  let total = 0;
  text.split(';').forEach((part, index) => {
    if (part.trim() === '') {
      fail(`part ${index + 1} is empty (stray ";")`);
      return;
    }
    const pieces = part.split('=');
    if (pieces.length !== 2) {
      fail(`part ${index + 1} is not of the form key=value`);
      return;
    }
    const key = pieces[0]!.trim().toLowerCase();
    const value = pieces[1]!.trim();
    if (!isDurationUnit(key)) {
      fail(`unknown key "${key.slice(0, 32)}"; expected one of ${unitList}`);
      return;
    }
    if (seen.has(key)) {
      fail(`key "${key}" appears more than once`);
      return;
    }
    seen.add(key);
    if (!plainDecimal.test(value)) {
      fail(`value of "${key}" is not a plain decimal number`);
      return;
    }
    const ms = Number(value) * unitMs[key];
    if (!Number.isFinite(ms) || Math.abs(ms) > maxDurationMs) {
      fail(`value of "${key}" exceeds 100 years`);
      return;
    }
    total += ms;
  });

  if (issues.length === 0 && Math.abs(total) > maxDurationMs) fail('total exceeds 100 years');
  if (issues.length > 0) return { ms: undefined, issues };
  // Round to whole microseconds (timedelta's resolution) to drop float noise such as 0.1 minutes = 6000.000000000001.
  const rounded = Math.round(total * 1000) / 1000;
  return { ms: rounded === 0 ? 0 : rounded, issues: [] };
}

/**
 * Converts an authentik time-delta string (`hours=-1;minutes=-2;seconds=-3`) to
 * milliseconds, the sum of its parts (mixed signs allowed).
 *
 * Keys: microseconds, milliseconds, seconds, minutes, hours, days, weeks, in any
 * case; whitespace around keys and values is ignored. Stricter than authentik,
 * because its leniencies hide typos or crash:
 * - an unknown key is an error (authentik silently skips it);
 * - a repeated key is an error (authentik keeps the last one);
 * - a value must be a plain decimal (`5`, `-1.5`, `.5`): no exponent, `nan`, `inf`;
 * - each part and the total are limited to ±100 years ({@link maxDurationMs});
 * - an empty string, an empty part (`minutes=5;`), `a=b=c` and a bare word are errors,
 *   as in authentik.
 *
 * The result has microsecond resolution, so it may be fractional.
 *
 * @param field name used as the issue path, e.g. `assertionValidNotBefore`.
 * @throws SamlError `SAML_CONFIG_INVALID` with `details.issues` listing every problem.
 */
export function parseDuration(text: string, field?: string): number {
  const result = checkDuration(text, field === undefined ? [] : [field]);
  if (result.ms === undefined) throw createConfigError('invalid duration', result.issues);
  return result.ms;
}
