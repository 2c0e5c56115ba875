/**
 * Strings an import returns are copies: keeping them must not keep the aggregate's text alive.
 * V8 represents a long substring as a view of its parent, so a 50-character entityID cut from a
 * 7 MB document would otherwise hold all 7 MB.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { generateAggregate } from '../../scripts/federation-aggregate.mjs';
import { importAggregate } from '../../src/index.js';
import { certificatePem, privateKeyPem } from '../support/keys.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function heapAfterCollection(): number {
  for (let i = 0; i < 3; i++) collect();
  return process.memoryUsage().heapUsed;
}

/** Imports a fresh 1,000-entity aggregate and returns only what `keep` picks from the result. */
function importAndKeep<T>(keep: (result: ReturnType<typeof importAggregate>) => T): {
  kept: T;
  bytes: number;
} {
  const { xml } = generateAggregate({
    entities: 1000,
    privateKeyPem: privateKeyPem('idp'),
    certificatePem: certificatePem('idp'),
    spCertificates: [certificatePem('sp-a'), certificatePem('sp-b')],
    badEntities: [10, 20, 30],
  });
  const result = importAggregate(xml, { certificates: [certificatePem('idp')] });
  expect(result.entities).toHaveLength(997);
  return { kept: keep(result), bytes: xml.length };
}

describe('importAggregate memory', () => {
  it('returns entityIDs, endpoints and problems that do not keep the document alive', () => {
    // A first import compiles and caches what any import needs; only the second one is measured.
    importAndKeep(() => undefined);
    const before = heapAfterCollection();
    const { kept, bytes } = importAndKeep((result) => [
      ...result.entities.map((entity) => entity.entityId),
      ...result.entities.map((entity) => entity.serviceProvider?.provider.acsUrl ?? ''),
      ...result.entities.map((entity) => entity.entityCategories[0] ?? ''),
      ...result.problems.map((problem) => problem.message),
    ]);
    const retained = heapAfterCollection() - before;
    expect(kept.length).toBeGreaterThan(2000);
    // About 2,000 strings of 50–70 characters: well under 1 MB; views would keep the 6.7 MB document.
    expect(bytes).toBeGreaterThan(6_000_000);
    expect(retained).toBeLessThan(1_000_000);
  });
});
