/**
 * buildIdpMetadata's extensions: algorithm hints (published by default),
 * shibmd:Scope, mdui:UIInfo, mdattr:EntityAttributes, md:Organization and
 * md:ContactPerson. Placement and order, XSD validity against the extension
 * schemas (metadata-with-extensions.xsd), signatures that xmlsec1 verifies,
 * option checks, and samlify still reading the result.
 */
import * as samlify from 'samlify';
import { describe, expect, it } from 'vitest';
import { findEnvelopedSignature, verifyEnvelopedSignature } from '../../src/crypto/index.js';
import {
  type BuildIdpMetadataInput,
  buildIdpMetadata,
  defaultAlgorithmSupport,
  digestAlgorithms,
  idpEndpoints,
  isSamlError,
  namespaces,
  signatureAlgorithms,
} from '../../src/index.js';
import { childElements, type Element, parseXml } from '../../src/xml/index.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';
import { hasXmlsec1 } from '../support/xmlsec.js';
import { allValid, hasXmllint, schemaErrors } from '../support/xsd.js';
import { metadataSchema, metadataWithExtensionsSchema, xmlsecVerifyMetadata } from './support.js';

const entityId = 'https://idp.example.org/metadata';
const base: BuildIdpMetadataInput = {
  entityId,
  endpoints: idpEndpoints('https://idp.example.org', 'wiki'),
  signingCertificates: [keyPair('idp')],
};

/** Every new option at once, as an IdP in a research federation would publish. */
const complete: BuildIdpMetadataInput = {
  ...base,
  encryptionCertificates: [keyPair('idp-rollover')],
  scopes: ['example.org', { value: '^[a-z]+\\.example\\.org$', regexp: true }],
  uiInfo: {
    displayName: { en: 'Example University', de: 'Beispiel-Universität' },
    description: { en: 'Login for staff & students <all>' },
    keywords: { en: ['university', 'login', 'single+sign-on'] },
    logos: [
      { url: 'https://idp.example.org/logo.png', width: 80, height: 60 },
      { url: 'https://idp.example.org/logo-de.png', width: 160, height: 120, lang: 'de' },
    ],
    informationUrl: { en: 'https://www.example.org/it/login' },
    privacyStatementUrl: {
      en: 'https://www.example.org/privacy',
      'pt-BR': 'https://www.example.org/br/privacy',
    },
  },
  entityAttributes: [
    {
      name: 'http://macedir.org/entity-category-support',
      values: ['http://refeds.org/category/research-and-scholarship'],
    },
    {
      name: 'urn:oasis:names:tc:SAML:attribute:assurance-certification',
      friendlyName: 'assurance',
      values: ['https://refeds.org/sirtfi', 'https://refeds.org/sirtfi2'],
    },
  ],
  organization: {
    name: { en: 'Example University' },
    displayName: { en: 'Example University', de: 'Beispiel-Universität' },
    url: { en: 'https://www.example.org/' },
  },
  contacts: [
    {
      contactType: 'technical',
      givenName: 'Alice',
      surName: 'Admin',
      emailAddresses: ['alice@example.org', 'mailto:idp-ops@example.org'],
      telephoneNumbers: ['+49 30 1234567'],
    },
    { contactType: 'support', company: 'Example University IT', emailAddresses: ['help@example.org'] },
    {
      contactType: 'other',
      remdContactType: 'http://refeds.org/metadata/contactType/security',
      givenName: 'Security Team',
      emailAddresses: ['abuse@example.org'],
    },
  ],
};

function child(parent: Element, localName: string): Element {
  const found = childElements(parent).filter((c) => c.localName === localName);
  expect(found, localName).toHaveLength(1);
  return found[0]!;
}

function describeChildren(parent: Element): string[] {
  return childElements(parent).map((c) => `${c.prefix}:${c.localName}`);
}

function issuesOf(input: BuildIdpMetadataInput): string[] {
  try {
    buildIdpMetadata(input);
  } catch (error) {
    if (!isSamlError(error, 'SAML_INPUT_INVALID')) throw error;
    return (error.details as { issues: { path: (string | number)[]; message: string }[] }).issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
  }
  throw new Error('expected SAML_INPUT_INVALID');
}

function typeErrorOf(input: unknown): string {
  try {
    buildIdpMetadata(input as BuildIdpMetadataInput);
  } catch (error) {
    if (error instanceof TypeError) return error.message;
    throw error;
  }
  throw new Error('expected a TypeError');
}

