import { describe, expect, it } from 'vitest';
import {
  attributeNameFormats,
  buildIdpMetadata,
  createSubjectIdentifiers,
  isSamlError,
  subjectIdentifierNames,
} from '../../src/index.js';
import { parseXml } from '../../src/xml/index.js';
import { keyPair } from '../support/keys.js';
import { selectElements } from '../support/xpath.js';
import { postInput, secret, ssoIdp } from './support.js';

const base = {
  scope: 'example.org',
  userId: 'u-4711',
  spEntityId: 'https://sp-a.example.com/metadata',
  secret,
};
// The value grammar of the profile (§3.3.1, §3.4.1), as consumers check it.
const profileValue = /^[a-z0-9][a-z0-9=-]{0,126}@[a-z0-9][a-z0-9.-]{0,126}$/;

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (isSamlError(error, 'SAML_INPUT_INVALID'))
      return (error.details as { issues: { path: string[] }[] }).issues.map((issue) => issue.path.join('.'));
    throw error;
  }
  return [];
}

describe('createSubjectIdentifiers (SAML V2.0 Subject Identifier Attributes Profile)', () => {
  it('pairwise-id: NameFormat uri, one lower-case value per SP, stable, unlinkable without the secret', () => {
    const [attribute, ...rest] = createSubjectIdentifiers({ ...base, requirement: 'pairwise-id' });
    expect(rest).toEqual([]);
    expect(attribute).toMatchObject({
      name: 'urn:oasis:names:tc:SAML:attribute:pairwise-id',
      nameFormat: attributeNameFormats.uri,
      friendlyName: 'pairwise-id',
    });
    const value = (attribute!.values as string[])[0]!;
    expect(value).toMatch(/^[0-9a-f]{64}@example\.org$/);
    expect(value).toMatch(profileValue);
    const again = createSubjectIdentifiers({ ...base, requirement: 'pairwise-id' })[0]!.values;
    expect(again).toEqual([value]);
    const otherSp = createSubjectIdentifiers({ ...base, spEntityId: 'https://sp-b.example.com' })[0]!.values;
    expect(otherSp).not.toEqual([value]);
    const otherSecret = createSubjectIdentifiers({ ...base, secret: `${secret}!` })[0]!.values;
    expect(otherSecret).not.toEqual([value]);
    expect(value).not.toContain(base.userId);
  });

  it('subject-id: the user identifier with the scope, lower-cased; one outside the grammar must be given', () => {
    expect(createSubjectIdentifiers({ ...base, scope: 'Example.ORG', requirement: 'subject-id' })).toEqual([
      {
        name: subjectIdentifierNames.subjectId,
        friendlyName: 'subject-id',
        nameFormat: attributeNameFormats.uri,
        values: ['u-4711@example.org'],
      },
    ]);
    expect(
      issuesOf(() => createSubjectIdentifiers({ ...base, userId: 'alice@x', requirement: 'subject-id' })),
    ).toEqual(['userId']);
    expect(
      createSubjectIdentifiers({
        ...base,
        userId: 'alice@x',
        subjectId: 'A1B2=',
        requirement: 'subject-id',
      })[0]!.values,
    ).toEqual(['a1b2=@example.org']);
    // 127 characters at most, first one alphanumeric.
    expect(
      issuesOf(() =>
        createSubjectIdentifiers({ ...base, subjectId: 'a'.repeat(128), requirement: 'subject-id' }),
      ),
    ).toEqual(['subjectId']);
    expect(
      issuesOf(() => createSubjectIdentifiers({ ...base, subjectId: '-a', requirement: 'subject-id' })),
    ).toEqual(['subjectId']);
    expect(
      createSubjectIdentifiers({ ...base, subjectId: 'a'.repeat(127), requirement: 'subject-id' }),
    ).toHaveLength(1);
  });

  it("honours the SP's subject-id:req: any releases pairwise-id, none releases nothing", () => {
    expect(subjectIdentifierNames.requirement).toBe('urn:oasis:names:tc:SAML:profiles:subject-id:req');
    expect(createSubjectIdentifiers({ ...base, requirement: 'none' })).toEqual([]);
    expect(createSubjectIdentifiers({ ...base, requirement: 'any' })[0]!.name).toBe(
      subjectIdentifierNames.pairwiseId,
    );
    expect(createSubjectIdentifiers(base)[0]!.name).toBe(subjectIdentifierNames.pairwiseId);
  });

  it('refuses a scope outside the grammar, a short secret and missing parts, listing each', () => {
    expect(
      issuesOf(() =>
        createSubjectIdentifiers({
          scope: 'example.org/x',
          userId: '',
          spEntityId: '',
          secret: 'short',
          requirement: 'everything' as never,
        }),
      ),
    ).toEqual(['requirement', 'scope', 'userId', 'spEntityId', 'secret']);
    expect(issuesOf(() => createSubjectIdentifiers({ ...base, scope: '.example.org' }))).toEqual(['scope']);
    expect(() => createSubjectIdentifiers(undefined as never)).toThrow(TypeError);
  });

  it("the scope is the one the IdP metadata publishes as shibmd:Scope, as Shibboleth's scope filter requires", () => {
    const { xml } = buildIdpMetadata({
      entityId: 'https://idp.example.org/idp',
      endpoints: {
        sloRedirect: 'https://idp.example.org/slo',
        sloPost: 'https://idp.example.org/slo',
        ssoRedirect: 'https://idp.example.org/sso',
      } as never,
      signingCertificates: [keyPair('idp')],
      scopes: ['example.org'],
    });
    const root = parseXml(xml).root;
    const scopes = selectElements(
      root,
      '//*[local-name()="IDPSSODescriptor"]/*[local-name()="Extensions"]/*[local-name()="Scope"]',
    ).map((node) => ({ value: node.textContent, regexp: node.getAttribute('regexp') }));
    expect(scopes).toEqual([{ value: 'example.org', regexp: 'false' }]);
    for (const requirement of ['subject-id', 'pairwise-id'] as const) {
      const value = (createSubjectIdentifiers({ ...base, requirement })[0]!.values as string[])[0]!;
      // Shibboleth SP's ScopingAttributeDecoder splits at the last '@' and compares with the Scope literally.
      expect(value.slice(value.lastIndexOf('@') + 1)).toBe(scopes[0]!.value);
    }
  });

  it('rides in the assertion the facade issues', async () => {
    const { idp } = await ssoIdp();
    const received = await idp.receiveAuthnRequest(postInput());
    if (!received.ok) throw new Error(received.error.code);
    const attributes = createSubjectIdentifiers({
      ...base,
      spEntityId: received.pending.request.issuer!.value,
    });
    const reply = await idp.completeAuthnRequest(received.pending, { user: { id: base.userId, attributes } });
    const xml = Buffer.from(reply.form.fields.SAMLResponse!, 'base64').toString('utf8');
    const value = (attributes[0]!.values as string[])[0]!;
    expect(xml).toContain(
      `<saml:Attribute Name="urn:oasis:names:tc:SAML:attribute:pairwise-id" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" FriendlyName="pairwise-id"><saml:AttributeValue`,
    );
    expect(xml).toContain(`>${value}</saml:AttributeValue>`);
  });
});
