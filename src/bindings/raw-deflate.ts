// Raw DEFLATE (RFC 1951) of a short message with the fixed Huffman codes, written in one pass.
//
// node:zlib spends more on each call's stream object and engine set-up (and on clearing its
// tables, which also pushes the signing key's working set out of the caches) than on
// compressing a message of a few hundred bytes. For such a message, LZ77 matches written with
// the fixed codes (§3.2.6) cost less than half of that, at about a sixth more output than zlib's dynamic
// codes; larger messages go to zlib, where the set-up is amortized and the dynamic codes pay off
// (ADR 0020). It only ever encodes samlkit's own output; inflating untrusted input stays with zlib.
//
// Linear in the input: each position follows at most `maxChain` earlier candidates, and each
// comparison stops at `maxMatch` bytes.

const minMatch = 3;
const maxMatch = 258;
const windowSize = 32_768;
const maxChain = 8;

// §3.2.5: base values and extra bits of the length codes 257..285 and the distance codes 0..29.
const lengthBase = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const distanceBase = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const distanceExtra = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];

/** Huffman codes go into the stream most significant bit first; the stream fills bytes from bit 0. */
function reverseBits(code: number, length: number): number {
  let reversed = 0;
  for (let bit = 0; bit < length; bit++) reversed |= ((code >> bit) & 1) << (length - 1 - bit);
  return reversed;
}

// §3.2.6: literals 0-143 have 8-bit codes from 0x30, 144-255 9-bit codes from 0x190; length
// codes 256-279 7-bit codes from 0, 280-287 8-bit codes from 0xc0; distances 5-bit codes.
const literalBits = new Uint16Array(256);
const literalCount = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  literalBits[byte] = byte < 144 ? reverseBits(0x30 + byte, 8) : reverseBits(0x190 + byte - 144, 9);
  literalCount[byte] = byte < 144 ? 8 : 9;
}
/** Per match length 3..258: its length code and extra bits as one bit string, and their count. */
const lengthBits = new Uint32Array(maxMatch + 1);
const lengthCount = new Uint8Array(maxMatch + 1);
for (let code = 0; code < lengthBase.length; code++) {
  const symbol = 257 + code;
  const huffman = symbol < 280 ? reverseBits(symbol - 256, 7) : reverseBits(0xc0 + symbol - 280, 8);
  const huffmanLength = symbol < 280 ? 7 : 8;
  const first = lengthBase[code] as number;
  const last = code === lengthBase.length - 1 ? maxMatch : (lengthBase[code + 1] as number) - 1;
  for (let length = first; length <= last; length++) {
    lengthBits[length] = huffman | ((length - first) << huffmanLength);
    lengthCount[length] = huffmanLength + (lengthExtra[code] as number);
  }
}
// Distances 1..256 by their own entry, longer ones by (distance - 1) >> 7 (zlib's table).
const distanceCodeOf = new Uint8Array(512);
for (let code = 0; code < distanceBase.length; code++) {
  const last = code === distanceBase.length - 1 ? windowSize : (distanceBase[code + 1] as number) - 1;
  for (let distance = distanceBase[code] as number; distance <= last; distance++) {
    distanceCodeOf[distance <= 256 ? distance - 1 : 256 + ((distance - 1) >> 7)] = code;
  }
}
const distanceHuffman = distanceBase.map((_, code) => reverseBits(code, 5));

/**
 * Raw DEFLATE of `input` as one final block with the fixed codes, or as one stored block when
 * that would be shorter (input that does not compress). `input` must be under 64 KiB.
 */
export function deflateFixed(input: Uint8Array): Uint8Array {
  const size = input.length;
  if (size > 0xffff) throw new RangeError('deflateFixed takes at most 65,535 bytes');
  // At most 9 bits per byte, plus the block header and the end-of-block code.
  const output = new Uint8Array(((size * 9) >> 3) + 8);
  // Positions plus one (0: none), by a hash of their next three bytes, chained to the one before.
  // About one slot per byte (at least 1,024), so that unrelated positions seldom share a chain.
  let hashBits = 10;
  while (hashBits < 16 && 1 << hashBits < size) hashBits++;
  const head = new Int32Array(1 << hashBits);
  const previous = new Int32Array(size);
  let position = 0;
  // BFINAL = 1, BTYPE = 01 (fixed codes).
  let buffer = 0b011;
  let used = 3;
  let at = 0;
  while (at < size) {
    let bestLength = 0;
    let bestDistance = 0;
    if (at + minMatch <= size) {
      const slot = hash(input, at, hashBits);
      let candidate = (head[slot] as number) - 1;
      previous[at] = head[slot] as number;
      head[slot] = at + 1;
      const limit = Math.min(size - at, maxMatch);
      for (let chain = maxChain; candidate >= 0 && at - candidate <= windowSize && chain > 0; chain--) {
        // The byte that would make this candidate longer than the best so far is checked first.
        if (input[candidate + bestLength] === input[at + bestLength]) {
          let length = 0;
          while (length < limit && input[candidate + length] === input[at + length]) length++;
          if (length > bestLength) {
            bestLength = length;
            bestDistance = at - candidate;
            if (length === limit) break;
          }
        }
        candidate = (previous[candidate] as number) - 1;
      }
    }
    if (bestLength >= minMatch) {
      buffer |= (lengthBits[bestLength] as number) << used;
      used += lengthCount[bestLength] as number;
      while (used >= 8) {
        output[position++] = buffer;
        buffer >>>= 8;
        used -= 8;
      }
      const code = distanceCodeOf[
        bestDistance <= 256 ? bestDistance - 1 : 256 + ((bestDistance - 1) >> 7)
      ] as number;
      buffer |=
        ((distanceHuffman[code] as number) | ((bestDistance - (distanceBase[code] as number)) << 5)) << used;
      used += 5 + (distanceExtra[code] as number);
      // The positions inside the match join the chains too, so later matches can start there.
      const end = at + bestLength;
      for (at++; at < end; at++) {
        if (at + minMatch <= size) {
          const slot = hash(input, at, hashBits);
          previous[at] = head[slot] as number;
          head[slot] = at + 1;
        }
      }
    } else {
      const byte = input[at] as number;
      buffer |= (literalBits[byte] as number) << used;
      used += literalCount[byte] as number;
      at++;
    }
    while (used >= 8) {
      output[position++] = buffer;
      buffer >>>= 8;
      used -= 8;
    }
  }
  // End of block: symbol 256, seven zero bits.
  used += 7;
  while (used > 0) {
    output[position++] = buffer;
    buffer >>>= 8;
    used -= 8;
  }
  if (position > size + 5) return storedBlock(input);
  return output.subarray(0, position);
}

function hash(input: Uint8Array, at: number, hashBits: number): number {
  const three = ((input[at] as number) << 16) | ((input[at + 1] as number) << 8) | (input[at + 2] as number);
  return Math.imul(three, 0x9e3779b1) >>> (32 - hashBits);
}

/** One final stored block (§3.2.4): header byte, LEN, NLEN, the bytes. */
function storedBlock(input: Uint8Array): Uint8Array {
  const size = input.length;
  const output = new Uint8Array(size + 5);
  output[0] = 1;
  output[1] = size & 0xff;
  output[2] = size >> 8;
  output[3] = ~size & 0xff;
  output[4] = (~size >> 8) & 0xff;
  output.set(input, 5);
  return output;
}
