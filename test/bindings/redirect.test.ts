import { createHmac, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { deflateRaw, gzip, deflate as zlibDeflate } from 'pako';
import { describe, expect, it } from 'vitest';
import {
  encodePost,
  encodeRedirect,
  type ReceiveRedirectOptions,
  receiveRedirect,
} from '../../src/bindings/index.js';
import { signatureAlgorithms } from '../../src/constants/algorithms.js';
import { buildLogoutRequest, buildLogoutResponse, parseLogoutRequest } from '../../src/logout/index.js';
import { expectCode } from '../support/errors.js';
import { certificate, certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import { fixedClock, fixedNow, idpSloUrl, spEntityId } from '../support/messages.js';

const rsaSha256 = signatureAlgorithms.rsaSha256;
const deflateUrn = 'urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE';

/** F-REDIR: an unsigned LogoutRequest from SP-A to the IdP. */
function requestXml(overrides: Partial<Parameters<typeof buildLogoutRequest>[0]> = {}): string {
  return buildLogoutRequest({
    issuer: spEntityId,
    destination: idpSloUrl,
    nameId: { value: 'alice@example.com', format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' },
    sessionIndex: '_s1',
    id: '_redirect-request',
    issueInstant: fixedNow,
    ...overrides,
  }).xml;
}

function responseXml(): string {
  return buildLogoutResponse({
    issuer: spEntityId,
    destination: idpSloUrl,
    inResponseTo: '_idp-request',
    id: '_redirect-response',
    issueInstant: fixedNow,
  }).xml;
}

/** Raw-deflate + base64 + encodeURIComponent (upper-case escapes). */
function encodeMessage(xml: string | Uint8Array, compress = true): string {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  return encodeURIComponent(Buffer.from(compress ? deflateRaw(bytes) : bytes).toString('base64'));
}

const lowerEscapes = (value: string) => value.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

interface QueryInput {
  type?: 'SAMLRequest' | 'SAMLResponse';
  /** Raw (already encoded) message value. */
  message: string;
  /** Raw (already encoded) RelayState; omitted when undefined. */
  relayState?: string;
  /** Raw SigAlg value; default the encoded rsa-sha256 URI. */
  sigAlg?: string;
  key?: string;
  hash?: string;
}

/** Signs `type=…[&RelayState=…]&SigAlg=…` with node:crypto over exactly these octets. */
function signedQuery(input: QueryInput): { octets: string; signature: string; query: string } {
  let octets = `${input.type ?? 'SAMLRequest'}=${input.message}`;
  if (input.relayState !== undefined) octets += `&RelayState=${input.relayState}`;
  octets += `&SigAlg=${input.sigAlg ?? encodeURIComponent(rsaSha256)}`;
  const signature = nodeSign(
    input.hash ?? 'sha256',
    Buffer.from(octets, 'utf8'),
    privateKeyPem(input.key ?? 'sp-a'),
  ).toString('base64');
  return { octets, signature, query: `${octets}&Signature=${encodeURIComponent(signature)}` };
}

const options = (extra: Partial<ReceiveRedirectOptions> = {}): ReceiveRedirectOptions => ({
  trust: [certificate('sp-a')],
  clock: fixedClock,
  ...extra,
});

describe('encodeRedirect / receiveRedirect round trip', () => {
  it('signs exactly the octets it emits, in binding order', () => {
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml: requestXml(),
      destination: 'https://idp.example.com/slo',
      relayState: 'state 1/2',
      sign: { key: keyPair('sp-a') },
    });
    const query = url.slice(url.indexOf('?') + 1);
    const names = query.split('&').map((t) => t.slice(0, t.indexOf('=')));
    expect(names).toEqual(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']);
    expect(query).not.toMatch(/%[0-9A-F]?[a-f]/);
    expect(query).toContain('RelayState=state+1%2F2&');
    const octets = query.slice(0, query.indexOf('&Signature='));
    const signature = Buffer.from(
      decodeURIComponent(query.slice(query.indexOf('&Signature=') + 11)),
      'base64',
    );
    expect(nodeVerify('sha256', Buffer.from(octets), certificatePem('sp-a'), signature)).toBe(true);
  });

  it('receives what it encodes, with every field of the result', () => {
    const xml = requestXml();
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml,
      destination: idpSloUrl,
      relayState: 'rs1',
      sign: { key: keyPair('sp-a') },
    });
    const received = receiveRedirect(url, options());
    expect(received.type).toBe('SAMLRequest');
    expect(received.binding).toBe('redirect');
    expect(received.messageType).toBe('LogoutRequest');
    expect(received.relayState).toBe('rs1');
    expect(received.signed).toBe(true);
    expect(received.algorithm).toBe(rsaSha256);
    expect(received.certificate?.fingerprintSha256).toBe(certificate('sp-a').fingerprintSha256);
    expect(received.xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>${xml}`);
    expect(received.header).toMatchObject({
      type: 'LogoutRequest',
      id: '_redirect-request',
      issuer: { value: spEntityId },
      destination: idpSloUrl,
    });
    expect(parseLogoutRequest(received.xml).nameId?.value).toBe('alice@example.com');
  });

  it('accepts the raw query, the query with ?, and a full URL with a fragment', () => {
    const { query } = signedQuery({ message: encodeMessage(requestXml()) });
    expect(receiveRedirect(query, options()).signed).toBe(true);
    expect(receiveRedirect(`?${query}`, options()).signed).toBe(true);
    expect(receiveRedirect(`${idpSloUrl}?${query}#fragment`, options()).signed).toBe(true);
  });

  it('keeps existing destination parameters, which stay unsigned and ignored', () => {
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml: requestXml(),
      destination: 'https://idp.example.com/slo?tenant=a',
      sign: { key: keyPair('sp-a') },
    });
    expect(url.startsWith('https://idp.example.com/slo?tenant=a&SAMLRequest=')).toBe(true);
    expect(receiveRedirect(url, options()).signed).toBe(true);
  });

  it('round-trips a SAMLResponse and an ECDSA signature', () => {
    const url = encodeRedirect({
      type: 'SAMLResponse',
      xml: responseXml(),
      destination: idpSloUrl,
      sign: { key: keyPair('sp-ec') },
    });
    const received = receiveRedirect(url, { trust: [certificate('sp-ec')], clock: fixedClock });
    expect(received.type).toBe('SAMLResponse');
    expect(received.messageType).toBe('LogoutResponse');
    expect(received.algorithm).toBe(signatureAlgorithms.ecdsaSha256);
  });

  it('finds the verifying certificate among several (rollover)', () => {
    const { query } = signedQuery({ message: encodeMessage(requestXml()) });
    const received = receiveRedirect(
      query,
      options({ trust: [certificate('sp-b'), certificatePem('sp-a')] }),
    );
    expect(received.certificate?.fingerprintSha256).toBe(certificate('sp-a').fingerprintSha256);
  });

  it('omits an empty RelayState when encoding', () => {
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml: requestXml(),
      destination: idpSloUrl,
      relayState: '',
    });
    expect(url).not.toContain('RelayState');
  });
});

