import { describe, expect, it } from 'vitest';
import { deliveryJobId } from '../../src/queue/queue-options.js';

describe('deliveryJobId', () => {
  it('regression: ids containing dots never share a job id (BullMQ would drop one as a duplicate)', () => {
    expect(deliveryJobId('_a.b', 'c')).not.toBe(deliveryJobId('_a', 'b.c'));
    const pairs = [
      ['_a', 'b'],
      ['_a.b', 'c'],
      ['_a', 'b.c'],
      ['_a%2E', 'b'],
      ['_a:b', 'c'],
      ['_a', ':b.c'],
    ] as const;
    const ids = pairs.map(([logout, participant]) => deliveryJobId(logout, participant));
    expect(new Set(ids).size).toBe(pairs.length);
  });

  it('writes no colon, which BullMQ refuses in job ids', () => {
    expect(deliveryJobId('_a:b', 'urn:x:y')).not.toContain(':');
  });
});
