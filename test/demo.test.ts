/**
 * `npm run demo` is `npm run build && node demo/slo.mjs`. `npm test` has built
 * dist/ before vitest starts, so these tests run the demo script itself as a
 * subprocess (rebuilding here would replace dist/ under the other test files).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the demo and waits for it to exit ON ITS OWN; the timeout only guards against a hang. */
function demo(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['demo/slo.mjs', ...args],
      { cwd: root, timeout: 60_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number; signal?: NodeJS.Signals }) | null;
        resolve({
          code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0,
          signal: failure?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** The origins the demo printed for its four servers. */
function origins(stdout: string): string[] {
  return [...stdout.matchAll(/^ {2}(?:IdP|wiki|crm|chat) +(http:\/\/127\.0\.0\.1:\d+) /gm)].map((m) => m[1]!);
}

/** After the demo exited, nothing listens on its ports any more. */
async function expectClosed(list: string[]) {
  expect(list).toHaveLength(4);
  for (const origin of list) await expect(fetch(origin)).rejects.toThrow();
}

/** The five message blocks of the trace, each as one string. */
function messages(stdout: string): string[] {
  const section = stdout.slice(stdout.indexOf('\nMessages\n'), stdout.indexOf('\nOutcome\n'));
  return section.split(/\n(?= {2}\d\. )/).slice(1);
}

beforeAll(() => {
  if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
  }
});

describe('npm run demo', () => {
  it('the npm script builds only a stale dist/, silently, then runs demo/slo.mjs', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.scripts.demo).toBe('node scripts/build-if-stale.mjs && node demo/slo.mjs');
    // dist/ is current here (npm test built it): the build step prints nothing and does not build.
    const started = Date.now();
    const build = await new Promise<Run>((resolve) => {
      execFile(
        process.execPath,
        ['scripts/build-if-stale.mjs'],
        { cwd: root, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, signal: null, stdout, stderr }),
      );
    });
    expect(build).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('SP-initiated logout across three SPs: every message signed and verified, Success, exit 0', async () => {
    const run = await demo();
    expect(run.signal).toBeNull();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const out = run.stdout;
    expect(out).toContain('SP on @node-saml/node-saml');
    const blocks = messages(out);
    expect(blocks.map((b) => b.split('\n')[0]!.replace(/\s+/g, ' ').trim())).toEqual([
      '1. LogoutRequest HTTP-POST wiki → IdP (via the browser)',
      '2. LogoutRequest HTTP-POST IdP → crm (server to server)',
      '3. LogoutRequest SOAP IdP → chat (server to server)',
      '4. LogoutResponse SOAP chat → IdP (server to server)',
      '5. LogoutResponse HTTP-Redirect IdP → wiki (via the browser)',
    ]);
    const [fromWiki, toCrm, toChat, fromChat, toWiki] = blocks as [string, string, string, string, string];
    expect(fromWiki).toContain('signed by wiki (ecdsa-sha256)');
    expect(fromWiki).toContain("verified by IdP with wiki's registered certificate CN=sp-ec.samlkit.test");
    expect(fromWiki).toContain('NameID alice@wiki  SessionIndex _session-alice-wiki');
    expect(toCrm).toContain('signed by IdP (rsa-sha256)');
    expect(toCrm).toMatch(/verified by crm with the IdP's certificate CN=idp\.samlkit\.test .*@node-saml/);
    expect(toChat).toContain("verified by chat with the IdP's certificate CN=idp.samlkit.test");
    expect(fromChat).toContain('Status Success');
    expect(fromChat).toContain("verified by IdP with chat's registered certificate CN=sp-b.samlkit.test");
    expect(toWiki).toContain('Status Success');
    expect(toWiki).toContain('RelayState /goodbye');
    // The response answers the wiki's request.
    const requestId = /ID (_[0-9a-f]+)/.exec(fromWiki)![1];
    expect(toWiki).toContain(`InResponseTo ${requestId}`);

    // The browser really went wiki → form → IdP → 302 → wiki.
    expect(out).toMatch(/1\. GET {2}wiki\/logout +→ 200 page with a form, submitted/);
    expect(out).toMatch(/2\. POST IdP\/slo\/post \(SAMLRequest\) +→ 302 redirect/);
    expect(out).toMatch(/3\. GET {2}wiki\/slo \(SAMLResponse\) +→ 200 page: You are signed out everywhere\./);

    expect(out).toContain('  crm   logged_out, backchannel');
    expect(out).toContain('  chat  logged_out, backchannel');
    expect(out).toContain('sessions left for alice: 0');
    expect(out.trimEnd().split('\n').at(-1)).toBe(
      'Final status: Success. alice is signed out at the IdP and at all three SPs.',
    );
    await expectClosed(origins(out));
  });

  it('--fail-one: chat answers Responder, the wiki is told PartialLogout, exit 0 (the expected demonstration)', async () => {
    const run = await demo('--fail-one');
    expect(run.signal).toBeNull();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;
    const blocks = messages(out);
    expect(blocks).toHaveLength(5);
    expect(blocks[3]).toContain('Status Responder ("session store unavailable")');
    expect(blocks[3]).toContain("verified by IdP with chat's registered certificate");
    expect(blocks[4]).toContain('Status Responder / PartialLogout');
    expect(out).toContain('  crm   logged_out, backchannel');
    expect(out).toContain('  chat  failed (Responder), backchannel');
    expect(out).toContain('participant_failed');
    expect(out).toContain('sessions left for alice: 0');
    expect(out).toMatch(/→ 200 page: You are signed out here, but not everywhere\./);
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^Final status: PartialLogout\. /);
    await expectClosed(origins(out));
  });

  it('exits 1 with the reason when the run cannot finish (here: a 1 ms deadline), and still exits by itself', async () => {
    const run = await demo('--timeout', '1');
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('demo failed: timed out after 1 ms');
    expect(run.stderr).not.toContain('still open');
  });

  it('exits 2 on an unknown option and prints the usage', async () => {
    const run = await demo('--nope');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown option --nope');
    expect(run.stderr).toContain('--fail-one');
  });

  it('--help documents the exit status', async () => {
    const run = await demo('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Exit status: 0 when the run ended exactly as the chosen scenario says');
  });
});
