import { describe, expect, it } from 'vitest';
import { randomHex } from '../../src/crypto/primitives.js';
import { isHttpUrl } from '../../src/message/build-input.js';

describe('isHttpUrl', () => {
  it('gives the same answer the first time and when it has seen the URL before', () => {
    const inputs = [
      'https://sp.example.com/slo',
      'http://127.0.0.1:8080/x',
      'https://sp.example.com/slo#frag',
      'ftp://sp.example.com/slo',
      'javascript:alert(1)',
      '/relative',
      'https://',
    ];
    const first = inputs.map((u) => isHttpUrl(u));
    const second = inputs.map((u) => isHttpUrl(u));
    expect(first).toEqual([true, true, false, false, false, false, false]);
    expect(second).toEqual(first);
    expect(isHttpUrl(42)).toBe(false);
  });

  it('keeps answering correctly past its memory of 256 URLs', () => {
    for (let i = 0; i < 600; i++) expect(isHttpUrl(`https://sp${i}.example.com/slo`)).toBe(true);
    expect(isHttpUrl('https://sp1.example.com/slo#x')).toBe(false);
  });
});

describe('randomHex', () => {
  it('never repeats a value across pool refills', () => {
    const seen = new Set<string>();
    // 16-byte values: 4096 / 16 = 256 per pool, so this crosses many refills.
    for (let i = 0; i < 5000; i++) seen.add(randomHex(16));
    expect(seen.size).toBe(5000);
    expect(randomHex(32)).toMatch(/^[0-9a-f]{64}$/);
    expect(() => randomHex(0)).toThrow(RangeError);
    expect(() => randomHex(5000)).toThrow(RangeError);
  });
});
