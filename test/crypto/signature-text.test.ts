/**
 * The ds:Signature is written two ways: as a tree (`signTree`, for messages that are
 * signed and then nested or serialized whole) and as text put into a builder's serialized
 * message (`signSerialized`, the HTTP-POST path), and its SignedInfo's canonical form is
 * written directly rather than canonicalized from a tree. These tests pin all of them to
 * the generic `serialize` and `canonicalize`, byte for byte.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type DigestAlgorithm,
  digestAlgorithms,
  type SignatureAlgorithm,
  signatureAlgorithms,
} from '../../src/constants/algorithms.js';
import { signSerialized, signTree } from '../../src/crypto/index.js';
import { buildLogoutRequestTree } from '../../src/logout/logout-request.js';
import { canonicalize, elementFromDom, parseXml, serialize, type XmlElement } from '../../src/xml/index.js';
import { certificatePem, keyPair, privateKeyPem } from '../support/keys.js';

const ds = 'http://www.w3.org/2000/09/xmldsig#';
const samlp = 'urn:oasis:names:tc:SAML:2.0:protocol';
const saml = 'urn:oasis:names:tc:SAML:2.0:assertion';

function child(node: XmlElement, localName: string): XmlElement {
  const found = node.children.find(
    (c): c is XmlElement => typeof c !== 'string' && c.localName === localName,
  );
  if (found === undefined) throw new Error(`no ${localName}`);
  return found;
}

function signatureOf(root: XmlElement): XmlElement {
  return child(root, 'Signature');
}

const built = (overrides: { issuer?: string; destination?: string } = {}) =>
  buildLogoutRequestTree({
    issuer: overrides.issuer ?? 'https://idp.example.com/metadata',
    destination: overrides.destination ?? 'https://sp.example.com/slo',
    nameId: { value: 'alice@example.com', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
    sessionIndex: ['_s1', '_s2'],
    id: '_abc',
    issueInstant: new Date('2026-01-02T03:04:05Z'),
  }).tree;

const parsed = (xml: string) => elementFromDom(parseXml(xml).root);

const rsa = keyPair('idp');
const rsaPrivate = createPrivateKey(privateKeyPem('idp'));
const hashOf: Record<SignatureAlgorithm, string> = {
  [signatureAlgorithms.rsaSha1]: 'sha1',
  [signatureAlgorithms.rsaSha256]: 'sha256',
  [signatureAlgorithms.rsaSha384]: 'sha384',
  [signatureAlgorithms.rsaSha512]: 'sha512',
  [signatureAlgorithms.ecdsaSha1]: 'sha1',
  [signatureAlgorithms.ecdsaSha256]: 'sha256',
  [signatureAlgorithms.ecdsaSha384]: 'sha384',
  [signatureAlgorithms.ecdsaSha512]: 'sha512',
  [signatureAlgorithms.dsaSha1]: 'sha1',
};
const rsaAlgorithms = [
  signatureAlgorithms.rsaSha1,
  signatureAlgorithms.rsaSha256,
  signatureAlgorithms.rsaSha384,
  signatureAlgorithms.rsaSha512,
];
const digests = Object.values(digestAlgorithms) as DigestAlgorithm[];

const roots: [string, () => XmlElement][] = [
  ['a built LogoutRequest', () => built()],
  [
    'markup-like characters in the Issuer, the Destination and the ID',
    () =>
      parsed(
        `<samlp:LogoutRequest xmlns:samlp="${samlp}" xmlns:saml="${saml}" ID="a&amp;b&lt;c&quot;d&gt;e" Destination="https://sp.example.com/slo?a=1&amp;b=&gt;&lt;/saml:Issuer&gt;">` +
          '<saml:Issuer>https://idp/?x=&gt;/saml:Issuer&gt;&amp;&lt;/saml:Issuer&gt;</saml:Issuer><saml:NameID>n</saml:NameID></samlp:LogoutRequest>',
      ),
  ],
  [
    'no Issuer',
    () =>
      parsed(
        `<samlp:LogoutRequest xmlns:samlp="${samlp}" ID="_x"><samlp:SessionIndex>s</samlp:SessionIndex></samlp:LogoutRequest>`,
      ),
  ],
  [
    'an Issuer that is not the first child',
    () =>
      parsed(
        `<samlp:LogoutRequest xmlns:samlp="${samlp}" xmlns:saml="${saml}" ID="_x"><samlp:Extensions><saml:Issuer>inner</saml:Issuer></samlp:Extensions><saml:Issuer>i</saml:Issuer></samlp:LogoutRequest>`,
      ),
  ],
  [
    'an Issuer holding an element',
    () =>
      parsed(
        `<samlp:LogoutRequest xmlns:samlp="${samlp}" xmlns:saml="${saml}" ID="_x"><saml:Issuer>i<saml:Issuer>j</saml:Issuer></saml:Issuer><saml:NameID>n</saml:NameID></samlp:LogoutRequest>`,
      ),
  ],
  [
    'an Issuer under another prefix',
    () =>
      parsed(
        `<p:LogoutRequest xmlns:p="${samlp}" xmlns:a="${saml}" ID="_x"><a:Issuer>i</a:Issuer><a:NameID>n</a:NameID></p:LogoutRequest>`,
      ),
  ],
];

describe('the signature written as text', () => {
  for (const [what, make] of roots) {
    it(`is the serialization of the signed tree, byte for byte: ${what}`, () => {
      for (const algorithm of rsaAlgorithms) {
        for (const digestAlgorithm of digests) {
          const root = make();
          const options = { key: rsa, algorithm, digestAlgorithm };
          const before = serialize(root);
          // RSA PKCS#1 v1.5 is deterministic: the two paths must agree on every byte.
          expect(signSerialized(root, before, options)).toBe(serialize(signTree(root, options)));
          expect(serialize(root)).toBe(before);
        }
      }
    });

    it(`signs the generic canonical form of its SignedInfo: ${what}`, () => {
      for (const algorithm of rsaAlgorithms) {
        const signature = signatureOf(signTree(make(), { key: rsa, algorithm }));
        const signedInfo = child(signature, 'SignedInfo');
        const value = child(signature, 'SignatureValue').children[0] as string;
        expect(
          nodeSign(hashOf[algorithm], Buffer.from(canonicalize(signedInfo)), rsaPrivate).toString('base64'),
        ).toBe(value);
      }
    });
  }

  it('agrees for ECDSA keys apart from the (randomized) signature value, which verifies', () => {
    for (const name of ['idp-ec-p-256', 'idp-ec-p-384']) {
      const key = keyPair(name);
      const publicKey = createPublicKey(certificatePem(name));
      for (const algorithm of [signatureAlgorithms.ecdsaSha256, signatureAlgorithms.ecdsaSha512]) {
        const root = built();
        const options = { key, algorithm };
        const text = signSerialized(root, serialize(root), options);
        const tree = serialize(signTree(root, options));
        const masked = (xml: string) => xml.replace(/<ds:SignatureValue>[^<]*</, '<ds:SignatureValue><');
        expect(masked(text)).toBe(masked(tree));
        const signature = signatureOf(parsed(text));
        const value = Buffer.from(child(signature, 'SignatureValue').children[0] as string, 'base64');
        const signedInfo = canonicalize(child(signature, 'SignedInfo'), {
          context: [{ prefix: 'ds', uri: ds }],
        });
        expect(
          nodeVerify(
            hashOf[algorithm],
            Buffer.from(signedInfo),
            { key: publicKey, dsaEncoding: 'ieee-p1363' },
            value,
          ),
        ).toBe(true);
      }
    }
  });
});
