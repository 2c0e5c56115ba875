/**
 * Shibboleth SP 3.4 (shibd + mod_shib behind Apache, over TLS) at its shipped
 * defaults (the settings the harness must set are listed in
 * support/shibboleth.ts), against a samlkit IdP that registered it once from
 * the metadata Shibboleth generates itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderInput } from '../../src/index.js';
import { Browser, type Navigation } from './support/browser.js';
import { newUser, type PeerIdp, type Registration, startPeerIdp } from './support/samlkit-idp.js';
import { type ShibbolethSp, shibbolethInstalled, startShibboleth } from './support/shibboleth.js';
import { tamperPost, tamperRedirect } from './support/tamper.js';

const installed = shibbolethInstalled();

/** The back channel trusts Shibboleth's per-run TLS certificate once it exists. */
const trusted: string[] = [];
let idp: PeerIdp;
let sp: ShibbolethSp;
let registration: Registration;

const browser = () => new Browser({ ca: trusted });

/** The session Shibboleth shows at /Shibboleth.sso/Session (attribute names and value counts). */
async function sessionOf(b: Browser): Promise<string> {
  return (await b.request({ method: 'GET', url: `${sp.origin}/Shibboleth.sso/Session` })).body;
}
/**
 * Whether the Session handler shows a session. Without one it says "A valid session was not
 * found"; when the browser's cookie names a session shibd removed (back-channel logout), it says
 * "Your session is not available in the session store" once, and clears the cookie.
 */
const hasSession = (page: string) =>
  !/A valid session was not found|session is not available in the session store/i.test(page);

/** shibd's log lines at WARN and above since `mark`. */
const spProblems = (mark: number) =>
  sp
    .log()
    .slice(mark)
    .split('\n')
    .filter((line) => / (WARN|ERROR|CRIT) /.test(line))
    .join('\n');

/** The request Shibboleth sends the browser to the IdP with for /secure, not yet delivered. */
async function authnRequestOf(b: Browser): Promise<Navigation> {
  const { next } = await b.browse({ method: 'GET', url: sp.secureUrl }, (nav) =>
    nav.url.startsWith(idp.origin),
  );
  if (!next) throw new Error('Shibboleth did not send an AuthnRequest');
  return next;
}

const isSigned = (request: Navigation) =>
  request.method === 'GET'
    ? new URL(request.url).searchParams.has('Signature')
    : Buffer.from(request.fields?.SAMLRequest ?? '', 'base64')
        .toString()
        .includes('SignatureValue');

/**
 * The next AuthnRequest once Shibboleth signs it: after a metadata swap that asks for signed
 * requests, shibd may still answer a request or two from the previous metadata, and an unsigned
 * request is acceptable to the IdP, so a cell about signatures must not start before.
 */
