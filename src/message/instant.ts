import { SamlError } from '../errors/index.js';

/** `YYYY-MM-DDTHH:MM:SSZ`: UTC, no fraction, as SAMLCore §1.3.3 and authentik emit. */
export function formatInstant(date: Date): string {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new TypeError('invalid date');
  // `…:SS.mmmZ` without its milliseconds: the seconds shown are already rounded down.
  const iso = date.toISOString();
  return `${iso.slice(0, -5)}Z`;
}

// xs:dateTime in UTC: optional fraction (up to 9 digits), mandatory `Z` (SAMLCore §1.3.3).
const instantPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

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
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s);
    // Years below 100 are refused: Date.UTC would read them as 1900–1999.
    if (
      year >= 100 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month) &&
      hour < 24 &&
      minute < 60 &&
      second < 60
    ) {
      const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
      return Date.UTC(year, month - 1, day, hour, minute, second, millis);
    }
  }
  throw new SamlError('SAML_MESSAGE_INVALID', `${field} is not a valid UTC instant`);
}
