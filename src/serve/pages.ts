import { escapeHtml } from '../bindings/html-form.js';
import { digestAlgorithms } from '../constants/algorithms.js';
import { digestBase64 } from '../crypto/primitives.js';

/** The pages' one stylesheet, inline and allowed by its hash: no other style applies. */
const stylesheet =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}' +
  'h1{font-size:1.4rem}label{display:block;margin-top:1rem}' +
  'input{display:block;width:100%;box-sizing:border-box;padding:.5rem;font:inherit}' +
  'button{margin-top:1.25rem;padding:.5rem 1.25rem;font:inherit;cursor:pointer}' +
  '.error{color:#a00000;border-left:4px solid #a00000;padding-left:.75rem}' +
  '.note{color:#555;font-size:.9rem}ul{padding-left:1.25rem}';

const styleHash = `'sha256-${digestBase64(digestAlgorithms.sha256, stylesheet)}'`;

/** A page of the IdP: status, HTML and the headers it must be sent with. */
export interface ServePage {
  status: number;
  html: string;
  headers: Record<string, string>;
}

/**
 * No script at all, the one stylesheet by hash, forms post to this IdP only,
 * never framed, no `<base>`, no referrer: the pages handle passwords.
 */
function policyFor(formAction: string): string {
  return [
    "default-src 'none'",
    "script-src 'none'",
    `style-src ${styleHash}`,
    `form-action ${formAction}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function page(status: number, title: string, body: string, formAction = "'self'"): ServePage {
  return {
    status,
    html:
      '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width,initial-scale=1">' +
      `<title>${escapeHtml(title)} · samlkit</title><style>${stylesheet}</style></head>` +
      `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': policyFor(formAction),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    },
  };
}

const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;

/** What the login form carries besides the credentials. */
export interface LoginFormState {
  /** The form's action: `<base path>/login`. */
  action: string;
  csrf: string;
  /** The waiting AuthnRequest's reference. */
  request?: string;
  /** A local path to go to after signing in. */
  returnTo?: string;
  /** The SP the user signs in for, shown to them. */
  spEntityId?: string;
  username?: string;
  error?: string;
}

/** The login form: username, password, the CSRF token and where to go next. */
export function renderLoginPage(state: LoginFormState, status = 200): ServePage {
  const error =
    state.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(state.error)}</p>`;
  const forSp =
    state.spEntityId === undefined
      ? ''
      : `<p class="note">to continue to <strong>${escapeHtml(state.spEntityId)}</strong></p>`;
  const body =
    `${forSp}${error}<form method="post" action="${escapeHtml(state.action)}">` +
    hidden('csrf', state.csrf) +
    (state.request === undefined ? '' : hidden('request', state.request)) +
    (state.returnTo === undefined ? '' : hidden('return', state.returnTo)) +
    '<label for="username">Username</label>' +
    `<input id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(state.username ?? '')}">` +
    '<label for="password">Password</label>' +
    '<input id="password" name="password" type="password" autocomplete="current-password">' +
    '<button type="submit">Sign in</button></form>';
  return page(status, 'Sign in', body);
}

/** What the session page lists. */
export interface SessionPageState {
  username: string;
  /** Entity IDs of the SPs the user signed in to in this session. */
  serviceProviders: string[];
  /** The "log out everywhere" form's action and CSRF token. */
  logoutAction: string;
  csrf: string;
  homeUrl: string;
  /**
   * The schemes (`http:`, `https:`) of the SPs' logout endpoints: "Log out
   * everywhere" may answer with a redirect to one, and browsers check
   * `form-action` on the redirects that follow a form submission too.
   */
  logoutSchemes: readonly string[];
}

/** The signed-in user, the SPs of their session, and "Log out everywhere". */
export function renderSessionPage(state: SessionPageState): ServePage {
  const list =
    state.serviceProviders.length === 0
      ? '<p>You have not signed in to any application yet.</p>'
      : `<p>You are signed in to:</p><ul>${state.serviceProviders.map((sp) => `<li>${escapeHtml(sp)}</li>`).join('')}</ul>`;
  const body =
    `<p>Signed in as <strong>${escapeHtml(state.username)}</strong>.</p>${list}` +
    `<form method="post" action="${escapeHtml(state.logoutAction)}">${hidden('csrf', state.csrf)}` +
    '<button type="submit">Log out everywhere</button></form>' +
    `<p><a href="${escapeHtml(state.homeUrl)}">Home</a></p>`;
  return page(200, 'Your session', body, ["'self'", ...new Set(state.logoutSchemes)].join(' '));
}

/** What the home page shows. */
export interface HomePageState {
  sessionUrl: string;
  username?: string;
  /** Each SP with its IdP-initiated sign-in link. */
  serviceProviders: { entityId: string; initiateUrl: string }[];
  mode: 'interactive' | 'test';
}

/** A small home page: the session page and an IdP-initiated sign-in link per SP. */
export function renderHomePage(state: HomePageState): ServePage {
  const who =
    state.username === undefined
      ? '<p>You are not signed in.</p>'
      : `<p>Signed in as <strong>${escapeHtml(state.username)}</strong>.</p>`;
  const sps =
    state.serviceProviders.length === 0
      ? '<p>No service providers are registered.</p>'
      : `<p>Sign in to:</p><ul>${state.serviceProviders
          .map((sp) => `<li><a href="${escapeHtml(sp.initiateUrl)}">${escapeHtml(sp.entityId)}</a></li>`)
          .join('')}</ul>`;
  const mode =
    state.mode === 'test' ? '<p class="note">Test mode: users are signed in automatically.</p>' : '';
  return page(
    200,
    'samlkit identity provider',
    `${who}${sps}<p><a href="${escapeHtml(state.sessionUrl)}">Your session</a></p>${mode}`,
  );
}

/** A short page stating an outcome or a refusal, with its status. */
export function renderMessagePage(status: number, title: string, message: string): ServePage {
  return page(status, title, `<p>${escapeHtml(message)}</p>`);
}
