import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { type Issue, SamlError } from '../errors/index.js';
import { createConfigError, toIssuePath } from './issues.js';

/** A user of the development IdP. */
export interface ServeUser {
  /** The name typed in the login form; also the user ID assertions are about. */
  username: string;
  /**
   * The password the login form accepts. Without one, the user can only be
   * signed in by test mode's `signInAs`.
   */
  password?: string;
  /** Attributes released to every SP, by name. `email` also feeds the emailAddress NameID format. */
  attributes?: Record<string, string | string[]>;
}

/**
 * Where the IdP keeps its state. Default: in memory, for one process.
 * `prefix` is the Redis key prefix (default `samlkit:`) or the PostgreSQL schema
 * (default: the connection's search_path).
 */
export type ServeStoreOption = { redis: string; prefix?: string } | { postgres: string; prefix?: string };

/** How an SP hears of a logout: the facade's three logout methods. */
export type ServeLogoutMethod = 'frontchannel_iframe' | 'frontchannel_native' | 'backchannel';

/**
 * An SP to register: its metadata (a file path, an http(s) URL or the XML), and
 * optionally how it is told of a logout. Default: from its metadata, a browser
 * redirect chain (`frontchannel_native`) for Redirect/POST endpoints, the back
 * channel for SOAP only.
 */
export type ServeServiceProvider = string | { metadata: string; logoutMethod?: ServeLogoutMethod };

/** TLS of the IdP's own listener: PEM text or file paths. */
export interface ServeTlsOption {
  certificate: string;
  privateKey: string;
}

/** How the IdP signs users in: a login form, or automatically as the test says. */
export type ServeMode = 'interactive' | 'test';

/** Options of {@link startIdp} (and the JSON of `samlkit serve --config`). */
export interface StartIdpOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on. Default 0: a free port. */
  port?: number;
  /** The public base URL, when a proxy stands in front. Default `http(s)://host:port`. */
  baseUrl?: string;
  /**
   * Where the development signing key, its certificate and the SSO secret are
   * created on first use (and read afterwards; never overwritten). Default: a
   * fresh temporary directory, removed on `close()`.
   */
  dataDir?: string;
  /**
   * SPs to register: each a metadata file path, an http(s) URL (fetched once at
   * start) or metadata XML, or `{ metadata, logoutMethod }` to choose how it is logged out.
   */
  serviceProviders?: ServeServiceProvider[];
  /** A JSON file path holding a user list, or the list. Default: one user `demo` with password `demo`. */
  users?: string | ServeUser[];
  /** Default `interactive`: users sign in with the form. `test` enables `signInAs` and `misbehave`. */
  mode?: ServeMode;
  /** Test mode only: the username signed in automatically, with no form. */
  signInAs?: string;
  /** Default: in memory. Two IdPs on one Redis or PostgreSQL (and one `dataDir`) share sessions. */
  store?: ServeStoreOption;
  /** Serve https (and mark cookies `Secure`) with this certificate and key. */
  tls?: ServeTlsOption;
}

const text = (what: string) => z.string({ error: `must be ${what}` });

const userSchema = z.strictObject({
  username: text('a string')
    .min(1, { error: 'must not be empty' })
    .max(256, { error: 'must be at most 256 characters' })
    .regex(/^[^\s\u0000-\u001f]+$/u, { error: 'must not contain spaces or control characters' }),
  password: text('a string').max(1024, { error: 'must be at most 1024 characters' }).optional(),
  attributes: z
    .record(
      text('a string').min(1, { error: 'must not be empty' }),
      z.union([text('a string'), z.array(text('a string'))], {
        error: 'must be a string or a list of strings',
      }),
      { error: 'must be an object' },
    )
    .optional(),
});

/** The user list of a users file or option. */
export const usersSchema = z.array(userSchema, { error: 'must be a list of users' });

const prefixSchema = text('a key prefix or schema name')
  .regex(/^[A-Za-z_][A-Za-z0-9_:.-]{0,62}$/, { error: 'must be a short name of letters, digits, _ : . -' })
  .optional();

