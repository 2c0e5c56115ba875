import { describe, expect, it } from 'vitest';
import {
  isSamlError,
  type KeyPair,
  type Provider,
  parseProvider,
  type SessionParticipant,
  type Store,
} from '../../src/index.js';
import { certificatePem, keyPair } from './keys.js';

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

/** A provider using every field, key material included, to check that a store gives it back whole. */
function fullProvider(): Provider {
  return parseProvider({
    entityId: 'https://full.example.com/metadata',
    acsUrl: 'https://full.example.com/acs',
    // Several registered ACS endpoints, so a store that keeps only the default is caught.
    assertionConsumerServices: [
      { url: 'https://full.example.com/acs', index: 0, binding: 'post', isDefault: true },
      { url: 'https://full.example.com/acs/second', index: 7, binding: 'post' },
      { url: 'https://full.example.com/acs/artifact', index: 9, binding: 'artifact' },
    ],
    name: 'Full SP',
    spBinding: 'post',
    audience: 'https://full.example.com/audience',
    issuer: 'https://idp.example.com/metadata',
    slsUrl: 'https://full.example.com/slo',
    slsBinding: 'soap',
    // Every endpoint by binding, so a store that keeps only slsUrl is caught.
    singleLogoutServices: [
      { binding: 'soap', url: 'https://full.example.com/slo' },
      {
        binding: 'redirect',
        url: 'https://full.example.com/slo/redirect',
        responseUrl: 'https://full.example.com/slo/done',
      },
    ],
    logoutMethod: 'backchannel',
    authnRequestsSigned: true,
    signingMethods: ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha512'],
    digestMethods: ['http://www.w3.org/2001/04/xmlenc#sha512'],
    encryptionMethods: ['http://www.w3.org/2009/xmlenc11#aes128-gcm'],
    assertionValidNotBefore: 'minutes=-2',
    assertionValidNotOnOrAfter: 'minutes=3',
    sessionValidNotOnOrAfter: 'hours=8',
    signingKeyPair: keyPair('idp'),
    verificationCertificates: [certificatePem('sp-a'), certificatePem('sp-b')],
    encryptionCertificate: certificatePem('sp-a'),
    signAssertion: true,
    signResponse: true,
    signLogoutRequest: true,
    signLogoutResponse: true,
    defaultRelayState: 'https://full.example.com/home',
    defaultNameIdPolicy: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    nameIdMapping: 'mapping-1',
    authnContextClassRefMapping: 'mapping-2',
    subjectIdRequirement: 'pairwise-id',
  });
}

/** A provider as plain comparable data: key material by fingerprint. */
function comparable(provider: Provider | undefined) {
  if (!provider) return provider;
  const key = (k: KeyPair | null) =>
    k ? { fingerprint: k.fingerprintSha256, private: k.hasPrivateKey } : null;
  return {
    ...provider,
    signingKeyPair: key(provider.signingKeyPair),
    verificationCertificates: provider.verificationCertificates.map(key),
    encryptionCertificate: key(provider.encryptionCertificate),
  };
}

/** What a store under test is created with. */
export interface ConformanceContext {
  /** The key pairs with private keys that stored providers sign with; a store must resolve them. */
  signingKeys: KeyPair[];
}

/**
 * The behaviour every Store must have. Run it against any implementation:
 * `runStoreConformance('redis', ({ signingKeys }) => createRedisStore({ client, signingKeys }))`.
 * Every call of `createStore` must give an empty store.
 */
