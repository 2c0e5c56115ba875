/**
 * importAggregate on generated aggregates (scripts/federation-aggregate.mjs): every entity
 * returned, the registration filter, per-entity problems, and the whole aggregate refused for a
 * signature that does not verify, a changed byte anywhere, a wrong key, an expired validUntil or
 * a size over the limits.
 */
import { describe, expect, it } from 'vitest';
import { categories, generateAggregate } from '../../scripts/federation-aggregate.mjs';
import { bindingUris, type ImportAggregateOptions, importAggregate } from '../../src/index.js';
import { xmlsecVerifyMetadata } from '../metadata/support.js';
import { expectCode as expectSamlError } from '../support/errors.js';
import { expectLinear } from '../support/growth.js';
import { certificatePem, privateKeyPem } from '../support/keys.js';
import { hasXmlsec1 } from '../support/xmlsec.js';
import { hasXmllint, schemaErrors, schemas } from '../support/xsd.js';

const now = new Date('2026-06-01T00:00:00Z');
const federation = certificatePem('idp');
const generate = (entities: number, extra: Partial<Parameters<typeof generateAggregate>[0]> = {}) =>
  generateAggregate({
    entities,
    privateKeyPem: privateKeyPem('idp'),
    certificatePem: federation,
    spCertificates: [certificatePem('sp-a'), certificatePem('sp-b')],
    validUntil: new Date('2026-06-15T00:00:00Z'),
    identityProviderEvery: 5,
    ...extra,
  });
const options = (extra: Partial<ImportAggregateOptions> = {}): ImportAggregateOptions => ({
  certificates: [federation],
  now,
  ...extra,
});

const aggregate = generate(20, { nested: 4 });

