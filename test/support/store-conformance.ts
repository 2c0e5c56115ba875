import { describe, expect, it } from 'vitest';
import { type Provider, parseProvider, type SessionParticipant, type Store } from '../../src/index.js';

function provider(entityId: string): Provider {
  return parseProvider({ entityId, acsUrl: `${entityId}/acs`, signAssertion: false });
}

function participant(overrides: Partial<SessionParticipant> = {}): SessionParticipant {
  return {
    id: 'p1',
    providerId: 'sp-a',
    userId: 'alice',
    nameId: { value: 'alice@example.com', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
    sessionIndex: '_s1',
    createdAt: 1_000,
    expiresAt: 100_000,
    ...overrides,
  };
}

/**
 * The behaviour every Store must have. Run it against any implementation:
 * `runStoreConformance('redis', () => createRedisStore(...))`.
 */
export function runStoreConformance(name: string, createStore: () => Store | Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    it('stores providers by id and by entity ID, and re-indexes on replace', async () => {
      const store = await createStore();
      await store.putProvider('sp-a', provider('https://a.example.com'));
      expect((await store.getProvider('sp-a'))?.entityId).toBe('https://a.example.com');
      expect((await store.findProviderByEntityId('https://a.example.com'))?.id).toBe('sp-a');
      await store.putProvider('sp-a', provider('https://a2.example.com'));
      expect(await store.findProviderByEntityId('https://a.example.com')).toBeUndefined();
      expect((await store.findProviderByEntityId('https://a2.example.com'))?.id).toBe('sp-a');
      await store.deleteProvider('sp-a');
      expect(await store.getProvider('sp-a')).toBeUndefined();
      expect(await store.findProviderByEntityId('https://a2.example.com')).toBeUndefined();
    });

    it('records participants, lists them by user and finds them by NameID and SessionIndex', async () => {
      const store = await createStore();
      await store.recordParticipant(participant());
      await store.recordParticipant(participant({ id: 'p2', providerId: 'sp-b', sessionIndex: '_s2' }));
      await store.recordParticipant(
        participant({ id: 'p3', userId: 'bob', nameId: { value: 'bob' }, sessionIndex: '_s3' }),
      );
      expect((await store.listParticipantsByUser('alice', 2_000)).map((p) => p.id).sort()).toEqual([
        'p1',
        'p2',
      ]);
      expect(
        (
          await store.findParticipants(
            { providerId: 'sp-a', nameId: 'alice@example.com', sessionIndex: '_s1' },
            2_000,
          )
        ).map((p) => p.id),
      ).toEqual(['p1']);
      expect(
        await store.findParticipants({ providerId: 'sp-a', nameId: 'mallory', sessionIndex: '_s1' }, 2_000),
      ).toEqual([]);
      expect(
        await store.findParticipants(
          { providerId: 'sp-b', nameId: 'alice@example.com', sessionIndex: '_s1' },
          2_000,
        ),
      ).toEqual([]);
      expect(
        (await store.findParticipants({ providerId: 'sp-a', nameId: 'alice@example.com' }, 2_000)).map(
          (p) => p.id,
        ),
      ).toEqual(['p1']);
      const [found] = await store.findParticipants(
        { providerId: 'sp-a', nameId: 'alice@example.com', sessionIndex: '_s1' },
        2_000,
      );
      expect(found).toEqual(participant());
    });

    it('replaces a participant with the same provider and SessionIndex', async () => {
      const store = await createStore();
      await store.recordParticipant(participant());
      await store.recordParticipant(participant({ id: 'p9' }));
      expect((await store.listParticipantsByUser('alice', 2_000)).map((p) => p.id)).toEqual(['p9']);
    });

    it('hides expired participants and sweeps them', async () => {
      const store = await createStore();
      await store.recordParticipant(participant({ expiresAt: 5_000 }));
      await store.recordParticipant(participant({ id: 'p2', sessionIndex: '_s2', expiresAt: 50_000 }));
      expect((await store.listParticipantsByUser('alice', 5_000)).map((p) => p.id)).toEqual(['p2']);
      expect(
        await store.findParticipants(
          { providerId: 'sp-a', nameId: 'alice@example.com', sessionIndex: '_s1' },
          5_000,
        ),
      ).toEqual([]);
      expect(await store.expireParticipants(5_000)).toBe(1);
      expect(await store.expireParticipants(5_000)).toBe(0);
    });

    it('deletes participants by id', async () => {
      const store = await createStore();
      await store.recordParticipant(participant());
      await store.recordParticipant(participant({ id: 'p2', sessionIndex: '_s2' }));
      await store.deleteParticipants(['p1', 'unknown']);
      expect((await store.listParticipantsByUser('alice', 2_000)).map((p) => p.id)).toEqual(['p2']);
    });

    it('returns copies, not live references', async () => {
      const store = await createStore();
      await store.recordParticipant(participant());
      const [listed] = await store.listParticipantsByUser('alice', 2_000);
      listed!.nameId.value = 'changed';
      const [again] = await store.listParticipantsByUser('alice', 2_000);
      expect(again!.nameId.value).toBe('alice@example.com');
    });

    it('remembers a replay key once until it expires', async () => {
      const store = await createStore();
      expect(await store.rememberOnce('k', 10_000, 1_000)).toBe(true);
      expect(await store.rememberOnce('k', 10_000, 2_000)).toBe(false);
      expect(await store.rememberOnce('other', 10_000, 2_000)).toBe(true);
      expect(await store.rememberOnce('k', 20_000, 10_000)).toBe(true);
    });

    it('is atomic under concurrent replay checks', async () => {
      const store = await createStore();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.rememberOnce('race', 10_000, 1_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('keeps logout transactions with compare-and-set updates and expiry', async () => {
      const store = await createStore();
      await store.createTransaction({ id: 't1', version: 1, expiresAt: 10_000, state: { step: 1 } });
      await expect(
        store.createTransaction({ id: 't1', version: 1, expiresAt: 10_000, state: {} }),
      ).rejects.toThrow();
      expect((await store.getTransaction('t1', 1_000))?.state).toEqual({ step: 1 });
      expect(
        await store.updateTransaction({ id: 't1', version: 2, expiresAt: 10_000, state: { step: 2 } }, 1),
      ).toBe(true);
      expect(
        await store.updateTransaction({ id: 't1', version: 2, expiresAt: 10_000, state: { step: 3 } }, 1),
      ).toBe(false);
      expect((await store.getTransaction('t1', 1_000))?.state).toEqual({ step: 2 });
      expect(await store.getTransaction('t1', 10_000)).toBeUndefined();
      await store.createTransaction({ id: 't2', version: 1, expiresAt: 10_000, state: {} });
      await store.deleteTransaction('t2');
      expect(await store.getTransaction('t2', 1_000)).toBeUndefined();
    });
  });
}