describe('encodeRedirect input checks', () => {
  it('refuses XML that carries a ds:Signature (SAMLBind §3.4.4.1)', () => {
    const signed = encodePost({
      type: 'SAMLRequest',
      xml: requestXml(),
      destination: idpSloUrl,
      sign: { key: keyPair('sp-a') },
    }).xml;
    const error = expectCode(
      () => encodeRedirect({ type: 'SAMLRequest', xml: signed, destination: idpSloUrl }),
      'SAML_INPUT_INVALID',
    );
    expect(error.details).toMatchObject({ issues: [{ path: ['xml'] }] });
  });

  it('refuses a RelayState over 80 bytes', () => {
    expectCode(
      () =>
        encodeRedirect({
          type: 'SAMLRequest',
          xml: requestXml(),
          destination: idpSloUrl,
          relayState: 'a'.repeat(81),
        }),
      'SAML_RELAY_STATE_INVALID',
    );
  });

  it.each(['javascript:alert(1)', '/relative', 'https://idp.example.com/slo#frag', 'ftp://idp.example.com/'])(
    'refuses the destination %s',
    (destination) => {
      const error = expectCode(
        () => encodeRedirect({ type: 'SAMLRequest', xml: requestXml(), destination }),
        'SAML_INPUT_INVALID',
      );
      expect(error.details).toMatchObject({ issues: [{ path: ['destination'] }] });
    },
  );

  it('refuses SHA-1 unless opted in', () => {
    expectCode(
      () =>
        encodeRedirect({
          type: 'SAMLRequest',
          xml: requestXml(),
          destination: idpSloUrl,
          sign: { key: keyPair('sp-a'), algorithm: signatureAlgorithms.rsaSha1 },
        }),
      'SAML_ALGORITHM_FORBIDDEN',
    );
  });

  it('refuses to sign with a certificate-only pair', () => {
    expectCode(
      () =>
        encodeRedirect({
          type: 'SAMLRequest',
          xml: requestXml(),
          destination: idpSloUrl,
          sign: { key: certificate('sp-a') },
        }),
      'SAML_KEY_INVALID',
    );
  });
});

