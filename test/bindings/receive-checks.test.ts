import { describe, expect, it } from 'vitest';
import {
  encodePost,
  encodeRedirect,
  type ReceiveOptions,
  receivePost,
  receiveRedirect,
} from '../../src/bindings/index.js';
import { namespaces } from '../../src/constants/namespaces.js';
import { buildLogoutRequest } from '../../src/logout/index.js';
import { expectCode } from '../support/errors.js';
import { certificate, keyPair } from '../support/keys.js';
import { fixedClock, fixedNow, idpSloUrl, spEntityId } from '../support/messages.js';

const entityFormat = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';
const now = fixedNow.getTime();
/** `YYYY-MM-DDTHH:MM:SSZ` at `offsetMs` from the fixed clock. */
const at = (offsetMs: number) => new Date(now + offsetMs).toISOString().replace('.000Z', 'Z');

interface MessageInput {
  root?: 'LogoutRequest' | 'LogoutResponse';
  /** Root attributes; `undefined` leaves one out. Defaults: ID, Version, IssueInstant, Destination. */
  attributes?: Record<string, string | undefined>;
  /** Issuer element markup; default an Issuer with SP-A's entity ID. `null` leaves it out. */
  issuer?: string | null;
}

function messageXml(input: MessageInput = {}): string {
  const root = input.root ?? 'LogoutRequest';
  const attributes: Record<string, string | undefined> = {
    ID: '_check',
    Version: '2.0',
    IssueInstant: at(0),
    Destination: idpSloUrl,
    ...input.attributes,
  };
  const rendered = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${value}"`)
    .join('');
  const issuer =
    input.issuer === undefined ? `<saml:Issuer>${spEntityId}</saml:Issuer>` : (input.issuer ?? '');
  const body =
    root === 'LogoutRequest'
      ? '<saml:NameID>alice@example.com</saml:NameID><samlp:SessionIndex>_s1</samlp:SessionIndex>'
      : '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>';
  return (
    `<samlp:${root} xmlns:samlp="${namespaces.samlp}" xmlns:saml="${namespaces.saml}"${rendered}>` +
    `${issuer}${body}</samlp:${root}>`
  );
}

const typeOf = (input: MessageInput) => (input.root === 'LogoutResponse' ? 'SAMLResponse' : 'SAMLRequest');

/** Signs the message with SP-A (HTTP-POST) and receives it. */
function receiveSigned(input: MessageInput, extra: Partial<ReceiveOptions> = {}) {
  const form = encodePost({
    type: typeOf(input),
    xml: messageXml(input),
    destination: idpSloUrl,
    sign: { key: keyPair('sp-a') },
  });
  return receivePost(form.fields, { trust: [certificate('sp-a')], clock: fixedClock, ...extra });
}

/** Receives the message unsigned (HTTP-POST, requireSignature:false). */
function receiveUnsigned(input: MessageInput, extra: Partial<ReceiveOptions> = {}) {
  return receivePost(
    { [typeOf(input)]: Buffer.from(messageXml(input), 'utf8').toString('base64') },
    { trust: [certificate('sp-a')], clock: fixedClock, requireSignature: false, ...extra },
  );
}

