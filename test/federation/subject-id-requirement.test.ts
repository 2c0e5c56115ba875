/**
 * The SP's `urn:oasis:names:tc:SAML:profiles:subject-id:req` entity attribute (SAML V2.0 Subject
 * Identifier Attributes Profile), read from its metadata (parseSpMetadata, importAggregate, MDQ)
 * and honoured by the facade: with `sso.subjectIdentifiers` set, the Response carries the
 * `subject-id` or `pairwise-id` the SP asked for, without per-SP wiring.
 */
import { describe, expect, it } from 'vitest';
import {
  type AttributeInput,
  createIdentityProvider,
  createMdqClient,
  createMemoryStore,
  createSubjectIdentifiers,
  type IdentityProviderOptions,
  importAggregate,
  isSamlError,
  namespaces,
  parseProvider,
  parseSpMetadata,
  type SubjectIdRequirement,
  subjectIdentifierNames,
  withMetadataQuery,
} from '../../src/index.js';
import { childElements, parseXml } from '../../src/xml/index.js';
import { idpEntityId, idpSsoPost, postInput, secret, spAcsUrl, spEntityId, ssoIdp } from '../sso/support.js';
import { certificatePem, keyPair } from '../support/keys.js';
import { hasXmllint, schemaErrors, schemas } from '../support/xsd.js';
import {
  loopbackHttp,
  signedAggregate,
  signMetadata,
  spEntity,
  startMetadataServer,
} from './source-support.js';

const federation = certificatePem('idp');
const requirementName = 'urn:oasis:names:tc:SAML:profiles:subject-id:req';
const base64Of = (name: string) => certificatePem(name).replace(/-----[^-]+-----|\s/g, '');

/**
 * An SP as a national federation publishes it (a Shibboleth SP registered with REFEDS R&S and
 * asking for pairwise-id): registration info, entity categories and subject-id:req in one
 * mdattr:EntityAttributes, mdui in the role's Extensions, the SP's usual endpoints.
 */
function federatedSp(entityId: string, requirementValues: string[], id = '_sp'): string {
  const values = requirementValues
    .map((v) => `<saml:AttributeValue>${v}</saml:AttributeValue>`)
    .join('\n        ');
  const requirement =
    requirementValues.length === 0
      ? ''
      : `
      <saml:Attribute Name="${requirementName}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">
        ${values}
      </saml:Attribute>`;
  return `<md:EntityDescriptor xmlns:md="${namespaces.md}" xmlns:ds="${namespaces.ds}" xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute" xmlns:mdrpi="urn:oasis:names:tc:SAML:metadata:rpi" xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" xmlns:saml="${namespaces.saml}" ID="${id}" entityID="${entityId}">
  <md:Extensions>
    <mdrpi:RegistrationInfo registrationAuthority="http://www.swamid.se/" registrationInstant="2021-05-12T08:02:39Z">
      <mdrpi:RegistrationPolicy xml:lang="en">http://swamid.se/policy/mdrps</mdrpi:RegistrationPolicy>
    </mdrpi:RegistrationInfo>
    <mdattr:EntityAttributes>
      <saml:Attribute Name="http://macedir.org/entity-category" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">
        <saml:AttributeValue>http://refeds.org/category/research-and-scholarship</saml:AttributeValue>
        <saml:AttributeValue>https://refeds.org/category/personalized</saml:AttributeValue>
      </saml:Attribute>${requirement}
    </mdattr:EntityAttributes>
  </md:Extensions>
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:Extensions>
      <mdui:UIInfo>
        <mdui:DisplayName xml:lang="en">Research wiki</mdui:DisplayName>
      </mdui:UIInfo>
    </md:Extensions>
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of('sp-a')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${entityId}/Shibboleth.sso/SLO/Redirect"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${entityId === spEntityId ? spAcsUrl : `${entityId}/Shibboleth.sso/SAML2/POST`}" index="1"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="${entityId}/Shibboleth.sso/SAML2/Artifact" index="2"/>
  </md:SPSSODescriptor>
  <md:Organization>
    <md:OrganizationName xml:lang="en">Example University</md:OrganizationName>
    <md:OrganizationDisplayName xml:lang="en">Example University</md:OrganizationDisplayName>
    <md:OrganizationURL xml:lang="en">https://www.example.edu/</md:OrganizationURL>
  </md:Organization>
  <md:ContactPerson contactType="technical"><md:EmailAddress>mailto:it@example.edu</md:EmailAddress></md:ContactPerson>
</md:EntityDescriptor>`;
}

