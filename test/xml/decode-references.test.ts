/**
 * decodeReferences (src/xml/tokenize.ts): one charCodeAt pass. The String.replace with a
 * callback it replaced grew about 7× from 32 to 128 KB of dense references on V8.
 */
import { describe, expect, it } from 'vitest';
import { decodeReferences } from '../../src/xml/tokenize.js';
import { expectCode } from '../support/errors.js';
import { expectLinear } from '../support/growth.js';

describe('decodeReferences', () => {
  it('decodes character and predefined references', () => {
    expect(decodeReferences('a &lt;b&gt; &amp; &quot;c&apos; &#65;&#x42;&#x1F600;')).toBe(
      'a <b> & "c\' AB😀',
    );
    expect(decodeReferences('no references')).toBe('no references');
    expect(decodeReferences('&amp;')).toBe('&');
  });

  it.each([
    ['a bare ampersand', 'a & b'],
    ['an unterminated reference', '&amp'],
    ['an empty character reference', '&#;'],
    ['an undeclared entity', '&nbsp;'],
    ['a name with a digit', '&a1;'],
    ['a reference to a non-character', '&#0;'],
    ['a reference past U+10FFFF', '&#x110000;'],
    ['a huge reference', `&#${'9'.repeat(40)};`],
  ])('refuses %s', (_name, raw) => {
    expectCode(() => decodeReferences(raw), 'SAML_XML_MALFORMED');
  });

  it('grows linearly from 32 to 128 KB of dense references', async () => {
    const unit = '&amp;&#x41;&#66;x';
    await expectLinear((bytes) => {
      const raw = unit.repeat(Math.floor(bytes / unit.length));
      return () => decodeReferences(raw);
    }, 32 * 1024);
  });
});
