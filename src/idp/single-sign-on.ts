import {
  detectBinding,
  encodePost,
  type HttpInput,
  inspectMessage,
  type PostForm,
  type Received,
} from '../bindings/index.js';
import type { AssertionConsumerService, Provider, ProviderNameIdFormat } from '../config/index.js';
import { authnContextClasses, statusCodes } from '../constants/saml.js';
import { minPairwiseSecretBytes, pairwiseSecretBytes } from '../crypto/index.js';
import { type Issue, isSamlError, SamlError } from '../errors/index.js';
import { type Status, type StatusInput, statusCodeUri } from '../logout/logout-response.js';
import { isHttpUrl } from '../message/build-input.js';
import type { IdGenerator } from '../message/context.js';
import type { NameIdValue } from '../message/header.js';
import type { IdpSigning } from '../slo/participant-request.js';
import {
  type AssertionEncryptionOptions,
  type AttributeInput,
  type AuthnRequest,
  buildResponse,
  checkAuthnRequest,
  createNameId,
  createSessionIndex,
  defaultAssertionConsumerService,
  isRegisteredNameIdFormat,
  issuableNameIdFormats,
  type NameIdSubject,
  parseAuthnRequest,
  satisfiesAuthnContext,
  selectAssertionConsumerService,
  statusForError,
} from '../sso/index.js';
import type { SessionParticipant } from '../store/store.js';
import { findSender, type SenderContext, verifyFromSender } from './provider-messages.js';

/** Single Sign-On settings of `createIdentityProvider`. */
export interface SsoOptions {
  /**
   * At least 32 bytes, kept secret and stable: persistent NameIDs are an HMAC
   * of it, the SP and the user ID (changing it changes every persistent NameID),
   * and SessionIndex and transient values are derived from it and the session.
   */
  secret: string | Uint8Array;
  /**
   * Require a signature on every AuthnRequest, from every provider; publish it
   * as `WantAuthnRequestsSigned="true"` in the IdP metadata. Default false: a
   * signature is required only from providers with `authnRequestsSigned` (their
   * metadata's `AuthnRequestsSigned="true"`), and a present signature is always
   * verified. An unsigned AuthnRequest cannot divert the Response: it goes only
   * to an ACS the provider registered (SAMLProf §4.1.4.1).
   */
  requireSignedAuthnRequests?: boolean;
  /**
   * Authentication context classes from weakest to strongest, for
   * RequestedAuthnContext comparisons `minimum`, `maximum` and `better`
   * (see `satisfiesAuthnContext`). Default: none known, so only equal classes match.
   */
  authnContextRank?: readonly string[];
  /** How long a received AuthnRequest may wait for `completeAuthnRequest`. Default 1 hour. */
  authnRequestTtlMs?: number;
  /**
   * How assertions are encrypted for providers that have an
   * `encryptionCertificate`: one setting for all, or chosen per provider
   * (e.g. AES-128-CBC with `unsafeAllowCbc` for one SP that cannot decrypt
   * AES-GCM). Default AES-256-GCM with RSA-OAEP.
   */
  encryption?:
    | AssertionEncryptionOptions
    | ((provider: Provider, providerId: string) => AssertionEncryptionOptions | undefined);
  /**
   * authentik's install identifier (its `install_id`), for providers whose
   * `nameIdStrategy` is `authentik`: their persistent NameIDs are the hex
   * SHA-256 of `"<user id>-<install id>"`, as authentik issued them.
   */
  authentikInstallId?: string;
  /**
   * authentik's `name_id_mapping`: called for providers whose `nameIdMapping` is
   * set, with that reference; a string it returns is the NameID value (the
   * format stays the negotiated one), `undefined` keeps the strategy's value.
   * A provider with a `nameIdMapping` and no function here cannot sign anyone in.
   */
  nameIdMapping?: (context: NameIdMappingContext) => string | undefined;
}

/** What {@link SsoOptions.nameIdMapping} is called with. */
export interface NameIdMappingContext {
  /** The provider's `nameIdMapping` reference (authentik: the property-mapping UUID). */
  mapping: string;
  user: SsoUser;
  provider: Provider;
  providerId: string;
  format: ProviderNameIdFormat;
}

