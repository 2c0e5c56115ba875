import { describe, expect, it } from 'vitest';
import {
  encodePost,
  encodeSoap,
  encodeSoapFault,
  type ReceiveOptions,
  receiveSoap,
} from '../../src/bindings/index.js';
import { signatureAlgorithms } from '../../src/constants/algorithms.js';
import { namespaces } from '../../src/constants/namespaces.js';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  parseLogoutRequest,
  parseLogoutResponse,
} from '../../src/logout/index.js';
import { expectCode } from '../support/errors.js';
import { certificate, keyPair } from '../support/keys.js';
import { fixedClock, fixedNow, idpSloUrl, spEntityId } from '../support/messages.js';

const soapNs = namespaces.soapenv;

function requestXml(): string {
  return buildLogoutRequest({
    issuer: spEntityId,
    destination: idpSloUrl,
    nameId: { value: 'alice@example.com' },
    sessionIndex: '_s1',
    id: '_soap-request',
    issueInstant: fixedNow,
  }).xml;
}

function responseXml(): string {
  return buildLogoutResponse({
    issuer: spEntityId,
    destination: idpSloUrl,
    inResponseTo: '_idp-request',
    status: { code: 'Responder', subCode: 'PartialLogout' },
    id: '_soap-response',
    issueInstant: fixedNow,
  }).xml;
}

/** A message enveloped-signed by SP-A, as a string to place in hand-written envelopes. */
function signedRequest(): string {
  return encodePost({
    type: 'SAMLRequest',
    xml: requestXml(),
    destination: idpSloUrl,
    sign: { key: keyPair('sp-a') },
  }).xml;
}

