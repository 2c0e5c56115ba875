import { isSamlError, SamlError } from '../errors/index.js';

/**
 * Runs one store operation against a database and turns a driver error into
 * `SAML_STORE_FAILED` (the driver's error kept in `cause`), so callers of the
 * facade see one error class whatever the store.
 */
export async function storeOperation<T>(store: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isSamlError(error)) throw error;
    throw new SamlError('SAML_STORE_FAILED', `${store} store: ${operation} failed`, {
      details: { store, operation },
      cause: error,
    });
  }
}