describe('algorithm hints (Metadata Profile for Algorithm Support)', () => {
  it('are published by default in the EntityDescriptor Extensions, before the IDPSSODescriptor', () => {
    const { root } = parseXml(buildIdpMetadata(base).xml);
    expect(describeChildren(root)).toEqual(['md:Extensions', 'md:IDPSSODescriptor']);
    const extensions = child(root, 'Extensions');
    const hints = childElements(extensions).map((c) => {
      expect(c.namespaceURI).toBe(namespaces.alg);
      const size = c.getAttribute('MinKeySize');
      return `${c.localName} ${c.getAttribute('Algorithm')}${size ? ` min ${size}` : ''}`;
    });
    expect(hints).toEqual([
      `DigestMethod ${digestAlgorithms.sha256}`,
      `DigestMethod ${digestAlgorithms.sha384}`,
      `DigestMethod ${digestAlgorithms.sha512}`,
      `SigningMethod ${signatureAlgorithms.rsaSha256} min 2048`,
      `SigningMethod ${signatureAlgorithms.rsaSha384} min 2048`,
      `SigningMethod ${signatureAlgorithms.rsaSha512} min 2048`,
      `SigningMethod ${signatureAlgorithms.ecdsaSha256}`,
      `SigningMethod ${signatureAlgorithms.ecdsaSha384}`,
      `SigningMethod ${signatureAlgorithms.ecdsaSha512}`,
    ]);
    // Role-level hints would replace these for readers such as OpenSAML: there are none.
    const descriptor = child(root, 'IDPSSODescriptor');
    expect(childElements(descriptor).some((c) => c.localName === 'Extensions')).toBe(false);
  });

  it('never advertise SHA-1 by default', () => {
    const { xml } = buildIdpMetadata(base);
    expect(xml).not.toMatch(/sha1/);
    expect(defaultAlgorithmSupport.signingMethods.map((m) => m.algorithm)).not.toContain(
      signatureAlgorithms.rsaSha1,
    );
  });

  it('take either list from the caller; empty lists and false leave elements out', () => {
    const only = buildIdpMetadata({
      ...base,
      algorithmSupport: {
        signingMethods: [{ algorithm: signatureAlgorithms.rsaSha512, minKeySize: 3072, maxKeySize: 8192 }],
      },
    }).xml;
    expect(only).toContain(
      `<alg:SigningMethod Algorithm="${signatureAlgorithms.rsaSha512}" MinKeySize="3072" MaxKeySize="8192"/>`,
    );
    expect(only.match(/<alg:SigningMethod /g)).toHaveLength(1);
    expect(only.match(/<alg:DigestMethod /g)).toHaveLength(3);

    const noDigests = buildIdpMetadata({ ...base, algorithmSupport: { digestMethods: [] } }).xml;
    expect(noDigests).not.toContain('alg:DigestMethod');
    expect(noDigests.match(/<alg:SigningMethod /g)).toHaveLength(6);

    for (const off of [false, { digestMethods: [], signingMethods: [] }] as const) {
      const { xml } = buildIdpMetadata({ ...base, algorithmSupport: off });
      expect(xml).not.toContain('md:Extensions');
      expect(xml).not.toContain('xmlns:alg');
    }
  });

  it('refuse SHA-1, DSA, unknown URIs and bad key sizes', () => {
    expect(
      issuesOf({
        ...base,
        algorithmSupport: {
          digestMethods: [digestAlgorithms.sha1, 'urn:example:md5' as never],
          signingMethods: [
            { algorithm: signatureAlgorithms.rsaSha1 },
            { algorithm: signatureAlgorithms.dsaSha1 },
            { algorithm: 'urn:example:rsa-md5' as never },
            { algorithm: signatureAlgorithms.rsaSha256, minKeySize: 0 },
            { algorithm: signatureAlgorithms.rsaSha256, minKeySize: 4096, maxKeySize: 2048 },
          ],
        },
      }),
    ).toEqual([
      'algorithmSupport.digestMethods.0: SHA-1 is not advertised',
      'algorithmSupport.digestMethods.1: is not a digest algorithm samlkit verifies',
      'algorithmSupport.signingMethods.0.algorithm: SHA-1 and DSA are not advertised',
      'algorithmSupport.signingMethods.1.algorithm: SHA-1 and DSA are not advertised',
      'algorithmSupport.signingMethods.2.algorithm: is not a signature algorithm samlkit verifies',
      'algorithmSupport.signingMethods.3.minKeySize: must be a positive whole number of bits',
      'algorithmSupport.signingMethods.4.maxKeySize: must not be below minKeySize',
    ]);
  });
});

