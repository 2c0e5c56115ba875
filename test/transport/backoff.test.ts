import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/transport/index.js';

describe('backoffDelay', () => {
  it('grows exponentially from baseMs and stops at maxMs', () => {
    const options = { baseMs: 100, maxMs: 700, random: () => 1 };
    expect([1, 2, 3, 4, 5, 60].map((n) => backoffDelay(n, options))).toEqual([100, 200, 400, 700, 700, 700]);
  });

  it('uses full jitter: a random fraction of the ceiling, never negative', () => {
    expect(backoffDelay(3, { baseMs: 100, maxMs: 5_000, random: () => 0.5 })).toBe(200);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 5_000, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 5_000, random: () => -3 })).toBe(0);
    expect(backoffDelay(2000, { baseMs: 250, maxMs: 5_000, random: () => 0.999 })).toBe(4995);
  });
});
