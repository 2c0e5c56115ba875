/**
 * Interop: samlkit as the IdP, @node-saml/node-saml 5.1.0 as the SP.
 * Every cell calls the real library on both sides; see docs/interop.md.
 */
import { type Profile, SAML, type SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  encodePost,
  encodeRedirect,
  nameIdFormats,
  parseLogoutRequest,
  parseLogoutResponse,
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
  inflateRedirectMessage,
  nodeSamlEncodersDisagree,
  parameterNames,
  rawParameter,
  rootId,
  samplePrincipal,
  spAcsUrl,
  spEntityId,
  splitRedirect,
  spSloUrl,
  stripSignature,
  tamperSignature,
} from './support.js';

/** node-saml configured as a strict SP that trusts samlkit's IdP certificate. */
function nodeSamlSp(overrides: Partial<SamlConfig> = {}): SAML {
  return new SAML({
    callbackUrl: spAcsUrl,
    issuer: spEntityId,
    idpCert: certificatePem('idp'),
    idpIssuer: idpEntityId,
    entryPoint: idpSsoUrl,
    logoutUrl: idpSloUrl,
    privateKey: privateKeyPem('sp-a'),
    signatureAlgorithm: 'sha256',
    validateInResponseTo: ValidateInResponseTo.ifPresent,
    ...overrides,
  });
}

/** The SP's view of the session it asks the IdP to end. */
function spProfile(principal = samplePrincipal()): Profile {
  return {
    issuer: idpEntityId,
    nameID: principal.nameId.value,
    nameIDFormat: principal.nameId.format,
    sessionIndex: principal.sessionIndex,
  };
}

/** samlkit's signed IdP-initiated LogoutRequest to the SP. */
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

