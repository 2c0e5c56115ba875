import { type Issue, SamlError } from '../errors/index.js';

/**
 * Builds the one error every config check ends in. The message names the first
 * problem so a stack trace alone is useful; `details.issues` has all of them.
 */
export function createConfigError(
  subject: string,
  issues: Issue[],
  cause?: unknown,
): SamlError<'SAML_CONFIG_INVALID'> {
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const message = first ? `${subject}: ${where}${first.message}${more}` : subject;
  return new SamlError('SAML_CONFIG_INVALID', message, {
    details: { issues },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Zod paths may hold symbols; ours never do, but the public Issue type only allows strings and numbers. */
export function toIssuePath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((key) => (typeof key === 'symbol' ? String(key) : key));
}

/** True for a non-null, non-array object: the only shape a config or option object can take. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