describe('encryption key', () => {
  it('is published as KeyDescriptor use="encryption" with the md:EncryptionMethods samlkit decrypts', () => {
    const { root } = parseXml(
      buildIdpMetadata({ ...base, encryptionCertificates: [certificatePem('idp-rollover')] }).xml,
    );
    const descriptors = childElements(child(root, 'IDPSSODescriptor')).filter(
      (c) => c.localName === 'KeyDescriptor',
    );
    expect(descriptors.map((d) => d.getAttribute('use'))).toEqual(['signing', 'encryption']);
    const encryption = descriptors[1]!;
    expect(encryption.textContent).toContain(keyPair('idp-rollover').certificateBase64);
    expect(describeChildren(encryption)).toEqual([
      'ds:KeyInfo',
      'md:EncryptionMethod',
      'md:EncryptionMethod',
      'md:EncryptionMethod',
      'md:EncryptionMethod',
    ]);
  });

  it('has no KeyDescriptor use="encryption" when none is configured', () => {
    expect(buildIdpMetadata(base).xml).not.toContain('use="encryption"');
  });
});

describe('scopes, UI info, entity attributes, organization, contacts', () => {
  const { root } = parseXml(buildIdpMetadata(complete).xml);

  it('entity: Extensions (EntityAttributes, hints), IDPSSODescriptor, Organization, ContactPerson* in schema order', () => {
    expect(describeChildren(root)).toEqual([
      'md:Extensions',
      'md:IDPSSODescriptor',
      'md:Organization',
      'md:ContactPerson',
      'md:ContactPerson',
      'md:ContactPerson',
    ]);
    const extensions = describeChildren(child(root, 'Extensions'));
    expect(extensions[0]).toBe('mdattr:EntityAttributes');
    expect(new Set(extensions.slice(1))).toEqual(new Set(['alg:DigestMethod', 'alg:SigningMethod']));
  });

  it('role: Extensions holds shibmd:Scope then mdui:UIInfo, before the KeyDescriptors', () => {
    const descriptor = child(root, 'IDPSSODescriptor');
    expect(describeChildren(descriptor).slice(0, 2)).toEqual(['md:Extensions', 'md:KeyDescriptor']);
    const extensions = child(descriptor, 'Extensions');
    expect(describeChildren(extensions)).toEqual(['shibmd:Scope', 'shibmd:Scope', 'mdui:UIInfo']);
    const scopes = childElements(extensions).slice(0, 2);
    expect(scopes.map((s) => [s.textContent, s.getAttribute('regexp')])).toEqual([
      ['example.org', 'false'],
      ['^[a-z]+\\.example\\.org$', 'true'],
    ]);
  });

  it('mdui:UIInfo carries every field with xml:lang, text escaped by construction', () => {
    const info = child(child(child(root, 'IDPSSODescriptor'), 'Extensions'), 'UIInfo');
    const xmlNs = 'http://www.w3.org/XML/1998/namespace';
    expect(
      childElements(info).map((c) => {
        const size = c.hasAttribute('width') ? ` ${c.getAttribute('width')}x${c.getAttribute('height')}` : '';
        return `${c.localName}[${c.getAttributeNS(xmlNs, 'lang') ?? ''}]${size} ${c.textContent}`;
      }),
    ).toEqual([
      'DisplayName[en] Example University',
      'DisplayName[de] Beispiel-Universität',
      'Description[en] Login for staff & students <all>',
      'Keywords[en] university login single+sign-on',
      'Logo[] 80x60 https://idp.example.org/logo.png',
      'Logo[de] 160x120 https://idp.example.org/logo-de.png',
      'InformationURL[en] https://www.example.org/it/login',
      'PrivacyStatementURL[en] https://www.example.org/privacy',
      'PrivacyStatementURL[pt-BR] https://www.example.org/br/privacy',
    ]);
  });

  it('mdattr:EntityAttributes holds saml:Attributes with the URI NameFormat by default', () => {
    const attributes = childElements(child(child(root, 'Extensions'), 'EntityAttributes'));
    expect(
      attributes.map((a) => ({
        ns: a.namespaceURI,
        name: a.getAttribute('Name'),
        format: a.getAttribute('NameFormat'),
        friendly: a.getAttribute('FriendlyName') || undefined,
        values: childElements(a).map((v) => `${v.localName} ${v.textContent}`),
      })),
    ).toEqual([
      {
        ns: namespaces.saml,
        name: 'http://macedir.org/entity-category-support',
        format: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
        friendly: undefined,
        values: ['AttributeValue http://refeds.org/category/research-and-scholarship'],
      },
      {
        ns: namespaces.saml,
        name: 'urn:oasis:names:tc:SAML:attribute:assurance-certification',
        format: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
        friendly: 'assurance',
        values: ['AttributeValue https://refeds.org/sirtfi', 'AttributeValue https://refeds.org/sirtfi2'],
      },
    ]);
  });

  it('md:Organization and md:ContactPerson in schema order; email addresses as mailto: URIs', () => {
    expect(describeChildren(child(root, 'Organization'))).toEqual([
      'md:OrganizationName',
      'md:OrganizationDisplayName',
      'md:OrganizationDisplayName',
      'md:OrganizationURL',
    ]);
    const contacts = childElements(root).filter((c) => c.localName === 'ContactPerson');
    expect(
      contacts.map((c) => [
        c.getAttribute('contactType'),
        ...childElements(c).map((e) => `${e.localName} ${e.textContent}`),
      ]),
    ).toEqual([
      [
        'technical',
        'GivenName Alice',
        'SurName Admin',
        'EmailAddress mailto:alice@example.org',
        'EmailAddress mailto:idp-ops@example.org',
        'TelephoneNumber +49 30 1234567',
      ],
      ['support', 'Company Example University IT', 'EmailAddress mailto:help@example.org'],
      ['other', 'GivenName Security Team', 'EmailAddress mailto:abuse@example.org'],
    ]);
    // REFEDS security contact: remd:contactType beside contactType="other".
    expect(contacts.map((c) => c.getAttributeNS(namespaces.remd, 'contactType') || undefined)).toEqual([
      undefined,
      undefined,
      'http://refeds.org/metadata/contactType/security',
    ]);
  });

  it('declares each extension namespace once, on the root, only when used', () => {
    const { xml } = buildIdpMetadata(complete);
    const start = xml.slice(0, xml.indexOf('>'));
    for (const prefix of ['md', 'ds', 'alg', 'mdattr', 'saml', 'mdui', 'shibmd', 'remd']) {
      expect(start).toContain(`xmlns:${prefix}="${namespaces[prefix as keyof typeof namespaces]}"`);
      expect(xml.split(`xmlns:${prefix}=`)).toHaveLength(2);
    }
    const scopesOnly = buildIdpMetadata({ ...base, scopes: ['example.org'] }).xml;
    expect(scopesOnly).toContain('xmlns:shibmd=');
    expect(scopesOnly).not.toMatch(/xmlns:(mdui|mdattr|saml|remd)=/);
  });

  it('an empty option list publishes nothing for it', () => {
    const { xml } = buildIdpMetadata({ ...base, scopes: [], entityAttributes: [], contacts: [], uiInfo: {} });
    expect(xml).toBe(buildIdpMetadata(base).xml);
  });
});

