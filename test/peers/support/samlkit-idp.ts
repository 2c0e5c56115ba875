/**
 * The samlkit IdP the real SPs talk to: `createIdentityProvider` behind a small
 * node:http server on 127.0.0.1 (SSO, SLO on Redirect, POST and SOAP, metadata),
 * which signs the user in at once (the suites test SAML, not a login page).
 * Each SP is registered once from its own metadata with `parseSpMetadata`; the
 * registration adds only the IdP's side (its issuer and signing key).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  buildIdpMetadata,
  createIdentityProvider,
  createMemoryStore,
  type HttpInput,
  type IdentityProvider,
  isSamlError,
  type KeyPair,
  type LogoutReply,
  type LogoutResult,
  type Provider,
  type ProviderInput,
  parseProvider,
  parseSpMetadata,
  type SpMetadata,
  type SsoReply,
  type SsoUser,
} from '../../../src/index.js';
import { type LoopbackServer, listen } from '../../e2e/support.js';
import { keyPair } from '../../support/keys.js';
import type { Navigation } from './browser.js';

let users = 0;

/** A user the IdP has never seen: a test signs one in so its sessions are its own. */
export function newUser(): SsoUser {
  users += 1;
  return { ...alice, id: `alice-${users}-${Date.now()}` };
}

const uri = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';

/**
 * The user the IdP signs in. Attributes are released the way research and
 * education federations name them (X.500/LDAP attribute profile: OID names, URI
 * NameFormat), which Shibboleth's shipped attribute-map.xml maps.
 */
export const alice: SsoUser = {
  id: 'alice-0001',
  email: 'alice@example.org',
  attributes: [
    {
      name: 'urn:oid:0.9.2342.19200300.100.1.3',
      nameFormat: uri,
      friendlyName: 'mail',
      values: 'alice@example.org',
    },
    { name: 'urn:oid:2.5.4.42', nameFormat: uri, friendlyName: 'givenName', values: 'Alice' },
    // Mapped (and let through) by Shibboleth's shipped attribute-map.xml and attribute-policy.xml.
    {
      name: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7',
      nameFormat: uri,
      friendlyName: 'eduPersonEntitlement',
      values: ['urn:mace:example.org:wiki:edit', 'urn:mace:example.org:wiki:read'],
    },
    // Scoped: Shibboleth keeps it only when the IdP's metadata lists the scope (shibmd:Scope).
    {
      name: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
      nameFormat: uri,
      friendlyName: 'eduPersonPrincipalName',
      values: 'alice@example.org',
    },
  ],
};

export interface MetadataChoice {
  /** Sign the EntityDescriptor with the IdP's key. */
  signed?: boolean;
  /** Publish only these endpoints (default: SSO and SLO on Redirect and POST, SLO on SOAP). */
  only?: readonly (keyof IdpEndpoints)[];
  wantAuthnRequestsSigned?: boolean;
  /** `shibmd:Scope` values (Shibboleth keeps scoped attributes only in a listed scope). */
  scopes?: readonly string[];
}

export interface IdpEndpoints {
  ssoRedirect: string;
  ssoPost: string;
  sloRedirect: string;
  sloPost: string;
  sloSoap: string;
}

export interface PeerIdp extends LoopbackServer {
  entityId: string;
  key: KeyPair;
  endpoints: IdpEndpoints;
  idp: IdentityProvider;
  /** The user the IdP signs in at its next SSO (a fresh one per test keeps sessions apart). */
  user: SsoUser;
  /** The IdP's metadata as it publishes it. */
  metadata(options?: MetadataChoice): string;
  /** What GET /metadata serves (default: unsigned, every endpoint); `alter` edits it after signing. */
  served: MetadataChoice & { alter?: (xml: string) => string };
  /**
   * Registers an SP from its metadata (`providerId` = its entity ID); `choose`
   * may change IdP-side choices of that registration (say, not encrypting).
   */
  register(spMetadata: string, choose?: (input: ProviderInput) => ProviderInput): Promise<Registration>;
  /**
   * Runs `fn` with the SP registered from `spMetadata` with other IdP-side
   * choices, then registers it again as imported, whatever `fn` did.
   */
  withRegistration<T>(
    spMetadata: string,
    choose: (input: ProviderInput) => ProviderInput,
    fn: (registration: Registration) => Promise<T>,
  ): Promise<T>;
  /** Every SAML_* code the IdP's endpoints refused, in order. */
  errors: string[];
  /** Every SSO reply the IdP sent, in order. */
  ssoReplies: SsoReply[];
  /** Every LogoutResult of the SLO endpoints, in order. */
  logoutResults: LogoutResult[];
  /** An unsolicited Response (IdP-initiated SSO), as the browser navigation it starts. */
  initiateSso(providerId: string, relayState?: string): Promise<Navigation>;
}

export interface Registration {
  providerId: string;
  metadata: SpMetadata;
  provider: Provider;
}

export interface PeerIdpOptions {
  /** Fixture key name; default `idp`. */
  key?: string;
  /** Default `<origin>/metadata`; an impostor takes the real IdP's. */
  entityId?: string;
  /** PEM certificates the back channel trusts (a peer's per-run TLS certificate); without them, plain http. */
  ca?: string[];
}

function navigationOf(reply: LogoutReply | SsoReply): Navigation | undefined {
  if (reply.kind === 'redirect') return { method: 'GET', url: reply.url };
  if (reply.kind === 'post') return { method: 'POST', url: reply.form.url, fields: reply.form.fields };
  return undefined;
}