const read = (xml: string) => parseSpMetadata(signMetadata(xml), { trust: [federation] });

describe('subject-id:req read from SP metadata', () => {
  it.each([
    [['pairwise-id'], 'pairwise-id'],
    [['subject-id'], 'subject-id'],
    [['any'], 'any'],
    [['none'], 'none'],
  ] as const)('%j → %s, on the metadata and its provider input', (values, expected) => {
    const sp = read(federatedSp('https://wiki.example.edu/shibboleth', [...values]));
    expect(sp.signature).toBe('verified');
    expect(sp.subjectIdRequirement).toBe(expected);
    expect(sp.provider.subjectIdRequirement).toBe(expected);
    expect(parseProvider(sp.provider).subjectIdRequirement).toBe(expected);
  });

  it('an SP without the attribute asks for nothing', () => {
    const sp = read(federatedSp('https://wiki.example.edu/shibboleth', []));
    expect(sp.subjectIdRequirement).toBeUndefined();
    expect(parseProvider(sp.provider).subjectIdRequirement).toBeNull();
  });

  it('values outside the four are ignored (exact match, as Shibboleth IdP filters); the first known one counts', () => {
    const of = (values: string[]) =>
      read(federatedSp('https://wiki.example.edu/shibboleth', values)).subjectIdRequirement;
    expect(of(['Pairwise-ID'])).toBeUndefined();
    expect(of(['urn:example:pairwise-id'])).toBeUndefined();
    expect(of(['pairwise'])).toBeUndefined();
    expect(of(['urn:example:unknown', 'subject-id'])).toBe('subject-id');
    expect(of(['\n          any\n        '])).toBe('any');
    expect(of(['pairwise-id', 'subject-id'])).toBe('pairwise-id');
  });

  it('only the EntityDescriptor’s EntityAttributes count, not an Attribute elsewhere', () => {
    // The same attribute inside the SPSSODescriptor's Extensions is not an entity attribute.
    const misplaced = federatedSp('https://wiki.example.edu/shibboleth', []).replace(
      '<mdui:UIInfo>',
      `<mdattr:EntityAttributes><saml:Attribute Name="${requirementName}"><saml:AttributeValue>subject-id</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes><mdui:UIInfo>`,
    );
    expect(read(misplaced).subjectIdRequirement).toBeUndefined();
  });

  it('every entity of an aggregate carries its own', () => {
    const xml = signedAggregate([
      federatedSp('https://a.example.edu/shibboleth', ['pairwise-id'], '_a'),
      federatedSp('https://b.example.edu/shibboleth', ['subject-id'], '_b'),
      federatedSp('https://c.example.edu/shibboleth', [], '_c'),
      spEntity('https://d.example.edu/sp', { entityAttributes: { [requirementName]: ['any'] } }),
    ]);
    const aggregate = importAggregate(xml, { certificates: [federation] });
    expect(aggregate.problems).toEqual([]);
    expect(aggregate.entities.map((e) => e.serviceProvider?.subjectIdRequirement)).toEqual([
      'pairwise-id',
      'subject-id',
      undefined,
      'any',
    ]);
    expect(
      aggregate.entities.map((e) => parseProvider(e.serviceProvider!.provider).subjectIdRequirement),
    ).toEqual(['pairwise-id', 'subject-id', null, 'any']);
    expect(aggregate.entities[0]!.entityCategories).toContain(
      'http://refeds.org/category/research-and-scholarship',
    );
  });
});