describe('receiveRedirect: query signature over the raw bytes (attacks §7)', () => {
  const message = () => encodeMessage(requestXml());

  it('(a) verifies a query signed with lower-case escapes as received', () => {
    const sent = signedQuery({
      message: lowerEscapes(message()),
      relayState: lowerEscapes(encodeURIComponent('https://sp-a.example/after')),
      sigAlg: lowerEscapes(encodeURIComponent(rsaSha256)),
    });
    expect(sent.octets).toContain('%2f');
    expect(sent.octets).toContain('%3a');
    const received = receiveRedirect(sent.query, options());
    expect(received.signed).toBe(true);
    expect(received.relayState).toBe('https://sp-a.example/after');
  });

  it('(a) rejects a signature over lower-case escapes when the URL carries upper-case ones', () => {
    const relayState = encodeURIComponent('https://sp-a.example/after');
    const sent = signedQuery({ message: message(), relayState: lowerEscapes(relayState) });
    const normalised = sent.query.replace(
      `RelayState=${lowerEscapes(relayState)}`,
      `RelayState=${relayState}`,
    );
    expectCode(() => receiveRedirect(normalised, options()), 'SAML_SIGNATURE_INVALID');
  });

  it('(b) verifies with the parameters reordered', () => {
    const { signature } = signedQuery({ message: message(), relayState: 'rs1' });
    const query =
      `Signature=${encodeURIComponent(signature)}&SigAlg=${encodeURIComponent(rsaSha256)}` +
      `&RelayState=rs1&SAMLRequest=${message()}`;
    expect(receiveRedirect(query, options()).relayState).toBe('rs1');
  });

  it('(c) ignores an extra foo=bar', () => {
    const { query } = signedQuery({ message: message(), relayState: 'rs1' });
    const received = receiveRedirect(`foo=bar&${query}&baz=1`, options());
    expect(received.signed).toBe(true);
    expect(received).not.toHaveProperty('foo');
  });

  it('(d) rejects a RelayState appended to a query signed without it', () => {
    const { query } = signedQuery({ message: message() });
    expectCode(
      () => receiveRedirect(`${query}&RelayState=${encodeURIComponent('https://evil.example/')}`, options()),
      'SAML_SIGNATURE_INVALID',
    );
  });

  it('(e) treats an empty RelayState= as signed data, consistently', () => {
    const withEmpty = signedQuery({ message: message(), relayState: '' });
    expect(withEmpty.octets).toContain('&RelayState=&SigAlg=');
    expect(receiveRedirect(withEmpty.query, options()).relayState).toBe('');
    const dropped = withEmpty.query.replace('&RelayState=', '');
    expectCode(() => receiveRedirect(dropped, options()), 'SAML_SIGNATURE_INVALID');
    const without = signedQuery({ message: message() });
    expectCode(() => receiveRedirect(`${without.query}&RelayState=`, options()), 'SAML_SIGNATURE_INVALID');
  });

  it('(f) rejects SAML%52equest smuggling', () => {
    const { query } = signedQuery({ message: message() });
    const evil = encodeMessage(requestXml({ nameId: { value: 'victim' } }));
    expectCode(
      () => receiveRedirect(`SAML%52equest=${evil}&${query}`, options()),
      'SAML_BINDING_PARAMETER_INVALID',
    );
  });

  it.each([
    ['samlrequest=', 'samlrequest='],
    ['SAMLREQUEST=', 'SAMLREQUEST='],
    ['SAMLRequest[]=', 'SAMLRequest[]='],
    ['SAMLRequest[a]=', 'SAMLRequest[a]='],
    ['SAMLRequest%5B%5D=', 'SAMLRequest%5B%5D='],
    ['+SAMLRequest=', '+SAMLRequest='],
    ['%20SAMLRequest=', '%20SAMLRequest='],
    ['Signatur%65=', 'Signatur%65='],
    ['Relay%53tate=', 'Relay%53tate='],
    ['sigalg=', 'sigalg='],
  ])('(f/h) rejects the imitating parameter name %s', (_name, prefix) => {
    const { query } = signedQuery({ message: message() });
    expectCode(() => receiveRedirect(`${query}&${prefix}x`, options()), 'SAML_BINDING_PARAMETER_INVALID');
  });

  it.each(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature', 'SAMLEncoding'])(
    '(g) rejects a duplicate %s',
    (name) => {
      const { query } = signedQuery({ message: message(), relayState: 'rs1' });
      const extra = name === 'SAMLEncoding' ? `SAMLEncoding=${encodeURIComponent(deflateUrn)}` : `${name}=x`;
      const doubled = name === 'SAMLEncoding' ? `${query}&${extra}&${extra}` : `${query}&${extra}`;
      expectCode(() => receiveRedirect(doubled, options()), 'SAML_BINDING_PARAMETER_INVALID');
    },
  );

  it('(g) rejects an exact duplicate of SAMLRequest', () => {
    const { query } = signedQuery({ message: message() });
    expectCode(
      () => receiveRedirect(`${query}&SAMLRequest=${message()}`, options()),
      'SAML_BINDING_PARAMETER_INVALID',
    );
  });

  it('rejects both SAMLRequest and SAMLResponse, and neither', () => {
    const { query } = signedQuery({ message: message() });
    expectCode(
      () => receiveRedirect(`${query}&SAMLResponse=${encodeMessage(responseXml())}`, options()),
      'SAML_BINDING_PARAMETER_INVALID',
    );
    expectCode(() => receiveRedirect('RelayState=x&foo=bar', options()), 'SAML_BINDING_PARAMETER_INVALID');
    expectCode(() => receiveRedirect('', options()), 'SAML_BINDING_PARAMETER_INVALID');
  });

  it('(i) renaming SAMLRequest to SAMLResponse breaks the signature (SAML_SIGNATURE_INVALID)', () => {
    const { query } = signedQuery({ message: message() });
    const renamed = query.replace('SAMLRequest=', 'SAMLResponse=');
    expectCode(() => receiveRedirect(renamed, options()), 'SAML_SIGNATURE_INVALID');
  });

  it('(i) a request re-signed under SAMLResponse is a type mismatch', () => {
    const { query } = signedQuery({ type: 'SAMLResponse', message: message() });
    const error = expectCode(() => receiveRedirect(query, options()), 'SAML_MESSAGE_TYPE_MISMATCH');
    expect(error.details).toEqual({ expected: 'LogoutResponse|Response', actual: 'LogoutRequest' });
  });

  it('(i) a LogoutResponse sent as SAMLRequest is a type mismatch', () => {
    const { query } = signedQuery({ message: encodeMessage(responseXml()) });
    expectCode(() => receiveRedirect(query, options()), 'SAML_MESSAGE_TYPE_MISMATCH');
  });

  it('applies messageTypes on top of the parameter binding', () => {
    const { query } = signedQuery({ message: message() });
    expectCode(
      () => receiveRedirect(query, options({ messageTypes: ['AuthnRequest'] })),
      'SAML_MESSAGE_TYPE_MISMATCH',
    );
  });

  it('(j) rejects rsa-sha1 even with a valid SHA-1 signature', () => {
    const { query } = signedQuery({
      message: message(),
      sigAlg: encodeURIComponent(signatureAlgorithms.rsaSha1),
      hash: 'sha1',
    });
    expectCode(() => receiveRedirect(query, options()), 'SAML_ALGORITHM_FORBIDDEN');
    expect(receiveRedirect(query, options({ unsafeAllowSha1: true })).algorithm).toBe(
      signatureAlgorithms.rsaSha1,
    );
  });

  it('(k) rejects hmac-sha256 keyed with the public certificate', () => {
    const sigAlg = encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#hmac-sha256');
    const octets = `SAMLRequest=${message()}&SigAlg=${sigAlg}`;
    const mac = createHmac('sha256', certificatePem('sp-a')).update(octets).digest('base64');
    expectCode(
      () => receiveRedirect(`${octets}&Signature=${encodeURIComponent(mac)}`, options()),
      'SAML_ALGORITHM_FORBIDDEN',
    );
  });

  it.each([
    ['urn:x#sha256', 'urn:x#sha256'],
    ['wrong case', 'http://www.w3.org/2001/04/xmldsig-more#RSA-SHA256'],
    ['wrong namespace', 'http://www.w3.org/2000/09/xmldsig#rsa-sha256'],
    ['trailing space', `${rsaSha256} `],
    ['#RSA-MD5', 'http://www.w3.org/2001/04/xmldsig-more#RSA-MD5'],
    ['dsa-sha1', signatureAlgorithms.dsaSha1],
    ['empty', ''],
  ])('(l) rejects the SigAlg %s', (_name, uri) => {
    const { query } = signedQuery({ message: message(), sigAlg: encodeURIComponent(uri) });
    expectCode(() => receiveRedirect(query, options()), 'SAML_ALGORITHM_FORBIDDEN');
  });

  it('rejects an algorithm outside the caller allowlist', () => {
    const { query } = signedQuery({ message: message() });
    expectCode(
      () => receiveRedirect(query, options({ algorithms: [signatureAlgorithms.rsaSha512] })),
      'SAML_ALGORITHM_FORBIDDEN',
    );
  });

  it('rejects a SigAlg whose key type fits no trusted certificate', () => {
    const { query } = signedQuery({
      message: message(),
      sigAlg: encodeURIComponent(signatureAlgorithms.ecdsaSha256),
    });
    expectCode(() => receiveRedirect(query, options()), 'SAML_SIGNATURE_INVALID');
  });

  it('(m) rejects Signature without SigAlg, SigAlg without Signature, and an empty Signature', () => {
    const { query } = signedQuery({ message: message() });
    const noSigAlg = query.replace(/&SigAlg=[^&]*/, '');
    const noSignature = query.replace(/&Signature=[^&]*/, '');
    const emptySignature = query.replace(/&Signature=[^&]*/, '&Signature=');
    expectCode(() => receiveRedirect(noSigAlg, options()), 'SAML_BINDING_PARAMETER_INVALID');
    expectCode(() => receiveRedirect(noSignature, options()), 'SAML_BINDING_PARAMETER_INVALID');
    expectCode(() => receiveRedirect(emptySignature, options()), 'SAML_BINDING_PARAMETER_INVALID');
    // …even when no signature is required: a half-signed query is never "unsigned".
    expectCode(
      () => receiveRedirect(noSignature, options({ requireSignature: false })),
      'SAML_BINDING_PARAMETER_INVALID',
    );
  });

  it('rejects an unsigned query with SAML_SIGNATURE_MISSING, and accepts it with requireSignature:false', () => {
    const query = `SAMLRequest=${message()}&RelayState=rs1`;
    expectCode(() => receiveRedirect(query, options()), 'SAML_SIGNATURE_MISSING');
    const received = receiveRedirect(query, options({ requireSignature: false }));
    expect(received.signed).toBe(false);
    expect(received.algorithm).toBeUndefined();
    expect(received.certificate).toBeUndefined();
    expect(received.relayState).toBe('rs1');
  });

  it.each(['sp-b', 'evil', 'idp'])('(n) rejects a signature by the %s key', (key) => {
    const { query } = signedQuery({ message: message(), key });
    expectCode(() => receiveRedirect(query, options()), 'SAML_SIGNATURE_INVALID');
  });

  it('(n) rejects any signature when the trust list is empty', () => {
    const { query } = signedQuery({ message: message() });
    expectCode(() => receiveRedirect(query, options({ trust: [] })), 'SAML_SIGNATURE_INVALID');
  });

  it('(o) a raw + in Signature is a decode failure, never a crash', () => {
    let sent: ReturnType<typeof signedQuery> | undefined;
    for (let i = 0; i < 50 && !sent?.signature.includes('+'); i++) {
      sent = signedQuery({ message: message(), relayState: `rs${i}` });
    }
    expect(sent!.signature).toContain('+');
    const raw = sent!.query.replace(/Signature=[^&]*$/, `Signature=${sent!.signature}`);
    expectCode(() => receiveRedirect(raw, options()), 'SAML_BINDING_DECODE_FAILED');
  });

  it('rejects a Signature that is not strict base64', () => {
    const { query } = signedQuery({ message: message() });
    expectCode(() => receiveRedirect(`${query}%25zz`, options()), 'SAML_BINDING_DECODE_FAILED');
    const junk = query.replace(/Signature=[^&]*$/, 'Signature=abc*');
    expectCode(() => receiveRedirect(junk, options()), 'SAML_BINDING_DECODE_FAILED');
  });

  it('(p) rejects a deflated message that carries a ds:Signature', () => {
    const signedXml = encodePost({
      type: 'SAMLRequest',
      xml: requestXml(),
      destination: idpSloUrl,
      sign: { key: keyPair('sp-a') },
    }).xml;
    const { query } = signedQuery({ message: encodeMessage(signedXml) });
    expectCode(() => receiveRedirect(query, options()), 'SAML_SIGNATURE_PROFILE_VIOLATION');
    // With no query signature it never counts as signed either.
    expectCode(
      () => receiveRedirect(`SAMLRequest=${encodeMessage(signedXml)}`, options({ requireSignature: false })),
      'SAML_SIGNATURE_PROFILE_VIOLATION',
    );
  });

  it('(q) rejects SAMLEncoding=urn:x and accepts the DEFLATE URN', () => {
    const { query } = signedQuery({ message: message() });
    expectCode(
      () => receiveRedirect(`${query}&SAMLEncoding=urn:x`, options()),
      'SAML_BINDING_PARAMETER_INVALID',
    );
    expect(receiveRedirect(`${query}&SAMLEncoding=${encodeURIComponent(deflateUrn)}`, options()).signed).toBe(
      true,
    );
  });

  it('accepts an SP that signed re-encoded values only with acceptReencodedSignature', () => {
    const relayState = "a b!'()~";
    const messageValue = message();
    const reencoded =
      `SAMLRequest=${messageValue}&RelayState=${encodeURIComponent(relayState)}` +
      `&SigAlg=${encodeURIComponent(rsaSha256)}`;
    const signature = nodeSign('sha256', Buffer.from(reencoded), privateKeyPem('sp-a')).toString('base64');
    const sent =
      `SAMLRequest=${messageValue}&RelayState=a+b%21%27%28%29%7E&SigAlg=${encodeURIComponent(rsaSha256)}` +
      `&Signature=${encodeURIComponent(signature)}`;
    expectCode(() => receiveRedirect(sent, options()), 'SAML_SIGNATURE_INVALID');
    expect(receiveRedirect(sent, options({ acceptReencodedSignature: true })).relayState).toBe(relayState);
  });

  it('verifies the signature before decoding the message', () => {
    const { query } = signedQuery({ message: 'not*base64', key: 'evil' });
    expectCode(() => receiveRedirect(query, options()), 'SAML_SIGNATURE_INVALID');
    const good = signedQuery({ message: 'not*base64' });
    expectCode(() => receiveRedirect(good.query, options()), 'SAML_BINDING_DECODE_FAILED');
  });
});

