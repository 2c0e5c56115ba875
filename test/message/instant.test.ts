import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInstant, parseInstant } from '../../src/message/instant.js';

describe('parseInstant', () => {
  it('accepts valid UTC instants, with and without a fraction', () => {
    expect(parseInstant('2024-02-29T23:59:59Z', 'x')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parseInstant('2000-02-29T00:00:00.5Z', 'x')).toBe(Date.UTC(2000, 1, 29, 0, 0, 0, 500));
    expect(parseInstant('2026-12-31T12:00:00.123456789Z', 'x')).toBe(Date.UTC(2026, 11, 31, 12, 0, 0, 123));
  });

  it.each([
    '2023-02-29T00:00:00Z', // not a leap year
    '1900-02-29T00:00:00Z', // century, not a leap year
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:60Z',
    '0099-01-01T00:00:00Z', // Date.UTC would read it as 1999
    '0000-01-01T00:00:00Z',
    '2026-01-01T00:00:00+00:00',
    '2026-01-01T00:00:00',
    '2026-01-01 00:00:00Z',
  ])('refuses %s', (text) => {
    expect(() => parseInstant(text, 'IssueInstant')).toThrowError(
      expect.objectContaining({ code: 'SAML_MESSAGE_INVALID' }),
    );
  });

  it('agrees with the calendar for every date it is given', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        (year, month, day, hour) => {
          const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:07:09Z`;
          const date = new Date(0);
          date.setUTCFullYear(year, month - 1, day);
          date.setUTCHours(hour, 7, 9, 0);
          const real = date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
          if (real) expect(parseInstant(text, 'x')).toBe(date.getTime());
          else expect(() => parseInstant(text, 'x')).toThrow();
        },
      ),
    );
  });
});

describe('formatInstant', () => {
  it('writes whole seconds in UTC and follows the clock across seconds', () => {
    expect(formatInstant(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 999)))).toBe('2026-01-02T03:04:05Z');
    expect(formatInstant(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 1)))).toBe('2026-01-02T03:04:05Z');
    expect(formatInstant(new Date(Date.UTC(2026, 0, 2, 3, 4, 6, 0)))).toBe('2026-01-02T03:04:06Z');
    expect(formatInstant(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 0)))).toBe('2026-01-02T03:04:05Z');
    expect(() => formatInstant(new Date(Number.NaN))).toThrow(TypeError);
  });
});
