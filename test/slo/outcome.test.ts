import { describe, expect, it } from 'vitest';
import { aggregateStatus, type ParticipantOutcome } from '../../src/slo/outcome.js';

const outcome = (value: ParticipantOutcome['outcome'], providerId: string = value): ParticipantOutcome => ({
  participantId: `p-${providerId}`,
  providerId,
  entityId: `https://${providerId}.example.com`,
  method: 'backchannel',
  outcome: value,
});

describe('aggregateStatus', () => {
  it('is Success with no participants at all', () => {
    expect(aggregateStatus([])).toBe('Success');
  });

  it('is Success when every participant logged out, was delegated to an iframe, or had nothing to send to', () => {
    expect(aggregateStatus([outcome('logged_out'), outcome('delegated'), outcome('skipped')])).toBe(
      'Success',
    );
  });

  it('is PartialLogout as soon as one participant failed', () => {
    expect(aggregateStatus([outcome('logged_out'), outcome('failed'), outcome('delegated')])).toBe(
      'PartialLogout',
    );
    expect(aggregateStatus([outcome('failed')])).toBe('PartialLogout');
  });

  it('is PartialLogout while a hop is still pending', () => {
    expect(aggregateStatus([outcome('logged_out'), outcome('pending')])).toBe('PartialLogout');
  });

  it('does not depend on order', () => {
    const list = [outcome('failed', 'a'), outcome('logged_out', 'b'), outcome('skipped', 'c')];
    expect(aggregateStatus(list)).toBe(aggregateStatus([...list].reverse()));
  });
});