function envelope(body: string, header?: string): string {
  return (
    `<soapenv:Envelope xmlns:soapenv="${soapNs}">` +
    (header === undefined ? '' : `<soapenv:Header>${header}</soapenv:Header>`) +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}

const options = (extra: Partial<ReceiveOptions> = {}): ReceiveOptions => ({
  trust: [certificate('sp-a')],
  clock: fixedClock,
  ...extra,
});

describe('encodeSoap / receiveSoap', () => {
  it('wraps the message in a SOAP 1.1 envelope', () => {
    const soap = encodeSoap(requestXml());
    expect(soap).toBe(
      `<soapenv:Envelope xmlns:soapenv="${soapNs}"><soapenv:Body>${requestXml()}</soapenv:Body></soapenv:Envelope>`,
    );
  });

  it('round-trips a signed LogoutRequest', () => {
    const soap = encodeSoap(requestXml(), { sign: { key: keyPair('sp-a') } });
    expect(soap).toContain('<ds:Signature');
    const received = receiveSoap(soap, options());
    expect(received.type).toBe('SAMLRequest');
    expect(received.binding).toBe('soap');
    expect(received.messageType).toBe('LogoutRequest');
    expect(received.signed).toBe(true);
    expect(received.algorithm).toBe(signatureAlgorithms.rsaSha256);
    expect(received.relayState).toBeUndefined();
    expect(received.xml).not.toContain('Envelope');
    expect(received.xml).not.toContain('Signature');
    expect(parseLogoutRequest(received.xml)).toMatchObject({
      id: '_soap-request',
      nameId: { value: 'alice@example.com' },
      sessionIndexes: ['_s1'],
    });
  });

  it('round-trips a signed LogoutResponse as a SAMLResponse', () => {
    const received = receiveSoap(encodeSoap(responseXml(), { sign: { key: keyPair('sp-a') } }), options());
    expect(received.type).toBe('SAMLResponse');
    expect(received.messageType).toBe('LogoutResponse');
    expect(parseLogoutResponse(received.xml).status).toMatchObject({
      code: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
      subCode: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
      success: false,
    });
  });

  it('accepts a signed message inside a hand-written envelope with a harmless Header', () => {
    const soap = envelope(signedRequest(), '<x:Trace xmlns:x="urn:x">1</x:Trace>');
    expect(receiveSoap(soap, options()).signed).toBe(true);
  });

  it('requires a signature by default, and reads an unsigned message with requireSignature:false', () => {
    const soap = encodeSoap(requestXml());
    expectCode(() => receiveSoap(soap, options()), 'SAML_SIGNATURE_MISSING');
    const received = receiveSoap(soap, options({ requireSignature: false }));
    expect(received.signed).toBe(false);
    expect(parseLogoutRequest(received.xml).nameId?.value).toBe('alice@example.com');
  });

  it('reads an unsigned message whose namespaces are declared on the Envelope', () => {
    const soap =
      `<soapenv:Envelope xmlns:soapenv="${soapNs}" xmlns:samlp="${namespaces.samlp}" xmlns:saml="${namespaces.saml}">` +
      '<soapenv:Body><samlp:LogoutRequest ID="_inherit" Version="2.0" IssueInstant="2026-04-20T10:00:00Z">' +
      '<saml:Issuer>x</saml:Issuer><saml:NameID>bob</saml:NameID></samlp:LogoutRequest></soapenv:Body></soapenv:Envelope>';
    const received = receiveSoap(soap, options({ requireSignature: false }));
    expect(parseLogoutRequest(received.xml).nameId?.value).toBe('bob');
  });

  it.each(['sp-b', 'evil'])('rejects a message signed by the %s key', (key) => {
    expectCode(
      () => receiveSoap(encodeSoap(requestXml(), { sign: { key: keyPair(key) } }), options()),
      'SAML_SIGNATURE_INVALID',
    );
  });

  it('throws a TypeError for a non-string body', () => {
    expect(() => receiveSoap(undefined as unknown as string, options())).toThrow(TypeError);
  });
});

describe('receiveSoap: faults and envelope structure', () => {
  it('turns a Fault into SAML_SOAP_FAULT with faultCode and faultString', () => {
    const error = expectCode(
      () => receiveSoap(encodeSoapFault('Server', 'backend down'), options()),
      'SAML_SOAP_FAULT',
    );
    expect(error.details).toEqual({ faultCode: 'soapenv:Server', faultString: 'backend down' });
  });

  it('truncates a long faultString to 200 characters', () => {
    const error = expectCode(
      () => receiveSoap(encodeSoapFault('Client', 'x'.repeat(5000)), options()),
      'SAML_SOAP_FAULT',
    );
    expect((error.details as { faultString: string }).faultString).toHaveLength(200);
  });

  it('builds a Fault with escaped text', () => {
    const fault = encodeSoapFault('Client', '</faultstring><x>');
    expect(fault).toContain('<faultstring>&lt;/faultstring&gt;&lt;x&gt;</faultstring>');
    expect(fault).toContain('<faultcode>soapenv:Client</faultcode>');
  });

  it.each([
    ['a bare SAML message', () => signedRequest()],
    [
      'a SOAP 1.2 envelope',
      () => envelope(signedRequest()).replaceAll(soapNs, 'http://www.w3.org/2003/05/soap-envelope'),
    ],
    ['an unqualified Envelope', () => `<Envelope><Body>${signedRequest()}</Body></Envelope>`],
  ])('rejects %s as not an Envelope', (_name, make) => {
    expectCode(() => receiveSoap(make(), options()), 'SAML_SOAP_FAULT');
  });

  it('rejects a Body with two children', () => {
    expectCode(() => receiveSoap(envelope(signedRequest() + signedRequest()), options()), 'SAML_SOAP_FAULT');
    expectCode(
      () => receiveSoap(envelope(`${signedRequest()}<x:y xmlns:x="urn:x"/>`), options()),
      'SAML_SOAP_FAULT',
    );
  });

  it('rejects an empty Body', () => {
    expectCode(() => receiveSoap(envelope(''), options()), 'SAML_SOAP_FAULT');
  });

  it('rejects an Envelope without Body, with a Header after the Body, or with extra children', () => {
    const ns = `xmlns:soapenv="${soapNs}"`;
    expectCode(
      () => receiveSoap(`<soapenv:Envelope ${ns}><soapenv:Header/></soapenv:Envelope>`, options()),
      'SAML_SOAP_FAULT',
    );
    expectCode(
      () =>
        receiveSoap(
          `<soapenv:Envelope ${ns}><soapenv:Body>${signedRequest()}</soapenv:Body><soapenv:Header/></soapenv:Envelope>`,
          options(),
        ),
      'SAML_SOAP_FAULT',
    );
    expectCode(
      () =>
        receiveSoap(
          `<soapenv:Envelope ${ns}><soapenv:Body>${signedRequest()}</soapenv:Body><x:y xmlns:x="urn:x"/></soapenv:Envelope>`,
          options(),
        ),
      'SAML_SOAP_FAULT',
    );
  });

  it('rejects an Envelope with two Body elements as a malformed envelope', () => {
    const ns = `xmlns:soapenv="${soapNs}"`;
    const twoBodies = `<soapenv:Envelope ${ns}><soapenv:Body>${signedRequest()}</soapenv:Body><soapenv:Body/></soapenv:Envelope>`;
    expectCode(() => receiveSoap(twoBodies, options()), 'SAML_SOAP_FAULT');
  });

  it.each(['1', 'true'])('rejects a header with mustUnderstand="%s"', (value) => {
    const header = `<x:Security xmlns:x="urn:x" soapenv:mustUnderstand="${value}"/>`;
    expectCode(() => receiveSoap(envelope(signedRequest(), header), options()), 'SAML_SOAP_FAULT');
  });

  it('accepts a header with mustUnderstand="0"', () => {
    const header = '<x:Security xmlns:x="urn:x" soapenv:mustUnderstand="0"/>';
    expect(receiveSoap(envelope(signedRequest(), header), options()).signed).toBe(true);
  });

  it('rejects a ds:Signature placed in the SOAP Header', () => {
    const signed = signedRequest();
    const signature = signed.slice(signed.indexOf('<ds:Signature'), signed.indexOf('</ds:Signature>') + 15);
    expectCode(() => receiveSoap(envelope(signed, signature), options()), 'SAML_SIGNATURE_PROFILE_VIOLATION');
  });

  it('rejects a Body holding something other than a SAML protocol message', () => {
    expectCode(
      () => receiveSoap(envelope('<x:y xmlns:x="urn:x" ID="_1"/>'), options({ requireSignature: false })),
      'SAML_MESSAGE_TYPE_MISMATCH',
    );
  });

  it('runs the strict parser on the whole envelope', () => {
    expectCode(
      () => receiveSoap(`<!DOCTYPE x>${encodeSoap(requestXml())}`, options()),
      'SAML_XML_DTD_FORBIDDEN',
    );
    expectCode(() => receiveSoap(`${encodeSoap(requestXml())}<x/>`, options()), 'SAML_XML_MALFORMED');
    const error = expectCode(
      () =>
        receiveSoap(
          encodeSoap(requestXml(), { sign: { key: keyPair('sp-a') } }),
          options({ maxBytes: 1000 }),
        ),
      'SAML_XML_LIMIT_EXCEEDED',
    );
    expect(error.details).toMatchObject({ kind: 'bytes', limit: 1000 });
  });
});
