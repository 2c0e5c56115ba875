import { describe, expect, it } from 'vitest';
import { receivePost, receiveRedirect } from '../../src/bindings/index.js';
import { namespaces } from '../../src/constants/namespaces.js';
import { logoutReasons, nameIdFormats } from '../../src/constants/saml.js';
import { buildLogoutRequest, buildLogoutResponse, parseLogoutRequest } from '../../src/logout/index.js';
import { parseXml } from '../../src/xml/parse.js';
import { childElements } from '../../src/xml/select.js';
import { expectCode } from '../support/errors.js';
import { fixedNow, idpEntityId, sampleLogoutRequest, spSloUrl } from '../support/messages.js';

function issuesOf(fn: () => unknown): unknown[] {
  const error = expectCode(fn, 'SAML_INPUT_INVALID');
  return (error.details as { issues: { path: unknown[] }[] }).issues.map((issue) => issue.path);
}

const base = {
  issuer: idpEntityId,
  destination: spSloUrl,
  nameId: { value: 'alice@example.com' },
  id: '_request',
  issueInstant: fixedNow,
};

/** A LogoutRequest document with the given principal and trailing children. */
function requestDoc(children: string, attributes = ''): string {
  return (
    `<samlp:LogoutRequest xmlns:samlp="${namespaces.samlp}" xmlns:saml="${namespaces.saml}" ` +
    `ID="_parse" Version="2.0" IssueInstant="2026-04-20T10:00:00Z"${attributes}>` +
    `<saml:Issuer>https://sp.example.com</saml:Issuer>${children}</samlp:LogoutRequest>`
  );
}

describe('buildLogoutRequest', () => {
  it('builds the exact sample document', () => {
    const { id, xml } = sampleLogoutRequest();
    expect(id).toBe('_0123456789abcdef0123456789abcdef');
    expect(xml).toBe(
      `<samlp:LogoutRequest xmlns:samlp="${namespaces.samlp}" xmlns:saml="${namespaces.saml}" ` +
        'ID="_0123456789abcdef0123456789abcdef" Version="2.0" IssueInstant="2026-04-20T10:00:00Z" ' +
        `Destination="${spSloUrl}"><saml:Issuer>${idpEntityId}</saml:Issuer>` +
        `<saml:NameID Format="${nameIdFormats.emailAddress}">alice@example.com</saml:NameID>` +
        '<samlp:SessionIndex>_session-1</samlp:SessionIndex></samlp:LogoutRequest>',
    );
  });

  it('orders every attribute and child as the schema and authentik do', () => {
    const { xml } = buildLogoutRequest({
      ...base,
      nameId: {
        value: 'alice',
        format: nameIdFormats.persistent,
        nameQualifier: 'https://idp.example.com',
        spNameQualifier: 'https://sp.example.com',
        spProvidedId: 'sp-alice',
      },
      sessionIndex: ['_s1', '_s2'],
      notOnOrAfter: new Date('2026-04-20T10:05:00.900Z'),
      reason: logoutReasons.user,
    });
    const { root } = parseXml(xml);
    const names = (node: typeof root) =>
      Array.from({ length: node.attributes.length }, (_, i) => node.attributes[i]!.name).filter(
        (n) => !n.startsWith('xmlns'),
      );
    expect(names(root)).toEqual(['ID', 'Version', 'IssueInstant', 'Destination', 'NotOnOrAfter', 'Reason']);
    expect(root.getAttribute('NotOnOrAfter')).toBe('2026-04-20T10:05:00Z');
    const children = childElements(root);
    expect(children.map((c) => `${c.prefix}:${c.localName}`)).toEqual([
      'saml:Issuer',
      'saml:NameID',
      'samlp:SessionIndex',
      'samlp:SessionIndex',
    ]);
    expect(names(children[1]!)).toEqual(['NameQualifier', 'SPNameQualifier', 'Format', 'SPProvidedID']);
  });

  it('leaves out absent optional parts', () => {
    const { xml } = buildLogoutRequest(base);
    expect(xml).not.toMatch(/NotOnOrAfter|Reason|SessionIndex|Format=/);
  });

  it('generates an NCName ID from a CSPRNG and uses the clock, floored to seconds', () => {
    const { id, xml } = buildLogoutRequest({
      issuer: idpEntityId,
      destination: spSloUrl,
      nameId: { value: 'alice' },
      clock: () => new Date('2026-04-20T10:00:00.999Z'),
    });
    expect(id).toMatch(/^_[0-9a-f]{32}$/);
    expect(xml).toContain(`ID="${id}"`);
    expect(xml).toContain('IssueInstant="2026-04-20T10:00:00Z"');
    expect(buildLogoutRequest({ ...base, id: undefined }).id).not.toBe(id);
    expect(buildLogoutRequest({ ...base, id: undefined, generateId: () => '_custom' }).id).toBe('_custom');
  });

  it('round-trips through parseLogoutRequest', () => {
    const { xml } = buildLogoutRequest({
      ...base,
      nameId: { value: 'alice', format: nameIdFormats.transient, spNameQualifier: 'https://sp.example.com' },
      sessionIndex: ['_s1', '_s2'],
      notOnOrAfter: new Date('2026-04-20T10:05:00Z'),
      reason: logoutReasons.admin,
    });
    expect(parseLogoutRequest(xml)).toEqual({
      id: '_request',
      version: '2.0',
      issueInstant: '2026-04-20T10:00:00Z',
      destination: spSloUrl,
      issuer: { value: idpEntityId },
      notOnOrAfter: '2026-04-20T10:05:00Z',
      reason: logoutReasons.admin,
      nameId: { value: 'alice', format: nameIdFormats.transient, spNameQualifier: 'https://sp.example.com' },
      sessionIndexes: ['_s1', '_s2'],
    });
  });
});

