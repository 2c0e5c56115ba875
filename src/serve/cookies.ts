/** The login session cookie. */
export const sessionCookie = 'samlkit_session';
/** The pre-session cookie the login form's CSRF token is bound to. */
export const loginCookie = 'samlkit_login';

/** The cookies of a request by name; the first of a repeated name wins, as browsers send the most specific first. */
export function readCookies(request: { headers: Pick<Headers, 'get'> }): Map<string, string> {
  const cookies = new Map<string, string>();
  const header = request.headers.get('cookie');
  if (header === null || header.length > 8192) return cookies;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals === -1) continue;
    const name = part.slice(0, equals).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(equals + 1).trim());
  }
  return cookies;
}

/** Where cookies apply and whether they need https. */
export interface CookieScope {
  path: string;
  secure: boolean;
}

/**
 * A `Set-Cookie` value: HttpOnly (no script reads it), SameSite=Lax (sent on
 * top-level navigations only, so a cross-site POST carries no session), and
 * Secure under TLS. `maxAgeSeconds` 0 deletes the cookie.
 */
export function writeCookie(name: string, value: string, scope: CookieScope, maxAgeSeconds?: number): string {
  return [
    `${name}=${value}`,
    `Path=${scope.path}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(scope.secure ? ['Secure'] : []),
    ...(maxAgeSeconds === undefined ? [] : [`Max-Age=${maxAgeSeconds}`]),
  ].join('; ');
}
