/**
 * Property-based fuzzing (fast-check), bounded by run counts;
 * `interruptAfterTimeLimit` is only a safety net against a hang, never an
 * assertion.
 *
 * 1. Mutations of a validly signed message (attribute and element insertion,
 *    reordering, prefix changes, whitespace) never verify unless the canonical
 *    signed content is unchanged. The oracle is xmllint's exclusive C14N
 *    (libxml2), a different implementation from the one samlkit uses.
 * 2. Random bytes and strings into every receive function and the facade's
 *    handlers end in a result or a SamlError, nothing else.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign as signBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpInput,
  isSamlError,
  type ReceiveOptions,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from '../../src/index.js';
import { certificate, certificatePem, privateKeyPem } from '../support/keys.js';
import { externalTool } from '../support/xmlsec.js';
import { hasXmllint } from '../support/xsd.js';
import { contentOf, createWorld, manifest, world, clock as worldClock } from './corpus.js';

/** Deeper local runs: SAMLKIT_FUZZ_SCALE=20 npx vitest run test/security/fuzz.test.ts */
const scale = Math.max(1, Number(process.env.SAMLKIT_FUZZ_SCALE) || 1);
const runs = (n: number) => n * scale;
const safetyNet = { interruptAfterTimeLimit: 4_000 * scale, markInterruptAsFailure: false } as const;

const control = (id: string) => manifest.controls.find((entry) => entry.id === id)!;
const signedXml = contentOf(control('logout-request/post/control-signed')).toString('utf8');
const options: ReceiveOptions = {
  trust: [certificate('sp-a')],
  clock: worldClock,
  expect: { issuer: world.providers['sp-a'].entityId, destination: world.endpoints.post },
};
const receive = (xml: string) =>
  receivePost({ SAMLRequest: Buffer.from(xml, 'utf8').toString('base64') }, options);

