/**
 * `samlkit verify` and `decode` on SSO messages: a Response is checked the way an SP must
 * (Response signature and assertion signature, each on its own element; the encrypted assertion
 * decrypted with --key), for every Response shape samlkit builds and for samlify's and pysaml2's;
 * tampered and foreign-key Responses are INVALID.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as samlify from 'samlify';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { BuildResponseInput, ProviderInput } from '../../src/index.js';
import { postBinding, samlifySchemaValidator } from '../interop/support.js';
import { pysaml2Installed } from '../peers/support/pysaml2.js';
import {
  authnRequestXml,
  idpEntityId,
  sampleResponse,
  spAcsUrl,
  spEntityId,
  spProvider,
} from '../sso/support.js';
import { certificate, certificatePem, privateKeyPem } from '../support/keys.js';
import { assertCliBuilt, inTempDir, keyFile, runCli } from './support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

beforeAll(() => {
  assertCliBuilt();
  samlify.setSchemaValidator(samlifySchemaValidator);
});

const now = '2026-04-20T10:01:00Z';
const idpCert = ['--cert', keyFile('idp.crt')];
const spKey = ['--key', keyFile('sp-a.key')];

function responseXml(provider: Partial<ProviderInput>, overrides: Partial<BuildResponseInput> = {}): string {
  return sampleResponse({
    provider: spProvider(provider),
    ...overrides,
    assertion: {
      id: '_assertion-1',
      nameId: { value: 'alice@example.com' },
      sessionIndex: '_session-1',
      attributes: [{ name: 'email', values: ['alice@example.com'] }],
    },
  }).xml;
}

/** Runs `samlkit <args…> <file>` on the XML written to a file, with more arguments after. */
async function onFile(command: 'verify' | 'decode', xml: string, args: string[]) {
  return inTempDir(async (dir) => {
    const file = join(dir, 'response.xml');
    writeFileSync(file, xml);
    return runCli([command, file, ...args]);
  });
}

const shapes: [string, Partial<ProviderInput>, string[], RegExp][] = [
  ['assertion signed (the default)', {}, [], /\(assertion signed\)/],
  ['Response signed', { signAssertion: false, signResponse: true }, [], /\(Response signed\)/],
  ['both signed', { signAssertion: true, signResponse: true }, [], /\(Response and assertion signed\)/],
  [
    'assertion signed and encrypted, with --key',
    { encryptionCertificate: certificate('sp-a') },
    spKey,
    /\(assertion signed, assertion decrypted\)/,
  ],
  [
    'Response signed, assertion encrypted, with --key',
    { signAssertion: false, signResponse: true, encryptionCertificate: certificate('sp-a') },
    spKey,
    /\(Response signed, assertion decrypted\)/,
  ],
];

describe('samlkit verify: Responses samlkit builds', () => {
  it.concurrent.for(shapes)(
    '%s: VALID, with the assertion shown',
    async ([, provider, extra, signed], { expect }) => {
      const result = await onFile('verify', responseXml(provider), [
        ...idpCert,
        ...extra,
        '--now',
        now,
        '--issuer',
        idpEntityId,
        '--destination',
        spAcsUrl,
        '--in-response-to',
        '_authn-request-1',
        '--audience',
        spEntityId,
      ]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(
        /^VALID: Response over HTTP-POST, signed RSA-SHA256 by CN=idp\.samlkit\.test/m,
      );
      expect(result.stdout).toMatch(signed);
      expect(result.stdout).toMatch(/Subject: +alice@example\.com/);
      expect(result.stdout).toMatch(/Audience: +https:\/\/sp-a\.example\.com\/metadata/);
      expect(result.stdout).toMatch(
        /AuthnStatement: +AuthnInstant=2026-04-20T10:00:00Z, SessionIndex=_session-1/,
      );
      expect(result.stdout).toMatch(/Attribute: +email = alice@example\.com/);
      expect(result.stdout).toMatch(/Confirmation: +bearer, Recipient=https:\/\/sp-a\.example\.com\/acs/);
    },
  );

  it.concurrent('--json reports which parts were signed and the verified assertion bytes', async ({
    expect,
  }) => {
    const result = await onFile('verify', responseXml({ encryptionCertificate: certificate('sp-a') }), [
      ...idpCert,
      ...spKey,
      '--now',
      now,
      '--json',
    ]);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      valid: true,
      responseSigned: false,
      assertionSigned: true,
      assertionEncrypted: true,
      summary: { messageType: 'Response', assertion: { nameId: { value: 'alice@example.com' } } },
    });
    expect(report.assertionXml).toMatch(/^<saml:Assertion /);
    expect(report.assertionXml).not.toContain('Signature');
  });
});

