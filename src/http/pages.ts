import { escapeHtml } from '../bindings/html-form.js';
import type { PostForm } from '../bindings/index.js';

/**
 * The one script samlkit's pages run: it submits every form marked
 * `data-auto-submit`, then, once the page and its iframes have loaded, follows
 * the element `#continue` after its `data-delay` milliseconds. It is fixed
 * text, so a Content-Security-Policy can allow it by hash alone.
 */
export const autoSubmitScript =
  'document.querySelectorAll("form[data-auto-submit]").forEach(function(f){f.submit()});' +
  'addEventListener("load",function(){var c=document.getElementById("continue");' +
  'if(c)setTimeout(function(){c.click()},Number(c.getAttribute("data-delay"))||0)});';

/**
 * The CSP source that allows {@link autoSubmitScript}: put it in your own
 * `script-src` when you serve samlkit's pages under your policy.
 */
export const autoSubmitScriptHash = "'sha256-HbUSl3eNpXQ5PPyCQeZ+Mdm1ScFLepZQd1YfRd68xRA='";

/** How a page allows its script: the fixed script's hash (default), or a nonce the caller gives. */
export interface PageOptions {
  /**
   * A fresh, unguessable per-response CSP nonce, when your application sets a
   * nonce-based policy of its own. Default: the script is allowed by
   * {@link autoSubmitScriptHash}.
   */
  nonce?: string;
}

/** A page: its HTML and the headers it must be sent with. */
export interface Page {
  html: string;
  headers: Record<string, string>;
}

/** One front-channel logout for an iframe: a URL to load, or a form to post into the frame. */
export type FrameStep = { url: string } | { form: Pick<PostForm, 'url' | 'fields'> };

function scriptTag(options: PageOptions): string {
  const nonce = options.nonce === undefined ? '' : ` nonce="${escapeHtml(options.nonce)}"`;
  return `<script${nonce}>${autoSubmitScript}</script>`;
}

function checkNonce(options: PageOptions): void {
  // A nonce is a base64 value (CSP3 §2.3.1); anything else would break the header.
  if (options.nonce !== undefined && !/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(options.nonce))
    throw new TypeError('nonce must be a base64 value of at least 16 characters');
}

/** The schemes of the URLs a page may post or frame: their origins come from configuration, not from input. */
function schemesOf(urls: readonly string[]): string {
  const schemes = new Set(urls.map((url) => (url.startsWith('http:') ? 'http:' : 'https:')));
  return schemes.size === 0 ? "'none'" : [...schemes].sort().join(' ');
}

/**
 * The policy of a samlkit page: nothing loads but the one script, forms post
 * and frames load only over the schemes the page uses (by scheme rather than
 * origin: browsers check `form-action` on the redirects an SP's endpoint
 * answers with too), no `<base>`, and the page cannot be framed.
 */
function contentSecurityPolicy(
  options: PageOptions,
  forms: readonly string[],
  frames: readonly string[],
): string {
  const script = options.nonce === undefined ? autoSubmitScriptHash : `'nonce-${options.nonce}'`;
  return [
    "default-src 'none'",
    `script-src ${script}`,
    `form-action ${schemesOf(forms)}`,
    ...(frames.length > 0 ? [`frame-src ${schemesOf(frames)}`] : []),
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function headersFor(policy: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': policy,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
}

const hiddenInputs = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');

const document = (title: string, body: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>${title}</title></head><body>${body}</body></html>`;

/**
 * An HTTP-POST message as a page that submits itself (SAMLBind §3.5.4): the
 * form, a Continue button for browsers without script, and the fixed script.
 */
export function renderFormPage(form: Pick<PostForm, 'url' | 'fields'>, options: PageOptions = {}): Page {
  checkNonce(options);
  const body =
    `<form method="post" action="${escapeHtml(form.url)}" data-auto-submit>${hiddenInputs(form.fields)}` +
    '<noscript><p>Your browser does not run scripts: press Continue.</p><button type="submit">Continue</button></noscript>' +
    `</form>${scriptTag(options)}`;
  return {
    html: document('Continue', body),
    headers: headersFor(contentSecurityPolicy(options, [form.url], [])),
  };
}

/**
 * Single Logout of `frontchannel_iframe` participants: one hidden iframe per
 * SP (a URL it loads, or a form posted into it), then on to `next` (when
 * there is somewhere to go) once the page has loaded. Without script the URL iframes still load and the user
 * presses Continue.
 */
export function renderIframePage(
  steps: readonly FrameStep[],
  next: { url: string } | { form: Pick<PostForm, 'url' | 'fields'> } | undefined,
  options: PageOptions & { delayMs?: number } = {},
): Page {
  checkNonce(options);
  const delay = options.delayMs ?? 1500;
  if (!Number.isInteger(delay) || delay < 0) throw new TypeError('delayMs must be a non-negative integer');
  const frames = steps
    .map((step, i) =>
      'url' in step
        ? `<iframe hidden src="${escapeHtml(step.url)}"></iframe>`
        : `<iframe hidden name="slo-${i}"></iframe><form hidden method="post" target="slo-${i}" action="${escapeHtml(step.form.url)}" data-auto-submit>${hiddenInputs(step.form.fields)}</form>`,
    )
    .join('');
  const onward =
    next === undefined
      ? '<p>You will be signed out of these applications once this page has loaded.</p>'
      : 'form' in next
        ? `<form method="post" action="${escapeHtml(next.form.url)}">${hiddenInputs(next.form.fields)}<button id="continue" type="submit" data-delay="${delay}">Continue</button></form>`
        : `<p><a id="continue" href="${escapeHtml(next.url)}" data-delay="${delay}">Continue</a></p>`;
  const forms = [
    ...steps.flatMap((step) => ('form' in step ? [step.form.url] : [])),
    ...(next !== undefined && 'form' in next ? [next.form.url] : []),
  ];
  const framed = steps.map((step) => ('url' in step ? step.url : step.form.url));
  const body = `<p>Signing you out of every application…</p>${frames}${onward}${scriptTag(options)}`;
  return {
    html: document('Signing out', body),
    headers: headersFor(contentSecurityPolicy(options, forms, framed)),
  };
}

/** A short page with a fixed message and no script. */
export function renderMessagePage(title: string, message: string): Page {
  return {
    html: document(escapeHtml(title), `<p>${escapeHtml(message)}</p>`),
    headers: headersFor(contentSecurityPolicy({}, [], []).replace(/script-src [^;]+/, "script-src 'none'")),
  };
}