describe('Issuer', () => {
  it('accepts the expected issuer, with or without the entity Format', () => {
    expect(receiveSigned({}, { expect: { issuer: spEntityId } }).header.issuer).toEqual({
      value: spEntityId,
    });
    const withFormat = `<saml:Issuer Format="${entityFormat}">${spEntityId}</saml:Issuer>`;
    expect(receiveSigned({ issuer: withFormat }, { expect: { issuer: spEntityId } }).header.issuer).toEqual({
      value: spEntityId,
      format: entityFormat,
    });
  });

  it('rejects an unexpected issuer with SAML_ISSUER_MISMATCH', () => {
    const error = expectCode(
      () => receiveSigned({}, { expect: { issuer: 'https://sp-b.example.com/metadata' } }),
      'SAML_ISSUER_MISMATCH',
    );
    expect(error.details).toEqual({ expected: 'https://sp-b.example.com/metadata', actual: spEntityId });
  });

  it.each([
    ['surrounding whitespace', ` ${spEntityId} `],
    ['a case difference', spEntityId.toUpperCase()],
    ['a trailing slash', `${spEntityId}/`],
  ])('compares byte for byte: %s is a mismatch', (_name, value) => {
    expectCode(
      () =>
        receiveSigned({ issuer: `<saml:Issuer>${value}</saml:Issuer>` }, { expect: { issuer: spEntityId } }),
      'SAML_ISSUER_MISMATCH',
    );
  });

  it('rejects a missing Issuer when one is expected', () => {
    const error = expectCode(
      () => receiveSigned({ issuer: null }, { expect: { issuer: spEntityId } }),
      'SAML_ISSUER_MISMATCH',
    );
    expect(error.details).toEqual({ expected: spEntityId });
  });

  it('rejects an Issuer Format other than entity, even without expect.issuer', () => {
    const persistent = `<saml:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${spEntityId}</saml:Issuer>`;
    expectCode(() => receiveSigned({ issuer: persistent }), 'SAML_ISSUER_MISMATCH');
  });

  it('rejects two Issuer elements', () => {
    const two = `<saml:Issuer>${spEntityId}</saml:Issuer><saml:Issuer>https://evil.example</saml:Issuer>`;
    expectCode(() => receiveSigned({ issuer: two }), 'SAML_MESSAGE_INVALID');
  });

  it('rejects an Issuer split by a comment in an unsigned message', () => {
    const split = `<saml:Issuer>https://sp-a.example.com<!---->/metadata</saml:Issuer>`;
    expectCode(() => receiveUnsigned({ issuer: split }), 'SAML_XML_MIXED_CONTENT');
  });
});

describe('Destination', () => {
  it('accepts the expected destination', () => {
    expect(receiveSigned({}, { expect: { destination: idpSloUrl } }).header.destination).toBe(idpSloUrl);
  });

  it('rejects another destination with SAML_DESTINATION_MISMATCH', () => {
    const error = expectCode(
      () =>
        receiveSigned(
          { attributes: { Destination: 'https://other-tenant.example.com/slo' } },
          { expect: { destination: idpSloUrl } },
        ),
      'SAML_DESTINATION_MISMATCH',
    );
    expect(error.details).toEqual({ expected: idpSloUrl, actual: 'https://other-tenant.example.com/slo' });
  });

  it.each([
    ['upper-case host', 'https://IDP.example.com/slo'],
    ['a trailing slash', `${idpSloUrl}/`],
    ['a query', `${idpSloUrl}?x=1`],
    ['http instead of https', idpSloUrl.replace('https:', 'http:')],
    ['an explicit port', 'https://idp.example.com:443/slo'],
  ])('compares exactly: %s is a mismatch', (_name, destination) => {
    expectCode(
      () =>
        receiveSigned({ attributes: { Destination: destination } }, { expect: { destination: idpSloUrl } }),
      'SAML_DESTINATION_MISMATCH',
    );
  });

  it('rejects a signed message without Destination (SAMLBind §3.5.5.2)', () => {
    const error = expectCode(
      () => receiveSigned({ attributes: { Destination: undefined } }, { expect: { destination: idpSloUrl } }),
      'SAML_DESTINATION_MISMATCH',
    );
    expect(error.details).toEqual({ expected: idpSloUrl });
  });

  it('rejects a query-signed redirect message without Destination', () => {
    const xml = messageXml({ attributes: { Destination: undefined } });
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml,
      destination: idpSloUrl,
      sign: { key: keyPair('sp-a') },
    });
    expectCode(
      () =>
        receiveRedirect(url, {
          trust: [certificate('sp-a')],
          clock: fixedClock,
          expect: { destination: idpSloUrl },
        }),
      'SAML_DESTINATION_MISMATCH',
    );
  });

  it('accepts a missing Destination on an unsigned message with requireSignature:false', () => {
    const received = receiveUnsigned(
      { attributes: { Destination: undefined } },
      { expect: { destination: idpSloUrl } },
    );
    expect(received.signed).toBe(false);
    expect(received.header.destination).toBeUndefined();
  });

  it('still rejects a wrong Destination on an unsigned message', () => {
    expectCode(
      () =>
        receiveUnsigned(
          { attributes: { Destination: 'https://evil.example/slo' } },
          { expect: { destination: idpSloUrl } },
        ),
      'SAML_DESTINATION_MISMATCH',
    );
  });

  it('does not check Destination when no destination is expected', () => {
    expect(receiveSigned({ attributes: { Destination: undefined } }).signed).toBe(true);
  });
});

