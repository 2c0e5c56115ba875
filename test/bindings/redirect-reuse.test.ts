/**
 * The receive step of a request reuses what inspecting it decoded only for exactly the same
 * encoded message parameter: a different parameter (a query changed between the two steps) is
 * decoded afresh, and so is one received with allowUncompressed.
 */
import { describe, expect, it } from 'vitest';
import { encodeRedirect, inspectMessage, type ReceiveRedirectOptions } from '../../src/bindings/index.js';
import { takeEarlierParse } from '../../src/bindings/inspect.js';
import { receiveRedirectReusing } from '../../src/bindings/redirect.js';
import { buildLogoutRequest } from '../../src/logout/index.js';
import { certificate, keyPair } from '../support/keys.js';
import { fixedClock, fixedNow, idpSloUrl, spEntityId } from '../support/messages.js';

const options = (extra: Partial<ReceiveRedirectOptions> = {}): ReceiveRedirectOptions => ({
  trust: [certificate('sp-a')],
  clock: fixedClock,
  ...extra,
});

function signedQuery(sessionIndex: string): string {
  const url = encodeRedirect({
    type: 'SAMLRequest',
    xml: buildLogoutRequest({
      issuer: spEntityId,
      destination: idpSloUrl,
      nameId: { value: 'alice@example.com' },
      sessionIndex,
      id: `_reuse-${sessionIndex}`,
      issueInstant: fixedNow,
    }),
    destination: idpSloUrl,
    sign: { key: keyPair('sp-a') },
  });
  return url.slice(url.indexOf('?') + 1);
}

const sessionIndexOf = (xml: string) => /<samlp:SessionIndex>([^<]*)</.exec(xml)?.[1];

describe('HTTP-Redirect receive after inspection', () => {
  it('gives, for the same encoded parameter, what a fresh receive gives', () => {
    const query = signedQuery('_first');
    const earlier = takeEarlierParse(inspectMessage({ method: 'GET', query }));
    expect(earlier?.encodedMessage).toBeDefined();
    const reused = receiveRedirectReusing(query, options(), earlier);
    const fresh = receiveRedirectReusing(query, options(), undefined);
    expect(reused.xml).toBe(fresh.xml);
    expect(reused.header).toEqual(fresh.header);
    expect(sessionIndexOf(reused.xml)).toBe('_first');
  });

  it('decodes afresh when the query changed between inspection and receive', () => {
    const earlier = takeEarlierParse(inspectMessage({ method: 'GET', query: signedQuery('_inspected') }));
    const received = receiveRedirectReusing(signedQuery('_received'), options(), earlier);
    expect(sessionIndexOf(received.xml)).toBe('_received');
    expect(received.header.id).toBe('_reuse-_received');
  });

  it('decodes afresh under allowUncompressed, which inspection does not use', () => {
    const query = signedQuery('_first');
    const earlier = takeEarlierParse(inspectMessage({ method: 'GET', query }));
    // A forged earlier text for the same parameter must not be taken when the rules differ.
    const forged = earlier && { ...earlier, xml: earlier.xml.replace('_first', '_forged') };
    const received = receiveRedirectReusing(query, options({ allowUncompressed: true }), forged);
    expect(sessionIndexOf(received.xml)).toBe('_first');
  });

  it('decodes afresh under another size limit', () => {
    const query = signedQuery('_first');
    const earlier = takeEarlierParse(inspectMessage({ method: 'GET', query }));
    const forged = earlier && { ...earlier, xml: earlier.xml.replace('_first', '_forged') };
    const received = receiveRedirectReusing(query, options({ maxBytes: 100_000 }), forged);
    expect(sessionIndexOf(received.xml)).toBe('_first');
  });
});
