// Text-node splitting: the signature covers the whole value, the attacker splits it after signing.

import type { CorpusContext } from '../context.js';
import type { LogoutRequestOptions } from '../shared.js';
import { logoutRequest, logoutResponse, redirectQuery, ref, sign, world } from '../shared.js';

export function addTextSplitting({ attack, LR, LRS, both }: CorpusContext): void {
  // ---- 2. Text-node splitting (POST and Redirect) ------------------------------------------
  // The signature covers the whole value; the attacker splits it after signing (attacks §2).
  const splitters: Record<'comment' | 'cdata' | 'pi', (a: string, b: string) => string> = {
    comment: (a, b) => `${a}<!---->${b}`,
    cdata: (a, b) => `${a}<![CDATA[${b}]]>`,
    pi: (a, b) => `${a}<?pi?>${b}`,
  };
  const splitTargets: [string, (v: string) => LogoutRequestOptions, string, string][] = [
    ['nameid', (v) => ({ nameId: v }), 'alice@example.com', '.evil.net'],
    ['sessionindex', (v) => ({ sessionIndex: v }), '_s1', '.evil'],
    [
      'issuer',
      (v) => ({ issuer: `<saml:Issuer>${v}</saml:Issuer>` }),
      'https://sp-a.example.com',
      '/metadata',
    ],
  ];
  for (const [kind, split] of Object.entries(splitters)) {
    for (const [field, build, head, tail] of splitTargets) {
      const signed = sign(logoutRequest(build(head + tail)));
      attack(
        {
          id: `${LR}/post/${kind}-in-${field}`,
          messageType: 'LogoutRequest',
          binding: 'post',
          format: 'xml',
          attack: 'text-node-splitting',
          via: both,
          provenance: `${{ comment: 'A comment', cdata: 'A CDATA section', pi: 'A processing instruction' }[kind]} splitting the signed ${field} text after signing (${ref.duo}; attacks reference §2)`,
          expect: { code: kind === 'pi' ? 'SAML_XML_FORBIDDEN_CONTENT' : 'SAML_XML_MIXED_CONTENT' },
          xmlCrypto:
            kind === 'pi'
              ? {
                  verdict: 'rejects',
                  note: 'Exclusive C14N keeps processing instructions, so the digest no longer matches.',
                }
              : {
                  verdict: 'accepts',
                  note: 'Exclusive C14N drops comments and turns CDATA into text, so the signature verifies; a reader of the first text node would see a truncated value.',
                },
        },
        signed.replace(`>${head + tail}<`, `>${split(head, tail)}<`),
      );
    }
  }
  for (const kind of ['comment', 'cdata'] as const) {
    const injected = splitters[kind]('alice@example.com', '.evil.net');
    attack(
      {
        id: `${LR}/redirect/${kind}-in-nameid`,
        messageType: 'LogoutRequest',
        binding: 'redirect',
        format: 'query',
        attack: 'text-node-splitting',
        via: both,
        provenance: `${kind === 'cdata' ? 'CDATA section' : 'Comment'} splitting NameID in a signed HTTP-Redirect message (${ref.duo}; attacks reference §2)`,
        expect: { code: 'SAML_XML_MIXED_CONTENT' },
      },
      redirectQuery({ xml: logoutRequest({ binding: 'redirect', nameId: injected }), relayState: 'rs1' }),
    );
  }
  attack(
    {
      id: `${LRS}/post/comment-in-statusmessage`,
      messageType: 'LogoutResponse',
      binding: 'post',
      format: 'xml',
      relayState: world.pending.relayState,
      attack: 'text-node-splitting',
      via: both,
      provenance: `Comment splitting the signed StatusMessage of a LogoutResponse (${ref.duo}; attacks reference §2)`,
      expect: { code: 'SAML_XML_MIXED_CONTENT' },
      xmlCrypto: { verdict: 'accepts', note: 'Exclusive C14N drops the comment; the signature verifies.' },
    },
    sign(logoutResponse({ statusMessage: 'logged out' })).replace('>logged out<', '>logged<!----> out<'),
  );
}
