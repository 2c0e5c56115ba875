// XML parsing: DOCTYPEs, entities, forbidden characters, limits, malformed markup.

import type { CorpusContext } from '../context.js';
import { logoutRequest, ref, trySign } from '../shared.js';

export function addParsing({ postRequest, postCases }: CorpusContext): void {
  // ---- 4/6. Parsing (POST) ------------------------------------------------------------------
  const parsing = postCases({ messageType: 'LogoutRequest', attack: 'xml-parsing' });
  parsing(
    'doctype-internal-entity',
    {
      provenance:
        'XXE / entity substitution: an internal entity replaces the NameID (CWE-611; attacks reference §4 item 1)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    trySign(`<!DOCTYPE samlp:LogoutRequest [<!ENTITY n "victim">]>\n${logoutRequest({ nameId: '&n;' })}`),
  );
  parsing(
    'doctype-external-entity',
    {
      provenance: 'XXE: an external entity on a loopback URL (CWE-611; attacks reference §4 item 2)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    trySign(
      `<!DOCTYPE samlp:LogoutRequest [<!ENTITY n SYSTEM "http://127.0.0.1:9/x">]>\n${logoutRequest({ nameId: '&n;' })}`,
    ),
  );
  parsing(
    'doctype-billion-laughs',
    {
      provenance: 'Billion laughs entity expansion (CWE-776; attacks reference §4 item 3)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    trySign(
      `<!DOCTYPE samlp:LogoutRequest [<!ENTITY l0 "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')}]>\n${logoutRequest({ nameId: '&l9;' })}`,
    ),
  );
  parsing(
    'doctype-without-entities',
    {
      provenance:
        'A DOCTYPE with no entity at all, accepted silently by xmldom (attacks reference §4 item 4)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    trySign(`<!DOCTYPE samlp:LogoutRequest>\n${logoutRequest()}`),
  );
  parsing(
    'undefined-entity-reference',
    {
      provenance:
        'An entity reference with no declaration (xmldom keeps "&n;" as text; attacks reference §4)',
      expect: { code: 'SAML_XML_MALFORMED' },
    },
    trySign(logoutRequest({ nameId: '&n;' })),
  );
  parsing(
    'trailing-text-after-root',
    {
      provenance: 'Text after the root element (attacks reference §4 item 6)',
      expect: { code: 'SAML_XML_MALFORMED' },
    },
    `${postRequest}victim`,
  );
  parsing(
    'end-tag-with-junk',
    {
      provenance: `</saml:NameID foo> accepted by lenient parsers (${ref.xmldom}; attacks reference §4 item 7)`,
      expect: { code: 'SAML_XML_MALFORMED' },
    },
    postRequest.replace('alice</saml:NameID>', 'alice</saml:NameID foo>'),
  );
  parsing(
    'duplicate-attribute',
    {
      provenance: 'The Version attribute written twice (CVE-2021-21366; attacks reference §4 item 8)',
      expect: { code: 'SAML_XML_MALFORMED' },
    },
    postRequest.replace('Version="2.0"', 'Version="2.0" Version="2.0"'),
  );
  parsing(
    'undeclared-prefix',
    {
      provenance: 'An element with an undeclared namespace prefix (attacks reference §4 item 9)',
      expect: { code: 'SAML_XML_MALFORMED' },
    },
    postRequest.replace('<samlp:SessionIndex>', '<x:Data/><samlp:SessionIndex>'),
  );
  for (const [name, char] of [
    ['nul', '\u0000'],
    ['nel', '\u0085'],
    ['line-separator', '\u2028'],
    ['paragraph-separator', '\u2029'],
  ]) {
    parsing(
      `${name}-in-nameid`,
      {
        provenance: `${JSON.stringify(char)} inside NameID: xmldom 0.9 and 0.8 normalise it differently (attacks reference §4 item 10)`,
        expect: { code: 'SAML_XML_FORBIDDEN_CONTENT' },
      },
      trySign(logoutRequest({ nameId: `ali${char}ce` })),
    );
  }
  parsing(
    'line-separator-reference-in-nameid',
    {
      provenance:
        'U+2028 written as the character reference &#x2028; inside NameID (attacks reference §4 item 10)',
      expect: { code: 'SAML_XML_FORBIDDEN_CONTENT' },
    },
    trySign(logoutRequest({ nameId: 'ali&#x2028;ce' })),
  );
  parsing(
    'deep-nesting',
    {
      provenance: `1,000 nested elements in Extensions (${ref.xmldom}; attacks reference §4 item 11)`,
      expect: { code: 'SAML_XML_LIMIT_EXCEEDED' },
    },
    trySign(
      logoutRequest({
        extensions: `<x:a xmlns:x="urn:x">${'<x:a>'.repeat(1000)}${'</x:a>'.repeat(1000)}</x:a>`,
      }),
    ),
  );
  parsing(
    'deep-namespace-nesting',
    {
      provenance: `1,000 nested elements each declaring a new prefix: quadratic memory in xmldom (${ref.xmldom}; attacks reference §4 item 12)`,
      expect: { code: 'SAML_XML_LIMIT_EXCEEDED' },
    },
    trySign(
      logoutRequest({
        extensions:
          Array.from({ length: 1000 }, (_, i) => `<p${i}:a xmlns:p${i}="urn:p${i}">`).join('') +
          Array.from({ length: 1000 }, (_, i) => `</p${999 - i}:a>`).join(''),
      }),
    ),
  );
  parsing(
    'many-attributes',
    {
      provenance:
        'One element with 1,000 attributes: O(n²) de-duplication (GHSA-8344-3jmq-59r6; attacks reference §4 item 13)',
      expect: { code: 'SAML_XML_LIMIT_EXCEEDED' },
    },
    trySign(
      logoutRequest({
        extensions: `<x:a xmlns:x="urn:x"${Array.from({ length: 1000 }, (_, i) => ` a${i}="1"`).join('')}/>`,
      }),
    ),
  );
  parsing(
    'latin1-declaration-with-latin1-byte',
    {
      provenance: 'encoding="ISO-8859-1" and a 0xE9 byte in NameID (attacks reference §4 item 14, §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    Buffer.concat([
      Buffer.from(
        `<?xml version="1.0" encoding="ISO-8859-1"?>\n${postRequest.split('>alice<')[0]}>al`,
        'utf8',
      ),
      Buffer.from([0xe9]),
      Buffer.from(`<${postRequest.split('>alice<')[1]}`, 'utf8'),
    ]),
  );
  parsing(
    'latin1-declaration',
    {
      provenance:
        'A non-UTF-8 encoding declaration on ASCII content: the declaration is ignored by xmldom (attacks reference §4)',
      expect: { code: 'SAML_XML_FORBIDDEN_CONTENT' },
    },
    trySign(`<?xml version="1.0" encoding="ISO-8859-1"?>\n${logoutRequest()}`),
  );
  parsing(
    'utf16le-with-bom',
    {
      provenance:
        'The message in UTF-16LE with a BOM and an encoding declaration (attacks reference §4 item 15, §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>\n${postRequest}`, 'utf16le'),
    ]),
  );
  for (const [name, bytes, provenance] of [
    ['overlong-utf8', [0xc0, 0xaf], 'An overlong UTF-8 sequence (C0 AF) in NameID (attacks reference §6)'],
    ['cesu8-surrogate', [0xed, 0xa0, 0x80], 'A CESU-8 encoded surrogate in NameID (attacks reference §6)'],
    ['lone-ff-byte', [0xff], 'A lone 0xFF byte in NameID (attacks reference §6)'],
  ] as [string, number[], string][]) {
    const [head, tail] = postRequest.split('>alice<');
    parsing(
      name,
      { provenance, expect: { code: 'SAML_BINDING_DECODE_FAILED' } },
      Buffer.concat([Buffer.from(`${head}>al`, 'utf8'), Buffer.from(bytes), Buffer.from(`<${tail}`, 'utf8')]),
    );
  }
}
