/**
 * The framework-neutral half of an SLO adapter, shared by the Express, Fastify
 * and Hono examples: a raw request in, a status, headers and body out. Each
 * framework file only reads the request as received and writes this result.
 *
 * In your own code, import from 'samlkit' instead of '../src/index.js'.
 */
import { randomBytes } from 'node:crypto';
import {
  encodeSoapFault,
  type FrontChannelStep,
  type HttpInput,
  type IdentityProvider,
  isSamlError,
  type LogoutReply,
  type LogoutResult,
} from '../src/index.js';

/** Where the examples mount the IdP's SingleLogoutService endpoints (one per binding). */
export const sloPaths = {
  redirect: '/saml/slo/redirect',
  post: '/saml/slo/post',
  soap: '/saml/slo/soap',
} as const;

/** The request exactly as it arrived: signatures cover these bytes, so nothing may be re-encoded. */
export interface RawRequest {
  method: string;
  /** Path and query as received (`req.originalUrl`, `request.raw.url`, `incoming.url`). */
  url: string;
  /** The raw body of a POST (urlencoded form or SOAP XML). */
  body?: string;
  contentType?: string;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const isSoap = (request: RawRequest) => request.method === 'POST' && /xml/i.test(request.contentType ?? '');

/** A LogoutResponse is an SP answering a front-channel chain hop; anything else is a LogoutRequest. */
function carriesResponse(request: RawRequest): boolean {
  if (request.method === 'GET') return /[?&]SAMLResponse=/.test(request.url);
  return !isSoap(request) && new URLSearchParams(request.body ?? '').has('SAMLResponse');
}

/**
 * Hands one request to the facade. A refused message changed nothing: it gets
 * a 400 naming the SAML_* code (a SOAP Fault on SOAP) and is never echoed.
 * Anything that is not a SamlError is a bug or an outage: it is rethrown for
 * the framework's own 500 handling.
 */
export async function handleSlo(idp: IdentityProvider, request: RawRequest): Promise<HttpResult> {
  const input: HttpInput = {
    method: request.method,
    query: request.url,
    ...(request.method === 'POST' ? { body: request.body ?? '' } : {}),
    ...(request.contentType ? { contentType: request.contentType } : {}),
  };
  let result: LogoutResult;
  try {
    result = carriesResponse(request)
      ? await idp.handleLogoutResponse(input)
      : await idp.handleLogoutRequest(input);
  } catch (error) {
    if (!isSamlError(error)) throw error;
    return isSoap(request)
      ? {
          status: 500,
          headers: { 'content-type': 'text/xml; charset=utf-8' },
          body: encodeSoapFault('Client', 'request refused'),
        }
      : {
          status: 400,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: `Logout refused (${error.code})`,
        };
  }
  return toHttpResult(result);
}

/** Turns any LogoutResult (also one from `idp.logout(userId)`) into an HTTP response. */
export function toHttpResult(result: LogoutResult): HttpResult {
  const { reply } = result;
  if (reply.kind === 'soap') {
    return { status: 200, headers: { 'content-type': reply.contentType }, body: reply.body };
  }
  if (result.iframes.length > 0) return iframePage(result.iframes, reply);
  if (reply.kind === 'redirect') return { status: 302, headers: { location: reply.url }, body: '' };
  if (reply.kind === 'post') {
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: reply.form.html };
  }
  return { status: 302, headers: { location: reply.returnTo ?? '/' }, body: '' };
}

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const hiddenInputs = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');

/**
 * `frontchannel_iframe` participants: one hidden iframe per SP (a URL, or a
 * form posted into the iframe), then on to the reply. The script runs under
 * a nonce-only Content-Security-Policy; without script the user clicks Continue.
 */
function iframePage(steps: FrontChannelStep[], reply: Exclude<LogoutReply, { kind: 'soap' }>): HttpResult {
  const nonce = randomBytes(16).toString('base64');
  const frames = steps
    .map((step, i) =>
      step.binding === 'redirect'
        ? `<iframe hidden src="${escapeHtml(step.url!)}"></iframe>`
        : `<iframe hidden name="slo-${i}"></iframe><form data-slo hidden method="post" target="slo-${i}" action="${escapeHtml(step.form!.url)}">${hiddenInputs(step.form!.fields)}</form>`,
    )
    .join('');
  const next =
    reply.kind === 'post'
      ? `<form method="post" action="${escapeHtml(reply.form.url)}">${hiddenInputs(reply.form.fields)}<button id="next">Continue</button></form>`
      : `<a id="next" href="${escapeHtml(reply.kind === 'redirect' ? reply.url : (reply.returnTo ?? '/'))}">Continue</a>`;
  const script = `<script nonce="${nonce}">document.querySelectorAll('form[data-slo]').forEach((f) => f.submit());setTimeout(() => document.getElementById('next').click(), 2000);</script>`;
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; frame-src http: https:; form-action http: https:`,
      'referrer-policy': 'no-referrer',
    },
    body: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Signing out</title></head><body><p>Signing you out of every application…</p>${frames}${next}${script}</body></html>`,
  };
}
