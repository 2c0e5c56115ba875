/**
 * Attacks on AuthnRequest handling, each run through the facade the way an
 * attacker's browser would deliver it. Every case must be refused, and where
 * the SP is answered, only at an ACS it registered.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  encodePost,
  encodeRedirect,
  type HttpInput,
  nameIdFormats,
  signatureAlgorithms,
} from '../../src/index.js';
import { keyPair } from '../support/keys.js';
import {
  authnRequestXml,
  expectRejects,
  expectUnanswered,
  idpSsoPost,
  idpSsoRedirect,
  postInput,
  redirectInput,
  responseXmlOf,
  spAcsUrl,
  spEntityId,
  spProvider,
  ssoIdp,
} from './support.js';

const evilAcs = 'https://evil.example.com/acs';

/** The signed XML of an AuthnRequest as sp-a would POST it. */
function signedXml(spec: Parameters<typeof authnRequestXml>[0] = {}): string {
  return encodePost({
    type: 'SAMLRequest',
    xml: authnRequestXml(spec),
    destination: idpSsoPost,
    sign: { key: keyPair('sp-a') },
  }).xml;
}

const posted = (xml: string, relayState?: string): HttpInput => ({
  method: 'POST',
  body: {
    SAMLRequest: Buffer.from(xml, 'utf8').toString('base64'),
    ...(relayState ? { RelayState: relayState } : {}),
  },
});

async function refusal(input: HttpInput, provider = spProvider()) {
  const { idp } = await ssoIdp({}, provider);
  const result = await idp.receiveAuthnRequest(input);
  expect(result.ok, 'the attack must be refused').toBe(false);
  if (result.ok) throw new Error('accepted');
  // Wherever the SP is told, it is at its registered ACS, never at a URL from the message.
  if (result.reply) {
    expect(result.reply.form.url).toBe(spAcsUrl);
    expect(responseXmlOf(result.reply.form.fields)).not.toContain('evil.example.com');
  }
  return result;
}

describe('XML signature wrapping on HTTP-POST AuthnRequests', () => {
  it('XSW: a new unsigned request with an evil ACS wraps the signed one in Extensions', async () => {
    const original = signedXml({ id: '_good' });
    const inner = original.replace(/^<samlp:AuthnRequest [^>]*>/, (tag) =>
      tag.replace(/ xmlns:\w+="[^"]*"/g, ''),
    );
    const wrapped = authnRequestXml({ id: '_evil', acsUrl: evilAcs }).replace(
      '</saml:Issuer>',
      `</saml:Issuer><samlp:Extensions>${inner}</samlp:Extensions>`,
    );
    const result = await refusal(posted(wrapped));
    expect(result.error.code).toBe('SAML_SIGNATURE_PROFILE_VIOLATION');
  });

  it('XSW: the signature moved to an evil outer request that reuses the signed ID', async () => {
    const original = signedXml({ id: '_same' });
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(original)![0];
    const unsignedOriginal = original.replace(signature, '');
    const wrapped = authnRequestXml({ id: '_same', acsUrl: evilAcs }).replace(
      '</saml:Issuer>',
      `</saml:Issuer>${signature}<samlp:Extensions>${unsignedOriginal.replace(/ xmlns:\w+="[^"]*"/g, '')}</samlp:Extensions>`,
    );
    const result = await refusal(posted(wrapped));
    expect(result.error.code).toBe('SAML_SIGNATURE_PROFILE_VIOLATION');
  });

  it('an ACS URL added after signing breaks the digest', async () => {
    const original = signedXml();
    const tampered = original.replace(
      'Version="2.0"',
      `Version="2.0" AssertionConsumerServiceURL="${evilAcs}"`,
    );
    expect((await refusal(posted(tampered))).error.code).toBe('SAML_SIGNATURE_INVALID');
  });

  it('a signature placed anywhere but right after the Issuer is refused', async () => {
    const original = signedXml({ nameIdPolicy: { Format: nameIdFormats.emailAddress } });
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(original)![0];
    const moved = original
      .replace(signature, '')
      .replace('</samlp:AuthnRequest>', `${signature}</samlp:AuthnRequest>`);
    expect((await refusal(posted(moved))).error.code).toBe('SAML_SIGNATURE_PROFILE_VIOLATION');
  });

  it('a request signed by another registered SP’s key, claiming to be sp-a, is refused', async () => {
    expect((await refusal(postInput({}, { key: 'sp-b' }))).error.code).toBe('SAML_SIGNATURE_INVALID');
  });
});

