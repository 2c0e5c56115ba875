// SAML message semantics: time, Destination, Issuer, Version, IDs, NameIDs, replay, RelayState.

import type { CorpusContext } from '../context.js';
import { enc, logoutRequest, ns, persistent, redirectQuery, SP_A, SP_B, sign, world } from '../shared.js';

export function addMessageSemantics({ LR, postRequest, redirect, rq, postCases }: CorpusContext): void {
  // ---- 8. Message semantics -------------------------------------------------------------------
  const semantic = postCases({ messageType: 'LogoutRequest', attack: 'message-semantics' });
  semantic(
    'replay',
    {
      provenance:
        'The valid signed message sent a second time (SAMLCore §1.3.4; attacks reference §8 replay)',
      expect: { code: 'SAML_REPLAY_DETECTED' },
      via: ['idp'],
      idp: { precededBy: `${LR}/post/control-signed` },
    },
    postRequest,
  );
  semantic(
    'replay-resigned-new-instant',
    {
      provenance: 'The same ID re-signed with a later IssueInstant (attacks reference §8 replay)',
      expect: { code: 'SAML_REPLAY_DETECTED' },
      via: ['idp'],
      idp: { precededBy: `${LR}/post/control-signed` },
    },
    sign(logoutRequest({ attrs: { IssueInstant: '2026-04-20T10:00:30Z' } })),
  );
  redirect(
    'replay',
    {
      attack: 'message-semantics',
      provenance:
        'The valid signed HTTP-Redirect message sent a second time (SAMLCore §1.3.4; attacks reference §8 replay)',
      expect: { code: 'SAML_REPLAY_DETECTED' },
      via: ['idp'],
      idp: { precededBy: `${LR}/redirect/control-signed` },
    },
    rq(),
  );
  for (const [name, instant, code] of [
    ['far-future', '2999-01-01T00:00:00Z', 'SAML_MESSAGE_EXPIRED'],
    ['epoch', '1970-01-01T00:00:00Z', 'SAML_MESSAGE_EXPIRED'],
    ['one-hour-ahead', '2026-04-20T11:00:00Z', 'SAML_MESSAGE_EXPIRED'],
    ['one-hour-old', '2026-04-20T09:00:00Z', 'SAML_MESSAGE_EXPIRED'],
    ['just-past-skew', '2026-04-20T10:03:01Z', 'SAML_MESSAGE_EXPIRED'],
    ['not-a-date', 'not-a-date', 'SAML_MESSAGE_INVALID'],
    ['february-30', '2026-02-30T00:00:00Z', 'SAML_MESSAGE_INVALID'],
    ['no-zone', '2026-04-20T10:00:00', 'SAML_MESSAGE_INVALID'],
    ['offset-zone', '2026-04-20T11:00:00+01:00', 'SAML_MESSAGE_INVALID'],
    ['year-zero', '0000-01-01T00:00:00Z', 'SAML_MESSAGE_INVALID'],
    ['signed-year', '+2026-04-20T10:00:00Z', 'SAML_MESSAGE_INVALID'],
    ['30-digit-fraction', `2026-04-20T10:00:00.${'1'.repeat(30)}Z`, 'SAML_MESSAGE_INVALID'],
  ]) {
    semantic(
      `issueinstant-${name}`,
      {
        provenance: `IssueInstant ${instant} (SAMLCore §1.3.3; attacks reference §8 IssueInstant recipe)`,
        expect: { code },
      },
      sign(logoutRequest({ attrs: { IssueInstant: instant } })),
    );
  }
  semantic(
    'notonorafter-passed',
    {
      provenance:
        'NotOnOrAfter 10 minutes in the past, IssueInstant recent (SAMLCore §3.7.1; attacks reference §8)',
      expect: { code: 'SAML_MESSAGE_EXPIRED' },
    },
    sign(
      logoutRequest({
        attrs: { IssueInstant: '2026-04-20T09:49:00Z', NotOnOrAfter: '2026-04-20T09:50:00Z' },
      }),
    ),
  );
  for (const [name, destination] of [
    ['missing', undefined],
    ['other-idp', 'https://idp.other.example/slo/post'],
    ['uppercase-host', 'https://IDP.example.com/slo/post'],
    ['trailing-slash', 'https://idp.example.com/slo/post/'],
    ['extra-query', 'https://idp.example.com/slo/post?x=1'],
    ['http-scheme', 'http://idp.example.com/slo/post'],
    ['redirect-endpoint', world.endpoints.redirect],
  ]) {
    semantic(
      `destination-${name}`,
      {
        provenance: `Destination ${destination ?? 'removed'} on a signed message (SAMLBind §3.5.5.2; attacks reference §8 Destination recipe)`,
        expect: { code: 'SAML_DESTINATION_MISMATCH' },
      },
      sign(logoutRequest({ attrs: { Destination: destination } })),
    );
  }
  for (const [name, issuer, code, idpCode, provenance] of [
    [
      'unknown',
      `<saml:Issuer>https://unknown.example.com/metadata</saml:Issuer>`,
      'SAML_ISSUER_MISMATCH',
      'SAML_ISSUER_UNKNOWN',
      'An Issuer naming no registered SP (attacks reference §8 issuer recipe e)',
    ],
    [
      'missing',
      null,
      'SAML_ISSUER_MISMATCH',
      'SAML_ISSUER_UNKNOWN',
      'Issuer removed (SAMLProf §4.4.4.1; attacks reference §8 issuer recipe b)',
    ],
    [
      'persistent-format',
      `<saml:Issuer Format="${persistent}">${SP_A}</saml:Issuer>`,
      'SAML_ISSUER_MISMATCH',
      'SAML_ISSUER_MISMATCH',
      'Issuer with a persistent Format (SAMLProf §4.4.4.1; attacks reference §8 issuer recipe c)',
    ],
    [
      'twice',
      `<saml:Issuer>${SP_A}</saml:Issuer><saml:Issuer>${SP_B}</saml:Issuer>`,
      'SAML_MESSAGE_INVALID',
      'SAML_MESSAGE_INVALID',
      'Two Issuer elements (attacks reference §8 issuer recipe d)',
    ],
    [
      'trailing-space',
      `<saml:Issuer>${SP_A} </saml:Issuer>`,
      'SAML_ISSUER_MISMATCH',
      'SAML_ISSUER_UNKNOWN',
      'Issuer with trailing whitespace (attacks reference §8 issuer recipe f)',
    ],
    [
      'case-changed',
      `<saml:Issuer>${SP_A.toUpperCase()}</saml:Issuer>`,
      'SAML_ISSUER_MISMATCH',
      'SAML_ISSUER_UNKNOWN',
      'Issuer differing only in case (attacks reference §8 issuer recipe f)',
    ],
  ] as [string, string | null, string, string, string][]) {
    semantic(`issuer-${name}`, { provenance, expect: { code, idpCode } }, sign(logoutRequest({ issuer })));
  }
  semantic(
    'version-1.1',
    {
      provenance: 'Version="1.1" (SAMLCore §3.2.1; attacks reference §8 version recipe)',
      expect: { code: 'SAML_VERSION_MISMATCH' },
    },
    sign(logoutRequest({ attrs: { Version: '1.1' } })),
  );
  semantic(
    'version-2.00',
    {
      provenance: 'Version="2.00" (SAMLCore §3.2.1; attacks reference §8 version recipe)',
      expect: { code: 'SAML_VERSION_MISMATCH' },
    },
    sign(logoutRequest({ attrs: { Version: '2.00' } })),
  );
  semantic(
    'version-missing',
    {
      provenance: 'No Version attribute (SAMLCore §3.2.1; attacks reference §8 version recipe)',
      expect: { code: 'SAML_MESSAGE_INVALID' },
    },
    sign(logoutRequest({ attrs: { Version: undefined } })),
  );
  semantic(
    'id-not-ncname',
    {
      provenance:
        "ID=\"x' or '1'='1\": XPath injection into an ID lookup (attacks reference §3 item 7, §8 replay)",
      expect: { code: 'SAML_SIGNATURE_PROFILE_VIOLATION', idpCode: 'SAML_MESSAGE_INVALID' },
    },
    sign(logoutRequest({ attrs: { ID: "x' or '1'='1" } })),
  );
  semantic(
    'relaystate-81-bytes',
    {
      attack: 'relay-state',
      provenance: 'RelayState of 81 bytes (SAMLBind §3.5.3; attacks reference §8 RelayState recipe)',
      expect: { code: 'SAML_RELAY_STATE_INVALID' },
      relayState: 'r'.repeat(81),
    },
    postRequest,
  );
  redirect(
    'relaystate-81-bytes',
    {
      attack: 'relay-state',
      provenance:
        'RelayState of 81 bytes in a signed query (SAMLBind §3.4.3; attacks reference §8 RelayState recipe)',
      expect: { code: 'SAML_RELAY_STATE_INVALID' },
    },
    rq({ relayState: 'r'.repeat(81) }),
  );
  redirect(
    'relaystate-80-multibyte-characters',
    {
      attack: 'relay-state',
      provenance:
        'RelayState of 80 characters but 160 UTF-8 bytes (SAMLBind §3.4.3; attacks reference §8 RelayState recipe)',
      expect: { code: 'SAML_RELAY_STATE_INVALID' },
    },
    rq({ relayState: 'é'.repeat(80) }),
  );
  redirect(
    'relaystate-header-injection',
    {
      attack: 'relay-state',
      provenance: 'RelayState carrying CR LF Set-Cookie (attacks reference §8 RelayState recipe)',
      expect: { code: 'SAML_RELAY_STATE_INVALID' },
    },
    rq({ relayState: 'x\r\nSet-Cookie: x=1' }),
  );
  redirect(
    'relaystate-nul',
    {
      attack: 'relay-state',
      provenance: 'RelayState carrying NUL (attacks reference §8 RelayState recipe)',
      expect: { code: 'SAML_RELAY_STATE_INVALID' },
    },
    rq({ relayState: 'a\u0000b' }),
  );
  redirect(
    'sls-url-and-redirect-target-in-message',
    {
      attack: 'open-redirect',
      provenance:
        'A validly signed request whose RelayState, an extra query parameter and an Extensions SingleLogoutService all name https://evil.example/ (SAMLProf §4.4.3.4; attacks reference §8 open redirect)',
      expect: { ignored: 'reply-to-configured-sls' },
      via: ['idp'],
    },
    `${redirectQuery({
      xml: logoutRequest({
        binding: 'redirect',
        extensions: `<md:SingleLogoutService xmlns:md="${ns.md}" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://evil.example/slo"/>`,
      }),
      relayState: 'https://evil.example/',
    })}&ReturnTo=${enc('https://evil.example/')}`,
  );
  semantic(
    'nameid-of-another-sp',
    {
      attack: 'message-semantics',
      provenance:
        'Forced logout: SP-B signs a request naming the NameID and SessionIndex alice holds at SP-A (attacks reference §8 forced logout)',
      expect: { ignored: 'unknown-principal-no-session-ended' },
      via: ['idp'],
    },
    sign(logoutRequest({ issuer: `<saml:Issuer>${SP_B}</saml:Issuer>` }), { key: 'sp-b' }),
  );
}
