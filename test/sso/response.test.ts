import { describe, expect, it } from 'vitest';
import { decryptElement, verifyEnvelopedSignature } from '../../src/crypto/index.js';
import {
  attributeNameFormats,
  authnContextClasses,
  buildResponse,
  dataEncryptionAlgorithms,
  isSamlError,
  keyTransportAlgorithms,
  nameIdFormats,
  receivePost,
  signatureAlgorithms,
  statusCodes,
} from '../../src/index.js';
import { childElements, type Element, isElement, parseXml } from '../../src/xml/index.js';
import { certificate, keyPair } from '../support/keys.js';
import {
  expectThrows,
  fixedClock,
  fixedNow,
  idpEntityId,
  rootOf,
  sampleResponse,
  spAcsUrl,
  spAcsUrl2,
  spEntityId,
  spProvider,
} from './support.js';

type Ns = 'samlp' | 'saml' | 'ds';

/** The one direct child `prefix:name` of `parent` (test-side inspection). */
function child(parent: Element, prefix: Ns, name: string): Element {
  const found = childElements(parent).filter((c) => isElement(c, prefix, name));
  expect(found, `${prefix}:${name}`).toHaveLength(1);
  return found[0]!;
}

const names = (parent: Element) => childElements(parent).map((c) => `${c.prefix}:${c.localName}`);
const attr = (el: Element, name: string) => el.getAttribute(name);

