import { describe, expect, it } from 'vitest';
import { main } from '../examples/logout.js';
import { main as metadataMain } from '../examples/metadata.js';

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

  it('examples/metadata.ts: publishes signed IdP metadata, imports SP metadata into a provider, stops its servers', async () => {
    const lines: string[] = [];
    const summary = await metadataMain((line) => lines.push(line));

    expect(summary.idpMetadataId).toMatch(/^_[0-9a-f]{32}$/);
    expect(summary.refusedWithoutTrust).toBe('SAML_INPUT_INVALID');
    expect(summary.spEntityId).toBe(`${summary.origins[1]}/saml/metadata`);
    expect(summary.acs).toEqual([
      { url: `${summary.origins[1]}/saml/acs`, index: 0, isDefault: true },
      { url: `${summary.origins[1]}/saml/acs/mobile`, index: 1, isDefault: false },
    ]);
    expect(summary.encrypts).toBe(true);
    expect(lines).toContain('without trust or requireSignature: false -> SAML_INPUT_INVALID');
    expect(lines).toContain('assertions for this SP are encrypted');

    for (const origin of summary.origins) {
      await expect(fetch(origin)).rejects.toThrow();
    }
  });
});
