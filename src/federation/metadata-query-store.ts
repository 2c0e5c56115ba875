import { type Provider, type ProviderInput, parseProvider } from '../config/index.js';
import type { SpMetadata } from '../metadata/sp-metadata.js';
import type { OwnedProviderStore } from '../store/store.js';
import type { MdqClient } from './mdq-client.js';

/** Options of {@link withMetadataQuery}. */
export interface MetadataQueryStoreOptions {
  /**
   * Provider settings added to what the metadata says, for every SP found through the query
   * service (`signAssertion`, `sessionValidNotOnOrAfter`, …). Default none: the facade's
   * `entityId` and `signing` already give the IdP side.
   */
  providerDefaults?: Partial<Omit<ProviderInput, 'entityId'>>;
  /**
   * Prefix of the owner name under which a found SP is stored (`mdq:` + its entity ID), so the
   * facade's later reads by provider id (logout) find it. Default `'mdq:'`.
   */
  ownerPrefix?: string;
}

/**
 * Wraps a store so that an SP it does not know is looked up through a Metadata Query Protocol
 * service: `findProviderByEntityId` answers from the store for providers registered by hand or
 * loaded from an aggregate, and otherwise asks `client` (which caches), converts the verified
 * metadata with `parseProvider` and stores it under its entity ID, owned by `ownerPrefix` +
 * entity ID, so every node and every later `getProvider` sees it. An SP the service no longer
 * knows is removed. Every other method is the store's own.
 *
 * Pass the result as the facade's `store`: a message from an SP that is in no aggregate yet
 * resolves through the query service.
 */
export function withMetadataQuery<S extends OwnedProviderStore>(
  store: S,
  client: MdqClient,
  options: MetadataQueryStoreOptions = {},
): S {
  if (typeof store?.replaceOwnedProviders !== 'function')
    throw new TypeError('withMetadataQuery needs a store with replaceOwnedProviders');
  if (typeof client?.lookup !== 'function') throw new TypeError('withMetadataQuery needs an MDQ client');
  const ownerPrefix = options.ownerPrefix ?? 'mdq:';
  if (typeof ownerPrefix !== 'string' || ownerPrefix === '')
    throw new TypeError('withMetadataQuery: ownerPrefix must be a non-empty string');
  const defaults = options.providerDefaults ?? {};
  // Which answer this node last stored, so a cached answer costs no write. Keyed by the answer
  // object: a fresh fetch is a new object and is written again.
  const written = new WeakMap<SpMetadata, { id: string; provider: Provider }>();

  async function findProviderByEntityId(
    entityId: string,
  ): Promise<{ id: string; provider: Provider; owner?: string } | undefined> {
    const found = await store.findProviderByEntityId(entityId);
    const owner = ownerPrefix + entityId;
    if (found !== undefined && found.owner !== owner) return found;
    const metadata = await client.lookup(entityId);
    if (metadata === undefined) {
      if (found !== undefined) await store.replaceOwnedProviders(owner, []);
      return undefined;
    }
    const known = written.get(metadata);
    if (known !== undefined && found?.id === known.id) return { ...known, owner };
    const provider = parseProvider({ ...metadata.provider, ...defaults, entityId: metadata.entityId });
    const result = await store.replaceOwnedProviders(owner, [{ id: entityId, provider }]);
    // Someone registered the entity by hand meanwhile: that registration wins.
    if (result.stored.length === 0) return store.findProviderByEntityId(entityId);
    written.set(metadata, { id: entityId, provider });
    return { id: entityId, provider, owner };
  }

  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'findProviderByEntityId') return findProviderByEntityId;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