describe('IssueInstant window', () => {
  const skew = 180_000;
  const maxAge = 600_000;

  it('accepts now, and the fractional-seconds form', () => {
    expect(receiveSigned({}).header.issueInstant).toBe(at(0));
    expect(receiveSigned({ attributes: { IssueInstant: '2026-04-20T09:59:59.999Z' } }).signed).toBe(true);
  });

  it('rejects an IssueInstant older than maxAge + skew', () => {
    expectCode(
      () => receiveSigned({ attributes: { IssueInstant: at(-maxAge - skew - 1000) } }),
      'SAML_MESSAGE_EXPIRED',
    );
  });

  it('accepts an IssueInstant just inside the old boundary', () => {
    expect(receiveSigned({ attributes: { IssueInstant: at(-maxAge - skew) } }).signed).toBe(true);
  });

  it('rejects an IssueInstant in the future beyond the skew', () => {
    expectCode(
      () => receiveSigned({ attributes: { IssueInstant: at(skew + 1000) } }),
      'SAML_MESSAGE_EXPIRED',
    );
  });

  it('accepts an IssueInstant just inside the future boundary', () => {
    expect(receiveSigned({ attributes: { IssueInstant: at(skew) } }).signed).toBe(true);
  });

  it.each([['2999-01-01T00:00:00Z'], ['1970-01-01T00:00:00Z'], [at(3_600_000)], [at(-3_600_000)]])(
    'rejects the IssueInstant %s',
    (instant) => {
      expectCode(() => receiveSigned({ attributes: { IssueInstant: instant } }), 'SAML_MESSAGE_EXPIRED');
    },
  );

  it('honours clockSkewMs and maxMessageAgeMs', () => {
    expectCode(
      () => receiveSigned({ attributes: { IssueInstant: at(1000) } }, { clockSkewMs: 0 }),
      'SAML_MESSAGE_EXPIRED',
    );
    expect(receiveSigned({ attributes: { IssueInstant: at(0) } }, { clockSkewMs: 0 }).signed).toBe(true);
    expectCode(
      () =>
        receiveSigned(
          { attributes: { IssueInstant: at(-61_000) } },
          { clockSkewMs: 0, maxMessageAgeMs: 60_000 },
        ),
      'SAML_MESSAGE_EXPIRED',
    );
    expect(
      receiveSigned({ attributes: { IssueInstant: at(-3_000_000) } }, { maxMessageAgeMs: 3_600_000 }).signed,
    ).toBe(true);
  });
});

describe('NotOnOrAfter (LogoutRequest)', () => {
  it('rejects a NotOnOrAfter that has passed', () => {
    expectCode(() => receiveSigned({ attributes: { NotOnOrAfter: at(-3_600_000) } }), 'SAML_MESSAGE_EXPIRED');
  });

  it('rejects NotOnOrAfter exactly at now - skew, accepts one second later', () => {
    expectCode(() => receiveSigned({ attributes: { NotOnOrAfter: at(-180_000) } }), 'SAML_MESSAGE_EXPIRED');
    expect(receiveSigned({ attributes: { NotOnOrAfter: at(-179_000) } }).header.notOnOrAfter).toBe(
      at(-179_000),
    );
  });

  it('accepts a NotOnOrAfter in the future', () => {
    expect(receiveSigned({ attributes: { NotOnOrAfter: at(300_000) } }).signed).toBe(true);
  });

  it('rejects an invalid NotOnOrAfter with SAML_MESSAGE_INVALID', () => {
    expectCode(() => receiveSigned({ attributes: { NotOnOrAfter: 'tomorrow' } }), 'SAML_MESSAGE_INVALID');
  });
});

describe('InResponseTo (LogoutResponse)', () => {
  const response = (inResponseTo?: string): MessageInput => ({
    root: 'LogoutResponse',
    attributes: { InResponseTo: inResponseTo },
  });

  it('accepts the expected request ID', () => {
    expect(receiveSigned(response('_sent'), { expect: { inResponseTo: '_sent' } }).header.inResponseTo).toBe(
      '_sent',
    );
  });

  it('rejects another request ID with SAML_IN_RESPONSE_TO_MISMATCH', () => {
    const error = expectCode(
      () => receiveSigned(response('_other'), { expect: { inResponseTo: '_sent' } }),
      'SAML_IN_RESPONSE_TO_MISMATCH',
    );
    expect(error.details).toEqual({ expected: '_sent', actual: '_other' });
  });

  it('rejects a missing InResponseTo when one is expected', () => {
    expectCode(
      () => receiveSigned(response(), { expect: { inResponseTo: '_sent' } }),
      'SAML_IN_RESPONSE_TO_MISMATCH',
    );
  });
});

