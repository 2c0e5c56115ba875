/**
 * ADR 0017 reads fields from the verified element, not from a parse of its canonical bytes. The
 * one part of that element exclusive C14N leaves out without a `<!` in the text is a namespace
 * declaration nothing visibly uses: it is not digested, so it can be changed after signing and
 * the signature still verifies. Such a change must not reach any result.
 */
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, encodeBase64 } from '../../src/bindings/base64.js';
import { encodePost, encodeSoap, receivePost, receiveSoap } from '../../src/bindings/index.js';
import { buildLogoutRequest, parseLogoutRequest } from '../../src/logout/index.js';
import { certificate, keyPair } from '../support/keys.js';
import { fixedClock, fixedNow, idpSloUrl, spEntityId } from '../support/messages.js';

const receiveOptions = {
  trust: [certificate('sp-a')],
  clock: fixedClock,
  expect: { issuer: spEntityId, destination: idpSloUrl },
};
const sign = { key: keyPair('sp-a') };

/** A LogoutRequest whose root declares prefixes it never uses (so C14N leaves them out). */
function withUnusedDeclarations(): string {
  const { xml } = buildLogoutRequest({
    issuer: spEntityId,
    destination: idpSloUrl,
    nameId: { value: 'alice@example.com' },
    sessionIndex: '_s1',
    id: '_signed',
    issueInstant: fixedNow,
  });
  return xml.replace(
    '<samlp:LogoutRequest ',
    '<samlp:LogoutRequest xmlns:x="urn:signed" xmlns:s2="urn:signed:2" ',
  );
}

const tamper = (xml: string) =>
  xml
    .replace('xmlns:x="urn:signed"', 'xmlns:x="urn:tampered"')
    .replace('xmlns:s2="urn:signed:2"', 'xmlns:s2="urn:oasis:names:tc:SAML:2.0:assertion"');

describe('an undigested namespace declaration changed after signing', () => {
  it('POST: verifies, and neither the result nor received.xml shows the change', () => {
    const signed = Buffer.from(
      decodeBase64Strict(
        encodePost({ type: 'SAMLRequest', xml: withUnusedDeclarations(), destination: idpSloUrl, sign })
          .fields.SAMLRequest!,
      ),
    ).toString('utf8');
    expect(signed).toContain('xmlns:x="urn:signed"');
    const tampered = tamper(signed);
    expect(tampered).not.toBe(signed);
    const received = receivePost({ SAMLRequest: encodeBase64(tampered) }, receiveOptions);
    expect(received.xml).not.toMatch(/urn:tampered|urn:signed|xmlns:s2/);
    const fromResult = parseLogoutRequest(received);
    expect(fromResult).toEqual(parseLogoutRequest(received.xml));
    expect(fromResult.nameId?.value).toBe('alice@example.com');
  });

  it('SOAP: the same', () => {
    const signed = encodeSoap(withUnusedDeclarations(), { sign });
    expect(signed).toContain('xmlns:x="urn:signed"');
    const tampered = tamper(signed);
    expect(tampered).not.toBe(signed);
    const received = receiveSoap(tampered, receiveOptions);
    expect(received.xml).not.toMatch(/urn:tampered|urn:signed|xmlns:s2/);
    expect(parseLogoutRequest(received)).toEqual(parseLogoutRequest(received.xml));
  });
});
