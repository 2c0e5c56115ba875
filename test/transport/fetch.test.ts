import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isSamlError, type SamlError } from '../../src/errors/index.js';
import {
  createFetchTransport,
  type FetchTransportOptions,
  type TransportRequest,
} from '../../src/transport/index.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface TestServer {
  url: string;
  port: number;
  hits: number;
  connections: number;
  requests: Received[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

/** A real HTTP server on 127.0.0.1; `handler` gets the 1-based hit number. */
async function startServer(
  handler: (res: ServerResponse, hit: number, req: IncomingMessage) => void,
): Promise<TestServer> {
  const server = createServer();
  const state: TestServer = {
    url: '',
    port: 0,
    hits: 0,
    connections: 0,
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => {
    state.connections += 1;
  });
  server.on('request', (req, res) => {
    state.hits += 1;
    const hit = state.hits;
    const chunks: Buffer[] = [];
    res.on('error', () => undefined);
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      handler(res, hit, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}`;
  servers.push(state);
  return state;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const request = (url: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: 'SAMLRequest=abc',
  ...extra,
});

/** The test servers listen on http://127.0.0.1, which the guard refuses unless allowed. */
const local: FetchTransportOptions = { allowTargets: ['127.0.0.1'], unsafeAllowHttp: true };
/** Fast retries: the real sleep, but at most a few milliseconds. */
const fast: FetchTransportOptions = { ...local, backoff: { baseMs: 1, maxMs: 2 } };

async function failure(promise: Promise<unknown>): Promise<SamlError> {
  try {
    await promise;
  } catch (error) {
    if (isSamlError(error)) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('createFetchTransport against a real server', () => {
  it('sends the POST with the caller headers and a user-agent, and returns the answer', async () => {
    const server = await startServer((res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'X-Peer': 'sp' });
      res.end('<ok>é</ok>');
    });
    const transport = createFetchTransport({ ...local, userAgent: 'my-idp/1.0' });

    const response = await transport.send(
      request(`${server.url}/sls?x=1`, { headers: { 'Content-Type': 'text/xml', SOAPAction: 'x' } }),
    );

    expect(response).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'content-type': 'text/xml; charset=utf-8', 'x-peer': 'sp' }),
      body: '<ok>é</ok>',
    });
    expect(server.hits).toBe(1);
    const [received] = server.requests;
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/sls?x=1');
    expect(received?.body).toBe('SAMLRequest=abc');
    expect(received?.headers['content-type']).toBe('text/xml');
    expect(received?.headers.soapaction).toBe('x');
    expect(received?.headers['user-agent']).toBe('my-idp/1.0');
    expect(received?.headers.cookie).toBeUndefined();
    expect(received?.headers.authorization).toBeUndefined();
  });

  it('uses a default user-agent, and the caller may override it per request', async () => {
    const server = await startServer((res) => res.end('ok'));
    const transport = createFetchTransport(local);
    await transport.send(request(server.url));
    await transport.send(request(server.url, { headers: { 'User-Agent': 'caller' } }));
    expect(server.requests.map((r) => r.headers['user-agent'])).toEqual(['samlkit', 'caller']);
  });

  it('retries 5xx and succeeds on the third attempt, waiting with backoff in between', async () => {
    const server = await startServer((res, hit) => {
      res.statusCode = hit < 3 ? 500 : 200;
      res.end(hit < 3 ? 'boom' : 'done');
    });
    const delays: number[] = [];
    const transport = createFetchTransport({
      ...local,
      backoff: {
        baseMs: 100,
        maxMs: 150,
        random: () => 0.5,
        sleep: async (ms) => {
          delays.push(ms);
        },
      },
    });

    const response = await transport.send(request(server.url));

    expect(response.status).toBe(200);
    expect(response.body).toBe('done');
    expect(server.hits).toBe(3);
    expect(delays).toEqual([50, 75]);
    expect(server.requests.every((r) => r.body === 'SAMLRequest=abc')).toBe(true);
  });

  it('fails with SAML_TRANSPORT_FAILED after `attempts` hits when the server keeps answering 503', async () => {
    const server = await startServer((res) => {
      res.statusCode = 503;
      res.end('SECRET-BODY-CONTENT');
    });
    const transport = createFetchTransport({ ...fast, attempts: 3 });

    const error = await failure(transport.send(request(`${server.url}/sls?token=secret#frag`)));

    expect(error.code).toBe('SAML_TRANSPORT_FAILED');
    expect(error.details).toEqual({
      url: `${server.url}/sls`,
      status: 503,
      attempts: 3,
      reason: 'server error',
    });
    expect(server.hits).toBe(3);
    expect(error.message).toBe('back-channel request failed after 3 attempts: server error (HTTP 503)');
    const serialized = JSON.stringify({ message: error.message, details: error.details, stack: error.stack });
    expect(serialized).not.toContain('SECRET-BODY');
    expect(serialized).not.toContain('token=secret');
  });

  it('returns a 4xx answer to the caller without retrying', async () => {
    const server = await startServer((res) => {
      res.statusCode = 404;
      res.end('not here');
    });
    const transport = createFetchTransport(fast);

    const response = await transport.send(request(server.url));

    expect(response.status).toBe(404);
    expect(response.body).toBe('not here');
    expect(server.hits).toBe(1);
  });

  it('fails on a 302 without following it: the redirect target gets no connection', async () => {
    const target = await startServer((res) => res.end('should not be reached'));
    const server = await startServer((res) => {
      res.writeHead(302, { Location: `${target.url}/elsewhere` });
      res.end();
    });
    const transport = createFetchTransport(fast);

    const error = await failure(transport.send(request(server.url)));

    expect(error.code).toBe('SAML_TRANSPORT_FAILED');
    expect(error.details).toMatchObject({ status: 302, attempts: 1, reason: 'redirect not followed' });
    expect(server.hits).toBe(1);
    expect(target.connections).toBe(0);
    expect(target.hits).toBe(0);
  });

  it('follows redirects only when asked: 307 keeps the POST and its body, 303 continues as GET', async () => {
    const target = await startServer((res) => res.end('landed'));
    const server = await startServer((res, hit) => {
      res.writeHead(hit === 1 ? 307 : 303, { Location: `${target.url}/next` });
      res.end();
    });
    const transport = createFetchTransport({ ...fast, followRedirects: true });

    const first = await transport.send(request(server.url));
    const second = await transport.send(request(server.url));

    expect(first).toMatchObject({ status: 200, body: 'landed' });
    expect(second).toMatchObject({ status: 200, body: 'landed' });
    expect(target.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/next', 'SAMLRequest=abc'],
      ['GET', '/next', ''],
    ]);
    expect(target.requests[1]?.headers['content-type']).toBeUndefined();
  });

  it('stops following after 5 redirects', async () => {
    const server = await startServer((res, hit) => {
      res.writeHead(307, { Location: `/hop${hit}` });
      res.end();
    });
    const transport = createFetchTransport({ ...fast, followRedirects: true });

    const error = await failure(transport.send(request(server.url)));

    expect(error.details).toMatchObject({ status: 307, attempts: 1, reason: 'too many redirects' });
    expect(server.hits).toBe(6);
  });

  it('gives each attempt its own deadline against a server that never answers', async () => {
    const server = await startServer(() => {
      // Never answer.
    });
    const transport = createFetchTransport({ ...fast, timeoutMs: 100, attempts: 2 });
    const started = performance.now();

    const error = await failure(transport.send(request(server.url)));

    const elapsed = performance.now() - started;
    expect(error.code).toBe('SAML_TRANSPORT_FAILED');
    expect(error.details).toEqual({ url: server.url + '/', attempts: 2, reason: 'timeout' });
    expect(server.hits).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(900);
  });

  it('lets the request timeoutMs override the transport default', async () => {
    const server = await startServer(() => undefined);
    const transport = createFetchTransport({ ...fast, timeoutMs: 10_000, attempts: 1 });
    const started = performance.now();

    const error = await failure(transport.send(request(server.url, { timeoutMs: 80 })));

    expect(error.details).toMatchObject({ reason: 'timeout', attempts: 1 });
    expect(performance.now() - started).toBeLessThan(800);
  });

  it('times out a body that trickles in too slowly', async () => {
    const server = await startServer((res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('a');
      // ...and nothing more.
    });
    const transport = createFetchTransport({ ...fast, timeoutMs: 100, attempts: 1 });

    const error = await failure(transport.send(request(server.url)));

    expect(error.details).toMatchObject({ reason: 'timeout', attempts: 1 });
  });

  it('stops reading a streamed 1 MB body past maxResponseBytes, without retrying', async () => {
    let written = 0;
    const server = await startServer((res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml' }); // chunked: no content-length to trust
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      const pump = (): void => {
        while (written < 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const transport = createFetchTransport({ ...fast, maxResponseBytes: 64 * 1024 });

    const error = await failure(transport.send(request(server.url)));

    expect(error.code).toBe('SAML_TRANSPORT_FAILED');
    expect(error.details).toMatchObject({ status: 200, attempts: 1, reason: 'response too large' });
    expect(server.hits).toBe(1);
  });

  it('refuses a declared content-length above the cap before reading it', async () => {
    const server = await startServer((res) => res.end(Buffer.alloc(100_000, 0x62)));
    const transport = createFetchTransport({ ...fast, maxResponseBytes: 1_000 });

    const error = await failure(transport.send(request(server.url)));

    expect(error.details).toMatchObject({ reason: 'response too large', attempts: 1 });
  });

  it('accepts a body of exactly maxResponseBytes', async () => {
    const server = await startServer((res) => res.end('x'.repeat(1_000)));
    const transport = createFetchTransport({ ...local, maxResponseBytes: 1_000 });
    expect((await transport.send(request(server.url))).body).toHaveLength(1_000);
  });

  it('retries connection errors and reports their code', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const transport = createFetchTransport({ ...fast, attempts: 2 });

    const error = await failure(transport.send(request(closed.url)));

    expect(error.details).toMatchObject({ attempts: 2, reason: 'network error (ECONNREFUSED)' });
  });
});

describe('caller abort', () => {
  it('aborts an attempt in flight promptly and does not retry', async () => {
    const server = await startServer(() => undefined);
    const transport = createFetchTransport({ ...fast, timeoutMs: 10_000, attempts: 5 });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 50);

    const error = await failure(transport.send(request(server.url, { signal: controller.signal })));

    expect(error.code).toBe('SAML_TRANSPORT_FAILED');
    expect(error.details).toMatchObject({ attempts: 1, reason: 'aborted' });
    expect(performance.now() - started).toBeLessThan(500);
    expect(server.hits).toBe(1);
  });

  it('interrupts the backoff wait', async () => {
    const server = await startServer((res) => {
      res.statusCode = 503;
      res.end();
    });
    const transport = createFetchTransport({
      ...local,
      backoff: { baseMs: 60_000, maxMs: 60_000, random: () => 1 },
    });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);

    const error = await failure(transport.send(request(server.url, { signal: controller.signal })));

    expect(error.details).toMatchObject({ attempts: 1, reason: 'aborted' });
    expect(performance.now() - started).toBeLessThan(600);
    expect(server.hits).toBe(1);
  });

  it('makes no request when the signal is already aborted', async () => {
    const server = await startServer((res) => res.end());
    const transport = createFetchTransport(local);

    const error = await failure(transport.send(request(server.url, { signal: AbortSignal.abort() })));

    expect(error.details).toMatchObject({ attempts: 0, reason: 'aborted' });
    expect(server.connections).toBe(0);
  });
});

