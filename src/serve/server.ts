import { mkdtemp, readFile, rm } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostForm } from '../bindings/index.js';
import {
  checkStartIdpOptions,
  isInlineOrUrl,
  type ServeMode,
  type StartIdpOptions,
} from '../config/serve-options.js';
import type { KeyPair } from '../crypto/index.js';
import { isSamlError } from '../errors/index.js';
import { respondWithRefusal, writeNodeResponse } from '../http/index.js';
import { createIdentityProvider, type IdentityProvider, type IdentityProviderOptions } from '../idp/index.js';
import { buildIdpMetadata } from '../metadata/index.js';
import { createCsrfTokens } from './csrf.js';
import { loadDevelopmentKeys } from './data-dir.js';
import {
  alterProvider,
  createFaultyStore,
  createForeignKey,
  type Misbehaviour,
  misbehaviours,
} from './misbehaviour.js';
import { writeReply } from './replies.js';
import { readServeRequest } from './requests.js';
import { createRoutes } from './routes.js';
import { registerServiceProviders } from './service-providers.js';
import { createSessionKeeper } from './sessions.js';
import { openStore } from './store-choice.js';
import { loadUsers } from './users.js';

/** A running identity provider, from {@link startIdp}. */
export interface RunningIdp {
  /** The base URL, without a trailing slash. */
  readonly url: string;
  /** The entity ID: `${url}/metadata`. */
  readonly entityId: string;
  /** The IdP metadata XML, also served at `GET /metadata`. */
  readonly metadata: string;
  /** The signing certificate, PEM. */
  readonly certificate: string;
  /** Entity IDs of the registered SPs. */
  readonly serviceProviders: readonly string[];
  /** The data directory holding the development key, certificate and secret. */
  readonly dataDir: string;
  /**
   * Test mode only: who is signed in automatically from now on (no form).
   *
   * @throws TypeError in interactive mode, or for a user that does not exist.
   */
  signInAs(username: string): void;
  /**
   * Test mode only: makes every Response from now on misbehave this way, or
   * honest again with `undefined`.
   *
   * @throws TypeError in interactive mode, or for an unknown fault.
   */
  misbehave(fault: Misbehaviour | undefined): void;
  /** Stops listening, closes open connections and the store, and removes a temporary data directory. */
  close(): Promise<void>;
}