describe('buildLogoutRequest input validation', () => {
  it('reports a missing or empty issuer', () => {
    expect(issuesOf(() => buildLogoutRequest({ ...base, issuer: undefined as unknown as string }))).toEqual([
      ['issuer'],
    ]);
    expect(issuesOf(() => buildLogoutRequest({ ...base, issuer: '' }))).toEqual([['issuer']]);
  });

  it.each([
    'not a url',
    'ftp://sp.example.com/slo',
    '/slo',
    'https://sp.example.com/slo#x',
    'javascript:alert(1)',
  ])('reports the bad destination %s', (destination) => {
    expect(issuesOf(() => buildLogoutRequest({ ...base, destination }))).toEqual([['destination']]);
  });

  it('reports an empty session index with its position', () => {
    expect(issuesOf(() => buildLogoutRequest({ ...base, sessionIndex: '' }))).toEqual([['sessionIndex', 0]]);
    expect(issuesOf(() => buildLogoutRequest({ ...base, sessionIndex: ['_ok', ''] }))).toEqual([
      ['sessionIndex', 1],
    ]);
  });

  it.each(['user', 'not a uri', 'urn:', ''])('reports the bad reason URI %j', (reason) => {
    expect(issuesOf(() => buildLogoutRequest({ ...base, reason }))).toEqual([['reason']]);
  });

  it('reports a missing NameID value', () => {
    expect(
      issuesOf(() => buildLogoutRequest({ ...base, nameId: undefined as unknown as { value: string } })),
    ).toEqual([['nameId', 'value']]);
    expect(issuesOf(() => buildLogoutRequest({ ...base, nameId: {} as { value: string } }))).toEqual([
      ['nameId', 'value'],
    ]);
  });

  it('reports an invalid NotOnOrAfter', () => {
    expect(issuesOf(() => buildLogoutRequest({ ...base, notOnOrAfter: new Date('nope') }))).toEqual([
      ['notOnOrAfter'],
    ]);
  });

  it('reports every problem at once', () => {
    expect(
      issuesOf(() =>
        buildLogoutRequest({ ...base, issuer: '', destination: 'x', sessionIndex: [''], reason: 'r' }),
      ),
    ).toEqual([['issuer'], ['destination'], ['sessionIndex', 0], ['reason']]);
  });

  it.each(['not an id', '1abc', `_a"/><x y="`, ''])('rejects the message ID %j', (id) => {
    expect(issuesOf(() => buildLogoutRequest({ ...base, id }))).toEqual([['id']]);
  });

  it('accepts an empty NameID value (transient principal, as authentik sends)', () => {
    const { xml } = buildLogoutRequest({ ...base, nameId: { value: '', format: nameIdFormats.transient } });
    expect(parseLogoutRequest(xml).nameId).toEqual({ value: '', format: nameIdFormats.transient });
  });
});

