import { deflateRawSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { inflateRaw } from 'pako';
import { describe, expect, it } from 'vitest';
import { deflate } from '../../src/bindings/deflate.js';
import { deflateFixed } from '../../src/bindings/raw-deflate.js';
import { buildLogoutRequest, buildLogoutResponse, nameIdFormats } from '../../src/index.js';
import { expectLinear } from '../support/growth.js';

/** Both inflaters must give back exactly the input: zlib (what SPs use) and pako (independent code). */
function expectRoundTrip(input: Uint8Array): Uint8Array {
  const compressed = deflateFixed(input);
  expect(Buffer.from(inflateRawSync(compressed)).equals(Buffer.from(input))).toBe(true);
  expect(Buffer.from(inflateRaw(compressed)).equals(Buffer.from(input))).toBe(true);
  return compressed;
}

// xorshift32: reproducible noise without the short periods of a small LCG's bits.
let state = 0x2545f491;
function randomBytes(length: number, alphabet = 256): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = (state >>> 0) % alphabet;
  }
  return bytes;
}

const logoutRequest = () =>
  buildLogoutRequest({
    issuer: 'https://idp.example.com/metadata',
    destination: 'https://sp.example.com/slo',
    nameId: { value: 'alice@example.com', format: nameIdFormats.emailAddress },
    sessionIndex: '_3b5c9f1e2a7d4c8b9e0f1a2b3c4d5e6f',
  }).xml;

describe('deflateFixed: raw DEFLATE with the fixed codes', () => {
  it('round-trips short and edge-sized inputs through zlib and pako', () => {
    for (const length of [0, 1, 2, 3, 4, 257, 258, 259, 260, 516, 1024, 4096, 65_535]) {
      expectRoundTrip(new Uint8Array(length).fill(0x61));
      expectRoundTrip(randomBytes(length, 4));
      expectRoundTrip(randomBytes(length));
    }
  });

  it('round-trips any text and any bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 800 }),
        fc.integer({ min: 1, max: 30 }),
        (value, times) => {
          expectRoundTrip(Buffer.from(value.repeat(times), 'utf8').subarray(0, 65_535));
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        expectRoundTrip(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('reaches back exactly the 32 KiB window and never further', () => {
    for (const gap of [32_768 - 40, 32_768 - 41, 32_768 - 39]) {
      // Forty bytes that recur once, `gap` bytes later: distance gap + 40.
      const marker = randomBytes(40, 94).map((byte) => byte + 33);
      const input = new Uint8Array(40 + gap + 40);
      input.set(marker, 0);
      input.set(randomBytes(gap, 256), 40);
      input.set(marker, 40 + gap);
      expectRoundTrip(input);
    }
  });

  it('writes one final block with the fixed codes for a message, and is as short as expected', () => {
    const xml = logoutRequest();
    const bytes = Buffer.from(xml, 'utf8');
    const compressed = expectRoundTrip(bytes);
    // BFINAL = 1, BTYPE = 01.
    expect(compressed[0]! & 0b111).toBe(0b011);
    // The fixed codes cost a little more than zlib's dynamic ones on a LogoutRequest.
    const zlib = deflateRawSync(bytes).length;
    expect(compressed.length).toBeLessThan(bytes.length * 0.8);
    expect(compressed.length).toBeLessThanOrEqual(Math.ceil(zlib * 1.25));
  });

  it('falls back to one stored block when the codes would not save anything, so output stays ≤ input + 5', () => {
    const noise = randomBytes(2000);
    const compressed = expectRoundTrip(noise);
    expect(compressed.length).toBe(noise.length + 5);
    // BFINAL = 1, BTYPE = 00, then LEN and its complement.
    expect(compressed[0]).toBe(1);
    expect(compressed[1]! | (compressed[2]! << 8)).toBe(2000);
    expect(compressed[3]! | (compressed[4]! << 8)).toBe(~2000 & 0xffff);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        expect(deflateFixed(bytes).length).toBeLessThanOrEqual(bytes.length + 5);
      }),
      { numRuns: 200 },
    );
  });

  it('takes at most 65,535 bytes (one stored block)', () => {
    expect(() => deflateFixed(new Uint8Array(65_536))).toThrow(RangeError);
  });

  it('is linear in its input, on runs, many-collision text and noise', async () => {
    // Every position of a run, or of a short repeating pattern, has a long chain of candidates:
    // the chain limit keeps the work per position constant.
    const shapes: Array<[string, (size: number) => Uint8Array]> = [
      ['one byte repeated', (size) => new Uint8Array(size).fill(0x20)],
      [
        'a short pattern repeated',
        (size) => Buffer.from('<a b="c"/>'.repeat(Math.ceil(size / 10))).subarray(0, size),
      ],
      ['three letters at random', (size) => randomBytes(size, 3)],
      ['noise', (size) => randomBytes(size)],
    ];
    for (const [, make] of shapes) {
      await expectLinear(
        (size) => {
          const input = make(size);
          return () => deflateFixed(input);
        },
        // 2 KB and 8 KB: the tables stay small at both sizes, so caches do not tell them apart.
        2_000,
        // Up to eight attempts: a collection can land in one batch; quadratic work is ~16× every time.
        { attempts: 8 },
      );
    }
  });
});

describe('deflate: which writer a message gets', () => {
  it('writes messages of up to 1 KiB with the fixed codes, larger ones with zlib', () => {
    const small = `${'<a>x</a>'.repeat(128)}`;
    expect(Buffer.byteLength(small)).toBe(1024);
    expect(Buffer.from(deflate(small)).equals(Buffer.from(deflateFixed(Buffer.from(small))))).toBe(true);
    const large = `${small}b`;
    expect(Buffer.from(deflate(large)).equals(deflateRawSync(large))).toBe(true);
  });

  it('writes a LogoutResponse and a LogoutRequest that every inflater reads', () => {
    const response = buildLogoutResponse({
      issuer: 'https://idp.example.com/metadata',
      destination: 'https://sp.example.com/slo',
      inResponseTo: '_request',
    }).xml;
    for (const xml of [response, logoutRequest(), `caf\u00e9 ${logoutRequest()}`]) {
      const compressed = deflate(xml);
      expect(inflateRawSync(compressed).toString('utf8')).toBe(xml);
      expect(Buffer.from(inflateRaw(compressed)).toString('utf8')).toBe(xml);
    }
  });
});
