import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAML } from '@node-saml/node-saml';
import * as samlify from 'samlify';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { nameIdFormats } from '../../src/index.js';
import {
  idpEntityId,
  idpSloUrl,
  idpSsoUrl,
  samlifySchemaValidator,
  spAcsUrl,
  spEntityId,
  spSloUrl,
  tamperSignature,
} from '../interop/support.js';
import { certificatePem, privateKeyPem } from '../support/keys.js';
import {
  assertCliBuilt,
  fixedId,
  fixedInstant,
  fixedNow,
  inTempDir,
  keyFile,
  runCli,
  runCliOk,
  samlifyIdp,
  samlifySp,
} from './support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

beforeAll(() => {
  assertCliBuilt();
  samlify.setSchemaValidator(samlifySchemaValidator);
});

const idpKey = ['--key', keyFile('idp.key'), '--cert', keyFile('idp.crt')];

function requestArgs(binding: 'redirect' | 'post' | 'soap', extra: string[] = []): string[] {
  return [
    'logout-request',
    '--issuer',
    idpEntityId,
    '--destination',
    spSloUrl,
    '--name-id',
    'alice@example.com',
    '--session-index',
    '_s1',
    '--id',
    fixedId,
    '--issue-instant',
    fixedInstant,
    '--binding',
    binding,
    ...extra,
  ];
}

/** The check lines of a text report, as `status check` pairs. */
function checkStatuses(stdout: string): Record<string, string> {
  const statuses: Record<string, string> = {};
  for (const match of stdout.matchAll(/^ {2}(pass|FAIL|skip|requested) +(\S+) /gm)) {
    statuses[match[2]!] = match[1]!;
  }
  return statuses;
}