/** The user an assertion is about, as the caller authenticated them. */
export interface SsoUser extends NameIdSubject {
  /** When the user authenticated. Default: now. Required after a ForceAuthn request. */
  authnInstant?: Date;
  /** How: an AuthnContextClassRef URI (see `authnContextClasses`). Default `unspecified`. */
  authnContextClassRef?: string;
  /** The attributes to release to this SP (the caller's attribute mappings). */
  attributes?: readonly AttributeInput[];
}

/** The caller's answer to an AuthnRequest: the authenticated user, or a refusal such as NoPassive. */
export type SsoDecision = { user: SsoUser } | { status: StatusInput };

/**
 * A verified AuthnRequest waiting for the user to be authenticated. Plain
 * JSON-serializable data: keep it in the user's server-side session across
 * login pages, then pass it to `completeAuthnRequest`.
 */
export interface PendingAuthnRequest {
  providerId: string;
  /** The request as read from verified bytes: ForceAuthn, IsPassive, NameIDPolicy, RequestedAuthnContext, … */
  request: AuthnRequest;
  relayState?: string;
  binding: 'redirect' | 'post';
  signed: boolean;
  /** The registered endpoint the Response goes to. */
  acs: { url: string; index: number };
  /** The NameID format that will be issued and its SPNameQualifier. */
  nameIdFormat: ProviderNameIdFormat;
  spNameQualifier: string;
  /** Epoch milliseconds. */
  receivedAt: number;
}

/** What to send: the Response as an HTTP-POST form to the registered ACS. */
export interface SsoReply {
  kind: 'post';
  form: PostForm;
  providerId: string;
  responseId: string;
  inResponseTo?: string;
  status: Status;
  /** On Success: what was issued, and the session participant recorded for logout. */
  assertionId?: string;
  nameId?: NameIdValue;
  sessionIndex?: string;
  participant?: SessionParticipant;
}

/** Result of `receiveAuthnRequest`: the pending request, or the error and the Response telling the SP. */
export type AuthnRequestResult =
  | { ok: true; pending: PendingAuthnRequest }
  | {
      ok: false;
      error: SamlError;
      providerId: string;
      /** The error Response to the provider's registered ACS; absent only when none could be built. */
      reply?: SsoReply;
    };

/** Options of `initiateSso` (IdP-initiated, unsolicited SSO). */
export interface InitiateSsoOptions {
  /** Default: the provider's `defaultRelayState` when non-empty. */
  relayState?: string;
  /** Default: the provider's `defaultNameIdPolicy`. */
  nameIdFormat?: ProviderNameIdFormat;
  /** A registered ACS index; default: the endpoint at `acsUrl`. */
  acsIndex?: number;
}

/** The Single Sign-On methods of the identity provider facade (SAMLProf §4.1). */
export interface SingleSignOn {
  /**
   * Receives an AuthnRequest (HTTP-Redirect or HTTP-POST) and runs every
   * check: registered Issuer, signature with that provider's certificates,
   * Destination, IssueInstant, replay, a registered ACS by URL or index,
   * HTTP-POST, NameIDPolicy. Returns the pending request to complete after the
   * user is authenticated, or the error and the error Response for the SP.
   *
   * @throws SamlError when the message cannot be attributed to a registered
   * provider (undecodable, unknown Issuer, not an AuthnRequest), or SSO is not configured.
   */
  receiveAuthnRequest(input: HttpInput): Promise<AuthnRequestResult>;
  /**
   * Answers a pending request: a signed (and, for providers with an encryption
   * certificate, encrypted) Response with an assertion about `decision.user`,
   * or the refusal `decision.status`. Records the session participant for
   * Single Logout. Each request is answered once.
   *
   * @throws SamlError `SAML_INPUT_INVALID` (e.g. ForceAuthn without a fresh
   * authnInstant), `SAML_REPLAY_DETECTED`, `SAML_MESSAGE_EXPIRED`, `SAML_ACS_NOT_REGISTERED`.
   */
  completeAuthnRequest(pending: PendingAuthnRequest, decision: SsoDecision): Promise<SsoReply>;
  /**
   * `receiveAuthnRequest` and `completeAuthnRequest` in one call, for a user
   * who is already authenticated: `decide` sees the checked request and returns
   * `{ user }` or `{ status }`. A refused request is answered with its error
   * Response without calling `decide`.
   *
   * @throws SamlError as `receiveAuthnRequest` when there is nobody to answer.
   */
  respondToAuthnRequest(
    input: HttpInput,
    decide: (pending: PendingAuthnRequest) => SsoDecision | Promise<SsoDecision>,
  ): Promise<SsoReply>;
  /**
   * IdP-initiated SSO: an unsolicited Response for `user` to the provider's
   * default (or chosen) ACS, with the provider's `defaultRelayState` unless
   * another is given. Records the session participant.
   *
   * @throws SamlError `SAML_ISSUER_UNKNOWN`, `SAML_ACS_NOT_REGISTERED`,
   * `SAML_NAME_ID_POLICY_UNSUPPORTED` (the user lacks the format's value), `SAML_INPUT_INVALID`.
   */
  initiateSso(providerId: string, user: SsoUser, options?: InitiateSsoOptions): Promise<SsoReply>;
}

