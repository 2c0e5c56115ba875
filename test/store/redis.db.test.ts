import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isSamlError, parseProvider } from '../../src/index.js';
import { createRedisStore } from '../../src/store/redis.js';
import {
  connectRedis,
  redisUrl,
  skipLoudly,
  uniqueName,
  unreachableRedis,
} from '../support/database-clients.js';
import { keyPair } from '../support/keys.js';
import { runOwnedProviderConformance } from '../support/owned-provider-conformance.js';
import { runStoreConformance } from '../support/store-conformance.js';

if (!redisUrl) {
  skipLoudly('redis-server');
} else {
  const client = connectRedis();
  runStoreConformance('redis', ({ signingKeys }) =>
    createRedisStore({ client, prefix: `${uniqueName('t')}:`, signingKeys }),
  );
  runOwnedProviderConformance('redis', () =>
    createRedisStore({ client, prefix: `${uniqueName('o')}:`, signingKeys: [keyPair('idp')] }),
  );

  const signedProvider = (entityId: string) =>
    parseProvider({ entityId, acsUrl: `${entityId}/acs`, signingKeyPair: keyPair('idp') });

  describe('Redis store', () => {
    it('gives participants, replay keys and transactions a time to live from the caller clock', async () => {
      const prefix = `${uniqueName('ttl')}:`;
      const store = createRedisStore({ client, prefix });
      const now = Date.now();
      await store.recordParticipant({
        id: 'p1',
        providerId: 'sp',
        userId: 'u',
        nameId: { value: 'n' },
        sessionIndex: 's',
        createdAt: now,
        expiresAt: now + 60_000,
      });
      await store.rememberOnce('k', now + 30_000, now);
      await store.createTransaction({ id: 't', version: 1, expiresAt: now + 20_000, state: {} }, now);
      const participantTtl = await client.pttl(`${prefix}pt:p1`);
      // The participant outlives its expiry by an hour so a sweep can still find its index entries.
      expect(participantTtl).toBeGreaterThan(3_600_000);
      expect(participantTtl).toBeLessThanOrEqual(3_660_000);
      const replayTtl = await client.pttl(`${prefix}rp:k`);
      expect(replayTtl).toBeGreaterThan(0);
      expect(replayTtl).toBeLessThanOrEqual(30_000);
      const transactionTtl = await client.pttl(`${prefix}tx:t`);
      expect(transactionTtl).toBeGreaterThan(0);
      expect(transactionTtl).toBeLessThanOrEqual(20_000);
      for (const key of await client.keys(`${prefix}*`))
        expect(await client.pttl(key), key).toBeGreaterThan(0);
    });

    it('lets Redis drop what expires, and the sweep clean index entries', async () => {
      const prefix = `${uniqueName('sweep')}:`;
      const store = createRedisStore({ client, prefix });
      await store.rememberOnce('short', 2, 1); // a time to live of 1 ms
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await client.exists(`${prefix}rp:short`)).toBe(0);
      await store.recordParticipant({
        id: 'p1',
        providerId: 'sp',
        userId: 'u',
        nameId: { value: 'n' },
        sessionIndex: 's',
        createdAt: 1_000,
        expiresAt: 2_000,
      });
      expect(await store.sweep(2_000)).toEqual({ participants: 1, replayKeys: 0, transactions: 0 });
      expect(await client.keys(`${prefix}*`)).toEqual([]);
    });

    it('writes no private key to Redis: a signing key is stored as its certificate fingerprint', async () => {
      const prefix = `${uniqueName('keys')}:`;
      const store = createRedisStore({ client, prefix, signingKeys: [keyPair('idp')] });
      await store.putProvider('sp', signedProvider('https://signed.example.com'));
      const values = await Promise.all(
        (await client.keys(`${prefix}*`)).map(async (key) =>
          (await client.type(key)) === 'hash' ? client.hgetall(key) : client.get(key),
        ),
      );
      const dump = JSON.stringify(values);
      expect(dump).toContain(keyPair('idp').fingerprintSha256);
      expect(dump).not.toMatch(/PRIVATE KEY/);
      // A node without that key cannot load the provider, and says why, rather than sign with another key.
      const otherNode = createRedisStore({ client, prefix });
      const error = await otherNode.getProvider('sp').catch((e) => e);
      expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
      expect(error.details.issues[0].path).toEqual(['signingKeys']);
      // And a store without the key refuses to store such a provider.
      const refused = await otherNode
        .putProvider('sp2', signedProvider('https://s2.example.com'))
        .catch((e) => e);
      expect(isSamlError(refused, 'SAML_CONFIG_INVALID')).toBe(true);
    });

    it('reloads its scripts after the server forgot them', async () => {
      const store = createRedisStore({ client, prefix: `${uniqueName('flush')}:` });
      expect(await store.rememberOnce('a', 10_000, 1_000)).toBe(true);
      await client.script('FLUSH');
      expect(await store.rememberOnce('a', 10_000, 1_000)).toBe(false);
      expect(await store.rememberOnce('b', 10_000, 1_000)).toBe(true);
    });

    it('refuses a client with a keyPrefix, a Cluster client, and anything that is not a client', () => {
      const prefixed = connectRedis({ keyPrefix: 'x:', lazyConnect: true });
      const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
      for (const options of [{ client: prefixed }, { client: cluster }, { client: {} }, undefined]) {
        let error: unknown;
        try {
          createRedisStore(options as never);
        } catch (e) {
          error = e;
        }
        expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
      }
    });

    it('fails with SAML_STORE_FAILED, the driver error as cause, when Redis is unreachable', async () => {
      const dead = unreachableRedis();
      const store = createRedisStore({ client: dead, prefix: 'dead:' });
      const error = await store.rememberOnce('k', 2, 1).catch((e) => e);
      expect(isSamlError(error, 'SAML_STORE_FAILED')).toBe(true);
      expect(error.cause).toBeInstanceOf(Error);
    });
  });
}
