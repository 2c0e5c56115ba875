import { describe, expect, it } from 'vitest';
import { isSamlError, type OwnedProviderStore, type Provider, parseProvider } from '../../src/index.js';
import { keyPair } from './keys.js';

function provider(entityId: string, name = 'v1'): Provider {
  return parseProvider({ entityId, acsUrl: `${entityId}/acs`, name, signAssertion: false });
}

const entry = (id: string, entityId = `https://${id}.example.com`, name?: string) => ({
  id,
  provider: provider(entityId, name),
});

async function entityIds(store: OwnedProviderStore, ids: string[]) {
  const found: Record<string, string | undefined> = {};
  for (const id of ids) found[id] = (await store.getProvider(id))?.entityId;
  return found;
}

/**
 * The behaviour of `replaceOwnedProviders` every store that has it must show. Every call of
 * `create` must give an empty store.
 */
export function runOwnedProviderConformance(
  name: string,
  create: () => OwnedProviderStore | Promise<OwnedProviderStore>,
): void {
  describe(`owned providers: ${name}`, () => {
    it('replaces what the owner holds, removing what disappeared, and tags it with the owner', async () => {
      const store = await create();
      expect(await store.replaceOwnedProviders('fed', [entry('a'), entry('b'), entry('c')])).toEqual({
        stored: ['a', 'b', 'c'],
        removed: [],
        conflicts: [],
      });
      expect(await store.findProviderByEntityId('https://a.example.com')).toMatchObject({
        id: 'a',
        owner: 'fed',
      });
      const second = await store.replaceOwnedProviders('fed', [
        entry('a', 'https://a.example.com', 'v2'),
        entry('d'),
      ]);
      expect(second.stored).toEqual(['a', 'd']);
      expect([...second.removed].sort()).toEqual(['b', 'c']);
      expect(await entityIds(store, ['a', 'b', 'c', 'd'])).toEqual({
        a: 'https://a.example.com',
        b: undefined,
        c: undefined,
        d: 'https://d.example.com',
      });
      expect((await store.getProvider('a'))?.name).toBe('v2');
      expect(await store.findProviderByEntityId('https://b.example.com')).toBeUndefined();
      const emptied = await store.replaceOwnedProviders('fed', []);
      expect([...emptied.removed].sort()).toEqual(['a', 'd']);
      expect(await entityIds(store, ['a', 'd'])).toEqual({ a: undefined, d: undefined });
    });

    it('never touches a provider registered by hand, nor one of another owner', async () => {
      const store = await create();
      await store.putProvider('hand', provider('https://hand.example.com'));
      await store.replaceOwnedProviders('other', [entry('o', 'https://other.example.com')]);
      const result = await store.replaceOwnedProviders('fed', [
        entry('hand', 'https://new.example.com'), // the id is taken by hand
        entry('x', 'https://hand.example.com'), // the entity ID is taken by hand
        entry('y', 'https://other.example.com'), // the entity ID is another owner's
        entry('o', 'https://o2.example.com'), // the id is another owner's
        entry('z'),
      ]);
      expect(result.stored).toEqual(['z']);
      expect(result.conflicts).toEqual([
        { id: 'hand', entityId: 'https://new.example.com', heldBy: 'hand' },
        { id: 'x', entityId: 'https://hand.example.com', heldBy: 'hand' },
        { id: 'y', entityId: 'https://other.example.com', heldBy: 'o' },
        { id: 'o', entityId: 'https://o2.example.com', heldBy: 'o' },
      ]);
      const hand = await store.findProviderByEntityId('https://hand.example.com');
      expect(hand?.id).toBe('hand');
      expect(hand?.owner).toBeUndefined();
      expect((await store.findProviderByEntityId('https://other.example.com'))?.owner).toBe('other');
      // Emptying the owner leaves both alone.
      await store.replaceOwnedProviders('fed', []);
      expect(await entityIds(store, ['hand', 'o', 'z'])).toEqual({
        hand: 'https://hand.example.com',
        o: 'https://other.example.com',
        z: undefined,
      });
    });

    it('reports a repeated id or entity ID within one call, keeping the first', async () => {
      const store = await create();
      const result = await store.replaceOwnedProviders('fed', [
        entry('a'),
        entry('a', 'https://a2.example.com'),
        entry('b', 'https://a.example.com'),
      ]);
      expect(result.stored).toEqual(['a']);
      expect(result.conflicts).toEqual([
        { id: 'a', entityId: 'https://a2.example.com', heldBy: 'a' },
        { id: 'b', entityId: 'https://a.example.com', heldBy: 'a' },
      ]);
      expect((await store.getProvider('a'))?.entityId).toBe('https://a.example.com');
    });

    it('moves an entity ID between ids of the owner in one replacement', async () => {
      const store = await create();
      await store.replaceOwnedProviders('fed', [
        entry('a', 'https://e1.example.com'),
        entry('b', 'https://e2.example.com'),
      ]);
      const result = await store.replaceOwnedProviders('fed', [
        entry('b', 'https://e1.example.com'),
        entry('a', 'https://e2.example.com'),
      ]);
      expect(result).toEqual({ stored: ['b', 'a'], removed: [], conflicts: [] });
      expect((await store.findProviderByEntityId('https://e1.example.com'))?.id).toBe('b');
      expect((await store.findProviderByEntityId('https://e2.example.com'))?.id).toBe('a');
    });

    it('lets a provider put by hand take an owned one over: the owner no longer removes it', async () => {
      const store = await create();
      await store.replaceOwnedProviders('fed', [entry('a'), entry('b')]);
      await store.putProvider('a', provider('https://a.example.com', 'by hand'));
      expect((await store.findProviderByEntityId('https://a.example.com'))?.owner).toBeUndefined();
      await store.deleteProvider('b');
      const result = await store.replaceOwnedProviders('fed', []);
      expect(result.removed).toEqual([]);
      expect((await store.getProvider('a'))?.name).toBe('by hand');
    });

    it('applies nothing when a provider cannot be stored, and ends concurrent replacements in one whole set', async () => {
      const store = await create();
      await store.replaceOwnedProviders('fed', [entry('a'), entry('b')]);
      // Some stores refuse a private key they could not resolve back; every store refuses a bad entry.
      const bad = await store
        .replaceOwnedProviders('fed', [entry('c'), { id: 'd', provider: null as unknown as Provider }])
        .catch((e) => e);
      expect(bad).toBeInstanceOf(TypeError);
      expect(await entityIds(store, ['a', 'b', 'c'])).toEqual({
        a: 'https://a.example.com',
        b: 'https://b.example.com',
        c: undefined,
      });
      const sets = Array.from({ length: 4 }, (_, n) =>
        Array.from({ length: 20 }, (_, i) => entry(`s${i}`, `https://s${i}.example.com`, `set${n}`)),
      );
      await Promise.all(sets.map((set) => store.replaceOwnedProviders('fed', set)));
      const names = new Set<string | undefined>();
      for (let i = 0; i < 20; i++) names.add((await store.getProvider(`s${i}`))?.name);
      expect(names.size).toBe(1);
      expect(await entityIds(store, ['a', 'b'])).toEqual({ a: undefined, b: undefined });
    });

    it('refuses a signing key it cannot keep without touching the owner set', async () => {
      const store = await create();
      await store.replaceOwnedProviders('fed', [entry('a')]);
      const signed = parseProvider({
        entityId: 'https://signed.example.com',
        acsUrl: 'https://signed.example.com/acs',
        signingKeyPair: keyPair('sp-a'),
      });
      const error = await store
        .replaceOwnedProviders('fed', [{ id: 'signed', provider: signed }])
        .then(() => undefined)
        .catch((e) => e);
      // The memory store keeps key objects; database stores refuse a key not in their signingKeys.
      if (error !== undefined) {
        expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
        expect((await store.getProvider('a'))?.entityId).toBe('https://a.example.com');
      }
    });

    it('replaces an aggregate-sized set (2,000 providers) in one call', async () => {
      const store = await create();
      const many = (n: number, version: string) =>
        Array.from({ length: n }, (_, i) => entry(`m${i}`, `https://m${i}.example.org`, version));
      expect((await store.replaceOwnedProviders('fed', many(2_000, 'v1'))).stored).toHaveLength(2_000);
      const second = await store.replaceOwnedProviders('fed', many(1_500, 'v2'));
      expect(second.stored).toHaveLength(1_500);
      expect(second.removed).toHaveLength(500);
      expect((await store.getProvider('m1499'))?.name).toBe('v2');
      expect(await store.getProvider('m1500')).toBeUndefined();
    });

    it('is a TypeError to call it without an owner', async () => {
      const store = await create();
      await expect(store.replaceOwnedProviders('', [])).rejects.toBeInstanceOf(TypeError);
      await expect(store.replaceOwnedProviders('x', {} as never)).rejects.toBeInstanceOf(TypeError);
    });
  });
}
