/**
 * A receive* result carries the parse of its verified bytes to parse*, in the
 * result object only: invisible to spreads, JSON and logs, and never used once
 * the result's `xml` is no longer the text it was made of.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  encodePost,
  encodeRedirect,
  encodeSoap,
  nameIdFormats,
  parseLogoutRequest,
  type Received,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from '../../src/index.js';
import { certificate, keyPair } from '../support/keys.js';

const destination = 'https://idp.carried.test/slo';
const request = (value: string) =>
  buildLogoutRequest({
    issuer: 'https://sp.carried.test/metadata',
    destination,
    nameId: { value, format: nameIdFormats.persistent },
    sessionIndex: '_s1',
  }).xml;
const trust = { trust: [certificate('sp-a')] };
const sign = { key: keyPair('sp-a') };

const received: [string, (xml: string) => Received][] = [
  [
    'HTTP-Redirect',
    (xml) => receiveRedirect(encodeRedirect({ type: 'SAMLRequest', xml, destination, sign }), trust),
  ],
  [
    'HTTP-POST',
    (xml) => receivePost(encodePost({ type: 'SAMLRequest', xml, destination, sign }).fields, trust),
  ],
  ['SOAP', (xml) => receiveSoap(encodeSoap(xml, { sign }), trust)],
  [
    'HTTP-POST unsigned (opt-out)',
    (xml) =>
      receivePost(encodePost({ type: 'SAMLRequest', xml, destination }).fields, {
        ...trust,
        requireSignature: false,
      }),
  ],
];

describe.each(received)('%s result', (_binding, receive) => {
  it('reads the same fields from the result as from its xml', () => {
    const result = receive(request('alice'));
    expect(parseLogoutRequest(result)).toEqual(parseLogoutRequest(result.xml));
    expect(parseLogoutRequest(result).nameId?.value).toBe('alice');
  });

  it('keeps the parse out of sight: keys, JSON, spreads and logs show plain data', () => {
    const result = receive(request('alice'));
    expect(Object.keys(result)).not.toContain('parsed');
    expect(Reflect.ownKeys(result).filter((key) => typeof key === 'symbol')).toHaveLength(1);
    expect(Object.getOwnPropertySymbols({ ...result })).toEqual([]);
    expect(JSON.stringify(result)).not.toContain('documentElement');
    expect(inspect(result, { depth: 4 })).not.toMatch(/Symbol\(samlkit/);
  });

  it('reads the new text when the result’s xml was replaced, never the carried parse', () => {
    const alice = receive(request('alice'));
    const bob = receive(request('bob'));
    expect(parseLogoutRequest({ ...alice, xml: bob.xml }).nameId?.value).toBe('bob');
    const changed = receive(request('alice'));
    changed.xml = bob.xml;
    expect(parseLogoutRequest(changed).nameId?.value).toBe('bob');
  });
});

describe('parse* input', () => {
  it('is misuse, a TypeError, when it is neither a string nor a result with xml', () => {
    expect(() => parseLogoutRequest({} as Received)).toThrow(TypeError);
    expect(() => parseLogoutRequest(null as unknown as string)).toThrow(TypeError);
  });
});
