import { describe, expect, it } from 'vitest';
import { main as federation } from '../examples/federation.js';
import { main } from '../examples/logout.js';
import { main as metadataMain } from '../examples/metadata.js';
import { main as sso } from '../examples/sso.js';

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

  it('examples/federation.ts: an aggregate kept in the store beside a hand-registered SP, MDQ for the rest, a pairwise-id', async () => {
    const lines: string[] = [];
    const summary = await federation((line) => lines.push(line));

    expect(summary.registered).toBe(4); // five entities, one of them an IdP
    expect(summary.events).toEqual(['metadata_updated', 'metadata_not_modified']);
    expect(summary.conditionalGet).toBe('"v1"');
    expect(summary.handProviderKept).toBe(true);
    expect(summary.foundThroughMdq).toMatch(/member6/);
    expect(summary.mdqOwner).toBe(`mdq:${summary.foundThroughMdq}`);
    expect(summary.pairwiseId).toMatch(/^[0-9a-f]{64}@example\.org$/);
    expect(lines).toContain('aggregate: 4 SPs registered from network, 0 removed');
    expect(lines).toContain('by hand: intranet (owner: none)');
    await expect(fetch(summary.origin)).rejects.toThrow();
  });

  it('examples/sso.ts: SP-initiated and IdP-initiated SSO reach node-saml SPs, and the sessions are recorded', async () => {
    const lines: string[] = [];
    const summary = await sso((line) => lines.push(line));

    expect(summary.wiki).toEqual({
      nameID: 'alice@example.test',
      nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      email: 'alice@example.test',
      groups: ['staff', 'wiki-editors'],
    });
    // The crm gets a pairwise persistent identifier, not alice's email, and the provider's default RelayState.
    expect(summary.crm.nameIDFormat).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
    expect(summary.crm.nameID).toMatch(/^[0-9a-f]{64}$/);
    expect(summary.crm.relayState).toBe('/dashboard');
    expect(summary.participants).toEqual(['crm', 'wiki']);
    expect(lines).toContain('IdP: alice logged in');
    expect(lines).toContain('wiki: welcome alice@example.test');
    expect(lines).toContain(`crm: welcome ${summary.crm.nameID}`);
    expect(lines).toContain('IdP: alice has sessions at crm, wiki');

    for (const origin of summary.origins) {
      await expect(fetch(origin)).rejects.toThrow();
    }
  });
});
