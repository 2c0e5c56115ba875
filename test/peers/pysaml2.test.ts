/**
 * pysaml2 7.0's Saml2Client as an SP, at pysaml2's defaults, against a samlkit
 * IdP that registered it once from the metadata pysaml2 generates.
 *
 * pysaml2 options a cell sets are named in the cell; none is needed at the
 * defaults, except:
 * - `logout_requests_signed` / `logout_responses_signed` (default false):
 *   SAMLProf §4.4.3.1/§4.4.3.4 require front-channel logout messages to be
 *   authenticated by their sender, and samlkit refuses unsigned ones.
 * - `allow_unsolicited` (default false) for IdP-initiated SSO: pysaml2 refuses
 *   unsolicited Responses unless told otherwise; that is the SP's choice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderInput } from '../../src/index.js';
import { Browser, type Page } from './support/browser.js';
import { type Pysaml2Sp, pysaml2Installed, startPysaml2 } from './support/pysaml2.js';
import {
  type MetadataChoice,
  newUser,
  type PeerIdp,
  type Registration,
  startPeerIdp,
} from './support/samlkit-idp.js';
import { tamperPost } from './support/tamper.js';

const installed = pysaml2Installed();

/**
 * pysaml2 signs with RSA-SHA1 and SHA-1 digests unless told otherwise, whatever the IdP's metadata
 * says; samlkit refuses SHA-1 (SAML_ALGORITHM_FORBIDDEN) unless its `unsafeAllowSha1` opt-in is set.
 */
const sha256 = {
  signing_algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  digest_algorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
};

/** Logout messages signed both ways (see the header): the profile's requirement, not samlkit's. */
const signedLogout = { logout_requests_signed: true, logout_responses_signed: true, ...sha256 };

let idp: PeerIdp;
let sp: Pysaml2Sp;
let registration: Registration;

interface SpAnswer {
  authenticated?: boolean;
  loggedOut?: boolean;
  nameId?: string;
  attributes?: Record<string, string[]>;
  error?: string;
}

const answer = (page: Page): SpAnswer => {
  try {
    return JSON.parse(page.body) as SpAnswer;
  } catch {
    throw new Error(`pysaml2 answered a page, not JSON (HTTP ${page.status}):\n${page.body.slice(0, 1500)}`);
  }
};

/** Rebuilds pysaml2's client with the IdP's metadata (`choice`) and SP options beyond its defaults. */
async function configure(
  sp_options: Record<string, unknown> = {},
  choice: MetadataChoice = {},
): Promise<void> {
  await sp.configure({ idp: { inline: idp.metadata(choice) }, sp: sp_options });
}

/** Re-registers the SP with other IdP-side choices (the IdP's policy for this SP). */
async function register(choose: (input: ProviderInput) => ProviderInput = (input) => input): Promise<void> {
  registration = await idp.register(await sp.metadata(), choose);
}

/** SP-initiated SSO for a fresh user and browser; returns what pysaml2's ACS made of the Response. */
async function signIn(
  binding: 'redirect' | 'post' = 'redirect',
): Promise<{ browser: Browser; result: SpAnswer }> {
  idp.user = newUser();
  const browser = new Browser();
  const { page } = await browser.browse({ method: 'GET', url: `${sp.origin}/login?binding=${binding}` });
  return { browser, result: answer(page) };
}

async function whoami(browser: Browser): Promise<SpAnswer> {
  return answer(await browser.request({ method: 'GET', url: `${sp.origin}/whoami` }));
}