/** The attributes of the assertion in a POST form's SAMLResponse. */
function releasedAttributes(fields: Record<string, string>): { name: string | null; values: string[] }[] {
  const root = parseXml(Buffer.from(fields.SAMLResponse!, 'base64').toString('utf8')).root;
  const byName = (parent: typeof root, name: string) =>
    childElements(parent).filter((e) => e.localName === name);
  const assertion = byName(root, 'Assertion')[0]!;
  const statement = byName(assertion, 'AttributeStatement')[0];
  if (statement === undefined) return [];
  return byName(statement, 'Attribute').map((attribute) => ({
    name: attribute.getAttribute('Name'),
    values: byName(attribute, 'AttributeValue').map((value) => value.textContent ?? ''),
  }));
}

let requests = 0;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

async function facade(
  requirement: string[],
  sso: Partial<IdentityProviderOptions['sso']> = { subjectIdentifiers: { scope: 'Example.ORG' } },
) {
  const sp = read(federatedSp(spEntityId, requirement));
  const { idp } = await ssoIdp(
    { sso: { secret, ...sso }, clock: () => new Date() },
    parseProvider({ ...sp.provider, signResponse: false }),
  );
  return idp;
}

async function signIn(
  idp: ReturnType<typeof createIdentityProvider>,
  user: { id: string; subjectId?: string; attributes?: AttributeInput[] },
) {
  const received = await idp.receiveAuthnRequest(
    postInput({ id: `_request-${++requests}`, issueInstant: now() }),
  );
  if (!received.ok) throw new Error(`refused: ${received.error.code}`);
  const reply = await idp.completeAuthnRequest(received.pending, { user });
  return releasedAttributes(reply.form.fields);
}

const expected = (requirement: SubjectIdRequirement, user = 'u-4711', subjectId?: string) =>
  createSubjectIdentifiers({
    scope: 'example.org',
    userId: user,
    ...(subjectId === undefined ? {} : { subjectId }),
    spEntityId,
    secret,
    requirement,
  }).map((a) => ({ name: a.name, values: a.values }));

describe.skipIf(!hasXmllint())('the SP metadata of these tests and the metadata schemas', () => {
  it('validates, entity attributes, registration info and UI info included', () => {
    const signed = signMetadata(federatedSp('https://wiki.example.edu/shibboleth', ['pairwise-id']));
    expect(schemaErrors(schemas.metadataWithExtensions, { sp: signed })).toEqual({ sp: [] });
  });
});

