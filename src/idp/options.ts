import { maxRelayStateLimit } from '../bindings/receive.js';
import { createConfigError } from '../config/issues.js';
import { isKeyPair, type KeyPair } from '../crypto/keys.js';
import type { Issue } from '../errors/index.js';
import { isHttpUrl } from '../message/build-input.js';
import type { Clock, IdGenerator } from '../message/context.js';
import type { IdpSigning } from '../message/idp-signing.js';
import type { SloEndpoints } from '../slo/context.js';
import type { DeliveryQueue } from '../slo/delivery-queue.js';
import type { EventHandler } from '../slo/events.js';
import type { SsoEndpoints } from '../sso/sso-context.js';
import { checkSsoOptions, type SsoOptions } from '../sso/sso-options.js';
import type { Store } from '../store/store.js';
import type { FetchTransportOptions } from '../transport/index.js';
import type { Transport } from '../transport/transport.js';

/**
 * The identity provider's endpoint URLs: Single Sign-On (`ssoRedirect`,
 * `ssoPost`) and Single Logout (`sloRedirect`, `sloPost`, `sloSoap`). Each
 * is optional; a binding is served only when its endpoint is set.
 */
export interface IdentityProviderEndpoints extends SsoEndpoints, SloEndpoints {}

/** Options of {@link createIdentityProvider}. */
export interface IdentityProviderOptions {
  /** Our entity ID: the Issuer of every message we send, except to a provider with its own `issuer`. */
  entityId: string;
  /**
   * The signing key for SSO and logout alike (a provider's own `signingKeyPair`
   * wins). Every logout message is signed.
   */
  signing: IdpSigning;
  store: Store;
  /**
   * Our encryption key pairs (with private keys; several during rollover), to
   * decrypt an `saml:EncryptedID` in a LogoutRequest once its signature is
   * verified. Publish their certificates in the IdP metadata (`encryptionCertificates`).
   * Default: none, and a LogoutRequest naming its principal only by EncryptedID matches no session.
   */
  decryptionKeys?: readonly KeyPair[];
  /**
   * Our endpoint URLs, checked against incoming Destination attributes. A
   * message is received only on a binding whose endpoint is set: an IdP that
   * only does SSO sets `ssoRedirect` and/or `ssoPost` (with `sso`), one that
   * only does Single Logout sets the `slo*` ones. Default: none.
   */
  endpoints?: IdentityProviderEndpoints;
  /**
   * Single Sign-On: needed by the SSO methods (`receiveAuthnRequest`,
   * `initiateSso`, …) and required with an SSO endpoint. Leave it out for an
   * IdP that only does Single Logout.
   */
  sso?: SsoOptions;
  /** Back-channel delivery; default `createFetchTransport(backchannel)`. */
  transport?: Transport;
  /**
   * Options of the transport the facade creates when `transport` is not given. Its
   * defaults are safe: https only, and no loopback, private, link-local or
   * metadata-service target (checked after DNS, the connection pinned to the
   * checked address). SPs on a private network: `{ allowTargets: ['10.20.0.0/16'] }`.
   */
  backchannel?: FetchTransportOptions;
  /**
   * Hand back-channel deliveries to this queue instead of sending them in process
   * (e.g. `createLogoutQueue` from `samlkit/bullmq`). Those participants are then
   * `queued` in the result, and the queue reports their outcomes. Default: none.
   */
  deliveryQueue?: DeliveryQueue;
  clock?: Clock;
  /** Allowed clock difference with SPs. Default 180 s. */
  clockSkewMs?: number;
  /**
   * Longest RelayState accepted from an SP, in UTF-8 bytes; it is returned byte
   * for byte. Default 2048, at most 8192. SAMLBind §3.4.3 limits senders to 80
   * bytes, but SPs such as SimpleSAMLphp put a return URL there.
   */
  maxRelayStateBytes?: number;
  /** Back-channel deliveries in flight at once, a positive integer. Default 64. */
  concurrency?: number;
  /** Per-attempt back-channel timeout. Default 10 s. */
  backchannelTimeoutMs?: number;
  /** How long a front-channel chain may wait for the next hop. Default 10 minutes. */
  transactionTtlMs?: number;
  generateId?: IdGenerator;
  onEvent?: EventHandler;
}

export const defaults = {
  clockSkewMs: 180_000,
  maxRelayStateBytes: 2048,
  concurrency: 64,
  backchannelTimeoutMs: 10_000,
  transactionTtlMs: 600_000,
} as const;

