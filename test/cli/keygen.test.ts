import {
  chmodSync,
  lstatSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadKeyPair } from '../../src/index.js';
import { externalTool, runTool, xmlsecVerify } from '../support/xmlsec.js';
import { assertCliBuilt, inTempDir, keyFile, runCli, runCliOk } from './support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

beforeAll(assertCliBuilt);

const requestArgs = [
  'logout-request',
  '--issuer',
  'https://idp.example.com/metadata',
  '--destination',
  'https://sp.example.com/slo',
  '--name-id',
  'alice@example.com',
];

describe('samlkit keygen', () => {
  it.concurrent.for([
    ['RSA-2048', [], 'rsa', 2048],
    ['P-256', ['--ec'], 'ec', 256],
  ] as const)(
    '%s: key.pem (0600) and cert.pem that loadKeyPair accepts',
    async ([_name, flags, keyType, keySize], { expect }) => {
      await inTempDir(async (dir) => {
        const out = join(dir, 'new', 'keys');
        const stdout = await runCliOk(['keygen', '--out', out, '--cn', 'cli test', '--days', '30', ...flags]);
        const keyPath = join(out, 'key.pem');
        const certificatePath = join(out, 'cert.pem');
        expect(stdout).toContain(`Wrote ${keyPath}`);
        expect(stdout).toContain(`Wrote ${certificatePath} (self-signed, CN=cli test, valid `);
        expect(statSync(keyPath).mode & 0o777).toBe(0o600);
        const pair = loadKeyPair({
          certificate: readFileSync(certificatePath, 'utf8'),
          privateKey: readFileSync(keyPath, 'utf8'),
        });
        expect(pair).toMatchObject({ keyType, keySize, subject: 'CN=cli test', hasPrivateKey: true });
        expect(pair.notAfter.getTime() - pair.notBefore.getTime()).toBe(30 * 86_400_000);
        expect(stdout).toContain(`SHA-256 fingerprint: ${pair.fingerprintSha256}\n`);
      });
    },
  );

  it('round trip: keygen, logout-request signed with the new key, verify with its certificate (and not another)', async () => {
    await inTempDir(async (dir) => {
      await runCliOk(['keygen', '--out', dir, '--ec']);
      const key = ['--key', join(dir, 'key.pem'), '--cert', join(dir, 'cert.pem')];
      const url = (await runCliOk([...requestArgs, ...key])).trim();
      const valid = await runCli(['verify', url, '--cert', join(dir, 'cert.pem')]);
      expect(valid.stdout).toMatch(
        /^VALID: LogoutRequest over HTTP-Redirect, signed ECDSA-SHA256 by CN=samlkit self-signed/,
      );
      expect(valid.status).toBe(0);
      const invalid = await runCli(['verify', url, '--cert', keyFile('idp-ec-p-256.crt')]);
      expect(invalid.stdout).toMatch(/^INVALID: SAML_SIGNATURE_INVALID: /);
      expect(invalid.stderr).toMatch(/^samlkit: SAML_SIGNATURE_INVALID: /);
      expect(invalid.status).toBe(1);
    });
  });

  const xmlsec1 = externalTool('xmlsec1', 'xmlsec1');
  it.skipIf(!xmlsec1)(
    'xmlsec1 verifies a POST message signed with a generated RSA key, trusting only cert.pem',
    async () => {
      await inTempDir(async (dir) => {
        await runCliOk(['keygen', '--out', dir]);
        const form = JSON.parse(
          await runCliOk([
            ...requestArgs,
            '--binding',
            'post',
            '--key',
            join(dir, 'key.pem'),
            '--cert',
            join(dir, 'cert.pem'),
          ]),
        );
        const xml = Buffer.from(form.fields.SAMLRequest, 'base64').toString('utf8');
        const certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
        const result = xmlsecVerify(xml, certificate, ['LogoutRequest']);
        expect(result.ok, result.output).toBe(true);
        expect(xmlsecVerify(xml, readFileSync(keyFile('idp.crt'), 'utf8'), ['LogoutRequest']).ok).toBe(false);
      });
    },
  );

  const openssl = externalTool('openssl', 'openssl');
  it.skipIf(!openssl)('openssl reads the certificate and verifies it as its own trust anchor', async () => {
    await inTempDir(async (dir) => {
      await runCliOk(['keygen', '--out', dir, '--ec', '--cn', 'openssl check']);
      const certificate = join(dir, 'cert.pem');
      const text = runTool(openssl!, ['x509', '-in', certificate, '-noout', '-subject', '-text'], dir);
      expect(text.ok, text.output).toBe(true);
      expect(text.output).toMatch(/subject=CN ?= ?openssl check/);
      const verified = runTool(openssl!, ['verify', '-CAfile', certificate, certificate], dir);
      expect(verified.output).toContain(`${certificate}: OK`);
      const key = runTool(openssl!, ['pkey', '-in', join(dir, 'key.pem'), '-noout'], dir);
      expect(key.ok, key.output).toBe(true);
    });
  });

  it('refuses to overwrite without --force and writes nothing; --force replaces both files', async () => {
    await inTempDir(async (dir) => {
      const keyPath = join(dir, 'key.pem');
      const certificatePath = join(dir, 'cert.pem');
      writeFileSync(certificatePath, 'keep me');
      const refused = await runCli(['keygen', '--out', dir]);
      expect(refused).toEqual({
        status: 1,
        stdout: '',
        stderr: `samlkit: EEXIST: ${certificatePath} exists; pass --force to overwrite it\n`,
      });
      expect(readFileSync(certificatePath, 'utf8')).toBe('keep me');
      expect(() => statSync(keyPath)).toThrow();

      writeFileSync(keyPath, 'old key', { mode: 0o644 });
      await runCliOk(['keygen', '--out', dir, '--force']);
      expect(readFileSync(certificatePath, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
      expect(readFileSync(keyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    });
  });

  it('regression: --force replaces a key.pem symlink itself, never writing the key into its target', async () => {
    await inTempDir(async (dir) => {
      const out = join(dir, 'keys');
      const victim = join(dir, 'victim.txt');
      writeFileSync(victim, 'victim data');
      chmodSync(victim, 0o666);
      await runCliOk(['keygen', '--out', out]);
      const keyPath = join(out, 'key.pem');
      const certificatePath = join(out, 'cert.pem');
      rmSync(keyPath);
      symlinkSync(victim, keyPath);
      const refused = await runCli(['keygen', '--out', out]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/^samlkit: EEXIST: /);
      expect(readFileSync(victim, 'utf8')).toBe('victim data');

      await runCliOk(['keygen', '--out', out, '--force']);
      expect(readFileSync(victim, 'utf8')).toBe('victim data');
      expect(statSync(victim).mode & 0o777).toBe(0o666);
      expect(lstatSync(keyPath).isSymbolicLink()).toBe(false);
      expect(lstatSync(keyPath).isFile()).toBe(true);
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      expect(statSync(certificatePath).mode & 0o777).toBe(0o644);
      loadKeyPair({
        certificate: readFileSync(certificatePath, 'utf8'),
        privateKey: readFileSync(keyPath, 'utf8'),
      });
      // No temporary files left behind.
      expect(readdirSync(out).sort()).toEqual(['cert.pem', 'key.pem']);
    });
  });

  it('a --cn the certificate cannot carry: SAML_INPUT_INVALID', async () => {
    await inTempDir(async (dir) => {
      const { status, stderr } = await runCli(['keygen', '--out', dir, '--cn', 'x'.repeat(65)]);
      expect(stderr).toBe(
        'samlkit: SAML_INPUT_INVALID: invalid self-signed certificate input\n  - commonName: must be 1 to 64 characters\n',
      );
      expect(status).toBe(1);
    });
  });
});
