import { buildLogoutRequest, buildLogoutResponse, nameIdFormats } from '../../src/index.js';

export const idpEntityId = 'https://idp.example.com/metadata';
export const idpSloUrl = 'https://idp.example.com/slo';
export const spEntityId = 'https://sp-a.example.com/metadata';
export const spSloUrl = 'https://sp-a.example.com/slo';
export const fixedNow = new Date('2026-04-20T10:00:00Z');
export const fixedClock = () => fixedNow;

export function sampleLogoutRequest(overrides: Partial<Parameters<typeof buildLogoutRequest>[0]> = {}) {
  return buildLogoutRequest({
    issuer: idpEntityId,
    destination: spSloUrl,
    nameId: { value: 'alice@example.com', format: nameIdFormats.emailAddress },
    sessionIndex: '_session-1',
    id: '_0123456789abcdef0123456789abcdef',
    issueInstant: fixedNow,
    ...overrides,
  });
}

export function sampleLogoutResponse(overrides: Partial<Parameters<typeof buildLogoutResponse>[0]> = {}) {
  return buildLogoutResponse({
    issuer: idpEntityId,
    destination: spSloUrl,
    inResponseTo: '_request-1',
    id: '_fedcba9876543210fedcba9876543210',
    issueInstant: fixedNow,
    ...overrides,
  });
}
