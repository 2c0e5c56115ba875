import { createTokenMac, equalSecretText } from '../crypto/index.js';

/** What a CSRF token protects: the login form, or the "log out everywhere" form. */
export type CsrfPurpose = 'login' | 'logout';

/**
 * CSRF tokens bound to a cookie (the signed double-submit pattern): the
 * token is an HMAC of the purpose and the cookie's value under the IdP's
 * secret. A cross-site page can make the browser send the cookie, but can
 * neither read it nor compute the token, and a token from one browser is
 * useless with another browser's cookie.
 */
export interface CsrfTokens {
  create(purpose: CsrfPurpose, cookieValue: string): string;
  check(purpose: CsrfPurpose, cookieValue: string | undefined, token: string | undefined): boolean;
}

export function createCsrfTokens(secret: string): CsrfTokens {
  const key = new TextEncoder().encode(`samlkit serve csrf\u0000${secret}`);
  const create = (purpose: CsrfPurpose, cookieValue: string) => createTokenMac(key, [purpose, cookieValue]);
  return {
    create,
    check(purpose, cookieValue, token) {
      if (cookieValue === undefined || cookieValue === '' || token === undefined) return false;
      return equalSecretText(create(purpose, cookieValue), token);
    },
  };
}
