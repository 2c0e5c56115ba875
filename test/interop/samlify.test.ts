/**
 * Interop: samlkit as the IdP, samlify 2.13.1 as the SP.
 * Every cell calls the real library on both sides; see docs/interop.md.
 */
import * as samlify from 'samlify';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  encodePost,
  encodeRedirect,
  nameIdFormats,
  parseLogoutRequest,
  parseLogoutResponse,
  receivePost,
  receiveRedirect,
  signatureAlgorithms,
  statusCodes,
} from '../../src/index.js';
import { certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import {
  awkwardRelayStates,
  browserNormalized,
  expectSamlError,
  fromSp,
  idpEntityId,
  idpPostToSp,
  idpRedirectToSp,
  idpSloUrl,
  idpSsoUrl,
  parameterNames,
  postBinding,
  redirectBinding,
  samlifySchemaValidator,
  samplePrincipal,
  spEntityId,
  splitRedirect,
  spSloUrl,
  stripSignature,
  tamperSignature,
  xmllintAvailable,
  xsdProblems,
} from './support.js';

type Sp = ReturnType<typeof samlify.ServiceProvider>;
type Idp = ReturnType<typeof samlify.IdentityProvider>;

beforeAll(() => {
  // Mandatory and module-global in samlify; it sees every message samlkit sends here.
  samlify.setSchemaValidator(samlifySchemaValidator);
});

/** samlify as an SP that REQUIRES signed logout messages from the IdP. */
function samlifySp(overrides: Partial<Parameters<typeof samlify.ServiceProvider>[0]> = {}): Sp {
  return samlify.ServiceProvider({
    entityID: spEntityId,
    privateKey: privateKeyPem('sp-a'),
    signingCert: certificatePem('sp-a'),
    requestSignatureAlgorithm: signatureAlgorithms.rsaSha256,
    wantLogoutRequestSigned: true,
    wantLogoutResponseSigned: true,
    nameIDFormat: [nameIdFormats.persistent],
    singleLogoutService: [
      { Binding: redirectBinding, Location: spSloUrl },
      { Binding: postBinding, Location: spSloUrl },
    ],
    ...overrides,
  });
}

/** samlkit's IdP as samlify's SP is configured to see it. */
function samlkitIdp(signingCert = certificatePem('idp')): Idp {
  return samlify.IdentityProvider({
    entityID: idpEntityId,
    signingCert,
    singleSignOnService: [{ Binding: redirectBinding, Location: idpSsoUrl }],
    singleLogoutService: [
      { Binding: redirectBinding, Location: idpSloUrl },
      { Binding: postBinding, Location: idpSloUrl },
    ],
    // On the target entity these make samlify SIGN what the SP sends to it.
    wantLogoutRequestSigned: true,
    wantLogoutResponseSigned: true,
  });
}

function idpLogoutRequest(principal = samplePrincipal()) {
  return buildLogoutRequest({
    issuer: idpEntityId,
    destination: spSloUrl,
    nameId: principal.nameId,
    sessionIndex: principal.sessionIndex,
    notOnOrAfter: new Date(Date.now() + 5 * 60_000),
  });
}

const idpKey = () => keyPair('idp');

/** samlify's parse result as its own createLogoutResponse wants it (its typings disagree with themselves). */
function requestInfo(parsed: Awaited<ReturnType<Sp['parseLogoutRequest']>>) {
  return { ...parsed };
}

/** The SP's signed LogoutRequest, as the POST form a browser would submit to the IdP. */
function samlifyPostForm(context: object): Record<string, string> {
  const post = context as { context: string; relayState?: string; type: string; entityEndpoint: string };
  expect(post.entityEndpoint).toBe(idpSloUrl);
  return { [post.type]: post.context, ...(post.relayState ? { RelayState: post.relayState } : {}) };
}

describe('samlify 2.13.1 as SP', () => {
  describe('IdP→SP LogoutRequest', () => {
    it('HTTP-Redirect, RSA-SHA256: samlify verifies it and extracts our ID, Issuer, NameID and SessionIndex', async () => {
      const principal = samplePrincipal();
      const request = idpLogoutRequest(principal);
      const url = idpRedirectToSp('SAMLRequest', request.xml, 'rs-idp');
      expect(parameterNames(url)).toEqual(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']);
      const { query, octetString } = splitRedirect(url);

      const result = await samlifySp().parseLogoutRequest(samlkitIdp(), 'redirect', { query, octetString });

      expect(result.sigAlg).toBe(signatureAlgorithms.rsaSha256);
      expect(result.extract.request).toMatchObject({ id: request.id, destination: spSloUrl });
      expect(result.extract.issuer).toBe(idpEntityId);
      expect(result.extract.nameID).toBe(principal.nameId.value);
      expect(result.extract.sessionIndex).toBe(principal.sessionIndex);
      expect(query.RelayState).toBe('rs-idp');
    });

    it('HTTP-POST, enveloped RSA-SHA256: samlify verifies it and extracts our ID, Issuer, NameID and SessionIndex', async () => {
      const principal = samplePrincipal();
      const request = idpLogoutRequest(principal);
      const form = idpPostToSp('SAMLRequest', request.xml, 'rs-idp');

      const result = await samlifySp().parseLogoutRequest(samlkitIdp(), 'post', { body: form.fields });

      expect(result.extract.request).toMatchObject({ id: request.id, destination: spSloUrl });
      expect(result.extract.issuer).toBe(idpEntityId);
      expect(result.extract.nameID).toBe(principal.nameId.value);
      expect(result.extract.sessionIndex).toBe(principal.sessionIndex);
      expect(result.extract.signature).toEqual(expect.stringContaining('SignatureValue'));
    });

    it('negative: samlify rejects our redirect LogoutRequest when the Signature is tampered or removed', async () => {
      const url = idpRedirectToSp('SAMLRequest', idpLogoutRequest().xml);
      await expect(
        samlifySp().parseLogoutRequest(samlkitIdp(), 'redirect', splitRedirect(tamperSignature(url))),
      ).rejects.toThrow('ERR_FAILED_MESSAGE_SIGNATURE_VERIFICATION');
      await expect(
        samlifySp().parseLogoutRequest(samlkitIdp(), 'redirect', splitRedirect(stripSignature(url))),
      ).rejects.toThrow('ERR_MISSING_SIG_ALG');
    });

    it('negative: samlify rejects our POST LogoutRequest unsigned, or signed by a key it does not trust', async () => {
      const request = idpLogoutRequest();
      const unsigned = encodePost({ type: 'SAMLRequest', xml: request.xml, destination: spSloUrl });
      await expect(
        samlifySp().parseLogoutRequest(samlkitIdp(), 'post', { body: unsigned.fields }),
      ).rejects.toThrow('FAILED_TO_VERIFY_SIGNATURE');
      const foreign = encodePost({
        type: 'SAMLRequest',
        xml: idpLogoutRequest().xml,
        destination: spSloUrl,
        sign: { key: keyPair('idp-rollover') },
      });
      await expect(
        samlifySp().parseLogoutRequest(samlkitIdp(), 'post', { body: foreign.fields }),
      ).rejects.toThrow('ERROR_UNMATCH_CERTIFICATE_DECLARATION_IN_METADATA');
    });
  });

  describe("SP→IdP LogoutRequest and the IdP's LogoutResponse to it", () => {
    it('SP→IdP LogoutRequest, HTTP-Redirect: samlkit verifies samlify’s signed request and reads its fields', () => {
      const principal = samplePrincipal();
      const sent = samlifySp().createLogoutRequest(
        samlkitIdp(),
        'redirect',
        { logoutNameID: principal.nameId.value, sessionIndex: principal.sessionIndex },
        'rs-sp',
      );
      expect(sent.context.startsWith(`${idpSloUrl}?`)).toBe(true);

      const received = receiveRedirect(sent.context, fromSp());

      expect(received).toMatchObject({
        type: 'SAMLRequest',
        messageType: 'LogoutRequest',
        binding: 'redirect',
        signed: true,
        algorithm: signatureAlgorithms.rsaSha256,
        relayState: 'rs-sp',
      });
      const request = parseLogoutRequest(received.xml);
      expect(request.id).toBe(sent.id);
      expect(request.issuer?.value).toBe(spEntityId);
      expect(request.nameId).toEqual(principal.nameId);
      expect(request.sessionIndexes).toEqual([principal.sessionIndex]);
    });

    it('SP→IdP LogoutRequest, HTTP-POST: samlkit verifies samlify’s enveloped-signed request and reads its fields', () => {
      const principal = samplePrincipal();
      const sent = samlifySp().createLogoutRequest(
        samlkitIdp(),
        'post',
        { logoutNameID: principal.nameId.value, sessionIndex: principal.sessionIndex },
        'rs-sp',
      );

      const received = receivePost(samlifyPostForm(sent), fromSp());

      expect(received).toMatchObject({
        type: 'SAMLRequest',
        messageType: 'LogoutRequest',
        binding: 'post',
        signed: true,
        algorithm: signatureAlgorithms.rsaSha256,
        relayState: 'rs-sp',
      });
      const request = parseLogoutRequest(received.xml);
      expect(request.id).toBe(sent.id);
      expect(request.issuer?.value).toBe(spEntityId);
      expect(request.nameId).toEqual(principal.nameId);
      expect(request.sessionIndexes).toEqual([principal.sessionIndex]);
    });

    it('negative: samlkit rejects samlify’s LogoutRequest when the signature is tampered or from an untrusted key', () => {
      const user = { logoutNameID: 'bob@example.com', sessionIndex: '_s' };
      const redirect = samlifySp().createLogoutRequest(samlkitIdp(), 'redirect', user, 'rs');
      expectSamlError(
        () => receiveRedirect(tamperSignature(redirect.context), fromSp()),
        'SAML_SIGNATURE_INVALID',
      );
      const post = samlifyPostForm(samlifySp().createLogoutRequest(samlkitIdp(), 'post', user, 'rs'));
      expectSamlError(
        () => receivePost(post, fromSp({ trust: [keyPair('sp-b')] })),
        'SAML_SIGNATURE_INVALID',
      );
    });

    it('IdP→SP LogoutResponse, HTTP-Redirect: samlify accepts our answer and reports its InResponseTo', async () => {
      const sp = samlifySp();
      const sent = sp.createLogoutRequest(
        samlkitIdp(),
        'redirect',
        { logoutNameID: 'carol@example.com', sessionIndex: '_s1' },
        'rs-sp',
      );
      const received = receiveRedirect(sent.context, fromSp());
      const request = parseLogoutRequest(received.xml);
      const response = buildLogoutResponse({
        issuer: idpEntityId,
        destination: spSloUrl,
        inResponseTo: request.id,
      });
      const url = idpRedirectToSp('SAMLResponse', response.xml, received.relayState);

      const result = await sp.parseLogoutResponse(samlkitIdp(), 'redirect', splitRedirect(url));

      // samlify does not correlate InResponseTo itself; the SP compares it with the ID it stored.
      expect(result.extract.response).toMatchObject({
        id: response.id,
        inResponseTo: sent.id,
        destination: spSloUrl,
      });
      expect(result.extract.issuer).toBe(idpEntityId);
      expect(result.sigAlg).toBe(signatureAlgorithms.rsaSha256);
    });

    it('IdP→SP LogoutResponse, HTTP-POST: samlify accepts our enveloped-signed answer and reports its InResponseTo', async () => {
      const sp = samlifySp();
      const sent = sp.createLogoutRequest(
        samlkitIdp(),
        'post',
        { logoutNameID: 'carol@example.com', sessionIndex: '_s1' },
        'rs-sp',
      );
      const received = receivePost(samlifyPostForm(sent), fromSp());
      const request = parseLogoutRequest(received.xml);
      const response = buildLogoutResponse({
        issuer: idpEntityId,
        destination: spSloUrl,
        inResponseTo: request.id,
      });
      const form = idpPostToSp('SAMLResponse', response.xml, received.relayState);

      const result = await sp.parseLogoutResponse(samlkitIdp(), 'post', { body: form.fields });

      expect(result.extract.response).toMatchObject({
        id: response.id,
        inResponseTo: sent.id,
        destination: spSloUrl,
      });
      expect(result.extract.issuer).toBe(idpEntityId);
      expect(form.fields.RelayState).toBe('rs-sp');
    });

    it('negative: samlify rejects our signed LogoutResponse when its status is not Success', async () => {
      const response = buildLogoutResponse({
        issuer: idpEntityId,
        destination: spSloUrl,
        inResponseTo: '_any',
        status: { code: 'Responder', subCode: 'PartialLogout' },
      });
      const form = idpPostToSp('SAMLResponse', response.xml);
      await expect(
        samlifySp().parseLogoutResponse(samlkitIdp(), 'post', { body: form.fields }),
      ).rejects.toThrow(/ERR_FAILED_STATUS/);
    });
  });

  describe("SP→IdP LogoutResponse answering samlkit's LogoutRequest", () => {
    it('HTTP-Redirect: samlkit verifies samlify’s signed LogoutResponse and matches InResponseTo', async () => {
      const sp = samlifySp();
      const request = idpLogoutRequest();
      const outgoing = idpRedirectToSp('SAMLRequest', request.xml, 'rs-idp');
      const { query, octetString } = splitRedirect(outgoing);
      const parsed = await sp.parseLogoutRequest(samlkitIdp(), 'redirect', { query, octetString });
      const answer = sp.createLogoutResponse(samlkitIdp(), requestInfo(parsed), 'redirect', query.RelayState);

      const received = receiveRedirect(answer.context, fromSp({ expect: { inResponseTo: request.id } }));

      expect(received).toMatchObject({
        type: 'SAMLResponse',
        messageType: 'LogoutResponse',
        binding: 'redirect',
        signed: true,
        algorithm: signatureAlgorithms.rsaSha256,
        relayState: 'rs-idp',
      });
      const response = parseLogoutResponse(received.xml);
      expect(response.id).toBe(answer.id);
      expect(response.inResponseTo).toBe(request.id);
      expect(response.issuer?.value).toBe(spEntityId);
      expect(response.status).toMatchObject({ code: statusCodes.Success, success: true });
    });

    it('HTTP-POST: samlkit verifies samlify’s enveloped-signed LogoutResponse and matches InResponseTo', async () => {
      const sp = samlifySp();
      const request = idpLogoutRequest();
      const outgoing = idpPostToSp('SAMLRequest', request.xml, 'rs-idp');
      const parsed = await sp.parseLogoutRequest(samlkitIdp(), 'post', { body: outgoing.fields });
      const answer = sp.createLogoutResponse(
        samlkitIdp(),
        requestInfo(parsed),
        'post',
        outgoing.fields.RelayState,
      );

      const received = receivePost(samlifyPostForm(answer), fromSp({ expect: { inResponseTo: request.id } }));

      expect(received).toMatchObject({
        type: 'SAMLResponse',
        messageType: 'LogoutResponse',
        binding: 'post',
        signed: true,
        algorithm: signatureAlgorithms.rsaSha256,
        relayState: 'rs-idp',
      });
      const response = parseLogoutResponse(received.xml);
      expect(response.id).toBe(answer.id);
      expect(response.inResponseTo).toBe(request.id);
      expect(response.status.success).toBe(true);
    });

    it('negative: samlkit rejects samlify’s LogoutResponse when it answers another request', async () => {
      const sp = samlifySp();
      const outgoing = idpPostToSp('SAMLRequest', idpLogoutRequest().xml);
      const parsed = await sp.parseLogoutRequest(samlkitIdp(), 'post', { body: outgoing.fields });
      const answer = sp.createLogoutResponse(samlkitIdp(), requestInfo(parsed), 'post', '');
      expectSamlError(
        () => receivePost(samlifyPostForm(answer), fromSp({ expect: { inResponseTo: '_another-request' } })),
        'SAML_IN_RESPONSE_TO_MISMATCH',
      );
    });
  });

  describe('NameID and SessionIndex fidelity', () => {
    it('IdP→SP: samlify reads a NameID with markup characters and reports several SessionIndex values as an array', async () => {
      const request = buildLogoutRequest({
        issuer: idpEntityId,
        destination: spSloUrl,
        nameId: {
          value: `a&<b>"'c`,
          format: nameIdFormats.persistent,
          nameQualifier: idpEntityId,
          spNameQualifier: spEntityId,
        },
        sessionIndex: ['_s1', '_s2'],
      });
      const url = idpRedirectToSp('SAMLRequest', request.xml);
      const viaRedirect = await samlifySp().parseLogoutRequest(samlkitIdp(), 'redirect', splitRedirect(url));
      expect(viaRedirect.extract.nameID).toBe(`a&<b>"'c`);
      expect(viaRedirect.extract.sessionIndex).toEqual(['_s1', '_s2']);
      const form = idpPostToSp('SAMLRequest', request.xml);
      const viaPost = await samlifySp().parseLogoutRequest(samlkitIdp(), 'post', { body: form.fields });
      expect(viaPost.extract.nameID).toBe(`a&<b>"'c`);
    });

    it('SP→IdP: samlkit reads back a NameID with markup characters from samlify', () => {
      const user = { logoutNameID: `a&<b>"'c`, sessionIndex: '_s' };
      const redirect = samlifySp().createLogoutRequest(samlkitIdp(), 'redirect', user, 'rs');
      expect(parseLogoutRequest(receiveRedirect(redirect.context, fromSp()).xml).nameId?.value).toBe(
        `a&<b>"'c`,
      );
      const post = samlifyPostForm(samlifySp().createLogoutRequest(samlkitIdp(), 'post', user, 'rs'));
      expect(parseLogoutRequest(receivePost(post, fromSp()).xml).nameId?.value).toBe(`a&<b>"'c`);
    });
  });

  describe('RelayState encoding', () => {
    it.each(awkwardRelayStates)(
      'IdP→SP redirect LogoutRequest with RelayState %j: samlify verifies our URL, also after a browser followed it',
      async (relayState) => {
        const request = idpLogoutRequest();
        const url = idpRedirectToSp('SAMLRequest', request.xml, relayState);
        // Nothing in our URL is re-encoded by a WHATWG URL parser, so the signed bytes survive.
        expect(browserNormalized(url)).toBe(url);
        const { query, octetString } = splitRedirect(browserNormalized(url));

        const result = await samlifySp().parseLogoutRequest(samlkitIdp(), 'redirect', { query, octetString });

        expect(result.extract.request).toMatchObject({ id: request.id });
        expect(query.RelayState).toBe(relayState);
      },
    );

    it.each(awkwardRelayStates)(
      'IdP→SP redirect LogoutResponse with RelayState %j: samlify verifies our URL',
      async (relayState) => {
        const response = buildLogoutResponse({
          issuer: idpEntityId,
          destination: spSloUrl,
          inResponseTo: '_req',
        });
        const url = idpRedirectToSp('SAMLResponse', response.xml, relayState);
        const { query, octetString } = splitRedirect(url);

        const result = await samlifySp().parseLogoutResponse(samlkitIdp(), 'redirect', {
          query,
          octetString,
        });

        expect(result.extract.response).toMatchObject({ id: response.id, inResponseTo: '_req' });
        expect(query.RelayState).toBe(relayState);
      },
    );

    it.each(awkwardRelayStates)(
      'SP→IdP redirect LogoutRequest with RelayState %j: samlkit verifies samlify’s raw query as is',
      (relayState) => {
        const sent = samlifySp().createLogoutRequest(
          samlkitIdp(),
          'redirect',
          { logoutNameID: 'dave@example.com', sessionIndex: '_s' },
          relayState,
        );
        const received = receiveRedirect(sent.context, fromSp());
        expect(received.relayState).toBe(relayState);
        expect(parseLogoutRequest(received.xml).id).toBe(sent.id);
      },
    );

    it.each(awkwardRelayStates)(
      'SP→IdP redirect LogoutResponse with RelayState %j: samlkit verifies samlify’s raw query as is',
      async (relayState) => {
        const sp = samlifySp();
        const request = idpLogoutRequest();
        const outgoing = idpRedirectToSp('SAMLRequest', request.xml);
        const parsed = await sp.parseLogoutRequest(samlkitIdp(), 'redirect', splitRedirect(outgoing));
        const answer = sp.createLogoutResponse(samlkitIdp(), requestInfo(parsed), 'redirect', relayState);

        const received = receiveRedirect(answer.context, fromSp({ expect: { inResponseTo: request.id } }));

        expect(received.relayState).toBe(relayState);
      },
    );

    it.each(awkwardRelayStates)(
      'SP→IdP POST LogoutRequest with RelayState %j: samlkit reads the urlencoded body a browser submits',
      (relayState) => {
        const sent = samlifySp().createLogoutRequest(
          samlkitIdp(),
          'post',
          { logoutNameID: 'dave@example.com', sessionIndex: '_s' },
          relayState,
        );
        // What the browser posts: application/x-www-form-urlencoded of the form fields.
        const body = new URLSearchParams(samlifyPostForm(sent)).toString();

        const received = receivePost(body, fromSp());

        expect(received.relayState).toBe(relayState);
        expect(parseLogoutRequest(received.xml).id).toBe(sent.id);
      },
    );

    it("peer quirk: samlify leaves ' literal in its signed URL, so a browser's %27 breaks raw verification; acceptReencodedSignature recovers it", () => {
      const relayState = "it's";
      const sent = samlifySp().createLogoutRequest(
        samlkitIdp(),
        'redirect',
        { logoutNameID: 'erin@example.com', sessionIndex: '_s' },
        relayState,
      );
      expect(sent.context).toContain("RelayState=it's");
      const followed = browserNormalized(sent.context);
      expect(followed).toContain('RelayState=it%27s');

      expectSamlError(() => receiveRedirect(followed, fromSp()), 'SAML_SIGNATURE_INVALID');
      const received = receiveRedirect(followed, fromSp({ acceptReencodedSignature: true }));
      expect(received.relayState).toBe(relayState);
    });
  });

  describe('RSA signature algorithms', () => {
    it('IdP→SP LogoutRequest signed RSA-SHA512: samlify verifies it over HTTP-Redirect and HTTP-POST', async () => {
      const sign = { key: idpKey(), algorithm: signatureAlgorithms.rsaSha512 };
      const request = idpLogoutRequest();
      const url = encodeRedirect({ type: 'SAMLRequest', xml: request.xml, destination: spSloUrl, sign });
      const viaRedirect = await samlifySp().parseLogoutRequest(samlkitIdp(), 'redirect', splitRedirect(url));
      expect(viaRedirect.extract.request).toMatchObject({ id: request.id });
      const form = encodePost({ type: 'SAMLRequest', xml: request.xml, destination: spSloUrl, sign });
      const viaPost = await samlifySp().parseLogoutRequest(samlkitIdp(), 'post', { body: form.fields });
      expect(viaPost.extract.request).toMatchObject({ id: request.id });
    });

    it('peer limit: samlify rejects RSA-SHA384 over both HTTP-Redirect and HTTP-POST', async () => {
      const sign = { key: idpKey(), algorithm: signatureAlgorithms.rsaSha384 };
      const request = idpLogoutRequest();
      const url = encodeRedirect({ type: 'SAMLRequest', xml: request.xml, destination: spSloUrl, sign });
      await expect(
        samlifySp().parseLogoutRequest(samlkitIdp(), 'redirect', splitRedirect(url)),
      ).rejects.toThrow('ERR_UNSUPPORTED_SIGNATURE_ALGORITHM');
      const form = encodePost({ type: 'SAMLRequest', xml: request.xml, destination: spSloUrl, sign });
      await expect(
        samlifySp().parseLogoutRequest(samlkitIdp(), 'post', { body: form.fields }),
      ).rejects.toThrow(/rsa-sha384' is not supported/);
    });

    it('SP→IdP LogoutRequest with samlify requestSignatureAlgorithm RSA-SHA512: samlkit verifies redirect and POST', () => {
      const sp = samlifySp({ requestSignatureAlgorithm: signatureAlgorithms.rsaSha512 });
      const user = { logoutNameID: 'frank@example.com', sessionIndex: '_s' };
      const redirect = sp.createLogoutRequest(samlkitIdp(), 'redirect', user, 'rs');
      expect(receiveRedirect(redirect.context, fromSp()).algorithm).toBe(signatureAlgorithms.rsaSha512);
      const post = sp.createLogoutRequest(samlkitIdp(), 'post', user, 'rs');
      expect(receivePost(samlifyPostForm(post), fromSp()).algorithm).toBe(signatureAlgorithms.rsaSha512);
    });

    it('SP→IdP LogoutRequest with samlify requestSignatureAlgorithm RSA-SHA1: samlkit refuses it unless unsafeAllowSha1', () => {
      const sp = samlifySp({ requestSignatureAlgorithm: signatureAlgorithms.rsaSha1 });
      const user = { logoutNameID: 'frank@example.com', sessionIndex: '_s' };
      const redirect = sp.createLogoutRequest(samlkitIdp(), 'redirect', user, 'rs');
      expectSamlError(() => receiveRedirect(redirect.context, fromSp()), 'SAML_ALGORITHM_FORBIDDEN');
      expect(receiveRedirect(redirect.context, fromSp({ unsafeAllowSha1: true })).algorithm).toBe(
        signatureAlgorithms.rsaSha1,
      );
      // POST: RSA-SHA1 signature with a SHA-1 digest.
      const post = samlifyPostForm(sp.createLogoutRequest(samlkitIdp(), 'post', user, 'rs'));
      expectSamlError(() => receivePost(post, fromSp()), 'SAML_ALGORITHM_FORBIDDEN');
      expect(receivePost(post, fromSp({ unsafeAllowSha1: true })).algorithm).toBe(
        signatureAlgorithms.rsaSha1,
      );
    });
  });

  describe('ECDSA (not supported by samlify)', () => {
    const ecIdp = () => samlkitIdp(certificatePem('idp-ec-p-256'));

    it('IdP→SP redirect LogoutRequest signed ECDSA-SHA256: samlify rejects the SigAlg as unsupported', async () => {
      const url = encodeRedirect({
        type: 'SAMLRequest',
        xml: idpLogoutRequest().xml,
        destination: spSloUrl,
        sign: { key: keyPair('idp-ec-p-256') },
      });
      expect(splitRedirect(url).query.SigAlg).toBe(signatureAlgorithms.ecdsaSha256);
      expect(receiveRedirect(url, { trust: [keyPair('idp-ec-p-256')] }).signed).toBe(true);

      await expect(samlifySp().parseLogoutRequest(ecIdp(), 'redirect', splitRedirect(url))).rejects.toThrow(
        'ERR_UNSUPPORTED_SIGNATURE_ALGORITHM',
      );
    });

    it('IdP→SP POST LogoutRequest with an ECDSA-SHA256 enveloped signature: samlify rejects it', async () => {
      const form = encodePost({
        type: 'SAMLRequest',
        xml: idpLogoutRequest().xml,
        destination: spSloUrl,
        sign: { key: keyPair('idp-ec-p-256') },
      });
      expect(form.xml).toContain(signatureAlgorithms.ecdsaSha256);
      await expect(samlifySp().parseLogoutRequest(ecIdp(), 'post', { body: form.fields })).rejects.toThrow(
        /ecdsa-sha256' is not supported/,
      );
    });
  });

  describe('schema validator handed to samlify', () => {
    it.skipIf(!xmllintAvailable)(
      'is a real XSD check: it accepts our messages and rejects a schema-invalid one',
      async () => {
        const request = idpLogoutRequest();
        expect(xsdProblems(request.xml)).toEqual([]);
        const signed = idpPostToSp('SAMLRequest', request.xml);
        expect(xsdProblems(signed.xml)).toEqual([]);
        // SessionIndex before NameID violates the LogoutRequest content model.
        const invalid = request.xml.replace(
          /(<saml:NameID[^>]*>[^<]*<\/saml:NameID>)(<samlp:SessionIndex>[^<]*<\/samlp:SessionIndex>)/,
          '$2$1',
        );
        expect(invalid).not.toBe(request.xml);
        expect(xsdProblems(invalid).length).toBeGreaterThan(0);
        await expect(samlifySchemaValidator.validate(invalid)).rejects.toThrow(/XSD validation failed/);
      },
    );
  });
});