/** The SamlError code, `accepted`, or the unexpected error itself (which fails the property). */
function outcome(fn: () => unknown): { code: string; value?: unknown } {
  try {
    return { code: 'accepted', value: fn() };
  } catch (error) {
    if (isSamlError(error)) return { code: error.code };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Mutations of a signed message

const xmllint = hasXmllint() ? externalTool('xmllint', 'libxml2-utils') : undefined;

/**
 * What the signature covers, as libxml2's exclusive C14N sees it: the root
 * without its Signature, then SignedInfo, each serialized on its own and
 * canonicalized in one xmllint run under a wrapper that declares nothing (so
 * exclusive C14N renders each one exactly as it would alone).
 */
function signedContent(xml: string): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement!;
  let signature: unknown;
  for (let child = root.firstChild; child; child = child.nextSibling) {
    const element = child as unknown as { localName?: string; namespaceURI?: string };
    if (element.localName === 'Signature' && element.namespaceURI === 'http://www.w3.org/2000/09/xmldsig#')
      signature = child;
  }
  const serializer = new XMLSerializer();
  let signedInfoNode: unknown;
  for (
    let child = (signature as { firstChild: never }).firstChild as unknown;
    child;
    child = (child as { nextSibling: unknown }).nextSibling
  ) {
    if ((child as { localName?: string }).localName === 'SignedInfo') signedInfoNode = child;
  }
  const signedInfo = serializer.serializeToString(signedInfoNode as never);
  root.removeChild(signature as never);
  const input = `<w>${serializer.serializeToString(root)}${signedInfo}</w>`;
  return execFileSync(xmllint!, ['--exc-c14n', '-'], { input, encoding: 'utf8' });
}

/** Where the Signature and its SignedInfo sit in `xml` (recomputed after every mutation). */
function regions(xml: string) {
  return {
    sigStart: xml.indexOf('<ds:Signature'),
    signedInfoStart: xml.indexOf('<ds:SignedInfo'),
    signedInfoEnd: xml.indexOf('</ds:SignedInfo>') + '</ds:SignedInfo>'.length,
    sigEnd: xml.indexOf('</ds:Signature>') + '</ds:Signature>'.length,
  };
}

interface Tag {
  start: number;
  end: number;
  text: string;
}

/** Start tags in document order, with their position. */
function startTags(xml: string): Tag[] {
  const tags: Tag[] = [];
  for (const match of xml.matchAll(/<[A-Za-z_][\w.:-]*(?:\s[^<>]*?)?\/?>/g)) {
    tags.push({ start: match.index, end: match.index + match[0].length, text: match[0] });
  }
  return tags;
}

const replaceTag = (xml: string, tag: Tag, text: string) =>
  xml.slice(0, tag.start) + text + xml.slice(tag.end);
const pick = <T>(list: readonly T[], index: number): T => list[index % list.length]!;

/** Tags whose element the signature covers: outside ds:Signature (its attributes are signed content). */
function signedTags(xml: string): Tag[] {
  const { sigStart, sigEnd } = regions(xml);
  return startTags(xml).filter((t) => t.start < sigStart || t.start >= sigEnd);
}

type Mutation = { name: string; changesSignedContent: boolean; apply: (xml: string) => string };

// Mutations that leave exclusive C14N of the signed content unchanged.
const invariantMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ index: fc.nat(), ws: fc.constantFrom(' ', '\n', '\t', '  \n  ') }).map(({ index, ws }) => ({
    name: 'whitespace inside a start tag',
    changesSignedContent: false,
    apply: (xml: string) => {
      const tag = pick(startTags(xml), index);
      const closing = tag.text.endsWith('/>') ? '/>' : '>';
      const body = tag.text.slice(0, -closing.length).replace(/" /, `"${ws}`);
      return replaceTag(xml, tag, body + ws + closing);
    },
  })),
  fc.record({ index: fc.nat(), ws: fc.constantFrom(' ', '\n', '\t') }).map(({ index, ws }) => ({
    name: 'whitespace inside an end tag',
    changesSignedContent: false,
    apply: (xml: string) => {
      const ends = [...xml.matchAll(/<\/[\w.:-]+>/g)];
      const match = pick(ends, index);
      return `${xml.slice(0, match.index)}${match[0].slice(0, -1)}${ws}>${xml.slice(match.index + match[0].length)}`;
    },
  })),
  fc.nat().map((index) => ({
    name: 'attributes reordered',
    changesSignedContent: false,
    apply: (xml: string) => {
      const tag = pick(startTags(xml), index);
      const attributes = tag.text.match(/\s[\w.:-]+="[^"]*"/g) ?? [];
      if (attributes.length < 2) return xml;
      const name = /^<[\w.:-]+/.exec(tag.text)![0];
      const closing = tag.text.endsWith('/>') ? '/>' : '>';
      return replaceTag(xml, tag, name + [...attributes].reverse().join('') + closing);
    },
  })),
  fc.nat().map((index) => ({
    name: 'single quotes',
    changesSignedContent: false,
    apply: (xml: string) => {
      const tag = pick(startTags(xml), index);
      return replaceTag(xml, tag, tag.text.replace(/="([^"']*)"/g, "='$1'"));
    },
  })),
  fc.nat().map((index) => ({
    name: 'empty element written out',
    changesSignedContent: false,
    apply: (xml: string) => {
      const empty = startTags(xml).filter((t) => t.text.endsWith('/>'));
      const tag = pick(empty, index);
      const name = /^<([\w.:-]+)/.exec(tag.text)![1];
      return replaceTag(xml, tag, `${tag.text.slice(0, -2)}></${name}>`);
    },
  })),
  fc.nat({ max: 4 }).map((index) => ({
    name: 'character reference in NameID',
    changesSignedContent: false,
    apply: (xml: string) => {
      const letter = 'alice'[index]!;
      const escaped = `${'alice'.slice(0, index)}&#${letter.charCodeAt(0)};${'alice'.slice(index + 1)}`;
      return xml.replace('>alice<', `>${escaped}<`);
    },
  })),
  fc.constant({
    name: 'xmlns:saml moved from the root to the elements that use it',
    changesSignedContent: false,
    apply: (xml: string) => {
      const declaration = ' xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"';
      const root = startTags(xml)[0]!;
      if (!root.text.includes(declaration)) return xml;
      return xml.replace(declaration, '').replace(/<saml:(Issuer|NameID)(?=[\s>])/g, (m) => m + declaration);
    },
  }),
  fc.constant({
    name: 'xmlns:ds moved from the Signature to the root',
    changesSignedContent: false,
    apply: (xml: string) => {
      const declaration = ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#"';
      if (!xml.includes(`<ds:Signature${declaration}`)) return xml;
      return xml
        .replace(`<ds:Signature${declaration}`, '<ds:Signature')
        .replace('<samlp:LogoutRequest', `<samlp:LogoutRequest${declaration}`);
    },
  }),
  fc
    .constantFrom(['xmlns:unused', 'urn:example:unused'] as const, ['xmlns', 'urn:example:default'] as const)
    .map(([attribute, uri]) => ({
      name: 'unused namespace declaration on the root',
      changesSignedContent: false,
      // Added once: an earlier "single quotes" mutation may have rewritten its quotes.
      apply: (xml: string) =>
        new RegExp(`\\s${attribute}=`).test(startTags(xml)[0]!.text)
          ? xml
          : xml.replace('<samlp:LogoutRequest', `<samlp:LogoutRequest ${attribute}="${uri}"`),
    })),
  fc.constant({
    name: 'attacker certificate in KeyInfo (not signed, never used)',
    changesSignedContent: false,
    apply: (xml: string) =>
      xml.replace(
        /<ds:X509Certificate>[^<]*</,
        `<ds:X509Certificate>${certificatePem('evil').replace(/-----[^-]+-----|\s/g, '')}<`,
      ),
  }),
  fc.constant({
    name: 'SignatureValue wrapped at 64 columns',
    changesSignedContent: false,
    apply: (xml: string) =>
      xml.replace(
        /<ds:SignatureValue>([^<]*)</,
        (_, value: string) => `<ds:SignatureValue>${value.replace(/(.{64})/g, '$1\n')}<`,
      ),
  }),
);