export async function startPeerIdp(options: PeerIdpOptions = {}): Promise<PeerIdp> {
  const key = keyPair(options.key ?? 'idp');
  const store = createMemoryStore();
  const errors: string[] = [];
  const ssoReplies: SsoReply[] = [];
  const logoutResults: LogoutResult[] = [];
  let idp!: IdentityProvider;

  const html = (res: ServerResponse, status: number, body: string) =>
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  const refuse = (res: ServerResponse, error: unknown, soap = false) => {
    if (!isSamlError(error)) throw error;
    errors.push(error.code);
    res
      .writeHead(soap ? 500 : 400, { 'content-type': soap ? 'text/xml' : 'text/plain' })
      .end(soap ? '' : `refused: ${error.code}`);
  };

  const handle = async (req: IncomingMessage, body: string, res: ServerResponse): Promise<unknown> => {
    const url = new URL(req.url ?? '/', 'http://idp');
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type'];
    const input: HttpInput = {
      method,
      query: req.url ?? '',
      ...(method === 'POST' ? { body } : {}),
      ...(contentType ? { contentType } : {}),
    };
    if (url.pathname === '/metadata') {
      res
        .writeHead(200, { 'content-type': 'application/samlmetadata+xml' })
        .end((peer.served.alter ?? ((xml: string) => xml))(peer.metadata(peer.served)));
      return;
    }
    if (url.pathname.startsWith('/sso/')) {
      try {
        const result = await idp.receiveAuthnRequest(input);
        if (!result.ok) {
          errors.push(result.error.code);
          if (result.reply) ssoReplies.push(result.reply);
          return result.reply ? html(res, 200, result.reply.form.html) : refuse(res, result.error);
        }
        const reply = await idp.completeAuthnRequest(result.pending, {
          user: { ...peer.user, sessionId: `session-of-${peer.user.id}`, authnInstant: new Date() },
        });
        ssoReplies.push(reply);
        return html(res, 200, reply.form.html);
      } catch (error) {
        return refuse(res, error);
      }
    }
    if (url.pathname.startsWith('/slo/')) {
      const soap = /xml/i.test(contentType ?? '');
      const isResponse =
        method === 'GET'
          ? /[?&]SAMLResponse=/.test(req.url ?? '')
          : !soap && new URLSearchParams(body).has('SAMLResponse');
      try {
        const result = isResponse
          ? await idp.handleLogoutResponse(input)
          : await idp.handleLogoutRequest(input);
        logoutResults.push(result);
        const { reply } = result;
        if (reply.kind === 'soap')
          return res.writeHead(200, { 'content-type': reply.contentType }).end(reply.body);
        if (reply.kind === 'redirect') return res.writeHead(302, { location: reply.url }).end();
        if (reply.kind === 'post') return html(res, 200, reply.form.html);
        return html(res, 200, `<p>logged out (${result.status})</p>`);
      } catch (error) {
        return refuse(res, error, soap);
      }
    }
    res.writeHead(404).end();
  };
  const server = await listen(async (req, body, res) => {
    await handle(req, body, res);
  });

  const origin = server.origin;
  const entityId = options.entityId ?? `${origin}/metadata`;
  const endpoints: IdpEndpoints = {
    ssoRedirect: `${origin}/sso/redirect`,
    ssoPost: `${origin}/sso/post`,
    sloRedirect: `${origin}/slo/redirect`,
    sloPost: `${origin}/slo/post`,
    sloSoap: `${origin}/slo/soap`,
  };
  idp = createIdentityProvider({
    entityId,
    signing: { key },
    store,
    endpoints,
    sso: { secret: 'peer tests: a fixed secret of at least 32 bytes, not for production' },
    // The back channel as shipped (address guard on, https only, built-in client), opened just
    // for the peers on loopback: plain http for the ones without TLS, the per-run CA for Shibboleth.
    backchannel: {
      attempts: 1,
      timeoutMs: 5_000,
      allowTargets: ['127.0.0.1'],
      ...(options.ca ? { tls: { ca: options.ca } } : { unsafeAllowHttp: true }),
    },
  });

  const peer: PeerIdp = {
    ...server,
    entityId,
    key,
    endpoints,
    idp,
    user: alice,
    served: {},
    errors,
    ssoReplies,
    logoutResults,
    metadata: ({ signed = false, only, wantAuthnRequestsSigned, scopes } = {}) =>
      buildIdpMetadata({
        entityId,
        endpoints: only ? Object.fromEntries(only.map((name) => [name, endpoints[name]])) : endpoints,
        signingCertificates: [key],
        ...(signed ? { sign: { key } } : {}),
        ...(wantAuthnRequestsSigned === undefined ? {} : { wantAuthnRequestsSigned }),
        ...(scopes === undefined ? {} : { scopes }),
      }).xml,
    async register(spMetadata, choose = (input) => input) {
      // The peers publish unsigned metadata; the admin fetched it from the SP itself.
      const metadata = parseSpMetadata(spMetadata, { requireSignature: false });
      const input = choose({ ...metadata.provider, issuer: entityId, signingKeyPair: key });
      const provider = parseProvider(input);
      await store.putProvider(metadata.entityId, provider);
      return { providerId: metadata.entityId, metadata, provider };
    },
    async withRegistration(spMetadata, choose, fn) {
      const changed = await peer.register(spMetadata, choose);
      try {
        return await fn(changed);
      } finally {
        await peer.register(spMetadata);
      }
    },
    async initiateSso(providerId, relayState) {
      const reply = await idp.initiateSso(
        providerId,
        { ...peer.user, sessionId: `session-of-${peer.user.id}`, authnInstant: new Date() },
        relayState === undefined ? {} : { relayState },
      );
      ssoReplies.push(reply);
      return navigationOf(reply)!;
    },
  };
  return peer;
}
