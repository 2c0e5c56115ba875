import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formDecode,
  formEncode,
  formEncodeBase64,
  splitRawParameters,
} from '../../src/bindings/form-encoding.js';
import { expectCode } from '../support/errors.js';

describe('formEncode', () => {
  it('encodes space as +', () => {
    expect(formEncode(' ')).toBe('+');
    expect(formEncode('a b c')).toBe('a+b+c');
  });

  it("percent-encodes !'()*~ (nothing a proxy could normalise)", () => {
    expect(formEncode("!'()*~")).toBe('%21%27%28%29%2A%7E');
  });

  it('leaves only A-Z a-z 0-9 - _ . unencoded', () => {
    const unreserved = 'ABCXYZabcxyz0189-_.';
    expect(formEncode(unreserved)).toBe(unreserved);
    for (let code = 0x20; code < 0x7f; code++) {
      const char = String.fromCharCode(code);
      if (unreserved.includes(char) || /[A-Za-z0-9]/.test(char)) continue;
      expect(formEncode(char)).toMatch(code === 0x20 ? /^\+$/ : /^%[0-9A-F]{2}$/);
    }
  });

  it('uses upper-case hex', () => {
    expect(formEncode('/+=:?&#')).toBe('%2F%2B%3D%3A%3F%26%23');
    expect(formEncode('\u00ff')).toBe('%C3%BF');
  });

  it('encodes UTF-8 bytes', () => {
    expect(formEncode('caf\u00e9')).toBe('caf%C3%A9');
    expect(formEncode('\u20ac')).toBe('%E2%82%AC');
    expect(formEncode('😀')).toBe('%F0%9F%98%80');
  });

  it('encodes base64 and URIs the way SAML values need', () => {
    expect(formEncode('PHg+Lz4=')).toBe('PHg%2BLz4%3D');
    expect(formEncode('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')).toBe(
      'http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256',
    );
  });

  it('encodes control characters', () => {
    expect(formEncode('\r\n\u0000')).toBe('%0D%0A%00');
  });
});

describe('formDecode', () => {
  it('decodes + as space and %XX in either case', () => {
    expect(formDecode('a+b')).toBe('a b');
    expect(formDecode('%2f%2F%3a')).toBe('//:');
    expect(formDecode('%2B')).toBe('+');
    expect(formDecode('plain')).toBe('plain');
    expect(formDecode('')).toBe('');
  });

  it('decodes UTF-8 sequences', () => {
    expect(formDecode('caf%C3%A9')).toBe('caf\u00e9');
    expect(formDecode('%F0%9F%98%80')).toBe('😀');
  });

  it('keeps raw non-ASCII characters', () => {
    expect(formDecode('caf\u00e9+%21')).toBe('caf\u00e9 !');
  });

  it.each([
    ['%zz', '%zz'],
    ['a trailing %', 'abc%'],
    ['a % with one hex digit', 'abc%4'],
    ['a % with one hex digit then text', '%4g'],
    ['a sign in the hex', '%+1'],
    ['invalid UTF-8 (lone %FF)', '%FF'],
    ['invalid UTF-8 (overlong %C0%AF)', '%C0%AF'],
    ['invalid UTF-8 (truncated %E2%82)', '%E2%82'],
    ['a CESU-8 surrogate', '%ED%A0%80'],
  ])('rejects %s with SAML_BINDING_DECODE_FAILED', (_name, token) => {
    expectCode(() => formDecode(token), 'SAML_BINDING_DECODE_FAILED');
  });

  it('inverts formEncode for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        expect(formDecode(formEncode(value))).toBe(value);
      }),
    );
  });

  it('decodes what encodeURIComponent produces', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        expect(formDecode(encodeURIComponent(value))).toBe(value);
      }),
    );
  });
});

describe('formEncodeBase64', () => {
  it('writes what formEncode writes for any base64 value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const base64 = Buffer.from(bytes).toString('base64');
        expect(formEncodeBase64(base64)).toBe(formEncode(base64));
      }),
    );
    expect(formEncodeBase64('a+b/c==')).toBe('a%2Bb%2Fc%3D%3D');
  });
});

describe('splitRawParameters', () => {
  it('splits on & and on the first = only, keeping raw values', () => {
    expect(splitRawParameters('SAMLRequest=a%2Bb&RelayState=x=y&Signature=c+d')).toEqual([
      { name: 'SAMLRequest', rawValue: 'a%2Bb' },
      { name: 'RelayState', rawValue: 'x=y' },
      { name: 'Signature', rawValue: 'c+d' },
    ]);
  });

  it('skips empty tokens and keeps a name without =', () => {
    expect(splitRawParameters('&&a=1&&flag&b=')).toEqual([
      { name: 'a', rawValue: '1' },
      { name: 'flag', rawValue: '' },
      { name: 'b', rawValue: '' },
    ]);
  });

  it('keeps duplicates and order, and never decodes names', () => {
    expect(splitRawParameters('SAML%52equest=1&SAMLRequest=2&SAMLRequest=3').map((p) => p.name)).toEqual([
      'SAML%52equest',
      'SAMLRequest',
      'SAMLRequest',
    ]);
  });

  it('returns nothing for an empty query', () => {
    expect(splitRawParameters('')).toEqual([]);
  });
});
