import { isSamlError } from '../errors/index.js';
import { UsageError } from './command-line.js';
import { printable } from './printable.js';

/** The detail lines of a SamlError: each input issue, or each detail field. */
export function detailLines(details: unknown, indent = '  '): string[] {
  if (typeof details !== 'object' || details === null) return [];
  const lines: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (key === 'issues' && Array.isArray(value)) {
      for (const issue of value as { path?: unknown[]; message?: string }[]) {
        const path = Array.isArray(issue.path) && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        lines.push(`${indent}- ${printable(path)}${printable(issue.message ?? '')}`);
      }
    } else if (value !== undefined) {
      lines.push(`${indent}${key}: ${typeof value === 'string' ? printable(value) : JSON.stringify(value)}`);
    }
  }
  return lines;
}

/**
 * Formats a failure for standard error as `samlkit: CODE: message` and returns
 * the exit status: 2 for usage errors, 1 for everything else. SamlErrors carry
 * their SAML_* code, system errors their errno code (ENOENT, EEXIST, …).
 */
export function reportError(error: unknown, write: (text: string) => void): number {
  if (error instanceof UsageError) {
    const command = error.command ? ` ${error.command}` : '';
    write(`samlkit: usage: ${error.message}\nRun 'samlkit${command} --help' for usage.\n`);
    return 2;
  }
  if (isSamlError(error)) {
    write(`samlkit: ${error.code}: ${error.message}\n`);
    for (const line of detailLines(error.details)) write(`${line}\n`);
    return 1;
  }
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    write(`samlkit: ${code}: ${message.replace(`${code}: `, '')}\n`);
  } else {
    write(`samlkit: ERROR: ${message}\n`);
  }
  return 1;
}