// Mutations that change the signed content (outside ds:Signature, or inside SignedInfo).
const changingMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .record({
      index: fc.nat(),
      name: fc.constantFrom('x', 'ID', 'Consent', 'xml:lang', 'SPNameQualifier'),
      value: fc.string({ maxLength: 8 }).map((v) => v.replace(/[<&"]/g, '')),
    })
    .map(({ index, name, value }) => ({
      name: `attribute ${name} inserted`,
      changesSignedContent: true,
      apply: (xml: string) => {
        const tag = pick(signedTags(xml), index);
        const closing = tag.text.endsWith('/>') ? '/>' : '>';
        return replaceTag(xml, tag, `${tag.text.slice(0, -closing.length)} ${name}="${value}"${closing}`);
      },
    })),
  fc
    .record({
      index: fc.nat(),
      markup: fc.constantFrom(
        '<saml:NameID>victim</saml:NameID>',
        '<samlp:Extensions/>',
        '<x:y xmlns:x="urn:x"/>',
        '<ds:Object xmlns:ds="http://www.w3.org/2000/09/xmldsig#">victim</ds:Object>',
      ),
    })
    .map(({ index, markup }) => ({
      name: 'element inserted',
      changesSignedContent: true,
      apply: (xml: string) => {
        const tag = pick(
          signedTags(xml).filter((t) => !t.text.endsWith('/>')),
          index,
        );
        return xml.slice(0, tag.end) + markup + xml.slice(tag.end);
      },
    })),
  fc.constantFrom(['Issuer', 'NameID'], ['NameID', 'SessionIndex']).map(([a, b]) => ({
    name: `${a} and ${b} swapped`,
    changesSignedContent: true,
    apply: (xml: string) => {
      const first = new RegExp(`<(saml|samlp):${a}[\\s\\S]*?</\\1:${a}>`).exec(xml)?.[0];
      const second = new RegExp(`<(saml|samlp):${b}[\\s\\S]*?</\\1:${b}>`).exec(xml)?.[0];
      if (!first || !second) return xml;
      return xml.replace(first, '\u0000').replace(second, first).replace('\u0000', second);
    },
  })),
  fc
    .record({
      prefix: fc.constantFrom('samlp', 'saml', 'ds'),
      to: fc.constantFrom('p', 'a', 'sig', 'x1'),
    })
    .map(({ prefix, to }) => ({
      name: `prefix ${prefix} renamed to ${to}`,
      changesSignedContent: true,
      apply: (xml: string) =>
        xml
          .replaceAll(`xmlns:${prefix}=`, `xmlns:${to}=`)
          .replaceAll(`<${prefix}:`, `<${to}:`)
          .replaceAll(`</${prefix}:`, `</${to}:`),
    })),
  fc.record({ index: fc.nat(), ws: fc.constantFrom(' ', '\n', '\t', '\r\n') }).map(({ index, ws }) => ({
    name: 'whitespace between signed elements',
    changesSignedContent: true,
    apply: (xml: string) => {
      const { sigStart, signedInfoStart, signedInfoEnd, sigEnd } = regions(xml);
      const spots = startTags(xml)
        .map((t) => t.end)
        .filter(
          (p) =>
            (p < sigStart || (p > signedInfoStart && p < signedInfoEnd) || p >= sigEnd) && xml[p] === '<',
        );
      const at = pick(spots, index);
      return xml.slice(0, at) + ws + xml.slice(at);
    },
  })),
  fc.record({ at: fc.nat({ max: 5 }), ws: fc.constantFrom(' ', '\t', '\n') }).map(({ at, ws }) => ({
    name: 'whitespace inside the NameID value',
    changesSignedContent: true,
    apply: (xml: string) => xml.replace('>alice<', `>${'alice'.slice(0, at)}${ws}${'alice'.slice(at)}<`),
  })),
);

describe.skipIf(!xmllint)('fuzz: mutations of a signed LogoutRequest', () => {
  let original: string;
  let originalCanonical: string;
  beforeAll(() => {
    original = signedContent(signedXml);
    originalCanonical = receive(signedXml).xml;
  });

  it('invariant mutations (whitespace in tags, attribute order, quotes, unused namespaces, KeyInfo…) still verify and read the same bytes', () => {
    fc.assert(
      fc.property(fc.array(invariantMutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const xml = mutations.reduce((text, m) => m.apply(text), signedXml);
        // The oracle agrees that nothing signed changed…
        expect(signedContent(xml)).toBe(original);
        // …and samlkit verifies it and reads exactly the original signed bytes.
        const result = outcome(() => receive(xml));
        expect(result.code, mutations.map((m) => m.name).join(', ')).toBe('accepted');
        expect((result.value as { xml: string }).xml).toBe(originalCanonical);
      }),
      { numRuns: runs(40), ...safetyNet },
    );
  });

  it('mutations of signed content (attributes, elements, order, prefixes, whitespace) never verify', () => {
    fc.assert(
      fc.property(changingMutation, fc.array(invariantMutation, { maxLength: 3 }), (change, after) => {
        // The change goes first, on the pristine message, so it always applies; invariant ones follow.
        const changed = change.apply(signedXml);
        expect(changed).not.toBe(signedXml);
        const xml = after.reduce((text, m) => m.apply(text), changed);
        const result = outcome(() => receive(xml));
        expect(result.code, [change, ...after].map((m) => m.name).join(', ')).not.toBe('accepted');
      }),
      { numRuns: runs(150), ...safetyNet },
    );
  });

  it('whatever the mix, a message that verifies has the canonical signed content unchanged', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(invariantMutation, changingMutation), { minLength: 1, maxLength: 4 }),
        (mutations) => {
          const xml = mutations.reduce((text, m) => m.apply(text), signedXml);
          const result = outcome(() => receive(xml));
          if (result.code !== 'accepted') {
            rejected++;
            return;
          }
          accepted++;
          expect(signedContent(xml), mutations.map((m) => m.name).join(', ')).toBe(original);
          expect((result.value as { xml: string }).xml).toBe(originalCanonical);
        },
      ),
      { numRuns: runs(120), ...safetyNet },
    );
    // Both sides of the implication were exercised.
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Random input into every receive path

/** Fragments of SAML, XML-DSig and hostile markup, for grammar-shaped garbage. */
const xmlToken = fc.oneof(
  fc.constantFrom(
    '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" Version="2.0" IssueInstant="2026-04-20T10:00:00Z">',
    '</samlp:LogoutRequest>',
    '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_y" Version="2.0" IssueInstant="2026-04-20T10:00:00Z">',
    '</samlp:LogoutResponse>',
    '<saml:Issuer>https://sp-a.example.com/metadata</saml:Issuer>',
    '<saml:NameID>alice</saml:NameID>',
    '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>',
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">',
    '<ds:SignedInfo>',
    '<ds:Reference URI="#_x">',
    '</ds:Reference></ds:SignedInfo></ds:Signature>',
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>',
    '</soapenv:Body></soapenv:Envelope>',
    '<!DOCTYPE x [<!ENTITY e "v">]>',
    '<!--',
    '-->',
    '<![CDATA[',
    ']]>',
    '<?pi x?>',
    '<?xml version="1.0" encoding="UTF-8"?>',
    '&e;',
    '&#x0;',
    '&#x2028;',
    '&amp;',
    '\u2028',
    '\uFEFF',
    '\u0000',
    '<a>'.repeat(100),
    '"',
    "'",
    '<',
    '>',
    '/>',
  ),
  fc.string({ maxLength: 12 }),
);
const xmlish = fc.array(xmlToken, { maxLength: 40 }).map((tokens) => tokens.join(''));
const bytes = fc.uint8Array({ maxLength: 600 });

const base64 = (data: Uint8Array | string) => Buffer.from(data).toString('base64');
const spKey = createPrivateKey(privateKeyPem('sp-a'));

/** An HTTP-Redirect query carrying `payload` as SAMLRequest, validly signed by SP-A over what it sends. */
function signedQuery(payload: Uint8Array, relayState?: string): string {
  let octets = `SAMLRequest=${encodeURIComponent(base64(payload))}`;
  if (relayState !== undefined) octets += `&RelayState=${encodeURIComponent(relayState)}`;
  octets += `&SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`;
  const signature = signBytes('sha256', Buffer.from(octets), spKey).toString('base64');
  return `${octets}&Signature=${encodeURIComponent(signature)}`;
}

const parameterName = fc.constantFrom(
  'SAMLRequest',
  'SAMLResponse',
  'RelayState',
  'SigAlg',
  'Signature',
  'SAMLEncoding',
  'SAML%52equest',
  'samlrequest',
  'x',
  '',
);
const randomQuery = fc
  .array(fc.tuple(parameterName, fc.oneof(fc.string({ maxLength: 40 }), bytes.map(base64))), { maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

/** Every receive function, with and without a required signature. */
const receivers: [string, (input: string) => unknown][] = [
  ['receiveRedirect', (q) => receiveRedirect(q, options)],
  ['receiveRedirect (unsigned allowed)', (q) => receiveRedirect(q, { ...options, requireSignature: false })],
  ['receivePost (raw body)', (b) => receivePost(b, options)],
  ['receivePost (field)', (v) => receivePost({ SAMLRequest: v }, { ...options, requireSignature: false })],
  ['receiveSoap', (b) => receiveSoap(b, options)],
  ['receiveSoap (unsigned allowed)', (b) => receiveSoap(b, { ...options, requireSignature: false })],
];

/** Fails unless `fn` returns or throws a SamlError. */
function onlySamlErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!isSamlError(error)) throw new Error(`not a SamlError: ${(error as Error)?.stack ?? String(error)}`);
  }
}

describe('fuzz: random input into every receive function ends in a result or a SamlError', () => {
  it.each(receivers)('%s: random strings', (_, receiver) => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), xmlish),
        (input) => onlySamlErrors(() => receiver(input)),
      ),
      { numRuns: runs(150), ...safetyNet },
    );
  });

  it('receiveRedirect: random query strings', () => {
    fc.assert(
      fc.property(randomQuery, (query) => {
        onlySamlErrors(() => receiveRedirect(query, options));
        onlySamlErrors(() => receiveRedirect(query, { ...options, requireSignature: false }));
      }),
      { numRuns: runs(200), ...safetyNet },
    );
  });

  it('receiveRedirect: validly signed queries carrying random bytes, random deflate streams and XML-ish text', () => {
    const payload = fc.oneof(
      bytes,
      bytes.map((b) => new Uint8Array(deflateRawSync(b))),
      xmlish.map((text) => new Uint8Array(deflateRawSync(text))),
      fc.tuple(xmlish, fc.nat(), fc.nat({ max: 255 })).map(([text, at, value]) => {
        const deflated = new Uint8Array(deflateRawSync(text));
        if (deflated.length > 0) deflated[at % deflated.length] = value;
        return deflated;
      }),
    );
    fc.assert(
      fc.property(payload, fc.option(fc.string({ maxLength: 100 }), { nil: undefined }), (data, relayState) =>
        onlySamlErrors(() => receiveRedirect(signedQuery(data, relayState), options)),
      ),
      { numRuns: runs(200), ...safetyNet },
    );
  });

  it('receivePost and receiveSoap: random bytes and XML-ish text, base64-encoded or raw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          bytes,
          xmlish.map((t) => new Uint8Array(Buffer.from(t))),
        ),
        (data) => {
          onlySamlErrors(() => receivePost({ SAMLRequest: base64(data) }, options));
          onlySamlErrors(() => receivePost({ SAMLResponse: base64(data), RelayState: 'r' }, options));
          onlySamlErrors(() => receiveSoap(Buffer.from(data).toString('utf8'), options));
        },
      ),
      { numRuns: runs(200), ...safetyNet },
    );
  });

  it('receivePost: byte flips in a validly signed message', () => {
    const original = Buffer.from(signedXml, 'utf8');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
        (flips) => {
          const copy = Buffer.from(original);
          for (const [at, value] of flips) copy[at % copy.length] = value;
          onlySamlErrors(() => receivePost({ SAMLRequest: copy.toString('base64') }, options));
        },
      ),
      { numRuns: runs(200), ...safetyNet },
    );
  });

  it('receivePost: form objects with values of any type', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('SAMLRequest', 'SAMLResponse', 'RelayState', 'other'), fc.anything(), {
          maxKeys: 4,
        }),
        (form) => onlySamlErrors(() => receivePost(form as Record<string, unknown>, options)),
      ),
      { numRuns: runs(150), ...safetyNet },
    );
  });
});

describe('fuzz: random HTTP input into the facade handlers ends in a result or a SamlError', () => {
  const httpInput: fc.Arbitrary<HttpInput> = fc.record({
    method: fc.constantFrom('GET', 'POST', 'get', 'PUT', ''),
    query: fc.oneof(randomQuery, fc.string({ maxLength: 200 }), xmlish),
    body: fc.oneof(
      fc.string({ maxLength: 200 }),
      xmlish,
      randomQuery,
      bytes.map((b) => `SAMLRequest=${encodeURIComponent(base64(b))}`),
    ),
    contentType: fc.constantFrom('application/x-www-form-urlencoded', 'text/xml', 'application/soap+xml', ''),
  });

  it('handleLogoutRequest and handleLogoutResponse', async () => {
    const { idp } = await createWorld({ pending: true });
    await fc.assert(
      fc.asyncProperty(httpInput, async (input) => {
        for (const handle of [idp.handleLogoutRequest, idp.handleLogoutResponse]) {
          try {
            await handle(input);
          } catch (error) {
            if (!isSamlError(error))
              throw new Error(`not a SamlError: ${(error as Error)?.stack ?? String(error)}`);
          }
        }
      }),
      { numRuns: runs(150), ...safetyNet },
    );
  });
});