describe('samlkit verify: messages signed by samlkit logout-request', () => {
  const signed: Record<'redirect' | 'post' | 'soap', string> = { redirect: '', post: '', soap: '' };
  beforeAll(async () => {
    for (const binding of ['redirect', 'post', 'soap'] as const) {
      const relayState = binding === 'soap' ? [] : ['--relay-state', 'rs'];
      signed[binding] = await runCliOk(requestArgs(binding, [...idpKey, ...relayState]));
    }
  });

  it.concurrent.for(['redirect', 'post', 'soap'] as const)(
    '%s with the right certificate: VALID, exit 0, every check reported',
    async (binding, { expect }) => {
      const { status, stdout, stderr } = await runCli(
        [
          'verify',
          '-',
          '--cert',
          keyFile('idp.crt'),
          '--now',
          fixedNow,
          '--issuer',
          idpEntityId,
          '--destination',
          spSloUrl,
        ],
        { input: signed[binding] },
      );
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const over = { redirect: 'HTTP-Redirect', post: 'HTTP-POST', soap: 'SOAP' }[binding];
      expect(stdout).toMatch(new RegExp(`^VALID: LogoutRequest over ${over}, signed RSA-SHA256 by CN=`));
      const path = { redirect: 'receiveRedirect', post: 'receivePost', soap: 'receiveSoap' }[binding];
      expect(stdout).toContain(`Checks (${path}):`);
      expect(checkStatuses(stdout)).toEqual({
        message: 'pass',
        signature: 'pass',
        time: 'pass',
        Issuer: 'pass',
        Destination: 'pass',
        InResponseTo: 'skip',
        replay: 'skip',
      });
      expect(stdout).toMatch(/^ {2}pass +time +.*2026-04-20T10:01:00\.000Z \(--now\)/m);
      expect(stdout).toMatch(/^ {2}skip +replay +not checked: /m);
      expect(stdout).toMatch(/^ {2}skip +InResponseTo +not applicable to requests$/m);
      // The verified fields, read from the verified bytes.
      expect(stdout).toMatch(new RegExp(`^ {2}ID: +${fixedId}$`, 'm'));
      expect(stdout).toMatch(/^ {2}NameID: +alice@example\.com$/m);
      expect(stdout).toMatch(/^ {2}SessionIndex: +_s1$/m);
      expect(stdout).toMatch(
        binding === 'soap' ? /^ {2}RelayState: +\(none\)$/m : /^ {2}RelayState: +"rs"$/m,
      );
    },
  );

  it.concurrent.for(['redirect', 'post', 'soap'] as const)(
    '%s with another certificate: INVALID SAML_SIGNATURE_INVALID, exit 1',
    async (binding, { expect }) => {
      const { status, stdout, stderr } = await runCli(
        ['verify', '-', '--cert', keyFile('sp-a.crt'), '--now', fixedNow],
        { input: signed[binding] },
      );
      expect(status).toBe(1);
      expect(stdout).toMatch(/^INVALID: SAML_SIGNATURE_INVALID: /);
      expect(stderr).toMatch(/^samlkit: SAML_SIGNATURE_INVALID: .+\n$/);
      expect(checkStatuses(stdout)).toMatchObject({ signature: 'FAIL', Issuer: 'skip', Destination: 'skip' });
    },
  );

  it('names the missing options of checks it did not apply', async () => {
    const stdout = await runCliOk([
      'verify',
      signed.redirect,
      '--cert',
      keyFile('idp.crt'),
      '--now',
      fixedNow,
    ]);
    expect(checkStatuses(stdout)).toMatchObject({ Issuer: 'skip', Destination: 'skip' });
    expect(stdout).toMatch(/^ {2}skip +Issuer +not checked: pass --issuer <entity ID>/m);
    expect(stdout).toMatch(/^ {2}skip +Destination +not checked: pass --destination <URL>/m);
  });

  it('bare XML (decode --raw) goes through the HTTP-POST receive path', async () => {
    const xml = await runCliOk(['decode', '-', '--raw'], { input: signed.post });
    const { status, stdout } = await runCli(
      ['verify', '-', '--cert', keyFile('idp.crt'), '--now', fixedNow],
      {
        input: xml,
      },
    );
    expect(stdout).toMatch(/^VALID: LogoutRequest over HTTP-POST/);
    expect(stdout).toContain('Checks (receivePost):');
    expect(status).toBe(0);
  });

  it('trusts any certificate of a PEM bundle or of several --cert', async () => {
    await inTempDir(async (dir) => {
      const bundle = join(dir, 'bundle.pem');
      writeFileSync(bundle, certificatePem('sp-a') + certificatePem('idp'));
      const args = ['verify', signed.redirect, '--now', fixedNow];
      expect((await runCli([...args, '--cert', bundle])).status).toBe(0);
      expect(
        (await runCli([...args, '--cert', keyFile('sp-a.crt'), '--cert', keyFile('idp.crt')])).status,
      ).toBe(0);
      expect(
        (await runCli([...args, '--cert', keyFile('sp-a.crt'), '--cert', keyFile('sp-b.crt')])).status,
      ).toBe(1);
    });
  });

  it('--json gives the verdict, the checks and the verified message', async () => {
    const valid = JSON.parse(
      await runCliOk(['verify', signed.post, '--cert', keyFile('idp.crt'), '--now', fixedNow, '--json']),
    );
    expect(valid).toMatchObject({
      valid: true,
      binding: 'post',
      receivedWith: 'receivePost',
      algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      relayState: 'rs',
      summary: { messageType: 'LogoutRequest', id: fixedId, nameId: { value: 'alice@example.com' } },
    });
    expect(valid.certificate.fingerprintSha256).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    expect(valid.checks.map((c: { check: string }) => c.check)).toEqual([
      'message',
      'signature',
      'time',
      'Issuer',
      'Destination',
      'InResponseTo',
      'replay',
    ]);
    const invalid = await runCli([
      'verify',
      signed.post,
      '--cert',
      keyFile('idp.crt'),
      '--now',
      fixedNow,
      '--issuer',
      'https://other.example.com',
      '--json',
    ]);
    expect(invalid.status).toBe(1);
    expect(JSON.parse(invalid.stdout)).toMatchObject({
      valid: false,
      code: 'SAML_ISSUER_MISMATCH',
      details: { expected: 'https://other.example.com', actual: idpEntityId },
    });
  });
});

