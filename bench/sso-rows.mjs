// Benchmark rows for Single Sign-On: building a signed (and an encrypted) SAML Response, samlkit
// `buildResponse` + `encodePost` against samlify's `IdentityProvider.createLoginResponse` (POST), on
// the same RSA-2048 IdP key, SP, NameID and ACS. bench/run.mjs adds these rows to its table.
import * as samlify from 'samlify';

const IDP = 'https://idp.example.com/metadata';
const SP = 'https://sp.example.com/metadata';
const ACS = 'https://sp.example.com/acs';
const REQUEST_ID = '_0f1e2d3c4b5a69788796a5b4c3d2e1f0';

/**
 * @param {{ samlkit: typeof import('../dist/index.js'), read: (name: string) => string }} context
 * @returns {Promise<object[]>} rows in bench/run.mjs's shape
 */
export async function ssoRows({ samlkit, read }) {
  // The URIs come from samlkit's own constant tables, the same values samlify is given.
  const EMAIL = samlkit.nameIdFormats.emailAddress;
  const POST = samlkit.bindingUris.post;
  const RSA_SHA256 = samlkit.signatureAlgorithms.rsaSha256;
  const AES256_CBC = samlkit.dataEncryptionAlgorithms.aes256Cbc;
  const OAEP = samlkit.keyTransportAlgorithms.rsaOaepMgf1p;
  const idpKey = samlkit.loadKeyPair({ certificate: read('idp.crt'), privateKey: read('idp.key') });
  const spCert = samlkit.loadKeyPair({ certificate: read('sp-a.crt') });
  const provider = (flags) =>
    samlkit.parseProvider({
      entityId: SP,
      acsUrl: ACS,
      spBinding: 'post',
      issuer: IDP,
      signingKeyPair: idpKey,
      ...flags,
    });
  const assertion = { nameId: { value: 'alice@example.com', format: EMAIL }, sessionIndex: '_s1' };
  const kitResponse = (flags) => {
    const sp = provider(flags);
    return () => {
      const { xml } = samlkit.buildResponse({ provider: sp, inResponseTo: REQUEST_ID, assertion });
      return samlkit.encodePost({ type: 'SAMLResponse', xml, destination: ACS, relayState: 'rs' });
    };
  };

  // samlify: one IdP, one SP per signing choice (samlify reads it from the SP's settings).
  const samlifyIdp = (extra = {}) =>
    samlify.IdentityProvider({
      entityID: IDP,
      privateKey: read('idp.key'),
      signingCert: read('idp.crt'),
      requestSignatureAlgorithm: RSA_SHA256,
      nameIDFormat: [EMAIL],
      singleSignOnService: [{ Binding: POST, Location: 'https://idp.example.com/sso' }],
      ...extra,
    });
  const samlifySp = (extra = {}) =>
    samlify.ServiceProvider({
      entityID: SP,
      privateKey: read('sp-a.key'),
      encPrivateKey: read('sp-a.key'),
      encryptCert: read('sp-a.crt'),
      assertionConsumerService: [{ Binding: POST, Location: ACS }],
      ...extra,
    });
  const requestInfo = { extract: { request: { id: REQUEST_ID } } };
  const user = { email: 'alice@example.com' };
  const samlifyResponse = (idp, sp) => () =>
    idp.createLoginResponse(sp, requestInfo, 'post', user, { relayState: 'rs' });

  const plainIdp = samlifyIdp();
  const encryptingIdp = samlifyIdp({
    isAssertionEncrypted: true,
    dataEncryptionAlgorithm: AES256_CBC,
    keyEncryptionAlgorithm: OAEP,
  });
  const assertionSp = samlifySp({ wantAssertionsSigned: true });
  const bothSp = samlifySp({ wantAssertionsSigned: true, wantMessageSigned: true });

  // Sanity: samlify, as the SP, accepts what samlkit builds in every row, so the rows measure real work.
  samlify.setSchemaValidator({ validate: async () => 'skipped' });
  const check = async (build, idp, sp) => {
    const form = build();
    const parsed = await sp.parseLoginResponse(idp, 'post', { body: form.fields });
    if (parsed.extract.nameID !== 'alice@example.com') throw new Error('samlify did not read our NameID');
  };
  const readerIdp = samlify.IdentityProvider({
    entityID: IDP,
    signingCert: read('idp.crt'),
    singleSignOnService: [{ Binding: POST, Location: 'https://idp.example.com/sso' }],
  });
  const decryptingIdp = samlify.IdentityProvider({
    entityID: IDP,
    signingCert: read('idp.crt'),
    isAssertionEncrypted: true,
    singleSignOnService: [{ Binding: POST, Location: 'https://idp.example.com/sso' }],
  });
  await check(kitResponse({ signAssertion: true, signResponse: false }), readerIdp, assertionSp);
  await check(kitResponse({ signAssertion: true, signResponse: true }), readerIdp, bothSp);
  await check(
    kitResponse({ signAssertion: true, signResponse: false, encryptionCertificate: spCert }),
    decryptingIdp,
    assertionSp,
  );
  // …and samlify's own responses are well-formed enough for itself.
  await samlifyResponse(plainIdp, assertionSp)();
  await samlifyResponse(encryptingIdp, assertionSp)();

  return [
    {
      id: 'sso-response-signed-assertion',
      label: 'SSO Response: build + sign assertion + POST',
      samlkit: kitResponse({ signAssertion: true, signResponse: false }),
      samlify: samlifyResponse(plainIdp, assertionSp),
      raw: 'sign',
    },
    {
      id: 'sso-response-signed-both',
      // The provider default since pysaml2 was found to refuse unsigned Responses as shipped.
      label: 'SSO Response: sign assertion and response + POST (default)',
      samlkit: kitResponse({}),
      samlify: samlifyResponse(plainIdp, bothSp),
      raw: 'sign',
      rawOps: 2, // two signatures: the assertion's and the response's
    },
    {
      id: 'sso-response-encrypted',
      label: 'SSO Response: sign assertion + encrypt + POST',
      samlkit: kitResponse({ signAssertion: true, signResponse: false, encryptionCertificate: spCert }),
      samlify: samlifyResponse(encryptingIdp, assertionSp),
      raw: 'sign',
    },
  ];
}
