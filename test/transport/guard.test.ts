import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isSamlError, type SamlError } from '../../src/errors/index.js';
import {
  createFetchTransport,
  type FetchFunction,
  type LookupFunction,
  systemLookup,
  type TransportRequest,
} from '../../src/transport/index.js';
import { emptyAllowList } from '../../src/transport/target-allow-list.js';
import { assertAllowedTarget } from '../../src/transport/target-guard.js';

/** A loopback listener that must never be reached; counts TCP connections, not just requests. */
async function startTrap(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = createServer((_req, res) => res.end('reached'));
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  traps.push(close);
  return { port: (server.address() as AddressInfo).port, connections: () => connections, close };
}

const traps: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(traps.splice(0).map((close) => close()));
});

const request = (url: string): TransportRequest => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'text/xml' },
  body: '<Envelope/>',
});

/** Records every call; answers 200 so nothing real is contacted. */
function recordingFetch(answer: () => Response = () => new Response('ok')): {
  fetch: FetchFunction;
  calls: { url: string; init: RequestInit }[];
} {
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return answer();
    },
  };
}

function recordingLookup(table: Record<string, string[]>): { lookup: LookupFunction; names: string[] } {
  const names: string[] = [];
  return {
    names,
    lookup: async (hostname) => {
      names.push(hostname);
      const answer = table[hostname];
      if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return answer;
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<SamlError> {
  try {
    await promise;
  } catch (error) {
    if (isSamlError(error)) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('the address guard (on by default)', () => {
  it('refuses http://127.0.0.1:<port>/ and the local server never sees a connection', async () => {
    const trap = await startTrap();
    const { lookup, names } = recordingLookup({});
    const transport = createFetchTransport({ lookup, unsafeAllowHttp: true });

    const error = await failure(transport.send(request(`http://127.0.0.1:${trap.port}/sls?x=1`)));

    expect(error.code).toBe('SAML_TRANSPORT_TARGET_FORBIDDEN');
    expect(error.details).toEqual({
      url: `http://127.0.0.1:${trap.port}/sls`,
      reason: 'target is loopback',
      range: 'loopback',
      address: '127.0.0.1',
    });
    expect(names).toEqual([]);
    // Give a stray connection, if any, the time to land.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(trap.connections()).toBe(0);
  });

  it('leaves the same target alone with unsafeAllowPrivateTargets (and unsafeAllowHttp)', async () => {
    const trap = await startTrap();
    const transport = createFetchTransport({ unsafeAllowPrivateTargets: true, unsafeAllowHttp: true });
    const response = await transport.send(request(`http://127.0.0.1:${trap.port}/`));
    expect(response.body).toBe('reached');
    expect(trap.connections()).toBe(1);
  });

  it.each([
    ['internal.example', ['10.0.0.5'], 'private'],
    ['mapped.example', ['::ffff:127.0.0.1'], 'loopback'],
    ['metadata.example', ['169.254.169.254'], 'link-local'],
    ['cgnat.example', ['100.64.1.1'], 'shared'],
    ['ula.example', ['fd00::1'], 'unique-local'],
    ['v6-link.example', ['fe80::1'], 'link-local'],
    ['multi.example', ['224.0.0.251'], 'multicast'],
    ['zero.example', ['0.0.0.0'], 'unspecified'],
    // One bad address among good ones is enough: the connection may pick any of them.
    ['mixed.example', ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '127.0.0.1'], 'loopback'],
  ])('refuses %s resolving to %j (%s) without fetching', async (host, addresses, range) => {
    const { lookup, names } = recordingLookup({ [host]: addresses });
    const recorder = recordingFetch();
    const transport = createFetchTransport({ lookup, fetch: recorder.fetch });

    const error = await failure(transport.send(request(`https://${host}/saml/sls`)));

    expect(error.code).toBe('SAML_TRANSPORT_TARGET_FORBIDDEN');
    expect(error.details).toMatchObject({ url: `https://${host}/saml/sls`, range });
    expect(names).toEqual([host]);
    expect(recorder.calls).toEqual([]);
  });

  it('refuses lookup answers given as { address } objects (the dns.promises.lookup shape)', async () => {
    const recorder = recordingFetch();
    const transport = createFetchTransport({
      lookup: async () => [{ address: '192.168.0.10', family: 4 } as { address: string }],
      fetch: recorder.fetch,
    });
    const error = await failure(transport.send(request('https://nas.example/')));
    expect(error.details).toMatchObject({ range: 'private', address: '192.168.0.10' });
    expect(recorder.calls).toEqual([]);
  });

  it('sends to a name that resolves only to public addresses', async () => {
    const { lookup, names } = recordingLookup({ 'sp.example': ['93.184.215.14', '2606:4700::6810:84e5'] });
    const recorder = recordingFetch(() => new Response('<ok/>', { status: 200 }));
    const transport = createFetchTransport({ lookup, fetch: recorder.fetch });

    const response = await transport.send(request('https://sp.example/saml/sls'));

    expect(response).toMatchObject({ status: 200, body: '<ok/>' });
    expect(names).toEqual(['sp.example']);
    expect(recorder.calls).toHaveLength(1);
    const [call] = recorder.calls;
    expect(call?.url).toBe('https://sp.example/saml/sls');
    expect(call?.init).toMatchObject({
      method: 'POST',
      body: '<Envelope/>',
      redirect: 'manual',
      credentials: 'omit',
    });
    expect(new Headers(call?.init.headers).get('content-type')).toBe('text/xml');
  });

  it.each([
    ['https://2130706433/', '127.0.0.1'],
    ['https://0x7f.1/', '127.0.0.1'],
    ['https://0177.0.0.1/', '127.0.0.1'],
    ['https://127.1/', '127.0.0.1'],
    ['https://0xa9fea9fe/latest/meta-data/', '169.254.169.254'],
    ['https://[::1]/', '::1'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    ['https://[0:0:0:0:0:ffff:a00:5]/', '::ffff:a00:5'],
  ])('refuses the numeric host %s (normalised to %s) without any lookup', async (url, address) => {
    expect(new URL(url).hostname.replace(/^\[|\]$/g, '')).toBe(address);
    const { lookup, names } = recordingLookup({});
    const recorder = recordingFetch();
    const transport = createFetchTransport({ lookup, fetch: recorder.fetch });

    const error = await failure(transport.send(request(url)));

    expect(error.code).toBe('SAML_TRANSPORT_TARGET_FORBIDDEN');
    expect(error.details).toMatchObject({ address });
    expect(names).toEqual([]);
    expect(recorder.calls).toEqual([]);
  });

  it('accepts a public IP literal without any lookup', async () => {
    const { lookup, names } = recordingLookup({});
    const recorder = recordingFetch();
    const transport = createFetchTransport({ lookup, fetch: recorder.fetch });
    await transport.send(request('https://[2606:4700:4700::1111]:8443/sls'));
    await transport.send(request('https://1.1.1.1/sls'));
    expect(names).toEqual([]);
    expect(recorder.calls.map((c) => c.url)).toEqual([
      'https://[2606:4700:4700::1111]:8443/sls',
      'https://1.1.1.1/sls',
    ]);
  });

  it('refuses localhost names without asking DNS', async () => {
    const { lookup, names } = recordingLookup({ localhost: ['93.184.215.14'] });
    const recorder = recordingFetch();
    const transport = createFetchTransport({ lookup, fetch: recorder.fetch });
    for (const url of ['https://localhost/', 'https://LOCALHOST./', 'https://app.localhost/']) {
      const error = await failure(transport.send(request(url)));
      expect(error.details).toMatchObject({ range: 'loopback' });
    }
    expect(names).toEqual([]);
    expect(recorder.calls).toEqual([]);
  });

  it('checks every redirect hop when redirects are followed', async () => {
    const trap = await startTrap();
    const { lookup } = recordingLookup({ 'attacker.example': ['93.184.215.14'] });
    const recorder = recordingFetch(
      () => new Response(null, { status: 302, headers: { location: `http://127.0.0.1:${trap.port}/admin` } }),
    );
    const transport = createFetchTransport({
      lookup,
      fetch: recorder.fetch,
      followRedirects: true,
      unsafeAllowHttp: true,
    });

    const error = await failure(transport.send(request('https://attacker.example/sls')));

    expect(error.code).toBe('SAML_TRANSPORT_TARGET_FORBIDDEN');
    expect(error.details).toMatchObject({ range: 'loopback' });
    expect(recorder.calls.map((c) => c.url)).toEqual(['https://attacker.example/sls']);
    expect(trap.connections()).toBe(0);
  });

  it('treats a failing lookup as a retryable network failure', async () => {
    const { lookup, names } = recordingLookup({});
    const recorder = recordingFetch();
    const transport = createFetchTransport({
      lookup,
      fetch: recorder.fetch,
      attempts: 2,
      backoff: { baseMs: 1, maxMs: 1 },
    });

    const error = await failure(transport.send(request('https://nowhere.example/')));

    expect(error.code).toBe('SAML_TRANSPORT_FAILED');
    expect(error.details).toEqual({
      url: 'https://nowhere.example/',
      attempts: 2,
      reason: 'dns lookup failed',
    });
    expect(names).toEqual(['nowhere.example', 'nowhere.example']);
    expect(recorder.calls).toEqual([]);
  });

  it('bounds a hanging lookup by the attempt deadline', async () => {
    const recorder = recordingFetch();
    const transport = createFetchTransport({
      lookup: () => new Promise(() => undefined),
      fetch: recorder.fetch,
      timeoutMs: 50,
      attempts: 1,
    });
    const error = await failure(transport.send(request('https://slow-dns.example/')));
    expect(error.details).toMatchObject({ reason: 'timeout', attempts: 1 });
    expect(recorder.calls).toEqual([]);
  });
});

describe('a lookup that answers no address', () => {
  /** What the transport builds for a failed lookup, made recognisable here. */
  class LookupFailed extends Error {}
  const onLookupError = (cause: unknown): Error => new LookupFailed('lookup failed', { cause });

  it('is handed to onLookupError, never thrown as a bare Error', async () => {
    const url = new URL('https://empty.example/sls');
    const rejection = assertAllowedTarget(url, {
      allow: emptyAllowList,
      lookup: async () => [],
      onLookupError,
    });
    const error: unknown = await rejection.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LookupFailed);
    expect(((error as Error).cause as Error).message).toBe('DNS lookup returned no address');
  });

  it('hands a failing lookup to onLookupError and passes an abort through as its reason', async () => {
    const url = new URL('https://nowhere.example/sls');
    const failing = assertAllowedTarget(url, {
      allow: emptyAllowList,
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' });
      },
      onLookupError,
    });
    await expect(failing).rejects.toBeInstanceOf(LookupFailed);

    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    const aborted = assertAllowedTarget(url, {
      allow: emptyAllowList,
      lookup: async () => ['93.184.215.14'],
      onLookupError,
      signal: controller.signal,
    });
    await expect(aborted).rejects.toBe(reason);
  });

  it('still refuses a forbidden address with SAML_TRANSPORT_TARGET_FORBIDDEN', async () => {
    const url = new URL('https://inside.example/sls');
    const rejection = assertAllowedTarget(url, {
      allow: emptyAllowList,
      lookup: async () => ['93.184.215.14', '10.0.0.7'],
      onLookupError,
    });
    const error = await failure(rejection);
    expect(error.code).toBe('SAML_TRANSPORT_TARGET_FORBIDDEN');
    expect(error.details).toMatchObject({ range: 'private', address: '10.0.0.7' });
  });

  it.each([
    ['an injected fetch', true],
    ['the built-in client', false],
  ])('ends in a retryable SAML_TRANSPORT_FAILED with %s', async (_client, injected) => {
    const names: string[] = [];
    const recorder = recordingFetch();
    const trap = await startTrap();
    const transport = createFetchTransport({
      lookup: async (hostname) => {
        names.push(hostname);
        return [];
      },
      ...(injected ? { fetch: recorder.fetch } : {}),
      attempts: 2,
      backoff: { baseMs: 1, maxMs: 1 },
    });

    const error = await failure(transport.send(request(`https://empty.example:${trap.port}/sls`)));

    expect(error.code).toBe('SAML_TRANSPORT_FAILED');
    expect(error.details).toEqual({
      url: `https://empty.example:${trap.port}/sls`,
      attempts: 2,
      reason: 'dns lookup failed',
    });
    expect((error.cause as Error).message).toBe('DNS lookup returned no address');
    expect(names).toEqual(['empty.example', 'empty.example']);
    expect(recorder.calls).toEqual([]);
    expect(trap.connections()).toBe(0);
  });
});

describe('a lookup function that throws instead of rejecting', () => {
  it.each([
    ['an injected fetch', true],
    ['the built-in client', false],
  ])(
    'ends in SAML_TRANSPORT_FAILED with %s, and nothing escapes the transport',
    async (_client, injected) => {
      const recorder = recordingFetch();
      const trap = await startTrap();
      const transport = createFetchTransport({
        // A LookupFunction is typed to return a promise; one written by hand may throw instead.
        lookup: (() => {
          throw new Error('resolver not configured');
        }) as unknown as LookupFunction,
        ...(injected ? { fetch: recorder.fetch } : {}),
        attempts: 1,
      });

      const error = await failure(transport.send(request(`https://throws.example:${trap.port}/sls`)));

      expect(error.code).toBe('SAML_TRANSPORT_FAILED');
      expect(error.details).toMatchObject({ reason: 'dns lookup failed' });
      expect((error.cause as Error).message).toBe('resolver not configured');
      expect(recorder.calls).toEqual([]);
      expect(trap.connections()).toBe(0);
    },
  );
});

describe('systemLookup', () => {
  it('returns every address of a name as { address } entries', async () => {
    const answers = await systemLookup('localhost');
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(typeof answer === 'string' ? answer : answer.address).toMatch(/^(127\.|::1$)/);
    }
  });
});

describe('scheme and URL policy (always on)', () => {
  it.each([
    ['file:///etc/passwd', 'file'],
    ['gopher://127.0.0.1:70/_x', 'gopher'],
    ['data:text/plain,hello', 'data'],
    ['ftp://sp.example/', 'ftp'],
    ['javascript:alert(1)', 'javascript'],
  ])('refuses %s without any request', async (url, scheme) => {
    const recorder = recordingFetch();
    const transport = createFetchTransport({ fetch: recorder.fetch });
    const error = await failure(transport.send(request(url)));
    expect(error.code).toBe('SAML_TRANSPORT_TARGET_FORBIDDEN');
    expect(error.details).toEqual({ scheme, reason: 'scheme not allowed' });
    expect(error.message).not.toContain('passwd');
    expect(recorder.calls).toEqual([]);
  });

  it('refuses http by default, including on a redirect hop', async () => {
    const recorder = recordingFetch(
      () => new Response(null, { status: 307, headers: { location: 'http://sp.example/downgraded' } }),
    );
    const transport = createFetchTransport({
      fetch: recorder.fetch,
      followRedirects: true,
      unsafeAllowPrivateTargets: true, // no DNS: this test is about the scheme
    });

    const direct = await failure(transport.send(request('http://sp.example/')));
    expect(direct.details).toEqual({ scheme: 'http', reason: 'http not allowed' });
    expect(recorder.calls).toEqual([]);

    const viaRedirect = await failure(transport.send(request('https://sp.example/')));
    expect(viaRedirect.details).toEqual({ scheme: 'http', reason: 'http not allowed' });
    expect(recorder.calls.map((c) => c.url)).toEqual(['https://sp.example/']);
  });

  it('refuses URLs with credentials and URLs that do not parse', async () => {
    const recorder = recordingFetch();
    const transport = createFetchTransport({ fetch: recorder.fetch });

    const withCredentials = await failure(transport.send(request('https://user:pass@sp.example/sls')));
    expect(withCredentials.code).toBe('SAML_TRANSPORT_TARGET_FORBIDDEN');
    expect(withCredentials.details).toEqual({
      url: 'https://sp.example/sls',
      reason: 'url carries credentials',
    });
    expect(JSON.stringify(withCredentials.details)).not.toContain('pass');

    const invalid = await failure(transport.send(request('not a url')));
    expect(invalid.code).toBe('SAML_TRANSPORT_FAILED');
    expect(invalid.details).toEqual({ attempts: 0, reason: 'invalid url' });

    expect(recorder.calls).toEqual([]);
  });
});