describe('buildResponse: structure (SAMLCore §3.3.3, SAMLProf §4.1.4.2)', () => {
  it('Issuer, Status, and an Assertion with Subject, bearer confirmation, Conditions and AuthnStatement', () => {
    const built = sampleResponse();
    expect(built).toMatchObject({
      id: '_response-1',
      assertionId: '_assertion-1',
      signedAssertion: true,
      signedResponse: false,
      encryptedAssertion: false,
    });
    // Attribute order as authentik's.
    expect(built.xml).toMatch(
      /^<samlp:Response xmlns:samlp="[^"]+" xmlns:saml="[^"]+" Version="2.0" IssueInstant="2026-04-20T10:00:00Z" Destination="https:\/\/sp-a.example.com\/acs" ID="_response-1" InResponseTo="_authn-request-1">/,
    );
    const root = rootOf(built.xml);
    expect(names(root)).toEqual(['saml:Issuer', 'samlp:Status', 'saml:Assertion']);
    expect(child(root, 'saml', 'Issuer').textContent).toBe(idpEntityId);
    expect(attr(child(child(root, 'samlp', 'Status'), 'samlp', 'StatusCode'), 'Value')).toBe(
      statusCodes.Success,
    );

    const assertion = child(root, 'saml', 'Assertion');
    expect([attr(assertion, 'Version'), attr(assertion, 'ID'), attr(assertion, 'IssueInstant')]).toEqual([
      '2.0',
      '_assertion-1',
      '2026-04-20T10:00:00Z',
    ]);
    expect(names(assertion)).toEqual([
      'saml:Issuer',
      'ds:Signature',
      'saml:Subject',
      'saml:Conditions',
      'saml:AuthnStatement',
    ]);
    const subject = child(assertion, 'saml', 'Subject');
    const nameId = child(subject, 'saml', 'NameID');
    expect(nameId.textContent).toBe('alice@example.com');
    expect(attr(nameId, 'Format')).toBe(nameIdFormats.emailAddress);
    const confirmation = child(subject, 'saml', 'SubjectConfirmation');
    expect(attr(confirmation, 'Method')).toBe('urn:oasis:names:tc:SAML:2.0:cm:bearer');
    const data = child(confirmation, 'saml', 'SubjectConfirmationData');
    expect({
      InResponseTo: attr(data, 'InResponseTo'),
      NotOnOrAfter: attr(data, 'NotOnOrAfter'),
      Recipient: attr(data, 'Recipient'),
      NotBefore: attr(data, 'NotBefore'),
    }).toEqual({
      InResponseTo: '_authn-request-1',
      NotOnOrAfter: '2026-04-20T10:05:00Z',
      Recipient: spAcsUrl,
      NotBefore: null,
    });
    const conditions = child(assertion, 'saml', 'Conditions');
    expect([attr(conditions, 'NotBefore'), attr(conditions, 'NotOnOrAfter')]).toEqual([
      '2026-04-20T09:55:00Z',
      '2026-04-20T10:05:00Z',
    ]);
    // An empty provider audience still names the SP: bearer assertions need one (SAMLProf §4.1.4.2).
    expect(child(child(conditions, 'saml', 'AudienceRestriction'), 'saml', 'Audience').textContent).toBe(
      spEntityId,
    );
    const authn = child(assertion, 'saml', 'AuthnStatement');
    expect({
      AuthnInstant: attr(authn, 'AuthnInstant'),
      SessionIndex: attr(authn, 'SessionIndex'),
      SessionNotOnOrAfter: attr(authn, 'SessionNotOnOrAfter'),
    }).toEqual({
      AuthnInstant: '2026-04-20T10:00:00Z',
      SessionIndex: '_session-1',
      SessionNotOnOrAfter: '2026-06-19T10:00:00Z',
    });
    expect(child(child(authn, 'saml', 'AuthnContext'), 'saml', 'AuthnContextClassRef').textContent).toBe(
      authnContextClasses.unspecified,
    );
  });

  it('takes every time from the provider’s duration fields', () => {
    const provider = spProvider({
      assertionValidNotBefore: 'seconds=-30',
      assertionValidNotOnOrAfter: 'minutes=2',
      sessionValidNotOnOrAfter: 'hours=8',
    });
    const assertion = child(rootOf(sampleResponse({ provider }).xml), 'saml', 'Assertion');
    const conditions = child(assertion, 'saml', 'Conditions');
    expect(attr(conditions, 'NotBefore')).toBe('2026-04-20T09:59:30Z');
    expect(attr(conditions, 'NotOnOrAfter')).toBe('2026-04-20T10:02:00Z');
    const data = child(
      child(child(assertion, 'saml', 'Subject'), 'saml', 'SubjectConfirmation'),
      'saml',
      'SubjectConfirmationData',
    );
    expect(attr(data, 'NotOnOrAfter')).toBe('2026-04-20T10:02:00Z');
    expect(attr(child(assertion, 'saml', 'AuthnStatement'), 'SessionNotOnOrAfter')).toBe(
      '2026-04-20T18:00:00Z',
    );
  });

  it('uses the configured audience, the authnInstant, the class reference and NameID qualifiers given', () => {
    const built = sampleResponse({
      provider: spProvider({ audience: 'urn:sp-a:audience' }),
      assertion: {
        nameId: {
          value: 'f00d',
          format: nameIdFormats.persistent,
          nameQualifier: idpEntityId,
          spNameQualifier: spEntityId,
        },
        sessionIndex: '_s',
        authnInstant: new Date('2026-04-20T09:58:12.750Z'),
        authnContextClassRef: authnContextClasses.passwordProtectedTransport,
      },
    });
    const assertion = child(rootOf(built.xml), 'saml', 'Assertion');
    const audience = child(
      child(child(assertion, 'saml', 'Conditions'), 'saml', 'AudienceRestriction'),
      'saml',
      'Audience',
    );
    expect(audience.textContent).toBe('urn:sp-a:audience');
    const authn = child(assertion, 'saml', 'AuthnStatement');
    expect(attr(authn, 'AuthnInstant')).toBe('2026-04-20T09:58:12Z');
    expect(child(child(authn, 'saml', 'AuthnContext'), 'saml', 'AuthnContextClassRef').textContent).toBe(
      authnContextClasses.passwordProtectedTransport,
    );
    const nameId = child(child(assertion, 'saml', 'Subject'), 'saml', 'NameID');
    expect([attr(nameId, 'NameQualifier'), attr(nameId, 'SPNameQualifier'), attr(nameId, 'Format')]).toEqual([
      idpEntityId,
      spEntityId,
      nameIdFormats.persistent,
    ]);
  });

  it('IdP-initiated (no inResponseTo): no InResponseTo on the Response nor on the confirmation data', () => {
    const { inResponseTo: _i, ...rest } = { inResponseTo: undefined };
    const built = buildResponse({
      provider: spProvider(),
      issuer: idpEntityId,
      clock: fixedClock,
      assertion: { nameId: { value: 'alice' }, sessionIndex: '_s' },
      ...rest,
    });
    expect(built.xml).not.toContain('InResponseTo');
    expect(built.id).toMatch(/^_[0-9a-f]{32}$/);
    expect(built.assertionId).toMatch(/^_[0-9a-f]{32}$/);
    expect(built.assertionId).not.toBe(built.id);
  });

  it('sends only to a registered HTTP-POST ACS; another registered one may be named', () => {
    expectThrows(
      () => sampleResponse({ destination: 'https://evil.example.com/acs' }),
      'SAML_ACS_NOT_REGISTERED',
    );
    const provider = spProvider({
      assertionConsumerServices: [
        { url: spAcsUrl, index: 0 },
        { url: spAcsUrl2, index: 1 },
        { url: 'https://sp-a.example.com/artifact', index: 2, binding: 'artifact' },
      ],
    });
    expect(sampleResponse({ provider, destination: spAcsUrl2 }).xml).toContain(`Recipient="${spAcsUrl2}"`);
    expectThrows(
      () => sampleResponse({ provider, destination: 'https://sp-a.example.com/artifact' }),
      'SAML_ACS_NOT_REGISTERED',
    );
  });
});

