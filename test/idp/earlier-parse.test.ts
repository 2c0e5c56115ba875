/**
 * The facade looks at each message once unverified (to find the sender's
 * certificates) and then receives it; the receive step reuses that parse only
 * for exactly the same text, and never across requests.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { takeEarlierParse } from '../../src/bindings/inspect.js';
import { receiveRedirectReusing } from '../../src/bindings/redirect.js';
import {
  buildLogoutRequest,
  createIdentityProvider,
  createMemoryStore,
  encodePost,
  encodeRedirect,
  encodeSoap,
  type HttpInput,
  inspectMessage,
  nameIdFormats,
  parseLogoutRequest,
  parseProvider,
} from '../../src/index.js';
import * as parse from '../../src/xml/parse.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';

vi.mock(import('../../src/xml/parse.js'), async (importOriginal) => {
  const original = await importOriginal();
  return { ...original, parseXml: vi.fn(original.parseXml) };
});
const parseXml = vi.mocked(parse.parseXml);

const idpEntityId = 'https://idp.reuse.test/metadata';
const spEntityId = 'https://sp.reuse.test/metadata';
const endpoints = {
  sloRedirect: 'https://idp.reuse.test/slo/redirect',
  sloPost: 'https://idp.reuse.test/slo/post',
  sloSoap: 'https://idp.reuse.test/slo/soap',
};

function logoutRequest(destination: string, sessionIndex = '_s1') {
  return buildLogoutRequest({
    issuer: spEntityId,
    destination,
    nameId: { value: 'u@sp', format: nameIdFormats.persistent },
    sessionIndex,
  }).xml;
}

async function setup() {
  const store = createMemoryStore();
  await store.putProvider(
    'sp',
    parseProvider({
      entityId: spEntityId,
      acsUrl: 'https://sp.reuse.test/acs',
      slsUrl: 'https://sp.reuse.test/slo',
      slsBinding: 'redirect',
      signAssertion: false,
      verificationCertificates: [certificatePem('sp-a')],
    }),
  );
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints,
  });
  await idp.recordSession({
    providerId: 'sp',
    userId: 'u',
    nameId: { value: 'u@sp', format: nameIdFormats.persistent },
    sessionIndex: '_s1',
  });
  return idp;
}

const inputs: Record<'redirect' | 'post' | 'soap', () => HttpInput> = {
  redirect: () => ({
    method: 'GET',
    query: encodeRedirect({
      type: 'SAMLRequest',
      xml: logoutRequest(endpoints.sloRedirect),
      destination: endpoints.sloRedirect,
      sign: { key: keyPair('sp-a') },
    }),
  }),
  post: () => ({
    method: 'POST',
    body: encodePost({
      type: 'SAMLRequest',
      xml: logoutRequest(endpoints.sloPost),
      destination: endpoints.sloPost,
      sign: { key: keyPair('sp-a') },
    }).fields,
  }),
  soap: () => ({
    method: 'POST',
    contentType: 'text/xml',
    body: encodeSoap(logoutRequest(endpoints.sloSoap), { sign: { key: keyPair('sp-a') } }),
  }),
};

describe('the facade parses a message once before and once after verification at most', () => {
  beforeEach(() => {
    parseXml.mockClear();
  });

  // Redirect: one parse (the verified bytes are the inspected text). POST and SOAP: the outer
  // document once, then the canonical signed bytes every field is read from.
  it.each([
    ['redirect', 1],
    ['post', 2],
    ['soap', 2],
  ] as const)('%s: %i parse(s) per LogoutRequest', async (binding, parses) => {
    const idp = await setup();
    const input = inputs[binding]();
    parseXml.mockClear();
    const result = await idp.handleLogoutRequest(input);
    expect(result.status).toBe('Success');
    expect(parseXml).toHaveBeenCalledTimes(parses);
  });
});

describe('an inspection hands its parse over once, and only for the same text', () => {
  it('gives the parse to the first taker only', () => {
    const inspected = inspectMessage(inputs.redirect());
    const earlier = takeEarlierParse(inspected);
    expect(earlier?.parsed.root.localName).toBe('LogoutRequest');
    expect(takeEarlierParse(inspected)).toBeUndefined();
  });

  it('is ignored when it was made of other text: the received message is what was signed', () => {
    const signed = inputs.redirect();
    const other = encodeRedirect({
      type: 'SAMLRequest',
      xml: logoutRequest(endpoints.sloRedirect, '_forged'),
      destination: endpoints.sloRedirect,
    });
    const forged = takeEarlierParse(inspectMessage({ method: 'GET', query: other }))!;
    const received = receiveRedirectReusing(signed.query!, { trust: [certificate('sp-a')] }, forged);
    const signedId = /ID="([^"]+)"/.exec(received.xml)![1];
    expect(received.header.id).toBe(signedId);
    expect(received.header.id).not.toBe(forged.parsed.root.getAttribute('ID'));
    expect(parseLogoutRequest(received.xml).sessionIndexes).toEqual(['_s1']);
  });

  it('is ignored when the receive step has another size limit', () => {
    const input = inputs.redirect();
    const earlier = takeEarlierParse(inspectMessage(input))!;
    parseXml.mockClear();
    receiveRedirectReusing(input.query!, { trust: [certificate('sp-a')], maxBytes: 64 * 1024 }, earlier);
    expect(parseXml).toHaveBeenCalledTimes(1);
  });
});
