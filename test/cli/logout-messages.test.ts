import { inflateRawSync } from 'node:zlib';
import { SAML } from '@node-saml/node-saml';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  encodeSoap,
  logoutReasons,
  nameIdFormats,
  receivePost,
  receiveRedirect,
  receiveSoap,
  signatureAlgorithms,
} from '../../src/index.js';
import { idpEntityId, idpSloUrl, idpSsoUrl, spAcsUrl, spEntityId, spSloUrl } from '../interop/support.js';
import { certificatePem, privateKeyPem } from '../support/keys.js';
import { hasXmllint, schemaErrors, schemas } from '../support/xsd.js';
import { assertCliBuilt, fixedId, fixedInstant, fixedNow, keyFile, runCli, runCliOk } from './support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

beforeAll(assertCliBuilt);

const idpKey = ['--key', keyFile('idp.key'), '--cert', keyFile('idp.crt')];
const clock = () => new Date(fixedNow);

const requestBase = [
  'logout-request',
  '--issuer',
  idpEntityId,
  '--destination',
  spSloUrl,
  '--name-id',
  'alice@example.com',
  '--name-id-format',
  'persistent',
  '--name-qualifier',
  idpEntityId,
  '--sp-name-qualifier',
  spEntityId,
  '--session-index',
  '_s1',
  '--session-index',
  '_s2',
  '--reason',
  'user',
  '--id',
  fixedId,
  '--issue-instant',
  fixedInstant,
];

const responseBase = [
  'logout-response',
  '--issuer',
  idpEntityId,
  '--destination',
  spSloUrl,
  '--in-response-to',
  '_request-1',
  '--id',
  fixedId,
  '--issue-instant',
  fixedInstant,
];

/** What `buildLogoutRequest` makes of the same input: the CLI must pass every option through. */
const expectedRequest = buildLogoutRequest({
  issuer: idpEntityId,
  destination: spSloUrl,
  nameId: {
    value: 'alice@example.com',
    format: nameIdFormats.persistent,
    nameQualifier: idpEntityId,
    spNameQualifier: spEntityId,
  },
  sessionIndex: ['_s1', '_s2'],
  reason: logoutReasons.user,
  id: fixedId,
  issueInstant: new Date(fixedInstant),
}).xml;

function inflateUrl(url: string, parameter = 'SAMLRequest'): string {
  const value = new URL(url).searchParams.get(parameter)!;
  return inflateRawSync(Buffer.from(value, 'base64')).toString('utf8');
}

/** The protocol message inside a SOAP envelope (declared on itself, so it stands alone). */
function soapBody(envelope: string): string {
  return /<soapenv:Body>([\s\S]*)<\/soapenv:Body>/.exec(envelope)![1]!;
}