/** Every option `createIdentityProvider` reads; the type makes a new option fail to compile until listed. */
const knownOptions: Record<keyof IdentityProviderOptions, true> = {
  entityId: true,
  signing: true,
  store: true,
  endpoints: true,
  sso: true,
  transport: true,
  deliveryQueue: true,
  clock: true,
  clockSkewMs: true,
  concurrency: true,
  backchannelTimeoutMs: true,
  transactionTtlMs: true,
  generateId: true,
  onEvent: true,
  backchannel: true,
  maxRelayStateBytes: true,
  decryptionKeys: true,
};
const knownEndpoints: Record<keyof IdentityProviderEndpoints, true> = {
  sloRedirect: true,
  sloPost: true,
  sloSoap: true,
  ssoRedirect: true,
  ssoPost: true,
};

/** Fails fast, with every problem listed, on options that would break a logout half-way. */
export function checkOptions(options: IdentityProviderOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw createConfigError('invalid identity provider options', [
      { path: [], message: 'must be an object' },
    ]);
  }
  const issues: Issue[] = [];
  if (typeof options.entityId !== 'string' || options.entityId === '')
    issues.push({ path: ['entityId'], message: 'must be a non-empty string' });
  const key = options.signing?.key;
  if (!isKeyPair(key) || !key.hasPrivateKey)
    issues.push({
      path: ['signing', 'key'],
      message: 'must be a KeyPair from loadKeyPair with a private key',
    });
  const store = options.store as Partial<Store> | undefined;
  if (typeof store?.getTransaction !== 'function' || typeof store.rememberOnce !== 'function')
    issues.push({ path: ['store'], message: 'must implement Store (e.g. createMemoryStore())' });
  // Misspelt options would otherwise be ignored silently, as parseProvider refuses them.
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(knownOptions, key))
      issues.push({ path: [key], message: 'is not an identity provider option' });
  }
  const endpoints = options.endpoints;
  if (endpoints !== undefined && (typeof endpoints !== 'object' || endpoints === null)) {
    issues.push({ path: ['endpoints'], message: 'must be an object' });
  } else if (endpoints !== undefined) {
    for (const key of Object.keys(endpoints)) {
      if (!Object.hasOwn(knownEndpoints, key))
        issues.push({ path: ['endpoints', key], message: 'is not an endpoint' });
    }
  }
  for (const name of ['sloRedirect', 'sloPost', 'sloSoap'] as const) {
    const value = endpoints?.[name];
    if (value !== undefined && !isHttpUrl(value))
      issues.push({ path: ['endpoints', name], message: 'must be an absolute http(s) URL' });
  }
  const number = (name: keyof typeof defaults, ok: (n: number) => boolean, message: string) => {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && ok(value)))
      issues.push({ path: [name], message });
  };
  number('clockSkewMs', (n) => n >= 0, 'must be a non-negative number of milliseconds');
  number(
    'maxRelayStateBytes',
    (n) => Number.isInteger(n) && n >= 80 && n <= maxRelayStateLimit,
    `must be an integer from 80 to ${maxRelayStateLimit}`,
  );
  number('concurrency', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer');
  number('backchannelTimeoutMs', (n) => n > 0, 'must be a positive number of milliseconds');
  number('transactionTtlMs', (n) => n > 0, 'must be a positive number of milliseconds');
  if (
    options.decryptionKeys !== undefined &&
    !(
      Array.isArray(options.decryptionKeys) &&
      options.decryptionKeys.every((key) => isKeyPair(key) && key.hasPrivateKey && key.keyType === 'rsa')
    )
  )
    issues.push({
      path: ['decryptionKeys'],
      message: 'must be RSA KeyPairs from loadKeyPair with private keys',
    });
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function')
    issues.push({ path: ['onEvent'], message: 'must be a function' });
  if (options.transport !== undefined && options.backchannel !== undefined)
    issues.push({
      path: ['backchannel'],
      message: 'configures the default transport: set it on your transport instead',
    });
  if (options.deliveryQueue !== undefined && typeof options.deliveryQueue?.enqueue !== 'function')
    issues.push({ path: ['deliveryQueue'], message: 'must have an enqueue function' });
  checkSsoOptions(options.sso, options.endpoints, issues);
  checkFeatures(options, issues);
  if (issues.length > 0) throw createConfigError('invalid identity provider options', issues);
}

/**
 * What each feature needs: an SSO endpoint is served only with the `sso`
 * settings, so one without them is a configuration mistake, found now rather
 * than at the first AuthnRequest.
 */
export function checkFeatures(options: IdentityProviderOptions, issues: Issue[]): void {
  const endpoints = options.endpoints;
  const served = (['ssoRedirect', 'ssoPost'] as const).find((name) => endpoints?.[name] !== undefined);
  if (options.sso === undefined && served !== undefined)
    issues.push({ path: ['sso'], message: `is required with endpoints.${served}` });
}
