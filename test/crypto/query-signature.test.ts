/**
 * HTTP-Redirect query signatures (SAMLBind §3.4.4.1), checked independently
 * with node:crypto over the octets cut from the emitted URL, and with
 * node:zlib for the DEFLATE payload.
 */
import { createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  encodeRedirect,
  isSamlError,
  parseLogoutRequest,
  parseLogoutResponse,
  type ReceiveOptions,
  receiveRedirect,
  type SignatureAlgorithm,
  signatureAlgorithms,
} from '../../src/index.js';
import { certificate, certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import {
  fixedClock,
  idpEntityId,
  sampleLogoutRequest,
  sampleLogoutResponse,
  spSloUrl,
} from '../support/messages.js';

interface QueryCase {
  name: string;
  key: string;
  algorithm: SignatureAlgorithm;
  hash: string;
  /** r||s length for ECDSA, modulus length for RSA. */
  signatureBytes: number;
}

const cases: QueryCase[] = [
  {
    name: 'RSA-SHA256',
    key: 'idp',
    algorithm: signatureAlgorithms.rsaSha256,
    hash: 'sha256',
    signatureBytes: 256,
  },
  {
    name: 'RSA-SHA384',
    key: 'idp',
    algorithm: signatureAlgorithms.rsaSha384,
    hash: 'sha384',
    signatureBytes: 256,
  },
  {
    name: 'RSA-SHA512',
    key: 'idp',
    algorithm: signatureAlgorithms.rsaSha512,
    hash: 'sha512',
    signatureBytes: 256,
  },
  {
    name: 'ECDSA-SHA256 (P-256)',
    key: 'idp-ec-p-256',
    algorithm: signatureAlgorithms.ecdsaSha256,
    hash: 'sha256',
    signatureBytes: 64,
  },
  {
    name: 'ECDSA-SHA384 (P-384)',
    key: 'idp-ec-p-384',
    algorithm: signatureAlgorithms.ecdsaSha384,
    hash: 'sha384',
    signatureBytes: 96,
  },
  {
    name: 'ECDSA-SHA512 (P-521)',
    key: 'idp-ec-p-521',
    algorithm: signatureAlgorithms.ecdsaSha512,
    hash: 'sha512',
    signatureBytes: 132,
  },
];

/** Exercises every character class form-encoding treats specially, plus non-ASCII. */
const trickyRelayState = "a b!'()*~+%&=é€/?#;:,@$";

function options(trust: string, extra: Partial<ReceiveOptions> = {}): ReceiveOptions {
  return {
    trust: [certificate(trust)],
    clock: fixedClock,
    expect: { issuer: idpEntityId, destination: spSloUrl },
    ...extra,
  };
}

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    if (isSamlError(error)) return error.code;
    throw error;
  }
}

/** The raw query of a URL, split into raw `name=value` tokens, without any decoding. */
function rawParameters(url: string): { name: string; raw: string }[] {
  const query = url.slice(url.indexOf('?') + 1);
  return query.split('&').map((token) => {
    const eq = token.indexOf('=');
    return { name: token.slice(0, eq), raw: token.slice(eq + 1) };
  });
}

