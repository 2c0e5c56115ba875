/**
 * Linear before authentication: every entry point that takes untrusted input,
 * fed each adversarial shape at n and 4n bytes in this process. The best CPU
 * time at 4n may be at most 6× the best time at n (linear work gives about 4×,
 * quadratic 16×). Ratios within one run, never absolute timings; each input
 * also has to end in a result or a SamlError.
 *
 * n is 8 KB of hostile content, 4n 32 KB: large enough to show any quadratic
 * step (the unterminated-comment screen was 23× at this size), small enough
 * that both sizes stay on the same side of V8's allocation thresholds (arrays
 * and strings past ~128 KB move to large-object space and cost several times
 * more per byte, which a ratio would mistake for quadratic work). The absolute
 * worst time at the 256 KiB default limit comes from `bench/pre-auth.mjs`.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, it } from 'vitest';
import {
  type HttpInput,
  parseSpMetadata,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from '../../src/index.js';
import { expectLinear } from '../support/growth.js';
import {
  authnRequestWith,
  cliFailedUnexpectedly,
  fixedClock,
  idpSloUrl,
  idpSsoPost,
  idpSsoRedirect,
  logoutRequestXml,
  logoutResponseXml,
  receiveOptionsFor,
  runMain,
  signedForm,
  spCertificateFile,
  spMetadataXml,
  ssoIdp,
} from './hostile.js';
import { shapes } from './shapes.js';

const n = 8_000;
// Up to eight attempts: on a loaded machine a collection can land in one batch; quadratic work is ~16× every time.
const measure = { maxRatio: 6, attempts: 8, repetitions: 5, minBatchMs: 10 };

const base64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
const redirectQuery = (xml: string, type = 'SAMLRequest') =>
  `${type}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`;
const postBody = (xml: string, type = 'SAMLRequest') => `${type}=${encodeURIComponent(base64(xml))}`;
// By hand: encodeSoap parses what it wraps, and some shapes are not well-formed on purpose.
const soapEnvelope = (xml: string) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${xml}</soapenv:Body></soapenv:Envelope>`;

const { idp } = await ssoIdp({
  endpoints: {
    sloRedirect: idpSloUrl,
    sloPost: idpSloUrl,
    sloSoap: idpSloUrl,
    ssoRedirect: idpSsoRedirect,
    ssoPost: idpSsoPost,
  },
});

const unsignedOptions = { ...receiveOptionsFor(idpSloUrl), requireSignature: false };

/** Each entry point: how a message carrying `content` reaches it. */
const entryPoints: readonly { name: string; run: (content: string) => () => unknown; n?: number }[] = [
  {
    name: 'receiveRedirect',
    run: (content) => {
      const query = redirectQuery(logoutRequestXml({ extensions: content }));
      return () => receiveRedirect(query, unsignedOptions);
    },
  },
  {
    name: 'receivePost',
    run: (content) => {
      const body = postBody(logoutRequestXml({ extensions: content }));
      return () => receivePost(body, unsignedOptions);
    },
  },
  {
    name: 'receiveSoap',
    run: (content) => {
      const envelope = soapEnvelope(logoutRequestXml({ extensions: content }));
      return () => receiveSoap(envelope, unsignedOptions);
    },
  },
  ...(['redirect', 'post', 'soap'] as const).map((binding) => ({
    name: `handleLogoutRequest (${binding})`,
    run: (content: string) => {
      const xml = logoutRequestXml({ extensions: content });
      const input: HttpInput =
        binding === 'redirect'
          ? { method: 'GET', query: redirectQuery(xml) }
          : binding === 'post'
            ? { method: 'POST', body: postBody(xml), contentType: 'application/x-www-form-urlencoded' }
            : { method: 'POST', body: soapEnvelope(xml), contentType: 'text/xml; charset=utf-8' };
      return () => idp.handleLogoutRequest(input);
    },
  })),
  {
    name: 'receiveAuthnRequest (redirect)',
    run: (content) => {
      const query = redirectQuery(authnRequestWith(content, { destination: idpSsoRedirect }));
      return () => idp.receiveAuthnRequest({ method: 'GET', query });
    },
  },
  {
    name: 'receiveAuthnRequest (post)',
    run: (content) => {
      const body = postBody(authnRequestWith(content));
      return () =>
        idp.receiveAuthnRequest({ method: 'POST', body, contentType: 'application/x-www-form-urlencoded' });
    },
  },
  ...(['redirect', 'post', 'soap'] as const).map((binding) => ({
    name: `handleLogoutResponse (${binding})`,
    run: (content: string) => {
      const xml = logoutResponseXml(content);
      const input: HttpInput =
        binding === 'redirect'
          ? { method: 'GET', query: redirectQuery(xml, 'SAMLResponse') }
          : binding === 'post'
            ? {
                method: 'POST',
                body: postBody(xml, 'SAMLResponse'),
                contentType: 'application/x-www-form-urlencoded',
              }
            : { method: 'POST', body: soapEnvelope(xml), contentType: 'text/xml; charset=utf-8' };
      return () => idp.handleLogoutResponse(input);
    },
  })),
  {
    name: 'samlkit decode',
    // The CLI prints the document indented: its output is several times the input, and at
    // 32 KB of input that output crosses V8's large-object threshold (see the header), so the
    // CLI is timed at 2 KB and 8 KB.
    n: 2_000,
    run: (content) => {
      const body = postBody(logoutRequestXml({ extensions: content }));
      return async () => {
        const { output } = await runMain(['decode', '-'], body);
        if (cliFailedUnexpectedly(output)) throw new Error(output);
      };
    },
  },
  {
    name: 'samlkit verify',
    // The CLI prints the document indented: its output is several times the input, and at
    // 32 KB of input that output crosses V8's large-object threshold (see the header), so the
    // CLI is timed at 2 KB and 8 KB.
    n: 2_000,
    run: (content) => {
      const body = postBody(logoutRequestXml({ extensions: content }));
      return async () => {
        const { output } = await runMain(['verify', '-', '--cert', spCertificateFile], body);
        if (cliFailedUnexpectedly(output)) throw new Error(output);
      };
    },
  },
];

