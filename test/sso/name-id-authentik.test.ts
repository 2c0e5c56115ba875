/**
 * Moving from authentik: a provider imported from authentik's JSON and a user
 * shaped like authentik's get the NameID (each format) and the attributes
 * authentik would have sent. The expected values are fixtures/authentik/golden.json,
 * computed from authentik's rules by fixtures/authentik/golden.py (Python's
 * hashlib, not samlkit). node-saml, as the SP, accepts the Response.
 */
import { readFileSync } from 'node:fs';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { describe, expect, it } from 'vitest';
import {
  type AuthentikUser,
  authentikDefaultAttributes,
  authentikSubject,
  authnContextClasses,
  createIdentityProvider,
  createMemoryStore,
  createNameId,
  type KeyPairResolver,
  nameIdFormats,
  type ParseProviderOptions,
  type ProviderNameIdFormat,
  parseProvider,
  statusCodes,
} from '../../src/index.js';
import { childElements, parseXml } from '../../src/xml/index.js';
import { expectCode } from '../support/errors.js';
import { certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import { allValid, hasXmllint, schemaErrors, schemas } from '../support/xsd.js';
import { expectRejects, responseXmlOf } from './support.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/authentik/${name}`, import.meta.url), 'utf8'));
const providerJson = fixture('provider.json');
const { installId, users } = fixture('users.json') as { installId: string; users: AuthentikUser[] };
const golden = fixture('golden.json') as {
  installId: string;
  users: {
    pk: number;
    uid: string;
    nameIds: Record<string, string>;
    attributes: { name: string; values: string[] }[];
  }[];
};

/** authentik's CertificateKeyPair table for the fixture's UUIDs. */
const keyPairs = new Map<string, ReturnType<KeyPairResolver>>([
  ['5a1c9e0b-2d4f-4e8a-9b7c-6d3e1f0a2b4c', keyPair('idp')],
  ['9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', { certificate: certificatePem('sp-a') }],
]);
const resolveKeyPair: KeyPairResolver = (uuid) => keyPairs.get(uuid);

const idpEntityId = providerJson.issuer as string;
const ssoUrl = providerJson.url_sso_redirect as string;
const sloUrl = providerJson.url_slo_redirect as string;

async function migratedIdp(options: ParseProviderOptions = {}) {
  const store = createMemoryStore();
  const provider = parseProvider(providerJson, { resolveKeyPair, ...options });
  await store.putProvider('wiki', provider);
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints: { sloRedirect: sloUrl, sloPost: providerJson.url_slo_post, ssoRedirect: ssoUrl },
    sso: { secret: 'a migration test secret of at least 32 bytes', authentikInstallId: installId },
  });
  return { idp, provider };
}

/** The assertion's NameID, SessionIndex and attributes, read back from the Response XML. */
function readAssertion(xml: string) {
  const root = parseXml(xml).root;
  const assertion = childElements(root).find((e) => e.localName === 'Assertion')!;
  const byName = (parent: typeof root, name: string) =>
    childElements(parent).filter((e) => e.localName === name);
  const subject = byName(assertion, 'Subject')[0]!;
  const nameId = byName(subject, 'NameID')[0]!;
  const statement = byName(assertion, 'AttributeStatement')[0]!;
  return {
    nameId: {
      value: nameId.textContent,
      format: nameId.getAttribute('Format'),
      qualifiers: [nameId.getAttribute('NameQualifier'), nameId.getAttribute('SPNameQualifier')],
    },
    sessionIndex: byName(assertion, 'AuthnStatement')[0]!.getAttribute('SessionIndex'),
    attributes: byName(statement, 'Attribute').map((attribute) => ({
      name: attribute.getAttribute('Name'),
      friendlyName: attribute.getAttribute('FriendlyName'),
      nameFormat: attribute.getAttribute('NameFormat'),
      values: byName(attribute, 'AttributeValue').map((value) => value.textContent),
    })),
  };
}

describe('golden fixture', () => {
  it('golden.json is what golden.py computes from users.json (authentik’s rules, Python hashlib)', () => {
    expect(golden.installId).toBe(installId);
    expect(golden.users.map((u) => u.pk)).toEqual(users.map((u) => u.pk));
    // One value checked by hand with sha256sum: printf '42-<install id>' | sha256sum
    expect(golden.users[0]!.uid).toBe('62676bcbbaf1cd79cc364644f5bc691b0bdee7e99c94c6fdb5c978f4e131d1c3');
  });
});

