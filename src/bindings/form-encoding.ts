import { SamlError } from '../errors/index.js';

const extra: Record<string, string> = {
  '!': '%21',
  "'": '%27',
  '(': '%28',
  ')': '%29',
  '*': '%2A',
  '~': '%7E',
};

/**
 * application/x-www-form-urlencoded for HTTP-Redirect values: UTF-8, upper-case
 * hex, space as `+`, everything outside `A–Z a–z 0–9 - _ .` percent-encoded.
 * This is the form most SPs that rebuild the signed string from decoded values
 * re-derive, and it contains nothing a browser or proxy normalises (`'`, `~`,
 * `!`, `*`, `(`, `)` are all encoded), so the signed bytes survive the trip.
 */
export function formEncode(value: string): string {
  let encoded: string;
  try {
    // encodeURIComponent already writes upper-case UTF-8 escapes; it only leaves !'()*~ alone.
    encoded = encodeURIComponent(value);
  } catch (cause) {
    throw new SamlError('SAML_INPUT_INVALID', 'value is not valid Unicode', {
      cause,
      details: { issues: [{ path: [], message: 'contains a lone surrogate' }] },
    });
  }
  return encoded.replace(/[!'()*~]/g, (c) => extra[c]!).replace(/%20/g, '+');
}

/**
 * {@link formEncode} of a base64 value, without the general pass: of the base64
 * alphabet only `+`, `/` and `=` fall outside the unreserved characters.
 */
export function formEncodeBase64(value: string): string {
  return value.replaceAll('+', '%2B').replaceAll('/', '%2F').replaceAll('=', '%3D');
}

/** Decodes a form-encoded token strictly: `+` is space, `%XX` must be valid hex, the result valid UTF-8. */
export function formDecode(token: string): string {
  if (!token.includes('%') && !token.includes('+')) return token;
  try {
    // decodeURIComponent throws on malformed escapes and on invalid UTF-8 sequences.
    return decodeURIComponent(token.includes('+') ? token.replace(/\+/g, ' ') : token);
  } catch (cause) {
    throw new SamlError('SAML_BINDING_DECODE_FAILED', 'invalid percent-encoding in a parameter', { cause });
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