/** application/x-www-form-urlencoded decoding, written independently of samlkit. */
function formDecode(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

/**
 * The encoding samlkit promises (upper-case hex, space as `+`, only
 * `A-Za-z0-9-_.` left bare), derived here from encodeURIComponent, which
 * leaves `!'()*~` bare and writes space as `%20`.
 */
function expectedFormEncoding(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * Independent verification: the signed octets are the URL's own bytes from
 * `SAMLRequest=`/`SAMLResponse=` up to (excluding) `&Signature=`; the
 * signature is checked with node:crypto against the certificate's public key.
 */
function verifyIndependently(
  url: string,
  c: QueryCase,
): { octets: string; signature: Buffer; valid: boolean } {
  const query = url.slice(url.indexOf('?') + 1);
  const cut = query.lastIndexOf('&Signature=');
  const octets = query.slice(0, cut);
  const signature = Buffer.from(formDecode(query.slice(cut + '&Signature='.length)), 'base64');
  const publicKey = createPublicKey(certificatePem(c.key));
  const key = c.key === 'idp' ? publicKey : { key: publicKey, dsaEncoding: 'ieee-p1363' as const };
  return { octets, signature, valid: nodeVerify(c.hash, Buffer.from(octets, 'utf8'), key, signature) };
}

describe.each(cases)('HTTP-Redirect signature, $name', (c) => {
  const sign = { key: keyPair(c.key), algorithm: c.algorithm };

  it('LogoutRequest: receiveRedirect accepts, fields read back', () => {
    const { xml } = sampleLogoutRequest({ sessionIndex: ['_s1', '_s2'] });
    const url = encodeRedirect({ type: 'SAMLRequest', xml, destination: spSloUrl, relayState: 'rs', sign });
    const received = receiveRedirect(url, options(c.key));
    expect(received).toMatchObject({
      type: 'SAMLRequest',
      signed: true,
      algorithm: c.algorithm,
      relayState: 'rs',
    });
    expect(parseLogoutRequest(received.xml)).toMatchObject({ sessionIndexes: ['_s1', '_s2'] });
  });

  it('LogoutResponse: receiveRedirect accepts, fields read back', () => {
    const { xml } = sampleLogoutResponse({ status: { code: 'Requester', subCode: 'UnknownPrincipal' } });
    const url = encodeRedirect({ type: 'SAMLResponse', xml, destination: spSloUrl, sign });
    const received = receiveRedirect(url, options(c.key, { expect: { inResponseTo: '_request-1' } }));
    expect(received).toMatchObject({ type: 'SAMLResponse', signed: true, algorithm: c.algorithm });
    expect(received).not.toHaveProperty('relayState');
    expect(parseLogoutResponse(received.xml).status.subCode).toBe(
      'urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal',
    );
  });

  it('node:crypto verifies the signature over the exact octets of the URL', () => {
    const { xml } = sampleLogoutRequest();
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml,
      destination: spSloUrl,
      relayState: trickyRelayState,
      sign,
    });
    const { octets, signature, valid } = verifyIndependently(url, c);
    expect(valid).toBe(true);
    expect(octets).toMatch(/^SAMLRequest=[^&]+&RelayState=[^&]+&SigAlg=[^&]+$/);
    expect(signature.length).toBe(c.signatureBytes);
    if (c.key !== 'idp') {
      // XML-DSig / SAMLBind want r||s (ieee-p1363), not a DER SEQUENCE.
      const publicKey = createPublicKey(certificatePem(c.key));
      let derValid: boolean;
      try {
        derValid = nodeVerify(c.hash, Buffer.from(octets), { key: publicKey, dsaEncoding: 'der' }, signature);
      } catch {
        derValid = false;
      }
      expect(derValid).toBe(false);
    }
    // The payload is raw DEFLATE (no zlib header) of the message with an XML declaration.
    const samlRequest = rawParameters(url).find((p) => p.name === 'SAMLRequest')!;
    const inflated = inflateRawSync(Buffer.from(formDecode(samlRequest.raw), 'base64')).toString('utf8');
    expect(inflated).toBe(`<?xml version="1.0" encoding="UTF-8"?>${xml}`);
    expect(formDecode(rawParameters(url).find((p) => p.name === 'SigAlg')!.raw)).toBe(c.algorithm);
  });

  it('a tampered parameter or a foreign key fails in both samlkit and node:crypto', () => {
    const { xml } = sampleLogoutRequest();
    const url = encodeRedirect({ type: 'SAMLRequest', xml, destination: spSloUrl, relayState: 'rs', sign });
    const tampered = url.replace('RelayState=rs', 'RelayState=rt');
    expect(verifyIndependently(tampered, c).valid).toBe(false);
    expect(outcome(() => receiveRedirect(tampered, options(c.key)))).toBe('SAML_SIGNATURE_INVALID');
    const other = c.key === 'idp' ? 'sp-a' : 'sp-ec';
    expect(outcome(() => receiveRedirect(url, options(other)))).toBe('SAML_SIGNATURE_INVALID');
  });
});

