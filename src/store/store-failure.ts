import type { Issue } from '../errors/index.js';
import { isSamlError, SamlError } from '../errors/index.js';

/** The default deadline of one store or queue operation. */
export const defaultOperationTimeoutMs = 5_000;

/** Sweeps and migrations work through whole tables: they get at least this long. */
export const maintenanceTimeoutMs = 60_000;

/**
 * Runs one store operation against a database and turns a driver error into
 * `SAML_STORE_FAILED` (the driver's error kept in `cause`), so callers of the
 * facade see one error class whatever the store.
 *
 * The operation has a deadline: a driver that queues commands while its server is
 * away (ioredis retries each for over a minute by default; BullMQ waits for the
 * connection without limit) would otherwise hold a login or a logout as long.
 * At the deadline this settles with `SAML_STORE_FAILED` (`details.reason:
 * 'timeout'`); the driver's command cannot be taken back, so a write may still
 * land later. Every store write is idempotent or compare-and-set, which makes that safe.
 */
export async function storeOperation<T>(
  store: string,
  operation: string,
  run: () => Promise<T>,
  timeoutMs: number = defaultOperationTimeoutMs,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = run();
    // A rejection after the deadline has nobody awaiting it: mark it handled.
    work.catch(() => undefined);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SamlError(
              'SAML_STORE_FAILED',
              `${store} store: ${operation} timed out after ${timeoutMs} ms`,
              {
                details: { store, operation, reason: 'timeout' },
              },
            ),
          ),
        timeoutMs,
      );
    });
    return await Promise.race([work, deadline]);
  } catch (error) {
    if (isSamlError(error)) throw error;
    throw new SamlError('SAML_STORE_FAILED', `${store} store: ${operation} failed`, {
      details: { store, operation },
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** Checks an `operationTimeoutMs` option; returns it or the default. */
export function checkOperationTimeout(value: unknown, issues: Issue[]): number {
  if (value === undefined) return defaultOperationTimeoutMs;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  issues.push({ path: ['operationTimeoutMs'], message: 'must be a positive number of milliseconds' });
  return defaultOperationTimeoutMs;
}
