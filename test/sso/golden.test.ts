/**
 * Byte-exact golden files of buildResponse, with a fixed clock
 * (2026-04-20T10:00:00Z), fixed IDs and the fixture RSA key (PKCS#1 v1.5 is
 * deterministic; encryption is randomized and has no golden). Regenerate with
 * `npx vitest run test/sso/golden.test.ts -u` and review the diff.
 */
import { describe, expect, it } from 'vitest';
import { attributeNameFormats, authnContextClasses, nameIdFormats } from '../../src/index.js';
import { idpEntityId, sampleResponse, spEntityId, spProvider } from './support.js';

const golden = (file: string) => `../../fixtures/golden/sso/${file}`;

const assertion = {
  id: '_assertion-1',
  nameId: {
    value: '3f2c9a0b7d5e4c1f8a6b2d0e9c7f5a3b1d9e7c5a3f1b9d7e5c3a1f9b7d5e3c1a',
    format: nameIdFormats.persistent,
    nameQualifier: idpEntityId,
    spNameQualifier: spEntityId,
  },
  sessionIndex: '_session-1',
  authnInstant: new Date('2026-04-20T09:59:30Z'),
  authnContextClassRef: authnContextClasses.passwordProtectedTransport,
  attributes: [
    {
      name: 'urn:oid:0.9.2342.19200300.100.1.3',
      friendlyName: 'mail',
      nameFormat: attributeNameFormats.uri,
      values: 'alice@example.com',
    },
    { name: 'groups', values: ['admins', 'R&D <lab>'] },
  ],
};

describe('buildResponse golden files', () => {
  it('assertion signed', async () => {
    await expect(sampleResponse({ assertion }).xml).toMatchFileSnapshot(
      golden('response-assertion-signed.xml'),
    );
  });

  it('assertion and response signed', async () => {
    const provider = spProvider({ signResponse: true });
    await expect(sampleResponse({ provider, assertion }).xml).toMatchFileSnapshot(
      golden('response-both-signed.xml'),
    );
  });

  it('error Response (Requester/InvalidNameIDPolicy), signed', async () => {
    const xml = sampleResponse({
      status: {
        code: 'Requester',
        subCode: 'InvalidNameIDPolicy',
        message: 'NameIDPolicy asks for a format this IdP does not issue',
      },
      assertion: undefined,
    }).xml;
    await expect(xml).toMatchFileSnapshot(golden('response-error.xml'));
  });
});
