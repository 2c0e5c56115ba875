import { loadServeConfig } from '../../config/serve-options.js';
import { type Misbehaviour, misbehaviours, type StartIdpOptions, startIdp } from '../../serve/index.js';
import type { Command } from '../command.js';
import { oneOf, parseCommandLine, UsageError } from '../command-line.js';

const help = `Usage: samlkit serve [--sp <metadata>]... [options]

Runs a SAML identity provider for developing and testing service providers:
metadata, SSO (HTTP-Redirect, HTTP-POST), SLO (HTTP-Redirect, HTTP-POST, SOAP),
a login page with sessions, a session page with "Log out everywhere", and
IdP-initiated sign-in links on its home page. Development keys are created in
the data directory on first run and never overwritten. Stops on SIGTERM or SIGINT.

Options:
  --sp <metadata>       An SP to register: a metadata file, an http(s) URL (fetched once
                        at start) or the XML itself; repeatable
  --sp-iframe <metadata>
                        Like --sp, and that SP is logged out in a hidden iframe
                        (frontchannel_iframe) instead of the redirect chain; repeatable
  --users <file>        A JSON list of users: [{ "username", "password", "attributes" }]
                        (default: one user demo, password demo)
  --config <file>       A JSON file with the options of startIdp (host, port, baseUrl,
                        dataDir, serviceProviders, users, mode, signInAs, store, tls);
                        flags given on the command line win
  --host <address>      Interface to listen on (default 127.0.0.1)
  --port <n>            Port to listen on (default 7000; 0 picks a free one)
  --base-url <url>      Public base URL when a proxy stands in front (default
                        http(s)://host:port); the entity ID is <base-url>/metadata
  --data-dir <dir>      Where the development key, certificate and secret live
                        (default ./.samlkit)
  --redis <url>         Keep sessions and state in Redis (needs ioredis): several
                        serve processes on one Redis and one data directory share sessions
  --postgres <url>      Keep them in PostgreSQL instead (needs pg; the schema is migrated)
  --store-prefix <name> Redis key prefix or PostgreSQL schema (default samlkit: / search_path)
  --cert <file>         TLS certificate (PEM): serve https, session cookie Secure
  --key <file>          TLS private key (PEM), with --cert
  --test-mode           Test-suite mode: enables --sign-in-as and --misbehave
  --sign-in-as <user>   Test mode: sign this user in automatically, with no form
  --misbehave <fault>   Test mode: make every Response misbehave on purpose, one of
                        ${misbehaviours.join(', ')}
  -h, --help

Exit status: 0 stopped by a signal; 1 could not start (e.g. EADDRINUSE, SAML_CONFIG_INVALID,
SAML_METADATA_INVALID); 2 usage error.

Example:
  samlkit serve --sp sp-metadata.xml
`;

const spec = {
  sp: { type: 'string', repeatable: true },
  'sp-iframe': { type: 'string', repeatable: true },
  users: { type: 'string' },
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'base-url': { type: 'string' },
  'data-dir': { type: 'string' },
  redis: { type: 'string' },
  postgres: { type: 'string' },
  'store-prefix': { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'test-mode': { type: 'boolean' },
  'sign-in-as': { type: 'string' },
  misbehave: { type: 'string' },
} as const;

/** The signals that stop the server, waited for once. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run an identity provider for SP development and tests (login page, SSO, SLO)',
  help,
  async run(args, io) {
    const command = 'serve';
    const { values } = parseCommandLine(command, args, spec, { min: 0, max: 0 });
    const testMode = values['test-mode'] === true;
    // The faults and automatic sign-in exist only in test mode: never reachable by a flag alone.
    for (const name of ['sign-in-as', 'misbehave'] as const) {
      if (values[name] !== undefined && !testMode)
        throw new UsageError(`option '--${name}' needs --test-mode`, command);
    }
    const fault = oneOf<Misbehaviour>(command, 'misbehave', values.misbehave, misbehaviours);
    if (values.redis !== undefined && values.postgres !== undefined)
      throw new UsageError("options '--redis' and '--postgres' exclude each other", command);
    if ((values.cert === undefined) !== (values.key === undefined))
      throw new UsageError("options '--cert' and '--key' go together", command);
    if (values['store-prefix'] !== undefined && values.redis === undefined && values.postgres === undefined)
      throw new UsageError("option '--store-prefix' needs --redis or --postgres", command);
    let port: number | undefined;
    if (values.port !== undefined) {
      if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65_535)
        throw new UsageError("option '--port' must be a port number from 0 to 65535", command);
      port = Number(values.port);
    }
    const file: StartIdpOptions = values.config === undefined ? {} : await loadServeConfig(values.config);
    const prefix = values['store-prefix'];
    const store =
      values.redis !== undefined
        ? { redis: values.redis, ...(prefix === undefined ? {} : { prefix }) }
        : values.postgres !== undefined
          ? { postgres: values.postgres, ...(prefix === undefined ? {} : { prefix }) }
          : file.store;
    const sps = [
      ...(values.sp ?? []),
      ...(values['sp-iframe'] ?? []).map((metadata) => ({
        metadata,
        logoutMethod: 'frontchannel_iframe' as const,
      })),
    ];
    const options: StartIdpOptions = {
      ...file,
      port: port ?? file.port ?? 7000,
      dataDir: values['data-dir'] ?? file.dataDir ?? '.samlkit',
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values['base-url'] === undefined ? {} : { baseUrl: values['base-url'] }),
      ...(sps.length === 0 ? {} : { serviceProviders: [...(file.serviceProviders ?? []), ...sps] }),
      ...(values.users === undefined ? {} : { users: values.users }),
      ...(testMode ? { mode: 'test' as const } : {}),
      ...(values['sign-in-as'] === undefined ? {} : { signInAs: values['sign-in-as'] }),
      ...(store === undefined ? {} : { store }),
      ...(values.cert === undefined || values.key === undefined
        ? {}
        : { tls: { certificate: values.cert, privateKey: values.key } }),
    };
    if (options.mode !== 'test' && (fault !== undefined || options.signInAs !== undefined))
      throw new UsageError('signInAs and faults need test mode (--test-mode)', command);
    let idp: Awaited<ReturnType<typeof startIdp>>;
    try {
      idp = await startIdp(options);
    } catch (error) {
      // Option mistakes surface as TypeErrors from startIdp: here they are the user's usage errors.
      if (error instanceof TypeError) throw new UsageError(error.message, command);
      throw error;
    }
    if (fault !== undefined) idp.misbehave(fault);
    const lines = [
      `samlkit serve: identity provider at ${idp.url}`,
      `  metadata (entity ID): ${idp.entityId}`,
      `  data directory:       ${idp.dataDir}`,
      `  service providers:    ${idp.serviceProviders.length === 0 ? 'none (add --sp <metadata>)' : idp.serviceProviders.join(', ')}`,
      ...(options.users === undefined ? ['  users:                demo (password demo)'] : []),
      ...(options.mode === 'test'
        ? [
            `  TEST MODE: ${options.signInAs === undefined ? 'login form' : `signed in automatically as ${options.signInAs}`}` +
              (fault === undefined ? '' : `; every Response misbehaves: ${fault}`),
          ]
        : []),
      'Stop with Ctrl-C (SIGINT) or SIGTERM.',
    ];
    io.out(`${lines.join('\n')}\n`);
    const signal = await stopSignal();
    await idp.close();
    io.out(`samlkit serve: stopped (${signal})\n`);
    return 0;
  },
};