describe('parseLogoutRequest', () => {
  it('reads a NameID with its qualifiers', () => {
    const request = parseLogoutRequest(
      requestDoc(
        '<saml:NameID NameQualifier="nq" SPNameQualifier="spnq" Format="f" SPProvidedID="spid">alice</saml:NameID>',
      ),
    );
    expect(request.nameId).toEqual({
      value: 'alice',
      format: 'f',
      nameQualifier: 'nq',
      spNameQualifier: 'spnq',
      spProvidedId: 'spid',
    });
    expect(request.baseId).toBeUndefined();
    expect(request.encryptedId).toBeUndefined();
    expect(request.sessionIndexes).toEqual([]);
    expect(request).not.toHaveProperty('type');
  });

  it('reads a BaseID', () => {
    const request = parseLogoutRequest(
      requestDoc(
        '<saml:BaseID xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="x:T" xmlns:x="urn:x" ' +
          'NameQualifier="nq" SPNameQualifier="spnq"/>',
      ),
    );
    expect(request.baseId).toEqual({ nameQualifier: 'nq', spNameQualifier: 'spnq' });
    expect(request.nameId).toBeUndefined();
  });

  it('reads an EncryptedID as a marker', () => {
    const request = parseLogoutRequest(
      requestDoc(
        `<saml:EncryptedID><xenc:EncryptedData xmlns:xenc="${namespaces.xenc}"/></saml:EncryptedID>` +
          '<samlp:SessionIndex>_s1</samlp:SessionIndex>',
      ),
    );
    expect(request.encryptedId).toBe(true);
    expect(request.nameId).toBeUndefined();
    expect(request.sessionIndexes).toEqual(['_s1']);
  });

  it('rejects a request naming no principal', () => {
    expectCode(
      () => parseLogoutRequest(requestDoc('<samlp:SessionIndex>_s1</samlp:SessionIndex>')),
      'SAML_MESSAGE_INVALID',
    );
  });

  it('does not count a NameID nested deeper (direct children only)', () => {
    const nested = '<samlp:Extensions><saml:NameID>hidden</saml:NameID></samlp:Extensions>';
    expectCode(() => parseLogoutRequest(requestDoc(nested)), 'SAML_MESSAGE_INVALID');
  });

  it('rejects two NameIDs', () => {
    expectCode(
      () =>
        parseLogoutRequest(requestDoc('<saml:NameID>alice</saml:NameID><saml:NameID>admin</saml:NameID>')),
      'SAML_MESSAGE_INVALID',
    );
  });

  it('rejects a NameID together with an EncryptedID or BaseID', () => {
    expectCode(
      () => parseLogoutRequest(requestDoc('<saml:NameID>alice</saml:NameID><saml:EncryptedID/>')),
      'SAML_MESSAGE_INVALID',
    );
    expectCode(
      () => parseLogoutRequest(requestDoc('<saml:BaseID/><saml:NameID>alice</saml:NameID>')),
      'SAML_MESSAGE_INVALID',
    );
  });

  it('reads several SessionIndex values in order', () => {
    const request = parseLogoutRequest(
      requestDoc(
        '<saml:NameID>alice</saml:NameID><samlp:SessionIndex>_s1</samlp:SessionIndex>' +
          '<samlp:SessionIndex>_s2</samlp:SessionIndex><samlp:SessionIndex></samlp:SessionIndex>',
      ),
    );
    expect(request.sessionIndexes).toEqual(['_s1', '_s2', '']);
  });

  it('reads Reason and NotOnOrAfter', () => {
    const request = parseLogoutRequest(
      requestDoc(
        '<saml:NameID>alice</saml:NameID>',
        ` Reason="${logoutReasons.user}" NotOnOrAfter="2026-04-20T10:05:00Z"`,
      ),
    );
    expect(request.reason).toBe(logoutReasons.user);
    expect(request.notOnOrAfter).toBe('2026-04-20T10:05:00Z');
  });

  it('refuses mixed content in NameID and SessionIndex', () => {
    expectCode(
      () => parseLogoutRequest(requestDoc('<saml:NameID>al<!---->ice</saml:NameID>')),
      'SAML_XML_MIXED_CONTENT',
    );
    expectCode(
      () =>
        parseLogoutRequest(
          requestDoc(
            '<saml:NameID>alice</saml:NameID><samlp:SessionIndex>_s<![CDATA[1]]></samlp:SessionIndex>',
          ),
        ),
      'SAML_XML_MIXED_CONTENT',
    );
  });

  it('rejects another message type', () => {
    const response = buildLogoutResponse({ issuer: idpEntityId, id: '_r', issueInstant: fixedNow }).xml;
    expectCode(() => parseLogoutRequest(response), 'SAML_MESSAGE_TYPE_MISMATCH');
    expectCode(
      () => parseLogoutRequest('<LogoutRequest ID="_x" Version="2.0"/>'),
      'SAML_MESSAGE_TYPE_MISMATCH',
    );
  });

  it('rejects a broken header', () => {
    const doc = requestDoc('<saml:NameID>alice</saml:NameID>');
    expectCode(
      () => parseLogoutRequest(doc.replace('Version="2.0"', 'Version="1.1"')),
      'SAML_VERSION_MISMATCH',
    );
    expectCode(() => parseLogoutRequest(doc.replace(' ID="_parse"', '')), 'SAML_MESSAGE_INVALID');
    expectCode(
      () => parseLogoutRequest(doc.replace('2026-04-20T10:00:00Z', '2026-02-30T00:00:00Z')),
      'SAML_MESSAGE_INVALID',
    );
  });

  it('uses the strict parser', () => {
    expectCode(
      () => parseLogoutRequest(`<!DOCTYPE x>${requestDoc('<saml:NameID>a</saml:NameID>')}`),
      'SAML_XML_DTD_FORBIDDEN',
    );
    expectCode(() => parseLogoutRequest('not xml'), 'SAML_XML_MALFORMED');
  });
});

