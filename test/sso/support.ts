/**
 * Shared fixtures for the SSO tests: a provider for SP "sp-a", AuthnRequests
 * built with samlkit's own tree builder (escaping by construction), and small
 * readers for Responses. Nothing here signs or verifies by itself: that goes
 * through samlkit's public functions or xmlsec1.
 */
import { expect } from 'vitest';
import {
  type AuthnRequestResult,
  acsBindingUris,
  type BuildResponseInput,
  buildResponse,
  createIdentityProvider,
  createMemoryStore,
  encodePost,
  encodeRedirect,
  type HttpInput,
  type IdentityProviderOptions,
  isSamlError,
  nameIdFormats,
  type Provider,
  type ProviderInput,
  parseProvider,
  type Store,
} from '../../src/index.js';
import { element, parseXml, serialize, type XmlElement } from '../../src/xml/index.js';
import { certificate, keyPair } from '../support/keys.js';

export const idpEntityId = 'https://idp.example.com/metadata';
export const idpSsoRedirect = 'https://idp.example.com/sso/redirect';
export const idpSsoPost = 'https://idp.example.com/sso/post';
export const idpSloUrl = 'https://idp.example.com/slo';
export const spEntityId = 'https://sp-a.example.com/metadata';
export const spAcsUrl = 'https://sp-a.example.com/acs';
export const spAcsUrl2 = 'https://sp-a.example.com/acs2';
export const spSloUrl = 'https://sp-a.example.com/slo';
export const secret = 'an SSO secret of at least thirty-two bytes, for tests only';
export const fixedNow = new Date('2026-04-20T10:00:00Z');
export const fixedClock = () => fixedNow;

/**
 * SP "sp-a" as the IdP sees it: we sign assertions only (not the default, which
 * signs the Response too) with the idp key, and trust sp-a's certificate.
 * It is registered for persistent and emailAddress NameIDs besides its default.
 */
export function spProvider(overrides: Partial<ProviderInput> = {}): Provider {
  return parseProvider({
    entityId: spEntityId,
    acsUrl: spAcsUrl,
    allowedNameIdFormats: [nameIdFormats.persistent, nameIdFormats.emailAddress],
    issuer: idpEntityId,
    spBinding: 'post',
    signResponse: false,
    signingKeyPair: keyPair('idp'),
    verificationCertificates: [certificate('sp-a')],
    slsUrl: spSloUrl,
    slsBinding: 'post',
    ...overrides,
  });
}

/** What an AuthnRequest says; `undefined` parts are left out. */
export interface AuthnRequestSpec {
  id?: string;
  issueInstant?: string;
  destination?: string | undefined;
  issuer?: string | undefined;
  acsUrl?: string;
  acsIndex?: string;
  protocolBinding?: string;
  forceAuthn?: string;
  isPassive?: string;
  providerName?: string;
  attributeIndex?: string;
  nameIdPolicy?: { Format?: string; SPNameQualifier?: string; AllowCreate?: string };
  requestedAuthnContext?: { comparison?: string; classRefs?: string[]; declRefs?: string[] };
  subject?: { value: string; format?: string };
  extraChildren?: XmlElement[];
}

/** The element tree of an AuthnRequest (SAMLCore §3.4.1), unsigned. */
export function authnRequestTree(spec: AuthnRequestSpec = {}): XmlElement {
  const has = (key: keyof AuthnRequestSpec) => Object.hasOwn(spec, key);
  const context = spec.requestedAuthnContext;
  return element(
    'samlp:AuthnRequest',
    {
      ID: spec.id ?? '_authn-request-1',
      Version: '2.0',
      IssueInstant: spec.issueInstant ?? '2026-04-20T10:00:00Z',
      Destination: has('destination') ? spec.destination : idpSsoPost,
      ForceAuthn: spec.forceAuthn,
      IsPassive: spec.isPassive,
      ProtocolBinding: spec.protocolBinding,
      AssertionConsumerServiceURL: spec.acsUrl,
      AssertionConsumerServiceIndex: spec.acsIndex,
      AttributeConsumingServiceIndex: spec.attributeIndex,
      ProviderName: spec.providerName,
    },
    [
      (has('issuer') ? spec.issuer : spEntityId) === undefined
        ? undefined
        : element('saml:Issuer', {}, [(has('issuer') ? spec.issuer : spEntityId) as string]),
      spec.subject
        ? element('saml:Subject', {}, [
            element('saml:NameID', { Format: spec.subject.format }, [spec.subject.value]),
          ])
        : undefined,
      spec.nameIdPolicy ? element('samlp:NameIDPolicy', spec.nameIdPolicy) : undefined,
      context
        ? element('samlp:RequestedAuthnContext', { Comparison: context.comparison }, [
            ...(context.classRefs ?? []).map((uri) => element('saml:AuthnContextClassRef', {}, [uri])),
            ...(context.declRefs ?? []).map((uri) => element('saml:AuthnContextDeclRef', {}, [uri])),
          ])
        : undefined,
      ...(spec.extraChildren ?? []),
    ],
    ['samlp', 'saml'],
  );
}

