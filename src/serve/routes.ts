import type { PostForm } from '../bindings/index.js';
import type { ServeMode } from '../config/serve-options.js';
import { randomHex } from '../crypto/index.js';
import { isSamlError } from '../errors/index.js';
import {
  type RawRequestParts,
  renderFormPage,
  respondWithLogoutResult,
  respondWithRefusal,
  respondWithSoapFault,
} from '../http/index.js';
import { carriesResponse, defaultMaxBodyBytes, isSoap, readHttpInput } from '../http/request.js';
import { methodNotAllowed } from '../http/responses.js';
import type { IdentityProvider, PendingAuthnRequest, SsoDecision, SsoReply, SsoUser } from '../idp/index.js';
import type { Store } from '../store/store.js';
import { type CookieScope, loginCookie, readCookies, sessionCookie, writeCookie } from './cookies.js';
import type { CsrfTokens } from './csrf.js';
import { isRefusal, readForm } from './forms.js';
import { type Misbehaviour, stripSignature } from './misbehaviour.js';
import {
  renderHomePage,
  renderLoginPage,
  renderMessagePage,
  renderSessionPage,
  type ServePage,
} from './pages.js';
import { addCookies, replyFromResponse, type ServeReply } from './replies.js';
import type { ServeRequest } from './requests.js';
import { type LoginSession, referencePattern, type SessionKeeper } from './sessions.js';
import { checkCredentials, toSsoUser, type UserDirectory } from './users.js';

/** Everything the routes read: configuration, the facade, and test mode's current switches. */
export interface RouteContext {
  /** Base URL without a trailing slash. */
  url: string;
  /** Its path (empty at the root), which every route starts with. */
  basePath: string;
  idp: IdentityProvider;
  /** The facade that builds Responses with this fault. */
  faultyIdp(fault: Exclude<Misbehaviour, 'replayed-response'>): IdentityProvider;
  store: Store;
  metadata: string;
  /** Entity IDs of the registered SPs, for the home page. */
  serviceProviders: readonly string[];
  /** The schemes of the registered SPs' logout endpoints, for the session page's `form-action`. */
  logoutSchemes: readonly string[];
  users: UserDirectory;
  sessions: SessionKeeper;
  csrf: CsrfTokens;
  cookies: CookieScope;
  mode: ServeMode;
  /** Test mode: who is signed in automatically now. */
  signInAs(): string | undefined;
  /** Test mode: the fault switched on now. */
  misbehaviour(): Misbehaviour | undefined;
  /** Test mode: the last honest Response to each SP, for `replayed-response`. */
  lastResponses: Map<string, PostForm>;
  maxRelayStateBytes: number;
  clock(): number;
}

const pageResponse = (page: ServePage, cookies: readonly string[] = []): ServeReply => ({
  status: page.status,
  headers: page.headers,
  cookies,
  body: page.html,
});

const message = (status: number, title: string, text: string, cookies: readonly string[] = []) =>
  pageResponse(renderMessagePage(status, title, text), cookies);

const seeOther = (location: string, cookies: readonly string[] = []): ServeReply => ({
  status: 303,
  headers: { location, 'cache-control': 'no-store' },
  cookies,
  body: null,
});

/** A response of samlkit/http's response functions (refusals, logout results: off the login path) as a reply. */
const fromHttp = (response: Response, cookies: readonly string[] = []) =>
  replyFromResponse(response).then((reply) => addCookies(reply, cookies));

/** The query parameters of a page, refusing any name not in `allowed` and any repeated one. */
function pageQuery(url: URL, allowed: readonly string[]): Map<string, string> | undefined {
  const query = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name) || query.has(name)) return undefined;
    query.set(name, value);
  }
  return query;
}

/**
 * The IdP's routes as one web handler: metadata, SSO, SLO, the login form, the
 * session page, "log out everywhere", IdP-initiated sign-in and the home page.
 */