const optionsSchema = z.strictObject({
  host: text('a host name or address').min(1).optional(),
  port: z
    .number({ error: 'must be a port number' })
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be from 0 to 65535' })
    .max(65_535, { error: 'must be from 0 to 65535' })
    .optional(),
  baseUrl: text('an http(s) URL')
    .refine((value) => /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(value) && URL.canParse(value), {
      error: 'must be an http(s) URL without query or fragment',
    })
    .optional(),
  dataDir: text('a directory path').min(1).optional(),
  serviceProviders: z
    .array(
      z.union(
        [
          text('a path, URL or metadata XML').min(1),
          z.strictObject({
            metadata: text('a path, URL or metadata XML').min(1),
            logoutMethod: z
              .enum(['frontchannel_iframe', 'frontchannel_native', 'backchannel'], {
                error: 'must be "frontchannel_iframe", "frontchannel_native" or "backchannel"',
              })
              .optional(),
          }),
        ],
        { error: 'must be a path, URL or metadata XML, or { metadata, logoutMethod }' },
      ),
      { error: 'must be a list' },
    )
    .optional(),
  users: z
    .union([text('a file path').min(1), usersSchema], { error: 'must be a file path or a list of users' })
    .optional(),
  mode: z.enum(['interactive', 'test'], { error: 'must be "interactive" or "test"' }).optional(),
  signInAs: text('a username').min(1).optional(),
  store: z
    .union(
      [
        z.strictObject({
          redis: text('a redis:// URL').regex(/^rediss?:\/\//, { error: 'must be a redis:// URL' }),
          prefix: prefixSchema,
        }),
        z.strictObject({
          postgres: text('a postgres:// URL').regex(/^postgres(ql)?:\/\//, {
            error: 'must be a postgres:// URL',
          }),
          prefix: prefixSchema,
        }),
      ],
      { error: 'must be { "redis": URL } or { "postgres": URL }' },
    )
    .optional(),
  tls: z
    .strictObject({
      certificate: text('PEM text or a file path').min(1),
      privateKey: text('PEM text or a file path').min(1),
    })
    .optional(),
});

/** Issues of one zod parse, as the library reports them. */
function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({ path: toIssuePath(issue.path), message: issue.message }));
}

/** The options with their cross-field rules; `fail` turns the problems into the caller's error. */
function check(value: unknown, fail: (issues: Issue[]) => Error): StartIdpOptions {
  const parsed = optionsSchema.safeParse(value ?? {});
  if (!parsed.success) throw fail(issuesOf(parsed.error));
  const options = parsed.data as StartIdpOptions;
  if (options.signInAs !== undefined && options.mode !== 'test')
    throw fail([{ path: ['signInAs'], message: 'is only available in test mode (mode: "test")' }]);
  return options;
}

/**
 * Checks `startIdp` options: a mistake is a programming error, a `TypeError`
 * naming every problem.
 */
export function checkStartIdpOptions(value: unknown): StartIdpOptions {
  return check(value, (issues) => {
    const list = issues.map((issue) => `${issue.path.join('.') || 'options'} ${issue.message}`).join('; ');
    return new TypeError(`invalid startIdp options: ${list}`);
  });
}

/**
 * Reads a `samlkit serve --config` file: JSON with the fields of
 * `StartIdpOptions`. Relative paths in it (`dataDir`, `users`, SP metadata
 * files, TLS files) are relative to the file.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` naming every problem.
 */
export async function loadServeConfig(path: string): Promise<StartIdpOptions> {
  const raw = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new SamlError('SAML_CONFIG_INVALID', `${path} is not JSON: ${(error as Error).message}`, {
      details: { issues: [{ path: [], message: 'is not valid JSON' }] },
    });
  }
  const options = check(json, (issues) => createConfigError(`invalid serve config ${path}`, issues));
  const base = dirname(resolve(path));
  const local = (value: string) => (isInlineOrUrl(value) ? value : resolve(base, value));
  return {
    ...options,
    ...(options.dataDir === undefined ? {} : { dataDir: resolve(base, options.dataDir) }),
    ...(typeof options.users === 'string' ? { users: resolve(base, options.users) } : {}),
    ...(options.serviceProviders === undefined
      ? {}
      : {
          serviceProviders: options.serviceProviders.map((sp) =>
            typeof sp === 'string' ? local(sp) : { ...sp, metadata: local(sp.metadata) },
          ),
        }),
    ...(options.tls === undefined
      ? {}
      : { tls: { certificate: local(options.tls.certificate), privateKey: local(options.tls.privateKey) } }),
  };
}

/** True for a value given inline (XML or PEM text) or as a URL rather than as a file path. */
export function isInlineOrUrl(value: string): boolean {
  return /^\s*</.test(value) || /^https?:\/\//i.test(value) || value.includes('-----BEGIN ');
}