/** What the SSO half of the facade needs from the rest of it. */
export interface SsoContext {
  idpEntityId: string;
  /** The Issuer towards this provider: its own `issuer` when set, else `idpEntityId`. */
  issuerFor(provider: Provider): string;
  /** The identity provider's key, for providers without a `signingKeyPair`. */
  signing: IdpSigning;
  /** The RelayState limit of received messages, also used to return it byte for byte. */
  maxRelayStateBytes: number;
  sso: SsoOptions | undefined;
  endpoints: { ssoRedirect?: string; ssoPost?: string };
  sender: SenderContext;
  generateId: IdGenerator;
  recordParticipant(input: {
    providerId: string;
    userId: string;
    nameId: NameIdValue;
    sessionIndex: string;
  }): Promise<SessionParticipant>;
}

const defaultAuthnRequestTtlMs = 3_600_000;

/** Adds the problems of the SSO options to the facade's option check. */
export function checkSsoOptions(
  sso: SsoOptions | undefined,
  endpoints: { ssoRedirect?: unknown; ssoPost?: unknown } | undefined,
  issues: Issue[],
): void {
  for (const name of ['ssoRedirect', 'ssoPost'] as const) {
    const value = endpoints?.[name];
    if (value !== undefined && !isHttpUrl(value))
      issues.push({ path: ['endpoints', name], message: 'must be an absolute http(s) URL' });
  }
  if (sso === undefined) return;
  if (typeof sso !== 'object' || sso === null) {
    issues.push({ path: ['sso'], message: 'must be an object' });
    return;
  }
  const secret = sso.secret;
  if (
    !(typeof secret === 'string' || secret instanceof Uint8Array) ||
    pairwiseSecretBytes(secret).length < minPairwiseSecretBytes
  )
    issues.push({ path: ['sso', 'secret'], message: `must be at least ${minPairwiseSecretBytes} bytes` });
  if (sso.requireSignedAuthnRequests !== undefined && typeof sso.requireSignedAuthnRequests !== 'boolean')
    issues.push({ path: ['sso', 'requireSignedAuthnRequests'], message: 'must be true or false' });
  if (
    sso.authnContextRank !== undefined &&
    !(Array.isArray(sso.authnContextRank) && sso.authnContextRank.every((uri) => typeof uri === 'string'))
  )
    issues.push({ path: ['sso', 'authnContextRank'], message: 'must be an array of URIs' });
  if (sso.encryption !== undefined && !['object', 'function'].includes(typeof sso.encryption))
    issues.push({ path: ['sso', 'encryption'], message: 'must be an object or a function' });
  const installId = sso.authentikInstallId;
  if (installId !== undefined && !(typeof installId === 'string' && installId !== ''))
    issues.push({ path: ['sso', 'authentikInstallId'], message: 'must be a non-empty string' });
  if (sso.nameIdMapping !== undefined && typeof sso.nameIdMapping !== 'function')
    issues.push({ path: ['sso', 'nameIdMapping'], message: 'must be a function' });
  const ttl = sso.authnRequestTtlMs;
  if (ttl !== undefined && !(typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0))
    issues.push({ path: ['sso', 'authnRequestTtlMs'], message: 'must be a positive number of milliseconds' });
}

