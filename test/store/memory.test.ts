import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/index.js';
import { runOwnedProviderConformance } from '../support/owned-provider-conformance.js';
import { runStoreConformance } from '../support/store-conformance.js';

runStoreConformance('memory', () => createMemoryStore());

describe('memory store housekeeping', () => {
  it('regression: expired participants, logout transactions and replay keys are freed, not kept forever', async () => {
    const store = createMemoryStore();
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 50; i++) {
      await store.recordParticipant({
        id: `p${i}`,
        providerId: 'sp',
        userId: `user${i}`,
        nameId: { value: `user${i}` },
        sessionIndex: `_s${i}`,
        createdAt: t0,
        expiresAt: t0 + 1_000,
      });
      await store.createTransaction({ id: `t${i}`, version: 0, expiresAt: t0 + 1_000, state: {} }, t0);
      await store.rememberOnce(`r${i}`, t0 + 1_000, t0);
    }
    // A live one of each stays.
    await store.recordParticipant({
      id: 'live',
      providerId: 'sp',
      userId: 'alice',
      nameId: { value: 'alice' },
      sessionIndex: '_live',
      createdAt: t0,
      expiresAt: t0 + 10 * 60_000,
    });
    expect(await store.sweep(t0 + 5_000)).toEqual({ participants: 50, replayKeys: 50, transactions: 50 });
    expect(await store.sweep(t0 + 5_000)).toEqual({ participants: 0, replayKeys: 0, transactions: 0 });
    expect((await store.listParticipantsByUser('alice', t0 + 5_000)).map((p) => p.id)).toEqual(['live']);
  });

  it('sweeps by itself at most once a minute of the caller clock', async () => {
    const store = createMemoryStore();
    const t0 = Date.UTC(2026, 0, 1);
    await store.createTransaction({ id: 'old', version: 0, expiresAt: t0 + 1_000, state: {} }, t0);
    // The next write two minutes later triggers the automatic sweep, so nothing is left to sweep.
    await store.createTransaction(
      { id: 'new', version: 0, expiresAt: t0 + 600_000, state: {} },
      t0 + 120_000,
    );
    expect((await store.sweep(t0 + 120_000)).transactions).toBe(0);
    expect(await store.getTransaction('new', t0 + 120_000)).toBeDefined();
  });
});

runOwnedProviderConformance('memory', () => createMemoryStore());
