import { describe, expect, it } from 'vitest';
import { namespaces } from '../../src/constants/namespaces.js';
import { statusCodes } from '../../src/constants/saml.js';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  parseLogoutResponse,
  type StatusInput,
} from '../../src/logout/index.js';
import { parseXml } from '../../src/xml/parse.js';
import { childElements } from '../../src/xml/select.js';
import { expectCode } from '../support/errors.js';
import { fixedNow, idpEntityId, sampleLogoutResponse, spSloUrl } from '../support/messages.js';

function issuesOf(fn: () => unknown): unknown[] {
  const error = expectCode(fn, 'SAML_INPUT_INVALID');
  return (error.details as { issues: { path: unknown[] }[] }).issues.map((issue) => issue.path);
}

const base = { issuer: idpEntityId, id: '_response', issueInstant: fixedNow };

/** A LogoutResponse document with the given Status markup (or none). */
function responseDoc(status: string, attributes = ' InResponseTo="_req"'): string {
  return (
    `<samlp:LogoutResponse xmlns:samlp="${namespaces.samlp}" xmlns:saml="${namespaces.saml}" ` +
    `ID="_parse" Version="2.0" IssueInstant="2026-04-20T10:00:00Z"${attributes}>` +
    `<saml:Issuer>https://sp.example.com</saml:Issuer>${status}</samlp:LogoutResponse>`
  );
}

const code = (value: string, nested = '') =>
  nested
    ? `<samlp:StatusCode Value="${value}">${nested}</samlp:StatusCode>`
    : `<samlp:StatusCode Value="${value}"/>`;
const status = (inner: string) => `<samlp:Status>${inner}</samlp:Status>`;

describe('buildLogoutResponse', () => {
  it('builds the exact sample document (authentik attribute order)', () => {
    const { id, xml } = sampleLogoutResponse();
    expect(id).toBe('_fedcba9876543210fedcba9876543210');
    expect(xml).toBe(
      `<samlp:LogoutResponse xmlns:samlp="${namespaces.samlp}" xmlns:saml="${namespaces.saml}" ` +
        'Version="2.0" IssueInstant="2026-04-20T10:00:00Z" ID="_fedcba9876543210fedcba9876543210" ' +
        `Destination="${spSloUrl}" InResponseTo="_request-1"><saml:Issuer>${idpEntityId}</saml:Issuer>` +
        `<samlp:Status><samlp:StatusCode Value="${statusCodes.Success}"/></samlp:Status></samlp:LogoutResponse>`,
    );
  });

  it('leaves out Destination and InResponseTo when not given', () => {
    const { xml } = buildLogoutResponse(base);
    expect(xml).not.toContain('Destination');
    expect(xml).not.toContain('InResponseTo');
    expect(parseLogoutResponse(xml)).toEqual({
      id: '_response',
      version: '2.0',
      issueInstant: '2026-04-20T10:00:00Z',
      issuer: { value: idpEntityId },
      status: { code: statusCodes.Success, success: true },
    });
  });

  it.each<[string, StatusInput, { code: string; subCode?: string; message?: string; success: boolean }]>([
    ['Success', { code: 'Success' }, { code: statusCodes.Success, success: true }],
    [
      'Responder / PartialLogout',
      { code: 'Responder', subCode: 'PartialLogout' },
      { code: statusCodes.Responder, subCode: statusCodes.PartialLogout, success: false },
    ],
    [
      'Requester / full URI with a message',
      { code: 'Requester', subCode: 'urn:example:status:custom', message: 'no <session> & "none"' },
      {
        code: statusCodes.Requester,
        subCode: 'urn:example:status:custom',
        message: 'no <session> & "none"',
        success: false,
      },
    ],
    ['VersionMismatch', { code: 'VersionMismatch' }, { code: statusCodes.VersionMismatch, success: false }],
  ])('builds and reads back the status %s', (_name, input, expected) => {
    const { xml } = buildLogoutResponse({ ...base, status: input });
    expect(parseLogoutResponse(xml).status).toEqual(expected);
  });

  it('nests the second-level code inside the top-level one, then StatusMessage', () => {
    const { xml } = buildLogoutResponse({
      ...base,
      status: { code: 'Responder', subCode: 'PartialLogout', message: 'm' },
    });
    const { root } = parseXml(xml);
    const statusNode = childElements(root)[1]!;
    expect(childElements(statusNode).map((c) => c.localName)).toEqual(['StatusCode', 'StatusMessage']);
    const top = childElements(statusNode)[0]!;
    expect(childElements(top).map((c) => c.getAttribute('Value'))).toEqual([statusCodes.PartialLogout]);
  });
});

