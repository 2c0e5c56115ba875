/**
 * The few ASN.1 DER encodings (X.690 §8, §10) an X.509 certificate needs, and a
 * reader for one TLV. Every encoder returns the complete tag-length-value bytes.
 */

const tags = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** X.690 §8.1.3: short form below 128, else long form with the minimal number of length octets. */
function encodeLength(length: number): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('DER length out of range');
  if (length < 0x80) return Buffer.from([length]);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Buffer.from([0x80 | octets.length, ...octets]);
}

/** One tag-length-value with a single-octet tag. */
export function derTlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function derSequence(...items: Uint8Array[]): Buffer {
  return derTlv(tags.sequence, Buffer.concat(items));
}

/** SET OF: X.690 §11.6 orders the encodings as octet strings. */
export function derSetOf(...items: Uint8Array[]): Buffer {
  const sorted = [...items].sort((a, b) => Buffer.compare(a, b));
  return derTlv(tags.set, Buffer.concat(sorted));
}

/** A non-negative INTEGER from its big-endian magnitude (X.690 §8.3: minimal two's complement). */
export function derUnsignedInteger(magnitude: Uint8Array | number): Buffer {
  let bytes: Buffer;
  if (typeof magnitude === 'number') {
    if (!Number.isSafeInteger(magnitude) || magnitude < 0) throw new RangeError('INTEGER out of range');
    const octets: number[] = [];
    for (let rest = magnitude; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
    bytes = Buffer.from(octets);
  } else {
    bytes = Buffer.from(magnitude);
  }
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  let content = bytes.subarray(start);
  if (content.length === 0) content = Buffer.from([0]);
  else if (content[0]! & 0x80) content = Buffer.concat([Buffer.from([0]), content]);
  return derTlv(tags.integer, content);
}

export function derBoolean(value: boolean): Buffer {
  // X.690 §11.1: TRUE is all ones in DER.
  return derTlv(tags.boolean, Buffer.from([value ? 0xff : 0x00]));
}

export function derNull(): Buffer {
  return derTlv(tags.null, Buffer.alloc(0));
}

/** OBJECT IDENTIFIER from dotted decimal (X.690 §8.19), e.g. `1.2.840.113549.1.1.11`. */
export function derObjectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((part) => {
    if (!/^(0|[1-9][0-9]*)$/.test(part)) throw new RangeError(`bad OID arc in ${dotted}`);
    return Number(part);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) {
    throw new RangeError(`bad OID ${dotted}`);
  }
  const octets: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    if (!Number.isSafeInteger(arc)) throw new RangeError(`OID arc too large in ${dotted}`);
    const base128: number[] = [arc % 128];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      base128.unshift(0x80 | (value % 128));
    }
    octets.push(...base128);
  }
  return derTlv(tags.oid, Buffer.from(octets));
}

/** BIT STRING with `unusedBits` (0–7) padding bits at the end of the last octet. */
export function derBitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits))
    throw new RangeError('bad BIT STRING padding');
  return derTlv(tags.bitString, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/**
 * A named-bit BIT STRING (X.690 §11.2.2: trailing zero bits removed), e.g.
 * KeyUsage. `bits` are bit numbers, 0 being the most significant bit of the first octet.
 */
export function derNamedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return derBitString(Buffer.alloc(0));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return derBitString(bytes, 7 - (highest & 7));
}

export function derOctetString(bytes: Uint8Array): Buffer {
  return derTlv(tags.octetString, bytes);
}

export function derUtf8String(value: string): Buffer {
  return derTlv(tags.utf8String, Buffer.from(value, 'utf8'));
}

/**
 * A certificate validity time (RFC 5280 §4.1.2.5): UTCTime through 2049,
 * GeneralizedTime from 2050, both in UTC to the second with `Z`.
 */
export function derTime(date: Date): Buffer {
  const year = date.getUTCFullYear();
  if (!Number.isFinite(date.getTime()) || year < 1950 || year > 9999)
    throw new RangeError('time out of range');
  const two = (n: number) => String(n).padStart(2, '0');
  const rest =
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    'Z';
  return year < 2050
    ? derTlv(tags.utcTime, Buffer.from(two(year % 100) + rest, 'ascii'))
    : derTlv(tags.generalizedTime, Buffer.from(String(year) + rest, 'ascii'));
}

/** `[n] EXPLICIT`: a constructed context-specific tag around one encoding (n < 31). */
export function derExplicit(tagNumber: number, inner: Uint8Array): Buffer {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > 30) throw new RangeError('bad tag number');
  return derTlv(0xa0 | tagNumber, inner);
}

/** `[n] IMPLICIT` primitive context-specific tag (n < 31), e.g. AuthorityKeyIdentifier's keyIdentifier. */
export function derImplicitPrimitive(tagNumber: number, content: Uint8Array): Buffer {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > 30) throw new RangeError('bad tag number');
  return derTlv(0x80 | tagNumber, content);
}

/** One TLV read from `bytes` at `offset`: its tag, its content and where the next TLV starts. */
export interface DerElement {
  tag: number;
  content: Buffer;
  end: number;
}

/** Where one TLV's content lies in the bytes it was read from: positions, no view of the bytes. */
export interface DerSpan {
  tag: number;
  /** First octet of the content. */
  start: number;
  /** Just past the content, where the next TLV starts. */
  end: number;
}

/**
 * Reads one TLV with a single-octet tag and a definite length (all DER has) at
 * `offset`, which must end by `limit` (the end of the enclosing content).
 */
export function readDerSpan(bytes: Buffer, offset: number, limit: number): DerSpan {
  if (offset + 2 > limit) throw new RangeError('truncated DER');
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new RangeError('multi-octet DER tags are not supported');
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new RangeError('bad DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new RangeError('truncated DER');
  return { tag, start, end };
}

/** Reads one TLV with a single-octet tag and a definite length (all DER has). */
export function readDer(bytes: Buffer, offset = 0): DerElement {
  const { tag, start, end } = readDerSpan(bytes, offset, bytes.length);
  return { tag, content: bytes.subarray(start, end), end };
}