describe('signed with extensions', () => {
  const signed = buildIdpMetadata({ ...complete, sign: { key: keyPair('idp') } }).xml;

  it('samlkit verifies the enveloped signature over the document with xml:lang and extensions', () => {
    const parsed = parseXml(signed);
    const verified = verifyEnvelopedSignature(parsed, findEnvelopedSignature(parsed)!, [certificate('idp')]);
    expect(verified.canonicalXml).toContain('xml:lang="pt-BR"');
    expect(verified.canonicalXml).toContain('<shibmd:Scope');
  });

  describe.skipIf(!hasXmlsec1())('xmlsec1', () => {
    it('verifies the RSA and ECDSA signatures with the IdP certificate only', () => {
      for (const key of ['idp', 'idp-ec-p-256']) {
        const { xml } = buildIdpMetadata({ ...complete, sign: { key: keyPair(key) } });
        const result = xmlsecVerifyMetadata(xml, certificatePem(key));
        expect([key, result.ok, result.output]).toEqual([key, true, expect.any(String)]);
      }
    });

    it('rejects the document once an extension is changed (the check can fail)', () => {
      const tampered = signed.replace('>example.org</shibmd:Scope>', '>evil.example</shibmd:Scope>');
      expect(tampered).not.toBe(signed);
      expect(xmlsecVerifyMetadata(tampered, certificatePem('idp')).ok).toBe(false);
    });
  });
});

