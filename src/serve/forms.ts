import type { ServeRequest } from './requests.js';

/** Largest login or logout form read, in bytes: a few short fields. */
export const maxFormBytes = 8 * 1024;

/** Why a form was refused, with the HTTP status that says so. */
export interface FormRefusal {
  status: 400 | 413 | 415;
  message: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeField(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/**
 * Reads an `application/x-www-form-urlencoded` body of at most
 * {@link maxFormBytes}. A repeated field, bad percent-encoding, invalid UTF-8
 * or another content type is refused, never guessed at.
 */
export async function readForm(request: ServeRequest): Promise<Map<string, string> | FormRefusal> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type))
    return { status: 415, message: 'Send the form as application/x-www-form-urlencoded.' };
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxFormBytes) return { status: 413, message: 'The form is too large.' };
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxFormBytes) {
        await reader.cancel();
        return { status: 413, message: 'The form is too large.' };
      }
      chunks.push(value);
    }
  }
  let body: string;
  try {
    body = utf8.decode(Buffer.concat(chunks, total));
  } catch {
    return { status: 400, message: 'The form is not UTF-8.' };
  }
  const fields = new Map<string, string>();
  if (body === '') return fields;
  for (const pair of body.split('&')) {
    const equals = pair.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeField(equals === -1 ? pair : pair.slice(0, equals));
      value = equals === -1 ? '' : decodeField(pair.slice(equals + 1));
    } catch {
      return { status: 400, message: 'The form is malformed.' };
    }
    if (fields.has(name)) return { status: 400, message: 'The form repeats a field.' };
    fields.set(name, value);
  }
  return fields;
}

export function isRefusal(value: Map<string, string> | FormRefusal): value is FormRefusal {
  return !(value instanceof Map);
}
