/**
 * Names taken from documents are looked up in Maps or with Object.hasOwn,
 * never in object literals: every Object.prototype property name, put in every
 * place a document names something (namespace URIs, prefixes, element and
 * attribute names, binding / format / status / algorithm URIs, entity IDs, IDs,
 * parameter and field names), and sent to every entry point, ends in a result
 * or a SamlError. The messages are validly signed by sp-a where that lets the
 * name reach the readers that run after verification.
 */
import { describe, expect, it } from 'vitest';
import {
  type HttpInput,
  parseAuthnRequest,
  parseLogoutRequest,
  parseLogoutResponse,
  parseSpMetadata,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from '../../src/index.js';
import { authnRequestXml } from '../sso/support.js';
import { settle } from '../support/growth.js';
import {
  cliFailedUnexpectedly,
  fixedClock,
  fixedNow,
  idpSloUrl,
  idpSsoPost,
  idpSsoRedirect,
  logoutRequestXml,
  logoutResponseXml,
  receiveOptionsFor,
  runMain,
  signedForm,
  signedQuery,
  signedSoap,
  spCertificateFile,
  spEntityId,
  spMetadataXml,
  ssoIdp,
} from './hostile.js';

const names = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
] as const;

const samlp = 'urn:oasis:names:tc:SAML:2.0:protocol';

/** Places in a LogoutRequest; each returns the message with `name` there. */
const logoutRequestPlaces: Record<string, (name: string) => string> = {
  'namespace URI in Extensions': (name) => logoutRequestXml({ extensions: `<x:e xmlns:x="${name}">v</x:e>` }),
  'default namespace in Extensions': (name) => logoutRequestXml({ extensions: `<e xmlns="${name}">v</e>` }),
  'prefix in Extensions': (name) =>
    logoutRequestXml({ extensions: `<${name}:e xmlns:${name}="urn:x">v</${name}:e>` }),
  'samlp element name in Extensions': (name) =>
    logoutRequestXml({ extensions: `<samlp:${name}>v</samlp:${name}>` }),
  'saml element name in Extensions': (name) =>
    logoutRequestXml({ extensions: `<saml:${name}>v</saml:${name}>` }),
  'attribute names in Extensions': (name) =>
    logoutRequestXml({ extensions: `<e xmlns:x="urn:x" ${name}="v" x:${name}="v"/>` }),
  'attribute name on the root': (name) => logoutRequestXml({ rootAttributes: ` ${name}="v"` }),
  'root element name': (name) =>
    logoutRequestXml()
      .replace('<samlp:LogoutRequest ', `<samlp:${name} `)
      .replace('</samlp:LogoutRequest>', `</samlp:${name}>`),
  'root element namespace': (name) =>
    logoutRequestXml().replace(`xmlns:samlp="${samlp}"`, `xmlns:samlp="${name}"`),
  'NameID Format': (name) => logoutRequestXml({ nameIdFormat: name }),
  'Issuer (entity ID)': (name) =>
    logoutRequestXml().replace(`<saml:Issuer>${spEntityId}`, `<saml:Issuer>${name}`),
  'Issuer Format': (name) => logoutRequestXml().replace('<saml:Issuer>', `<saml:Issuer Format="${name}">`),
  ID: (name) => logoutRequestXml({ id: name }),
  'NameID and SessionIndex values': (name) =>
    logoutRequestXml().replace('alice@example.com', name).replace('>_s1<', `>${name}<`),
  Reason: (name) => logoutRequestXml({ rootAttributes: ` Reason="${name}"` }),
};

const authnRequestPlaces: Record<string, (name: string) => string> = {
  ProtocolBinding: (name) => authnRequestXml({ protocolBinding: name }),
  'NameIDPolicy Format': (name) => authnRequestXml({ nameIdPolicy: { Format: name, AllowCreate: 'true' } }),
  'NameIDPolicy SPNameQualifier': (name) => authnRequestXml({ nameIdPolicy: { SPNameQualifier: name } }),
  'RequestedAuthnContext Comparison': (name) =>
    authnRequestXml({ requestedAuthnContext: { comparison: name, classRefs: [name] } }),
  AssertionConsumerServiceIndex: (name) => authnRequestXml({ acsIndex: name }),
  'ForceAuthn and IsPassive': (name) => authnRequestXml({ forceAuthn: name, isPassive: name }),
  'Subject NameID Format': (name) => authnRequestXml({ subject: { value: name, format: name } }),
  'namespace URI in Extensions': (name) =>
    authnRequestXml().replace(
      '</saml:Issuer>',
      `</saml:Issuer><samlp:Extensions><x:e xmlns:x="${name}"/></samlp:Extensions>`,
    ),
};

