/**
 * A scripted browser for the real-SP suites: a cookie jar per origin, manual
 * redirects, and the auto-submit forms of the HTTP-POST binding (samlkit's,
 * Shibboleth's and SimpleSAMLphp's templates). Built on node:http(s) so a
 * per-run TLS certificate can be trusted without touching process-wide settings.
 * Each request opens its own connection (no keep-alive pool shared between requests).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type Navigation =
  | { method: 'GET'; url: string }
  | { method: 'POST'; url: string; fields: Record<string, string> };

export interface Page {
  url: string;
  method: string;
  status: number;
  location?: string;
  contentType: string;
  body: string;
}

export interface BrowserOptions {
  /** PEM certificates trusted for https origins (the peer's per-run certificate). */
  ca?: string[];
  maxHops?: number;
}

const entities = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

export function unescapeHtml(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (match, name: string) => {
    if (name[0] === '#')
      return String.fromCodePoint(
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1)),
      );
    return entities.get(name.toLowerCase()) ?? match;
  });
}

const attribute = (tag: string, name: string) =>
  new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i')
    .exec(tag)
    ?.slice(1)
    .find((v) => v !== undefined);

/**
 * The first `<form method="post">` of a page with its named inputs, as a
 * browser would submit it (hidden fields and the submit button's value are
 * sent; the action is resolved against the page URL).
 */
export function parseForm(
  html: string,
  pageUrl: string,
): { url: string; fields: Record<string, string> } | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form || !/\bmethod\s*=\s*["']?post/i.test(form[1]!)) return undefined;
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(input[0], 'name');
    const type = (attribute(input[0], 'type') ?? 'text').toLowerCase();
    if (name === undefined || type === 'submit' || type === 'button') continue;
    fields[unescapeHtml(name)] = unescapeHtml(attribute(input[0], 'value') ?? '');
  }
  const action = unescapeHtml(attribute(form[1]!, 'action') ?? pageUrl);
  return { url: new URL(action, pageUrl).href, fields };
}

interface Cookie {
  value: string;
  path: string;
}

export class Browser {
  /** Cookies by origin, then name. Origins are kept apart (the IdP and the SP share 127.0.0.1). */
  readonly cookies = new Map<string, Map<string, Cookie>>();
  readonly history: Page[] = [];

  constructor(private readonly options: BrowserOptions = {}) {}

  private cookieHeader(url: URL): string | undefined {
    const jar = this.cookies.get(url.origin);
    if (!jar) return undefined;
    const pairs = [...jar]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([n, c]) => `${n}=${c.value}`);
    return pairs.length > 0 ? pairs.join('; ') : undefined;
  }

  private storeCookies(url: URL, setCookie: string[] | undefined): void {
    if (!setCookie) return;
    const jar = this.cookies.get(url.origin) ?? new Map<string, Cookie>();
    this.cookies.set(url.origin, jar);
    for (const line of setCookie) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path = attributes.map((a) => /^\s*path=(.*)$/i.exec(a)?.[1]).find((p) => p !== undefined) ?? '/';
      const expired = attributes.some((a) => /^\s*expires=.*1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '' || value === 'deleted') jar.delete(name);
      else jar.set(name, { value, path });
    }
  }

  /** One request, no redirect followed. */
  request(
    nav: Navigation | { method: 'POST'; url: string; body: string; contentType: string },
  ): Promise<Page> {
    const url = new URL(nav.url);
    const body =
      nav.method === 'POST'
        ? 'fields' in nav
          ? new URLSearchParams(nav.fields).toString()
          : nav.body
        : undefined;
    const headers: Record<string, string> = { 'user-agent': 'samlkit-peer-tests' };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) {
      headers['content-type'] = 'contentType' in nav ? nav.contentType : 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Page>((resolve, reject) => {
      const req = send(
        url,
        {
          method: nav.method,
          headers,
          ...(this.options.ca ? { ca: this.options.ca } : {}),
          // A connection per request, as samlkit's own client: a pooled keep-alive socket that
          // the server closed while the test process was busy (`shibd -t` runs synchronously)
          // would be reused before its close is read, and the request would end in ECONNRESET.
          agent: false,
          timeout: 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            this.storeCookies(url, res.headers['set-cookie']);
            const location = res.headers.location;
            const page: Page = {
              url: url.href,
              method: nav.method,
              status: res.statusCode ?? 0,
              ...(location ? { location: new URL(location, url).href } : {}),
              contentType: res.headers['content-type'] ?? '',
              body: Buffer.concat(chunks).toString('utf8'),
            };
            this.history.push(page);
            resolve(page);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout: ${nav.method} ${nav.url}`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /**
   * Follows 3xx and auto-submit POST forms until a page that goes nowhere, or
   * until `stopAt` matches the next navigation (returned unperformed).
   */
  async browse(
    start: Navigation,
    stopAt?: (next: Navigation) => boolean,
  ): Promise<{ page: Page; next?: Navigation }> {
    let nav: Navigation = start;
    for (let hop = 0; hop < (this.options.maxHops ?? 16); hop++) {
      const page = await this.request(nav);
      const next = nextNavigation(page);
      if (!next) return { page };
      if (stopAt?.(next)) return { page, next };
      nav = next;
    }
    throw new Error(`too many hops from ${start.url}`);
  }
}

/** The navigation a browser makes after a page: a redirect, or an auto-submit form. */
export function nextNavigation(page: Page): Navigation | undefined {
  if (page.status >= 300 && page.status < 400 && page.location) return { method: 'GET', url: page.location };
  if (page.status === 200 && page.contentType.startsWith('text/html')) {
    const form = parseForm(page.body, page.url);
    if (
      form &&
      (/SAML(Request|Response)|RelayState/.test(Object.keys(form.fields).join(' ')) ||
        /onload/i.test(page.body))
    )
      return { method: 'POST', ...form };
  }
  return undefined;
}
