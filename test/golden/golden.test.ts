/**
 * Byte-exact golden files of every binding's output, with a fixed clock
 * (2026-04-20T10:00:00Z), fixed IDs and the fixture RSA key (PKCS#1 v1.5 is
 * deterministic; ECDSA is randomized and has no goldens). Regenerate with
 * `npx vitest run test/golden -u` and review the diff.
 */
import { describe, expect, it } from 'vitest';
import {
  encodePost,
  encodeRedirect,
  encodeSoap,
  type ReceiveOptions,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from '../../src/index.js';
import { assertSigned, decodeMessage, normalizeXml, select } from '../../src/testing/index.js';
import { certificate, keyPair } from '../support/keys.js';
import {
  fixedClock,
  idpEntityId,
  sampleLogoutRequest,
  sampleLogoutResponse,
  spSloUrl,
} from '../support/messages.js';

const relayState = 'back to /apps?tab=1&lang=en';

const messages = [
  {
    dir: 'logout-request',
    type: 'SAMLRequest' as const,
    build: () => sampleLogoutRequest({ sessionIndex: ['_session-1', '_session-2'] }).xml,
    expect: { issuer: idpEntityId, destination: spSloUrl },
  },
  {
    dir: 'logout-response',
    type: 'SAMLResponse' as const,
    build: () => sampleLogoutResponse().xml,
    expect: { issuer: idpEntityId, destination: spSloUrl, inResponseTo: '_request-1' },
  },
];

function golden(dir: string, file: string): string {
  return `../../fixtures/golden/${dir}/${file}`;
}

describe.each(messages)('$dir', ({ dir, type, build, expect: expected }) => {
  const signed: ReceiveOptions = { trust: [certificate('idp')], clock: fixedClock, expect: expected };
  const unsigned: ReceiveOptions = { ...signed, requireSignature: false };
  const sign = { key: keyPair('idp') };

  it('redirect, unsigned: the full URL', async () => {
    const url = encodeRedirect({ type, xml: build(), destination: spSloUrl, relayState });
    await expect(url).toMatchFileSnapshot(golden(dir, 'redirect-unsigned.url.txt'));
    expect(receiveRedirect(url, unsigned)).toMatchObject({ signed: false, relayState });
  });

  it('redirect, signed (RSA-SHA256): the full URL', async () => {
    const url = encodeRedirect({ type, xml: build(), destination: spSloUrl, relayState, sign });
    expect(encodeRedirect({ type, xml: build(), destination: spSloUrl, relayState, sign })).toBe(url);
    await expect(url).toMatchFileSnapshot(golden(dir, 'redirect-signed.url.txt'));
    expect(receiveRedirect(url, signed)).toMatchObject({ signed: true, relayState });
  });

  it('post, unsigned: form fields (JSON) and HTML page', async () => {
    const form = encodePost({ type, xml: build(), destination: spSloUrl, relayState });
    expect(form.url).toBe(spSloUrl);
    await expect(`${JSON.stringify(form.fields, null, 2)}\n`).toMatchFileSnapshot(
      golden(dir, 'post-unsigned.json'),
    );
    await expect(form.html).toMatchFileSnapshot(golden(dir, 'post-unsigned.html'));
    expect(receivePost(form.fields, unsigned)).toMatchObject({ signed: false, relayState });
  });

  it('post, signed (RSA-SHA256): the signed XML', async () => {
    const form = encodePost({ type, xml: build(), destination: spSloUrl, relayState, sign });
    expect(encodePost({ type, xml: build(), destination: spSloUrl, relayState, sign }).xml).toBe(form.xml);
    expect(decodeMessage(form).xml).toBe(form.xml);
    await expect(form.xml).toMatchFileSnapshot(golden(dir, 'post-signed.xml'));
    const root = `/${select(form.xml, '/*')[0]!.name}`;
    assertSigned(form.xml, root, { trust: [certificate('idp')], by: certificate('idp') });
    expect(receivePost(form.fields, signed)).toMatchObject({ signed: true, relayState });
  });

  it('every binding carries the same message', () => {
    const message = normalizeXml(build());
    const carried = [
      encodeRedirect({ type, xml: build(), destination: spSloUrl, relayState }),
      encodeRedirect({ type, xml: build(), destination: spSloUrl, relayState, sign }),
      encodePost({ type, xml: build(), destination: spSloUrl, relayState }).html,
      encodeSoap(build()),
    ].map((encoded) => decodeMessage(encoded));
    expect(carried.map((d) => [d.binding, d.type, normalizeXml(d.xml)])).toEqual([
      ['redirect', type, message],
      ['redirect', type, message],
      ['post', type, message],
      ['soap', type, message],
    ]);
    expect(carried.map((d) => d.relayState)).toEqual([relayState, relayState, relayState, undefined]);
  });

  it('soap, unsigned: the envelope', async () => {
    const envelope = encodeSoap(build());
    await expect(envelope).toMatchFileSnapshot(golden(dir, 'soap-unsigned.xml'));
    expect(receiveSoap(envelope, unsigned).signed).toBe(false);
  });

  it('soap, signed (RSA-SHA256): the envelope', async () => {
    const envelope = encodeSoap(build(), { sign });
    expect(encodeSoap(build(), { sign })).toBe(envelope);
    await expect(envelope).toMatchFileSnapshot(golden(dir, 'soap-signed.xml'));
    expect(receiveSoap(envelope, signed).signed).toBe(true);
  });
});
