import { readFileSync, statSync } from 'node:fs';
import { SamlError } from '../errors/index.js';
import type { Io } from './io.js';

/** Largest input read from a file or stdin: generous for any binding, bounded for memory. */
export const inputLimitBytes = 4 * 1024 * 1024;

/** Where the message text came from, for messages to the user. */
export interface InputText {
  text: string;
  source: 'stdin' | 'file' | 'argument';
}

function looksInline(argument: string): boolean {
  return (
    /^\s*[<{]/.test(argument) ||
    /^https?:\/\//i.test(argument) ||
    /(?:^|[?&])SAML(?:Request|Response)=/.test(argument)
  );
}

function tooLarge(where: string): SamlError {
  return new SamlError('SAML_BINDING_LIMIT_EXCEEDED', `${where} exceeds ${inputLimitBytes} bytes`, {
    details: { limit: inputLimitBytes },
  });
}

function decodeText(bytes: Buffer, where: string): string {
  if (bytes.length > inputLimitBytes) throw tooLarge(where);
  // Strict UTF-8: a message that is not valid UTF-8 cannot be a SAML message.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new SamlError('SAML_BINDING_DECODE_FAILED', `${where} is not valid UTF-8`, { cause });
  }
  return text.replace(/^\uFEFF/, '').trim();
}

/**
 * Reads the message argument of `decode` and `verify`: `-` is standard input;
 * a URL, a query string, XML or JSON is taken as it is; anything else names a
 * file when one exists, and is otherwise taken as a base64 value.
 */
export async function readInputText(argument: string, io: Io): Promise<InputText> {
  if (argument === '-')
    return { text: decodeText(await io.readStdin(inputLimitBytes), 'standard input'), source: 'stdin' };
  if (!looksInline(argument)) {
    let size: number | undefined;
    try {
      const stat = statSync(argument);
      if (stat.isFile()) size = stat.size;
    } catch {
      // No such file: the argument is the message itself.
    }
    if (size !== undefined) {
      if (size > inputLimitBytes) throw tooLarge(`file ${argument}`);
      return { text: decodeText(readFileSync(argument), `file ${argument}`), source: 'file' };
    }
  }
  return { text: argument.trim(), source: 'argument' };
}