/**
 * The subject with the provider's NameID mapping applied (authentik's
 * `name_id_mapping`): it replaces the value, never the format.
 *
 * @throws SamlError `SAML_CONFIG_INVALID` when the provider has a mapping and
 * no `sso.nameIdMapping` evaluates it: issuing the strategy's value instead
 * would silently hand the SP a different identifier.
 */
function withMappedNameId(sso: SsoOptions, context: Omit<NameIdMappingContext, 'mapping'>): NameIdSubject {
  const mapping = context.provider.nameIdMapping;
  if (mapping === null) return context.user;
  if (sso.nameIdMapping === undefined) {
    throw new SamlError(
      'SAML_CONFIG_INVALID',
      'the provider has a nameIdMapping but sso.nameIdMapping is not set',
      {
        details: {
          issues: [
            { path: ['sso', 'nameIdMapping'], message: 'is required for providers with a nameIdMapping' },
          ],
        },
      },
    );
  }
  const value = sso.nameIdMapping({ ...context, mapping });
  if (value === undefined) return context.user;
  if (typeof value !== 'string' || value === '')
    throw new TypeError('sso.nameIdMapping must return a non-empty string or undefined');
  return { ...context.user, nameId: value };
}

/** The Status a reply reports, as URIs like a parsed one. */
function statusOf(input: StatusInput): Status {
  const sub = input.subCode === undefined ? undefined : statusCodeUri(input.subCode);
  return {
    code: statusCodes[input.code],
    ...(sub === undefined ? {} : { subCode: sub }),
    ...(input.message === undefined ? {} : { message: input.message }),
    success: input.code === 'Success',
  };
}

/**
 * SP-initiated and IdP-initiated Web SSO (SAMLProf §4.1) on top of the
 * message functions: receive and check an AuthnRequest, let the caller
 * authenticate the user, answer with a signed Response to a registered ACS
 * by HTTP-POST, and record the session participant for Single Logout.
 */