describe('buildResponse: AttributeStatement', () => {
  it('one Attribute per mapping with Name, NameFormat, FriendlyName and every value', () => {
    const built = sampleResponse({
      assertion: {
        nameId: { value: 'alice' },
        sessionIndex: '_s',
        attributes: [
          {
            name: 'urn:oid:0.9.2342.19200300.100.1.3',
            friendlyName: 'mail',
            nameFormat: attributeNameFormats.uri,
            values: 'alice@example.com',
          },
          { name: 'http://schemas.xmlsoap.org/claims/Group', values: ['admins', 'staff', ''] },
          { name: 'nickname', values: [] },
        ],
      },
    });
    const assertion = child(rootOf(built.xml), 'saml', 'Assertion');
    expect(names(assertion).at(-1)).toBe('saml:AttributeStatement');
    const attributes = childElements(child(assertion, 'saml', 'AttributeStatement'));
    expect(
      attributes.map((a) => ({
        name: attr(a, 'Name'),
        nameFormat: attr(a, 'NameFormat'),
        friendlyName: attr(a, 'FriendlyName'),
        values: childElements(a).map((v) => `${v.localName}=${v.textContent}`),
      })),
    ).toEqual([
      {
        name: 'urn:oid:0.9.2342.19200300.100.1.3',
        nameFormat: attributeNameFormats.uri,
        friendlyName: 'mail',
        values: ['AttributeValue=alice@example.com'],
      },
      {
        name: 'http://schemas.xmlsoap.org/claims/Group',
        nameFormat: null,
        friendlyName: null,
        values: ['AttributeValue=admins', 'AttributeValue=staff', 'AttributeValue='],
      },
      { name: 'nickname', nameFormat: null, friendlyName: null, values: [] },
    ]);
  });

  it('is left out when there are no attributes (an empty statement is schema-invalid)', () => {
    const built = sampleResponse({
      assertion: { nameId: { value: 'a' }, sessionIndex: '_s', attributes: [] },
    });
    expect(built.xml).not.toContain('AttributeStatement');
  });

  it('escapes values: a value can never inject an Attribute (samlify GHSA-34r5 class)', () => {
    const evil =
      'x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin';
    const built = sampleResponse({
      assertion: {
        nameId: { value: 'a"b<c' },
        sessionIndex: '_s',
        attributes: [{ name: 'title', values: evil }],
      },
    });
    const statement = child(child(rootOf(built.xml), 'saml', 'Assertion'), 'saml', 'AttributeStatement');
    expect(childElements(statement)).toHaveLength(1);
    expect(childElements(statement)[0]!.textContent).toBe(evil);
  });

  it('reports every bad attribute at once', () => {
    let issues: unknown;
    try {
      sampleResponse({
        assertion: {
          nameId: { value: 'a' },
          sessionIndex: '_s',
          attributes: [
            { name: '', values: 'x' },
            { name: 'n', nameFormat: 'not a uri', values: 'x' },
            { name: 'v', values: [1 as never] },
            { name: 'v', values: 'again' },
          ],
        },
      });
    } catch (error) {
      expect(isSamlError(error, 'SAML_INPUT_INVALID')).toBe(true);
      issues = isSamlError(error, 'SAML_INPUT_INVALID')
        ? error.details?.issues.map((i) => i.path)
        : undefined;
    }
    expect(issues).toEqual([
      ['assertion', 'attributes', 0, 'name'],
      ['assertion', 'attributes', 1, 'nameFormat'],
      ['assertion', 'attributes', 2, 'values', 0],
      ['assertion', 'attributes', 3, 'name'],
    ]);
  });
});