describe.skipIf(!installed)('pysaml2 SP at its defaults', () => {
  beforeAll(async () => {
    idp = await startPeerIdp();
    sp = await startPysaml2();
    await configure();
    await register();
  }, 60_000);
  afterAll(async () => {
    await sp?.stop();
    await idp?.close();
  });

  describe('metadata', () => {
    it('loads the IdP metadata unsigned, and signed through its signed-metadata loader', async () => {
      await expect(configure()).resolves.toBeUndefined();
      idp.served = { signed: true };
      await expect(
        sp.configure({ idp: { remote: `${idp.origin}/metadata`, cert: idp.key.certificatePem } }),
      ).resolves.toBeUndefined();
      idp.served = {};
      await configure();
    });

    it('refuses signed IdP metadata that was altered, or signed by another key', async () => {
      idp.served = {
        signed: true,
        alter: (xml) => xml.replace(`${idp.origin}/sso/redirect`, 'https://attacker.example/sso'),
      };
      await expect(
        sp.configure({ idp: { remote: `${idp.origin}/metadata`, cert: idp.key.certificatePem } }),
      ).rejects.toThrow(/refused/);
      idp.served = { signed: true };
      await expect(
        sp.configure({
          idp: {
            remote: `${idp.origin}/metadata`,
            cert: registration.metadata.signingCertificates[0]!.certificatePem,
          },
        }),
      ).rejects.toThrow(/refused/);
      idp.served = {};
      await configure();
    });

    it("imports pysaml2's metadata: ACS, SLS, signing and encryption certificate", () => {
      const { provider, metadata } = registration;
      expect(provider.entityId).toBe(sp.entityId);
      expect(provider.acsUrl).toBe(`${sp.origin}/acs`);
      expect(provider.slsUrl).toBe(`${sp.origin}/slo`);
      expect(metadata.singleLogoutServices).toHaveLength(2);
      expect(provider.verificationCertificates).toHaveLength(1);
      expect(provider.encryptionCertificate).not.toBeNull();
    });
  });

  describe('SP-initiated SSO with pysaml2 signing its AuthnRequests (authn_requests_signed)', () => {
    // pysaml2 does not sign AuthnRequests by default, nor when the IdP metadata asks
    // (WantAuthnRequestsSigned); these cells turn its option on to exercise signed requests.
    beforeAll(async () => {
      await configure({ authn_requests_signed: true, ...sha256 });
      await register();
    });
    afterAll(async () => {
      await configure();
      await register();
    });

    it('HTTP-Redirect, encrypted assertion', async () => {
      const errors = idp.errors.length;
      const { result } = await signIn('redirect');
      expect(idp.errors.slice(errors)).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.authenticated).toBe(true);
      expect(Buffer.from(idp.ssoReplies.at(-1)!.form.fields.SAMLResponse!, 'base64').toString()).toContain(
        'EncryptedAssertion',
      );
    });

    it('HTTP-POST, plain assertion', async () => {
      await register((input) => ({ ...input, encryptionCertificate: null }));
      const { result } = await signIn('post');
      expect(result.error).toBeUndefined();
      expect(result.authenticated).toBe(true);
      expect(idp.ssoReplies.at(-1)!.form.fields.SAMLResponse).toBeDefined();
      expect(
        Buffer.from(idp.ssoReplies.at(-1)!.form.fields.SAMLResponse!, 'base64').toString(),
      ).not.toContain('EncryptedAssertion');
    });
  });

  describe('IdP-initiated SSO', () => {
    it('pysaml2 refuses unsolicited Responses at its defaults (allow_unsolicited is off)', async () => {
      await register();
      idp.user = newUser();
      const { page } = await new Browser().browse(await idp.initiateSso(registration.providerId));
      expect(answer(page).error).toMatch(/Unsolicited/);
      await register();
    });

    it('with allow_unsolicited, pysaml2 signs the user in from a signed Response', async () => {
      await configure({ allow_unsolicited: true });
      await register();
      try {
        idp.user = newUser();
        const browser = new Browser();
        const { page } = await browser.browse(await idp.initiateSso(registration.providerId));
        expect(answer(page)).toMatchObject({ authenticated: true });
        expect((await whoami(browser)).authenticated).toBe(true);
      } finally {
        await configure();
        await register();
      }
    });
  });

  describe('pysaml2 refuses tampered or foreign Responses', () => {
    beforeAll(async () => {
      await configure({ allow_unsolicited: true });
    });
    afterAll(async () => {
      await configure();
      await register();
    });

    it('a signed Response altered after signing', async () => {
      await register((input) => ({ ...input, encryptionCertificate: null }));
      idp.user = newUser();
      const start = await idp.initiateSso(registration.providerId);
      const page = await new Browser().request(
        tamperPost(start, (xml) =>
          xml.replace(/(<saml:Attribute Name="urn:oid:2\.5\.4\.42"[\s\S]*?>)Alice</, '$1Mallory<'),
        ),
      );
      expect(answer(page).error).toMatch(/Signature|verif/i);
    });

    it('a Response signed by a key not in the IdP metadata', async () => {
      const impostor = await startPeerIdp({ key: 'evil', entityId: idp.entityId });
      try {
        const r = await impostor.register(await sp.metadata());
        const { page } = await new Browser().browse(await impostor.initiateSso(r.providerId));
        expect(answer(page).error).toMatch(/Signature|verif/i);
      } finally {
        await impostor.close();
      }
    });
  });

  describe('Single Logout (signed logout messages, see the header)', () => {
    beforeAll(async () => {
      await configure(
        { ...signedLogout, allow_unsolicited: true },
        { only: ['ssoRedirect', 'ssoPost', 'sloRedirect', 'sloPost'] },
      );
      await register((input) => ({ ...input, logoutMethod: 'frontchannel_native' }));
    });
    afterAll(async () => {
      await configure();
      await register();
    });

    async function signedIn(): Promise<Browser> {
      idp.user = newUser();
      const browser = new Browser();
      const { page } = await browser.browse(await idp.initiateSso(registration.providerId));
      expect(answer(page).authenticated).toBe(true);
      return browser;
    }

    it('SP-initiated over HTTP-Redirect (IdP metadata without SOAP): both sides end the session', async () => {
      const browser = await signedIn();
      const { page } = await browser.browse({ method: 'GET', url: `${sp.origin}/logout` });
      expect(answer(page)).toMatchObject({ loggedOut: true });
      expect(idp.logoutResults.at(-1)!.status).toBe('Success');
      expect((await idp.idp.logout(idp.user.id)).participants).toEqual([]);
    });

    it('SP-initiated when the IdP metadata offers SOAP: pysaml2 prefers SOAP and refuses the signed answer', async () => {
      // pysaml2 re-serializes the SOAP body before verifying the signature, so a correctly
      // signed LogoutResponse fails there (see docs/interop.md). The IdP side succeeds.
      await configure({ ...signedLogout, allow_unsolicited: true });
      try {
        const browser = await signedIn();
        const { page } = await browser.browse({ method: 'GET', url: `${sp.origin}/logout` });
        expect(answer(page).error).toMatch(/SignatureError: Failed to verify signature/);
        expect(idp.logoutResults.at(-1)!.status).toBe('Success');
        expect(idp.logoutResults.at(-1)!.reply.kind).toBe('soap');
      } finally {
        await configure(
          { ...signedLogout, allow_unsolicited: true },
          { only: ['ssoRedirect', 'ssoPost', 'sloRedirect', 'sloPost'] },
        );
      }
    });

    it('IdP-initiated, front channel (native, HTTP-Redirect): pysaml2 answers Success', async () => {
      const browser = await signedIn();
      const started = await idp.idp.logout(idp.user.id, { returnTo: `${idp.origin}/done` });
      expect(started.reply.kind).toBe('redirect');
      await browser.browse({ method: 'GET', url: (started.reply as { url: string }).url });
      expect(idp.logoutResults.at(-1)).toMatchObject({ complete: true, status: 'Success' });
      expect((await whoami(browser)).authenticated).toBe(false);
    });

    it('IdP-initiated, front channel (iframe): pysaml2 ends its session in the frame', async () => {
      await register((input) => ({ ...input, logoutMethod: 'frontchannel_iframe' }));
      try {
        const browser = await signedIn();
        const started = await idp.idp.logout(idp.user.id);
        expect(started.iframes).toHaveLength(1);
        await browser.browse({ method: 'GET', url: started.iframes[0]!.url! });
        expect((await whoami(browser)).authenticated).toBe(false);
      } finally {
        await register((input) => ({ ...input, logoutMethod: 'frontchannel_native' }));
      }
    });

    it('the IdP refuses a LogoutRequest signed by a key not in pysaml2 metadata (SAML_SIGNATURE_INVALID)', async () => {
      const browser = await signedIn();
      const errors = idp.errors.length;
      // pysaml2 signs with its own key; an SP impostor does the same with another one.
      const { next } = await browser.browse({ method: 'GET', url: `${sp.origin}/logout` }, (nav) =>
        nav.url.startsWith(idp.origin),
      );
      const forged = new URL(next!.url);
      forged.searchParams.set('Signature', Buffer.alloc(256, 7).toString('base64'));
      await browser.request({ method: 'GET', url: forged.href });
      expect(idp.errors.slice(errors)).toEqual(['SAML_SIGNATURE_INVALID']);
    });
  });

  describe("at pysaml2's defaults, from the registration as imported", () => {
    it('SP-initiated SSO at the defaults: unsigned AuthnRequest, Response signed by default', async () => {
      const errors = idp.errors.length;
      const { result } = await signIn('redirect');
      expect(idp.errors.slice(errors)).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.authenticated).toBe(true);
    });

    it('SP-initiated SSO at the defaults over HTTP-POST', async () => {
      const errors = idp.errors.length;
      const { result } = await signIn('post');
      expect(idp.errors.slice(errors)).toEqual([]);
      expect(result.authenticated).toBe(true);
    });

    it('IdP-initiated SSO with allow_unsolicited and the registration as imported (Response signed by default)', async () => {
      await configure({ allow_unsolicited: true });
      try {
        idp.user = newUser();
        const { page } = await new Browser().browse(await idp.initiateSso(registration.providerId));
        expect(answer(page).error).toBeUndefined();
        expect(answer(page).authenticated).toBe(true);
      } finally {
        await configure();
      }
    });

    it('derives front-channel native logout from the metadata (no SOAP endpoint), not iframe', () => {
      expect(registration.provider.logoutMethod).toBe('frontchannel_native');
    });
  });
});