describe('HTTP-Redirect AuthnRequests', () => {
  const signedUrl = (spec = {}, relayState?: string) => {
    const input = redirectInput(spec, relayState ? { relayState } : {});
    return input.query!;
  };

  it('a payload swapped for one naming an evil ACS no longer matches the detached signature', async () => {
    const query = signedUrl();
    const evil = Buffer.from(
      deflateRawSync(authnRequestXml({ destination: idpSsoRedirect, acsUrl: evilAcs })),
    ).toString('base64');
    const swapped = query.replace(/^SAMLRequest=[^&]*/, `SAMLRequest=${encodeURIComponent(evil)}`);
    expect((await refusal({ method: 'GET', query: swapped })).error.code).toBe('SAML_SIGNATURE_INVALID');
  });

  it('a changed RelayState breaks the signature (it is signed on this binding)', async () => {
    const query = signedUrl({}, 'back-to-app');
    const changed = query.replace('RelayState=back-to-app', 'RelayState=https%3A%2F%2Fevil.example.com');
    expect((await refusal({ method: 'GET', query: changed })).error.code).toBe('SAML_SIGNATURE_INVALID');
  });

  it('a SigAlg downgrade to RSA-SHA1 is refused before any cryptography', async () => {
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml: authnRequestXml({ destination: idpSsoRedirect }),
      destination: idpSsoRedirect,
      sign: { key: keyPair('sp-a'), algorithm: signatureAlgorithms.rsaSha1, unsafeAllowSha1: true },
    });
    const result = await refusal({ method: 'GET', query: url.slice(url.indexOf('?') + 1) });
    expect(result.error.code).toBe('SAML_ALGORITHM_FORBIDDEN');
  });

  it('a stripped signature is refused when the provider requires signed AuthnRequests', async () => {
    const stripped = signedUrl()
      .split('&')
      .filter((p) => !p.startsWith('SigAlg=') && !p.startsWith('Signature='))
      .join('&');
    const strict = spProvider({ authnRequestsSigned: true });
    expect((await refusal({ method: 'GET', query: stripped }, strict)).error.code).toBe(
      'SAML_SIGNATURE_MISSING',
    );
  });

  it('a signature that does not verify is refused even when none is required', async () => {
    const tampered = signedUrl().replace(/Signature=[^&]{4}/, 'Signature=AAAA');
    expect((await refusal({ method: 'GET', query: tampered })).error.code).toMatch(/^SAML_SIGNATURE_/);
  });
});

