/**
 * Regression tests for the hostile-input findings: each `describe` names the
 * defect it guards against; each failed on the code before its fix.
 */
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/xml/index.js';
import { expectCode } from '../support/errors.js';
import { growth } from '../support/growth.js';

describe('regression: quadratic CPU before any signature check (unterminated comments in the XML screen)', () => {
  const unterminated = (count: number) => `<a>&amp;${'<!--'.repeat(count)}</a>`;

  it('refuses `&amp;` followed by thousands of unterminated `<!--` as malformed', () => {
    expectCode(() => parseXml(unterminated(10_000)), 'SAML_XML_MALFORMED');
  });

  it('costs linear time: 4× the input costs at most 6× the time', async () => {
    const { ratio } = await growth((count) => {
      const xml = unterminated(count);
      return () => parseXml(xml);
    }, 4_000);
    expect(ratio).toBeLessThanOrEqual(6);
  });

  it('the same shape with unterminated CDATA sections is linear too', async () => {
    const { ratio } = await growth((count) => {
      const xml = `<a>&amp;${'<![CDATA['.repeat(count)}</a>`;
      return () => parseXml(xml);
    }, 3_000);
    expect(ratio).toBeLessThanOrEqual(6);
  });

  it('still reads references after comments and CDATA sections, and ignores `&` inside them', () => {
    expect(parseXml('<a><!-- & --><![CDATA[&]]>&amp;&#x41;</a>').root.textContent).toBe('&&A');
    expectCode(() => parseXml('<a><!-- ok -->&</a>'), 'SAML_XML_MALFORMED');
    expectCode(() => parseXml('<a><![CDATA[x]]>&#1;</a>'), 'SAML_XML_FORBIDDEN_CONTENT');
    expectCode(() => parseXml('<a>&#1;<!-- x --></a>'), 'SAML_XML_FORBIDDEN_CONTENT');
  });
});
