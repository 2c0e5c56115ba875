import { describe, expect, it } from 'vitest';
import { main } from '../examples/logout.js';

describe('examples', () => {
  it('examples/logout.ts: an SP-initiated logout reaches every SP and stops its servers', async () => {
    const lines: string[] = [];
    const summary = await main((line) => lines.push(line));

    expect(summary.status).toBe('Success');
    expect(summary.participants.map((p) => [p.providerId, p.outcome]).sort()).toEqual([
      ['chat', 'logged_out'],
      ['crm', 'logged_out'],
    ]);
    expect(summary.wikiSaw.status).toBe('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect(summary.wikiSaw.inResponseTo).toBe(summary.requestId);
    expect(lines).toContain('crm: ending the session of alice@crm');
    expect(lines).toContain('chat: ending the session of alice@chat');
    expect(lines).toContain('sessions left for alice: 0');
    expect(lines.filter((l) => l.startsWith('event: '))).toEqual([
      'event: logout_request_received',
      'event: participant_logged_out',
      'event: participant_logged_out',
      'event: logout_completed',
    ]);

    // Every server it started is closed again.
    for (const origin of summary.origins) {
      await expect(fetch(origin)).rejects.toThrow();
    }
  });
});