describe('node-saml 5.1.0 as SP', () => {
  describe('IdP→SP LogoutRequest', () => {
    it('HTTP-Redirect, RSA-SHA256: node-saml verifies it and extracts our ID, Issuer, NameID and SessionIndex', async () => {
      const principal = samplePrincipal();
      const request = idpLogoutRequest(principal);
      const url = idpRedirectToSp('SAMLRequest', request.xml);
      // node-saml accepts unsigned redirect messages, so check ours is signed.
      expect(parameterNames(url)).toEqual(['SAMLRequest', 'SigAlg', 'Signature']);
      const { query, rawQuery } = splitRedirect(url);
      expect(query.SigAlg).toBe(signatureAlgorithms.rsaSha256);

      const result = await nodeSamlSp().validateRedirectAsync(query, rawQuery);

      expect(result.loggedOut).toBe(true);
      expect(result.profile).toMatchObject({
        ID: request.id,
        issuer: idpEntityId,
        nameID: principal.nameId.value,
        nameIDFormat: nameIdFormats.persistent,
        sessionIndex: principal.sessionIndex,
      });
    });

    it('HTTP-POST, enveloped RSA-SHA256: node-saml verifies it and extracts our ID, Issuer, NameID and SessionIndex', async () => {
      const principal = samplePrincipal();
      const request = idpLogoutRequest(principal);
      const form = idpPostToSp('SAMLRequest', request.xml, 'rs-post');
      expect(form.url).toBe(spSloUrl);

      const result = await nodeSamlSp().validatePostRequestAsync(form.fields);

      expect(result.loggedOut).toBe(true);
      expect(result.profile).toMatchObject({
        ID: request.id,
        issuer: idpEntityId,
        nameID: principal.nameId.value,
        nameIDFormat: nameIdFormats.persistent,
        sessionIndex: principal.sessionIndex,
      });
      // node-saml ignores RelayState on POST; the SP reads the field itself.
      expect(form.fields.RelayState).toBe('rs-post');
    });

    it('negative: node-saml rejects our redirect LogoutRequest when the Signature is tampered', async () => {
      const url = idpRedirectToSp('SAMLRequest', idpLogoutRequest().xml);
      const { query, rawQuery } = splitRedirect(tamperSignature(url));
      await expect(nodeSamlSp().validateRedirectAsync(query, rawQuery)).rejects.toThrow(
        /Invalid query signature/,
      );
    });

    it('negative: node-saml rejects our POST LogoutRequest signed with a key it does not trust', async () => {
      const form = encodePost({
        type: 'SAMLRequest',
        xml: idpLogoutRequest().xml,
        destination: spSloUrl,
        sign: { key: keyPair('idp-rollover') },
      });
      await expect(nodeSamlSp().validatePostRequestAsync(form.fields)).rejects.toThrow(
        /Invalid signature on documentElement/,
      );
    });

    it('peer quirk: node-saml accepts an UNSIGNED redirect LogoutRequest (it has no option to require one)', async () => {
      const url = idpRedirectToSp('SAMLRequest', idpLogoutRequest().xml);
      const { query, rawQuery } = splitRedirect(stripSignature(url));
      const result = await nodeSamlSp().validateRedirectAsync(query, rawQuery);
      expect(result.loggedOut).toBe(true);
    });

    it("peer quirk: node-saml rejects a correctly signed redirect whose RelayState contains 'SigAlg'", async () => {
      const url = idpRedirectToSp('SAMLRequest', idpLogoutRequest().xml, 'SigAlg');
      // The same URL is fine for samlkit's own verifier…
      expect(receiveRedirect(url, { trust: [keyPair('idp')] }).relayState).toBe('SigAlg');
      // …but node-saml picks query tokens by substring and rebuilds the wrong octet string.
      const { query, rawQuery } = splitRedirect(url);
      await expect(nodeSamlSp().validateRedirectAsync(query, rawQuery)).rejects.toThrow(
        /Invalid query signature/,
      );
    });
  });

  describe("SP→IdP LogoutRequest and the IdP's LogoutResponse to it", () => {
    it('SP→IdP LogoutRequest, HTTP-Redirect: samlkit verifies node-saml’s signed request and reads its fields', async () => {
      const sp = nodeSamlSp();
      const profile = spProfile();
      const url = await sp.getLogoutUrlAsync(profile, 'rs-sp', {});
      expect(url.startsWith(`${idpSloUrl}?`)).toBe(true);
      const sentId = rootId(inflateRedirectMessage(url));

      const received = receiveRedirect(url, fromSp());

      expect(received).toMatchObject({
        type: 'SAMLRequest',
        messageType: 'LogoutRequest',
        binding: 'redirect',
        signed: true,
        algorithm: signatureAlgorithms.rsaSha256,
        relayState: 'rs-sp',
      });
      const request = parseLogoutRequest(received.xml);
      expect(request.id).toBe(sentId);
      expect(request.issuer?.value).toBe(spEntityId);
      expect(request.destination).toBe(idpSloUrl);
      expect(request.nameId).toEqual({ value: profile.nameID, format: profile.nameIDFormat });
      expect(request.sessionIndexes).toEqual([profile.sessionIndex]);
    });

    it('negative: samlkit rejects node-saml’s LogoutRequest when the Signature is tampered', async () => {
      const url = await nodeSamlSp().getLogoutUrlAsync(spProfile(), 'rs-sp', {});
      expectSamlError(() => receiveRedirect(tamperSignature(url), fromSp()), 'SAML_SIGNATURE_INVALID');
      expectSamlError(() => receiveRedirect(stripSignature(url), fromSp()), 'SAML_SIGNATURE_MISSING');
    });

    async function receiveSpRequest(sp: SAML) {
      const url = await sp.getLogoutUrlAsync(spProfile(), 'rs-sp', {});
      const received = receiveRedirect(url, fromSp());
      return { received, request: parseLogoutRequest(received.xml) };
    }

    it('IdP→SP LogoutResponse, HTTP-Redirect: node-saml accepts our answer (InResponseTo checked against its request cache)', async () => {
      const sp = nodeSamlSp();
      const { received, request } = await receiveSpRequest(sp);
      const response = buildLogoutResponse({
        issuer: idpEntityId,
        destination: spSloUrl,
        inResponseTo: request.id,
      });
      const url = idpRedirectToSp('SAMLResponse', response.xml, received.relayState);
      expect(parameterNames(url)).toEqual(['SAMLResponse', 'RelayState', 'SigAlg', 'Signature']);
      const { query, rawQuery } = splitRedirect(url);

      const result = await sp.validateRedirectAsync(query, rawQuery);

      expect(result).toEqual({ profile: null, loggedOut: true });
      expect(query.RelayState).toBe('rs-sp');
    });

    it('IdP→SP LogoutResponse, HTTP-POST: node-saml accepts our enveloped-signed answer', async () => {
      const sp = nodeSamlSp();
      const { received, request } = await receiveSpRequest(sp);
      const response = buildLogoutResponse({
        issuer: idpEntityId,
        destination: spSloUrl,
        inResponseTo: request.id,
      });
      const form = idpPostToSp('SAMLResponse', response.xml, received.relayState);

      const result = await sp.validatePostResponseAsync(form.fields);

      expect(result).toEqual({ profile: null, loggedOut: true });
      expect(rootId(form.xml)).toBe(response.id);
      expect(form.xml).toContain(`InResponseTo="${request.id}"`);
    });

    it('negative: node-saml rejects our redirect LogoutResponse whose InResponseTo names no request it sent', async () => {
      const response = buildLogoutResponse({
        issuer: idpEntityId,
        destination: spSloUrl,
        inResponseTo: '_not-a-request-of-this-sp',
      });
      const url = idpRedirectToSp('SAMLResponse', response.xml);
      const { query, rawQuery } = splitRedirect(url);
      await expect(nodeSamlSp().validateRedirectAsync(query, rawQuery)).rejects.toThrow(
        /InResponseTo is not valid/,
      );
    });
  });

  describe("SP→IdP LogoutResponse answering samlkit's LogoutRequest", () => {
    it('HTTP-Redirect: samlkit verifies node-saml’s signed LogoutResponse and matches InResponseTo', async () => {
      const sp = nodeSamlSp();
      const request = idpLogoutRequest();
      const outgoing = idpRedirectToSp('SAMLRequest', request.xml, 'rs-idp');
      const { query, rawQuery } = splitRedirect(outgoing);
      const { profile } = await sp.validateRedirectAsync(query, rawQuery);
      expect(profile).not.toBeNull();
      const url = await sp.getLogoutResponseUrlAsync(profile!, query.RelayState!, {}, true);

      const received = receiveRedirect(url, fromSp({ expect: { inResponseTo: request.id } }));

      expect(received).toMatchObject({
        type: 'SAMLResponse',
        messageType: 'LogoutResponse',
        signed: true,
        algorithm: signatureAlgorithms.rsaSha256,
        relayState: 'rs-idp',
      });
      const response = parseLogoutResponse(received.xml);
      expect(response.inResponseTo).toBe(request.id);
      expect(response.issuer?.value).toBe(spEntityId);
      expect(response.status).toMatchObject({ code: statusCodes.Success, success: true });
    });

    it('HTTP-Redirect, failure status: samlkit reads node-saml’s Requester/UnknownPrincipal answer', async () => {
      const sp = nodeSamlSp();
      const request = idpLogoutRequest();
      const { query, rawQuery } = splitRedirect(idpRedirectToSp('SAMLRequest', request.xml));
      const { profile } = await sp.validateRedirectAsync(query, rawQuery);
      const url = await sp.getLogoutResponseUrlAsync(profile!, '', {}, false);

      const received = receiveRedirect(url, fromSp({ expect: { inResponseTo: request.id } }));

      const response = parseLogoutResponse(received.xml);
      expect(response.status).toMatchObject({
        code: statusCodes.Requester,
        subCode: statusCodes.UnknownPrincipal,
        success: false,
      });
    });

    it('negative: samlkit rejects node-saml’s LogoutResponse when it answers another request', async () => {
      const sp = nodeSamlSp();
      const request = idpLogoutRequest();
      const { query, rawQuery } = splitRedirect(idpRedirectToSp('SAMLRequest', request.xml));
      const { profile } = await sp.validateRedirectAsync(query, rawQuery);
      const url = await sp.getLogoutResponseUrlAsync(profile!, '', {}, true);
      expectSamlError(
        () => receiveRedirect(url, fromSp({ expect: { inResponseTo: '_some-other-request' } })),
        'SAML_IN_RESPONSE_TO_MISMATCH',
      );
    });
  });

  describe('NameID and SessionIndex fidelity', () => {
    it('peer limit: node-saml reads a NameID with markup characters but keeps only the first SessionIndex and drops NameID qualifiers', async () => {
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
      const { query, rawQuery } = splitRedirect(url);
      const { profile } = await nodeSamlSp().validateRedirectAsync(query, rawQuery);
      expect(profile?.nameID).toBe(`a&<b>"'c`);
      expect(profile?.sessionIndex).toBe('_s1');
      expect(profile?.nameQualifier).toBeUndefined();
      expect(profile?.spNameQualifier).toBeUndefined();
      const form = idpPostToSp('SAMLRequest', request.xml);
      expect((await nodeSamlSp().validatePostRequestAsync(form.fields)).profile?.sessionIndex).toBe('_s1');
    });

    it('SP→IdP: samlkit reads back a NameID with markup characters and qualifiers from node-saml', async () => {
      const profile = {
        ...spProfile(),
        nameID: `a&<b>"'c`,
        nameQualifier: idpEntityId,
        spNameQualifier: spEntityId,
      };
      const url = await nodeSamlSp().getLogoutUrlAsync(profile, 'rs', {});
      expect(parseLogoutRequest(receiveRedirect(url, fromSp()).xml).nameId).toEqual({
        value: `a&<b>"'c`,
        format: nameIdFormats.persistent,
        nameQualifier: idpEntityId,
        spNameQualifier: spEntityId,
      });
    });
  });

  describe('RelayState encoding', () => {
    it.each(awkwardRelayStates)(
      'IdP→SP redirect LogoutRequest with RelayState %j: node-saml verifies our form-encoded URL',
      async (relayState) => {
        const request = idpLogoutRequest();
        const url = idpRedirectToSp('SAMLRequest', request.xml, relayState);
        // Form-encoding: space as '+', upper-case hex, nothing a browser would re-encode.
        expect(rawParameter(url, 'RelayState')).not.toMatch(
          /%(?:[0-9a-fA-F][a-f]|[a-f][0-9a-fA-F])|[ !'()*~]/,
        );
        expect(browserNormalized(url)).toBe(url);
        const { query, rawQuery } = splitRedirect(browserNormalized(url));

        const result = await nodeSamlSp().validateRedirectAsync(query, rawQuery);

        expect(result.profile?.ID).toBe(request.id);
        expect(query.RelayState).toBe(relayState);
      },
    );

    it.each(awkwardRelayStates)(
      'IdP→SP redirect LogoutResponse with RelayState %j: node-saml verifies our form-encoded URL',
      async (relayState) => {
        const sp = nodeSamlSp();
        const url = await sp.getLogoutUrlAsync(spProfile(), relayState, {});
        const requestId = rootId(inflateRedirectMessage(url));
        const response = buildLogoutResponse({
          issuer: idpEntityId,
          destination: spSloUrl,
          inResponseTo: requestId,
        });
        const answer = idpRedirectToSp('SAMLResponse', response.xml, relayState);
        const { query, rawQuery } = splitRedirect(answer);

        await expect(sp.validateRedirectAsync(query, rawQuery)).resolves.toEqual({
          profile: null,
          loggedOut: true,
        });
        expect(query.RelayState).toBe(relayState);
      },
    );

    const agreeing = awkwardRelayStates.filter((r) => !nodeSamlEncodersDisagree(r));
    const disagreeing = awkwardRelayStates.filter(nodeSamlEncodersDisagree);

    it.each(agreeing)(
      'SP→IdP redirect LogoutRequest with RelayState %j: samlkit verifies node-saml’s raw query as is',
      async (relayState) => {
        const url = await nodeSamlSp().getLogoutUrlAsync(spProfile(), relayState, {});
        const received = receiveRedirect(url, fromSp());
        expect(received.relayState).toBe(relayState);
        expect(received.signed).toBe(true);
      },
    );

    it.each(disagreeing)(
      'SP→IdP redirect LogoutRequest with RelayState %j: node-saml signed other bytes than it sent → SAML_SIGNATURE_INVALID by default, accepted with acceptReencodedSignature',
      async (relayState) => {
        const url = await nodeSamlSp().getLogoutUrlAsync(spProfile(), relayState, {});
        // SAMLBind §3.4.4.1: the signature covers the bytes as sent; node-saml's do not match.
        expectSamlError(() => receiveRedirect(url, fromSp()), 'SAML_SIGNATURE_INVALID');

        const received = receiveRedirect(url, fromSp({ acceptReencodedSignature: true }));

        expect(received.relayState).toBe(relayState);
        expect(received.signed).toBe(true);
        expect(parseLogoutRequest(received.xml).issuer?.value).toBe(spEntityId);
      },
    );

    async function nodeSamlLogoutResponseUrl(relayState: string) {
      const sp = nodeSamlSp();
      const request = idpLogoutRequest();
      const { query, rawQuery } = splitRedirect(idpRedirectToSp('SAMLRequest', request.xml));
      const { profile } = await sp.validateRedirectAsync(query, rawQuery);
      const url = await sp.getLogoutResponseUrlAsync(profile!, relayState, {}, true);
      return { url, requestId: request.id };
    }

    it.each(agreeing)(
      'SP→IdP redirect LogoutResponse with RelayState %j: samlkit verifies node-saml’s raw query as is',
      async (relayState) => {
        const { url, requestId } = await nodeSamlLogoutResponseUrl(relayState);
        const received = receiveRedirect(url, fromSp({ expect: { inResponseTo: requestId } }));
        expect(received.relayState).toBe(relayState);
      },
    );

    it.each(disagreeing)(
      'SP→IdP redirect LogoutResponse with RelayState %j: SAML_SIGNATURE_INVALID by default, accepted with acceptReencodedSignature',
      async (relayState) => {
        const { url, requestId } = await nodeSamlLogoutResponseUrl(relayState);
        const options = fromSp({ expect: { inResponseTo: requestId } });
        expectSamlError(() => receiveRedirect(url, options), 'SAML_SIGNATURE_INVALID');

        const received = receiveRedirect(url, { ...options, acceptReencodedSignature: true });

        expect(received.relayState).toBe(relayState);
        expect(parseLogoutResponse(received.xml).inResponseTo).toBe(requestId);
      },
    );

    it('acceptReencodedSignature does not accept a tampered node-saml signature', async () => {
      const url = await nodeSamlSp().getLogoutUrlAsync(spProfile(), 'a b', {});
      expectSamlError(
        () => receiveRedirect(tamperSignature(url), fromSp({ acceptReencodedSignature: true })),
        'SAML_SIGNATURE_INVALID',
      );
    });
  });

  describe('RSA signature algorithms', () => {
    it('IdP→SP LogoutRequest signed RSA-SHA512: node-saml verifies it over HTTP-Redirect and HTTP-POST', async () => {
      const sign = { key: idpKey(), algorithm: signatureAlgorithms.rsaSha512 };
      const request = idpLogoutRequest();
      const url = encodeRedirect({ type: 'SAMLRequest', xml: request.xml, destination: spSloUrl, sign });
      const { query, rawQuery } = splitRedirect(url);
      expect((await nodeSamlSp().validateRedirectAsync(query, rawQuery)).profile?.ID).toBe(request.id);
      const form = encodePost({ type: 'SAMLRequest', xml: request.xml, destination: spSloUrl, sign });
      expect((await nodeSamlSp().validatePostRequestAsync(form.fields)).profile?.ID).toBe(request.id);
    });

    it('peer limit: RSA-SHA384 verifies at node-saml over HTTP-Redirect but not in a POST enveloped signature (xml-crypto lacks it)', async () => {
      const sign = { key: idpKey(), algorithm: signatureAlgorithms.rsaSha384 };
      const request = idpLogoutRequest();
      const url = encodeRedirect({ type: 'SAMLRequest', xml: request.xml, destination: spSloUrl, sign });
      const { query, rawQuery } = splitRedirect(url);
      expect((await nodeSamlSp().validateRedirectAsync(query, rawQuery)).profile?.ID).toBe(request.id);
      const form = encodePost({ type: 'SAMLRequest', xml: request.xml, destination: spSloUrl, sign });
      await expect(nodeSamlSp().validatePostRequestAsync(form.fields)).rejects.toThrow(
        /Invalid signature on documentElement/,
      );
    });

    it("SP→IdP LogoutRequest with node-saml's signatureAlgorithm 'sha512': samlkit verifies RSA-SHA512", async () => {
      const url = await nodeSamlSp({ signatureAlgorithm: 'sha512' }).getLogoutUrlAsync(spProfile(), 'rs', {});
      expect(receiveRedirect(url, fromSp()).algorithm).toBe(signatureAlgorithms.rsaSha512);
    });

    it("SP→IdP LogoutRequest with node-saml's DEFAULT signatureAlgorithm (sha1): samlkit refuses RSA-SHA1 unless unsafeAllowSha1", async () => {
      // Leaving signatureAlgorithm unset: node-saml then signs RSA-SHA1.
      const url = await nodeSamlSp({ signatureAlgorithm: undefined }).getLogoutUrlAsync(
        spProfile(),
        'rs',
        {},
      );
      expect(splitRedirect(url).query.SigAlg).toBe(signatureAlgorithms.rsaSha1);
      expectSamlError(() => receiveRedirect(url, fromSp()), 'SAML_ALGORITHM_FORBIDDEN');
      expect(receiveRedirect(url, fromSp({ unsafeAllowSha1: true })).algorithm).toBe(
        signatureAlgorithms.rsaSha1,
      );
    });
  });

  describe('ECDSA (not supported by node-saml)', () => {
    const ecSp = () => nodeSamlSp({ idpCert: certificatePem('idp-ec-p-256') });

    it('IdP→SP redirect LogoutRequest signed ECDSA-SHA256: node-saml rejects the SigAlg as unsupported', async () => {
      const url = encodeRedirect({
        type: 'SAMLRequest',
        xml: idpLogoutRequest().xml,
        destination: spSloUrl,
        sign: { key: keyPair('idp-ec-p-256') },
      });
      const { query, rawQuery } = splitRedirect(url);
      expect(query.SigAlg).toBe(signatureAlgorithms.ecdsaSha256);
      // samlkit itself verifies it.
      expect(receiveRedirect(url, { trust: [keyPair('idp-ec-p-256')] }).signed).toBe(true);

      await expect(ecSp().validateRedirectAsync(query, rawQuery)).rejects.toThrow(/is not supported/);
    });

    it('IdP→SP POST LogoutRequest with an ECDSA-SHA256 enveloped signature: node-saml rejects it', async () => {
      const form = encodePost({
        type: 'SAMLRequest',
        xml: idpLogoutRequest().xml,
        destination: spSloUrl,
        sign: { key: keyPair('idp-ec-p-256') },
      });
      expect(form.xml).toContain(signatureAlgorithms.ecdsaSha256);
      // xml-crypto (which node-saml uses) has no ECDSA SignatureMethod; node-saml reports it generically.
      await expect(ecSp().validatePostRequestAsync(form.fields)).rejects.toThrow(
        /Invalid signature on documentElement/,
      );
    });
  });
});
