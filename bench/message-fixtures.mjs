// The messages and operations bench/limits.mjs and bench/profile.mjs measure, set up once for
// both: an RSA-2048 LogoutRequest built, signed and encoded for HTTP-Redirect and HTTP-POST, the
// same messages received, and an SSO Response with a signed assertion.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

const keys = new URL('../fixtures/keys/', import.meta.url);
/** A file of fixtures/keys/ as text. */
export const readKey = (name) => readFileSync(new URL(name, keys), 'utf8');

export const IDP = 'https://idp.example.com/metadata';
export const SP = 'https://sp.example.com/metadata';
export const SP_SLO = 'https://sp.example.com/slo';
export const ACS = 'https://sp.example.com/acs';
export const relayState = 'https://app.example.com/after-logout';

/** samlify's endpoint list for Single Logout at `url`: HTTP-Redirect and HTTP-POST. */
export const samlifySlo = (samlkit, url) => [
  { Binding: samlkit.bindingUris.redirect, Location: url },
  { Binding: samlkit.bindingUris.post, Location: url },
];

/**
 * An HTTP-Redirect URL as the peers take it: the raw query, its parameters, and the octets the
 * Signature covers (SAMLBind §3.4.4.1: the query without `Signature`).
 */
export function splitRedirectQuery(url) {
  const raw = url.slice(url.indexOf('?') + 1);
  const query = Object.fromEntries(new URLSearchParams(raw));
  const octetString = raw
    .split('&')
    .filter((p) => !p.startsWith('Signature='))
    .join('&');
  return { raw, query, octetString };
}

/** Everything the two scripts measure, made with the samlkit build given. */
export function messageFixtures(samlkit) {
  const rsa = samlkit.loadKeyPair({ certificate: readKey('idp.crt'), privateKey: readKey('idp.key') });
  const rsaCert = samlkit.loadKeyPair({ certificate: readKey('idp.crt') });
  const build = () =>
    samlkit.buildLogoutRequest({
      issuer: IDP,
      destination: SP_SLO,
      nameId: { value: 'alice@example.com', format: samlkit.nameIdFormats.emailAddress },
      sessionIndex: '_3b5c9f1e2a7d4c8b9e0f1a2b3c4d5e6f',
    });
  // The builder's result itself is encoded, as the logout engine does: the signer takes its tree.
  // A build from before encoders took results (BENCH_DIST) is given the text.
  const takesResult = (() => {
    try {
      samlkit.encodePost({ type: 'SAMLRequest', xml: build(), destination: SP_SLO, sign: { key: rsa } });
      return true;
    } catch {
      return false;
    }
  })();
  const message = takesResult ? build : () => build().xml;
  const encode = (encoder) => () =>
    encoder({ type: 'SAMLRequest', xml: message(), destination: SP_SLO, relayState, sign: { key: rsa } });
  const redirectUrl = encode(samlkit.encodeRedirect)();
  const postForm = encode(samlkit.encodePost)();
  const provider = samlkit.parseProvider({
    entityId: SP,
    acsUrl: ACS,
    spBinding: 'post',
    issuer: IDP,
    signingKeyPair: rsa,
    signAssertion: true,
    signResponse: false,
  });
  const assertion = {
    nameId: { value: 'alice@example.com', format: samlkit.nameIdFormats.emailAddress },
    sessionIndex: '_s1',
  };
  return {
    rsa,
    rsaCert,
    build,
    redirectUrl,
    postForm,
    /** The raw node:crypto keys, and a payload as long as the LogoutRequest, for the limits. */
    rawPrivate: createPrivateKey(readKey('idp.key')),
    rawPublic: createPublicKey(readKey('idp.crt')),
    payload: Buffer.from('x'.repeat(build().xml.length)),
    operations: {
      'redirect build': encode(samlkit.encodeRedirect),
      'post build': encode(samlkit.encodePost),
      'redirect receive': () =>
        samlkit.parseLogoutRequest(samlkit.receiveRedirect(redirectUrl, { trust: [rsaCert] })),
      'post receive': () =>
        samlkit.parseLogoutRequest(samlkit.receivePost(postForm.fields, { trust: [rsaCert] })),
      'sso build': () =>
        samlkit.encodePost({
          type: 'SAMLResponse',
          xml: samlkit.buildResponse({ provider, inResponseTo: '_r1', assertion }).xml,
          destination: ACS,
          relayState: 'rs',
        }),
    },
  };
}
