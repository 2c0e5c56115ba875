import { expect } from 'vitest';
import { isSamlError, type SamlError, type SamlErrorCode } from '../../src/errors/index.js';

/** The SamlError `fn` throws; fails the test when it throws something else or nothing. */
export function samlErrorOf(fn: () => unknown): SamlError {
  try {
    fn();
  } catch (error) {
    if (isSamlError(error)) return error;
    throw new Error(`expected a SamlError, got ${String(error)}`);
  }
  throw new Error('expected a SamlError, nothing was thrown');
}

/** Expects `fn` to throw a SamlError with `code`, and returns it for further checks. */
export function expectCode<C extends SamlErrorCode>(fn: () => unknown, code: C): SamlError<C> {
  const error = samlErrorOf(fn);
  expect(error.code).toBe(code);
  return error as SamlError<C>;
}