const logoutResponsePlaces: Record<string, (name: string) => string> = {
  'StatusCode Value': (name) => logoutResponseXml().replace(/(<samlp:StatusCode Value=")[^"]*/, `$1${name}`),
  'nested StatusCode Value': (name) =>
    logoutResponseXml().replace(
      /<samlp:StatusCode Value="([^"]*)"\/>/,
      `<samlp:StatusCode Value="$1"><samlp:StatusCode Value="${name}"/></samlp:StatusCode>`,
    ),
  InResponseTo: (name) => logoutResponseXml().replace('InResponseTo="_pending"', `InResponseTo="${name}"`),
  'namespace URI in Extensions': (name) => logoutResponseXml(`<x:e xmlns:x="${name}"/>`),
};

/** Changes to a signed message's Signature (the name reaches the profile checks before crypto). */
const signaturePlaces: Record<string, (signed: string, name: string) => string> = {
  'SignatureMethod Algorithm': (xml, name) =>
    xml.replace(/(<ds:SignatureMethod Algorithm=")[^"]*/, `$1${name}`),
  'DigestMethod Algorithm': (xml, name) => xml.replace(/(<ds:DigestMethod Algorithm=")[^"]*/, `$1${name}`),
  'Transform Algorithm': (xml, name) => xml.replace(/(<ds:Transform Algorithm=")[^"]*/, `$1${name}`),
  'CanonicalizationMethod Algorithm': (xml, name) =>
    xml.replace(/(<ds:CanonicalizationMethod Algorithm=")[^"]*/, `$1${name}`),
  'InclusiveNamespaces PrefixList': (xml, name) =>
    xml.replace(
      /<ds:CanonicalizationMethod Algorithm="([^"]*)"\/>/,
      `<ds:CanonicalizationMethod Algorithm="$1"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="${name}"/></ds:CanonicalizationMethod>`,
    ),
  'Reference URI': (xml, name) => xml.replace(/(<ds:Reference URI="#)[^"]*/, `$1${name}`),
};

const { idp } = await ssoIdp({
  endpoints: {
    sloRedirect: idpSloUrl,
    sloPost: idpSloUrl,
    sloSoap: idpSloUrl,
    ssoRedirect: idpSsoRedirect,
    ssoPost: idpSsoPost,
  },
});

/** Runs `fn`; anything but a result or a SamlError fails with the place and name in the message. */
async function expectOnlyResultOrSamlError(what: string, fn: () => unknown): Promise<void> {
  try {
    await settle(fn);
  } catch (error) {
    throw new Error(`${what}: ${(error as Error)?.stack ?? String(error)}`);
  }
}

/** Builders that may refuse to sign malformed input: the refusal itself must be a SamlError. */
function orSkip<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if ((error as { code?: string })?.code?.startsWith('SAML_')) return undefined;
    throw error;
  }
}

const post = (fields: Record<string, string>): HttpInput => ({
  method: 'POST',
  body: new URLSearchParams(fields).toString(),
  contentType: 'application/x-www-form-urlencoded',
});