describe('buildResponse: status and input checks', () => {
  it('an error Response: the status with second-level code and message, no assertion', () => {
    const built = sampleResponse({
      status: { code: 'Responder', subCode: 'NoPassive', message: 'no session' },
      assertion: undefined,
    });
    expect(built.assertionId).toBeUndefined();
    const root = rootOf(built.xml);
    expect(names(root)).toEqual(['saml:Issuer', 'ds:Signature', 'samlp:Status']);
    const top = child(child(root, 'samlp', 'Status'), 'samlp', 'StatusCode');
    expect(attr(top, 'Value')).toBe(statusCodes.Responder);
    expect(attr(child(top, 'samlp', 'StatusCode'), 'Value')).toBe(statusCodes.NoPassive);
    expect(child(child(root, 'samlp', 'Status'), 'samlp', 'StatusMessage').textContent).toBe('no session');
    // A provider that signs assertions gets its error Responses signed instead; one that signs nothing does not.
    expect(built).toMatchObject({ signedResponse: true, signedAssertion: false });
    const unsigned = sampleResponse({
      provider: spProvider({ signAssertion: false, signingKeyPair: null }),
      status: { code: 'Requester', subCode: 'RequestDenied' },
      assertion: undefined,
    });
    expect(unsigned.xml).not.toContain('Signature');
  });

  it('refuses Success without an assertion, an assertion with an error status, and an unsafe InResponseTo', () => {
    expectThrows(() => sampleResponse({ assertion: undefined }), 'SAML_INPUT_INVALID');
    expectThrows(() => sampleResponse({ status: { code: 'Requester' } }), 'SAML_INPUT_INVALID');
    expectThrows(() => sampleResponse({ inResponseTo: '"><x' }), 'SAML_INPUT_INVALID');
    expectThrows(
      () => sampleResponse({ status: { code: 'Bogus' as never }, assertion: undefined }),
      'SAML_INPUT_INVALID',
    );
    expectThrows(
      () => sampleResponse({ assertion: { id: '_response-1', nameId: { value: 'a' }, sessionIndex: '_s' } }),
      'SAML_INPUT_INVALID',
    );
    expectThrows(
      () => sampleResponse({ assertion: { nameId: { value: '' }, sessionIndex: '' } }),
      'SAML_INPUT_INVALID',
    );
    expectThrows(
      () =>
        sampleResponse({
          assertion: { nameId: { value: 'a' }, sessionIndex: '_s', authnInstant: new Date(Number.NaN) },
        }),
      'SAML_INPUT_INVALID',
    );
  });

  it('refuses a Success Response nothing signs (SAMLProf §4.1.3.5) unless explicitly unsafe', () => {
    const provider = spProvider({ signAssertion: false, signResponse: false });
    expectThrows(() => sampleResponse({ provider }), 'SAML_CONFIG_INVALID');
    const unsafe = sampleResponse({ provider, unsafeAllowUnsignedAssertion: true });
    expect(unsafe).toMatchObject({ signedAssertion: false, signedResponse: false });
    expect(unsafe.xml).not.toContain('Signature');
  });
});