describe('samlkit verify: failures carry the SAML_* code of the check that failed', () => {
  let redirect = '';
  let unsigned = '';
  let ecPost = '';
  beforeAll(async () => {
    redirect = (await runCliOk(requestArgs('redirect', [...idpKey, '--relay-state', 'rs']))).trim();
    unsigned = (await runCliOk(requestArgs('redirect'))).trim();
    const ecKey = ['--key', keyFile('idp-ec-p-256.key'), '--cert', keyFile('idp-ec-p-256.crt')];
    ecPost = await runCliOk(requestArgs('post', ecKey));
  });

  const idpCert = () => ['--cert', keyFile('idp.crt')];

  it.concurrent.for([
    [
      'no signature',
      () => [unsigned, ...idpCert(), '--now', fixedNow],
      'SAML_SIGNATURE_MISSING',
      'signature',
    ],
    [
      'a tampered signature',
      () => [tamperSignature(redirect), ...idpCert(), '--now', fixedNow],
      'SAML_SIGNATURE_INVALID',
      'signature',
    ],
    [
      'an EC signature checked with an RSA certificate',
      () => [ecPost, ...idpCert(), '--now', fixedNow],
      'SAML_SIGNATURE_INVALID',
      'signature',
    ],
    [
      'another Issuer',
      () => [redirect, ...idpCert(), '--now', fixedNow, '--issuer', spEntityId],
      'SAML_ISSUER_MISMATCH',
      'Issuer',
    ],
    [
      'another Destination',
      () => [redirect, ...idpCert(), '--now', fixedNow, '--destination', idpSloUrl],
      'SAML_DESTINATION_MISMATCH',
      'Destination',
    ],
    [
      'an InResponseTo a request lacks',
      () => [redirect, ...idpCert(), '--now', fixedNow, '--in-response-to', '_x'],
      'SAML_IN_RESPONSE_TO_MISMATCH',
      'InResponseTo',
    ],
    [
      'the clock, for a message issued in April 2026',
      () => [redirect, ...idpCert(), '--now', '2026-04-20T11:00:00Z'],
      'SAML_MESSAGE_EXPIRED',
      'time',
    ],
    [
      'a message from the future',
      () => [redirect, ...idpCert(), '--now', '2026-04-20T09:50:00Z'],
      'SAML_MESSAGE_EXPIRED',
      'time',
    ],
    [
      'input that is not a message',
      () => ['garbage!', ...idpCert()],
      'SAML_BINDING_DECODE_FAILED',
      'message',
    ],
  ] as const)('%s', async ([_name, args, code, check], { expect }) => {
    const { status, stdout, stderr } = await runCli(['verify', ...args()]);
    expect(stdout).toMatch(new RegExp(`^INVALID: ${code}: `));
    expect(stderr).toMatch(new RegExp(`^samlkit: ${code}: `));
    expect(checkStatuses(stdout)[check]).toBe('FAIL');
    expect(status).toBe(1);
  });

  it('prints what was expected and what the message carries', async () => {
    const { stdout } = await runCli([
      'verify',
      redirect,
      ...idpCert(),
      '--now',
      fixedNow,
      '--destination',
      idpSloUrl,
    ]);
    expect(stdout).toContain(`  expected: ${idpSloUrl}\n  actual: ${spSloUrl}\n`);
  });

  it('a larger --clock-skew admits a message a little from the future', async () => {
    const args = ['verify', redirect, ...idpCert(), '--now', '2026-04-20T09:55:00Z'];
    expect((await runCli(args)).status).toBe(1);
    expect((await runCli([...args, '--clock-skew', '400'])).status).toBe(0);
  });

  it('a bare DEFLATE payload: SAML_SIGNATURE_MISSING, with where the signature lives', async () => {
    const payload = /SAMLRequest=([^&]+)/.exec(redirect)![1]!;
    const { status, stdout } = await runCli(['verify', payload, ...idpCert(), '--now', fixedNow]);
    expect(stdout).toMatch(/^INVALID: SAML_SIGNATURE_MISSING: /);
    expect(stdout).toContain('the SigAlg and Signature parameters: pass the whole URL');
    expect(status).toBe(1);
  });

  it('a --cert that is missing or not a certificate is an error, not a verdict', async () => {
    const missing = await runCli(['verify', redirect, '--cert', 'no-such.pem']);
    expect(missing).toEqual({
      status: 1,
      stdout: '',
      stderr: 'samlkit: ENOENT: --cert no-such.pem: no such file\n',
    });
    const notPem = await runCli(['verify', redirect, '--cert', keyFile('README.md')]);
    expect(notPem.stderr).toMatch(
      /^samlkit: SAML_KEY_INVALID: --cert .*README\.md: no PEM certificate found\n$/,
    );
    expect(notPem.status).toBe(1);
    await inTempDir(async (dir) => {
      const broken = join(dir, 'broken.pem');
      writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      const bad = await runCli(['verify', redirect, '--cert', broken]);
      expect(bad.stderr).toBe('samlkit: SAML_KEY_INVALID: certificate could not be parsed\n');
      expect(bad.status).toBe(1);
    });
  });
});