export function createSingleSignOn(context: SsoContext): SingleSignOn {
  const { store, clock } = context.sender;

  const settings = (): SsoOptions => {
    if (!context.sso) {
      throw new SamlError('SAML_CONFIG_INVALID', 'Single Sign-On is not configured (no sso option)', {
        details: { issues: [{ path: ['sso'], message: 'is required for Single Sign-On' }] },
      });
    }
    return context.sso;
  };

  const endpointFor = (binding: 'redirect' | 'post'): string => {
    const url = binding === 'redirect' ? context.endpoints.ssoRedirect : context.endpoints.ssoPost;
    if (url === undefined) {
      const name = binding === 'redirect' ? 'ssoRedirect' : 'ssoPost';
      throw new SamlError('SAML_CONFIG_INVALID', `no SSO endpoint for this binding (endpoints.${name})`, {
        details: {
          issues: [{ path: ['endpoints', name], message: 'is required to receive AuthnRequests on it' }],
        },
      });
    }
    return url;
  };

  async function providerById(providerId: string): Promise<Provider> {
    const provider = await store.getProvider(providerId);
    if (!provider) throw new SamlError('SAML_ISSUER_UNKNOWN', 'no provider with this id');
    return provider;
  }

  /** Builds, signs (and encrypts) a Response and wraps it in the POST form for the ACS. */
  function reply(
    providerId: string,
    provider: Provider,
    acs: Pick<AssertionConsumerService, 'url'>,
    parts: {
      inResponseTo?: string;
      relayState?: string;
      status: StatusInput;
      assertion?: Parameters<typeof buildResponse>[0]['assertion'];
    },
  ): SsoReply {
    const choice = context.sso?.encryption;
    const encryption = typeof choice === 'function' ? choice(provider, providerId) : choice;
    const built = buildResponse({
      provider,
      ...(encryption === undefined ? {} : { encryption }),
      issuer: context.issuerFor(provider),
      signing: context.signing,
      destination: acs.url,
      status: parts.status,
      ...(parts.inResponseTo === undefined ? {} : { inResponseTo: parts.inResponseTo }),
      ...(parts.assertion === undefined ? {} : { assertion: parts.assertion }),
      clock,
      generateId: context.generateId,
    });
    const form = encodePost({
      type: 'SAMLResponse',
      xml: built.xml,
      destination: acs.url,
      ...(parts.relayState ? { relayState: parts.relayState } : {}),
      maxRelayStateBytes: context.maxRelayStateBytes,
    });
    return {
      kind: 'post',
      form,
      providerId,
      responseId: built.id,
      ...(parts.inResponseTo === undefined ? {} : { inResponseTo: parts.inResponseTo }),
      status: statusOf(parts.status),
      ...(built.assertionId === undefined ? {} : { assertionId: built.assertionId }),
    };
  }

  /** The assertion for `user`, or the status to refuse with when the user cannot have one. */
  async function assertionReply(args: {
    providerId: string;
    provider: Provider;
    acs: Pick<AssertionConsumerService, 'url'>;
    user: SsoUser;
    format: ProviderNameIdFormat;
    spNameQualifier: string;
    inResponseTo?: string;
    relayState?: string;
    request?: AuthnRequest;
  }): Promise<SsoReply> {
    const { providerId, provider, acs, user, request } = args;
    const sso = settings();
    const refuse = (status: StatusInput) =>
      reply(providerId, provider, acs, {
        status,
        ...(args.inResponseTo === undefined ? {} : { inResponseTo: args.inResponseTo }),
        ...(args.relayState === undefined ? {} : { relayState: args.relayState }),
      });
    const classRef = user.authnContextClassRef ?? authnContextClasses.unspecified;
    if (
      request?.requestedAuthnContext &&
      !satisfiesAuthnContext(request.requestedAuthnContext, classRef, sso.authnContextRank)
    ) {
      const error = new SamlError(
        'SAML_AUTHN_CONTEXT_UNSATISFIED',
        'the authentication does not satisfy the requested context',
      );
      return refuse(statusForError(error));
    }
    const sessionIndex = createSessionIndex({
      spEntityId: provider.entityId,
      ...(user.sessionId === undefined ? {} : { sessionId: user.sessionId }),
      secret: sso.secret,
    });
    let nameId: NameIdValue;
    try {
      nameId = createNameId({
        format: args.format,
        subject: withMappedNameId(sso, { user, provider, providerId, format: args.format }),
        idpEntityId: context.issuerFor(provider),
        spNameQualifier: args.spNameQualifier,
        secret: sso.secret,
        strategy: provider.nameIdStrategy,
        ...(sso.authentikInstallId === undefined ? {} : { installId: sso.authentikInstallId }),
        sessionIndex,
      });
    } catch (error) {
      // The request was fine; this IdP cannot name this user in that format. Unsolicited, the caller hears it.
      if (request && isSamlError(error, 'SAML_NAME_ID_POLICY_UNSUPPORTED'))
        return refuse({ ...statusForError(error), code: 'Responder' });
      throw error;
    }
    // SAMLProf §4.1.4.1: a request about a named subject is answered only about that subject.
    const asked = request?.subject;
    if (
      asked &&
      (asked.value !== nameId.value || (asked.format !== undefined && asked.format !== nameId.format))
    ) {
      return refuse({
        code: 'Responder',
        subCode: 'AuthnFailed',
        message: 'the authenticated user is not the requested subject',
      });
    }
    const built = reply(providerId, provider, acs, {
      status: { code: 'Success' },
      ...(args.inResponseTo === undefined ? {} : { inResponseTo: args.inResponseTo }),
      ...(args.relayState === undefined ? {} : { relayState: args.relayState }),
      assertion: {
        nameId,
        sessionIndex,
        authnContextClassRef: classRef,
        ...(user.authnInstant === undefined ? {} : { authnInstant: user.authnInstant }),
        ...(user.attributes === undefined ? {} : { attributes: user.attributes }),
      },
    });
    // Recorded as part of responding, so Single Logout reaches every SP that got an assertion.
    const participant = await context.recordParticipant({
      providerId,
      userId: user.id,
      nameId,
      sessionIndex,
    });
    return { ...built, nameId, sessionIndex, participant };
  }

  function checkUser(user: SsoUser): void {
    if (typeof user !== 'object' || user === null || typeof user.id !== 'string' || user.id === '') {
      throw new SamlError('SAML_INPUT_INVALID', 'invalid SSO user', {
        details: { issues: [{ path: ['user', 'id'], message: 'must be a non-empty string' }] },
      });
    }
    if (
      user.authnInstant !== undefined &&
      !(user.authnInstant instanceof Date && Number.isFinite(user.authnInstant.getTime()))
    ) {
      throw new SamlError('SAML_INPUT_INVALID', 'invalid SSO user', {
        details: { issues: [{ path: ['user', 'authnInstant'], message: 'must be a valid Date' }] },
      });
    }
  }

  function checkPending(pending: PendingAuthnRequest): void {
    const ok =
      typeof pending === 'object' &&
      pending !== null &&
      typeof pending.providerId === 'string' &&
      typeof pending.request === 'object' &&
      pending.request !== null &&
      typeof pending.request.id === 'string' &&
      typeof pending.request.issuer?.value === 'string' &&
      typeof pending.acs?.url === 'string' &&
      typeof pending.receivedAt === 'number';
    if (!ok) {
      throw new SamlError('SAML_INPUT_INVALID', 'not a pending AuthnRequest from receiveAuthnRequest', {
        details: {
          issues: [
            { path: ['pending'], message: 'must be the pending request receiveAuthnRequest returned' },
          ],
        },
      });
    }
  }

  async function receiveAuthnRequest(input: HttpInput): Promise<AuthnRequestResult> {
    settings();
    // ECP (PAOS over SOAP) is not supported: the browser profile's two bindings only.
    if (detectBinding(input) === 'soap') {
      throw new SamlError(
        'SAML_BINDING_PARAMETER_INVALID',
        'AuthnRequests arrive by HTTP-Redirect or HTTP-POST',
      );
    }
    const inspected = inspectMessage(input);
    const binding = inspected.binding === 'redirect' ? 'redirect' : 'post';
    if (inspected.header.type !== 'AuthnRequest') {
      throw new SamlError('SAML_MESSAGE_TYPE_MISMATCH', 'unexpected message type', {
        details: { expected: 'AuthnRequest', actual: inspected.header.type },
      });
    }
    const destination = endpointFor(binding);
    const sender = await findSender(store, inspected);
    const { providerId, provider } = sender;
    let received: Received | undefined;
    let request: AuthnRequest | undefined;
    try {
      received = await verifyFromSender(context.sender, input, inspected, sender, {
        messageType: 'AuthnRequest',
        destination,
        // Per SP (SAMLProf §4.1.4.1 makes signing optional; the Response goes only to a registered ACS).
        requireSignature: settings().requireSignedAuthnRequests === true || provider.authnRequestsSigned,
      });
      request = parseAuthnRequest(received);
      const checked = checkAuthnRequest(request, provider);
      return {
        ok: true,
        pending: {
          providerId,
          request,
          ...(received.relayState === undefined ? {} : { relayState: received.relayState }),
          binding,
          signed: received.signed,
          acs: { url: checked.acs.url, index: checked.acs.index },
          nameIdFormat: checked.nameIdPolicy.format,
          spNameQualifier: checked.nameIdPolicy.spNameQualifier,
          receivedAt: clock().getTime(),
        },
      };
    } catch (error) {
      if (!isSamlError(error)) throw error;
      // The SP hears about it at a registered ACS: the one it asked for when that is registered, else the default.
      let acs: AssertionConsumerService;
      try {
        acs = request
          ? selectAssertionConsumerService(provider, request)
          : defaultAssertionConsumerService(provider);
      } catch {
        acs = defaultAssertionConsumerService(provider);
      }
      try {
        // InResponseTo and RelayState only from a request that passed verification.
        const built = reply(providerId, provider, acs, {
          status: statusForError(error),
          ...(request ? { inResponseTo: request.id } : {}),
          ...(request && received?.relayState ? { relayState: received.relayState } : {}),
        });
        return { ok: false, error, providerId, reply: built };
      } catch {
        return { ok: false, error, providerId };
      }
    }
  }

  async function completeAuthnRequest(
    pending: PendingAuthnRequest,
    decision: SsoDecision,
  ): Promise<SsoReply> {
    const sso = settings();
    checkPending(pending);
    const provider = await providerById(pending.providerId);
    const now = clock().getTime();
    if (now > pending.receivedAt + (sso.authnRequestTtlMs ?? defaultAuthnRequestTtlMs)) {
      throw new SamlError('SAML_MESSAGE_EXPIRED', 'the AuthnRequest waited too long for an answer');
    }
    // Derived again from the request and the provider's current registration, not trusted from the
    // stored state: the registration may have changed while the user logged in, and the state may be altered.
    const checked = checkAuthnRequest(pending.request, provider);
    const acs = checked.acs;
    if (acs.url !== pending.acs.url)
      throw new SamlError('SAML_ACS_NOT_REGISTERED', 'the ACS of this request is no longer registered');
    const request = pending.request;
    const relayState = pending.relayState;
    const common = { inResponseTo: request.id, ...(relayState === undefined ? {} : { relayState }) };
    if (!decision || typeof decision !== 'object' || !('user' in decision || 'status' in decision)) {
      throw new SamlError('SAML_INPUT_INVALID', 'a decision is { user } or { status }', {
        details: { issues: [{ path: ['decision'], message: 'must be { user } or { status }' }] },
      });
    }
    if ('user' in decision) {
      checkUser(decision.user);
      // ForceAuthn (SAMLCore §3.4.1): an authentication that happened before the request does not count.
      if (
        request.forceAuthn &&
        !(decision.user.authnInstant && decision.user.authnInstant.getTime() >= pending.receivedAt)
      ) {
        throw new SamlError(
          'SAML_INPUT_INVALID',
          'ForceAuthn: authenticate the user again and pass that authnInstant',
          {
            details: {
              issues: [
                { path: ['user', 'authnInstant'], message: 'must not be before the request was received' },
              ],
            },
          },
        );
      }
    } else if (decision.status?.code === 'Success') {
      throw new SamlError('SAML_INPUT_INVALID', 'a refusal needs a status other than Success', {
        details: { issues: [{ path: ['status', 'code'], message: 'must not be Success' }] },
      });
    }
    // One answer per request: a second completion (double submit, replay of the pending state) is refused.
    const once = await store.rememberOnce(
      `sso-response\u0000${provider.entityId}\u0000${request.id}`,
      pending.receivedAt + (sso.authnRequestTtlMs ?? defaultAuthnRequestTtlMs) + context.sender.clockSkewMs,
      now,
    );
    if (!once) throw new SamlError('SAML_REPLAY_DETECTED', 'this AuthnRequest was already answered');
    if ('status' in decision) {
      return reply(pending.providerId, provider, acs, { status: decision.status, ...common });
    }
    return assertionReply({
      providerId: pending.providerId,
      provider,
      acs,
      user: decision.user,
      format: checked.nameIdPolicy.format,
      spNameQualifier: checked.nameIdPolicy.spNameQualifier,
      request,
      ...common,
    });
  }

  return {
    receiveAuthnRequest,
    completeAuthnRequest,

    async respondToAuthnRequest(input, decide) {
      const result = await receiveAuthnRequest(input);
      if (!result.ok) {
        if (result.reply) return result.reply;
        throw result.error;
      }
      return completeAuthnRequest(result.pending, await decide(result.pending));
    },

    async initiateSso(providerId, user, options = {}) {
      settings();
      checkUser(user);
      const provider = await providerById(providerId);
      const acs =
        options.acsIndex === undefined
          ? defaultAssertionConsumerService(provider)
          : selectAssertionConsumerService(provider, { assertionConsumerServiceIndex: options.acsIndex });
      const format = options.nameIdFormat ?? provider.defaultNameIdPolicy;
      if (!issuableNameIdFormats.includes(format)) {
        throw new SamlError('SAML_NAME_ID_POLICY_UNSUPPORTED', 'this IdP does not issue that NameID format', {
          details: { format },
        });
      }
      if (!isRegisteredNameIdFormat(provider, format)) {
        throw new SamlError(
          'SAML_NAME_ID_POLICY_UNSUPPORTED',
          'this SP is not registered for that NameID format (add it to allowedNameIdFormats)',
          { details: { format } },
        );
      }
      const relayState =
        options.relayState ?? (provider.defaultRelayState === '' ? undefined : provider.defaultRelayState);
      return assertionReply({
        providerId,
        provider,
        acs,
        user,
        format,
        spNameQualifier: provider.entityId,
        ...(relayState === undefined ? {} : { relayState }),
      });
    },
  };
}