async function signedAuthnRequestOf(b: Browser): Promise<Navigation> {
  for (let tries = 0; tries < 20; tries += 1) {
    const request = await authnRequestOf(b);
    if (isSigned(request)) return request;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('Shibboleth kept sending unsigned AuthnRequests with WantAuthnRequestsSigned published');
}

/** Runs `fn` with other IdP metadata installed at Shibboleth, then restores the default. */
async function withIdpMetadata<T>(xml: string, fn: () => Promise<T>): Promise<T> {
  await sp.replaceIdpMetadata(xml);
  try {
    return await fn();
  } finally {
    await sp.replaceIdpMetadata(idp.metadata({ signed: true }));
  }
}

/** Runs `fn` with the SP registered with other IdP-side choices, then registers it as imported again. */
const withRegistration = async <T>(
  choose: (input: ProviderInput) => ProviderInput,
  fn: (r: Registration) => Promise<T>,
): Promise<T> => idp.withRegistration(await sp.metadata(), choose, fn);

/** A fresh browser and user with a Shibboleth session, through IdP-initiated SSO to /secure. */
async function signInUnsolicited(): Promise<Browser> {
  idp.user = newUser();
  const b = browser();
  const { page } = await b.browse(await idp.initiateSso(registration.providerId, sp.secureUrl));
  if (!/protected page/.test(page.body))
    throw new Error(`no session at Shibboleth:\n${page.body.slice(0, 1500)}`);
  return b;
}

/** The SP's SingleLogoutService for a binding, as its metadata lists it. */
function sls(binding: 'SOAP' | 'HTTP-Redirect' | 'HTTP-POST'): string {
  const endpoint = registration.metadata.singleLogoutServices.find((e) =>
    e.binding.endsWith(`:bindings:${binding}`),
  );
  if (!endpoint) throw new Error(`Shibboleth lists no ${binding} SingleLogoutService`);
  return endpoint.location;
}

describe.skipIf(!installed)('Shibboleth SP at its shipped defaults', () => {
  beforeAll(async () => {
    idp = await startPeerIdp({ ca: trusted });
    sp = await startShibboleth({
      idpEntityId: idp.entityId,
      idpMetadata: idp.metadata({ signed: true }),
      idpMetadataSigner: idp.key.certificatePem,
    });
    trusted.push(sp.tlsCertificate);
    registration = await idp.register(await sp.metadata());
  }, 60_000);
  afterAll(async () => {
    await sp?.stop();
    await idp?.close();
  });

  describe('metadata', () => {
    it('loads the IdP metadata signed (Signature filter with the IdP certificate) and unsigned', () => {
      // The running SP loaded the signed metadata; these load it again through `shibd -t`.
      const signed = sp.checkIdpMetadata(idp.metadata({ signed: true }), idp.key.certificatePem);
      expect(signed.ok).toBe(true);
      expect(signed.log).not.toMatch(/ (ERROR|CRIT) /);
      const unsigned = sp.checkIdpMetadata(idp.metadata());
      expect(unsigned.ok).toBe(true);
      expect(unsigned.log).not.toMatch(/ (ERROR|CRIT) /);
    });

    it('refuses signed IdP metadata that was altered, or that another key signed', () => {
      const signed = idp.metadata({ signed: true });
      const altered = signed.replace(`${idp.origin}/sso/redirect`, 'https://attacker.example/sso');
      expect(altered).not.toBe(signed);
      expect(sp.checkIdpMetadata(altered, idp.key.certificatePem).log).toMatch(/ERROR.*(signature|digest)/i);
      expect(sp.checkIdpMetadata(signed, sp.tlsCertificate).log).toMatch(/ERROR.*signature/i);
    });

    it("imports Shibboleth's generated metadata: ACS, every SLS, signing and encryption keys", () => {
      const { provider, metadata } = registration;
      expect(provider.entityId).toBe(sp.entityId);
      expect(provider.acsUrl).toBe(`${sp.origin}/Shibboleth.sso/SAML2/POST`);
      expect(metadata.singleLogoutServices.map((e) => e.binding.split(':').at(-1))).toEqual([
        'SOAP',
        'HTTP-Redirect',
        'HTTP-POST',
        'HTTP-Artifact',
      ]);
      expect(provider.verificationCertificates).toHaveLength(1);
      expect(provider.encryptionCertificate).not.toBeNull();
      expect(metadata.encryptionMethods.length).toBeGreaterThan(0);
    });
  });

  describe('IdP-initiated SSO', () => {
    it('creates a Shibboleth session from an unsolicited Response (encrypted assertion)', async () => {
      const b = await signInUnsolicited();
      const session = await sessionOf(b);
      expect(hasSession(session)).toBe(true);
      expect(session).toMatch(/entitlement<\/strong>: 2 value/);
      const response = Buffer.from(idp.ssoReplies.at(-1)!.form.fields.SAMLResponse!, 'base64').toString();
      expect(response).toContain('EncryptedAssertion');
    });

    it('and from a plain assertion when the IdP does not encrypt for it', async () => {
      await withRegistration(
        (input) => ({ ...input, encryptionCertificate: null }),
        async () => {
          const b = await signInUnsolicited();
          const response = Buffer.from(idp.ssoReplies.at(-1)!.form.fields.SAMLResponse!, 'base64').toString();
          expect(response).not.toContain('EncryptedAssertion');
          expect(await sessionOf(b)).toMatch(/entitlement<\/strong>: 2 value/);
        },
      );
    });
  });

  describe('scoped attributes (eduPersonPrincipalName)', () => {
    it("are kept only when the IdP metadata lists the value's scope (shibmd:Scope), as the shipped attribute policy says", async () => {
      // alice's eduPersonPrincipalName is alice@example.org; the shipped metadata lists no scope.
      expect(await sessionOf(await signInUnsolicited())).not.toMatch(/eppn<\/strong>/);
      await withIdpMetadata(idp.metadata({ signed: true, scopes: ['other.example'] }), async () => {
        expect(await sessionOf(await signInUnsolicited())).not.toMatch(/eppn<\/strong>/);
      });
      await withIdpMetadata(idp.metadata({ signed: true, scopes: ['example.org'] }), async () => {
        const session = await sessionOf(await signInUnsolicited());
        expect(session).toMatch(/eppn<\/strong>: 1 value/);
        expect(session).toMatch(/entitlement<\/strong>: 2 value/);
      });
    });
  });

  describe('SP-initiated SSO when the IdP publishes WantAuthnRequestsSigned', () => {
    it('gets signed AuthnRequests from Shibboleth and signs the user in', async () => {
      await withIdpMetadata(idp.metadata({ signed: true, wantAuthnRequestsSigned: true }), async () => {
        idp.user = newUser();
        const b = browser();
        const request = await signedAuthnRequestOf(b);
        const errors = idp.errors.length;
        const { page } = await b.browse(request);
        expect(idp.errors.slice(errors)).toEqual([]);
        expect(page.body).toMatch(/protected page/);
      });
    });

    it('refuses such a request once altered (SAML_SIGNATURE_INVALID)', async () => {
      await withIdpMetadata(idp.metadata({ signed: true, wantAuthnRequestsSigned: true }), async () => {
        const b = browser();
        const request = await signedAuthnRequestOf(b);
        await b.request(request.method === 'GET' ? tamperRedirect(request) : tamperPost(request, shift));
        expect(idp.errors.at(-1)).toBe('SAML_SIGNATURE_INVALID');
        expect(idp.ssoReplies.at(-1)!.status.success).toBe(false);
      });
    });
  });

  describe('Shibboleth refuses tampered or foreign Responses', () => {
    it('an assertion altered after signing', async () => {
      await withRegistration(
        (input) => ({ ...input, encryptionCertificate: null }),
        async (r) => {
          idp.user = newUser();
          const b = browser();
          const start = await idp.initiateSso(r.providerId, sp.secureUrl);
          const mark = sp.log().length;
          await b.request(
            tamperPost(start, (xml) => xml.replace('alice@example.org', 'mallory@example.org')),
          );
          expect(spProblems(mark)).toMatch(/signature|digest/i);
          expect(hasSession(await sessionOf(b))).toBe(false);
        },
      );
    });

    it('a Response signed by a key not in the IdP metadata', async () => {
      const impostor = await startPeerIdp({ key: 'evil', entityId: idp.entityId });
      try {
        const r = await impostor.register(await sp.metadata());
        const b = browser();
        const mark = sp.log().length;
        await b.browse(await impostor.initiateSso(r.providerId, sp.secureUrl));
        expect(spProblems(mark)).toMatch(/signature|untrusted|trust/i);
        expect(hasSession(await sessionOf(b))).toBe(false);
      } finally {
        await impostor.close();
      }
    });
  });

  describe('Single Logout', () => {
    it('IdP-initiated, front channel (native, HTTP-Redirect): Shibboleth ends its session and answers Success', async () => {
      await withRegistration(
        (input) => ({
          ...input,
          slsUrl: sls('HTTP-Redirect'),
          slsBinding: 'redirect',
          logoutMethod: 'frontchannel_native',
        }),
        async () => {
          const b = await signInUnsolicited();
          const started = await idp.idp.logout(idp.user.id, { returnTo: `${idp.origin}/done` });
          expect(started.reply.kind).toBe('redirect');
          await b.browse({ method: 'GET', url: (started.reply as { url: string }).url });
          expect(idp.logoutResults.at(-1)).toMatchObject({ complete: true, status: 'Success' });
          expect(hasSession(await sessionOf(b))).toBe(false);
        },
      );
    });

    it('SP-initiated logout: Shibboleth gets the LogoutResponse on a browser binding and shows global logout', async () => {
      const b = await signInUnsolicited();
      const errors = idp.errors.length;
      const { page } = await b.browse({ method: 'GET', url: `${sp.origin}/Shibboleth.sso/Logout` });
      expect(idp.errors.slice(errors)).toEqual([]);
      expect(idp.logoutResults.at(-1)!.status).toBe('Success');
      expect(page.body).toMatch(/Global Logout/);
      expect(page.body).not.toMatch(/Partial Logout/);
      expect(hasSession(await sessionOf(b))).toBe(false);
    });

    it('IdP-initiated logout, front channel (native, HTTP-POST)', async () => {
      await withRegistration(
        (input) => ({
          ...input,
          slsUrl: sls('HTTP-POST'),
          slsBinding: 'post',
          logoutMethod: 'frontchannel_native',
        }),
        async () => {
          const b = await signInUnsolicited();
          const started = await idp.idp.logout(idp.user.id, { returnTo: `${idp.origin}/done` });
          expect(started.reply.kind).toBe('post');
          const form = (started.reply as { form: { url: string; fields: Record<string, string> } }).form;
          await b.browse({ method: 'POST', url: form.url, fields: form.fields });
          expect(idp.logoutResults.at(-1)).toMatchObject({ complete: true, status: 'Success' });
          expect(hasSession(await sessionOf(b))).toBe(false);
        },
      );
    });

    it('IdP-initiated, front channel (iframe): Shibboleth ends its session in the frame', async () => {
      await withRegistration(
        (input) => ({
          ...input,
          slsUrl: sls('HTTP-Redirect'),
          slsBinding: 'redirect',
          logoutMethod: 'frontchannel_iframe',
        }),
        async () => {
          const b = await signInUnsolicited();
          const started = await idp.idp.logout(idp.user.id);
          expect(started.iframes).toHaveLength(1);
          await b.browse({ method: 'GET', url: started.iframes[0]!.url! });
          expect(hasSession(await sessionOf(b))).toBe(false);
        },
      );
    });

    it("the IdP refuses Shibboleth's LogoutRequest once altered (SAML_SIGNATURE_INVALID) and keeps the session", async () => {
      const b = await signInUnsolicited();
      const { next } = await b.browse({ method: 'GET', url: `${sp.origin}/Shibboleth.sso/Logout` }, (nav) =>
        nav.url.startsWith(idp.origin),
      );
      expect(next).toBeDefined();
      await b.request(next!.method === 'GET' ? tamperRedirect(next!) : tamperPost(next!, shift));
      expect(idp.errors.at(-1)).toBe('SAML_SIGNATURE_INVALID');
      const stillThere = await idp.idp.logout(idp.user.id);
      expect(stillThere.participants).toHaveLength(1);
    });

    it('Shibboleth refuses a LogoutRequest for its session signed by another key', async () => {
      const impostor = await startPeerIdp({ key: 'evil', entityId: idp.entityId });
      try {
        const b = await signInUnsolicited();
        const issued = idp.ssoReplies.at(-1)!;
        const r = await impostor.register(await sp.metadata(), (input) => ({
          ...input,
          slsUrl: sls('HTTP-Redirect'),
          slsBinding: 'redirect',
          logoutMethod: 'frontchannel_native',
        }));
        await impostor.idp.recordSession({
          providerId: r.providerId,
          userId: idp.user.id,
          nameId: issued.nameId!,
          sessionIndex: issued.sessionIndex!,
        });
        const forged = await impostor.idp.logout(idp.user.id);
        const mark = sp.log().length;
        await b.request({ method: 'GET', url: (forged.reply as { url: string }).url });
        expect(spProblems(mark)).toMatch(/signature|untrusted|trust|authenticated/i);
        expect(hasSession(await sessionOf(b))).toBe(true);
      } finally {
        await impostor.close();
      }
    });
  });

  describe('at the shipped defaults, from the registration as imported', () => {
    it('SP-initiated SSO, HTTP-Redirect AuthnRequest unsigned as shipped (encrypted assertion)', async () => {
      idp.user = newUser();
      const b = browser();
      const errors = idp.errors.length;
      const { page } = await b.browse({ method: 'GET', url: sp.secureUrl });
      expect(idp.errors.slice(errors)).toEqual([]);
      expect(page.body).toMatch(/protected page/);
      expect(await sessionOf(b)).toMatch(/entitlement<\/strong>: 2 value/);
    });

    it('SP-initiated SSO, HTTP-POST AuthnRequest (plain assertion)', async () => {
      await withIdpMetadata(
        idp.metadata({ signed: true, only: ['ssoPost', 'sloRedirect', 'sloPost', 'sloSoap'] }),
        () =>
          withRegistration(
            (input) => ({ ...input, encryptionCertificate: null }),
            async () => {
              idp.user = newUser();
              const b = browser();
              const request = await authnRequestOf(b);
              expect(request.method).toBe('POST');
              const errors = idp.errors.length;
              const { page } = await b.browse(request);
              expect(idp.errors.slice(errors)).toEqual([]);
              expect(page.body).toMatch(/protected page/);
            },
          ),
      );
    });

    it('signed SP-initiated SSO over HTTP-POST (IdP metadata asks for signed requests, POST SSO only)', async () => {
      const choice = {
        signed: true,
        wantAuthnRequestsSigned: true,
        only: ['ssoPost', 'sloRedirect', 'sloPost'],
      } as const;
      await withIdpMetadata(idp.metadata(choice), () =>
        withRegistration(
          (input) => ({ ...input, encryptionCertificate: null }),
          async () => {
            idp.user = newUser();
            const b = browser();
            const request = await signedAuthnRequestOf(b);
            expect(request.method).toBe('POST');
            const errors = idp.errors.length;
            const { page } = await b.browse(request);
            expect(idp.errors.slice(errors)).toEqual([]);
            expect(page.body).toMatch(/protected page/);
            const response = Buffer.from(
              idp.ssoReplies.at(-1)!.form.fields.SAMLResponse!,
              'base64',
            ).toString();
            expect(response).not.toContain('EncryptedAssertion');
          },
        ),
      );
    });

    it('derives back-channel logout from the metadata (it lists a SOAP SingleLogoutService)', () => {
      expect(registration.provider.logoutMethod).toBe('backchannel');
    });

    it('IdP-initiated logout over the back channel (SOAP): Shibboleth answers a LogoutResponse samlkit accepts', async () => {
      await withRegistration(
        (input) => ({ ...input, slsUrl: sls('SOAP'), slsBinding: 'soap', logoutMethod: 'backchannel' }),
        async () => {
          const b = await signInUnsolicited();
          const result = await idp.idp.logout(idp.user.id);
          expect(result.participants.map((p) => [p.outcome, p.reason])).toEqual([['logged_out', undefined]]);
          expect(result.status).toBe('Success');
          expect(hasSession(await sessionOf(b))).toBe(false);
        },
      );
    });

    it('IdP-initiated logout with the registration as imported (no method chosen)', async () => {
      const b = await signInUnsolicited();
      const result = await idp.idp.logout(idp.user.id);
      expect(result.status).toBe('Success');
      expect(result.participants.map((p) => p.outcome)).toEqual(['logged_out']);
      expect(hasSession(await sessionOf(b))).toBe(false);
    });
  });
});

function shift(xml: string): string {
  return xml.replace(/IssueInstant="([^"]+)"/, (_, instant: string) => {
    const moved = new Date(new Date(instant).getTime() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return `IssueInstant="${moved}"`;
  });
}
