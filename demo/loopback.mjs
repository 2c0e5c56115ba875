/**
 * Loopback plumbing for the demo: HTTP servers on 127.0.0.1 with ports the OS
 * picks, and a user agent that does what a browser does between an IdP and its
 * SPs (follow a Location, submit a form). Nothing here speaks SAML.
 */
import { createServer } from 'node:http';

/** Every server the demo started, so one call closes them all (also when the demo is aborted). */
export function createServerPool(signal) {
  const open = new Set();
  const closeAll = () =>
    Promise.all(
      [...open].map(
        (server) =>
          new Promise((resolve) => {
            open.delete(server);
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  signal.addEventListener('abort', () => void closeAll(), { once: true });

  /** Starts `handler(req, body, res)` on 127.0.0.1:0 and resolves with its origin. */
  async function listen(handler) {
    signal.throwIfAborted();
    const server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        Promise.resolve()
          .then(() => handler(req, Buffer.concat(chunks).toString('utf8'), res))
          .catch((error) => {
            if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
            res.end(error instanceof Error ? error.message : 'error');
          });
      });
    });
    open.add(server);
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    signal.throwIfAborted();
    return `http://127.0.0.1:${server.address().port}`;
  }

  return {
    listen,
    closeAll,
    get size() {
      return open.size;
    },
  };
}

export function sendText(res, status, body, type = 'text/plain') {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8` });
  res.end(body);
}

const namedEntities = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the character references an HTML attribute value may contain. */
export function decodeHtml(value) {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (match, ref) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return String.fromCodePoint(code);
    }
    return namedEntities[ref.toLowerCase()] ?? match;
  });
}

function attributesOf(tag) {
  const attributes = {};
  for (const [, name, doubleQuoted, singleQuoted, bare] of tag.matchAll(
    /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g,
  )) {
    attributes[name.toLowerCase()] = decodeHtml(doubleQuoted ?? singleQuoted ?? bare ?? '');
  }
  return attributes;
}

/**
 * The first form of a page, as a browser would submit it: its method, its
 * action resolved against the page URL, and its named input fields.
 */
export function parseForm(html, pageUrl) {
  const open = /<form\b([^>]*)>/i.exec(html);
  if (!open) return undefined;
  const end = html.indexOf('</form>', open.index);
  const inner = html.slice(open.index + open[0].length, end === -1 ? undefined : end);
  const form = attributesOf(open[1]);
  const fields = {};
  for (const [, tag] of inner.matchAll(/<input\b([^>]*)>/gi)) {
    const input = attributesOf(tag.replace(/\/$/, ''));
    if (input.name && !['submit', 'button', 'image', 'reset'].includes(input.type ?? 'text')) {
      fields[input.name] = input.value ?? '';
    }
  }
  return {
    method: (form.method ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET',
    url: new URL(form.action ?? '', pageUrl).href,
    fields,
  };
}

/**
 * A user agent on loopback: follows 30x Locations and submits the form of a
 * page that has one (what a person clicking "Continue" does), until a page
 * without either. `onRequest` sees every request before it is sent.
 */
export function createBrowser({ signal, onRequest = () => {}, maxHops = 10 }) {
  return async function browse(start) {
    const hops = [];
    let next = start;
    while (next) {
      if (hops.length >= maxHops) throw new Error(`the browser gave up after ${maxHops} hops`);
      onRequest(next);
      const response = await fetch(next.url, {
        method: next.method,
        redirect: 'manual',
        signal,
        ...(next.method === 'POST'
          ? {
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams(next.fields).toString(),
            }
          : {}),
      });
      const body = await response.text();
      const hop = { request: next, status: response.status, body };
      hops.push(hop);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        next = { method: 'GET', url: new URL(location, next.url).href };
      } else if (response.ok && (response.headers.get('content-type') ?? '').startsWith('text/html')) {
        const form = parseForm(body, next.url);
        next = form && form.method === 'POST' ? form : undefined;
        if (form && form.method === 'GET') {
          const url = new URL(form.url);
          for (const [name, value] of Object.entries(form.fields)) url.searchParams.append(name, value);
          next = { method: 'GET', url: url.href };
        }
      } else {
        next = undefined;
      }
    }
    return hops;
  };
}