describe('message checks', () => {
  it('unregistered ACS lookalikes are refused, and the answer goes to the registered ACS', async () => {
    for (const acsUrl of [
      evilAcs,
      'https://sp-a.example.com.evil.example.com/acs',
      'https://sp-a.example.com@evil.example.com/acs',
      'https://sp-a.example.com/acs/../../evil',
      'https://sp-a.example.com/acs?redirect=https://evil.example.com',
    ]) {
      expect((await refusal(postInput({ acsUrl }))).error.code).toBe('SAML_ACS_NOT_REGISTERED');
    }
  });

  it('a replay is refused, on the same binding or on the other one', async () => {
    const { idp } = await ssoIdp();
    expect((await idp.receiveAuthnRequest(postInput({ id: '_once' }))).ok).toBe(true);
    expect(await idp.receiveAuthnRequest(postInput({ id: '_once' }))).toMatchObject({
      ok: false,
      error: { code: 'SAML_REPLAY_DETECTED' },
    });
    expect(await idp.receiveAuthnRequest(redirectInput({ id: '_once' }))).toMatchObject({
      ok: false,
      error: { code: 'SAML_REPLAY_DETECTED' },
    });
  });

  it('a request signed for another IdP (its Destination) cannot be replayed here', async () => {
    const result = await refusal(postInput({ destination: 'https://other-idp.example.com/sso' }));
    expect(result.error.code).toBe('SAML_DESTINATION_MISMATCH');
  });

  it('unsigned requests are refused when the provider requires a signature', async () => {
    const strict = spProvider({ authnRequestsSigned: true });
    expect((await refusal(postInput({}, { sign: false }), strict)).error.code).toBe('SAML_SIGNATURE_MISSING');
  });

  it('asking for another SP’s pairwise identifier through SPNameQualifier is refused', async () => {
    const result = await refusal(
      postInput({
        nameIdPolicy: {
          Format: nameIdFormats.persistent,
          SPNameQualifier: 'https://sp-b.example.com/metadata',
        },
      }),
    );
    expect(result.error.code).toBe('SAML_NAME_ID_POLICY_UNSUPPORTED');
  });

  it('DOCTYPE, a comment-split Issuer, an invalid ID and oversized payloads are refused before any lookup, with nobody to answer', async () => {
    const { idp } = await ssoIdp();
    const doctype = `<!DOCTYPE x [<!ENTITY e "${spEntityId}">]>${authnRequestXml()}`;
    await expectUnanswered(idp.receiveAuthnRequest(posted(doctype)), 'SAML_XML_DTD_FORBIDDEN');
    const split = authnRequestXml().replace(`>${spEntityId}<`, '>https://sp-a.example.com/meta<!---->data<');
    await expectUnanswered(idp.receiveAuthnRequest(posted(split)), 'SAML_XML_MIXED_CONTENT');
    const badId = authnRequestXml({ id: '_x' }).replace('ID="_x"', 'ID="1&quot; onload=&quot;x"');
    await expectUnanswered(idp.receiveAuthnRequest(posted(badId)), 'SAML_MESSAGE_INVALID');
    const huge = authnRequestXml({ providerName: 'x'.repeat(300 * 1024) });
    await expectUnanswered(idp.receiveAuthnRequest(posted(huge)), 'SAML_BINDING_LIMIT_EXCEEDED');
  });

  it('a RelayState over the facade’s limit (default 2048 bytes) is refused', async () => {
    const input = postInput();
    const result = await refusal({
      ...input,
      body: `${input.body as string}&RelayState=${'r'.repeat(2049)}`,
    });
    expect(result.error.code).toBe('SAML_RELAY_STATE_INVALID');
  });

  it('a pending request whose ACS was altered in the caller’s session store cannot redirect the assertion', async () => {
    const { idp } = await ssoIdp();
    const result = await idp.receiveAuthnRequest(postInput());
    if (!result.ok) throw result.error;
    const altered = { ...result.pending, acs: { url: evilAcs, index: 0 } };
    await expectRejects(idp.completeAuthnRequest(altered, { user: { id: 'u' } }), 'SAML_ACS_NOT_REGISTERED');
    const alteredRequest = {
      ...result.pending,
      request: { ...result.pending.request, assertionConsumerServiceUrl: evilAcs },
    };
    await expectRejects(
      idp.completeAuthnRequest(alteredRequest, { user: { id: 'u' } }),
      'SAML_ACS_NOT_REGISTERED',
    );
    await expectRejects(idp.completeAuthnRequest({} as never, { user: { id: 'u' } }), 'SAML_INPUT_INVALID');
  });

  it('an altered NameID format in the stored state is not trusted: the request and the registration decide', async () => {
    const { idp } = await ssoIdp();
    const result = await idp.receiveAuthnRequest(postInput());
    if (!result.ok) throw result.error;
    const altered = {
      ...result.pending,
      nameIdFormat: nameIdFormats.entity as never,
      spNameQualifier: 'urn:other',
    };
    const reply = await idp.completeAuthnRequest(altered, { user: { id: 'u' } });
    expect(reply.nameId).toEqual({ value: 'u', format: nameIdFormats.unspecified });
  });
});