describe('samlkit verify: messages signed by node-saml and samlify', () => {
  const spCert = () => ['--cert', keyFile('sp-a.crt'), '--issuer', spEntityId, '--destination', idpSloUrl];
  const profile = {
    issuer: idpEntityId,
    nameID: 'bob@example.com',
    nameIDFormat: nameIdFormats.persistent,
    sessionIndex: '_peer',
  };

  function nodeSamlSp(signatureAlgorithm: 'sha1' | 'sha256'): SAML {
    return new SAML({
      callbackUrl: spAcsUrl,
      issuer: spEntityId,
      idpCert: certificatePem('idp'),
      idpIssuer: idpEntityId,
      entryPoint: idpSsoUrl,
      logoutUrl: idpSloUrl,
      privateKey: privateKeyPem('sp-a'),
      signatureAlgorithm,
    });
  }

  it('node-saml’s HTTP-Redirect LogoutRequest: VALID with the SP certificate, INVALID with ours', async () => {
    const url = await nodeSamlSp('sha256').getLogoutUrlAsync(profile, 'rs', {});
    const valid = await runCli(['verify', url, ...spCert()]);
    expect(valid.stdout).toMatch(/^VALID: LogoutRequest over HTTP-Redirect, signed RSA-SHA256/);
    expect(checkStatuses(valid.stdout)).toMatchObject({ Issuer: 'pass', Destination: 'pass' });
    expect(valid.status).toBe(0);
    const wrong = await runCli(['verify', url, '--cert', keyFile('idp.crt')]);
    expect(wrong.stdout).toMatch(/^INVALID: SAML_SIGNATURE_INVALID: /);
    expect(wrong.status).toBe(1);
  });

  it('node-saml’s default RSA-SHA1 is refused unless --unsafe-allow-sha1', async () => {
    const url = await nodeSamlSp('sha1').getLogoutUrlAsync(profile, '', {});
    const refused = await runCli(['verify', url, ...spCert()]);
    expect(refused.stdout).toMatch(/^INVALID: SAML_ALGORITHM_FORBIDDEN: SHA-1 signatures are refused/);
    expect(refused.status).toBe(1);
    const allowed = await runCli(['verify', url, ...spCert(), '--unsafe-allow-sha1']);
    expect(allowed.stdout).toMatch(/^VALID: .* signed RSA-SHA1 /);
    expect(allowed.stdout).toMatch(/^ {2}pass +signature +RSA-SHA1 query signature/m);
    expect(allowed.status).toBe(0);
  });

  it('node-saml signs RelayState with spaces over re-encoded bytes: --accept-reencoded-signature', async () => {
    const url = await nodeSamlSp('sha256').getLogoutUrlAsync(profile, 'a b', {});
    const strict = await runCli(['verify', url, ...spCert()]);
    expect(strict.stdout).toMatch(/^INVALID: SAML_SIGNATURE_INVALID: /);
    const loose = await runCli(['verify', url, ...spCert(), '--accept-reencoded-signature']);
    expect(loose.stdout).toMatch(/^VALID: /);
    expect(loose.stdout).toContain('(or re-encoded, --accept-reencoded-signature)');
  });

  it('samlify’s HTTP-Redirect and HTTP-POST LogoutRequests: VALID with the SP certificate', async () => {
    const user = { logoutNameID: 'bob@example.com', sessionIndex: '_peer' };
    const redirect = samlifySp().createLogoutRequest(samlifyIdp(), 'redirect', user, 'rs');
    const viaRedirect = await runCli(['verify', redirect.context, ...spCert()]);
    expect(viaRedirect.stdout).toMatch(/^VALID: LogoutRequest over HTTP-Redirect, signed RSA-SHA256/);
    expect(viaRedirect.status).toBe(0);

    const post = samlifySp().createLogoutRequest(samlifyIdp(), 'post', user, 'rs') as unknown as {
      context: string;
      relayState: string;
    };
    const fields = JSON.stringify({ SAMLRequest: post.context, RelayState: post.relayState });
    const viaPost = await runCli(['verify', '-', ...spCert()], { input: fields });
    expect(viaPost.stdout).toMatch(/^VALID: LogoutRequest over HTTP-POST, signed RSA-SHA256/);
    expect(viaPost.stdout).toMatch(/^ {2}RelayState: +"rs"$/m);
    expect(viaPost.status).toBe(0);
  });
});

it('verify reads the certificate file as given, relative to the working directory', async () => {
  await inTempDir(async (dir) => {
    writeFileSync(join(dir, 'idp.pem'), readFileSync(keyFile('idp.crt')));
    const url = (await runCliOk(requestArgs('redirect', idpKey))).trim();
    const { status } = await runCli(['verify', url, '--cert', 'idp.pem', '--now', fixedNow], { cwd: dir });
    expect(status).toBe(0);
  });
});
