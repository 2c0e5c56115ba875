import { SamlError } from '../errors/index.js';

/**
 * Strict RFC 4648 base64: standard alphabet, padding required, no whitespace
 * (SAMLBind §3.4.4.1), and canonical (the unused bits are zero, so re-encoding
 * reproduces the input). Node's own decoder skips junk and stops at `=`.
 */
export function decodeBase64Strict(text: string): Uint8Array {
  // Node's decoder skips junk, accepts the URL-safe alphabet and stops at `=`; in each
  // of those cases (and for missing padding or non-zero spare bits) re-encoding the
  // result cannot reproduce the input, so the round trip alone is the strict check.
  const bytes = text.length === 0 ? undefined : Buffer.from(text, 'base64');
  if (bytes === undefined || bytes.toString('base64') !== text) {
    throw new SamlError('SAML_BINDING_DECODE_FAILED', 'payload is not strict base64');
  }
  return bytes;
}

export function encodeBase64(data: Uint8Array | string): string {
  if (typeof data === 'string') return Buffer.from(data, 'utf8').toString('base64');
  // A view of the same bytes: `Buffer.from(uint8Array)` would copy them first.
  return (Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)).toString(
    'base64',
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly; one leading BOM is dropped (the parser would drop it too). */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new SamlError('SAML_BINDING_DECODE_FAILED', 'payload is not valid UTF-8', { cause });
  }
}
