// Base64 and DEFLATE: what the bindings decode before any XML is read.
import { deflateRaw, gzip, deflate as zlibDeflate } from 'pako';
import type { Content, CorpusContext, EntryExtra } from '../context.js';
import type { RedirectQueryOptions } from '../shared.js';
import { base64, enc, ensure, formBody, logoutRequest, ns, redirectQuery, ref } from '../shared.js';

export function addEncoding({
  attack,
  LR,
  both,
  postRequest,
  redirectRequestXml,
  redirect,
  rq,
}: CorpusContext): void {
  // ---- 6. Base64 and DEFLATE -----------------------------------------------------------------
  const postB64 = base64(postRequest);
  const form = (id: string, entry: EntryExtra, body: Content) =>
    attack(
      {
        id: `${LR}/post/${id}`,
        messageType: 'LogoutRequest',
        binding: 'post',
        format: 'form',
        attack: 'decoding',
        via: both,
        ...entry,
      },
      body,
    );
  form(
    'base64-junk-character',
    {
      provenance:
        'One "*" in the middle of the base64: Node’s decoder skips it (attacks reference §6 base64 recipe)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    formBody({ SAMLRequest: `${postB64.slice(0, 100)}*${postB64.slice(100)}` }),
  );
  form(
    'base64-url-safe-alphabet',
    {
      provenance:
        'base64url alphabet ("-" and "_"): Node’s decoder accepts it (attacks reference §6 base64 recipe)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    formBody({
      SAMLRequest: ensure(
        postB64.replace(/\+/g, '-').replace(/\//g, '_'),
        (v) => v !== postB64,
        'has + or /',
      ),
    }),
  );
  form(
    'base64-missing-padding',
    {
      provenance: 'base64 padding removed (attacks reference §6 base64 recipe)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    formBody({ SAMLRequest: ensure(postB64.replace(/=+$/, ''), (v) => v !== postB64, 'has padding') }),
  );
  form(
    'base64-data-after-padding',
    {
      provenance:
        '"PHg+" (<x>) appended after the padding: Node’s decoder stops at "=" (attacks reference §6 base64 recipe)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    formBody({ SAMLRequest: `${ensure(postB64, (v) => v.endsWith('='), 'ends with =')}PHg+` }),
  );
  form(
    'base64-spaces',
    {
      provenance: 'Spaces inside the base64 (SAMLBind §3.5.4; attacks reference §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    formBody({ SAMLRequest: postB64.replace(/(.{64})/g, '$1 ') }),
  );
  form(
    'raw-plus-in-form',
    {
      provenance:
        'The base64 placed in a form body without percent-encoding: "+" becomes a space (attacks reference §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    `SAMLRequest=${ensure(postB64, (v) => v.includes('+'), 'contains +')}`,
  );
  form(
    'base64-oversized',
    {
      provenance: `10 MiB of "A" as SAMLRequest (${ref.ruby2025}; attacks reference §6 base64 recipe)`,
      expect: { code: 'SAML_BINDING_LIMIT_EXCEEDED' },
      repeat: { unit: 'A'.repeat(64), times: 163840 },
    },
    'SAMLRequest=',
  );
  form(
    'duplicate-samlrequest-field',
    {
      attack: 'query-tricks',
      provenance: 'Two SAMLRequest fields, the second one evil (attacks reference §7 duplicates)',
      expect: { code: 'SAML_BINDING_PARAMETER_INVALID' },
    },
    `${formBody({ SAMLRequest: postB64 })}&${formBody({ SAMLRequest: base64(logoutRequest({ nameId: 'victim' })) })}`,
  );

  const redirectDecode = (id: string, entry: EntryExtra, o: RedirectQueryOptions) =>
    redirect(id, { attack: 'decoding', ...entry }, redirectQuery({ relayState: 'rs1', ...o }));
  const deflatedRequest = deflateRaw(Buffer.from(redirectRequestXml, 'utf8'));
  {
    const bombXml = `<samlp:LogoutRequest xmlns:samlp="${ns.samlp}" ID="_bomb">${' '.repeat(8 * 1024 * 1024)}</samlp:LogoutRequest>`;
    const bomb = deflateRaw(Buffer.from(bombXml, 'utf8'));
    const ratio = Math.floor(bombXml.length / bomb.length);
    if (ratio < 1000) throw new Error(`deflate bomb ratio ${ratio} < 1000`);
    redirectDecode(
      'deflate-bomb',
      {
        provenance: `A raw DEFLATE bomb: 8 MiB of spaces, ${ratio}:1, signed by SP-A so the decoder is what is tested (${ref.ruby2025}; attacks reference §6 recipe a)`,
        expect: { code: 'SAML_BINDING_LIMIT_EXCEEDED' },
        inflatedBytes: bombXml.length,
      },
      { deflated: bomb },
    );
    redirectDecode(
      'deflate-bomb-unsigned',
      {
        provenance: `The same DEFLATE bomb unsigned: inspection before key lookup must stop at the cap too (${ref.ruby2025}; attacks reference §6 recipe a)`,
        expect: { code: 'SAML_SIGNATURE_MISSING', idpCode: 'SAML_BINDING_LIMIT_EXCEEDED' },
        inflatedBytes: bombXml.length,
      },
      { deflated: bomb, sign: false },
    );
  }
  redirectDecode(
    'inflated-over-limit',
    {
      provenance: `300 KiB of valid XML padding in Extensions, over the 256 KiB inflate cap (${ref.ruby2025}; attacks reference §6 recipe b)`,
      expect: { code: 'SAML_BINDING_LIMIT_EXCEEDED' },
    },
    {
      xml: logoutRequest({
        binding: 'redirect',
        extensions: `<x:p xmlns:x="urn:x">${'x'.repeat(300 * 1024)}</x:p>`,
      }),
    },
  );
  redirectDecode(
    'zlib-wrapped',
    {
      provenance: `zlib (RFC 1950) instead of raw DEFLATE (${ref.pako}; attacks reference §6 recipe c)`,
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    { deflated: zlibDeflate(Buffer.from(redirectRequestXml, 'utf8')) },
  );
  redirectDecode(
    'gzip',
    {
      provenance: `gzip instead of raw DEFLATE (${ref.pako}; attacks reference §6 recipe d)`,
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    { deflated: gzip(Buffer.from(redirectRequestXml, 'utf8')) },
  );
  redirectDecode(
    'uncompressed',
    {
      provenance: `base64 of the plain XML, no DEFLATE: python3-saml and ruby-saml fall back to it (${ref.pako}; attacks reference §6 recipe e)`,
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    { deflated: Buffer.from(redirectRequestXml, 'utf8') },
  );
  redirectDecode(
    'truncated-deflate',
    {
      provenance: `The DEFLATE stream with 5 bytes cut off: pako 2.1.0 returns undefined (${ref.pako}; attacks reference §6 recipe f)`,
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    { deflated: deflatedRequest.slice(0, -5) },
  );
  redirectDecode(
    'trailing-bytes-after-deflate',
    {
      provenance: `"GARBAGE" after the end of the DEFLATE stream: ignored by pako and zlib (${ref.pako}; attacks reference §6 recipe g)`,
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    { deflated: Buffer.concat([Buffer.from(deflatedRequest), Buffer.from('GARBAGE')]) },
  );
  redirectDecode(
    'invalid-base64',
    {
      provenance: 'SAMLRequest with a "*" in its base64, signed as sent (attacks reference §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    {
      rawMessage: enc(
        `${Buffer.from(deflatedRequest).toString('base64').slice(0, 40)}*${Buffer.from(deflatedRequest).toString('base64').slice(40)}`,
      ),
    },
  );
  redirectDecode(
    'inflated-invalid-utf8',
    {
      provenance: 'Inflated bytes that are not UTF-8 (an overlong C0 AF in NameID) (attacks reference §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    {
      deflated: deflateRaw(
        Buffer.concat([
          Buffer.from(redirectRequestXml.split('>alice<')[0] + '>al', 'utf8'),
          Buffer.from([0xc0, 0xaf]),
          Buffer.from(`<${redirectRequestXml.split('>alice<')[1]}`, 'utf8'),
        ]),
      ),
    },
  );
  redirectDecode(
    'inflated-utf16',
    {
      provenance: 'Inflated bytes in UTF-16LE with a BOM (attacks reference §6)',
      expect: { code: 'SAML_BINDING_DECODE_FAILED' },
    },
    {
      deflated: deflateRaw(
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(redirectRequestXml, 'utf16le')]),
      ),
    },
  );
  redirectDecode(
    'doctype',
    {
      attack: 'xml-parsing',
      provenance:
        'A DOCTYPE with an internal entity inside a signed HTTP-Redirect message (CWE-611; attacks reference §4, §6)',
      expect: { code: 'SAML_XML_DTD_FORBIDDEN' },
    },
    {
      xml: `<!DOCTYPE samlp:LogoutRequest [<!ENTITY n "victim">]>${redirectRequestXml.replace('>alice<', '>&n;<')}`,
    },
  );
  redirect(
    'query-oversized',
    {
      attack: 'decoding',
      provenance: `A query string of over 1 MiB (${ref.ruby2025}; attacks reference §0 step 1)`,
      expect: { code: 'SAML_BINDING_LIMIT_EXCEEDED' },
      repeat: { unit: `&x=${'A'.repeat(61)}`, times: 16384 },
    },
    rq(),
  );
}
