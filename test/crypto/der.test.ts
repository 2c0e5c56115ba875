import { describe, expect, it } from 'vitest';
import {
  derBitString,
  derBoolean,
  derExplicit,
  derImplicitPrimitive,
  derNamedBits,
  derNull,
  derObjectIdentifier,
  derOctetString,
  derSequence,
  derSetOf,
  derTime,
  derTlv,
  derUnsignedInteger,
  derUtf8String,
  readDer,
} from '../../src/crypto/der.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('DER encoding (X.690)', () => {
  it('writes short and long definite lengths with the minimal number of octets', () => {
    expect(hex(derTlv(0x04, Buffer.alloc(0)))).toBe('0400');
    expect(hex(derTlv(0x04, Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(derTlv(0x04, Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(derTlv(0x04, Buffer.alloc(255))).slice(0, 6)).toBe('0481ff');
    expect(hex(derTlv(0x04, Buffer.alloc(256))).slice(0, 8)).toBe('04820100');
    expect(hex(derTlv(0x04, Buffer.alloc(70_000))).slice(0, 10)).toBe('0483011170');
  });

  it('encodes non-negative INTEGERs in minimal two’s complement', () => {
    expect(hex(derUnsignedInteger(0))).toBe('020100');
    expect(hex(derUnsignedInteger(2))).toBe('020102');
    expect(hex(derUnsignedInteger(127))).toBe('02017f');
    expect(hex(derUnsignedInteger(128))).toBe('02020080');
    expect(hex(derUnsignedInteger(256))).toBe('02020100');
    expect(hex(derUnsignedInteger(Buffer.from([0, 0, 0x12, 0x34])))).toBe('02021234');
    expect(hex(derUnsignedInteger(Buffer.from([0xff, 0x01])))).toBe('020300ff01');
    expect(hex(derUnsignedInteger(Buffer.alloc(3)))).toBe('020100');
    expect(() => derUnsignedInteger(-1)).toThrow(RangeError);
  });

  it('encodes OBJECT IDENTIFIERs with base-128 arcs', () => {
    // Known encodings: rsaEncryption and sha256WithRSAEncryption, id-ce-keyUsage, commonName.
    expect(hex(derObjectIdentifier('1.2.840.113549.1.1.1'))).toBe('06092a864886f70d010101');
    expect(hex(derObjectIdentifier('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(derObjectIdentifier('2.5.29.15'))).toBe('0603551d0f');
    expect(hex(derObjectIdentifier('2.5.4.3'))).toBe('0603550403');
    expect(hex(derObjectIdentifier('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(derObjectIdentifier('2.999.3'))).toBe('0603883703');
    for (const bad of ['1', '3.1', '1.40', '1.2.x', '1.02', '']) {
      expect(() => derObjectIdentifier(bad), bad).toThrow(RangeError);
    }
  });

  it('encodes BOOLEAN, NULL, strings and BIT STRINGs', () => {
    expect(hex(derBoolean(true))).toBe('0101ff');
    expect(hex(derBoolean(false))).toBe('010100');
    expect(hex(derNull())).toBe('0500');
    expect(hex(derOctetString(Buffer.from([1, 2])))).toBe('04020102');
    expect(hex(derUtf8String('é'))).toBe('0c02c3a9');
    expect(hex(derBitString(Buffer.from([0xab])))).toBe('030200ab');
    expect(() => derBitString(Buffer.alloc(0), 3)).toThrow(RangeError);
  });

  it('encodes named bits without trailing zero bits (X.690 §11.2.2)', () => {
    // digitalSignature + keyCertSign: 1000 01xx, 2 unused bits.
    expect(hex(derNamedBits([0, 5]))).toBe('03020284');
    expect(hex(derNamedBits([0]))).toBe('03020780');
    expect(hex(derNamedBits([8]))).toBe('0303070080');
    expect(hex(derNamedBits([]))).toBe('030100');
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(Buffer.from(derTime(new Date('2026-04-20T10:00:05.900Z'))).toString('latin1')).toBe(
      '\x17\x0d260420100005Z',
    );
    expect(Buffer.from(derTime(new Date('2049-12-31T23:59:59Z'))).toString('latin1')).toBe(
      '\x17\x0d491231235959Z',
    );
    expect(Buffer.from(derTime(new Date('2050-01-01T00:00:00Z'))).toString('latin1')).toBe(
      '\x18\x0f20500101000000Z',
    );
    expect(() => derTime(new Date('1949-12-31T00:00:00Z'))).toThrow(RangeError);
    expect(() => derTime(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('wraps SEQUENCE, sorted SET OF and context-specific tags', () => {
    expect(hex(derSequence(derNull(), derBoolean(true)))).toBe('300505000101ff');
    expect(hex(derSetOf(derUnsignedInteger(2), derUnsignedInteger(1)))).toBe('3106020101020102');
    expect(hex(derExplicit(0, derUnsignedInteger(2)))).toBe('a003020102');
    expect(hex(derExplicit(3, derSequence()))).toBe('a3023000');
    expect(hex(derImplicitPrimitive(0, Buffer.from([9])))).toBe('800109');
  });

  it('reads back what it writes, and refuses truncated input', () => {
    const encoded = derSequence(derUnsignedInteger(5), derOctetString(Buffer.alloc(300, 7)));
    const outer = readDer(encoded);
    expect(outer.tag).toBe(0x30);
    expect(outer.end).toBe(encoded.length);
    const first = readDer(outer.content);
    expect(hex(first.content)).toBe('05');
    const second = readDer(outer.content, first.end);
    expect(second.tag).toBe(0x04);
    expect(second.content.length).toBe(300);
    expect(() => readDer(encoded.subarray(0, encoded.length - 1))).toThrow(RangeError);
    expect(() => readDer(Buffer.from([0x30]))).toThrow(RangeError);
    expect(() => readDer(Buffer.from([0x30, 0x80]))).toThrow(RangeError);
  });
});
