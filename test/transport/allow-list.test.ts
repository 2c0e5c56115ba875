import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isSamlError } from '../../src/errors/index.js';
import { createFetchTransport } from '../../src/transport/index.js';
import { parseTargetAllowList } from '../../src/transport/target-allow-list.js';

describe('allowTargets', () => {
  const allow = parseTargetAllowList([
    '10.20.0.0/16',
    '127.0.0.1',
    'fd00:1::/32',
    '::ffff:192.168.1.0/120',
    'SP.Corp.Example.',
  ]);

  it.each([
    ['10.20.0.1', true],
    ['10.20.255.255', true],
    ['10.21.0.1', false],
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['::ffff:127.0.0.1', true], // the mapped form reaches the same host
    ['[::ffff:10.20.3.4]', true],
    ['fd00:1:ffff::1', true],
    ['fd00:2::1', false],
    ['192.168.1.77', true],
    ['192.168.2.1', false],
    ['sp.corp.example', false], // a name is not an address
  ])('address %s allowed: %s', (address, expected) => {
    expect(allow.allowsAddress(address)).toBe(expected);
  });

  it('matches host names case-insensitively, with or without the trailing dot, and exactly', () => {
    expect(allow.allowsHost('sp.corp.example')).toBe(true);
    expect(allow.allowsHost('SP.CORP.EXAMPLE.')).toBe(true);
    expect(allow.allowsHost('evil.sp.corp.example')).toBe(false);
    expect(allow.allowsHost('corp.example')).toBe(false);
  });

  it.each([
    ['10.0.0.0/33'],
    ['::/129'],
    ['10.0.0.0/x'],
    ['*.corp.example'],
    ['http://sp.example'],
    [''],
    ['a b'],
  ])('refuses the entry %j as a configuration error', (entry) => {
    let caught: unknown;
    try {
      createFetchTransport({ allowTargets: [entry] });
    } catch (error) {
      caught = error;
    }
    expect(isSamlError(caught, 'SAML_CONFIG_INVALID')).toBe(true);
  });

  it('refuses a name when one of its addresses is outside the list, with no connection', async () => {
    let connections = 0;
    const server = createServer((_req, res) => res.end('reached'));
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const transport = createFetchTransport({
        allowTargets: ['127.0.0.1'],
        unsafeAllowHttp: true,
        lookup: async () => ['127.0.0.1', '10.0.0.9'],
      });
      const send = transport.send({
        url: `http://mixed.test:${port}/`,
        method: 'POST',
        headers: {},
        body: '',
      });
      await expect(send).rejects.toMatchObject({
        code: 'SAML_TRANSPORT_TARGET_FORBIDDEN',
        details: { range: 'private', address: '10.0.0.9' },
      });
      const named = createFetchTransport({
        allowTargets: ['named.test'],
        unsafeAllowHttp: true,
        attempts: 1,
      });
      // A listed name needs no lookup: the operator vouches for it (here it does not resolve at all).
      await expect(
        named.send({
          url: `http://named.test:${port}/`,
          method: 'POST',
          headers: {},
          body: '',
          timeoutMs: 2_000,
        }),
      ).rejects.toMatchObject({ code: 'SAML_TRANSPORT_FAILED' });
      expect(connections).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