describe('buildLogoutResponse input validation', () => {
  it('reports a missing issuer', () => {
    expect(issuesOf(() => buildLogoutResponse({ ...base, issuer: undefined as unknown as string }))).toEqual([
      ['issuer'],
    ]);
  });

  it('reports a bad destination', () => {
    expect(issuesOf(() => buildLogoutResponse({ ...base, destination: 'not a url' }))).toEqual([
      ['destination'],
    ]);
  });

  it.each([`_a"/><x y="`, 'has space', '1abc', '', 'x'.repeat(257)])(
    'reports inResponseTo %j that is not an NCName',
    (inResponseTo) => {
      expect(issuesOf(() => buildLogoutResponse({ ...base, inResponseTo }))).toEqual([['inResponseTo']]);
    },
  );

  it('reports a status code that is not top-level', () => {
    expect(
      issuesOf(() =>
        buildLogoutResponse({ ...base, status: { code: 'PartialLogout' as StatusInput['code'] } }),
      ),
    ).toEqual([['status', 'code']]);
    expect(
      issuesOf(() => buildLogoutResponse({ ...base, status: { code: 'Nope' as StatusInput['code'] } })),
    ).toEqual([['status', 'code']]);
  });

  it('reports a sub-code that is neither a known name nor a URI', () => {
    expect(
      issuesOf(() => buildLogoutResponse({ ...base, status: { code: 'Responder', subCode: 'not a uri' } })),
    ).toEqual([['status', 'subCode']]);
  });

  it('reports every problem at once', () => {
    expect(
      issuesOf(() =>
        buildLogoutResponse({
          ...base,
          issuer: '',
          destination: 'x',
          inResponseTo: 'a b',
          status: { code: 'Responder', subCode: '?' },
        }),
      ),
    ).toEqual([['issuer'], ['destination'], ['inResponseTo'], ['status', 'subCode']]);
  });
});