describe('receiveRedirect: message decoding (attacks §6, re-signed so only the decoder is tested)', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>${requestXml()}`;

  it.each([
    ['(c) zlib-wrapped', () => encodeURIComponent(Buffer.from(zlibDeflate(xml)).toString('base64'))],
    ['(d) gzip', () => encodeURIComponent(Buffer.from(gzip(xml)).toString('base64'))],
    ['(f) truncated by 5 bytes', () => encodeMessage(deflateRaw(xml).slice(0, -5), false)],
    [
      '(g) followed by GARBAGE',
      () => encodeMessage(Buffer.concat([deflateRaw(xml), Buffer.from('GARBAGE')]), false),
    ],
    ['(e) uncompressed base64 XML', () => encodeMessage(xml, false)],
    ['URL-safe base64', () => encodeMessage(xml).replace(/%2B/g, '-').replace(/%2F/g, '_')],
    ['base64 without padding', () => encodeMessage(xml).replace(/%3D/g, '')],
    ['= then PHg+ appended', () => `${encodeMessage(xml).replace(/(%3D)+$/, '')}%3DPHg%2B`],
    [
      'invalid UTF-8 inside',
      () => encodeMessage(Buffer.from([0x3c, 0x72, 0x3e, 0xc0, 0xaf, 0x3c, 0x2f, 0x72, 0x3e])),
    ],
  ])('rejects %s with SAML_BINDING_DECODE_FAILED', (_name, make) => {
    const { query } = signedQuery({ message: make() });
    expectCode(() => receiveRedirect(query, options()), 'SAML_BINDING_DECODE_FAILED');
  });

  it('accepts uncompressed base64 only with allowUncompressed', () => {
    const { query } = signedQuery({ message: encodeMessage(xml, false) });
    const received = receiveRedirect(query, options({ allowUncompressed: true }));
    expect(received.xml).toBe(xml);
    expect(received.signed).toBe(true);
  });

  it('allowUncompressed never accepts bytes that are not XML', () => {
    const { query } = signedQuery({ message: encodeMessage(Buffer.from('GARBAGE'), false) });
    expectCode(
      () => receiveRedirect(query, options({ allowUncompressed: true })),
      'SAML_BINDING_DECODE_FAILED',
    );
  });

  it('(a) stops a 50 MiB DEFLATE bomb quickly with SAML_BINDING_LIMIT_EXCEEDED', () => {
    const bomb = encodeMessage(new Uint8Array(50 * 1024 * 1024).fill(0x20));
    const { query } = signedQuery({ message: bomb });
    const started = performance.now();
    expectCode(() => receiveRedirect(query, options()), 'SAML_BINDING_LIMIT_EXCEEDED');
    expect(performance.now() - started).toBeLessThan(500);
    expectCode(
      () => receiveRedirect(`SAMLRequest=${bomb}`, options({ requireSignature: false })),
      'SAML_BINDING_LIMIT_EXCEEDED',
    );
  });

  it('(b) rejects 300 KiB of valid XML padding inside samlp:Extensions', () => {
    const padded = xml.replace(
      '<saml:NameID',
      `<samlp:Extensions><x xmlns="urn:x">${'a'.repeat(300 * 1024)}</x></samlp:Extensions><saml:NameID`,
    );
    const { query } = signedQuery({ message: encodeMessage(padded) });
    expectCode(() => receiveRedirect(query, options()), 'SAML_BINDING_LIMIT_EXCEEDED');
  });

  it('(h) accepts a message that inflates to exactly maxBytes and rejects one byte less', () => {
    const size = Buffer.byteLength(xml);
    const { query } = signedQuery({ message: encodeMessage(xml) });
    expect(receiveRedirect(query, options({ maxBytes: size })).xml).toBe(xml);
    expectCode(() => receiveRedirect(query, options({ maxBytes: size - 1 })), 'SAML_BINDING_LIMIT_EXCEEDED');
  });

  it('rejects a query longer than twice maxBytes before parsing it', () => {
    const { query } = signedQuery({ message: encodeMessage(xml) });
    const error = expectCode(
      () => receiveRedirect(`${query}&foo=${'a'.repeat(2048)}`, options({ maxBytes: 1024 })),
      'SAML_BINDING_LIMIT_EXCEEDED',
    );
    expect(error.details).toEqual({ limit: 2048 });
  });

  it('runs the strict parser on the inflated XML', () => {
    const withDoctype = xml.replace('?>', '?><!DOCTYPE samlp:LogoutRequest>');
    expectCode(
      () => receiveRedirect(signedQuery({ message: encodeMessage(withDoctype) }).query, options()),
      'SAML_XML_DTD_FORBIDDEN',
    );
    const withNul = xml.replace('alice@example.com', 'alice\u0000');
    expectCode(
      () => receiveRedirect(signedQuery({ message: encodeMessage(withNul) }).query, options()),
      'SAML_XML_FORBIDDEN_CONTENT',
    );
    const notSaml = '<foo xmlns="urn:foo" ID="_x" Version="2.0"/>';
    expectCode(
      () => receiveRedirect(signedQuery({ message: encodeMessage(notSaml) }).query, options()),
      'SAML_MESSAGE_TYPE_MISMATCH',
    );
  });

  it('gives the same result with a UTF-8 BOM in the inflated bytes', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]);
    const { query } = signedQuery({ message: encodeMessage(withBom) });
    expect(receiveRedirect(query, options()).header.id).toBe('_redirect-request');
  });
});

describe('receiveRedirect: RelayState (SAMLBind §3.4.3, attacks §8)', () => {
  const send = (rawRelayState: string, extra: Partial<ReceiveRedirectOptions> = {}) =>
    receiveRedirect(
      signedQuery({ message: encodeMessage(requestXml()), relayState: rawRelayState }).query,
      options(extra),
    );

  it('accepts 80 bytes, ASCII or multibyte', () => {
    expect(send('a'.repeat(80)).relayState).toBe('a'.repeat(80));
    expect(send(encodeURIComponent('\u00e9'.repeat(40))).relayState).toBe('\u00e9'.repeat(40));
  });

  it('rejects 81 bytes', () => {
    expectCode(() => send('a'.repeat(81)), 'SAML_RELAY_STATE_INVALID');
    expectCode(() => send(encodeURIComponent(`${'a'.repeat(79)}\u00e9`)), 'SAML_RELAY_STATE_INVALID');
  });

  it('rejects 80 multibyte characters (more than 80 bytes)', () => {
    expectCode(() => send(encodeURIComponent('\u00e9'.repeat(80))), 'SAML_RELAY_STATE_INVALID');
  });

  it.each([
    ['NUL', '%00'],
    ['CR LF', 'a%0D%0ASet-Cookie:x=1'],
    ['LF', '%0A'],
    ['TAB', '%09'],
    ['DEL', '%7F'],
  ])('rejects a RelayState with %s', (_name, raw) => {
    expectCode(() => send(raw), 'SAML_RELAY_STATE_INVALID');
  });

  it('rejects a RelayState with invalid percent-encoding as a decode failure', () => {
    expectCode(() => send('%zz'), 'SAML_BINDING_DECODE_FAILED');
  });

  it('echoes a URL RelayState as opaque data', () => {
    expect(send(encodeURIComponent('https://evil.example/')).relayState).toBe('https://evil.example/');
  });

  it('honours maxRelayStateBytes up to the 8 KiB ceiling', () => {
    expect(send('a'.repeat(200), { maxRelayStateBytes: 200 }).relayState).toHaveLength(200);
    expectCode(() => send('a'.repeat(201), { maxRelayStateBytes: 200 }), 'SAML_RELAY_STATE_INVALID');
    expect(send('a'.repeat(8192), { maxRelayStateBytes: 10_000 }).relayState).toHaveLength(8192);
    expectCode(() => send('a'.repeat(8193), { maxRelayStateBytes: 10_000 }), 'SAML_RELAY_STATE_INVALID');
  });

  it('sends a longer RelayState only when maxRelayStateBytes allows it (to echo one back)', () => {
    const long = `https://sp.example.org/simplesaml/module.php/core/authenticate.php?as=default-sp&x=${'y'.repeat(20)}`;
    const base = { type: 'SAMLRequest', xml: '<x/>', destination: 'https://idp.example.org/slo' } as const;
    expectCode(() => encodeRedirect({ ...base, relayState: long }), 'SAML_RELAY_STATE_INVALID');
    const url = encodeRedirect({ ...base, relayState: long, maxRelayStateBytes: 2048 });
    expect(new URL(url).searchParams.get('RelayState')).toBe(long);
  });
});