describe('prototype property names in documents end in a result or a SamlError', () => {
  describe.each(Object.entries(logoutRequestPlaces))('LogoutRequest: %s', (_place, place) => {
    it.each(names)('%s', async (name) => {
      const xml = place(name);
      const options = receiveOptionsFor(idpSloUrl);
      const query = orSkip(() => signedQuery(xml, idpSloUrl));
      const form = orSkip(() => signedForm(xml, idpSloUrl));
      const soap = orSkip(() => signedSoap(xml));
      const unsignedForm = { SAMLRequest: Buffer.from(xml).toString('base64') };
      const runs: [string, () => unknown][] = [
        ['receivePost unsigned', () => receivePost(unsignedForm, { ...options, requireSignature: false })],
        ['facade POST unsigned', () => idp.handleLogoutRequest(post(unsignedForm))],
        [
          'samlkit decode',
          async () =>
            expect(
              cliFailedUnexpectedly(
                (await runMain(['decode', '-'], new URLSearchParams(unsignedForm).toString())).output,
              ),
            ).toBe(false),
        ],
      ];
      if (query) {
        runs.push(['receiveRedirect', () => parseLogoutRequest(receiveRedirect(query, options).xml)]);
        runs.push(['facade redirect', () => idp.handleLogoutRequest({ method: 'GET', query })]);
      }
      if (form) {
        runs.push(['receivePost', () => parseLogoutRequest(receivePost(form, options).xml)]);
        runs.push(['facade POST', () => idp.handleLogoutRequest(post(form))]);
        runs.push([
          'samlkit verify',
          async () => {
            const { output } = await runMain(
              ['verify', '-', '--cert', spCertificateFile, '--now', fixedNow.toISOString()],
              new URLSearchParams(form).toString(),
            );
            expect(cliFailedUnexpectedly(output)).toBe(false);
          },
        ]);
        for (const [where, change] of Object.entries(signaturePlaces)) {
          const changed = change(Buffer.from(form.SAMLRequest!, 'base64').toString('utf8'), name);
          const fields = { SAMLRequest: Buffer.from(changed).toString('base64') };
          runs.push([`receivePost, ${where}`, () => receivePost(fields, options)]);
          runs.push([`facade POST, ${where}`, () => idp.handleLogoutRequest(post(fields))]);
        }
      }
      if (soap) {
        runs.push([
          'receiveSoap',
          () => parseLogoutRequest(receiveSoap(soap, { ...options, expect: { issuer: spEntityId } }).xml),
        ]);
        runs.push([
          'facade SOAP',
          () =>
            idp.handleLogoutRequest({ method: 'POST', body: soap, contentType: 'text/xml; charset=utf-8' }),
        ]);
      }
      for (const [what, run] of runs) await expectOnlyResultOrSamlError(what, run);
    });
  });

  describe.each(Object.entries(authnRequestPlaces))('AuthnRequest: %s', (_place, place) => {
    it.each(names)('%s', async (name) => {
      const xml = place(name);
      const form = orSkip(() => signedForm(xml, idpSsoPost));
      const redirectXml = xml.replace(`Destination="${idpSsoPost}"`, `Destination="${idpSsoRedirect}"`);
      const query = orSkip(() => signedQuery(redirectXml, idpSsoRedirect));
      const runs: [string, () => unknown][] = [];
      if (form) {
        runs.push([
          'receivePost',
          () => parseAuthnRequest(receivePost(form, receiveOptionsFor(idpSsoPost)).xml),
        ]);
        runs.push(['receiveAuthnRequest POST', () => idp.receiveAuthnRequest(post(form))]);
      }
      if (query)
        runs.push(['receiveAuthnRequest redirect', () => idp.receiveAuthnRequest({ method: 'GET', query })]);
      expect(runs.length).toBeGreaterThan(0);
      for (const [what, run] of runs) await expectOnlyResultOrSamlError(what, run);
    });
  });

  describe.each(Object.entries(logoutResponsePlaces))('LogoutResponse: %s', (_place, place) => {
    it.each(names)('%s', async (name) => {
      const xml = place(name);
      const form = orSkip(() => signedForm(xml, idpSloUrl, 'SAMLResponse'));
      const runs: [string, () => unknown][] = [];
      if (form) {
        runs.push([
          'receivePost',
          () => parseLogoutResponse(receivePost(form, receiveOptionsFor(idpSloUrl)).xml),
        ]);
        runs.push(['handleLogoutResponse', () => idp.handleLogoutResponse(post(form))]);
      }
      expect(runs.length).toBeGreaterThan(0);
      for (const [what, run] of runs) await expectOnlyResultOrSamlError(what, run);
    });
  });

  describe('HTTP parameter and field names', () => {
    it.each(names)('%s', async (name) => {
      const xml = logoutRequestXml();
      const query = signedQuery(xml, idpSloUrl);
      const form = signedForm(xml, idpSloUrl);
      const options = receiveOptionsFor(idpSloUrl);
      const runs: [string, () => unknown][] = [
        ['receiveRedirect, extra parameter', () => receiveRedirect(`${name}=x&${query}`, options)],
        [
          'receiveRedirect, SigAlg',
          () => receiveRedirect(query.replace(/SigAlg=[^&]*/, `SigAlg=${name}`), options),
        ],
        ['receiveRedirect, RelayState', () => receiveRedirect(`${query}&RelayState=${name}`, options)],
        ['receiveRedirect, SAMLEncoding', () => receiveRedirect(`${query}&SAMLEncoding=${name}`, options)],
        ['receivePost, extra field', () => receivePost({ ...form, [name]: 'x' }, options)],
        [
          'receivePost, JSON body with that key',
          () => receivePost(JSON.parse(`{"${name}": "x", "SAMLRequest": "${form.SAMLRequest}"}`), options),
        ],
        [
          'receivePost, urlencoded body',
          () => receivePost(`${name}=x&${new URLSearchParams(form)}`, options),
        ],
        [
          'facade redirect, extra parameter',
          () => idp.handleLogoutRequest({ method: 'GET', query: `${name}=x&${query}` }),
        ],
        [
          'facade POST, JSON body',
          () =>
            idp.handleLogoutRequest({
              method: 'POST',
              body: JSON.parse(`{"${name}": "x", "SAMLRequest": "${form.SAMLRequest}"}`),
            }),
        ],
        [
          'receiveAuthnRequest, extra parameter',
          () => idp.receiveAuthnRequest({ method: 'GET', query: `${name}=x&SAMLRequest=x` }),
        ],
      ];
      for (const [what, run] of runs) await expectOnlyResultOrSamlError(what, run);
    });
  });
});

