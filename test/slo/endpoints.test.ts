/**
 * SingleLogoutService endpoint selection: an SP registered with several
 * endpoints (Shibboleth SP publishes SOAP, Redirect, POST and Artifact) gets
 * front-channel messages on a browser binding, LogoutResponses at the
 * ResponseLocation, and back-channel requests at its SOAP endpoint.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  createFetchTransport,
  createIdentityProvider,
  createMemoryStore,
  encodeRedirect,
  encodeSoap,
  type HttpInput,
  nameIdFormats,
  type ProviderInput,
  parseLogoutRequest,
  parseProvider,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from '../../src/index.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';

const idpEntityId = 'https://idp.endpoints.test/metadata';
const endpoints = {
  sloRedirect: 'https://idp.endpoints.test/slo/redirect',
  sloPost: 'https://idp.endpoints.test/slo/post',
  sloSoap: 'https://idp.endpoints.test/slo/soap',
};
const spEntityId = 'https://sp.endpoints.test/shibboleth';
const sp = 'https://sp.endpoints.test/Shibboleth.sso';

/** Loopback SP answering SOAP LogoutRequests with a signed Success, recording what it got. */
let soapUrl = '';
const soapSeen: string[] = [];
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    const received = receiveSoap(body, { trust: [certificate('idp')], expect: { issuer: idpEntityId } });
    const logoutRequest = parseLogoutRequest(received.xml);
    soapSeen.push(logoutRequest.destination ?? '');
    const answer = buildLogoutResponse({ issuer: spEntityId, inResponseTo: logoutRequest.id });
    response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    response.end(encodeSoap(answer.xml, { sign: { key: keyPair('sp-a') } }));
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  soapUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/Shibboleth.sso/SLO/SOAP`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Shibboleth's registration, as parseSpMetadata makes it from its metadata. */
function shibboleth(overrides: Partial<ProviderInput> = {}) {
  return parseProvider({
    entityId: spEntityId,
    acsUrl: `${sp}/SAML2/POST`,
    verificationCertificates: [certificatePem('sp-a')],
    singleLogoutServices: [
      { binding: 'soap', url: soapUrl },
      { binding: 'redirect', url: `${sp}/SLO/Redirect`, responseUrl: `${sp}/SLO/Redirect/Response` },
      { binding: 'post', url: `${sp}/SLO/POST` },
    ],
    logoutMethod: 'backchannel',
    ...overrides,
  });
}

async function setup(overrides: Partial<ProviderInput> = {}) {
  const store = createMemoryStore();
  await store.putProvider('shib', shibboleth(overrides));
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints,
    transport: createFetchTransport({ unsafeAllowPrivateTargets: true, unsafeAllowHttp: true, attempts: 1 }),
  });
  await idp.recordSession({
    providerId: 'shib',
    userId: 'u',
    nameId: { value: 'u@shib', format: nameIdFormats.persistent },
    sessionIndex: '_s1',
  });
  return idp;
}

function browserLogoutRequest(binding: 'redirect'): HttpInput {
  const request = buildLogoutRequest({
    issuer: spEntityId,
    destination: endpoints.sloRedirect,
    nameId: { value: 'u@shib', format: nameIdFormats.persistent },
    sessionIndex: '_s1',
  });
  const url = encodeRedirect({
    type: 'SAMLRequest',
    xml: request.xml,
    destination: endpoints.sloRedirect,
    relayState: 'ss:mem:1f2e3d',
    sign: { key: keyPair('sp-a') },
  });
  expect(binding).toBe('redirect');
  return { method: 'GET', query: url };
}

describe('SingleLogoutService endpoints by binding', () => {
  it('provider: slsUrl and slsBinding are derived from the list, the authentik shape stays valid', () => {
    const provider = shibboleth({ logoutMethod: 'frontchannel_native' });
    expect(provider.slsUrl).toBe(`${sp}/SLO/Redirect`);
    expect(provider.slsBinding).toBe('redirect');
    const authentik = parseProvider({
      entityId: spEntityId,
      acsUrl: `${sp}/SAML2/POST`,
      slsUrl: `${sp}/SLO/POST`,
      slsBinding: 'post',
    });
    expect(authentik.singleLogoutServices).toEqual([{ binding: 'post', url: `${sp}/SLO/POST` }]);
  });

  it('provider: slsUrl must be one of the listed endpoints when both are given', () => {
    expect(() =>
      parseProvider({
        entityId: spEntityId,
        acsUrl: `${sp}/SAML2/POST`,
        slsUrl: 'https://elsewhere.example/slo',
        singleLogoutServices: [{ binding: 'redirect', url: `${sp}/SLO/Redirect` }],
      }),
    ).toThrow(/slsUrl/);
  });

  it('answers a browser LogoutRequest on a browser binding at its ResponseLocation, never the SOAP URL', async () => {
    const idp = await setup();
    const result = await idp.handleLogoutRequest(browserLogoutRequest('redirect'));
    expect(result.reply.kind).toBe('redirect');
    const url = (result.reply as { url: string }).url;
    expect(url.startsWith(`${sp}/SLO/Redirect/Response?SAMLResponse=`)).toBe(true);
    const received = receiveRedirect(url, {
      trust: [certificate('idp')],
      expect: { issuer: idpEntityId, destination: `${sp}/SLO/Redirect/Response` },
    });
    expect(received.relayState).toBe('ss:mem:1f2e3d');
  });

  it('IdP-initiated logout goes by SOAP to the SOAP endpoint (Destination = that endpoint)', async () => {
    const idp = await setup();
    soapSeen.length = 0;
    const result = await idp.logout('u');
    expect(result.participants).toEqual([
      expect.objectContaining({ providerId: 'shib', method: 'backchannel', outcome: 'logged_out' }),
    ]);
    expect(soapSeen).toEqual([soapUrl]);
  });

  it('a front-channel method sends the LogoutRequest to the browser endpoint of slsBinding', async () => {
    const idp = await setup({
      logoutMethod: 'frontchannel_native',
      slsUrl: `${sp}/SLO/POST`,
      slsBinding: 'post',
    });
    const result = await idp.logout('u');
    expect(result.reply.kind).toBe('post');
    const form = (result.reply as { form: { url: string; fields: Record<string, string> } }).form;
    expect(form.url).toBe(`${sp}/SLO/POST`);
    const received = receivePost(form.fields, {
      trust: [certificate('idp')],
      expect: { issuer: idpEntityId, destination: `${sp}/SLO/POST` },
    });
    expect(received.messageType).toBe('LogoutRequest');
  });
});
