/**
 * startIdp with samlify as the SP: samlify reads the IdP's served metadata,
 * sends an AuthnRequest by HTTP-Redirect, and parses the Response (each
 * message XSD-validated through samlify's schema hook, xmllint here); then the
 * misbehaviour switches show what samlify refuses and what it leaves to its caller.
 */
import * as samlify from 'samlify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameIdFormats, signatureAlgorithms } from '../../src/index.js';
import { type RunningIdp, startIdp } from '../../src/serve/index.js';
import { samlifySchemaValidator } from '../interop/support.js';
import { certificatePem, privateKeyPem } from '../support/keys.js';
import { Browser, readFormOf } from './support.js';

const postBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const spEntityId = 'https://samlify-sp.example.test/metadata';

describe('startIdp with a samlify SP', () => {
  let idp: RunningIdp;
  let sp: ReturnType<typeof samlify.ServiceProvider>;
  let idpEntity: ReturnType<typeof samlify.IdentityProvider>;
  beforeAll(async () => {
    samlify.setSchemaValidator(samlifySchemaValidator);
    sp = samlify.ServiceProvider({
      entityID: spEntityId,
      privateKey: privateKeyPem('sp-a'),
      signingCert: certificatePem('sp-a'),
      // samlify refuses to sign for an IdP whose metadata does not ask for it (serve's does not).
      authnRequestsSigned: false,
      wantAssertionsSigned: true,
      requestSignatureAlgorithm: signatureAlgorithms.rsaSha256,
      nameIDFormat: [nameIdFormats.emailAddress],
      assertionConsumerService: [{ Binding: postBinding, Location: 'https://samlify-sp.example.test/acs' }],
    });
    idp = await startIdp({
      mode: 'test',
      signInAs: 'carol',
      users: [{ username: 'carol', attributes: { email: 'carol@example.org', department: 'research' } }],
      serviceProviders: [sp.getMetadata()],
    });
    // samlify takes the IdP as it publishes itself.
    idpEntity = samlify.IdentityProvider({ metadata: await (await fetch(`${idp.url}/metadata`)).text() });
  });
  afterAll(() => idp?.close());

  async function signIn() {
    const { context } = sp.createLoginRequest(idpEntity, 'redirect') as { context: string };
    expect(context.startsWith(`${idp.url}/sso?`)).toBe(true);
    const response = await new Browser().request(context);
    expect(response.status).toBe(200);
    const form = readFormOf(await response.text());
    expect(form.action).toBe('https://samlify-sp.example.test/acs');
    return sp.parseLoginResponse(idpEntity, 'post', { body: { SAMLResponse: form.fields.SAMLResponse } });
  }

  it('signs carol in with her attributes', async () => {
    const { extract } = await signIn();
    expect(extract.nameID).toBe('carol@example.org');
    expect(extract.attributes).toMatchObject({ email: 'carol@example.org', department: 'research' });
  });

  it.each(['wrong-signing-key', 'unsigned', 'expired-assertion'] as const)(
    '%s: samlify refuses the Response',
    async (fault) => {
      idp.misbehave(fault);
      try {
        await expect(signIn()).rejects.toBeTruthy();
      } finally {
        idp.misbehave(undefined);
      }
      expect((await signIn()).extract.nameID).toBe('carol@example.org');
    },
  );

  it('wrong-audience: samlify 2.13.1 accepts it, leaving the Audience check to its caller', async () => {
    idp.misbehave('wrong-audience');
    try {
      const { extract } = await signIn();
      expect(extract.audience).toBe('https://wrong-audience.samlkit.invalid/sp');
      expect(extract.audience).not.toBe(spEntityId);
    } finally {
      idp.misbehave(undefined);
    }
  });
});