/** Reads PEM text given inline or as a file path. */
async function readPem(value: string): Promise<string> {
  return isInlineOrUrl(value) ? value : readFile(value, 'utf8');
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a SAML identity provider on node:http (or https): metadata, SSO
 * (HTTP-Redirect and HTTP-POST), SLO (HTTP-Redirect, HTTP-POST and SOAP),
 * a login form with sessions, a session page with "Log out everywhere", and
 * IdP-initiated sign-in links, with development keys created in `dataDir`.
 * For SP development and test suites; test mode adds automatic sign-in and
 * deliberate faults.
 *
 * @example
 * const idp = await startIdp({ serviceProviders: [spMetadataXml], mode: 'test', signInAs: 'demo' });
 * // point the SP at idp.metadata, run the test, then:
 * await idp.close();
 *
 * @throws TypeError for invalid options; SamlError `SAML_CONFIG_INVALID` or
 * `SAML_METADATA_INVALID` for unusable users or SP metadata.
 */
export async function startIdp(options: StartIdpOptions = {}): Promise<RunningIdp> {
  const checked = checkStartIdpOptions(options);
  const mode: ServeMode = checked.mode ?? 'interactive';
  const host = checked.host ?? '127.0.0.1';
  const temporary = checked.dataDir === undefined;
  const dataDir = checked.dataDir ?? (await mkdtemp(join(tmpdir(), 'samlkit-serve-')));
  const cleanups: (() => Promise<unknown>)[] = [];
  if (temporary) cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };

  try {
    const users = await loadUsers(checked.users);
    let signedInAs = checked.signInAs;
    if (signedInAs !== undefined && !users.has(signedInAs))
      throw new TypeError(`signInAs names no user: ${JSON.stringify(signedInAs)}`);
    const keys = await loadDevelopmentKeys(dataDir);
    const tls = checked.tls && {
      cert: await readPem(checked.tls.certificate),
      key: await readPem(checked.tls.privateKey),
    };
    const opened = await openStore(checked.store, [keys.key]);
    cleanups.push(() => opened.close());
    const store = opened.store;

    // Listen first: with port 0 the URL, hence the entity ID and endpoints, is known only then.
    let handle: ((incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>) | undefined;
    const listener = (incoming: IncomingMessage, outgoing: ServerResponse) => {
      const run = handle;
      if (run === undefined) {
        outgoing.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('starting\n');
        return;
      }
      run(incoming, outgoing).catch(() => {
        if (!outgoing.headersSent)
          outgoing.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error\n');
        else outgoing.destroy();
      });
    };
    const server: Server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
    // A stalled client cannot hold a connection for long: headers in 10 s, the whole request in 30 s.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(checked.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const url = (checked.baseUrl ?? `${tls ? 'https' : 'http'}://${urlHost(host)}:${port}`).replace(
      /\/+$/,
      '',
    );
    const basePath = new URL(url).pathname.replace(/\/+$/, '');
    const entityId = `${url}/metadata`;
    const endpoints = {
      ssoRedirect: `${url}/sso`,
      ssoPost: `${url}/sso`,
      sloRedirect: `${url}/slo`,
      sloPost: `${url}/slo`,
      sloSoap: `${url}/slo`,
    };
    const maxRelayStateBytes = 2048;
    const facadeOptions: IdentityProviderOptions = {
      entityId,
      signing: { key: keys.key },
      store,
      endpoints,
      sso: { secret: keys.secret },
      maxRelayStateBytes,
      // SPs under development listen on this machine, often over plain http: the back channel
      // (SOAP logout) may reach loopback addresses and http URLs, and nothing else private.
      backchannel: {
        allowTargets: ['127.0.0.0/8', '::1'],
        unsafeAllowHttp: true,
        attempts: 1,
        timeoutMs: 5_000,
      },
    };
    const idp = createIdentityProvider(facadeOptions);
    const metadata = buildIdpMetadata({ entityId, endpoints, signingCertificates: [keys.key] }).xml;
    const registered = await registerServiceProviders(store, checked.serviceProviders ?? [], entityId);

    let fault: Misbehaviour | undefined;
    let foreignKey: KeyPair | undefined;
    const faulty = new Map<Misbehaviour, IdentityProvider>();
    const faultyIdp = (kind: Exclude<Misbehaviour, 'replayed-response'>) => {
      let made = faulty.get(kind);
      if (made === undefined) {
        const alter = (provider: Parameters<typeof alterProvider>[0]) =>
          alterProvider(provider, kind, () => {
            foreignKey ??= createForeignKey();
            return foreignKey;
          });
        made = createIdentityProvider({ ...facadeOptions, store: createFaultyStore(store, alter) });
        faulty.set(kind, made);
      }
      return made;
    };
    const lastResponses = new Map<string, PostForm>();
    const routes = createRoutes({
      url,
      basePath,
      idp,
      faultyIdp,
      store,
      metadata,
      serviceProviders: registered.map((sp) => sp.entityId),
      logoutSchemes: [
        ...new Set(
          registered.flatMap(({ provider }) =>
            [
              provider.slsUrl,
              ...provider.singleLogoutServices.flatMap((sls) => [sls.url, sls.responseUrl ?? '']),
            ]
              .filter((url) => url !== '')
              .map((url) => (url.startsWith('http:') ? 'http:' : 'https:')),
          ),
        ),
      ],
      users,
      sessions: createSessionKeeper(store, () => Date.now()),
      csrf: createCsrfTokens(keys.secret),
      cookies: {
        path: basePath === '' ? '/' : basePath,
        secure: tls !== undefined || url.startsWith('https:'),
      },
      mode,
      signInAs: () => signedInAs,
      misbehaviour: () => fault,
      lastResponses,
      maxRelayStateBytes,
      clock: () => Date.now(),
    });
    handle = async (incoming, outgoing) => {
      let read: Awaited<ReturnType<typeof readServeRequest>>;
      try {
        read = await readServeRequest(incoming);
      } catch (error) {
        if (!isSamlError(error)) throw error;
        await writeNodeResponse(respondWithRefusal(error), outgoing);
        return;
      }
      writeReply(await routes(read.request, read.raw, read.url), outgoing);
    };

    const testOnly = (name: string) => {
      if (mode !== 'test')
        throw new TypeError(`${name} is only available in test mode: start the IdP with mode: 'test'`);
    };
    let closed: Promise<void> | undefined;
    return {
      url,
      entityId,
      metadata,
      certificate: keys.key.certificatePem,
      serviceProviders: registered.map((sp) => sp.entityId),
      dataDir,
      signInAs(username) {
        testOnly('signInAs');
        if (typeof username !== 'string' || !users.has(username))
          throw new TypeError(`signInAs names no user: ${JSON.stringify(username)}`);
        signedInAs = username;
      },
      misbehave(kind) {
        testOnly('misbehave');
        if (kind !== undefined && !misbehaviours.includes(kind))
          throw new TypeError(
            `unknown misbehaviour ${JSON.stringify(kind)}: one of ${misbehaviours.join(', ')}`,
          );
        fault = kind;
      },
      close() {
        closed ??= cleanUp();
        return closed;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