describe('options', () => {
  it('rejects invalid options with SAML_CONFIG_INVALID listing every issue', () => {
    let caught: unknown;
    try {
      createFetchTransport({
        attempts: 0,
        timeoutMs: Number.NaN,
        maxResponseBytes: 1.5,
        backoff: { baseMs: -1 },
        unsafeAllowPrivateTargets: 'yes' as never,
        allowTargets: ['10.0.0.0/8', 'not a host!'],
      });
    } catch (error) {
      caught = error;
    }
    expect(isSamlError(caught, 'SAML_CONFIG_INVALID')).toBe(true);
    const issues = (caught as SamlError<'SAML_CONFIG_INVALID'>).details?.issues.map((i) => i.path.join('.'));
    expect(issues).toEqual([
      'timeoutMs',
      'attempts',
      'backoff.baseMs',
      'maxResponseBytes',
      'unsafeAllowPrivateTargets',
      'allowTargets.1',
    ]);
  });

  it('rejects invalid request headers without sending anything', async () => {
    const server = await startServer((res) => res.end());
    const transport = createFetchTransport(local);
    const error = await failure(transport.send(request(server.url, { headers: { 'bad header': 'x' } })));
    expect(error.code).toBe('SAML_INPUT_INVALID');
    expect(server.connections).toBe(0);
  });
});