describe('buildResponse: signing as configured', () => {
  const signatures = (xml: string) => (xml.match(/<ds:Signature /g) ?? []).length;

  it('signAssertion: one signature, in the Assertion right after its Issuer', () => {
    const built = sampleResponse();
    expect(signatures(built.xml)).toBe(1);
    expect(names(child(rootOf(built.xml), 'saml', 'Assertion')).slice(0, 2)).toEqual([
      'saml:Issuer',
      'ds:Signature',
    ]);
  });

  it('signResponse: one signature, on the Response, which samlkit’s own verifier accepts', () => {
    const built = sampleResponse({ provider: spProvider({ signAssertion: false, signResponse: true }) });
    expect(built).toMatchObject({ signedAssertion: false, signedResponse: true });
    expect(signatures(built.xml)).toBe(1);
    expect(names(rootOf(built.xml))).toEqual([
      'saml:Issuer',
      'ds:Signature',
      'samlp:Status',
      'saml:Assertion',
    ]);
    const received = receivePost(
      { SAMLResponse: Buffer.from(built.xml).toString('base64') },
      {
        trust: [certificate('idp')],
        clock: fixedClock,
        expect: { issuer: idpEntityId, destination: spAcsUrl },
      },
    );
    expect(received).toMatchObject({ signed: true, messageType: 'Response' });
  });

  it('both: the Response signature covers the signed Assertion (sign assertion, then response)', () => {
    const built = sampleResponse({ provider: spProvider({ signResponse: true }) });
    expect(built).toMatchObject({ signedAssertion: true, signedResponse: true });
    expect(signatures(built.xml)).toBe(2);
    // samlkit's receivers take one signature per message, so the crypto layer checks the outer one here
    // (xmlsec1 checks both in xmlsec.test.ts).
    const parsed = parseXml(built.xml);
    const outer = child(parsed.root, 'ds', 'Signature');
    const verified = verifyEnvelopedSignature(parsed, outer, [certificate('idp')]);
    // The verified canonical bytes include the Assertion with its own signature.
    expect(verified.canonicalXml).toContain('<saml:Assertion');
    expect(signatures(verified.canonicalXml)).toBe(1);
    // Each ID appears exactly twice: the attribute and its Reference URI (authentik's test).
    expect(built.xml.split('_response-1').length - 1).toBe(2);
    expect(built.xml.split('_assertion-1').length - 1).toBe(2);
  });

  it('uses the provider’s key and algorithms, ECDSA included', () => {
    const provider = spProvider({
      signingKeyPair: keyPair('idp-ec-p-256'),
      signatureAlgorithm: signatureAlgorithms.ecdsaSha256,
      signResponse: true,
      signAssertion: false,
    });
    const built = sampleResponse({ provider });
    expect(built.xml).toContain(`Algorithm="${signatureAlgorithms.ecdsaSha256}"`);
    expect(
      receivePost(
        { SAMLResponse: Buffer.from(built.xml).toString('base64') },
        { trust: [certificate('idp-ec-p-256')], clock: fixedClock },
      ).signed,
    ).toBe(true);
  });

  it('is deterministic for a fixed clock and IDs (RSA PKCS#1 v1.5)', () => {
    expect(sampleResponse().xml).toBe(sampleResponse().xml);
    expect(sampleResponse({ issueInstant: new Date(fixedNow.getTime() + 1000) }).xml).not.toBe(
      sampleResponse().xml,
    );
  });
});

