import { encodeSoapFault } from '../bindings/index.js';
import type { SamlError } from '../errors/index.js';
import type { LogoutResult, SsoReply } from '../idp/index.js';
import {
  type FrameStep,
  type Page,
  type PageOptions,
  renderFormPage,
  renderIframePage,
  renderMessagePage,
} from './pages.js';

const pageResponse = (page: Page, status = 200) => new Response(page.html, { status, headers: page.headers });

const redirect = (location: string) =>
  new Response(null, { status: 302, headers: { location, 'cache-control': 'no-store' } });

/** An SSO reply as an HTTP response: the Response in a form that posts itself to the SP's ACS. */
export function respondWithSsoReply(reply: SsoReply, options: PageOptions = {}): Response {
  return pageResponse(renderFormPage(reply.form, options));
}

/**
 * Any logout result (from an SLO endpoint, or `idp.logout(userId)`) as an HTTP
 * response: SOAP body, redirect, self-posting form, or, when there are
 * `frontchannel_iframe` participants, the page that loads them first.
 */
export function respondWithLogoutResult(result: LogoutResult, options: PageOptions = {}): Response {
  const { reply } = result;
  if (reply.kind === 'soap') {
    return new Response(reply.body, { status: 200, headers: { 'content-type': reply.contentType } });
  }
  if (result.iframes.length > 0) {
    const steps: FrameStep[] = result.iframes.map((step) =>
      step.binding === 'redirect' ? { url: step.url! } : { form: step.form! },
    );
    const next =
      reply.kind === 'redirect'
        ? { url: reply.url }
        : reply.kind === 'post'
          ? { form: reply.form }
          : reply.returnTo === undefined
            ? undefined
            : { url: reply.returnTo };
    return pageResponse(renderIframePage(steps, next, options));
  }
  if (reply.kind === 'redirect') return redirect(reply.url);
  if (reply.kind === 'post') return pageResponse(renderFormPage(reply.form, options));
  if (reply.returnTo !== undefined) return redirect(reply.returnTo);
  return pageResponse(renderMessagePage('Signed out', 'You have been signed out.'));
}

/**
 * A refused browser message: 400 naming the stable code only. The message,
 * its Issuer or NameID are never echoed; the details stay in `error` for logs.
 */
export function respondWithRefusal(error: SamlError): Response {
  return new Response(`SAML message refused (${error.code})\n`, {
    status: error.code === 'SAML_BINDING_LIMIT_EXCEEDED' ? 413 : 400,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

/** A refused SOAP request: a SOAP 1.1 Client Fault with HTTP 500 (SAMLBind §3.2.3.3, SOAP 1.1 §6.2). */
export function respondWithSoapFault(): Response {
  return new Response(encodeSoapFault('Client', 'request refused'), {
    status: 500,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
  });
}

export function methodNotAllowed(allow: string): Response {
  return new Response('method not allowed\n', {
    status: 405,
    headers: { allow, 'content-type': 'text/plain; charset=utf-8' },
  });
}