describe('samlkit logout-request', () => {
  it('redirect, unsigned: the URL carries exactly the library’s LogoutRequest', async () => {
    const url = (await runCliOk([...requestBase, '--relay-state', 'rs'])).trim();
    expect(url.startsWith(`${spSloUrl}?SAMLRequest=`)).toBe(true);
    expect(url.endsWith('&RelayState=rs')).toBe(true);
    expect(inflateUrl(url)).toBe(`<?xml version="1.0" encoding="UTF-8"?>${expectedRequest}`);
  });

  it('redirect, signed: the library’s receiveRedirect accepts it with the certificate', async () => {
    const url = (await runCliOk([...requestBase, ...idpKey, '--sig-alg', 'rsa-sha512'])).trim();
    const received = receiveRedirect(url, {
      trust: [certificatePem('idp')],
      clock,
      expect: { issuer: idpEntityId, destination: spSloUrl },
    });
    expect(received).toMatchObject({ signed: true, algorithm: signatureAlgorithms.rsaSha512 });
    expect(received.xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>${expectedRequest}`);
  });

  it('post: {url, fields} JSON whose field receivePost verifies; EC key with its default algorithm', async () => {
    const out = JSON.parse(
      await runCliOk([
        ...requestBase,
        '--binding',
        'post',
        '--relay-state',
        'rs',
        '--key',
        keyFile('idp-ec-p-256.key'),
        '--cert',
        keyFile('idp-ec-p-256.crt'),
      ]),
    );
    expect(Object.keys(out)).toEqual(['url', 'fields']);
    expect(out.url).toBe(spSloUrl);
    expect(Object.keys(out.fields)).toEqual(['SAMLRequest', 'RelayState']);
    const received = receivePost(out.fields, { trust: [certificatePem('idp-ec-p-256')], clock });
    expect(received).toMatchObject({
      signed: true,
      algorithm: signatureAlgorithms.ecdsaSha256,
      relayState: 'rs',
    });
  });

  it('soap: the envelope receiveSoap verifies', async () => {
    const envelope = await runCliOk([...requestBase, '--binding', 'soap', ...idpKey]);
    expect(
      envelope.startsWith('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'),
    ).toBe(true);
    expect(receiveSoap(envelope.trim(), { trust: [certificatePem('idp')], clock }).signed).toBe(true);
    // Unsigned, it is the library's envelope of the library's message.
    const unsigned = await runCliOk([...requestBase, '--binding', 'soap']);
    expect(unsigned).toBe(`${encodeSoap(expectedRequest)}\n`);
  });

  it('node-saml as SP accepts the signed HTTP-Redirect LogoutRequest', async () => {
    const url = (
      await runCliOk([
        'logout-request',
        '--issuer',
        idpEntityId,
        '--destination',
        spSloUrl,
        '--name-id',
        'dave@example.com',
        '--name-id-format',
        'persistent',
        '--session-index',
        '_node-saml',
        ...idpKey,
      ])
    ).trim();
    const rawQuery = url.slice(url.indexOf('?') + 1);
    const sp = new SAML({
      callbackUrl: spAcsUrl,
      issuer: spEntityId,
      idpCert: certificatePem('idp'),
      idpIssuer: idpEntityId,
      entryPoint: idpSsoUrl,
      logoutUrl: idpSloUrl,
      privateKey: privateKeyPem('sp-a'),
      signatureAlgorithm: 'sha256',
    });
    const result = await sp.validateRedirectAsync(
      Object.fromEntries(new URLSearchParams(rawQuery)),
      rawQuery,
    );
    expect(result.loggedOut).toBe(true);
    expect(result.profile).toMatchObject({
      issuer: idpEntityId,
      nameID: 'dave@example.com',
      nameIDFormat: nameIdFormats.persistent,
      sessionIndex: '_node-saml',
    });
  });
});

describe('samlkit logout-response', () => {
  it.concurrent.for([
    [[], { code: 'Success' }],
    [['--status', 'partial'], { code: 'Responder', subCode: 'PartialLogout' }],
    [
      ['--status', 'requester', '--sub-status', 'UnknownPrincipal'],
      { code: 'Requester', subCode: 'UnknownPrincipal' },
    ],
    [['--status', 'unknown-principal'], { code: 'Requester', subCode: 'UnknownPrincipal' }],
    [
      ['--status', 'request-denied', '--status-message', 'not now'],
      { code: 'Responder', subCode: 'RequestDenied', message: 'not now' },
    ],
    [['--status', 'version-mismatch'], { code: 'VersionMismatch' }],
  ] as const)('%j: the library’s LogoutResponse with that status', async ([args, status], { expect }) => {
    const url = (await runCliOk([...responseBase, ...args])).trim();
    const expected = buildLogoutResponse({
      issuer: idpEntityId,
      destination: spSloUrl,
      inResponseTo: '_request-1',
      id: fixedId,
      issueInstant: new Date(fixedInstant),
      status,
    }).xml;
    expect(inflateUrl(url, 'SAMLResponse')).toBe(`<?xml version="1.0" encoding="UTF-8"?>${expected}`);
  });

  it('soap without --destination; signed post and redirect verify', async () => {
    const envelope = await runCliOk([
      'logout-response',
      '--issuer',
      idpEntityId,
      '--in-response-to',
      '_request-1',
      '--binding',
      'soap',
      ...idpKey,
    ]);
    const received = receiveSoap(envelope.trim(), {
      trust: [certificatePem('idp')],
      expect: { inResponseTo: '_request-1' },
    });
    expect(received.header.destination).toBeUndefined();

    const form = JSON.parse(await runCliOk([...responseBase, '--binding', 'post', ...idpKey]));
    expect(receivePost(form.fields, { trust: [certificatePem('idp')], clock }).messageType).toBe(
      'LogoutResponse',
    );

    const url = (await runCliOk([...responseBase, ...idpKey, '--relay-state', 'back'])).trim();
    const verified = await runCli([
      'verify',
      url,
      '--cert',
      keyFile('idp.crt'),
      '--now',
      fixedNow,
      '--in-response-to',
      '_request-1',
    ]);
    expect(verified.stdout).toMatch(/^VALID: LogoutResponse over HTTP-Redirect/);
    expect(verified.stdout).toMatch(/^ {2}pass +InResponseTo +equals _request-1/m);
    expect(verified.stdout).toMatch(/^ {2}Status: +Success$/m);
  });
});

describe.skipIf(!hasXmllint())('every message the CLI prints validates against the OASIS schemas', () => {
  it('LogoutRequest and LogoutResponse, each binding, signed and unsigned', async () => {
    const documents: Record<string, string> = {};
    const envelopes: Record<string, string> = {};
    for (const [name, base, parameter] of [
      ['request', requestBase, 'SAMLRequest'],
      ['response', [...responseBase, '--status', 'partial', '--status-message', 'm'], 'SAMLResponse'],
    ] as const) {
      for (const signing of [[], idpKey]) {
        const tag = `${name}-${signing.length ? 'signed' : 'unsigned'}`;
        documents[`${tag}-redirect`] = inflateUrl((await runCliOk([...base, ...signing])).trim(), parameter);
        const form = JSON.parse(await runCliOk([...base, '--binding', 'post', ...signing]));
        documents[`${tag}-post`] = Buffer.from(form.fields[parameter], 'base64').toString('utf8');
        const envelope = await runCliOk([...base, '--binding', 'soap', ...signing]);
        envelopes[`${tag}-soap`] = envelope;
        documents[`${tag}-soap-body`] = soapBody(envelope);
      }
    }
    expect(Object.keys(documents)).toHaveLength(12);
    const valid = (names: string[]) => Object.fromEntries(names.map((n) => [n, []]));
    expect(schemaErrors(schemas.protocol, documents)).toEqual(valid(Object.keys(documents)));
    expect(schemaErrors(schemas.soapEnvelope, envelopes)).toEqual(valid(Object.keys(envelopes)));
  });
});

describe('input the library refuses: exit 1 with its SAML_* code', () => {
  it.concurrent.for([
    [
      'a Destination that is not an http(s) URL',
      [
        'logout-request',
        '--issuer',
        idpEntityId,
        '--destination',
        'ftp://sp/slo',
        '--name-id',
        'a',
        '--binding',
        'soap',
      ],
      /^samlkit: SAML_INPUT_INVALID: invalid LogoutRequest input\n {2}- destination: must be an absolute http\(s\) URL\n$/,
    ],
    [
      'an ID that is not an NCName',
      [...requestBase.filter((a) => a !== fixedId && a !== '--id'), '--id', '1 bad'],
      /^samlkit: SAML_INPUT_INVALID: /,
    ],
    [
      'a RelayState over 80 bytes',
      [...requestBase, '--relay-state', 'x'.repeat(81)],
      /^samlkit: SAML_RELAY_STATE_INVALID: /,
    ],
    [
      'SHA-1 signing',
      [...requestBase, ...idpKey, '--sig-alg', 'rsa-sha1'],
      /^samlkit: SAML_ALGORITHM_FORBIDDEN: SHA-1 signatures are refused\n$/,
    ],
    [
      'an algorithm that does not fit the key',
      [...requestBase, ...idpKey, '--sig-alg', 'ecdsa-sha256'],
      /^samlkit: SAML_ALGORITHM_FORBIDDEN: signature algorithm does not fit the key type\n$/,
    ],
    [
      'a key that does not match the certificate',
      [...requestBase, '--key', keyFile('sp-a.key'), '--cert', keyFile('idp.crt')],
      /^samlkit: SAML_KEY_INVALID: private key does not match the certificate\n$/,
    ],
    [
      'an encrypted key (no passphrase on the command line)',
      [...requestBase, '--key', keyFile('sp-a-encrypted.key'), '--cert', keyFile('sp-a.crt')],
      /^samlkit: SAML_KEY_INVALID: private key is encrypted and no passphrase was given\n$/,
    ],
    [
      'a missing key file',
      [...requestBase, '--key', 'nope.key', '--cert', keyFile('idp.crt')],
      /^samlkit: ENOENT: --key nope\.key: no such file\n$/,
    ],
    [
      'an InResponseTo that is not an ID',
      ['logout-response', '--issuer', idpEntityId, '--destination', spSloUrl, '--in-response-to', '<x>'],
      /^samlkit: SAML_INPUT_INVALID: invalid LogoutResponse input\n {2}- inResponseTo: must be a valid SAML ID\n$/,
    ],
  ] as const)('%s', async ([_name, args, pattern], { expect }) => {
    const { status, stdout, stderr } = await runCli(args);
    expect(stderr).toMatch(pattern);
    expect(stdout).toBe('');
    expect(status).toBe(1);
  });
});
