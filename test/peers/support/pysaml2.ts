/**
 * pysaml2 7.0 (Debian package `python3-pysaml2`) as an SP: a small web app on
 * its Saml2Client (fixtures/peers/pysaml2/sp.py) run with /usr/bin/python3 (the
 * `python3` on PATH may be another interpreter without pysaml2). Its config has
 * pysaml2's documented shape with every security option at pysaml2's defaults;
 * `configure` may set options, and the tests name each one and why.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificatePem, privateKeyPem } from '../../support/keys.js';
import {
  findPeer,
  freePort,
  type PeerProcess,
  removeDir,
  startProcess,
  tempDir,
  waitUntil,
} from './processes.js';

/** Debian's interpreter: pysaml2 is installed for it, not necessarily for a python3 earlier on PATH. */
export const pysaml2Python = '/usr/bin/python3';
const script = fileURLToPath(new URL('../../../fixtures/peers/pysaml2/sp.py', import.meta.url));

/** True when Debian's python3 has pysaml2 (loud skip, or an error under CI, when not). */
export function pysaml2Installed(): boolean {
  if (findPeer('pysaml2', [pysaml2Python, '/usr/bin/xmlsec1'], 'python3-pysaml2 xmlsec1') === undefined)
    return false;
  if (spawnSync(pysaml2Python, ['-c', 'import saml2'], { stdio: 'ignore' }).status === 0) return true;
  return (
    findPeer('pysaml2', ['/usr/lib/python3/dist-packages/saml2/__init__.py'], 'python3-pysaml2') !== undefined
  );
}

export interface Pysaml2Sp {
  origin: string;
  entityId: string;
  metadata(): Promise<string>;
  /**
   * (Re)builds the Saml2Client: the IdP metadata inline, or fetched from
   * `remote` and checked against `cert` (pysaml2's signed-metadata loader), and
   * SP options beyond pysaml2's defaults. Rejects with pysaml2's error.
   */
  configure(input: {
    idp: { inline: string } | { remote: string; cert: string };
    sp?: Record<string, unknown>;
  }): Promise<void>;
  stop(): Promise<void>;
}

export async function startPysaml2(): Promise<Pysaml2Sp> {
  const dir = tempDir('pysaml2');
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'sp.key'), privateKeyPem('sp-b'));
  writeFileSync(join(dir, 'keys', 'sp.crt'), certificatePem('sp-b'));
  const port = await freePort();
  const child: PeerProcess = startProcess(pysaml2Python, [
    script,
    String(port),
    join(dir, 'keys', 'sp.key'),
    join(dir, 'keys', 'sp.crt'),
    dir,
  ]);
  try {
    await waitUntil('pysaml2 SP', () => child.output().includes('ready '), { process: child });
  } catch (error) {
    await child.stop();
    removeDir(dir);
    throw error;
  }
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    entityId: `${origin}/metadata`,
    async metadata() {
      const response = await fetch(`${origin}/metadata`);
      if (!response.ok)
        throw new Error(`pysaml2 metadata: HTTP ${response.status}: ${await response.text()}`);
      return response.text();
    },
    async configure(input) {
      const response = await fetch(`${origin}/configure`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      if (!response.ok) {
        const { error } = (await response.json()) as { error: string };
        throw new Error(`pysaml2 refused the configuration: ${error}`);
      }
    },
    async stop() {
      await child.stop();
      removeDir(dir);
    },
  };
}