describe('linear before authentication: message entry points', () => {
  describe.each(entryPoints)('$name', ({ run, n: size = n }) => {
    for (const { name, content } of shapes) {
      it(name, async () => {
        await expectLinear((bytes) => run(content(bytes)), size, measure);
      });
    }
  });
});

describe('linear before authentication: a replayed signature over a hostile body', () => {
  // A genuine signature of sp-a copied onto other content: SignedInfo verifies, so the body is
  // canonicalized and digested before the mismatch shows. That work is pre-authentication too.
  const signed = Buffer.from(signedForm(logoutRequestXml(), idpSloUrl).SAMLRequest!, 'base64').toString(
    'utf8',
  );
  const withBody = (content: string) =>
    signed.replace('<saml:NameID', `<samlp:Extensions>${content}</samlp:Extensions><saml:NameID`);

  it.each(shapes)('receivePost: $name', async ({ content }) => {
    await expectLinear(
      (bytes) => {
        const body = postBody(withBody(content(bytes)));
        return () => receivePost(body, receiveOptionsFor(idpSloUrl));
      },
      n,
      measure,
    );
  });

  it('receivePost: a giant SignatureValue', async () => {
    await expectLinear(
      (bytes) => {
        const xml = signed.replace(
          /<ds:SignatureValue>[^<]*/,
          `<ds:SignatureValue>${'QUJD'.repeat(bytes / 4)}`,
        );
        const body = postBody(xml);
        return () => receivePost(body, receiveOptionsFor(idpSloUrl));
      },
      n,
      measure,
    );
  });
});

describe('linear before authentication: parseSpMetadata', () => {
  const options = { requireSignature: false, clock: fixedClock } as const;
  const metadataShapes = [
    ...shapes.map((shape) => ({
      name: shape.name,
      xml: (bytes: number) =>
        spMetadataXml({ descriptorExtra: `<md:Extensions>${shape.content(bytes)}</md:Extensions>` }),
    })),
    {
      name: 'many AssertionConsumerService endpoints',
      xml: (bytes: number) => {
        const unit =
          '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp-a.example.com/acs" index="00000"/>';
        const count = Math.floor(bytes / unit.length);
        const acs = Array.from({ length: count }, (_, i) =>
          unit.replace('00000', String(i + 1).padStart(5, '0')),
        ).join('');
        return spMetadataXml({ acs });
      },
    },
    {
      // Trimmed by a scan: a /[ \t\n\r]+$/ pattern backtracked quadratically over this run.
      name: 'a subject-id:req value with a long run of white space inside',
      xml: (bytes: number) =>
        spMetadataXml({
          entityExtensions:
            `<mdattr:EntityAttributes xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute">` +
            `<saml:Attribute xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Name="urn:oasis:names:tc:SAML:profiles:subject-id:req">` +
            `<saml:AttributeValue>x${' '.repeat(bytes)}x</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes>`,
        }),
    },
    {
      name: 'many NameIDFormat elements',
      xml: (bytes: number) =>
        spMetadataXml({ extra: '<md:NameIDFormat>urn:example:format</md:NameIDFormat>'.repeat(bytes / 53) }),
    },
  ];
  it.each(metadataShapes)('$name', async ({ xml }) => {
    await expectLinear(
      (bytes) => {
        const document = xml(bytes);
        return () => parseSpMetadata(document, options);
      },
      n,
      measure,
    );
  });
});
