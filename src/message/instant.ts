import { SamlError } from '../errors/index.js';

/** `YYYY-MM-DDTHH:MM:SSZ`: UTC, no fraction, as SAMLCore §1.3.3 and authentik emit. */
export function formatInstant(date: Date): string {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new TypeError('invalid date');
  return new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// xs:dateTime in UTC: optional fraction (up to 9 digits), mandatory `Z` (SAMLCore §1.3.3).
const instantPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/**
 * Parses a SAML instant strictly: no `Date.parse` leniency, no offsets other
 * than `Z`, calendar-checked. Returns epoch milliseconds.
 */
export function parseInstant(text: string, field: string): number {
  const match = instantPattern.exec(text);
  if (match) {
    const [, y, mo, d, h, mi, s, fraction] = match;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const ms = Date.UTC(
      year,
      month - 1,
      day,
      Number(h),
      Number(mi),
      Number(s),
      Number((fraction ?? '0').padEnd(3, '0').slice(0, 3)),
    );
    const check = new Date(ms);
    if (
      year >= 1 &&
      check.getUTCFullYear() === year &&
      check.getUTCMonth() === month - 1 &&
      check.getUTCDate() === day &&
      Number(h) < 24 &&
      Number(mi) < 60 &&
      Number(s) < 60
    ) {
      return ms;
    }
  }
  throw new SamlError('SAML_MESSAGE_INVALID', `${field} is not a valid UTC instant`);
}
