/**
 * subject-id:req from metadata and the automatic release (sso.subjectIdentifiers): only the
 * EntityDescriptor's own EntityAttributes count, only XML white space is trimmed from the value,
 * and a provider that asked for nothing gets nothing, whatever shape its record has.
 */
import { describe, expect, it } from 'vitest';
import {
  importAggregate,
  namespaces,
  type Provider,
  parseProvider,
  parseSpMetadata,
  subjectIdentifierNames,
} from '../../src/index.js';
import type { SsoOptions } from '../../src/sso/sso-options.js';
import { addSubjectIdentifiers } from '../../src/sso/subject-identifier.js';
import { childElements, parseXml } from '../../src/xml/index.js';
import { signMetadata, spEntity } from '../federation/source-support.js';
import { secret, ssoIdp } from '../sso/support.js';
import { certificatePem } from '../support/keys.js';

const federation = certificatePem('idp');
const requirementName = subjectIdentifierNames.requirement;
const mdattr = 'urn:oasis:names:tc:SAML:metadata:attribute';

const requirementOf = (values: string[]) =>
  parseSpMetadata(
    signMetadata(
      spEntity('https://sp.example.edu/shibboleth', {
        id: '_sp',
        entityAttributes: { [requirementName]: values },
      }),
    ),
    { trust: [federation] },
  ).subjectIdRequirement;

const sso = { secret, subjectIdentifiers: { scope: 'example.org' } } as unknown as SsoOptions;

describe('subject-id:req values', () => {
  it('XML white space around a value is trimmed; other Unicode spaces make it another value', () => {
    expect(requirementOf([' \t\nsubject-id\r\n '])).toBe('subject-id');
    // NO-BREAK SPACE, BOM, EM SPACE, IDEOGRAPHIC SPACE: not XML white space, so not the value
    // 'subject-id' a federation's exact-match filter would have looked for (or removed).
    for (const space of ['\u00a0', '\ufeff', '\u2003', '\u3000'])
      expect(requirementOf([`subject-id${space}`]), JSON.stringify(space)).toBeUndefined();
    expect(requirementOf(['__proto__', 'constructor', 'toString'])).toBeUndefined();
  });

  it('an aggregate’s own EntityAttributes give no entity a requirement', () => {
    const entity = spEntity('https://sp.example.edu/shibboleth', { id: '_sp' });
    const aggregate =
      `<md:EntitiesDescriptor xmlns:md="${namespaces.md}" xmlns:ds="${namespaces.ds}" ID="_agg" Name="https://federation.example.org">` +
      `<md:Extensions><mdattr:EntityAttributes xmlns:mdattr="${mdattr}">` +
      `<saml:Attribute xmlns:saml="${namespaces.saml}" Name="${requirementName}"><saml:AttributeValue>subject-id</saml:AttributeValue></saml:Attribute>` +
      `</mdattr:EntityAttributes></md:Extensions>${entity}</md:EntitiesDescriptor>`;
    const imported = importAggregate(signMetadata(aggregate), { certificates: [federation] });
    expect(imported.problems).toEqual([]);
    const [only] = imported.entities;
    expect(only?.serviceProvider?.entityId).toBe('https://sp.example.edu/shibboleth');
    expect(only?.serviceProvider?.subjectIdRequirement).toBeUndefined();
    expect(parseProvider(only!.serviceProvider!.provider).subjectIdRequirement).toBeNull();
  });
});

describe('the automatic release', () => {
  const provider = (requirement: unknown): Provider => {
    const parsed = parseProvider(
      parseSpMetadata(signMetadata(spEntity('https://sp.example.edu/shibboleth', { id: '_sp' })), {
        trust: [federation],
      }).provider,
    );
    return { ...parsed, subjectIdRequirement: requirement } as Provider;
  };
  const released = (requirement: unknown) =>
    (addSubjectIdentifiers(sso, provider(requirement), { id: 'u-4711' }) ?? []).map((a) => a.name);

  it('pairwise-id and any release pairwise-id only; subject-id only subject-id', () => {
    expect(released('pairwise-id')).toEqual([subjectIdentifierNames.pairwiseId]);
    expect(released('any')).toEqual([subjectIdentifierNames.pairwiseId]);
    expect(released('subject-id')).toEqual([subjectIdentifierNames.subjectId]);
  });

  it('a provider that asked for nothing gets nothing, null or a record without the field', () => {
    expect(released(null)).toEqual([]);
    expect(released('none')).toEqual([]);
    expect(released(undefined)).toEqual([]);
  });
});

describe('IdP-initiated SSO releases what the SP asks for, as an answered AuthnRequest does', () => {
  async function initiate(values: string[]) {
    const entityId = 'https://sp.example.edu/shibboleth';
    const sp = parseSpMetadata(
      signMetadata(spEntity(entityId, { id: '_sp', entityAttributes: { [requirementName]: values } })),
      { trust: [federation] },
    );
    const { idp } = await ssoIdp(
      { sso: { secret, subjectIdentifiers: { scope: 'example.org' } }, clock: () => new Date() },
      parseProvider({ ...sp.provider, signResponse: false }),
    );
    const reply = await idp.initiateSso('sp-a', { id: 'u-4711' });
    const root = parseXml(Buffer.from(reply.form!.fields.SAMLResponse!, 'base64').toString('utf8')).root;
    const named = (parent: typeof root, name: string) =>
      childElements(parent).filter((e) => e.localName === name);
    const statement = named(named(root, 'Assertion')[0]!, 'AttributeStatement')[0];
    return statement === undefined ? [] : named(statement, 'Attribute').map((a) => a.getAttribute('Name'));
  }

  it('pairwise-id, subject-id, and nothing for none or no requirement', async () => {
    expect(await initiate(['pairwise-id'])).toEqual([subjectIdentifierNames.pairwiseId]);
    expect(await initiate(['subject-id'])).toEqual([subjectIdentifierNames.subjectId]);
    expect(await initiate(['none'])).toEqual([]);
    expect(await initiate([])).toEqual([]);
  });
});
