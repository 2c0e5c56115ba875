import { isSamlError } from '../errors/index.js';
import type { IdentityProvider, PendingAuthnRequest, SsoDecision } from '../idp/index.js';
import type { PageOptions } from './pages.js';
import {
  carriesResponse,
  defaultMaxBodyBytes,
  isSoap,
  type RawRequestParts,
  readHttpInput,
} from './request.js';
import {
  methodNotAllowed,
  respondWithLogoutResult,
  respondWithRefusal,
  respondWithSoapFault,
  respondWithSsoReply,
} from './responses.js';

/** Options of {@link createIdpHandlers}. */
export interface IdpHandlersOptions {
  /**
   * The login step, which stays the application's: called with every
   * AuthnRequest that passed its checks. Return the response that
   * authenticates the user (a login page, or a redirect to one, keeping
   * `pending` in the user's server-side session; it is plain JSON), and once
   * they are, answer with {@link IdpHandlers.completeLogin}. A user who is
   * already signed in can be answered at once: return `completeLogin(pending, { user })`.
   * Required by `sso`.
   */
  login?: (pending: PendingAuthnRequest, request: Request) => Response | Promise<Response>;
  /** The IdP's metadata document (e.g. from `buildIdpMetadata`), or a function that returns it. Required by `metadata`. */
  metadata?: string | (() => string | Promise<string>);
  /**
   * A fresh CSP nonce for each page, when your application sets a nonce-based
   * policy of its own. Default: pages allow their one fixed script by
   * `autoSubmitScriptHash`.
   */
  nonce?: (request: Request) => string | undefined;
  /** Largest request body read, in bytes. Default 1 MiB (a 256 KiB message, base64- and form-encoded). */
  maxBodyBytes?: number;
}

/** The IdP's endpoints as web-standard handlers: a `Request` in, a `Response` out. */
export interface IdpHandlers {
  /**
   * SingleSignOnService, HTTP-Redirect (GET) and HTTP-POST (POST): verifies the
   * AuthnRequest and hands it to `login`. A request that can be attributed to
   * a provider but is refused gets its error Response posted to the provider's
   * registered ACS; anything else is a 400 naming the code.
   */
  sso(request: Request, raw?: RawRequestParts): Promise<Response>;
  /**
   * SingleLogoutService on every binding: a `SAMLResponse` (query on GET,
   * form on POST) continues a native chain, anything else is a
   * LogoutRequest, SOAP included. Refusals are a 400 (a SOAP Fault on SOAP).
   */
  slo(request: Request, raw?: RawRequestParts): Promise<Response>;
  /** The metadata document, as `application/samlmetadata+xml` (SAMLMeta §4.1.1). */
  metadata(request: Request): Promise<Response>;
  /**
   * Ends the login step: the user was authenticated (`{ user }`) or could not be
   * (`{ status }`, e.g. NoPassive). The Response is posted to the SP by a page
   * that submits itself.
   */
  completeLogin(
    pending: PendingAuthnRequest,
    decision: SsoDecision,
    options?: PageOptions,
  ): Promise<Response>;
}

/**
 * The IdP's endpoints on the facade, for any framework that speaks `Request`
 * and `Response` (or node:http through `toNodeHandler`). Errors that are not a
 * `SamlError` (a store outage, a bug) are rethrown for the framework's 500.
 *
 * @example
 * const handlers = createIdpHandlers(idp, { login: (pending) => startLogin(pending), metadata });
 * // GET|POST /saml/sso → handlers.sso, GET|POST /saml/slo → handlers.slo, GET /saml/metadata → handlers.metadata
 */
export function createIdpHandlers(idp: IdentityProvider, options: IdpHandlersOptions = {}): IdpHandlers {
  if (typeof idp?.receiveLogoutRequest !== 'function')
    throw new TypeError('createIdpHandlers needs the facade from createIdentityProvider');
  if (options.login !== undefined && typeof options.login !== 'function')
    throw new TypeError('login must be a function');
  if (options.nonce !== undefined && typeof options.nonce !== 'function')
    throw new TypeError('nonce must be a function');
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw new TypeError('maxBodyBytes must be a positive integer');
  const pageOptions = (request: Request): PageOptions => {
    const nonce = options.nonce?.(request);
    return nonce === undefined ? {} : { nonce };
  };

  async function completeLogin(
    pending: PendingAuthnRequest,
    decision: SsoDecision,
    page: PageOptions = {},
  ): Promise<Response> {
    try {
      return respondWithSsoReply(await idp.completeAuthnRequest(pending, decision), page);
    } catch (error) {
      if (isSamlError(error)) return respondWithRefusal(error);
      throw error;
    }
  }

  async function sso(request: Request, raw: RawRequestParts = {}): Promise<Response> {
    const login = options.login;
    if (login === undefined) throw new TypeError('createIdpHandlers needs a `login` function to serve SSO');
    if (request.method !== 'GET' && request.method !== 'POST') return methodNotAllowed('GET, POST');
    try {
      const input = await readHttpInput(request, raw, maxBodyBytes);
      if (isSoap(input)) return methodNotAllowed('GET, POST');
      const result = await idp.receiveAuthnRequest(input);
      if (result.ok) return await login(result.pending, request);
      return result.reply
        ? respondWithSsoReply(result.reply, pageOptions(request))
        : respondWithRefusal(result.error);
    } catch (error) {
      if (isSamlError(error)) return respondWithRefusal(error);
      throw error;
    }
  }

  async function slo(request: Request, raw: RawRequestParts = {}): Promise<Response> {
    if (request.method !== 'GET' && request.method !== 'POST') return methodNotAllowed('GET, POST');
    const soap = request.method === 'POST' && /xml/i.test(request.headers.get('content-type') ?? '');
    try {
      const input = await readHttpInput(request, raw, maxBodyBytes);
      const result = carriesResponse(input)
        ? await idp.receiveLogoutResponse(input)
        : await idp.receiveLogoutRequest(input);
      if (!result.ok) return soap ? respondWithSoapFault() : respondWithRefusal(result.error);
      return respondWithLogoutResult(result, pageOptions(request));
    } catch (error) {
      if (!isSamlError(error)) throw error;
      return soap ? respondWithSoapFault() : respondWithRefusal(error);
    }
  }

  async function metadata(request: Request): Promise<Response> {
    if (options.metadata === undefined)
      throw new TypeError('createIdpHandlers needs `metadata` to serve the metadata endpoint');
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
    const xml = typeof options.metadata === 'function' ? await options.metadata() : options.metadata;
    return new Response(request.method === 'HEAD' ? null : xml, {
      status: 200,
      headers: { 'content-type': 'application/samlmetadata+xml; charset=utf-8' },
    });
  }

  return { sso, slo, metadata, completeLogin };
}