describe('RelayState encoding in a signed redirect URL', () => {
  const relayStates = [
    'with space',
    "!'()*~",
    'a+b',
    '100%',
    'a&b=c',
    'é€',
    trickyRelayState,
    'https://sp-a.example.com/after?x=1&y=2',
  ];

  it.each(relayStates)('%j round-trips through receiveRedirect and URLSearchParams', (relayState) => {
    for (const key of ['idp', 'idp-ec-p-256']) {
      const url = encodeRedirect({
        type: 'SAMLRequest',
        xml: sampleLogoutRequest().xml,
        destination: spSloUrl,
        relayState,
        sign: { key: keyPair(key) },
      });
      const query = url.slice(url.indexOf('?') + 1);
      // Only unreserved characters, `%`, `+` and the separators: nothing a browser or proxy rewrites.
      expect(query).toMatch(/^[A-Za-z0-9\-_.%+&=]+$/);
      expect(query).not.toMatch(/%[0-9A-F]?[a-f]/); // upper-case hex only
      const params = rawParameters(url);
      expect(params.map((p) => p.name)).toEqual(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']);
      expect(params[1]!.raw).toBe(expectedFormEncoding(relayState));
      expect(new URLSearchParams(query).get('RelayState')).toBe(relayState);
      expect(receiveRedirect(url, options(key)).relayState).toBe(relayState);
    }
  });

  it('an unsigned redirect keeps the same order without SigAlg and Signature', () => {
    const url = encodeRedirect({
      type: 'SAMLResponse',
      xml: sampleLogoutResponse().xml,
      destination: spSloUrl,
      relayState: trickyRelayState,
    });
    expect(rawParameters(url).map((p) => p.name)).toEqual(['SAMLResponse', 'RelayState']);
    expect(url.slice(url.indexOf('?') + 1)).toMatch(/^[A-Za-z0-9\-_.%+&=]+$/);
  });

  it('the Signature value itself is form-encoded: base64 + / = become %2B %2F %3D', () => {
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml: sampleLogoutRequest().xml,
      destination: spSloUrl,
      sign: { key: keyPair('idp') },
    });
    const signature = rawParameters(url).at(-1)!;
    expect(signature.name).toBe('Signature');
    expect(signature.raw).toMatch(/^[A-Za-z0-9%]+$/);
    expect(signature.raw).toBe(expectedFormEncoding(formDecode(signature.raw)));
  });
});

describe('a redirect signed by another implementation (node:crypto + node:zlib) is accepted', () => {
  /** Builds the URL as a typical SP does: encodeURIComponent (leaves `!'()*~`), optional lower-case hex. */
  function foreignRedirect(c: QueryCase, relayState: string, lowerHex: boolean): string {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>${sampleLogoutRequest().xml}`;
    const encode = (value: string) => {
      const encoded = encodeURIComponent(value);
      return lowerHex ? encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()) : encoded;
    };
    const octets =
      `SAMLRequest=${encode(deflateRawSync(Buffer.from(xml)).toString('base64'))}` +
      `&RelayState=${encode(relayState)}&SigAlg=${encode(c.algorithm)}`;
    const key =
      c.key === 'idp'
        ? privateKeyPem(c.key)
        : { key: privateKeyPem(c.key), dsaEncoding: 'ieee-p1363' as const };
    const signature = nodeSign(c.hash, Buffer.from(octets), key).toString('base64');
    return `${spSloUrl}?${octets}&Signature=${encode(signature)}`;
  }

  it.each(cases)('$name, raw bytes verified as received', (c) => {
    for (const lowerHex of [false, true]) {
      const url = foreignRedirect(c, "back to /home (it's ~ok!)", lowerHex);
      const received = receiveRedirect(url, options(c.key));
      expect(received).toMatchObject({
        signed: true,
        algorithm: c.algorithm,
        relayState: "back to /home (it's ~ok!)",
      });
      expect(parseLogoutRequest(received.xml).id).toBe('_0123456789abcdef0123456789abcdef');
    }
  });
});

describe('SHA-1 query signatures', () => {
  const sha1 = { key: keyPair('idp'), algorithm: signatureAlgorithms.rsaSha1 };

  it('encodeRedirect refuses rsa-sha1 without unsafeAllowSha1', () => {
    expect(
      outcome(() =>
        encodeRedirect({
          type: 'SAMLRequest',
          xml: sampleLogoutRequest().xml,
          destination: spSloUrl,
          sign: sha1,
        }),
      ),
    ).toBe('SAML_ALGORITHM_FORBIDDEN');
  });

  it('receiveRedirect refuses rsa-sha1 unless the receive options say unsafeAllowSha1', () => {
    const url = encodeRedirect({
      type: 'SAMLRequest',
      xml: sampleLogoutRequest().xml,
      destination: spSloUrl,
      sign: { ...sha1, unsafeAllowSha1: true },
    });
    expect(
      verifyIndependently(url, {
        name: 'sha1',
        key: 'idp',
        algorithm: sha1.algorithm,
        hash: 'sha1',
        signatureBytes: 256,
      }).valid,
    ).toBe(true);
    expect(outcome(() => receiveRedirect(url, options('idp')))).toBe('SAML_ALGORITHM_FORBIDDEN');
    expect(receiveRedirect(url, options('idp', { unsafeAllowSha1: true })).algorithm).toBe(sha1.algorithm);
  });
});