describe('buildResponse: encryption (sign assertion → encrypt → sign response)', () => {
  const encrypting = (overrides = {}) =>
    spProvider({ encryptionCertificate: certificate('sp-a'), ...overrides });

  function decryptedAssertion(xml: string, key = keyPair('sp-a'), unsafeAllowCbc = false) {
    const root = rootOf(xml);
    const encrypted = child(root, 'saml', 'EncryptedAssertion');
    const data = childElements(encrypted);
    expect(data.map((d) => d.localName)).toEqual(['EncryptedData']);
    return decryptElement(data[0]!, { key, unsafeAllowCbc });
  }

  it('replaces the Assertion with an EncryptedAssertion: AES-256-GCM, RSA-OAEP, addressed to the SP', () => {
    const built = sampleResponse({ provider: encrypting() });
    expect(built).toMatchObject({ encryptedAssertion: true, signedAssertion: true, signedResponse: false });
    expect(built.xml).not.toContain('<saml:Assertion');
    expect(built.xml).not.toContain('alice@example.com');
    const root = rootOf(built.xml);
    expect(names(root)).toEqual(['saml:Issuer', 'samlp:Status', 'saml:EncryptedAssertion']);
    expect(built.xml).toContain('Type="http://www.w3.org/2001/04/xmlenc#Element"');
    expect(built.xml).toContain(`Algorithm="${dataEncryptionAlgorithms.aes256Gcm}"`);
    expect(built.xml).toContain(`Algorithm="${keyTransportAlgorithms.rsaOaepMgf1p}"`);
    expect(built.xml).toContain(`Recipient="${spEntityId}"`);
  });

  it('the plaintext is the signed Assertion, complete on its own; its signature still verifies', () => {
    const plaintext = decryptedAssertion(sampleResponse({ provider: encrypting() }).xml);
    expect(plaintext.startsWith('<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"')).toBe(
      true,
    );
    const parsed = parseXml(plaintext);
    expect(child(child(parsed.root, 'saml', 'Subject'), 'saml', 'NameID').textContent).toBe(
      'alice@example.com',
    );
    const verified = verifyEnvelopedSignature(parsed, child(parsed.root, 'ds', 'Signature'), [
      certificate('idp'),
    ]);
    expect(verified.canonicalXml).toContain('alice@example.com');
  });

  it('with signResponse, the Response signature covers the EncryptedAssertion', () => {
    const built = sampleResponse({ provider: encrypting({ signResponse: true }) });
    expect(built).toMatchObject({ encryptedAssertion: true, signedAssertion: true, signedResponse: true });
    const parsed = parseXml(built.xml);
    const verified = verifyEnvelopedSignature(parsed, child(parsed.root, 'ds', 'Signature'), [
      certificate('idp'),
    ]);
    expect(verified.canonicalXml).toContain('EncryptedAssertion');
    // Changing the ciphertext breaks the Response signature.
    const tampered = parseXml(
      built.xml.replace(
        /<xenc:CipherValue>(.)/,
        (_m, c: string) => `<xenc:CipherValue>${c === 'A' ? 'B' : 'A'}`,
      ),
    );
    expectThrows(
      () => verifyEnvelopedSignature(tampered, child(tampered.root, 'ds', 'Signature'), [certificate('idp')]),
      'SAML_SIGNATURE_INVALID',
    );
  });

  it('encrypts an unsigned assertion under a signed Response (signResponse only)', () => {
    const built = sampleResponse({ provider: encrypting({ signAssertion: false, signResponse: true }) });
    expect(decryptedAssertion(built.xml)).not.toContain('Signature');
  });

  it('only its SP can decrypt it', () => {
    const { xml } = sampleResponse({ provider: encrypting() });
    expectThrows(() => decryptedAssertion(xml, keyPair('sp-b')), 'SAML_DECRYPTION_FAILED');
  });

  it('AES-128-CBC for an SP that needs it only with the unsafe opt-in; other options pass through', () => {
    const cbc = { dataAlgorithm: dataEncryptionAlgorithms.aes128Cbc };
    expectThrows(
      () => sampleResponse({ provider: encrypting(), encryption: cbc }),
      'SAML_ALGORITHM_FORBIDDEN',
    );
    const built = sampleResponse({ provider: encrypting(), encryption: { ...cbc, unsafeAllowCbc: true } });
    expect(built.xml).toContain(`Algorithm="${dataEncryptionAlgorithms.aes128Cbc}"`);
    expect(decryptedAssertion(built.xml, keyPair('sp-a'), true)).toContain('alice@example.com');
    const oaep = sampleResponse({
      provider: encrypting(),
      encryption: { keyTransport: keyTransportAlgorithms.rsaOaep, recipient: 'urn:other' },
    });
    expect(oaep.xml).toContain(`Algorithm="${keyTransportAlgorithms.rsaOaep}"`);
    expect(oaep.xml).toContain('Recipient="urn:other"');
    expectThrows(
      () =>
        decryptElement(childElements(child(rootOf(oaep.xml), 'saml', 'EncryptedAssertion'))[0]!, {
          key: keyPair('sp-a'),
          recipient: spEntityId,
        }),
      'SAML_ENCRYPTED_DATA_INVALID',
    );
  });

  it('error Responses have nothing to encrypt', () => {
    const built = sampleResponse({
      provider: encrypting(),
      status: { code: 'Responder' },
      assertion: undefined,
    });
    expect(built.encryptedAssertion).toBe(false);
    expect(built.xml).not.toContain('Encrypted');
  });
});