export function authnRequestXml(spec: AuthnRequestSpec = {}): string {
  return serialize(authnRequestTree(spec));
}

/** The SP's AuthnRequest by HTTP-POST, signed with sp-a's key unless `sign: false`, as the IdP's HTTP input. */
export function postInput(
  spec: AuthnRequestSpec = {},
  options: { sign?: boolean; key?: string; relayState?: string } = {},
): HttpInput {
  const form = encodePost({
    type: 'SAMLRequest',
    xml: authnRequestXml(spec),
    destination: idpSsoPost,
    // As SimpleSAMLphp does, the test SP may send more than the 80 bytes SAMLBind allows a sender.
    ...(options.relayState ? { relayState: options.relayState, maxRelayStateBytes: 8192 } : {}),
    ...(options.sign === false ? {} : { sign: { key: keyPair(options.key ?? 'sp-a') } }),
  });
  return {
    method: 'POST',
    body: new URLSearchParams(form.fields).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

/** The SP's AuthnRequest by HTTP-Redirect, signed unless `sign: false`, as the IdP's HTTP input. */
export function redirectInput(
  spec: AuthnRequestSpec = {},
  options: { sign?: boolean; key?: string; relayState?: string } = {},
): HttpInput {
  const url = encodeRedirect({
    type: 'SAMLRequest',
    xml: authnRequestXml({ destination: idpSsoRedirect, ...spec }),
    destination: idpSsoRedirect,
    ...(options.relayState ? { relayState: options.relayState, maxRelayStateBytes: 8192 } : {}),
    ...(options.sign === false ? {} : { sign: { key: keyPair(options.key ?? 'sp-a') } }),
  });
  return { method: 'GET', query: url.slice(url.indexOf('?') + 1) };
}

/** A facade with SSO configured, a memory store and sp-a registered as `sp-a`. */
export async function ssoIdp(
  options: Partial<IdentityProviderOptions> = {},
  provider: Provider = spProvider(),
): Promise<{ idp: ReturnType<typeof createIdentityProvider>; store: Store }> {
  const store = options.store ?? createMemoryStore();
  await store.putProvider('sp-a', provider);
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints: {
      sloRedirect: idpSloUrl,
      sloPost: idpSloUrl,
      ssoRedirect: idpSsoRedirect,
      ssoPost: idpSsoPost,
    },
    sso: { secret },
    clock: fixedClock,
    ...options,
  });
  return { idp, store };
}

/** A Success Response for sp-a with a fixed clock and IDs. */
export function sampleResponse(overrides: Partial<BuildResponseInput> = {}) {
  return buildResponse({
    provider: spProvider(),
    issuer: idpEntityId,
    inResponseTo: '_authn-request-1',
    id: '_response-1',
    issueInstant: fixedNow,
    assertion: {
      id: '_assertion-1',
      nameId: { value: 'alice@example.com', format: nameIdFormats.emailAddress },
      sessionIndex: '_session-1',
    },
    ...overrides,
  });
}

/** Reads a decoded XML string with samlkit's strict parser (test-side inspection only). */
export function rootOf(xml: string) {
  return parseXml(xml).root;
}

/** The decoded SAMLResponse XML of a POST form. */
export function responseXmlOf(fields: Record<string, string>): string {
  expect(fields.SAMLResponse).toBeTypeOf('string');
  return Buffer.from(fields.SAMLResponse!, 'base64').toString('utf8');
}

/** A receive result that refuses a message naming no registered provider: nobody to answer, nothing thrown. */
export async function expectUnanswered(promise: Promise<AuthnRequestResult>, code: string): Promise<void> {
  const result = await promise;
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  expect(result.providerId).toBeUndefined();
  expect(result.reply).toBeUndefined();
}

/** Asserts an async call rejects with a SamlError of `code`. */
export async function expectRejects(promise: Promise<unknown>, code: string): Promise<void> {
  let thrown: unknown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code}`).toBeDefined();
  expect(isSamlError(thrown) ? thrown.code : thrown).toBe(code);
}

/** Asserts a call throws a SamlError of `code`. */
export { expectSamlError as expectThrows } from '../interop/support.js';
export { acsBindingUris };
