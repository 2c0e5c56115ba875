import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIdp, startIdp } from '../../src/serve/index.js';
import { fixturesDir, readFixture } from '../support/keys.js';

/** A GET over https trusting exactly this certificate (a fixture whose name is not 127.0.0.1). */
function get(
  url: string,
  ca: string,
  cookie?: string,
): Promise<{ status: number; cookies: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca, checkServerIdentity: () => undefined, headers: cookie ? { cookie } : {} },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, cookies: response.headers['set-cookie'] ?? [], body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('startIdp with TLS', () => {
  let idp: RunningIdp;
  const certificate = readFixture('keys/idp.crt');
  beforeAll(async () => {
    // File paths here; PEM text works as well.
    idp = await startIdp({
      tls: { certificate: `${fixturesDir}keys/idp.crt`, privateKey: readFixture('keys/idp.key') },
    });
  });
  afterAll(() => idp?.close());

  it('serves https, with https endpoints in its metadata', async () => {
    expect(idp.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const metadata = await get(`${idp.url}/metadata`, certificate);
    expect(metadata.status).toBe(200);
    expect(metadata.body).toContain(`Location="${idp.url}/sso"`);
  });

  it('marks its cookies Secure', async () => {
    const login = await get(`${idp.url}/login`, certificate);
    expect(login.status).toBe(200);
    expect(login.cookies).toHaveLength(1);
    expect(login.cookies[0]).toMatch(/^samlkit_login=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
  });

  it('refuses plain http on the TLS port', async () => {
    await expect(fetch(idp.url.replace('https:', 'http:'))).rejects.toThrow();
  });
});