export function createRoutes(
  context: RouteContext,
): (request: ServeRequest, raw: RawRequestParts, url: URL) => Promise<ServeReply> {
  const { basePath, sessions, csrf, users } = context;
  const path = (name: string) => `${basePath}${name}`;
  const clearCookie = (name: string) => writeCookie(name, '', context.cookies, 0);
  const sessionCookieFor = (id: string) => writeCookie(sessionCookie, id, context.cookies);

  /** A return path is one of this IdP's own pages: never another origin, so never an open redirect. */
  const isLocalPath = (value: string): boolean => {
    if (!value.startsWith(`${basePath}/`) || value.startsWith('//') || /[\\\u0000-\u001f\s]/.test(value))
      return false;
    try {
      const origin = new URL(context.url).origin;
      return new URL(value, origin).origin === origin;
    } catch {
      return false;
    }
  };

  async function currentSession(
    request: ServeRequest,
  ): Promise<{ id: string; session: LoginSession } | undefined> {
    const id = readCookies(request).get(sessionCookie);
    if (id === undefined || !referencePattern.test(id)) return undefined;
    const session = await sessions.get(id);
    return session && users.has(session.username) ? { id, session } : undefined;
  }

  /** Test mode's automatic sign-in: the current session when it is already that user's, else a new one. */
  async function automaticSession(
    request: ServeRequest,
    username: string,
    fresh: boolean,
  ): Promise<{ id: string; session: LoginSession; cookies: string[] }> {
    const current = await currentSession(request);
    if (current && current.session.username === username && !fresh) return { ...current, cookies: [] };
    const session: LoginSession = { username, authnInstant: context.clock(), method: 'automatic' };
    const id = await sessions.create(session);
    return { id, session, cookies: [sessionCookieFor(id)] };
  }

  const userOf = (signedIn: { id: string; session: LoginSession }, classRef?: string): SsoUser => {
    const user = users.get(signedIn.session.username)!;
    return toSsoUser(user, { id: signedIn.id, ...signedIn.session }, classRef);
  };

  /**
   * Sends a Response to an SP, honest or, in test mode, with the fault switched on.
   * `build` makes it with the facade it is given.
   */
  async function sendResponse(
    providerId: string,
    build: (idp: IdentityProvider) => Promise<SsoReply>,
    cookies: readonly string[],
  ): Promise<ServeReply> {
    const fault = context.mode === 'test' ? context.misbehaviour() : undefined;
    if (fault === 'replayed-response') {
      const previous = context.lastResponses.get(providerId);
      if (previous === undefined)
        return message(
          409,
          'Nothing to replay',
          'No Response was sent to this service provider yet: sign in once with the fault off.',
          cookies,
        );
      const page = renderFormPage(previous);
      return pageResponse({ status: 200, ...page }, cookies);
    }
    let reply: SsoReply;
    try {
      reply = await build(fault === undefined ? context.idp : context.faultyIdp(fault));
    } catch (error) {
      if (isSamlError(error)) return fromHttp(respondWithRefusal(error), cookies);
      throw error;
    }
    let form = reply.form;
    if (fault === 'unsigned') form = stripSignature(form, context.maxRelayStateBytes);
    else if (fault === undefined && context.mode === 'test' && reply.status.success)
      context.lastResponses.set(providerId, form);
    return pageResponse({ status: 200, ...renderFormPage(form) }, cookies);
  }

  const answerPending = (pending: PendingAuthnRequest, decision: SsoDecision, cookies: readonly string[]) =>
    sendResponse(pending.providerId, (idp) => idp.completeAuthnRequest(pending, decision), cookies);

  /** The login step of SP-initiated SSO: an existing session, test mode's user, NoPassive, or the form. */
  async function login(pending: PendingAuthnRequest, request: ServeRequest): Promise<ServeReply> {
    const forced = pending.request.forceAuthn === true;
    const automatic = context.mode === 'test' ? context.signInAs() : undefined;
    if (automatic !== undefined) {
      const signedIn = await automaticSession(request, automatic, forced);
      // No one typed anything: the automatic sign-in counts as the first context the SP asked for.
      const asked = pending.request.requestedAuthnContext?.classRefs[0];
      return answerPending(pending, { user: userOf(signedIn, asked) }, signedIn.cookies);
    }
    const current = await currentSession(request);
    // ForceAuthn (SAMLCore §3.4.1): the existing session does not count; the form is shown again.
    if (current && !forced) return answerPending(pending, { user: userOf(current) }, []);
    // No session seen here. An AuthnRequest posted from the SP's site carries no SameSite=Lax
    // cookie, but the GET this redirect causes does: /login decides (session, NoPassive or form).
    const reference = await sessions.holdPending(pending);
    return seeOther(`${path('/login')}?request=${reference}`);
  }

  /**
   * A held request the browser's session, or IsPassive, answers without the form:
   * the session when there is one and ForceAuthn is off, else NoPassive when the
   * request is passive (the IdP must not take visible control of the browser).
   */
  async function answerWithoutForm(request: ServeRequest, reference: string, pending: PendingAuthnRequest) {
    const current = await currentSession(request);
    const usable = current !== undefined && pending.request.forceAuthn !== true;
    if (!usable && pending.request.isPassive !== true) return undefined;
    const taken = await sessions.takePending(reference);
    if (taken === undefined)
      return message(400, 'Sign-in request not found', 'This sign-in request was already answered.');
    return usable
      ? answerPending(taken, { user: userOf(current) }, [])
      : answerPending(taken, { status: { code: 'Responder', subCode: 'NoPassive' } }, []);
  }

  /**
   * SingleSignOnService (HTTP-Redirect and HTTP-POST), as samlkit/http's `handlers.sso` answers
   * it, with serve's replies: the AuthnRequest's checks, then the login step.
   */
  async function sso(request: ServeRequest, raw: RawRequestParts): Promise<ServeReply> {
    if (request.method !== 'GET' && request.method !== 'POST') return fromHttp(methodNotAllowed('GET, POST'));
    try {
      const input = await readHttpInput(request, raw, defaultMaxBodyBytes);
      if (isSoap(input)) return fromHttp(methodNotAllowed('GET, POST'));
      const result = await context.idp.receiveAuthnRequest(input);
      if (result.ok) return await login(result.pending, request);
      return result.reply
        ? pageResponse({ status: 200, ...renderFormPage(result.reply.form) })
        : fromHttp(respondWithRefusal(result.error));
    } catch (error) {
      if (isSamlError(error)) return fromHttp(respondWithRefusal(error));
      throw error;
    }
  }

  /** The metadata document (SAMLMeta §4.1.1). */
  function metadata(request: ServeRequest): Promise<ServeReply> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return fromHttp(methodNotAllowed('GET, HEAD'));
    return Promise.resolve({
      status: 200,
      headers: { 'content-type': 'application/samlmetadata+xml; charset=utf-8' },
      cookies: [],
      body: request.method === 'HEAD' ? null : context.metadata,
    });
  }

  /** The pre-session cookie the login form's token is bound to: the browser's own, or a new one. */
  function preSession(request: ServeRequest): { value: string; cookies: string[] } {
    const value = readCookies(request).get(loginCookie);
    if (value !== undefined && referencePattern.test(value)) return { value, cookies: [] };
    const fresh = randomHex(32);
    return { value: fresh, cookies: [writeCookie(loginCookie, fresh, context.cookies)] };
  }

  /**
   * The login page's `request` and `return` values, checked the same way on GET and POST: a
   * refusal page, or the pending sign-in they name (none for a sign-in started at the IdP).
   */
  async function readLoginTarget(reference: string | undefined, returnTo: string | undefined) {
    if (returnTo !== undefined && !isLocalPath(returnTo))
      return message(400, 'Bad request', 'The return address must be a page of this identity provider.');
    if (reference === undefined) return { pending: undefined };
    const pending = referencePattern.test(reference) ? await sessions.peekPending(reference) : undefined;
    if (pending === undefined)
      return message(
        400,
        'Sign-in request not found',
        'This sign-in request is unknown or has expired: start again from the application.',
      );
    return { pending };
  }

  async function showLogin(request: ServeRequest, url: URL): Promise<ServeReply> {
    const query = pageQuery(url, ['request', 'return']);
    if (query === undefined) return message(400, 'Bad request', 'Unexpected or repeated query parameters.');
    const reference = query.get('request');
    const returnTo = query.get('return');
    const target = await readLoginTarget(reference, returnTo);
    if ('body' in target) return target;
    const spEntityId = target.pending?.request.issuer.value;
    if (reference !== undefined && target.pending !== undefined) {
      const answered = await answerWithoutForm(request, reference, target.pending);
      if (answered !== undefined) return answered;
    }
    const pre = preSession(request);
    const page = renderLoginPage({
      action: path('/login'),
      csrf: csrf.create('login', pre.value),
      ...(reference === undefined ? {} : { request: reference }),
      ...(returnTo === undefined ? {} : { returnTo }),
      ...(spEntityId === undefined ? {} : { spEntityId }),
    });
    return pageResponse(page, pre.cookies);
  }

  async function submitLogin(request: ServeRequest): Promise<ServeReply> {
    const form = await readForm(request);
    if (isRefusal(form)) return message(form.status, 'Bad request', form.message);
    for (const name of form.keys()) {
      if (!['csrf', 'username', 'password', 'request', 'return'].includes(name))
        return message(400, 'Bad request', 'The form has an unexpected field.');
    }
    const pre = readCookies(request).get(loginCookie);
    if (!csrf.check('login', pre, form.get('csrf')))
      return message(
        403,
        'Form expired',
        'This form expired or did not come from this site: reload the sign-in page and try again.',
      );
    const reference = form.get('request');
    const returnTo = form.get('return');
    const target = await readLoginTarget(reference, returnTo);
    if ('body' in target) return target;
    const spEntityId = target.pending?.request.issuer.value;
    const username = form.get('username') ?? '';
    const user = await checkCredentials(users, username, form.get('password') ?? '');
    if (user === undefined) {
      const page = renderLoginPage(
        {
          action: path('/login'),
          csrf: csrf.create('login', pre!),
          ...(reference === undefined ? {} : { request: reference }),
          ...(returnTo === undefined ? {} : { returnTo }),
          ...(spEntityId === undefined ? {} : { spEntityId }),
          username: username.slice(0, 256),
          error: 'The username or password is wrong.',
        },
        401,
      );
      return pageResponse(page);
    }
    // A new session ID at every sign-in: a session cookie planted before cannot be taken over.
    const session: LoginSession = {
      username: user.username,
      authnInstant: context.clock(),
      method: 'password',
    };
    const id = await sessions.create(session);
    const cookies = [sessionCookieFor(id), clearCookie(loginCookie)];
    if (reference !== undefined) {
      const pending = await sessions.takePending(reference);
      if (pending === undefined)
        return message(
          400,
          'Sign-in request not found',
          'This sign-in request was already answered.',
          cookies,
        );
      return answerPending(pending, { user: userOf({ id, session }) }, cookies);
    }
    return seeOther(returnTo ?? path('/session'), cookies);
  }

  async function showSession(request: ServeRequest): Promise<ServeReply> {
    const current = await currentSession(request);
    if (current === undefined)
      return pageResponse(renderMessagePage(200, 'Your session', 'You are not signed in.'));
    const participants = await context.store.listParticipantsByUser(
      current.session.username,
      context.clock(),
    );
    const entityIds: string[] = [];
    for (const participant of participants) {
      const provider = await context.store.getProvider(participant.providerId);
      const name = provider?.entityId ?? participant.providerId;
      if (!entityIds.includes(name)) entityIds.push(name);
    }
    return pageResponse(
      renderSessionPage({
        username: current.session.username,
        serviceProviders: entityIds,
        logoutAction: path('/logout'),
        csrf: csrf.create('logout', current.id),
        homeUrl: `${path('/')}`,
        logoutSchemes: context.logoutSchemes,
      }),
    );
  }

  /** "Log out everywhere": IdP-initiated Single Logout of every SP of the user, then the session ends. */
  async function logoutEverywhere(request: ServeRequest): Promise<ServeReply> {
    const form = await readForm(request);
    if (isRefusal(form)) return message(form.status, 'Bad request', form.message);
    const id = readCookies(request).get(sessionCookie);
    if (!csrf.check('logout', id, form.get('csrf')))
      return message(
        403,
        'Form expired',
        'This form expired or did not come from this site: reload your session page.',
      );
    const current = await currentSession(request);
    if (current === undefined) return seeOther(path('/'), [clearCookie(sessionCookie)]);
    const result = await context.idp.logout(current.session.username, { returnTo: `${context.url}/` });
    await sessions.end(current.id);
    return fromHttp(respondWithLogoutResult(result), [clearCookie(sessionCookie)]);
  }

  async function slo(request: ServeRequest, raw: RawRequestParts): Promise<ServeReply> {
    if (request.method !== 'GET' && request.method !== 'POST') return fromHttp(methodNotAllowed('GET, POST'));
    const soap = request.method === 'POST' && /xml/i.test(request.headers.get('content-type') ?? '');
    try {
      const input = await readHttpInput(request, raw, defaultMaxBodyBytes);
      if (carriesResponse(input))
        return fromHttp(respondWithLogoutResult(await context.idp.handleLogoutResponse(input)));
      const result = await context.idp.handleLogoutRequest(input);
      const response = await fromHttp(respondWithLogoutResult(result));
      if (soap) return response;
      // The SP logged the user out: the browser's session with the IdP ends too (SAMLProf §4.4).
      const current = await currentSession(request);
      if (current === undefined || current.session.username !== result.userId) return response;
      await sessions.end(current.id);
      return addCookies(response, [clearCookie(sessionCookie)]);
    } catch (error) {
      if (!isSamlError(error)) throw error;
      return fromHttp(soap ? respondWithSoapFault() : respondWithRefusal(error));
    }
  }

  /** IdP-initiated SSO (SAMLProf §4.1.5): an unsolicited Response to the SP's default ACS. */
  async function initiate(request: ServeRequest, url: URL): Promise<ServeReply> {
    const query = pageQuery(url, ['sp']);
    const entityId = query?.get('sp');
    if (query === undefined || entityId === undefined)
      return message(
        400,
        'Bad request',
        'Name the service provider: /initiate?sp=<entity ID>, and nothing else.',
      );
    const found = await context.store.findProviderByEntityId(entityId);
    if (found === undefined)
      return message(
        404,
        'Unknown service provider',
        'No service provider with this entity ID is registered.',
      );
    const automatic = context.mode === 'test' ? context.signInAs() : undefined;
    const signedIn =
      automatic === undefined
        ? await currentSession(request).then((current) => current && { ...current, cookies: [] as string[] })
        : await automaticSession(request, automatic, false);
    if (signedIn === undefined) {
      const back = `${path('/initiate')}?sp=${encodeURIComponent(entityId)}`;
      return seeOther(`${path('/login')}?return=${encodeURIComponent(back)}`);
    }
    const user = userOf(signedIn);
    return sendResponse(found.id, (idp) => idp.initiateSso(found.id, user), signedIn.cookies);
  }

  async function home(request: ServeRequest): Promise<ServeReply> {
    const current = await currentSession(request);
    const registered = [];
    for (const entityId of context.serviceProviders) {
      registered.push({ entityId, initiateUrl: `${path('/initiate')}?sp=${encodeURIComponent(entityId)}` });
    }
    return pageResponse(
      renderHomePage({
        sessionUrl: path('/session'),
        ...(current === undefined ? {} : { username: current.session.username }),
        serviceProviders: registered,
        mode: context.mode,
      }),
    );
  }

  // `url` is `request.url` parsed once by the caller: a login's URL is long, its query carries the message.
  return async (request, raw, url) => {
    const route = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) || '/' : undefined;
    const method = request.method;
    const only = (allowed: string, run: () => Promise<ServeReply>) =>
      allowed.split(', ').includes(method) ? run() : fromHttp(methodNotAllowed(allowed));
    switch (route) {
      case '/metadata':
        return metadata(request);
      case '/sso':
        return sso(request, raw);
      case '/slo':
        return slo(request, raw);
      case '/login':
        if (method === 'GET') return showLogin(request, url);
        return only('GET, POST', () => submitLogin(request));
      case '/session':
        return only('GET', () => showSession(request));
      case '/logout':
        return only('POST', () => logoutEverywhere(request));
      case '/initiate':
        return only('GET', () => initiate(request, url));
      case '/':
        return only('GET', () => home(request));
      default:
        return message(404, 'Not found', 'There is no page here.');
    }
  };
}
