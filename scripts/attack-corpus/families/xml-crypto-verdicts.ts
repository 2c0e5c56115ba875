// xml-crypto's verdicts where the attack is on parsing or on SAML semantics, not on XML-DSig.

import type { CorpusContext } from '../context.js';
import type { AttackCorpusEntry } from '../types.js';

export function addXmlCryptoVerdicts({ cases, LR }: CorpusContext): void {
  // xml-crypto's verdicts where the attack is on parsing or on SAML semantics, not on XML-DSig:
  // recorded so the differential is visible (test/security/corpus.test.ts checks each one).
  const parserNote =
    'xml-crypto parses with its own @xmldom/xmldom 0.8 and no limits; the document is validly signed, so it verifies.';
  const parserVerdicts: Record<
    string,
    [NonNullable<AttackCorpusEntry['xmlCrypto']>['verdict'], string | undefined]
  > = {
    'soap/doctype': ['accepts', `${parserNote} The DOCTYPE is kept and "&n;" stays unexpanded text.`],
    'post/doctype-internal-entity': [
      'accepts',
      `${parserNote} The DOCTYPE is kept and "&n;" stays unexpanded text.`,
    ],
    'post/doctype-external-entity': ['accepts', `${parserNote} No entity is fetched or expanded.`],
    'post/doctype-billion-laughs': ['accepts', `${parserNote} No entity is expanded.`],
    'post/doctype-without-entities': ['accepts', `${parserNote} The DOCTYPE is accepted silently.`],
    'post/undefined-entity-reference': ['accepts', `${parserNote} "&n;" stays literal text.`],
    'post/trailing-text-after-root': ['accepts', `${parserNote} Text after the root is dropped.`],
    'post/end-tag-with-junk': ['rejects', undefined],
    'post/duplicate-attribute': ['rejects', undefined],
    'post/undeclared-prefix': ['rejects', undefined],
    'post/nul-in-nameid': ['accepts', `${parserNote} NUL is kept.`],
    'post/nel-in-nameid': ['accepts', `${parserNote} Both xmldom versions turn NEL into a line feed.`],
    'post/line-separator-in-nameid': [
      'accepts',
      `${parserNote} Both xmldom versions turn U+2028 into a line feed.`,
    ],
    'post/paragraph-separator-in-nameid': [
      'rejects',
      'xmldom 0.9 (the signer here) turns U+2029 into a line feed, xml-crypto’s xmldom 0.8 keeps it: the digests differ, the parser differential of attacks reference §4.',
    ],
    'post/line-separator-reference-in-nameid': ['accepts', `${parserNote} The reference becomes U+2028.`],
    'post/deep-nesting': ['accepts', `${parserNote} 1,000 levels pass.`],
    'post/deep-namespace-nesting': ['accepts', `${parserNote} 1,000 namespace scopes pass.`],
    'post/many-attributes': ['accepts', `${parserNote} 1,000 attributes pass.`],
    'post/latin1-declaration': ['accepts', `${parserNote} The encoding declaration is ignored.`],
  };
  for (const { entry } of cases) {
    const key = entry.id.slice(entry.id.indexOf('/') + 1);
    const parser = parserVerdicts[key];
    if (parser && entry.messageType === 'LogoutRequest') {
      entry.xmlCrypto = { verdict: parser[0], ...(parser[1] ? { note: parser[1] } : {}) };
    } else if (
      !entry.xmlCrypto &&
      (entry.format === 'xml' || entry.format === 'soap') &&
      ['message-semantics', 'relay-state'].includes(entry.attack ?? '') &&
      !['post/nameid-of-another-sp', 'post/id-not-ncname'].includes(key)
    ) {
      entry.xmlCrypto = {
        verdict: 'accepts',
        note: 'Validly signed by SP-A: this is a SAML message rule (time, Destination, Issuer, Version, replay, RelayState, status), outside XML-DSig.',
      };
    }
  }
  const idNote = cases.find((c) => c.entry.id === `${LR}/post/id-not-ncname`)!.entry;
  idNote.xmlCrypto = {
    verdict: 'rejects',
    note: 'xml-crypto refuses quotes in a Reference URI (its XPath-injection guard).',
  };
  const otherSp = cases.find((c) => c.entry.id === `${LR}/post/nameid-of-another-sp`)!.entry;
  otherSp.xmlCrypto = {
    verdict: 'rejects',
    note: 'Validly signed by SP-B; rejected here only because the strict verifier trusts SP-A’s certificate.',
  };
}
