import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { deflateRaw, gzip, deflate as zlibDeflate } from 'pako';
import { describe, expect, it } from 'vitest';
import { deflate, inflateCapped } from '../../src/bindings/deflate.js';
import { expectCode } from '../support/errors.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const xml =
  '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ' +
  'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_orig" Version="2.0" ' +
  'IssueInstant="2026-04-20T10:00:00Z"><saml:Issuer>https://sp-a.example</saml:Issuer>' +
  '<saml:NameID>caf\u00e9</saml:NameID></samlp:LogoutRequest>';
const cap = 256 * 1024;

describe('deflate / inflateCapped', () => {
  it('round-trips raw DEFLATE, multibyte included', () => {
    const compressed = deflate(xml);
    expect(text(inflateCapped(compressed, cap))).toBe(xml);
  });

  it('produces raw DEFLATE that pako and other raw inflaters read', () => {
    expect(text(inflateCapped(deflateRaw(xml), cap))).toBe(xml);
  });

  it('round-trips output spanning several 16 KiB chunks', () => {
    const big = `<r>${'0123456789abcdef'.repeat(5000)}</r>`;
    expect(text(inflateCapped(deflate(big), cap))).toBe(big);
  });

  it('above 1 KiB writes the same bytes as zlib with its default 32 KiB window, at every size (smaller windows when the message fits)', () => {
    // Sizes around each window size samlkit may pick, with repeats near and far apart. Up to
    // 1 KiB the fixed-code writer takes over (raw-deflate.test.ts).
    const sizes = [1025, 1786, 1787, 3834, 3835, 7930, 7931, 16122, 16123, 32506, 32507, 70_000];
    const piece = (i: number) =>
      `<saml:Attribute Name="a${i % 97}">${'v'.repeat(i % 13)}caf\u00e9 ${i}</saml:Attribute>`;
    for (const size of sizes) {
      let body = '';
      for (let i = 0; body.length < size; i++) body += piece(i * 7919);
      const message = body.slice(0, size);
      expect(Buffer.from(deflate(message)).equals(deflateRawSync(message)), `size ${size}`).toBe(true);
    }
    // The only match as far back as the message allows: a window one step too small would miss it.
    let seed = 1;
    const random = (length: number) => {
      let out = '';
      for (let i = 0; i < length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        out += String.fromCharCode(33 + (seed % 94));
      }
      return out;
    };
    for (let bits = 12; bits <= 16; bits++) {
      for (const length of [(1 << (bits - 1)) - 300, (1 << (bits - 1)) - 100, (1 << (bits - 1)) + 100]) {
        const repeated = random(40);
        const message = repeated + random(Math.max(0, length - 80)) + repeated;
        expect(Buffer.from(deflate(message)).equals(deflateRawSync(message)), `length ${length}`).toBe(true);
      }
    }
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 3000 }),
        fc.integer({ min: 1, max: 40 }),
        (value, times) => {
          const message = value.repeat(times);
          if (Buffer.byteLength(message) <= 1024) return;
          expect(Buffer.from(deflate(message)).equals(deflateRawSync(message))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('round-trips the empty string', () => {
    expect(inflateCapped(deflate(''), cap).length).toBe(0);
  });

  it.each([
    ['zlib-wrapped', () => zlibDeflate(xml)],
    ['gzip', () => gzip(xml)],
    ['plain uncompressed bytes', () => Buffer.from(xml, 'utf8')],
    ['truncated by 5 bytes', () => deflateRaw(xml).slice(0, -5)],
    ['truncated to its first byte', () => deflateRaw(xml).slice(0, 1)],
    ['followed by GARBAGE', () => Buffer.concat([deflateRaw(xml), Buffer.from('GARBAGE')])],
    ['followed by a second stream', () => Buffer.concat([deflateRaw(xml), deflateRaw(xml)])],
    ['empty input', () => new Uint8Array(0)],
    ['random bytes', () => Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 0xff)],
  ])('rejects %s input with SAML_BINDING_DECODE_FAILED', (_name, make) => {
    expectCode(() => inflateCapped(make(), cap), 'SAML_BINDING_DECODE_FAILED');
  });

  it('stops a 50 MB bomb quickly with SAML_BINDING_LIMIT_EXCEEDED', () => {
    const bomb = deflateRaw(new Uint8Array(50 * 1024 * 1024).fill(0x20));
    expect(bomb.length).toBeLessThan(100_000);
    const started = performance.now();
    const error = expectCode(() => inflateCapped(bomb, cap), 'SAML_BINDING_LIMIT_EXCEEDED');
    expect(performance.now() - started).toBeLessThan(200);
    expect(error.details).toEqual({ limit: cap });
  });

  it('stops a bomb of <a> quickly', () => {
    const bomb = deflateRaw('<a>'.repeat(5_000_000));
    const started = performance.now();
    expectCode(() => inflateCapped(bomb, cap), 'SAML_BINDING_LIMIT_EXCEEDED');
    expect(performance.now() - started).toBeLessThan(200);
  });

  it.each([100, 16 * 1024, 16 * 1024 + 1, 3 * 16 * 1024, cap])(
    'accepts output of exactly the cap (%i bytes) and rejects cap + 1',
    (size) => {
      const exact = deflateRaw(new Uint8Array(size).fill(0x61));
      expect(inflateCapped(exact, size).length).toBe(size);
      const over = deflateRaw(new Uint8Array(size + 1).fill(0x61));
      expectCode(() => inflateCapped(over, size), 'SAML_BINDING_LIMIT_EXCEEDED');
    },
  );

  it('rejects a stream one byte over a small cap', () => {
    const compressed = deflate(xml);
    const size = Buffer.byteLength(xml);
    expect(text(inflateCapped(compressed, size))).toBe(xml);
    expectCode(() => inflateCapped(compressed, size - 1), 'SAML_BINDING_LIMIT_EXCEEDED');
  });
});
