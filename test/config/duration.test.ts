import { describe, expect, it } from 'vitest';
import { type Issue, isSamlError, maxDurationMs, parseDuration } from '../../src/index.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

function durationIssues(text: unknown, field?: string): Issue[] {
  try {
    parseDuration(text as string, field);
  } catch (error) {
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    if (!isSamlError(error, 'SAML_CONFIG_INVALID')) throw error;
    return error.details!.issues;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseDuration: accepted input', () => {
  it.each([
    ['hours=3;minutes=1', 3 * hour + minute],
    ['minutes=-5', -5 * minute],
    ['minutes=5', 5 * minute],
    ['minutes=86400', 86_400 * minute],
    ['hours=-1;minutes=-2;seconds=-3', -(hour + 2 * minute + 3_000)],
    ['hours=1;minutes=-30', 30 * minute],
    ['weeks=1', 7 * day],
    ['days=2', 2 * day],
    ['seconds=30', 30_000],
    ['milliseconds=250', 250],
    ['microseconds=1500', 1.5],
    ['microseconds=1', 0.001],
    ['minutes=0', 0],
    ['minutes=-0', 0],
    ['minutes=0.1', 6_000],
    ['hours=1.5', 1.5 * hour],
    ['minutes=.5', 30_000],
    ['minutes=5.', 5 * minute],
    ['minutes=+5', 5 * minute],
  ])('%s', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it('reads keys case-insensitively', () => {
    expect(parseDuration('HOURS=2')).toBe(2 * hour);
    expect(parseDuration('Minutes=1;SECONDS=1')).toBe(minute + 1_000);
  });

  it('ignores whitespace around keys and values (authentik would drop " minutes" as an unknown key)', () => {
    expect(parseDuration(' minutes=5')).toBe(5 * minute);
    expect(parseDuration('hours = 1 ; minutes = 2 ')).toBe(hour + 2 * minute);
    expect(parseDuration('\tminutes=\t5\t')).toBe(5 * minute);
  });

  it('returns -0 as 0', () => {
    expect(Object.is(parseDuration('minutes=-0'), 0)).toBe(true);
  });

  it('accepts exactly the 100-year limit, per part and in total', () => {
    expect(parseDuration('days=36525')).toBe(maxDurationMs);
    expect(parseDuration('days=-36525')).toBe(-maxDurationMs);
    expect(parseDuration('days=36524;hours=24')).toBe(maxDurationMs);
  });
});

describe('parseDuration: rejected input', () => {
  it.each([
    ['empty string', '', /empty/],
    ['only whitespace', '   ', /empty/],
    ['trailing ;', 'minutes=5;', /stray ";"/],
    ['leading ;', ';minutes=5', /stray ";"/],
    ['double ;', 'minutes=5;;hours=1', /stray ";"/],
    ['bare word', 'foo', /key=value/],
    ['a=b=c', 'minutes=1=2', /key=value/],
    ['unknown key only', 'bar=baz', /unknown key "bar"/],
    ['unknown key among known ones (authentik: silently ignored)', 'foo=1;minutes=2', /unknown key "foo"/],
    ['misspelt key', 'minute=5', /unknown key "minute"/],
    ['empty key', '=5', /unknown key ""/],
    ['duplicate key (authentik: last wins)', 'minutes=1;minutes=3', /more than once/],
    ['duplicate key in another case', 'minutes=1;MINUTES=3', /more than once/],
    ['nan', 'minutes=nan', /plain decimal/],
    ['NaN', 'minutes=NaN', /plain decimal/],
    ['inf', 'minutes=inf', /plain decimal/],
    ['Infinity', 'minutes=Infinity', /plain decimal/],
    ['-Infinity', 'minutes=-Infinity', /plain decimal/],
    ['exponent (authentik accepts 1e2)', 'minutes=1e2', /plain decimal/],
    ['hex', 'minutes=0x10', /plain decimal/],
    ['digit separators', 'minutes=1_000', /plain decimal/],
    ['empty value', 'minutes=', /plain decimal/],
    ['lone sign', 'minutes=-', /plain decimal/],
    ['lone dot', 'minutes=.', /plain decimal/],
    ['two signs', 'minutes=--5', /plain decimal/],
    ['inner whitespace', 'minutes=1 0', /plain decimal/],
    ['unit suffix', 'minutes=5m', /plain decimal/],
    ['overflow (authentik: OverflowError, a 500)', 'days=1e10', /plain decimal/],
    ['a part beyond 100 years', 'days=36526', /exceeds 100 years/],
    ['a negative part beyond 100 years', 'weeks=-5300', /exceeds 100 years/],
    ['a huge part', `days=${'9'.repeat(200)}`, /exceeds 100 years/],
    ['a total beyond 100 years', 'days=36525;hours=1', /total exceeds 100 years/],
    ['too long input', `minutes=${'0'.repeat(300)}`, /longer than 256/],
  ])('%s', (_label, text, message) => {
    const issues = durationIssues(text);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.some((issue) => message.test(issue.message))).toBe(true);
  });

  it('refuses a non-string without crashing', () => {
    for (const value of [undefined, null, 5, {}, ['minutes=5']]) {
      expect(durationIssues(value)[0]!.message).toMatch(/must be a string/);
    }
  });

  it('puts the field name in the issue path, or leaves the path empty', () => {
    expect(durationIssues('minutes=nan', 'assertionValidNotBefore')[0]!.path).toEqual([
      'assertionValidNotBefore',
    ]);
    expect(durationIssues('minutes=nan')[0]!.path).toEqual([]);
  });

  it('reports every bad part of one string', () => {
    const issues = durationIssues('foo=1;minutes=nan;hours=1;hours=2;');
    expect(issues.map((issue) => issue.message)).toEqual([
      expect.stringMatching(/unknown key "foo"/),
      expect.stringMatching(/"minutes" is not a plain decimal/),
      expect.stringMatching(/"hours" appears more than once/),
      expect.stringMatching(/part 5 is empty/),
    ]);
  });

  it('names the first problem in the error message', () => {
    try {
      parseDuration('minutes=nan', 'sessionValidNotOnOrAfter');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(
        'invalid duration: sessionValidNotOnOrAfter: value of "minutes" is not a plain decimal number',
      );
    }
  });
});
