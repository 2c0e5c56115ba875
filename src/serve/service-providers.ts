import { readFile } from 'node:fs/promises';
import { type Provider, parseProvider } from '../config/index.js';
import type { ServeServiceProvider } from '../config/serve-options.js';
import { SamlError } from '../errors/index.js';
import { parseSpMetadata } from '../metadata/index.js';
import type { Store } from '../store/store.js';

/** Largest metadata document read from a file or URL. */
const maxMetadataBytes = 1024 * 1024;
const fetchTimeoutMs = 10_000;

/** A registered SP: its entity ID is also its provider ID. */
export interface RegisteredSp {
  entityId: string;
  provider: Provider;
}

async function fetchMetadata(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(fetchTimeoutMs), redirect: 'follow' });
  } catch (error) {
    throw new SamlError('SAML_METADATA_INVALID', `could not fetch SP metadata from ${url}`, { cause: error });
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new SamlError(
      'SAML_METADATA_INVALID',
      `fetching SP metadata from ${url} answered ${response.status}`,
    );
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxMetadataBytes) {
      await reader.cancel();
      throw new SamlError('SAML_METADATA_INVALID', `SP metadata at ${url} exceeds ${maxMetadataBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** The metadata XML of one `--sp` value: inline XML, an http(s) URL (fetched once), or a file path. */
export async function readSpMetadata(source: string): Promise<string> {
  if (/^\s*</.test(source)) return source;
  if (/^https?:\/\//i.test(source)) return fetchMetadata(source);
  const xml = await readFile(source, 'utf8');
  if (Buffer.byteLength(xml) > maxMetadataBytes)
    throw new SamlError('SAML_METADATA_INVALID', `${source} exceeds ${maxMetadataBytes} bytes`);
  return xml;
}

/**
 * Registers each SP from its metadata, the IdP's side added (`issuer`). The
 * metadata comes from the operator (a file, a URL or text they named), so its
 * signature is not required; a signature present is left unchecked.
 */
export async function registerServiceProviders(
  store: Store,
  sources: readonly ServeServiceProvider[],
  idpEntityId: string,
): Promise<RegisteredSp[]> {
  const registered: RegisteredSp[] = [];
  for (const source of sources) {
    const { metadata: location, logoutMethod } = typeof source === 'string' ? { metadata: source } : source;
    const xml = await readSpMetadata(location);
    const metadata = parseSpMetadata(xml, { requireSignature: false });
    const provider = parseProvider({
      ...metadata.provider,
      issuer: idpEntityId,
      ...(logoutMethod === undefined ? {} : { logoutMethod }),
    });
    await store.putProvider(metadata.entityId, provider);
    registered.push({ entityId: metadata.entityId, provider });
  }
  return registered;
}