describe('prototype property names in SP metadata end in a result or a SamlError', () => {
  const options = { requireSignature: false, clock: fixedClock } as const;
  const places: Record<string, (name: string) => string> = {
    'ACS Binding': (name) =>
      spMetadataXml({
        acs: `<md:AssertionConsumerService Binding="${name}" Location="https://sp-a.example.com/a" index="7"/>`,
      }),
    'SLS Binding': (name) =>
      spMetadataXml({
        extra: `<md:SingleLogoutService Binding="${name}" Location="https://sp-a.example.com/s"/>`,
      }),
    NameIDFormat: (name) => spMetadataXml({ extra: `<md:NameIDFormat>${name}</md:NameIDFormat>` }),
    'KeyDescriptor use': (name) => spMetadataXml().replace('use="signing"', `use="${name}"`),
    'EncryptionMethod Algorithm': (name) =>
      spMetadataXml().replace(/(<md:EncryptionMethod Algorithm=")[^"]*/, `$1${name}`),
    entityID: (name) => spMetadataXml().replace(`entityID="${spEntityId}"`, `entityID="${name}"`),
    protocolSupportEnumeration: (name) =>
      spMetadataXml().replace(
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"',
        `protocolSupportEnumeration="${name}"`,
      ),
    'namespace URI in md:Extensions': (name) =>
      spMetadataXml({ descriptorExtra: `<md:Extensions><x:e xmlns:x="${name}"/></md:Extensions>` }),
    'attribute names on the descriptor': (name) =>
      spMetadataXml().replace('<md:SPSSODescriptor ', `<md:SPSSODescriptor ${name}="true" `),
    'AuthnRequestsSigned and WantAssertionsSigned': (name) =>
      spMetadataXml().replace(
        '<md:SPSSODescriptor ',
        `<md:SPSSODescriptor AuthnRequestsSigned="${name}" WantAssertionsSigned="${name}" `,
      ),
    'ACS index and isDefault': (name) =>
      spMetadataXml({
        acs: `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp-a.example.com/a" index="${name}" isDefault="${name}"/>`,
      }),
  };
  describe.each(Object.entries(places))('%s', (_place, place) => {
    it.each(names)('%s', async (name) => {
      await expectOnlyResultOrSamlError('parseSpMetadata', () => parseSpMetadata(place(name), options));
      await expectOnlyResultOrSamlError('parseSpMetadata with entityId', () =>
        parseSpMetadata(place(name), { ...options, entityId: name }),
      );
    });
  });
});
