import type { Issue } from '../errors/index.js';
import { createConfigError } from './issues.js';
import { describeHttpUrlProblem } from './url.js';

/** The IdP's SAML URLs for one application, laid out as authentik mounts them. */
export interface IdpEndpoints {
  /** Metadata (authentik redirects this to `/api/v3/providers/saml/<pk>/metadata/?download`). */
  readonly metadata: string;
  readonly ssoPost: string;
  readonly ssoRedirect: string;
  /** IdP-initiated SSO; also authentik's launch URL. */
  readonly ssoInit: string;
  readonly sloPost: string;
  readonly sloRedirect: string;
}

/** Django SlugField characters: the slug goes into a path segment unescaped. */
const slugPattern = /^[A-Za-z0-9_-]+$/;
const maxSlugLength = 255;

/**
 * Builds the IdP endpoint URLs of authentik's layout,
 * `<baseUrl>/application/saml/<slug>/{metadata,sso/binding/…,slo/binding/…}/`,
 * so SP metadata and messages can point at an IdP that mirrors authentik's routes.
 * `baseUrl` may carry a path prefix; a trailing slash is dropped.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` when `baseUrl` is not an absolute http(s)
 * URL without query or fragment, or `slug` is not 1–255 of `A-Z a-z 0-9 _ -`.
 */
export function idpEndpoints(baseUrl: string, slug: string): IdpEndpoints {
  const issues: Issue[] = [];
  if (typeof baseUrl !== 'string') {
    issues.push({ path: ['baseUrl'], message: 'must be a string' });
  } else {
    const problem = describeHttpUrlProblem(baseUrl);
    if (problem) issues.push({ path: ['baseUrl'], message: problem });
    else if (/[?#]/.test(baseUrl))
      issues.push({ path: ['baseUrl'], message: 'must not have a query or fragment' });
  }
  if (typeof slug !== 'string' || !slugPattern.test(slug) || slug.length > maxSlugLength) {
    issues.push({ path: ['slug'], message: `must be 1 to ${maxSlugLength} of A-Z a-z 0-9 _ -` });
  }
  if (issues.length > 0) throw createConfigError('invalid IdP endpoint input', issues);

  const root = `${baseUrl.replace(/\/+$/, '')}/application/saml/${slug}`;
  return Object.freeze({
    metadata: `${root}/metadata/`,
    ssoPost: `${root}/sso/binding/post/`,
    ssoRedirect: `${root}/sso/binding/redirect/`,
    ssoInit: `${root}/sso/binding/init/`,
    sloPost: `${root}/slo/binding/post/`,
    sloRedirect: `${root}/slo/binding/redirect/`,
  });
}
