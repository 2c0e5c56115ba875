/**
 * Regression: SSRF from self-registered SP metadata. An SP whose metadata names a
 * SOAP SingleLogoutService on a loopback, private, link-local or metadata-service
 * address (or plain http) made the facade POST a signed LogoutRequest there on
 * every logout of one of its users, and the participant outcome reported the HTTP
 * status back. The facade's own transport now refuses such targets after DNS, and
 * connects only to the address it checked; outcomes carry no HTTP status.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdentityProvider,
  createMemoryStore,
  type IdentityProviderOptions,
  type LogoutEvent,
  nameIdFormats,
  parseProvider,
  parseSpMetadata,
} from '../../src/index.js';
import { certificatePem, keyPair } from '../support/keys.js';

/**
 * A listener on 127.0.0.1 that answers an HTML page with 200 to anything, as an internal
 * web application would, and counts TCP connections (http or TLS alike).
 */
let trap: { port: number; connections: number; close: () => Promise<void> };

beforeAll(async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><body>internal admin</body></html>');
  });
  const state: typeof trap = { port: 0, connections: 0, close: async () => undefined };
  server.on('connection', () => {
    state.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  trap = state;
});
afterAll(() => trap.close());

const spEntityId = 'https://tenant.example/sp';

function spMetadata(soapSls: string): string {
  const cert = certificatePem('sp-a').replace(/-----[^-]+-----|\s/g, '');
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${spEntityId}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="${soapSls}"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://tenant.example/acs" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
}

/** Registers the SP from its own metadata, signs a user in there, logs the user out. */
async function logoutWithSpAt(soapSls: string, extra: Partial<IdentityProviderOptions> = {}) {
  const store = createMemoryStore();
  const metadata = parseSpMetadata(spMetadata(soapSls), { requireSignature: false });
  await store.putProvider(
    'tenant',
    parseProvider({ ...metadata.provider, signAssertion: false, logoutMethod: 'backchannel' }),
  );
  const events: LogoutEvent[] = [];
  const idp = createIdentityProvider({
    entityId: 'https://idp.example/metadata',
    signing: { key: keyPair('idp') },
    store,
    endpoints: { sloRedirect: 'https://idp.example/slo', sloPost: 'https://idp.example/slo/post' },
    onEvent: (event) => events.push(event),
    ...extra,
  });
  await idp.recordSession({
    providerId: 'tenant',
    userId: 'alice',
    nameId: { value: 'alice', format: nameIdFormats.persistent },
    sessionIndex: '_s1',
  });
  const result = await idp.logout('alice');
  // Give a stray connection, if any, the time to land.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { result, events, outcome: result.participants[0]! };
}

describe('regression: SSRF from self-registered SP metadata (finding 3)', () => {
  const cases: [string, () => string, Partial<IdentityProviderOptions>?][] = [
    ['loopback over https', () => `https://127.0.0.1:${trap.port}/slo`],
    ['loopback as a decimal number', () => `https://2130706433:${trap.port}/slo`],
    ['loopback as IPv4-mapped IPv6', () => `https://[::ffff:127.0.0.1]:${trap.port}/slo`],
    ['localhost by name', () => `https://localhost:${trap.port}/slo`],
    ['RFC 1918 private', () => 'https://10.0.0.7/slo'],
    ['the cloud metadata service', () => 'https://169.254.169.254/latest/meta-data/'],
    ['plain http', () => `http://127.0.0.1:${trap.port}/slo`],
    ['plain http to a public name', () => 'http://sp.example.com/slo'],
    // The system resolver is the facade's default; this name's answer is loopback, as an attacker's DNS
    // would give it. The connection's own lookup is what is checked: no check-then-resolve-again gap.
    [
      'a host name resolving to loopback',
      () => `https://rebind.example:${trap.port}/slo`,
      { backchannel: { lookup: async () => ['127.0.0.1'] } },
    ],
  ];

  it.each(cases)('%s: refused by the default facade, no connection made', async (_name, url, extra) => {
    const before = trap.connections;
    const { result, outcome, events } = await logoutWithSpAt(url(), extra);
    expect(trap.connections - before).toBe(0);
    expect(result.status).toBe('PartialLogout');
    expect(outcome).toEqual({
      participantId: expect.any(String),
      providerId: 'tenant',
      entityId: spEntityId,
      method: 'backchannel',
      outcome: 'failed',
      reason: 'SAML_TRANSPORT_TARGET_FORBIDDEN',
    });
    expect(events.filter((e) => e.type === 'participant_failed')).toHaveLength(1);
  });

  it('reaches the same SP once the operator allow-lists it, and the outcome holds no HTTP status', async () => {
    const before = trap.connections;
    // The trap answers an HTML page with 200 to the SOAP request: reported as such, in the log only.
    const { outcome, events } = await logoutWithSpAt(`http://127.0.0.1:${trap.port}/slo`, {
      backchannel: { allowTargets: ['127.0.0.0/8'], unsafeAllowHttp: true, attempts: 1 },
    });
    expect(trap.connections - before).toBe(1);
    expect(outcome).toMatchObject({ outcome: 'failed', reason: 'SAML_TRANSPORT_FAILED' });
    expect(JSON.stringify(outcome)).not.toMatch(/200|http_/);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'participant_failed', detail: 'answered text/html, not SOAP' }),
    );
  });

  it('reaches it with the loudly named unsafe options too (labs and tests)', async () => {
    const before = trap.connections;
    await logoutWithSpAt(`http://127.0.0.1:${trap.port}/slo`, {
      backchannel: { unsafeAllowPrivateTargets: true, unsafeAllowHttp: true, attempts: 1 },
    });
    expect(trap.connections - before).toBe(1);
  });

  it('refuses a backchannel option next to a transport of the caller', () => {
    expect(() =>
      createIdentityProvider({
        entityId: 'https://idp.example/metadata',
        signing: { key: keyPair('idp') },
        store: createMemoryStore(),
        endpoints: { sloRedirect: 'https://idp.example/slo', sloPost: 'https://idp.example/slo/post' },
        transport: { send: async () => ({ status: 200, headers: {}, body: '' }) },
        backchannel: { allowTargets: ['10.0.0.0/8'] },
      }),
    ).toThrow(/backchannel/);
  });
});
