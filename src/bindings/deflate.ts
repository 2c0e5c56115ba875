import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SamlError } from '../errors/index.js';
import { deflateFixed } from './raw-deflate.js';

// zlib's sync calls write into output chunks of `chunkSize` bytes (16 KiB by default), each a fresh
// allocation outside the Buffer pool. A message is a few KiB: a chunk near its size costs a
// quarter less per call, and a larger output simply takes several chunks.
const smallestChunk = 1024;
const largestChunk = 16 * 1024;

function chunkFor(expectedBytes: number): number {
  return Math.min(largestChunk, Math.max(smallestChunk, expectedBytes));
}

// zlib cannot reach back further than its window less MIN_LOOKAHEAD (262 bytes). A window that
// holds the whole message (at least 512 bytes: zlib's smallest) therefore finds the same matches and
// writes the same bytes as the default 32 KiB one, while zlib allocates and touches far less memory
// per stream (its window and chain table grow with it): cheaper next to the signature that follows.
const lookahead = 262;
const largestWindowBits = 15;

function windowBitsFor(bytes: number): number {
  let bits = 9;
  while (bits < largestWindowBits && 1 << bits < bytes + lookahead) bits++;
  return bits;
}

// Up to this size a message is written with the fixed codes in JavaScript (raw-deflate.ts): the
// typical HTTP-Redirect LogoutRequest or LogoutResponse, where zlib's per-call set-up costs more
// than the compression and the fixed codes cost under a fifth more bytes. Larger messages go to
// zlib, whose dynamic codes save more there and whose set-up is amortized (ADR 0020).
const fixedCodesUpTo = 1024;

/** Raw DEFLATE (RFC 1951, no zlib or gzip wrapper) as SAMLBind §3.4.4.1 requires. */
export function deflate(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= fixedCodesUpTo) return deflateFixed(bytes);
  // Compressed XML is smaller than its text; the text length bounds the one chunk needed.
  return deflateRawSync(bytes, {
    chunkSize: chunkFor(bytes.length),
    windowBits: windowBitsFor(bytes.length),
  });
}

/**
 * Raw-inflates with a hard output cap that stops zlib as soon as it is passed
 * (a DEFLATE bomb costs at most the cap), and rejects truncated streams and
 * bytes after the end of the stream, which zlib would otherwise drop silently
 * (attacks §6).
 */
export function inflateCapped(data: Uint8Array, maxOutputBytes: number): Uint8Array {
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    result = inflateRawSync(data, {
      maxOutputLength: maxOutputBytes,
      // XML inflates to a few times its compressed size; more output takes more chunks.
      chunkSize: chunkFor(Math.min(data.length * 4, maxOutputBytes)),
      info: true,
    }) as unknown as typeof result;
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new SamlError('SAML_BINDING_LIMIT_EXCEEDED', 'inflated message exceeds the size limit', {
        details: { limit: maxOutputBytes },
      });
    }
    throw new SamlError('SAML_BINDING_DECODE_FAILED', 'message is not complete raw DEFLATE data', { cause });
  }
  // `bytesWritten` counts the input zlib consumed; it stops at the end of the stream.
  if (result.engine.bytesWritten !== data.length) {
    throw new SamlError('SAML_BINDING_DECODE_FAILED', 'message has bytes after the DEFLATE stream');
  }
  return result.buffer;
}