describe('parseLogoutResponse status variants', () => {
  it('reads Success', () => {
    expect(parseLogoutResponse(responseDoc(status(code(statusCodes.Success)))).status).toEqual({
      code: statusCodes.Success,
      success: true,
    });
  });

  it('reads a nested second-level code and a StatusMessage', () => {
    const parsed = parseLogoutResponse(
      responseDoc(
        status(
          code(statusCodes.Requester, code(statusCodes.RequestDenied)) +
            '<samlp:StatusMessage>denied</samlp:StatusMessage>',
        ),
      ),
    );
    expect(parsed.status).toEqual({
      code: statusCodes.Requester,
      subCode: statusCodes.RequestDenied,
      message: 'denied',
      success: false,
    });
    expect(parsed.inResponseTo).toBe('_req');
  });

  it('treats Success nested under a top-level Responder as a failure', () => {
    expect(
      parseLogoutResponse(responseDoc(status(code(statusCodes.Responder, code(statusCodes.Success))))).status,
    ).toEqual({
      code: statusCodes.Responder,
      subCode: statusCodes.Success,
      success: false,
    });
  });

  it('accepts a third-level code without reading it', () => {
    const nested = code(statusCodes.Responder, code(statusCodes.PartialLogout, code('urn:x:third')));
    expect(parseLogoutResponse(responseDoc(status(nested))).status.subCode).toBe(statusCodes.PartialLogout);
  });

  it('ignores StatusDetail', () => {
    const inner = `${code(statusCodes.Success)}<samlp:StatusDetail><x xmlns="urn:x">y</x></samlp:StatusDetail>`;
    expect(parseLogoutResponse(responseDoc(status(inner))).status.success).toBe(true);
  });

  it('rejects a missing Status with SAML_MESSAGE_INVALID', () => {
    expectCode(() => parseLogoutResponse(responseDoc('')), 'SAML_MESSAGE_INVALID');
  });

  it.each([
    ['a second-level code at the top', code(statusCodes.PartialLogout)],
    ['an unknown URI at the top', code('urn:example:status:Success')],
    ['a Success URI with different case', code(statusCodes.Success.toUpperCase())],
    ['a StatusCode without Value', '<samlp:StatusCode/>'],
  ])('rejects %s with SAML_MESSAGE_INVALID', (_name, inner) => {
    expectCode(() => parseLogoutResponse(responseDoc(status(inner))), 'SAML_MESSAGE_INVALID');
  });

  it('rejects a Status without StatusCode, or with two', () => {
    expectCode(() => parseLogoutResponse(responseDoc(status(''))), 'SAML_MESSAGE_INVALID');
    expectCode(
      () => parseLogoutResponse(responseDoc(status(code(statusCodes.Success) + code(statusCodes.Responder)))),
      'SAML_MESSAGE_INVALID',
    );
  });

  it('rejects two nested codes, and a nested code without Value', () => {
    const two = code(
      statusCodes.Responder,
      code(statusCodes.PartialLogout) + code(statusCodes.RequestDenied),
    );
    expectCode(() => parseLogoutResponse(responseDoc(status(two))), 'SAML_MESSAGE_INVALID');
    const noValue = code(statusCodes.Responder, '<samlp:StatusCode/>');
    expectCode(() => parseLogoutResponse(responseDoc(status(noValue))), 'SAML_MESSAGE_INVALID');
  });

  it('rejects two Status elements', () => {
    const statuses = status(code(statusCodes.Success)) + status(code(statusCodes.Responder));
    expectCode(() => parseLogoutResponse(responseDoc(statuses)), 'SAML_MESSAGE_INVALID');
  });

  it('does not look for StatusCode in the wrong namespace', () => {
    const wrong = `<samlp:Status><StatusCode xmlns="urn:x" Value="${statusCodes.Success}"/></samlp:Status>`;
    expectCode(() => parseLogoutResponse(responseDoc(wrong)), 'SAML_MESSAGE_INVALID');
  });

  it('refuses a StatusMessage split by a comment', () => {
    const inner = `${code(statusCodes.Success)}<samlp:StatusMessage>a<!---->b</samlp:StatusMessage>`;
    expectCode(() => parseLogoutResponse(responseDoc(status(inner))), 'SAML_XML_MIXED_CONTENT');
  });

  it('does not report NotOnOrAfter for a response', () => {
    const parsed = parseLogoutResponse(
      responseDoc(status(code(statusCodes.Success)), ' NotOnOrAfter="2026-04-20T10:05:00Z"'),
    );
    expect(parsed).not.toHaveProperty('notOnOrAfter');
    expect(parsed).not.toHaveProperty('type');
  });

  it('rejects a LogoutRequest with SAML_MESSAGE_TYPE_MISMATCH', () => {
    const request = buildLogoutRequest({
      issuer: idpEntityId,
      destination: spSloUrl,
      nameId: { value: 'alice' },
      id: '_req',
      issueInstant: fixedNow,
    }).xml;
    expectCode(() => parseLogoutResponse(request), 'SAML_MESSAGE_TYPE_MISMATCH');
  });

  it('rejects a broken header', () => {
    const doc = responseDoc(status(code(statusCodes.Success)));
    expectCode(
      () => parseLogoutResponse(doc.replace('Version="2.0"', 'Version="1.1"')),
      'SAML_VERSION_MISMATCH',
    );
    expectCode(
      () => parseLogoutResponse(doc.replace(' IssueInstant="2026-04-20T10:00:00Z"', '')),
      'SAML_MESSAGE_INVALID',
    );
  });
});
