import { describe, expect, it } from 'vitest';
import { type Issue, idpEndpoints, isSamlError } from '../../src/index.js';

function issuesOf(baseUrl: unknown, slug: unknown): Issue[] {
  try {
    idpEndpoints(baseUrl as string, slug as string);
  } catch (error) {
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    if (!isSamlError(error, 'SAML_CONFIG_INVALID')) throw error;
    return error.details!.issues;
  }
  throw new Error('expected SAML_CONFIG_INVALID');
}

describe('idpEndpoints', () => {
  it('lays the URLs out like authentik', () => {
    expect(idpEndpoints('https://auth.example.org', 'wiki')).toEqual({
      metadata: 'https://auth.example.org/application/saml/wiki/metadata/',
      ssoPost: 'https://auth.example.org/application/saml/wiki/sso/binding/post/',
      ssoRedirect: 'https://auth.example.org/application/saml/wiki/sso/binding/redirect/',
      ssoInit: 'https://auth.example.org/application/saml/wiki/sso/binding/init/',
      sloPost: 'https://auth.example.org/application/saml/wiki/slo/binding/post/',
      sloRedirect: 'https://auth.example.org/application/saml/wiki/slo/binding/redirect/',
    });
  });

  it('matches the url_* fields of the authentik example', () => {
    const endpoints = idpEndpoints('https://auth.example.org/', 'wiki');
    expect(endpoints.ssoPost).toBe('https://auth.example.org/application/saml/wiki/sso/binding/post/');
    expect(endpoints.sloRedirect).toBe(
      'https://auth.example.org/application/saml/wiki/slo/binding/redirect/',
    );
  });

  it('keeps a path prefix and drops trailing slashes', () => {
    expect(idpEndpoints('http://localhost:9000/auth//', 'my_app-2').metadata).toBe(
      'http://localhost:9000/auth/application/saml/my_app-2/metadata/',
    );
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(idpEndpoints('https://idp', 'app'))).toBe(true);
  });

  it.each([
    ['a relative base URL', '/auth', /absolute http/],
    ['a non-http scheme', 'ftp://auth.example.org', /absolute http/],
    ['a base URL with a query', 'https://auth.example.org/?x=1', /query or fragment/],
    ['a base URL with a fragment', 'https://auth.example.org/#top', /fragment/],
    ['a base URL with credentials', 'https://admin:pw@auth.example.org', /credentials/],
    ['a base URL with whitespace', 'https://auth.example.org /', /whitespace/],
    ['a base URL that is not a string', 42, /must be a string/],
  ])('refuses %s', (_label, baseUrl, message) => {
    const issues = issuesOf(baseUrl, 'wiki');
    expect(issues).toEqual([{ path: ['baseUrl'], message: expect.stringMatching(message) }]);
  });

  it.each([
    ['empty', ''],
    ['with a slash', 'a/b'],
    ['with a dot segment', '..'],
    ['with a space', 'my app'],
    ['percent-encoded', 'a%2Fb'],
    ['non-ASCII', 'wikí'],
    ['too long', 'a'.repeat(256)],
    ['not a string', null],
  ])('refuses a slug that is %s', (_label, slug) => {
    expect(issuesOf('https://auth.example.org', slug).map((issue) => issue.path)).toEqual([['slug']]);
  });

  it('reports both arguments at once', () => {
    expect(issuesOf('nope', '../x').map((issue) => issue.path)).toEqual([['baseUrl'], ['slug']]);
  });
});
