import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, decodeUtf8Strict, encodeBase64 } from '../../src/bindings/base64.js';
import { expectCode } from '../support/errors.js';

const xml = '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a"/>';
// Chosen so the base64 holds both '+' and '/' (bytes 0xFB 0xFF) and needs padding.
const bytes = Uint8Array.from([0x3c, 0xfb, 0xff, 0xbe, 0x3e]);

describe('encodeBase64', () => {
  it('encodes strings as UTF-8 and bytes as-is, with padding', () => {
    expect(encodeBase64('caf\u00e9')).toBe(Buffer.from('caf\u00e9', 'utf8').toString('base64'));
    expect(encodeBase64(bytes)).toBe('PPv/vj4=');
    expect(encodeBase64('')).toBe('');
  });
});

describe('decodeBase64Strict', () => {
  it('decodes canonical standard base64', () => {
    expect(Buffer.from(decodeBase64Strict('PPv/vj4=')).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(decodeBase64Strict(encodeBase64(xml))).toString('utf8')).toBe(xml);
    expect(Buffer.from(decodeBase64Strict('QQ==')).toString()).toBe('A');
    expect(Buffer.from(decodeBase64Strict('QUI=')).toString()).toBe('AB');
    expect(Buffer.from(decodeBase64Strict('QUJD')).toString()).toBe('ABC');
  });

  it('round-trips every length from 0 to 64 bytes', () => {
    for (let length = 1; length <= 64; length++) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      expect(Buffer.from(decodeBase64Strict(encodeBase64(data))).equals(Buffer.from(data))).toBe(true);
    }
  });

  const valid = encodeBase64(xml);
  const middle = Math.floor(valid.length / 2);

  it.each([
    ['one * inserted in the middle', `${valid.slice(0, middle)}*${valid.slice(middle)}`],
    ['the URL-safe alphabet', 'PPv_vj4='.replace('/', '_')],
    ['a URL-safe minus', '-Pv/vj4='],
    ['the padding removed', 'PPv/vj4'],
    ['one of two padding characters removed', 'QQ='],
    ['too much padding', 'QQ==='],
    ['= then PHg+ appended', `${valid.replace(/=+$/, '')}=PHg+`],
    ['padding in the middle', 'QQ==QQ=='],
    ['a space', 'PPv/ vj4='],
    ['a line feed', 'PPv/\nvj4='],
    ['a CR LF', 'PPv/\r\nvj4='],
    ['a trailing newline', 'PPv/vj4=\n'],
    ['a tab', '\tPPv/vj4='],
    ['a percent escape', 'PPv%2Fvj4='],
    ['a non-ASCII letter', 'PPv\u00e9vj4='],
    ['a length that is not a multiple of 4', 'PPv/v'],
    ['non-canonical trailing bits (QR== for QQ==)', 'QR=='],
    ['non-canonical trailing bits (QUJ= for QUI=)', 'QUJ='],
    ['the empty string', ''],
  ])('rejects %s', (_name, text) => {
    expectCode(() => decodeBase64Strict(text), 'SAML_BINDING_DECODE_FAILED');
  });

  it('handles 10 MB of A (attacks §6) without a stack overflow', () => {
    // 'A' x 10e6 is canonical base64 of 7.5e6 zero bytes; size limits belong to the bindings.
    // Whatever the outcome, it must be a value or a SamlError, never a RangeError from the regex.
    const started = performance.now();
    expect(decodeBase64Strict('A'.repeat(10_000_000)).length).toBe(7_500_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects 10 MB of A with one junk character as a decode failure, never a RangeError', () => {
    expectCode(() => decodeBase64Strict(`${'A'.repeat(10_000_000)}*`), 'SAML_BINDING_DECODE_FAILED');
  });
});

describe('decodeUtf8Strict', () => {
  it('decodes valid UTF-8, multibyte included', () => {
    expect(decodeUtf8Strict(Buffer.from('caf\u00e9 😀', 'utf8'))).toBe('caf\u00e9 😀');
  });

  it('drops one leading UTF-8 BOM, like the parser', () => {
    expect(decodeUtf8Strict(Uint8Array.from([0xef, 0xbb, 0xbf, 0x3c, 0x72, 0x2f, 0x3e]))).toBe('<r/>');
  });

  it.each([
    ['an overlong C0 AF', [0x3c, 0xc0, 0xaf, 0x3e]],
    ['a lone FF', [0x3c, 0xff, 0x3e]],
    ['a lone continuation byte', [0x80]],
    ['a truncated sequence', [0x3c, 0xe2, 0x82]],
    ['a CESU-8 encoded surrogate', [0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['Latin-1 é', [0x63, 0x61, 0x66, 0xe9]],
    ['a UTF-16LE BOM and text', [0xff, 0xfe, 0x3c, 0x00, 0x72, 0x00]],
  ])('rejects %s', (_name, data) => {
    const error = expectCode(() => decodeUtf8Strict(Uint8Array.from(data)), 'SAML_BINDING_DECODE_FAILED');
    expect(error.cause).toBeDefined();
  });
});