export function runStoreConformance(
  name: string,
  create: (context: ConformanceContext) => Store | Promise<Store>,
): void {
  const createStore = () => create({ signingKeys: [keyPair('idp')] });
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
      await store.deleteProvider('never-there');
    });

    it('gives a provider back whole: every field, durations and key material', async () => {
      const store = await createStore();
      const provider = fullProvider();
      await store.putProvider('full', provider);
      const expected = comparable(provider);
      expect(comparable(await store.getProvider('full'))).toEqual(expected);
      const found = await store.findProviderByEntityId(provider.entityId);
      expect(found?.id).toBe('full');
      expect(comparable(found?.provider)).toEqual(expected);
      expect((await store.getProvider('full'))?.signingKeyPair?.hasPrivateKey).toBe(true);
    });

    it('refuses a second provider with an entity ID another id has', async () => {
      const store = await createStore();
      await store.putProvider('sp-a', provider('https://a.example.com'));
      const error = await store.putProvider('sp-b', provider('https://a.example.com')).catch((e) => e);
      expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
      expect(await store.getProvider('sp-b')).toBeUndefined();
      expect((await store.findProviderByEntityId('https://a.example.com'))?.id).toBe('sp-a');
      // The same id may be put again with its own entity ID.
      await store.putProvider('sp-a', provider('https://a.example.com'));
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

    it('keeps the whole NameID: format, qualifiers and SPProvidedID', async () => {
      const store = await createStore();
      const nameId = {
        value: 'a7f3',
        format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        nameQualifier: 'https://idp.example.com',
        spNameQualifier: 'https://sp.example.com',
        spProvidedId: 'sp-side-id',
      };
      await store.recordParticipant(participant({ nameId }));
      await store.recordParticipant(
        participant({ id: 'p2', sessionIndex: '_s2', nameId: { value: 'a7f3' } }),
      );
      const found = await store.findParticipants({ providerId: 'sp-a', nameId: 'a7f3' }, 2_000);
      expect(found.sort((a, b) => a.id.localeCompare(b.id)).map((p) => p.nameId)).toEqual([
        nameId,
        { value: 'a7f3' },
      ]);
    });

    it('keeps one participant per provider and SessionIndex under concurrent records', async () => {
      const store = await createStore();
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.recordParticipant(participant({ id: `c${i}` }))),
      );
      const listed = await store.listParticipantsByUser('alice', 2_000);
      expect(listed).toHaveLength(1);
      expect(
        await store.findParticipants(
          { providerId: 'sp-a', nameId: 'alice@example.com', sessionIndex: '_s1' },
          2_000,
        ),
      ).toEqual(listed);
    });

    it('moves a participant re-recorded under the same id to its new user and session', async () => {
      const store = await createStore();
      await store.recordParticipant(participant());
      await store.recordParticipant(
        participant({ userId: 'bob', sessionIndex: '_s9', nameId: { value: 'bob' } }),
      );
      expect(await store.listParticipantsByUser('alice', 2_000)).toEqual([]);
      expect(
        await store.findParticipants(
          { providerId: 'sp-a', nameId: 'alice@example.com', sessionIndex: '_s1' },
          2_000,
        ),
      ).toEqual([]);
      expect((await store.listParticipantsByUser('bob', 2_000)).map((p) => p.sessionIndex)).toEqual(['_s9']);
    });

    it('replaces a participant with the same provider and SessionIndex', async () => {
      const store = await createStore();
      await store.recordParticipant(participant());
      await store.recordParticipant(participant({ id: 'p9' }));
      expect((await store.listParticipantsByUser('alice', 2_000)).map((p) => p.id)).toEqual(['p9']);
    });

    it('regression: lists participants in the order they were recorded, not by expiry', async () => {
      const store = await createStore();
      // Later recordings expire sooner, and all share one createdAt: only the recording order tells them apart.
      const ids = ['r1', 'r2', 'r3', 'r4'];
      for (const [i, id] of ids.entries()) {
        await store.recordParticipant(
          participant({ id, sessionIndex: `_${id}`, expiresAt: 90_000 - i * 10_000 }),
        );
      }
      await store.recordParticipant(
        participant({ id: 'other', userId: 'bob', nameId: { value: 'bob' }, sessionIndex: '_other' }),
      );
      const listed = async () => (await store.listParticipantsByUser('alice', 2_000)).map((p) => p.id);
      const found = async () =>
        (await store.findParticipants({ providerId: 'sp-a', nameId: 'alice@example.com' }, 2_000)).map(
          (p) => p.id,
        );
      expect(await listed()).toEqual(ids);
      expect(await found()).toEqual(ids);
      // Re-recording moves a participant to the end; a replacement by SessionIndex takes the end too.
      await store.recordParticipant(participant({ id: 'r2', sessionIndex: '_r2', expiresAt: 95_000 }));
      await store.recordParticipant(participant({ id: 'r5', sessionIndex: '_r1', expiresAt: 20_000 }));
      expect(await listed()).toEqual(['r3', 'r4', 'r2', 'r5']);
      expect(await found()).toEqual(['r3', 'r4', 'r2', 'r5']);
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
      expect((await store.listParticipantsByUser('alice', 5_000)).map((p) => p.id)).toEqual(['p2']);
      // The swept participant's SessionIndex is free again.
      await store.recordParticipant(participant({ id: 'p3', createdAt: 6_000, expiresAt: 60_000 }));
      expect((await store.listParticipantsByUser('alice', 6_000)).map((p) => p.id).sort()).toEqual([
        'p2',
        'p3',
      ]);
    });

    it('deletes participants by id and returns exactly the ids it removed', async () => {
      const store = await createStore();
      await store.recordParticipant(participant());
      await store.recordParticipant(participant({ id: 'p2', sessionIndex: '_s2' }));
      await store.recordParticipant(participant({ id: 'p3', sessionIndex: '_s3' }));
      expect(await store.deleteParticipants(['p1', 'unknown'])).toEqual(['p1']);
      expect((await store.listParticipantsByUser('alice', 2_000)).map((p) => p.id)).toEqual(['p2', 'p3']);
      // Already removed and unknown ids are not returned; an id passed twice comes back once.
      expect((await store.deleteParticipants(['p1', 'p3', 'p3', 'nobody'])).sort()).toEqual(['p3']);
      expect(await store.deleteParticipants(['p1', 'p3'])).toEqual([]);
      expect(await store.deleteParticipants([])).toEqual([]);
      expect((await store.listParticipantsByUser('alice', 2_000)).map((p) => p.id)).toEqual(['p2']);
    });

    it('gives each id to exactly one of concurrent deletes over overlapping ids', async () => {
      const store = await createStore();
      const ids = Array.from({ length: 30 }, (_, i) => `c${i}`);
      for (const [i, id] of ids.entries()) {
        await store.recordParticipant(participant({ id, sessionIndex: `_c${i}`, userId: `user${i % 3}` }));
      }
      // Each call asks for an overlapping window, some in reverse order, as racing logouts would.
      const calls = Array.from({ length: 6 }, (_, k) => {
        const window = ids.slice(k * 3, k * 3 + 15);
        return k % 2 === 0 ? window : window.reverse();
      });
      const results = await Promise.all(calls.map((window) => store.deleteParticipants(window)));
      const returned = results.flat();
      expect(returned.sort()).toEqual([...ids].sort());
      expect(new Set(returned).size).toBe(returned.length);
      results.forEach((removed, k) => {
        for (const id of removed) expect(calls[k]).toContain(id);
      });
      for (const user of ['user0', 'user1', 'user2']) {
        expect(await store.listParticipantsByUser(user, 2_000)).toEqual([]);
      }
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
      await store.createTransaction({ id: 't1', version: 1, expiresAt: 10_000, state: { step: 1 } }, 1_000);
      await expect(
        store.createTransaction({ id: 't1', version: 1, expiresAt: 10_000, state: {} }, 1_000),
      ).rejects.toThrow();
      expect(await store.getTransaction('t1', 1_000)).toEqual({
        id: 't1',
        version: 1,
        expiresAt: 10_000,
        state: { step: 1 },
      });
      expect(
        await store.updateTransaction(
          { id: 't1', version: 2, expiresAt: 10_000, state: { step: 2 } },
          1,
          2_000,
        ),
      ).toBe(true);
      expect(
        await store.updateTransaction(
          { id: 't1', version: 2, expiresAt: 10_000, state: { step: 3 } },
          1,
          2_000,
        ),
      ).toBe(false);
      expect((await store.getTransaction('t1', 1_000))?.state).toEqual({ step: 2 });
      expect(await store.getTransaction('t1', 10_000)).toBeUndefined();
      // An expired transaction can no longer advance, and its id may be used again.
      expect(
        await store.updateTransaction({ id: 't1', version: 3, expiresAt: 20_000, state: {} }, 2, 10_000),
      ).toBe(false);
      await store.createTransaction(
        { id: 't1', version: 1, expiresAt: 20_000, state: { again: true } },
        10_000,
      );
      expect((await store.getTransaction('t1', 10_000))?.state).toEqual({ again: true });
      expect(
        await store.updateTransaction({ id: 'unknown', version: 2, expiresAt: 20_000, state: {} }, 1, 10_000),
      ).toBe(false);
      await store.createTransaction({ id: 't2', version: 1, expiresAt: 10_000, state: {} }, 1_000);
      await store.deleteTransaction('t2');
      expect(await store.getTransaction('t2', 1_000)).toBeUndefined();
    });

    it('lets exactly one of concurrent updates from the same version win', async () => {
      const store = await createStore();
      await store.createTransaction({ id: 't', version: 1, expiresAt: 10_000, state: { step: 1 } }, 1_000);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.updateTransaction({ id: 't', version: 2, expiresAt: 10_000, state: { by: i } }, 1, 1_000),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await store.getTransaction('t', 1_000)).toMatchObject({ version: 2, state: { by: winner } });
    });

    it('keeps transaction state that holds any string', async () => {
      const store = await createStore();
      const state = { relayState: 'a\u0000b \u00e9\u2028 <x>&"\'', nested: [{ n: 1.5 }, null, true] };
      await store.createTransaction({ id: 'weird', version: 1, expiresAt: 10_000, state }, 1_000);
      expect((await store.getTransaction('weird', 1_000))?.state).toEqual(state);
    });

    it('keeps replay keys that hold any string, apart', async () => {
      const store = await createStore();
      expect(await store.rememberOnce('https://sp\u0000_id1', 10_000, 1_000)).toBe(true);
      expect(await store.rememberOnce('https://sp\u0000_id2', 10_000, 1_000)).toBe(true);
      expect(await store.rememberOnce('https://sp\u0000_id1', 10_000, 1_000)).toBe(false);
      expect(await store.rememberOnce('https://sp', 10_000, 1_000)).toBe(true);
    });

    it('regression: accepts times with fractions of a millisecond (durations carry microseconds)', async () => {
      const store = await createStore();
      await store.recordParticipant(participant({ createdAt: 1_000.25, expiresAt: 100_000.5 }));
      expect((await store.listParticipantsByUser('alice', 2_000.75)).map((p) => p.id)).toEqual(['p1']);
      expect(await store.rememberOnce('k', 10_000.5, 1_000.5)).toBe(true);
      expect(await store.rememberOnce('k', 10_000.5, 1_000.5)).toBe(false);
      await store.createTransaction({ id: 't', version: 1, expiresAt: 50_000.5, state: {} }, 1_000.5);
      expect(
        await store.updateTransaction({ id: 't', version: 2, expiresAt: 60_000.5, state: {} }, 1, 2_000.5),
      ).toBe(true);
      expect((await store.getTransaction('t', 3_000.5))?.version).toBe(2);
    });
  });
}