describe('the facade releases what the SP asks for (sso.subjectIdentifiers)', () => {
  it('pairwise-id and any: pairwise-id, scoped in lower case, alongside the caller’s attributes', async () => {
    for (const requirement of ['pairwise-id', 'any'] as const) {
      const idp = await facade([requirement]);
      const attributes = await signIn(idp, {
        id: 'u-4711',
        attributes: [{ name: 'urn:oid:2.5.4.42', values: ['Alice'] }],
      });
      expect(attributes).toEqual([
        { name: 'urn:oid:2.5.4.42', values: ['Alice'] },
        ...expected('pairwise-id'),
      ]);
      expect(attributes[1]!.name).toBe(subjectIdentifierNames.pairwiseId);
      expect(attributes[1]!.values[0]).toMatch(/^[0-9a-f]{64}@example\.org$/);
    }
  });

  it('subject-id: the user’s subjectId (default id) at the scope', async () => {
    const idp = await facade(['subject-id']);
    expect(await signIn(idp, { id: 'U-4711' })).toEqual([
      { name: subjectIdentifierNames.subjectId, values: ['u-4711@example.org'] },
    ]);
    expect(await signIn(idp, { id: 'alice@example.org', subjectId: 'A1b2' })).toEqual([
      { name: subjectIdentifierNames.subjectId, values: ['a1b2@example.org'] },
    ]);
  });

  it('subject-id for a user whose id is not a subject-id: SAML_INPUT_INVALID naming user.id', async () => {
    const idp = await facade(['subject-id']);
    const error = await signIn(idp, { id: 'alice@example.org' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSamlError(error, 'SAML_INPUT_INVALID')).toBe(true);
    expect((error as { details: { issues: { path: string[] }[] } }).details.issues[0]!.path).toEqual([
      'user',
      'id',
    ]);
  });

  it('that refusal leaves the request unanswered: completed again with a subjectId, it succeeds', async () => {
    const idp = await facade(['subject-id']);
    const received = await idp.receiveAuthnRequest(postInput({ id: '_retry', issueInstant: now() }));
    if (!received.ok) throw new Error(received.error.code);
    const refused = await idp
      .completeAuthnRequest(received.pending, { user: { id: 'alice@example.org' } })
      .then(
        () => 'answered',
        (e: unknown) => (isSamlError(e) ? e.code : 'threw'),
      );
    expect(refused).toBe('SAML_INPUT_INVALID');
    const reply = await idp.completeAuthnRequest(received.pending, {
      user: { id: 'alice@example.org', subjectId: 'alice' },
    });
    expect(releasedAttributes(reply.form.fields)).toEqual([
      { name: subjectIdentifierNames.subjectId, values: ['alice@example.org'] },
    ]);
  });

  it('none, an unknown value or no attribute at all: nothing released', async () => {
    for (const requirement of [['none'], ['pairwise'], []]) {
      const idp = await facade(requirement);
      expect(await signIn(idp, { id: 'u-4711' })).toEqual([]);
    }
  });

  it('without sso.subjectIdentifiers nothing is released automatically', async () => {
    const idp = await facade(['pairwise-id'], {});
    expect(await signIn(idp, { id: 'u-4711' })).toEqual([]);
  });

  it('a subject identifier the caller gives is kept as given, never doubled', async () => {
    const idp = await facade(['pairwise-id']);
    const own = { name: subjectIdentifierNames.subjectId, values: ['alice@example.org'] };
    expect(await signIn(idp, { id: 'u-4711', attributes: [own] })).toEqual([own]);
  });

  it('refuses a malformed setting, listing each problem', () => {
    const issues = (subjectIdentifiers: unknown) => {
      try {
        createIdentityProvider({
          entityId: idpEntityId,
          signing: { key: keyPair('idp') },
          store: createMemoryStore(),
          sso: { secret, subjectIdentifiers: subjectIdentifiers as never },
        });
      } catch (error) {
        if (!isSamlError(error, 'SAML_CONFIG_INVALID')) throw error;
        return (error.details as { issues: { path: string[] }[] }).issues.map((i) => i.path.join('.'));
      }
      return [];
    };
    expect(issues({ scope: 'example.org' })).toEqual([]);
    expect(issues({ scope: '.example.org', scopes: [] })).toEqual([
      'sso.subjectIdentifiers.scopes',
      'sso.subjectIdentifiers.scope',
    ]);
    expect(issues('example.org')).toEqual(['sso.subjectIdentifiers']);
  });

  it('an SP found through MDQ gets what its metadata asks for', async () => {
    const server = await startMetadataServer();
    server.documents.set(`/entities/${encodeURIComponent(spEntityId)}`, {
      body: signMetadata(federatedSp(spEntityId, ['pairwise-id'])),
    });
    const mdq = createMdqClient({ baseUrl: server.url, certificates: [federation], http: loopbackHttp });
    const idp = createIdentityProvider({
      entityId: idpEntityId,
      signing: { key: keyPair('idp') },
      store: withMetadataQuery(createMemoryStore(), mdq, { providerDefaults: { signResponse: false } }),
      endpoints: { ssoPost: idpSsoPost },
      sso: { secret, subjectIdentifiers: { scope: 'example.org' } },
    });
    expect(await signIn(idp, { id: 'u-4711' })).toEqual(expected('pairwise-id'));
  });
});
