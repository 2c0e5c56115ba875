import type { OwnedProvider, OwnedProvidersReplaced } from './store.js';

/** A provider as the replacement plan sees it: its entity ID and owner, if any. */
export interface HeldProvider {
  entityId: string;
  owner?: string | undefined;
}

/** Which entries a replacement stores, which it leaves out, and which owned ids it removes. */
export interface OwnedReplacementPlan extends OwnedProvidersReplaced {
  /** The entries to store: the very objects given, in order. */
  keep: OwnedProvider[];
}

/**
 * Checks the arguments of `replaceOwnedProviders`: a wrong type is the caller's mistake, so a
 * `TypeError`, before the store is touched.
 */
export function checkOwnedProviders(owner: unknown, providers: unknown): void {
  if (typeof owner !== 'string' || owner === '')
    throw new TypeError('replaceOwnedProviders: owner must be a non-empty string');
  if (!Array.isArray(providers))
    throw new TypeError('replaceOwnedProviders: providers must be an array of { id, provider }');
  for (const entry of providers as unknown[]) {
    const { id, provider } = (entry ?? {}) as Partial<OwnedProvider>;
    if (typeof id !== 'string' || id === '' || typeof provider?.entityId !== 'string')
      throw new TypeError('replaceOwnedProviders: every entry must be { id: string, provider: Provider }');
  }
}

/**
 * Plans a replacement against what the store holds now: `held` has every provider whose id or
 * entity ID an entry names and every provider of the owner, `holderOf` maps entity IDs to ids.
 * Everything the owner holds is dropped and the kept entries written back, so an entity ID may
 * move between the owner's ids within one replacement.
 */
export function planOwnedReplacement(
  owner: string,
  providers: readonly OwnedProvider[],
  held: ReadonlyMap<string, HeldProvider>,
  holderOf: ReadonlyMap<string, string>,
  ownedIds: Iterable<string>,
): OwnedReplacementPlan {
  const keep: OwnedProvider[] = [];
  const conflicts: OwnedProvidersReplaced['conflicts'] = [];
  const takenIds = new Set<string>();
  const takenEntities = new Map<string, string>();
  const foreign = (id: string | undefined): id is string => id !== undefined && held.get(id)?.owner !== owner;
  for (const entry of providers) {
    const { id } = entry;
    const entityId = entry.provider.entityId;
    const earlier = takenIds.has(id) ? id : takenEntities.get(entityId);
    const holder = held.has(id) && foreign(id) ? id : holderOf.get(entityId);
    const heldBy = earlier ?? (foreign(holder) ? holder : undefined);
    if (heldBy !== undefined) {
      conflicts.push({ id, entityId, heldBy });
      continue;
    }
    takenIds.add(id);
    takenEntities.set(entityId, id);
    keep.push(entry);
  }
  const removed = [...ownedIds].filter((id) => !takenIds.has(id));
  return { keep, stored: keep.map((entry) => entry.id), removed, conflicts };
}