describe('Version, ID, IssueInstant presence and syntax', () => {
  it.each(['1.1', '2.00', '3.0', ''])('rejects Version="%s" with SAML_VERSION_MISMATCH', (version) => {
    expectCode(() => receiveSigned({ attributes: { Version: version } }), 'SAML_VERSION_MISMATCH');
  });

  it('rejects a missing Version with SAML_MESSAGE_INVALID', () => {
    expectCode(() => receiveSigned({ attributes: { Version: undefined } }), 'SAML_MESSAGE_INVALID');
  });

  it('rejects a missing ID with SAML_MESSAGE_INVALID', () => {
    expectCode(() => receiveUnsigned({ attributes: { ID: undefined } }), 'SAML_MESSAGE_INVALID');
  });

  it.each([
    ['not an NCName', "x' or '1'='1"],
    ['starting with a digit', '1abc'],
    ['empty', ''],
    ['longer than 256 characters', `_${'a'.repeat(256)}`],
  ])('rejects an ID that is %s with SAML_MESSAGE_INVALID', (_name, id) => {
    expectCode(() => receiveUnsigned({ attributes: { ID: id } }), 'SAML_MESSAGE_INVALID');
  });

  it('rejects a missing IssueInstant with SAML_MESSAGE_INVALID', () => {
    expectCode(() => receiveSigned({ attributes: { IssueInstant: undefined } }), 'SAML_MESSAGE_INVALID');
  });

  it.each([
    ['2026-02-30T00:00:00Z'],
    ['2026-04-20T10:00:00'],
    ['2026-04-20T10:00:00+01:00'],
    ['2026-04-20T10:00:00+00:00'],
    ['not-a-date'],
    ['0000-01-01T00:00:00Z'],
    ['+2026-04-20T10:00:00Z'],
    ['2026-04-20T24:00:00Z'],
    ['2026-04-20T10:60:00Z'],
    ['2026-04-20T10:00:60Z'],
    ['2026-13-01T00:00:00Z'],
    ['2026-4-20T10:00:00Z'],
    ['2026-04-20 10:00:00Z'],
    ['2026-04-20t10:00:00z'],
    [`2026-04-20T10:00:00.${'1'.repeat(30)}Z`],
    ['1776679200'],
  ])('rejects the IssueInstant %s with SAML_MESSAGE_INVALID', (instant) => {
    expectCode(() => receiveSigned({ attributes: { IssueInstant: instant } }), 'SAML_MESSAGE_INVALID');
  });

  it('accepts 29 February in a leap year (calendar check, not a regex only)', () => {
    const clock = () => new Date('2028-02-29T00:00:00Z');
    expect(receiveSigned({ attributes: { IssueInstant: '2028-02-29T00:00:00Z' } }, { clock }).signed).toBe(
      true,
    );
    expectCode(
      () => receiveSigned({ attributes: { IssueInstant: '2027-02-29T00:00:00Z' } }, { clock }),
      'SAML_MESSAGE_INVALID',
    );
  });
});

describe('header of the result', () => {
  it('is read from the verified bytes and carries every field', () => {
    const xml = buildLogoutRequest({
      issuer: spEntityId,
      destination: idpSloUrl,
      nameId: { value: 'alice' },
      id: '_header',
      issueInstant: fixedNow,
      notOnOrAfter: new Date(now + 300_000),
    }).xml;
    const form = encodePost({
      type: 'SAMLRequest',
      xml,
      destination: idpSloUrl,
      sign: { key: keyPair('sp-a') },
    });
    const received = receivePost(form.fields, {
      trust: [certificate('sp-a')],
      clock: fixedClock,
      expect: { issuer: spEntityId, destination: idpSloUrl },
    });
    expect(received.header).toEqual({
      type: 'LogoutRequest',
      id: '_header',
      version: '2.0',
      issueInstant: at(0),
      destination: idpSloUrl,
      issuer: { value: spEntityId },
      notOnOrAfter: at(300_000),
    });
  });

  it('reads Consent', () => {
    const consent = 'urn:oasis:names:tc:SAML:2.0:consent:obtained';
    expect(receiveSigned({ attributes: { Consent: consent } }).header.consent).toBe(consent);
  });
});