describe('a provider imported from authentik JSON issues authentik’s NameIDs and attributes', () => {
  it('uses the authentik strategy and honours authentik’s six formats unless told otherwise', async () => {
    const { provider } = await migratedIdp();
    expect(provider.nameIdStrategy).toBe('authentik');
    expect(provider.allowedNameIdFormats).toHaveLength(6);
    const pairwise = parseProvider(providerJson, {
      resolveKeyPair,
      nameIdStrategy: 'pairwise',
      allowedNameIdFormats: [nameIdFormats.persistent],
    });
    expect(pairwise.nameIdStrategy).toBe('pairwise');
    expect(pairwise.allowedNameIdFormats).toEqual([nameIdFormats.persistent]);
  });

  users.forEach((user, i) => {
    const expected = golden.users[i]!;
    for (const [format, value] of Object.entries(expected.nameIds)) {
      it(`user ${user.pk}, ${format.split(':').pop()}: the NameID and every attribute equal the golden values`, async () => {
        const { idp } = await migratedIdp();
        const reply = await idp.initiateSso(
          'wiki',
          { ...authentikSubject(user), sessionId: 'browser-session-1' },
          { nameIdFormat: format as ProviderNameIdFormat },
        );
        const read = readAssertion(responseXmlOf(reply.form.fields));
        // authentik sends the value with its Format and no qualifiers.
        expect(read.nameId).toEqual({ value, format, qualifiers: [null, null] });
        expect(read.attributes).toEqual(
          expected.attributes.map((a) => ({ ...a, friendlyName: null, nameFormat: null })),
        );
      });
    }
  });

  it('transient: derived from the browser session and equal to the SessionIndex', async () => {
    const { idp } = await migratedIdp();
    const subject = { ...authentikSubject(users[0]!), sessionId: 'browser-session-1' };
    const first = await idp.initiateSso('wiki', subject, { nameIdFormat: nameIdFormats.transient });
    const read = readAssertion(responseXmlOf(first.form.fields));
    expect(read.nameId.value).toBe(read.sessionIndex);
    expect(read.nameId.format).toBe(nameIdFormats.transient);
    const again = await idp.initiateSso('wiki', subject, { nameIdFormat: nameIdFormats.transient });
    expect(readAssertion(responseXmlOf(again.form.fields)).nameId.value).toBe(read.nameId.value);
    const other = await idp.initiateSso(
      'wiki',
      { ...subject, sessionId: 'browser-session-2' },
      { nameIdFormat: nameIdFormats.transient },
    );
    expect(readAssertion(responseXmlOf(other.form.fields)).nameId.value).not.toBe(read.nameId.value);
  });

  it('name_id_mapping: sso.nameIdMapping replaces the value, not the format; without it SSO fails closed', async () => {
    const mapped = { ...providerJson, name_id_mapping: '0f1e2d3c-4b5a-4697-8877-665544332211' };
    const store = createMemoryStore();
    await store.putProvider('wiki', parseProvider(mapped, { resolveKeyPair }));
    const base = {
      entityId: idpEntityId,
      signing: { key: keyPair('idp') },
      store,
      endpoints: { sloRedirect: sloUrl, sloPost: sloUrl },
    };
    const secret = 'a migration test secret of at least 32 bytes';
    const idp = createIdentityProvider({
      ...base,
      sso: {
        secret,
        authentikInstallId: installId,
        nameIdMapping: ({ mapping, user }) =>
          mapping === mapped.name_id_mapping ? `legacy-${user.id}` : undefined,
      },
    });
    const reply = await idp.initiateSso('wiki', authentikSubject(users[0]!), {
      nameIdFormat: nameIdFormats.persistent,
    });
    expect(readAssertion(responseXmlOf(reply.form.fields)).nameId).toMatchObject({
      value: 'legacy-42',
      format: nameIdFormats.persistent,
    });
    const unmapped = createIdentityProvider({ ...base, sso: { secret, authentikInstallId: installId } });
    await expectRejects(unmapped.initiateSso('wiki', authentikSubject(users[0]!)), 'SAML_CONFIG_INVALID');
  });

  it('the attribute preset alone: authentik’s names in its order, upn falling back to the email', () => {
    expect(authentikDefaultAttributes(users[1]!)).toEqual(golden.users[1]!.attributes);
    expect(() => authentikDefaultAttributes({ ...users[0]!, pk: 1, id: 2 })).toThrow(TypeError);
  });
});

