/**
 * The built-in client against real TLS servers on 127.0.0.1, with a per-run private CA
 * made by OpenSSL: mutual TLS as federations run the back channel, the TLS server name
 * taken from the URL while the socket goes to the address the guard checked, and an
 * SP's HTML error page reported as such.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSamlError, type SamlError } from '../../src/errors/index.js';
import { createFetchTransport, type TransportRequest } from '../../src/transport/index.js';
import { externalTool } from '../support/xmlsec.js';

const openssl = externalTool('openssl', 'openssl');

interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCa: string;
}

/** A private CA, a server certificate for sp.test and 127.0.0.1, a client certificate, and an unrelated CA. */
function makePki(tool: string): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'samlkit-pki-'));
  const run = (...args: string[]) => execFileSync(tool, args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) =>
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    );
  const issue = (name: string, extensions: string) => {
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    writeFileSync(join(dir, `${name}.ext`), extensions);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  try {
    ca('ca');
    ca('other-ca');
    issue('server', 'subjectAltName=DNS:sp.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    issue('idp-client', 'extendedKeyUsage=clientAuth\n');
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    return {
      ca: read('ca.crt'),
      serverCert: read('server.crt'),
      serverKey: read('server.key'),
      clientCert: read('idp-client.crt'),
      clientKey: read('idp-client.key'),
      otherCa: read('other-ca.crt'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const request = (url: string): TransportRequest => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: '<Envelope/>',
});

async function failure(promise: Promise<unknown>): Promise<SamlError> {
  try {
    await promise;
  } catch (error) {
    if (isSamlError(error)) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe.skipIf(openssl === undefined)('back channel over TLS with a private CA', () => {
  let pki: Pki;
  let server: Server;
  let port: number;
  const seen: { clientCn: string | undefined; servername: string | false; host: string | undefined }[] = [];

  beforeAll(async () => {
    pki = makePki(openssl!);
    // The SP requires a client certificate from the federation's CA (mutual TLS).
    server = createHttpsServer(
      { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        seen.push({
          clientCn: String(socket.getPeerCertificate().subject?.CN),
          servername: (socket as TLSSocket & { servername: string | false }).servername,
          host: req.headers.host,
        });
        req.resume();
        if (req.url === '/error-page') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end('<html><body>Oops</body></html>');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        res.end('<ok/>');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections();
        server ? server.close(() => resolve()) : resolve();
      }),
  );

  const tls = () => ({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey });

  it('presents the client certificate and trusts the private CA', async () => {
    const transport = createFetchTransport({ allowTargets: ['127.0.0.1'], tls: tls() });
    const response = await transport.send(request(`https://127.0.0.1:${port}/slo`));
    expect(response).toMatchObject({ status: 200, body: '<ok/>' });
    expect(seen.at(-1)?.clientCn).toBe('idp-client');
  });

  it('connects to the checked address of a name, with that name as TLS server name and Host', async () => {
    const lookups: string[] = [];
    const transport = createFetchTransport({
      allowTargets: ['127.0.0.0/8'],
      tls: tls(),
      lookup: async (name) => {
        lookups.push(name);
        return name === 'sp.test' ? ['127.0.0.1'] : [];
      },
    });
    const response = await transport.send(request(`https://sp.test:${port}/slo`));
    expect(response.status).toBe(200);
    // One resolution, checked and connected to: there is no second lookup to rebind.
    expect(lookups).toEqual(['sp.test']);
    expect(seen.at(-1)).toEqual({ clientCn: 'idp-client', servername: 'sp.test', host: `sp.test:${port}` });
  });

  it('chooses TLS settings per target (per SP)', async () => {
    const chosen: string[] = [];
    const transport = createFetchTransport({
      allowTargets: ['127.0.0.1'],
      tls: (target) => {
        chosen.push(target.host);
        return tls();
      },
    });
    await transport.send(request(`https://127.0.0.1:${port}/slo`));
    expect(chosen).toEqual([`127.0.0.1:${port}`]);
  });

  it('fails without the client certificate the SP requires', async () => {
    const transport = createFetchTransport({ allowTargets: ['127.0.0.1'], tls: { ca: pki.ca }, attempts: 1 });
    const error = await failure(transport.send(request(`https://127.0.0.1:${port}/slo`)));
    expect(error.code).toBe('SAML_TRANSPORT_FAILED');
  });

  it('fails when the SP certificate is not from the trusted CA (public roots, or another CA)', async () => {
    for (const options of [{}, { tls: { ca: pki.otherCa, cert: pki.clientCert, key: pki.clientKey } }]) {
      const transport = createFetchTransport({ allowTargets: ['127.0.0.1'], attempts: 1, ...options });
      const error = await failure(transport.send(request(`https://127.0.0.1:${port}/slo`)));
      expect(error.code).toBe('SAML_TRANSPORT_FAILED');
      expect(error.details).toMatchObject({ reason: expect.stringMatching(/network error/) });
    }
  });

  it('refuses tls next to an injected fetch, which could not apply it', () => {
    expect(() => createFetchTransport({ fetch: globalThis.fetch, tls: { ca: 'x' } })).toThrow(/tls/);
  });

  it('returns the Content-Type of an HTML error page, which the SOAP back channel reports as such', async () => {
    const transport = createFetchTransport({ allowTargets: ['127.0.0.1'], tls: tls() });
    const response = await transport.send(request(`https://127.0.0.1:${port}/error-page`));
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  });
});
