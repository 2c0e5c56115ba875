import { SamlError } from '../errors/index.js';

const unreserved = /^[A-Za-z0-9\-_.]*$/;
const hex = '0123456789ABCDEF';
const encoder = new TextEncoder();

/**
 * application/x-www-form-urlencoded for HTTP-Redirect values: UTF-8, upper-case
 * hex, space as `+`, everything outside `A–Z a–z 0–9 - _ .` percent-encoded.
 * This is the form most SPs that rebuild the signed string from decoded values
 * re-derive, and it contains nothing a browser or proxy normalises (`'`, `~`,
 * `!`, `*`, `(`, `)` are all encoded), so the signed bytes survive the trip.
 */
export function formEncode(value: string): string {
  if (unreserved.test(value)) return value;
  let out = '';
  for (const byte of encoder.encode(value)) {
    if (
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2d ||
      byte === 0x5f ||
      byte === 0x2e
    ) {
      out += String.fromCharCode(byte);
    } else if (byte === 0x20) out += '+';
    else out += `%${hex[byte >> 4]}${hex[byte & 15]}`;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a form-encoded token strictly: `+` is space, `%XX` must be valid hex, the result valid UTF-8. */
export function formDecode(token: string): string {
  if (!token.includes('%') && !token.includes('+')) return token;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    if (code === 0x25) {
      const pair = token.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(pair)) {
        throw new SamlError('SAML_BINDING_DECODE_FAILED', 'invalid percent-encoding in a parameter');
      }
      bytes.push(Number.parseInt(pair, 16));
      i += 2;
    } else if (code === 0x2b) bytes.push(0x20);
    else if (code < 0x80) bytes.push(code);
    else bytes.push(...encoder.encode(token[i]!));
  }
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch (cause) {
    throw new SamlError('SAML_BINDING_DECODE_FAILED', 'parameter is not valid UTF-8', { cause });
  }
}

/** One raw `name=value` pair of a query or form body, undecoded. */
export interface RawParameter {
  name: string;
  rawValue: string;
}

/** Splits on `&` and each token on its first `=`, keeping the raw bytes (SAMLBind §3.4.4.1). */
export function splitRawParameters(query: string): RawParameter[] {
  const result: RawParameter[] = [];
  for (const token of query.split('&')) {
    if (token.length === 0) continue;
    const eq = token.indexOf('=');
    result.push(
      eq === -1 ? { name: token, rawValue: '' } : { name: token.slice(0, eq), rawValue: token.slice(eq + 1) },
    );
  }
  return result;
}
