/**
 * receiveFromProvider, the step a custom flow starts with: find the sender by
 * its (unverified) Issuer, verify with that provider's certificates only,
 * check the message, and refuse a replay.
 */
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  createMemoryStore,
  encodePost,
  encodeRedirect,
  parseProvider,
  receiveFromProvider,
} from '../../src/index.js';
import { certificatePem, keyPair } from '../support/keys.js';

const sp = 'https://sp.custom.test/metadata';
const endpoint = 'https://idp.custom.test/custom';
const now = new Date('2026-04-20T10:00:00Z');

async function setup() {
  const store = createMemoryStore();
  await store.putProvider(
    'sp',
    parseProvider({
      entityId: sp,
      acsUrl: 'https://sp.custom.test/acs',
      verificationCertificates: [certificatePem('sp-a')],
    }),
  );
  const options = {
    store,
    clock: () => now,
    clockSkewMs: 60_000,
    maxMessageAgeMs: 300_000,
    messageType: 'LogoutRequest' as const,
  };
  return { store, options };
}

function message(options: { issuer?: string; key?: string | false } = {}) {
  const { xml } = buildLogoutRequest({
    issuer: options.issuer ?? sp,
    destination: endpoint,
    nameId: { value: 'alice' },
    issueInstant: now,
  });
  const sign = options.key === false ? {} : { sign: { key: keyPair(options.key ?? 'sp-a') } };
  return encodePost({ type: 'SAMLRequest', xml, destination: endpoint, ...sign }).fields;
}

describe('receiveFromProvider', () => {
  it('returns the verified message and the provider it came from, once', async () => {
    const { options } = await setup();
    const body = message();
    const first = await receiveFromProvider({ method: 'POST', body }, { ...options, destination: endpoint });
    expect([first.providerId, first.provider.entityId, first.received.signed]).toEqual(['sp', sp, true]);
    await expect(
      receiveFromProvider({ method: 'POST', body }, { ...options, destination: endpoint }),
    ).rejects.toMatchObject({ code: 'SAML_REPLAY_DETECTED' });
  });

  it('refuses an unknown Issuer, another key, an unsigned message, and another Destination', async () => {
    const { options } = await setup();
    const refusal = (body: Record<string, string>, destination = endpoint) =>
      receiveFromProvider({ method: 'POST', body }, { ...options, destination }).catch((error) => error.code);
    expect(await refusal(message({ issuer: 'https://stranger.test' }))).toBe('SAML_ISSUER_UNKNOWN');
    expect(await refusal(message({ key: 'sp-b' }))).toBe('SAML_SIGNATURE_INVALID');
    expect(await refusal(message({ key: false }))).toBe('SAML_SIGNATURE_MISSING');
    expect(await refusal(message(), 'https://idp.custom.test/other')).toBe('SAML_DESTINATION_MISMATCH');
  });

  it('takes one endpoint per binding, and refuses a binding without one', async () => {
    const { options } = await setup();
    const { xml } = buildLogoutRequest({
      issuer: sp,
      destination: endpoint,
      nameId: { value: 'a' },
      issueInstant: now,
    });
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml,
      destination: endpoint,
      sign: { key: keyPair('sp-a') },
    });
    const input = { method: 'GET', query: url.slice(url.indexOf('?') + 1) };
    await expect(
      receiveFromProvider(input, { ...options, destination: { post: endpoint } }),
    ).rejects.toMatchObject({ code: 'SAML_BINDING_PARAMETER_INVALID' });
    const received = await receiveFromProvider(input, { ...options, destination: { redirect: endpoint } });
    expect(received.received.binding).toBe('redirect');
  });
});