describe.skipIf(!hasXmllint())('schema (metadata-with-extensions.xsd checks the extension elements)', () => {
  it('default, complete, signed and minimal documents validate', () => {
    const documents = {
      default: buildIdpMetadata(base).xml,
      complete: buildIdpMetadata(complete).xml,
      'signed-rsa': buildIdpMetadata({ ...complete, sign: { key: keyPair('idp') } }).xml,
      'signed-ec': buildIdpMetadata({ ...complete, sign: { key: keyPair('idp-ec-p-384') } }).xml,
      'hints-off': buildIdpMetadata({ ...complete, algorithmSupport: false }).xml,
      'one-of-each': buildIdpMetadata({
        ...base,
        scopes: ['example.org'],
        uiInfo: { logos: [{ url: 'data:image/png;base64,iVBORw0KGgo=', width: 1, height: 1 }] },
        entityAttributes: [
          {
            name: 'urn:example:flag',
            nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
            values: ['on'],
          },
        ],
        organization: { name: { en: 'E' }, displayName: { en: 'E' }, url: { en: 'https://e.example/' } },
        contacts: [{ contactType: 'other', telephoneNumbers: ['110'] }],
      }).xml,
    };
    expect(schemaErrors(metadataWithExtensionsSchema, documents)).toEqual(allValid(documents));
    expect(schemaErrors(metadataSchema, documents)).toEqual(allValid(documents));
  });

  it('the extension schemas are enforced: broken extensions fail here but pass the plain metadata schema', () => {
    const xml = buildIdpMetadata(complete).xml;
    const documents = {
      'scope-regexp-not-boolean': xml.replace('regexp="true"', 'regexp="maybe"'),
      'signing-method-key-size-zero': xml.replace('MinKeySize="2048"', 'MinKeySize="0"'),
      'logo-without-width': xml.replace(' width="80"', ''),
      'display-name-without-lang': xml.replace('<mdui:DisplayName xml:lang="en">', '<mdui:DisplayName>'),
      'entity-attributes-empty': xml.replace(
        /<mdattr:EntityAttributes>.*<\/mdattr:EntityAttributes>/,
        '<mdattr:EntityAttributes/>',
      ),
    };
    for (const [name, broken] of Object.entries(documents)) expect(broken, name).not.toBe(xml);
    const report = schemaErrors(metadataWithExtensionsSchema, documents);
    for (const [name, problems] of Object.entries(report)) expect(problems.length, name).toBeGreaterThan(0);
    expect(schemaErrors(metadataSchema, documents)).toEqual(allValid(documents));
  });

  it('core metadata order is enforced too: GivenName after EmailAddress, Organization without URL', () => {
    const xml = buildIdpMetadata(complete).xml;
    const documents = {
      'contact-order': xml.replace(
        /(<md:GivenName>[^<]*<\/md:GivenName><md:SurName>[^<]*<\/md:SurName>)(<md:EmailAddress>[^<]*<\/md:EmailAddress>)/,
        '$2$1',
      ),
      'organization-without-url': xml.replace(/<md:OrganizationURL[^>]*>[^<]*<\/md:OrganizationURL>/, ''),
    };
    for (const [name, broken] of Object.entries(documents)) expect(broken, name).not.toBe(xml);
    const report = schemaErrors(metadataSchema, documents);
    for (const [name, problems] of Object.entries(report)) expect(problems.length, name).toBeGreaterThan(0);
  });
});