describe('node-saml, as the migrated SP, accepts the Response', () => {
  it('SP-initiated with persistent: node-saml validates it and sees authentik’s uid and attribute names', async () => {
    const { idp } = await migratedIdp();
    const sp = new SAML({
      callbackUrl: providerJson.acs_url,
      entryPoint: ssoUrl,
      issuer: providerJson.audience,
      audience: providerJson.audience,
      idpCert: certificatePem('idp'),
      idpIssuer: idpEntityId,
      privateKey: privateKeyPem('sp-a'),
      signatureAlgorithm: 'sha256',
      identifierFormat: nameIdFormats.persistent,
      validateInResponseTo: ValidateInResponseTo.always,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
    });
    const url = await sp.getAuthorizeUrlAsync('', undefined, {});
    const reply = await idp.respondToAuthnRequest(
      { method: 'GET', query: url.slice(url.indexOf('?') + 1) },
      () => ({
        user: {
          ...authentikSubject(users[0]!),
          sessionId: 'browser-session-1',
          authnContextClassRef: authnContextClasses.passwordProtectedTransport,
        },
      }),
    );
    const { profile } = await sp.validatePostResponseAsync(reply.form.fields);
    expect(profile).toMatchObject({
      nameID: golden.users[0]!.uid,
      nameIDFormat: nameIdFormats.persistent,
      'http://schemas.goauthentik.io/2021/02/saml/uid': '42',
      'http://schemas.xmlsoap.org/claims/Group': ['staff', 'wiki-admins'],
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': 'jdoe@corp.example.org',
    });
  });

  it('a format authentik does not issue gets an InvalidNameIDPolicy error Response, not a crash', async () => {
    const { idp } = await migratedIdp();
    const sp = new SAML({
      callbackUrl: providerJson.acs_url,
      entryPoint: ssoUrl,
      issuer: providerJson.audience,
      idpCert: certificatePem('idp'),
      privateKey: privateKeyPem('sp-a'),
      signatureAlgorithm: 'sha256',
      identifierFormat: nameIdFormats.entity,
    });
    const url = await sp.getAuthorizeUrlAsync('', undefined, {});
    const result = await idp.receiveAuthnRequest({ method: 'GET', query: url.slice(url.indexOf('?') + 1) });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SAML_NAME_ID_POLICY_UNSUPPORTED' },
      reply: { status: { code: statusCodes.Requester, subCode: statusCodes.InvalidNameIDPolicy } },
    });
  });
});

describe('authentik strategy: edges', () => {
  const subject = { id: '42', sessionId: 's' };
  const base = { idpEntityId: 'urn:idp', spNameQualifier: 'urn:sp', strategy: 'authentik' as const };

  it('needs the install identifier, and an email for emailAddress (no fallback, as authentik has none)', () => {
    expectCode(
      () => createNameId({ ...base, format: nameIdFormats.persistent, subject }),
      'SAML_INPUT_INVALID',
    );
    expectCode(
      () => createNameId({ ...base, installId, format: nameIdFormats.emailAddress, subject }),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
    expectCode(
      () => createNameId({ ...base, installId, format: nameIdFormats.entity as never, subject }),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
    expect(createNameId({ ...base, installId, format: nameIdFormats.unspecified, subject }).value).toBe(
      golden.users[0]!.uid,
    );
  });

  it('the options that only mean something for authentik JSON are refused with camelCase input', () => {
    const camel = { entityId: 'urn:sp', acsUrl: 'https://sp.example.org/acs', signAssertion: false };
    expect(() => parseProvider(camel, { nameIdStrategy: 'authentik' })).toThrow(/authentik JSON/);
    expect(parseProvider({ ...camel, nameIdStrategy: 'authentik' }).nameIdStrategy).toBe('authentik');
    expect(() => parseProvider(providerJson, { resolveKeyPair, nameIdStrategy: 'hmac' as never })).toThrow();
  });

  it('sso options are checked at creation', () => {
    const make = (sso: object) => () =>
      createIdentityProvider({
        entityId: idpEntityId,
        signing: { key: keyPair('idp') },
        store: createMemoryStore(),
        endpoints: { sloRedirect: sloUrl, sloPost: sloUrl },
        sso: { secret: 'a migration test secret of at least 32 bytes', ...sso } as never,
      });
    expectCode(make({ authentikInstallId: '' }), 'SAML_CONFIG_INVALID');
    expectCode(make({ nameIdMapping: 'uuid' }), 'SAML_CONFIG_INVALID');
  });
});

describe.skipIf(!hasXmllint())('authentik-compatible Responses are schema-valid', () => {
  it('every format for both users, an attribute without values (no groups) included', async () => {
    const { idp } = await migratedIdp();
    const documents: Record<string, string> = {};
    for (const user of users) {
      for (const format of Object.keys(golden.users[0]!.nameIds)) {
        const reply = await idp.initiateSso(
          'wiki',
          { ...authentikSubject(user), sessionId: 'browser-session-1' },
          { nameIdFormat: format as ProviderNameIdFormat },
        );
        documents[`user-${user.pk}-${format.split(':').pop()}.xml`] = responseXmlOf(reply.form.fields);
      }
    }
    expect(schemaErrors(schemas.protocol, documents)).toEqual(allValid(documents));
  });
});
