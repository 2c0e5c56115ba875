import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { SAML } from '@node-saml/node-saml';
import * as samlify from 'samlify';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  encodePost,
  encodeRedirect,
  nameIdFormats,
} from '../../src/index.js';
import {
  idpEntityId,
  idpSloUrl,
  idpSsoUrl,
  postBinding,
  redirectBinding,
  samlifySchemaValidator,
  spAcsUrl,
  spEntityId,
  spSloUrl,
} from '../interop/support.js';
import { certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import {
  assertCliBuilt,
  cliPath,
  fixedId,
  fixedInstant,
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

const requestArgs = [
  'logout-request',
  '--issuer',
  idpEntityId,
  '--destination',
  spSloUrl,
  '--name-id',
  'alice@example.com',
  '--name-id-format',
  'email',
  '--session-index',
  '_s1',
  '--session-index',
  '_s2',
  '--id',
  fixedId,
  '--issue-instant',
  fixedInstant,
];

/** `decode --json` of an input given as argument (or `-` with stdin). */
async function decodeJson(argument: string, input?: string) {
  return JSON.parse(await runCliOk(['decode', argument, '--json'], input === undefined ? {} : { input }));
}

/** The fields every decode of the CLI's fixed LogoutRequest must show. */
const fixedRequestFields = {
  verified: false,
  parameter: 'SAMLRequest',
  messageType: 'LogoutRequest',
  id: fixedId,
  issueInstant: fixedInstant,
  issuer: idpEntityId,
  destination: spSloUrl,
  nameId: { value: 'alice@example.com', format: nameIdFormats.emailAddress },
  sessionIndexes: ['_s1', '_s2'],
};

describe('samlkit decode: round trips with samlkit logout-request', () => {
  let url = '';
  let query = '';
  beforeAll(async () => {
    url = (
      await runCliOk([
        ...requestArgs,
        '--relay-state',
        'back to /home',
        '--key',
        keyFile('idp.key'),
        '--cert',
        keyFile('idp.crt'),
      ])
    ).trim();
    query = url.slice(url.indexOf('?') + 1);
  });

  it('a full signed HTTP-Redirect URL: binding, DEFLATE, RelayState, SigAlg and every field', async () => {
    expect(await decodeJson(url)).toMatchObject({
      ...fixedRequestFields,
      binding: 'redirect',
      bindingUri: redirectBinding,
      input: 'url',
      deflated: true,
      endpoint: spSloUrl,
      relayState: 'back to /home',
      signature: { kind: 'query', algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
    });
  });

  it('the bare query string', async () => {
    expect(await decodeJson(query)).toMatchObject({
      ...fixedRequestFields,
      binding: 'redirect',
      input: 'query',
      deflated: true,
    });
    expect(await decodeJson(`?${query}`)).toMatchObject({ input: 'query', id: fixedId });
  });

  it('the bare SAMLRequest value, percent-encoded as in the URL or decoded', async () => {
    const raw = /SAMLRequest=([^&]+)/.exec(query)![1]!;
    for (const value of [raw, decodeURIComponent(raw)]) {
      expect(await decodeJson(value)).toMatchObject({
        ...fixedRequestFields,
        binding: 'redirect',
        input: 'base64',
        deflated: true,
      });
    }
  });

  it('--raw prints exactly the inflated XML', async () => {
    const raw = /SAMLRequest=([^&]+)/.exec(query)![1]!;
    const inflated = inflateRawSync(Buffer.from(decodeURIComponent(raw), 'base64')).toString('utf8');
    expect(await runCliOk(['decode', url, '--raw'])).toBe(`${inflated}\n`);
    // And it is the library's own output for the same input.
    expect(inflated).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>${
        buildLogoutRequest({
          issuer: idpEntityId,
          destination: spSloUrl,
          nameId: { value: 'alice@example.com', format: nameIdFormats.emailAddress },
          sessionIndex: ['_s1', '_s2'],
          id: fixedId,
          issueInstant: new Date(fixedInstant),
        }).xml
      }`,
    );
  });

  it('the text view: unverified banner, aligned summary, indented XML', async () => {
    const { status, stdout, stderr } = await runCli(['decode', url]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Decoded, NOT verified/);
    expect(stdout).toMatch(/^Binding: +HTTP-Redirect, DEFLATE-compressed \(full URL\)$/m);
    expect(stdout).toMatch(/^Message: +LogoutRequest$/m);
    expect(stdout).toMatch(new RegExp(`^ID: +${fixedId}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^Issuer: +${idpEntityId}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^Destination: +${spSloUrl}$`, 'm'));
    expect(stdout).toMatch(
      /^NameID: +alice@example\.com {2}\(Format=urn:oasis:names:tc:SAML:1\.1:nameid-format:emailAddress\)$/m,
    );
    expect(stdout).toMatch(/^SessionIndex: +_s1, _s2$/m);
    expect(stdout).toMatch(/^RelayState: +"back to \/home"$/m);
    expect(stdout).toMatch(/^Signature: +RSA-SHA256, HTTP-Redirect query signature .* NOT verified$/m);
    expect(stdout).toMatch(
      /^<samlp:LogoutRequest [^\n]*>\n {2}<saml:Issuer>https:\/\/idp\.example\.com\/metadata<\/saml:Issuer>\n/m,
    );
    expect(stdout).toMatch(/^ {2}<samlp:SessionIndex>_s2<\/samlp:SessionIndex>\n<\/samlp:LogoutRequest>\n$/m);
  });

  it('HTTP-POST JSON from standard input, a file, a urlencoded body and the bare field', async () => {
    const json = await runCliOk([
      ...requestArgs,
      '--binding',
      'post',
      '--relay-state',
      'rs',
      '--key',
      keyFile('idp.key'),
      '--cert',
      keyFile('idp.crt'),
    ]);
    const expected = {
      ...fixedRequestFields,
      binding: 'post',
      bindingUri: postBinding,
      relayState: 'rs',
      signature: { kind: 'enveloped', algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
    };
    expect(await decodeJson('-', json)).toMatchObject({ ...expected, input: 'json' });
    await inTempDir(async (dir) => {
      const file = join(dir, 'post.json');
      writeFileSync(file, json);
      expect(await decodeJson(file)).toMatchObject({ ...expected, input: 'json' });
    });
    const { fields } = JSON.parse(json) as { fields: { SAMLRequest: string } };
    const body = `SAMLRequest=${encodeURIComponent(fields.SAMLRequest)}&RelayState=rs`;
    expect(await decodeJson(body)).toMatchObject({ ...expected, input: 'form' });
    expect(await decodeJson(`?${body}`)).toMatchObject({ ...expected, input: 'form' });
    const bare = await decodeJson(fields.SAMLRequest);
    expect(bare).toMatchObject({ ...fixedRequestFields, binding: 'post', input: 'base64', deflated: false });
    expect(bare.relayState).toBeUndefined();
    // Wrapped at 76 columns, as some SPs send it.
    expect(await decodeJson((fields.SAMLRequest.match(/.{1,76}/g) ?? []).join('\n'))).toMatchObject({
      id: fixedId,
    });
  });

  it('a SOAP envelope and the bare XML document, from files', async () => {
    const envelope = await runCliOk([
      ...requestArgs,
      '--binding',
      'soap',
      '--key',
      keyFile('idp.key'),
      '--cert',
      keyFile('idp.crt'),
    ]);
    await inTempDir(async (dir) => {
      const soapFile = join(dir, 'request.soap.xml');
      writeFileSync(soapFile, envelope);
      expect(await decodeJson(soapFile)).toMatchObject({
        ...fixedRequestFields,
        binding: 'soap',
        input: 'soap',
        signature: { kind: 'enveloped' },
      });
      const text = await runCliOk(['decode', soapFile]);
      expect(text).toMatch(/^Binding: +SOAP \(SOAP envelope\)$/m);
      expect(text).toMatch(/^<soapenv:Envelope [^\n]*>\n {2}<soapenv:Body>\n {4}<samlp:LogoutRequest /m);

      const xmlFile = join(dir, 'request.xml');
      writeFileSync(xmlFile, await runCliOk(['decode', url, '--raw']));
      expect(await decodeJson(xmlFile)).toMatchObject({ ...fixedRequestFields, binding: null, input: 'xml' });
    });
  });

  it('a LogoutResponse: InResponseTo and both status levels', async () => {
    const response = (
      await runCliOk([
        'logout-response',
        '--issuer',
        spEntityId,
        '--destination',
        idpSloUrl,
        '--in-response-to',
        fixedId,
        '--status',
        'partial',
        '--status-message',
        'one SP failed',
      ])
    ).trim();
    expect(await decodeJson(response)).toMatchObject({
      parameter: 'SAMLResponse',
      messageType: 'LogoutResponse',
      issuer: spEntityId,
      destination: idpSloUrl,
      inResponseTo: fixedId,
      status: {
        code: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
        subCode: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
        message: 'one SP failed',
        success: false,
      },
      signature: { kind: 'none' },
    });
    expect(await runCliOk(['decode', response])).toMatch(
      /^Status: +Responder \/ PartialLogout \("one SP failed"\)$/m,
    );
  });
});

describe('samlkit decode: messages from node-saml and samlify', () => {
  const principal = {
    nameId: 'bob@example.com',
    format: nameIdFormats.persistent,
    sessionIndex: '_peer-session',
  };

  function nodeSamlSp(): SAML {
    return new SAML({
      callbackUrl: spAcsUrl,
      issuer: spEntityId,
      idpCert: certificatePem('idp'),
      idpIssuer: idpEntityId,
      entryPoint: idpSsoUrl,
      logoutUrl: idpSloUrl,
      privateKey: privateKeyPem('sp-a'),
      signatureAlgorithm: 'sha256',
    });
  }

  it('node-saml’s signed HTTP-Redirect LogoutRequest', async () => {
    const url = await nodeSamlSp().getLogoutUrlAsync(
      {
        issuer: idpEntityId,
        nameID: principal.nameId,
        nameIDFormat: principal.format,
        sessionIndex: principal.sessionIndex,
      },
      'rs-node-saml',
      {},
    );
    expect(await decodeJson(url)).toMatchObject({
      binding: 'redirect',
      deflated: true,
      endpoint: idpSloUrl,
      messageType: 'LogoutRequest',
      issuer: spEntityId,
      destination: idpSloUrl,
      nameId: { value: principal.nameId, format: principal.format },
      sessionIndexes: [principal.sessionIndex],
      relayState: 'rs-node-saml',
      signature: { kind: 'query', algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
    });
  });

  it('node-saml’s HTTP-Redirect LogoutResponse to a samlkit request', async () => {
    const sp = nodeSamlSp();
    const request = buildLogoutRequest({
      issuer: idpEntityId,
      destination: spSloUrl,
      nameId: { value: principal.nameId, format: principal.format },
      sessionIndex: principal.sessionIndex,
    });
    const outgoing = encodeRedirect({
      type: 'SAMLRequest',
      xml: request.xml,
      destination: spSloUrl,
      sign: { key: keyPair('idp') },
    });
    const rawQuery = outgoing.slice(outgoing.indexOf('?') + 1);
    const { profile } = await sp.validateRedirectAsync(
      Object.fromEntries(new URLSearchParams(rawQuery)),
      rawQuery,
    );
    const url = await sp.getLogoutResponseUrlAsync(profile!, '', {}, true);
    expect(await decodeJson(url)).toMatchObject({
      binding: 'redirect',
      messageType: 'LogoutResponse',
      issuer: spEntityId,
      inResponseTo: request.id,
      status: { code: 'urn:oasis:names:tc:SAML:2.0:status:Success', success: true },
    });
  });

  const user = { logoutNameID: principal.nameId, sessionIndex: principal.sessionIndex };

  it('samlify’s signed HTTP-Redirect LogoutRequest', async () => {
    const sent = samlifySp().createLogoutRequest(samlifyIdp(), 'redirect', user, 'rs-samlify');
    expect(await decodeJson(sent.context)).toMatchObject({
      binding: 'redirect',
      deflated: true,
      messageType: 'LogoutRequest',
      id: sent.id,
      issuer: spEntityId,
      destination: idpSloUrl,
      nameId: { value: principal.nameId },
      sessionIndexes: [principal.sessionIndex],
      relayState: 'rs-samlify',
      signature: { kind: 'query', algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
    });
  });

  it('samlify’s enveloped-signed HTTP-POST LogoutRequest, as the form body a browser submits', async () => {
    const sent = samlifySp().createLogoutRequest(samlifyIdp(), 'post', user, 'rs-samlify') as unknown as {
      id: string;
      context: string;
      relayState: string;
    };
    const body = `SAMLRequest=${encodeURIComponent(sent.context)}&RelayState=${encodeURIComponent(sent.relayState)}`;
    expect(await decodeJson(body)).toMatchObject({
      binding: 'post',
      input: 'form',
      messageType: 'LogoutRequest',
      id: sent.id,
      issuer: spEntityId,
      relayState: 'rs-samlify',
      signature: { kind: 'enveloped', algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
    });
  });
});

describe('samlkit decode: unusual but decodable input', () => {
  const request = buildLogoutRequest({
    issuer: idpEntityId,
    destination: spSloUrl,
    nameId: { value: 'carol' },
    id: fixedId,
    issueInstant: new Date(fixedInstant),
  });

  it('an HTTP-Redirect URL whose payload is not DEFLATE-compressed is shown, and flagged', async () => {
    const url = `${spSloUrl}?SAMLRequest=${encodeURIComponent(Buffer.from(request.xml).toString('base64'))}`;
    expect(await decodeJson(url)).toMatchObject({
      binding: 'redirect',
      deflated: false,
      id: fixedId,
      nameId: { value: 'carol' },
    });
    expect(await runCliOk(['decode', url])).toMatch(
      /^Binding: +HTTP-Redirect, NOT DEFLATE-compressed \(SAMLBind §3\.4\.4\.1 requires it/m,
    );
  });

  it('escapes control characters a message smuggles into a report line', async () => {
    const deflated = (
      await runCliOk(['logout-request', '--issuer', idpEntityId, '--destination', spSloUrl, '--name-id', 'x'])
    )
      .trim()
      .split('?')[1]!;
    const { stdout } = await runCli([
      'decode',
      `${deflated}&RelayState=%1B%5B2J&SigAlg=%1B%5B31mred&Signature=AA%3D%3D`,
    ]);
    expect(stdout).not.toContain('\u001b');
    expect(stdout).toMatch(/^RelayState: +"\\u001b\[2J"$/m);
    expect(stdout).toMatch(/^Signature: +\\u001b\[31mred, HTTP-Redirect query signature/m);
  });

  it('stops quietly when the reader closes the pipe early (| head)', async () => {
    const large = buildLogoutRequest({
      issuer: idpEntityId,
      destination: spSloUrl,
      nameId: { value: 'carol' },
      sessionIndex: Array.from({ length: 4000 }, (_, i) => `_session-${i}`),
    });
    await inTempDir(async (dir) => {
      const file = join(dir, 'large.xml');
      writeFileSync(file, large.xml);
      const script = `"${process.execPath}" "${cliPath}" decode "${file}" | head -c 10 >/dev/null; echo "status \${PIPESTATUS[0]}" >&2`;
      const { stderr } = await promisify(execFile)('bash', ['-c', script], { timeout: 60_000 });
      expect(stderr).toBe('status 0\n');
    });
  });

  it('says when the pretty view leaves out XML comments', async () => {
    const commented = request.xml.replace('<saml:Issuer>', '<!-- note --><saml:Issuer>');
    const { stdout } = await runCli(['decode', '-'], { input: commented });
    expect(stdout).toContain(
      '(The document contains XML comments, which this view leaves out; --raw shows them.)',
    );
    expect(await runCliOk(['decode', '-', '--raw'], { input: commented })).toBe(`${commented}\n`);
  });

  it('shows the XML of a message that breaks the parsing rules, names the problem and exits 1', async () => {
    const noNameId = request.xml.replace(/<saml:NameID>carol<\/saml:NameID>/, '');
    const missing = await runCli(['decode', '-'], { input: noNameId });
    expect(missing.status).toBe(1);
    expect(missing.stdout).toMatch(
      /^Problem: +SAML_MESSAGE_INVALID: LogoutRequest has no NameID, BaseID or EncryptedID$/m,
    );
    expect(missing.stdout).toContain('<samlp:LogoutRequest ');
    expect(missing.stderr).toBe(
      'samlkit: SAML_MESSAGE_INVALID: LogoutRequest has no NameID, BaseID or EncryptedID\n',
    );

    const oldVersion = await runCli(['decode', '-'], {
      input: request.xml.replace('Version="2.0"', 'Version="1.1"'),
    });
    expect(oldVersion.status).toBe(1);
    expect(oldVersion.stdout).toMatch(/^Problem: +SAML_VERSION_MISMATCH: /m);
    expect(oldVersion.stdout).toContain('Version="1.1"');
    expect(oldVersion.stderr).toMatch(/^samlkit: SAML_VERSION_MISMATCH: /);
  });
});

describe('samlkit decode: input it refuses, with the SAML_* code', () => {
  const response = buildLogoutResponse({ issuer: idpEntityId, destination: spSloUrl, inResponseTo: '_r' });
  const form = encodePost({ type: 'SAMLResponse', xml: response.xml, destination: spSloUrl });
  const cases: [string, string, RegExp][] = [
    [
      'text that is no message and no file',
      'not a message!',
      /^samlkit: SAML_BINDING_DECODE_FAILED: input is not a URL, query string, form body, XML, JSON or base64 message, and no file has that name\n$/,
    ],
    [
      'a path to a missing file',
      './missing-message.txt',
      /^samlkit: SAML_BINDING_DECODE_FAILED: .*no file has that name/,
    ],
    ['XML with a DOCTYPE', '<!DOCTYPE x><x/>', /^samlkit: SAML_XML_DTD_FORBIDDEN: /],
    ['malformed XML', '<samlp:LogoutRequest', /^samlkit: SAML_XML_MALFORMED: /],
    [
      'both SAMLRequest and SAMLResponse',
      `${spSloUrl}?SAMLRequest=a&SAMLResponse=b`,
      /^samlkit: SAML_BINDING_PARAMETER_INVALID: exactly one of SAMLRequest or SAMLResponse/,
    ],
    [
      'a smuggled parameter name',
      `${spSloUrl}?SAMLRequest=a&SAML%52equest=b`,
      /^samlkit: SAML_BINDING_PARAMETER_INVALID: parameter name imitates a SAML parameter/,
    ],
    ['a URL without a SAML parameter', spSloUrl, /^samlkit: SAML_BINDING_PARAMETER_INVALID: /],
    [
      'invalid JSON',
      '{"SAMLRequest":',
      /^samlkit: SAML_BINDING_DECODE_FAILED: input looks like JSON but does not parse/,
    ],
    [
      'JSON that is not form fields',
      '{"fields": 3}',
      /^samlkit: SAML_BINDING_PARAMETER_INVALID: JSON input must be an object of form fields/,
    ],
    [
      'a SOAP Fault',
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>down</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>',
      /^samlkit: SAML_SOAP_FAULT: SOAP peer answered with a Fault\n {2}faultCode: soapenv:Server\n {2}faultString: down\n$/,
    ],
    [
      'a form field whose base64 is not strict',
      `SAMLResponse=${encodeURIComponent(form.fields.SAMLResponse!.slice(0, -2))}`,
      /^samlkit: SAML_BINDING_DECODE_FAILED: /,
    ],
    ['empty standard input', '-', /^samlkit: SAML_BINDING_DECODE_FAILED: input is empty/],
  ];

  it.concurrent.for(cases)('%s', async ([_name, argument, pattern], { expect }) => {
    const { status, stdout, stderr } = await runCli(['decode', argument]);
    expect(stderr).toMatch(pattern);
    expect(stdout).toBe('');
    expect(status).toBe(1);
  });

  it('a file that is not UTF-8', async () => {
    await inTempDir(async (dir) => {
      const file = join(dir, 'latin1.txt');
      writeFileSync(file, Buffer.from([0x3c, 0x61, 0xe9, 0x3e]));
      const { status, stderr } = await runCli(['decode', file]);
      expect(stderr).toBe(`samlkit: SAML_BINDING_DECODE_FAILED: file ${file} is not valid UTF-8\n`);
      expect(status).toBe(1);
    });
  });
});