describe("authentik's static LogoutRequest vectors (test_logout_request_parser.py)", () => {
  // Public test vectors from authentik's SAML provider tests (an external SP's requests).
  const postVector =
    'PHNhbWxwOkxvZ291dFJlcXVlc3QgeG1sbnM6c2FtbD0idXJuOm9hc2lzOm5hbWVzOnRjOlNBTUw6Mi4wOmFzc2VydGlvb' +
    'iIgeG1sbnM6c2FtbHA9InVybjpvYXNpczpuYW1lczp0YzpTQU1MOjIuMDpwcm90b2NvbCIgSUQ9ImlkLWI4ZjRmZDUxZW' +
    'Q0MTA2ZjFlNzgyYjk1ZDUxZDlhZDNmMzg1ZTU4MTYiIFZlcnNpb249IjIuMCIgSXNzdWVJbnN0YW50PSIyMDIyLTAyLTI' +
    'xVDIyOjUwOjMzLjk5OVoiIERlc3RpbmF0aW9uPSJodHRwOi8vbG9jYWxob3N0OjkwMDAvYXBwbGljYXRpb24vc2FtbC90' +
    'ZXN0L3Nsby9wb3N0LyI+PHNhbWw6SXNzdWVyIEZvcm1hdD0idXJuOm9hc2lzOm5hbWVzOnRjOlNBTUw6Mi4wOm5hbWVpZ' +
    'C1mb3JtYXQ6ZW50aXR5Ij5zYW1sLXRlc3Qtc3A8L3NhbWw6SXNzdWVyPjxzYW1sOk5hbWVJRCBOYW1lUXVhbGlmaWVyPS' +
    'JzYW1sLXRlc3Qtc3AiIFNQTmFtZVF1YWxpZmllcj0ic2FtbC10ZXN0LXNwIiBGb3JtYXQ9InVybjpvYXNpczpuYW1lczp' +
    '0YzpTQU1MOjIuMDpuYW1laWQtZm9ybWF0OnRyYW5zaWVudCIvPjwvc2FtbHA6TG9nb3V0UmVxdWVzdD4=';
  const getVector =
    'lJLNauMwEMdfRejuSJbtEIvYsBAWDNlltyk99DaxJ41AllzNGNq3L3Z7CD0EehJo5vf/ENoTjH6yx/gSZ37A1xmJxdvo' +
    'A9ll0sg5BRuBHNkAI5Ll3p5+/Tlas9EWiDCxi0HeINN9ZkqRYx+9FN2hkW7IDEJ+1vllWxfbAvq6wmKAEvKq1PW5HnbY' +
    'V6aqy1KKJ0zkYmik2WgpOqIZu0AMgRtptDGZNpnJH01uC2PL7UbvzLMUByR2AXglr8yTVcrHHvw1Ettaa61gmrzr1xW1' +
    'VFCMxIp8VAkHl7BnJdv1pezqmsTvmEbg+02XGzdkl3XVYmDH77JdVLJFP6Npr240vwz+wojdQSzH/xm8uzhMjbylpDj9' +
    'uzv+eThOEMhhYKnaz1DfvkT7EQAA//8=';

  const expectShape = (request: ReturnType<typeof parseLogoutRequest>, id: string) => {
    expect(request.id).toBe(id);
    expect(request.issuer).toEqual({ value: 'saml-test-sp', format: nameIdFormats.entity });
    expect(request.nameId).toEqual({
      value: '',
      format: nameIdFormats.transient,
      nameQualifier: 'saml-test-sp',
      spNameQualifier: 'saml-test-sp',
    });
    expect(request.sessionIndexes).toEqual([]);
  };

  it('parses the POST vector with an empty transient NameID', () => {
    const xml = Buffer.from(postVector, 'base64').toString('utf8');
    expectShape(parseLogoutRequest(xml), 'id-b8f4fd51ed4106f1e782b95d51d9ad3f385e5816');
  });

  it('receives the unsigned POST vector only with requireSignature:false', () => {
    const clock = () => new Date('2022-02-21T22:50:34Z');
    expectCode(
      () => receivePost({ SAMLRequest: postVector }, { trust: [], clock }),
      'SAML_SIGNATURE_MISSING',
    );
    const received = receivePost({ SAMLRequest: postVector }, { trust: [], clock, requireSignature: false });
    expectShape(parseLogoutRequest(received.xml), 'id-b8f4fd51ed4106f1e782b95d51d9ad3f385e5816');
  });

  it('receives the unsigned Redirect vector with requireSignature:false', () => {
    const clock = () => new Date('2022-02-21T21:32:47Z');
    const received = receiveRedirect(`SAMLRequest=${encodeURIComponent(getVector)}`, {
      trust: [],
      clock,
      requireSignature: false,
      expect: {
        issuer: 'saml-test-sp',
        destination: 'http://localhost:9000/application/saml/test/slo/redirect/',
      },
    });
    expectShape(parseLogoutRequest(received.xml), 'id-2ea1b01f69363ac95e3da4a15409b9d8ec525944');
  });
});