describe('samlkit verify: Responses that must be refused', () => {
  const invalid: [string, () => string, string[], string][] = [
    [
      'a signed assertion whose NameID was changed',
      () => responseXml({}).replace('>alice@example.com</saml:NameID>', '>mallory@example.com</saml:NameID>'),
      [],
      'SAML_SIGNATURE_INVALID',
    ],
    [
      'a signed Response whose status was changed',
      () =>
        responseXml({ signAssertion: false, signResponse: true }).replace(
          'InResponseTo="_authn-request-1"',
          'InResponseTo="_other"',
        ),
      [],
      'SAML_SIGNATURE_INVALID',
    ],
    [
      'an unsigned Response whose unsigned assertion is added',
      () =>
        responseXml({ signAssertion: false, signResponse: false }, { unsafeAllowUnsignedAssertion: true }),
      [],
      'SAML_SIGNATURE_MISSING',
    ],
    [
      'an encrypted assertion without --key',
      () => responseXml({ encryptionCertificate: certificate('sp-a') }),
      [],
      'SAML_DECRYPTION_FAILED',
    ],
    [
      'an encrypted assertion with another SP key',
      () => responseXml({ encryptionCertificate: certificate('sp-a') }),
      ['--key', keyFile('sp-b.key')],
      'SAML_DECRYPTION_FAILED',
    ],
    [
      'a Response checked against a foreign certificate',
      () => responseXml({}),
      ['--cert', keyFile('evil.crt')],
      'SAML_SIGNATURE_INVALID',
    ],
    [
      'an assertion for another audience',
      () => responseXml({}),
      ['--audience', 'https://sp-b.example.com/metadata'],
      'SAML_MESSAGE_INVALID',
    ],
  ];
  it.concurrent.for(invalid)('%s: INVALID', async ([, build, extra, code], { expect }) => {
    const certs = extra.includes('--cert') ? [] : idpCert;
    const result = await onFile('verify', build(), [...certs, ...extra, '--now', now]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^INVALID: ${code}`));
  });

  it.concurrent('an assertion whose Conditions have expired: INVALID, the time check fails', async ({
    expect,
  }) => {
    const result = await onFile('verify', responseXml({}), [...idpCert, '--now', '2026-04-20T10:09:00Z']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /^INVALID: SAML_MESSAGE_EXPIRED: (Conditions|SubjectConfirmationData) NotOnOrAfter has passed/,
    );
    expect(result.stdout).toMatch(/FAIL +time/);
  });
});

/** A Response from samlify's IdP (its own templates, its own signer), built for sp-a. */
async function samlifyResponse(options: {
  encrypted: boolean;
  signResponse: boolean;
  encryptThenSign?: boolean;
}): Promise<string> {
  const idp = samlify.IdentityProvider({
    entityID: idpEntityId,
    privateKey: privateKeyPem('idp'),
    signingCert: certificatePem('idp'),
    isAssertionEncrypted: options.encrypted,
    // samlify's default is AES-256-CBC, which samlkit refuses without --unsafe-allow-cbc (an oracle).
    ...({ dataEncryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes128-gcm' } as object),
    singleSignOnService: [{ Binding: postBinding, Location: 'https://idp.example.com/sso' }],
    singleLogoutService: [{ Binding: postBinding, Location: 'https://idp.example.com/slo' }],
  });
  const sp = samlify.ServiceProvider({
    entityID: spEntityId,
    privateKey: privateKeyPem('sp-a'),
    signingCert: certificatePem('sp-a'),
    encryptCert: certificatePem('sp-a'),
    encPrivateKey: privateKeyPem('sp-a'),
    isAssertionEncrypted: options.encrypted,
    wantMessageSigned: options.signResponse,
    assertionConsumerService: [{ Binding: postBinding, Location: spAcsUrl }],
  });
  const { context } = await idp.createLoginResponse(
    sp,
    { extract: { request: { id: '_samlify-request' } } },
    'post',
    { email: 'alice@example.com' },
    { encryptThenSign: options.encryptThenSign ?? false },
  );
  return Buffer.from(context, 'base64').toString('utf8');
}

describe('samlkit verify: Responses from samlify', () => {
  for (const [name, options] of [
    ['signed (samlify default)', { encrypted: false, signResponse: false }],
    ['Response signed as well', { encrypted: false, signResponse: true }],
    [
      'assertion encrypted, then the Response signed',
      { encrypted: true, signResponse: true, encryptThenSign: true },
    ],
  ] as const) {
    it(`${name}: VALID with --key, INVALID with a foreign certificate`, async () => {
      const xml = await samlifyResponse(options);
      const valid = await onFile('verify', xml, [
        ...idpCert,
        ...spKey,
        '--in-response-to',
        '_samlify-request',
      ]);
      expect(valid.stdout).toMatch(/^VALID: Response over HTTP-POST/m);
      expect(valid.status).toBe(0);
      expect(valid.stdout).toMatch(/Subject: +alice@example\.com/);
      const foreign = await onFile('verify', xml, ['--cert', keyFile('evil.crt'), ...spKey]);
      expect(foreign.stdout).toMatch(/^INVALID: SAML_SIGNATURE_INVALID/);
    });
  }

  it('signed, then encrypted (samlify default): INVALID, the Response signature no longer covers what was sent', async () => {
    // samlify signs the Response over the plaintext assertion and then encrypts it; its own SP
    // puts the decrypted assertion back before verifying. An SP verifies what it received.
    const xml = await samlifyResponse({ encrypted: true, signResponse: true });
    const result = await onFile('verify', xml, [...idpCert, ...spKey]);
    expect(result.stdout).toMatch(
      /^INVALID: SAML_SIGNATURE_INVALID: digest of the signed content does not match/,
    );
  });
});

describe('samlkit decode: SSO messages in full', () => {
  it.concurrent('a Response with a signed assertion: both signatures described, the assertion shown', async ({
    expect,
  }) => {
    const result = await onFile('decode', responseXml({ signResponse: true }), []);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /Signature: +RSA-SHA256, enveloped ds:Signature on the Response and the Assertion — NOT verified/,
    );
    expect(result.stdout).toMatch(/Subject: +alice@example\.com/);
    expect(result.stdout).toMatch(/Attribute: +email = alice@example\.com/);
  });

  it.concurrent('an encrypted Response says the assertion is encrypted', async ({ expect }) => {
    const result = await onFile('decode', responseXml({ encryptionCertificate: certificate('sp-a') }), []);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Assertion: +encrypted/);
  });

  it.concurrent('an AuthnRequest: every field it carries', async ({ expect }) => {
    const xml = authnRequestXml({
      acsUrl: spAcsUrl,
      forceAuthn: 'true',
      providerName: 'Wiki',
      nameIdPolicy: { Format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', AllowCreate: 'true' },
      requestedAuthnContext: {
        comparison: 'minimum',
        classRefs: ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'],
      },
    });
    const result = await onFile('decode', xml, []);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/ACS URL: +https:\/\/sp-a\.example\.com\/acs/);
    expect(result.stdout).toMatch(/ForceAuthn: +true/);
    expect(result.stdout).toMatch(/ProviderName: +Wiki/);
    expect(result.stdout).toMatch(
      /NameIDPolicy: +Format=urn:oasis:names:tc:SAML:1\.1:nameid-format:emailAddress, AllowCreate=true/,
    );
    expect(result.stdout).toMatch(
      /RequestedAuthnContext: +minimum: urn:oasis:names:tc:SAML:2\.0:ac:classes:PasswordProtectedTransport/,
    );
  });
});

/** The shapes pysaml2's IdP builds below (fixtures/peers/pysaml2/idp_response.py). */
interface Pysaml2Shape {
  signAssertion?: boolean;
  signResponse?: boolean;
  encryptAssertion?: boolean;
  /** RSA-SHA256 and SHA-256 digests; pysaml2 signs with RSA-SHA1 and SHA-1 unless told otherwise. */
  sha256?: boolean;
}

/**
 * Responses from pysaml2's IdP (saml2.server.Server, its own templates and xmlsec1 signer), for
 * sp-a, one per shape, from one Python process (each start loads pysaml2: seconds when loaded).
 */
async function pysaml2Responses(shapes: Pysaml2Shape[]): Promise<string[]> {
  const options = shapes.map((shape) => ({
    idp: { entityId: idpEntityId, key: keyFile('idp.key'), cert: keyFile('idp.crt') },
    sp: { entityId: spEntityId, acsUrl: spAcsUrl, cert: keyFile('sp-a.crt') },
    inResponseTo: '_pysaml2-request',
    nameId: 'alice@example.com',
    attributes: { mail: ['alice@example.com'] },
    ...shape,
  }));
  const script = fileURLToPath(new URL('../../fixtures/peers/pysaml2/idp_response.py', import.meta.url));
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, JSON.stringify(options)], {
    timeout: 60_000,
  });
  const responses = JSON.parse(stdout) as string[];
  if (responses.length !== shapes.length) throw new Error(`pysaml2 built ${responses.length} Responses`);
  return responses;
}

describe.skipIf(!pysaml2Installed())('samlkit verify: Responses from pysaml2', () => {
  const shapes = {
    'assertion signed': { signAssertion: true, sha256: true },
    'Response signed': { signResponse: true, sha256: true },
    'assertion signed and encrypted': { signAssertion: true, encryptAssertion: true, sha256: true },
    'Response signed, assertion encrypted': { signResponse: true, encryptAssertion: true, sha256: true },
    'assertion signed at pysaml2 defaults (RSA-SHA1)': { signAssertion: true },
  } satisfies Record<string, Pysaml2Shape>;
  type ShapeName = keyof typeof shapes;
  const built = new Map<ShapeName, string>();

  beforeAll(async () => {
    const names = Object.keys(shapes) as ShapeName[];
    const responses = await pysaml2Responses(names.map((name) => shapes[name]));
    for (const [i, name] of names.entries()) built.set(name, responses[i]!);
  });
  const response = (name: ShapeName) => {
    const xml = built.get(name);
    if (xml === undefined) throw new Error(`no pysaml2 Response for ${name}`);
    return xml;
  };
  const verify = (xml: string, args: string[]) =>
    onFile('verify', xml, [...args, '--in-response-to', '_pysaml2-request', '--audience', spEntityId]);

  it.concurrent.for([
    ['assertion signed', [], /\(assertion signed\)/],
    ['Response signed', [], /\(Response signed\)/],
    ['assertion signed and encrypted', spKey, /\(assertion signed, assertion decrypted\)/],
    ['Response signed, assertion encrypted', spKey, /\(Response signed, assertion decrypted\)/],
  ] as [ShapeName, string[], RegExp][])(
    '%s: VALID, with the assertion shown',
    async ([name, extra, signed], { expect }) => {
      const result = await verify(response(name), [
        ...idpCert,
        ...extra,
        '--issuer',
        idpEntityId,
        '--destination',
        spAcsUrl,
      ]);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(
        /^VALID: Response over HTTP-POST, signed RSA-SHA256 by CN=idp\.samlkit\.test/m,
      );
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(signed);
      expect(result.stdout).toMatch(/Subject: +alice@example\.com/);
      expect(result.stdout).toMatch(/Audience: +https:\/\/sp-a\.example\.com\/metadata/);
      expect(result.stdout).toMatch(
        /AuthnContext: +urn:oasis:names:tc:SAML:2\.0:ac:classes:PasswordProtectedTransport/,
      );
      // pysaml2 names attributes by OID (urn:oid:0.9.2342.19200300.100.1.3 is mail).
      expect(result.stdout).toMatch(
        /Attribute: +urn:oid:0\.9\.2342\.19200300\.100\.1\.3 = alice@example\.com/,
      );
      expect(result.stdout).toMatch(/Confirmation: +bearer, Recipient=https:\/\/sp-a\.example\.com\/acs/);
    },
  );

  it.concurrent('signed with RSA-SHA1 (pysaml2 default): INVALID, VALID only with --unsafe-allow-sha1', async ({
    expect,
  }) => {
    const xml = response('assertion signed at pysaml2 defaults (RSA-SHA1)');
    const refused = await verify(xml, idpCert);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/^INVALID: SAML_ALGORITHM_FORBIDDEN/);
    const allowed = await verify(xml, [...idpCert, '--unsafe-allow-sha1']);
    expect(allowed.stdout).toMatch(
      /^VALID: Response over HTTP-POST, signed RSA-SHA1 by CN=idp\.samlkit\.test/m,
    );
    expect(allowed.status).toBe(0);
  });

  const flip = (xml: string, from: RegExp, to: string | ((match: string, ...groups: string[]) => string)) => {
    const changed = xml.replace(from, to as string);
    if (changed === xml) throw new Error(`nothing matched ${from}`);
    return changed;
  };
  /** The first CipherValue with its first base64 character replaced by another. */
  const tamperCipher = (xml: string) =>
    flip(xml, /(<(?:\w+:)?CipherValue>)(.)/, (_match, open, first) => `${open}${first === 'A' ? 'B' : 'A'}`);

  it.concurrent.for([
    [
      'assertion signed, NameID changed',
      'assertion signed',
      (xml: string) => flip(xml, />alice@example\.com</g, '>mallory@example.com<'),
      [],
      'SAML_SIGNATURE_INVALID',
    ],
    [
      'Response signed, InResponseTo changed',
      'Response signed',
      (xml: string) => flip(xml, /InResponseTo="_pysaml2-request"/g, 'InResponseTo="_other"'),
      [],
      'SAML_SIGNATURE_INVALID',
    ],
    [
      'Response signed, encrypted assertion changed',
      'Response signed, assertion encrypted',
      tamperCipher,
      spKey,
      'SAML_SIGNATURE_INVALID',
    ],
    [
      'assertion signed and encrypted, ciphertext changed',
      'assertion signed and encrypted',
      tamperCipher,
      spKey,
      'SAML_DECRYPTION_FAILED',
    ],
    [
      'assertion signed, foreign certificate',
      'assertion signed',
      (xml: string) => xml,
      ['--cert', keyFile('evil.crt')],
      'SAML_SIGNATURE_INVALID',
    ],
    [
      'Response signed, foreign certificate',
      'Response signed',
      (xml: string) => xml,
      ['--cert', keyFile('evil.crt')],
      'SAML_SIGNATURE_INVALID',
    ],
    [
      'assertion encrypted, another SP key',
      'assertion signed and encrypted',
      (xml: string) => xml,
      ['--key', keyFile('sp-b.key')],
      'SAML_DECRYPTION_FAILED',
    ],
    [
      'assertion encrypted, no --key',
      'Response signed, assertion encrypted',
      (xml: string) => xml,
      [],
      'SAML_DECRYPTION_FAILED',
    ],
  ] as [string, ShapeName, (xml: string) => string, string[], string][])(
    '%s: INVALID',
    async ([, name, tamper, extra, code], { expect }) => {
      const certs = extra.includes('--cert') ? [] : idpCert;
      const result = await verify(tamper(response(name)), [...certs, ...extra]);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`^INVALID: ${code}`));
    },
  );

  it.concurrent('decode: both signatures described and the assertion shown, unverified', async ({
    expect,
  }) => {
    const signed = await onFile('decode', response('assertion signed'), []);
    expect(signed.status).toBe(0);
    expect(signed.stdout).toMatch(
      /Signature: +RSA-SHA256, enveloped ds:Signature on the Assertion — NOT verified/,
    );
    expect(signed.stdout).toMatch(/Subject: +alice@example\.com/);
    const encrypted = await onFile('decode', response('Response signed, assertion encrypted'), []);
    expect(encrypted.status).toBe(0);
    expect(encrypted.stdout).toMatch(/Assertion: +encrypted/);
  });
});