describe('importAggregate', () => {
  it('returns every entity of a signed aggregate, SPs and IdPs, with their registration', () => {
    const result = importAggregate(aggregate.xml, options());
    expect(result.problems).toEqual([]);
    expect(result.entityCount).toBe(20);
    expect(result.entities.map((e) => e.entityId)).toEqual(aggregate.entityIds);
    expect(result.validUntil).toEqual(new Date('2026-06-15T00:00:00Z'));
    expect(result.cacheDuration).toBe('PT6H');
    expect(result.cacheDurationMs).toBe(6 * 3_600_000);
    expect(result.name).toBe('urn:example:federation');
    expect(result.signedBy.certificatePem).toBe(
      importAggregate(aggregate.xml, options()).signedBy.certificatePem,
    );

    const sp = result.entities[0]!;
    expect(sp.entityId).toBe('https://sp00000.member0.example.edu/shibboleth');
    expect(sp.entityCategories).toEqual([categories.researchAndScholarship, categories.codeOfConduct]);
    expect(sp.registrationAuthority).toBe('https://federation.example.org');
    expect(sp.identityProvider).toBeUndefined();
    const metadata = sp.serviceProvider!;
    expect(metadata.signature).toBe('verified');
    expect(metadata.provider.acsUrl).toBe('https://sp00000.member0.example.edu/Shibboleth.sso/SAML2/POST');
    expect(metadata.assertionConsumerServices).toHaveLength(4);
    expect(metadata.singleLogoutServices.map((e) => e.binding)).toEqual([
      bindingUris.soap,
      bindingUris.redirect,
      bindingUris.post,
    ]);
    expect(metadata.signingCertificates).toHaveLength(1);
    expect(metadata.encryptionCertificates).toHaveLength(1);
    expect(metadata.wantAssertionsSigned).toBe(true);

    const idp = result.entities[4]!;
    expect(idp.entityId).toBe('https://idp00004.member4.example.edu/idp/shibboleth');
    expect(aggregate.identityProviderIds).toContain(idp.entityId);
    expect(idp.serviceProvider).toBeUndefined();
    expect(idp.identityProvider!.ssoServices.map((e) => e.binding)).toEqual([
      bindingUris.redirect,
      bindingUris.post,
    ]);
    expect(idp.identityProvider!.sloServices).toHaveLength(1);
    expect(idp.identityProvider!.certificates).toHaveLength(1);

    // The nested group's own registration authority applies to entities that name none… but
    // every generated entity names its own, which wins.
    expect(result.entities[19]!.registrationAuthority).toBe('https://other-federation.example.net');
  });

  it('verifies an aggregate whose namespaces are all declared on the root, as most federations write them', () => {
    // Exclusive C14N renders a declaration where a prefix is used, wherever the document declared
    // it: moving every declaration to the root changes the text, not the signed bytes.
    const declarations = new Map<string, string>();
    const [rootStart] = /<md:EntitiesDescriptor [^>]*>/.exec(aggregate.xml)!;
    const body = aggregate.xml.slice(aggregate.xml.indexOf(rootStart) + rootStart.length);
    const moved = body.replace(/ xmlns:([a-z]+)="([^"]*)"/g, (_match, prefix: string, uri: string) => {
      declarations.set(prefix, uri);
      return '';
    });
    const extra = [...declarations].map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`).join('');
    expect(declarations.has('ds') && declarations.has('mdui') && declarations.has('saml')).toBe(true);
    const wire = `${aggregate.xml.slice(0, aggregate.xml.indexOf(rootStart))}${rootStart.replace('>', `${extra}>`)}${moved}`;
    expect(wire).not.toContain('<ds:KeyInfo xmlns:ds');
    const result = importAggregate(wire, options());
    expect(result.problems).toEqual([]);
    expect(result.entities.map((e) => e.entityId)).toEqual(aggregate.entityIds);
    if (hasXmlsec1()) expect(xmlsecVerifyMetadata(wire, federation).ok).toBe(true);
  });

  it('takes the aggregate as bytes too', () => {
    const result = importAggregate(Buffer.from(aggregate.xml, 'utf8'), options());
    expect(result.entities).toHaveLength(20);
  });

  it('filters by entityID, entity category and registration authority', () => {
    const byId = importAggregate(
      aggregate.xml,
      options({ filter: { entityIds: [aggregate.entityIds[3]!, 'https://unknown.example/'] } }),
    );
    expect(byId.entities.map((e) => e.entityId)).toEqual([aggregate.entityIds[3]]);
    expect(byId.entityCount).toBe(20);

    const byCategory = importAggregate(
      aggregate.xml,
      options({ filter: { entityCategories: [categories.researchAndScholarship] } }),
    );
    // IdPs (every fifth entity) carry no entity category.
    expect(byCategory.entities.map((e) => e.entityId)).toEqual(
      aggregate.entityIds.filter((_, i) => i % 4 === 0 && i % 5 !== 4),
    );

    const byAuthority = importAggregate(
      aggregate.xml,
      options({ filter: { registrationAuthorities: ['https://federation.example.org'] } }),
    );
    expect(byAuthority.entities.map((e) => e.entityId)).toEqual(
      aggregate.entityIds.filter((_, i) => i % 3 === 0),
    );

    const both = importAggregate(
      aggregate.xml,
      options({
        filter: {
          entityCategories: [categories.researchAndScholarship],
          registrationAuthorities: ['https://federation.example.org'],
        },
      }),
    );
    expect(both.entities.map((e) => e.entityId)).toEqual(
      aggregate.entityIds.filter((_, i) => i % 12 === 0 && i % 5 !== 4),
    );
    expect(importAggregate(aggregate.xml, options({ filter: { entityIds: [] } })).entities).toEqual([]);
  });

  it('reports an entity it cannot read and returns the others', () => {
    const withBad = generate(12, { badEntities: [2, 7] });
    const result = importAggregate(withBad.xml, options());
    expect(result.entities.map((e) => e.entityId)).toEqual(
      withBad.entityIds.filter((_, i) => i !== 2 && i !== 7),
    );
    expect(result.problems).toEqual([
      { entityId: withBad.entityIds[2], code: 'SAML_METADATA_INVALID', message: expect.any(String) },
      { entityId: withBad.entityIds[7], code: 'SAML_METADATA_INVALID', message: expect.any(String) },
    ]);
  });

  it('reports an entity whose certificate holds a key OpenSSL refuses, and returns the others', () => {
    // A certificate that parses, with a damaged key: OpenSSL refuses it only when the key is read.
    const der = Buffer.from(certificatePem('sp-b').replace(/-----[^-]+-----|\s+/g, ''), 'base64');
    const damaged = Buffer.from(der);
    damaged[152] = 0;
    const body = damaged.subarray(0, 799).toString('base64');
    const text = `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    const withBad = generate(6, { spCertificates: [certificatePem('sp-a'), text] });
    const result = importAggregate(withBad.xml, options());
    expect(result.problems.length).toBeGreaterThan(0);
    for (const problem of result.problems) expect(problem.code).toBe('SAML_KEY_INVALID');
    expect(result.entities.length + result.problems.length).toBe(6);
  });

  it('reports entities of an expired nested group, and keeps the rest', () => {
    const expiredGroup = generate(10, { nested: 3, nestedValidUntil: new Date('2026-05-01T00:00:00Z') });
    const result = importAggregate(expiredGroup.xml, options());
    expect(result.entities).toHaveLength(7);
    expect(result.problems.map((p) => [p.entityId, p.code])).toEqual(
      expiredGroup.entityIds.slice(7).map((id) => [id, 'SAML_METADATA_EXPIRED']),
    );
  });

  describe('refuses the whole aggregate', () => {
    const sp = aggregate.entityIds[1]!;
    const host = new URL(sp).host;
    it.each([
      [
        'one ACS location changed',
        (xml: string) =>
          xml.replace(`https://${host}/Shibboleth.sso/SAML2/POST"`, `https://evil.example/SAML2/POST"`),
      ],
      [
        'one character of one entity certificate changed',
        (xml: string) => {
          const at = xml.indexOf('<ds:X509Certificate>', xml.indexOf(sp)) + 60;
          return `${xml.slice(0, at)}${xml[at] === 'A' ? 'B' : 'A'}${xml.slice(at + 1)}`;
        },
      ],
      ['an entity removed', (xml: string) => xml.replace(sp, 'https://other.example/shibboleth')],
      [
        'the signature value changed',
        (xml: string) =>
          xml.replace(/<ds:SignatureValue>(.)/, (_m, c) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`),
      ],
      ['the root validUntil extended', (xml: string) => xml.replace('2026-06-15T', '2027-06-15T')],
    ])('%s', (_name, tamper) => {
      const tampered = tamper(aggregate.xml);
      expect(tampered).not.toBe(aggregate.xml);
      expectSamlError(() => importAggregate(tampered, options()), 'SAML_SIGNATURE_INVALID');
    });

    it('signed with a key other than the federation’s', () => {
      const evil = generate(3, {
        privateKeyPem: privateKeyPem('evil'),
        certificatePem: certificatePem('evil'),
      });
      expectSamlError(() => importAggregate(evil.xml, options()), 'SAML_SIGNATURE_INVALID');
      // …even when the caller also trusts an unrelated certificate.
      expectSamlError(
        () => importAggregate(evil.xml, options({ certificates: [federation, certificatePem('sp-a')] })),
        'SAML_SIGNATURE_INVALID',
      );
    });

    it('unsigned', () => {
      const unsigned = aggregate.xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '');
      expectSamlError(() => importAggregate(unsigned, options()), 'SAML_SIGNATURE_MISSING');
    });

    it('past its validUntil', () => {
      expectSamlError(
        () => importAggregate(aggregate.xml, options({ now: new Date('2026-06-15T00:00:00Z') })),
        'SAML_METADATA_EXPIRED',
      );
    });

    it('over its limits', () => {
      expectSamlError(
        () => importAggregate(aggregate.xml, options({ limits: { maxBytes: 100_000 } })),
        'SAML_XML_LIMIT_EXCEEDED',
      );
      expectSamlError(
        () => importAggregate(Buffer.from(aggregate.xml), options({ limits: { maxBytes: 100_000 } })),
        'SAML_XML_LIMIT_EXCEEDED',
      );
      expectSamlError(
        () => importAggregate(aggregate.xml, options({ limits: { maxEntities: 19 } })),
        'SAML_XML_LIMIT_EXCEEDED',
      );
      expectSamlError(
        () => importAggregate(aggregate.xml, options({ limits: { maxElementsPerEntity: 20 } })),
        'SAML_XML_LIMIT_EXCEEDED',
      );
      expect(importAggregate(aggregate.xml, options({ limits: { maxEntities: 20 } })).entities).toHaveLength(
        20,
      );
    });

    it('not an EntitiesDescriptor, or not XML', () => {
      expectSamlError(() => importAggregate('<a/>', options()), 'SAML_METADATA_INVALID');
      expectSamlError(() => importAggregate('<a>', options()), 'SAML_XML_MALFORMED');
      expectSamlError(
        () => importAggregate(new Uint8Array([0x3c, 0xff, 0x3e]), options()),
        'SAML_XML_MALFORMED',
      );
    });
  });

  it('refuses bad options as input errors', () => {
    expectSamlError(() => importAggregate(aggregate.xml, { certificates: [] }), 'SAML_INPUT_INVALID');
    expectSamlError(
      () => importAggregate(aggregate.xml, options({ filter: { entityIds: 'x' as never } })),
      'SAML_INPUT_INVALID',
    );
    expectSamlError(
      () => importAggregate(aggregate.xml, options({ limits: { maxBytes: 0 } })),
      'SAML_INPUT_INVALID',
    );
    expectSamlError(
      () => importAggregate(aggregate.xml, { ...options(), clock: () => now } as never),
      'SAML_INPUT_INVALID',
    );
  });

  it('grows linearly with the number of entities', async () => {
    const sizes = new Map<number, string>();
    const make = (n: number) => {
      if (!sizes.has(n)) sizes.set(n, generate(n).xml);
      const xml = sizes.get(n)!;
      return () => importAggregate(xml, options());
    };
    await expectLinear(make, 25, { maxRatio: 6, repetitions: 3 });
  });
});

describe.skipIf(!hasXmlsec1())('the generated aggregate and xmlsec1', () => {
  it('verifies with the federation certificate and not with another', () => {
    expect(xmlsecVerifyMetadata(aggregate.xml, federation).ok).toBe(true);
    expect(xmlsecVerifyMetadata(aggregate.xml, certificatePem('evil')).ok).toBe(false);
  });
});

describe.skipIf(!hasXmllint())('the generated aggregate and the metadata schema', () => {
  it('validates', () => {
    expect(schemaErrors(schemas.metadataWithExtensions, { aggregate: aggregate.xml })).toEqual({
      aggregate: [],
    });
  });
});
