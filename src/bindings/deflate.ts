import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SamlError } from '../errors/index.js';

/** Raw DEFLATE (RFC 1951, no zlib or gzip wrapper) as SAMLBind §3.4.4.1 requires. */
export function deflate(text: string): Uint8Array {
  return deflateRawSync(text);
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