describe('option checks', () => {
  it('a value of the wrong type is a TypeError naming the option', () => {
    expect(typeErrorOf({ ...base, scopes: 'example.org' })).toBe('buildIdpMetadata: scopes must be an array');
    expect(typeErrorOf({ ...base, uiInfo: { dispalyName: { en: 'x' } } })).toBe(
      'buildIdpMetadata: uiInfo.dispalyName is not an option (known: displayName, description, keywords, logos, informationUrl, privacyStatementUrl)',
    );
    expect(
      typeErrorOf({
        ...base,
        uiInfo: { logos: [{ url: 'https://x.example/l.png', width: '80', height: 60 }] },
      }),
    ).toBe('buildIdpMetadata: uiInfo.logos[0].width must be a number');
    expect(typeErrorOf({ ...base, uiInfo: { displayName: ['Example'] } })).toBe(
      'buildIdpMetadata: uiInfo.displayName must be an object',
    );
    expect(typeErrorOf({ ...base, contacts: [{ contactType: 'boss', givenName: 'A' }] })).toBe(
      "buildIdpMetadata: contacts[0].contactType must be one of 'technical', 'support', 'administrative', 'billing', 'other'",
    );
    expect(typeErrorOf({ ...base, entityAttributes: [{ name: 'urn:x:y', values: 'z' }] })).toBe(
      'buildIdpMetadata: entityAttributes[0].values must be an array',
    );
    expect(
      typeErrorOf({ ...base, algorithmSupport: { signingMethods: [signatureAlgorithms.rsaSha256] } }),
    ).toBe('buildIdpMetadata: algorithmSupport.signingMethods[0] must be an object');
    expect(typeErrorOf({ ...base, organization: { name: { en: 'E' }, displayName: { en: 'E' } } })).toBe(
      'buildIdpMetadata: organization.url must be an object',
    );
  });

  it('values that are not acceptable are reported together as SAML_INPUT_INVALID', () => {
    expect(
      issuesOf({
        ...base,
        scopes: ['example.org', 'bad scope', '', { value: '([', regexp: true }, '@example.org'],
        uiInfo: {
          displayName: { en_US: 'Example', en: ' ' },
          keywords: { en: ['two words'], de: [] },
          logos: [{ url: 'logo.png', width: 0, height: 1.5, lang: 'x y' }],
          informationUrl: { en: 'ftp://example.org/' },
        },
        entityAttributes: [{ name: 'not a uri', values: [] }],
        organization: { name: {}, displayName: { en: 'E' }, url: { en: 'https://e.example/' } },
        contacts: [
          { contactType: 'technical' },
          { contactType: 'support', emailAddresses: ['help'], givenName: '' },
          { contactType: 'technical', remdContactType: 'security', surName: 'S' },
        ],
      }),
    ).toEqual([
      'entityAttributes.0.name: must be a URI with the uri NameFormat',
      'entityAttributes.0.values: needs at least one value',
      'scopes.1: must be a domain without spaces or @ (e.g. example.org)',
      'scopes.2: must be a domain without spaces or @ (e.g. example.org)',
      'scopes.3: is not a regular expression',
      'scopes.4: must be a domain without spaces or @ (e.g. example.org)',
      'uiInfo.displayName.en_US: is not a language tag (xs:language, e.g. en or pt-BR)',
      'uiInfo.displayName.en: must not be empty',
      'uiInfo.keywords.en.0: must be one word (write spaces as +)',
      'uiInfo.keywords.de: needs at least one keyword',
      'uiInfo.logos.0.url: must be an absolute http(s) URL or a data:image/ URI',
      'uiInfo.logos.0.height: must be a positive whole number of pixels',
      'uiInfo.logos.0.width: must be a positive whole number of pixels',
      'uiInfo.logos.0.lang: is not a language tag',
      'uiInfo.informationUrl.en: must be an absolute http(s) URL',
      'organization.name: needs at least one language',
      'contacts.0: needs a name, a company, an email address or a telephone number',
      'contacts.1.givenName: must not be empty',
      'contacts.1.emailAddresses.0: is not an email address',
      'contacts.2.remdContactType: must be a URI',
      "contacts.2.contactType: must be 'other' with a remdContactType",
    ]);
  });
});

describe('samlify 2.13.1 still reads it as its IdP', () => {
  samlify.setSchemaValidator({ validate: async () => 'skipped: this suite checks metadata import only' });

  it('entity ID, SSO endpoint and signing certificate from metadata with every extension, signed', () => {
    const idp = samlify.IdentityProvider({
      metadata: buildIdpMetadata({ ...complete, sign: { key: keyPair('idp') } }).xml,
    });
    expect(idp.entityMeta.getEntityID()).toBe(entityId);
    expect(idp.entityMeta.getSingleSignOnService('post')).toBe(base.endpoints.ssoPost);
    expect(idp.entityMeta.getX509Certificate('signing')).toBe(keyPair('idp').certificateBase64);
    expect(idp.entityMeta.getX509Certificate('encryption')).toBe(keyPair('idp-rollover').certificateBase64);
  });
});
