/**
 * Entity-level signatures inside an aggregate (an EntityDescriptor carrying its own ds:Signature):
 * the aggregate's signature is what verifies them, as the bytes it covers; their own signature
 * is neither required nor trusted (docs/security.md, "Federation aggregates").
 */
import { describe, expect, it } from 'vitest';
import { importAggregate, isSamlError, namespaces, parseSpMetadata } from '../../src/index.js';
import { certificatePem } from '../support/keys.js';
import { signedAggregate, signMetadata, spEntity } from './source-support.js';

const federation = certificatePem('idp');
const withoutDeclaration = (xml: string) => xml.replace(/^<\?xml[^>]*\?>\s*/, '');
const signedBy = (entityId: string, key: string, id: string) =>
  withoutDeclaration(signMetadata(spEntity(entityId, { id }), key));

const entities = [
  signedBy('https://a.example.org/sp', 'idp', '_a'), // signed by the federation's key too
  signedBy('https://b.example.org/sp', 'evil', '_b'), // signed by a key the IdP does not trust
  spEntity('https://c.example.org/sp'),
];

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isSamlError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('entity-level signatures inside an aggregate', () => {
  it('are covered by the aggregate’s signature: each entity is read, whoever signed it', () => {
    const xml = signedAggregate(entities);
    expect(xml.match(/<ds:Signature[ >]/g)).toHaveLength(3);
    const aggregate = importAggregate(xml, { certificates: [federation] });
    expect(aggregate.problems).toEqual([]);
    expect(aggregate.entities.map((e) => [e.entityId, e.serviceProvider?.signature])).toEqual([
      ['https://a.example.org/sp', 'verified'],
      ['https://b.example.org/sp', 'verified'],
      ['https://c.example.org/sp', 'verified'],
    ]);
  });

  it('do not make a changed entity acceptable: one byte changed after signing refuses the aggregate', () => {
    const xml = signedAggregate(entities);
    const tampered = xml.replace('https://a.example.org/sp/acs', 'https://a.example.org/sp/evil');
    expect(tampered).not.toBe(xml);
    expect(refusal(() => importAggregate(tampered, { certificates: [federation] }))).toBe(
      'SAML_SIGNATURE_INVALID',
    );
  });

  it('do not stand in for the aggregate’s signature: an unsigned aggregate of signed entities is refused', () => {
    const unsigned = `<md:EntitiesDescriptor xmlns:md="${namespaces.md}" Name="https://federation.example.org">${entities[0]}${signedBy('https://d.example.org/sp', 'idp', '_d')}</md:EntitiesDescriptor>`;
    expect(refusal(() => importAggregate(unsigned, { certificates: [federation] }))).toBe(
      'SAML_SIGNATURE_MISSING',
    );
    // One entity looked up in such a document (parseSpMetadata) is verified by its own signature.
    const one = parseSpMetadata(unsigned, { trust: [federation], entityId: 'https://a.example.org/sp' });
    expect(one.signature).toBe('verified');
  });
});
