/**
 * Loading and running the attack corpus (fixtures/attacks/index.json) through
 * samlkit's public receive paths and the identity provider facade, and
 * through a strictly configured xml-crypto SignedXml for comparison.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SignedXml } from 'xml-crypto';
import type { AttackCorpusEntry, AttackManifest } from '../../scripts/attack-corpus/index.js';
import {
  createIdentityProvider,
  createMemoryStore,
  type HttpInput,
  type IdentityProvider,
  isSamlError,
  type LogoutResult,
  nameIdFormats,
  parseLogoutRequest,
  parseLogoutResponse,
  parseProvider,
  type Received,
  type ReceiveOptions,
  receivePost,
  receiveRedirect,
  receiveSoap,
  type Store,
  signatureAlgorithms,
  transforms,
} from '../../src/index.js';
import { certificate, certificatePem, fixturesDir, keyPair } from '../support/keys.js';

export type { AttackCorpusEntry } from '../../scripts/attack-corpus/index.js';

export const attacksDir = `${fixturesDir}attacks/`;
export const manifest = JSON.parse(readFileSync(`${attacksDir}index.json`, 'utf8')) as AttackManifest;
export const world = manifest.world;
export const now = new Date(world.now);
export const clock = () => now;

/** The exact bytes a case sends (a file, or a file plus a repeated unit). */
export function contentOf(entry: AttackCorpusEntry): Buffer {
  const file = readFileSync(attacksDir + entry.file);
  if (!entry.repeat) return file;
  return Buffer.concat([file, Buffer.from(entry.repeat.unit.repeat(entry.repeat.times), 'utf8')]);
}

const parameterOf = (entry: AttackCorpusEntry) =>
  entry.messageType === 'LogoutRequest' || entry.messageType === 'AuthnRequest'
    ? 'SAMLRequest'
    : 'SAMLResponse';

/** What samlkit reads from a message, through `receive*` and then `parse*`, as a user would. */
export function receiveThroughBindings(entry: AttackCorpusEntry, content = contentOf(entry)): Received {
  const sp = world.providers['sp-a'];
  const options: ReceiveOptions = {
    trust: [certificate(sp.key)],
    clock,
    expect: {
      issuer: sp.entityId,
      destination: world.endpoints[entry.binding],
      ...(entry.messageType === 'LogoutResponse' ? { inResponseTo: world.pending.requestId } : {}),
    },
  };
  const text = content.toString('utf8');
  let received: Received;
  if (entry.format === 'query') received = receiveRedirect(text, options);
  else if (entry.format === 'form') received = receivePost(text, options);
  else if (entry.format === 'soap') received = receiveSoap(text, options);
  else {
    received = receivePost(
      {
        [parameterOf(entry)]: content.toString('base64'),
        ...(entry.relayState === undefined ? {} : { RelayState: entry.relayState }),
      },
      options,
    );
  }
  if (entry.messageType === 'LogoutRequest') parseLogoutRequest(received.xml);
  else parseLogoutResponse(received.xml);
  return received;
}

/** The HTTP request a case is, as a framework adapter hands it to the facade. */
export function httpInputOf(entry: AttackCorpusEntry, content = contentOf(entry)): HttpInput {
  const text = content.toString('utf8');
  const form = 'application/x-www-form-urlencoded';
  switch (entry.format) {
    case 'query':
      return { method: 'GET', query: `${world.endpoints.redirect}?${text}` };
    case 'form':
      return { method: 'POST', body: text, contentType: form };
    case 'soap':
      return { method: 'POST', body: text, contentType: 'text/xml; charset=utf-8' };
    default:
      return {
        method: 'POST',
        contentType: form,
        body: {
          [parameterOf(entry)]: content.toString('base64'),
          ...(entry.relayState === undefined ? {} : { RelayState: entry.relayState }),
        },
      };
  }
}

export interface World {
  idp: IdentityProvider;
  store: Store;
  /** The IdP-initiated logout whose step at SP-A the LogoutResponse cases answer. */
  pending?: LogoutResult;
}

/**
 * The IdP of the corpus: SP-A (front-channel native, redirect) and SP-B (no
 * SLS URL) registered with their own certificates, alice signed in at both.
 * With `pending`, an IdP-initiated logout is waiting for SP-A's answer.
 */
export async function createWorld(options: { pending?: boolean } = {}): Promise<World> {
  const store = createMemoryStore();
  for (const [id, sp] of Object.entries(world.providers)) {
    await store.putProvider(
      id,
      parseProvider({
        entityId: sp.entityId,
        acsUrl: sp.entityId.replace('/metadata', '/acs'),
        slsUrl: sp.slsUrl,
        slsBinding: 'redirect',
        logoutMethod: 'frontchannel_native',
        signAssertion: false,
        verificationCertificates: [certificatePem(sp.key)],
      }),
    );
  }
  const ids = [...world.generatedIds];
  let counter = 0;
  const idp = createIdentityProvider({
    entityId: world.idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints: {
      sloRedirect: world.endpoints.redirect,
      sloPost: world.endpoints.post,
      sloSoap: world.endpoints.soap,
    },
    clock,
    // The corpus holds the facade to the 80 bytes SAMLBind sets (its default accepts what real SPs send).
    maxRelayStateBytes: 80,
    generateId: () => ids.shift() ?? `_generated-${++counter}`,
  });
  for (const session of world.sessions) {
    await idp.recordSession({
      providerId: session.providerId,
      userId: session.userId,
      nameId: { value: session.nameId, format: nameIdFormats.persistent },
      sessionIndex: session.sessionIndex,
    });
  }
  if (!options.pending) return { idp, store };
  const pending = await idp.logout('alice');
  return { idp, store, pending };
}

/** Sends a case to the facade's handler for its message type. */
export function sendToIdp(idp: IdentityProvider, entry: AttackCorpusEntry, content = contentOf(entry)) {
  const input = httpInputOf(entry, content);
  return entry.messageType === 'LogoutRequest'
    ? idp.handleLogoutRequest(input)
    : idp.handleLogoutResponse(input);
}

/** The SamlError code `fn` throws, or `accepted`; anything else is reported as such, never swallowed. */
export function outcomeOf(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    if (isSamlError(error)) return error.code;
    return `not a SamlError: ${String(error)}`;
  }
}

export async function asyncOutcomeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'accepted';
  } catch (error) {
    if (isSamlError(error)) return error.code;
    return `not a SamlError: ${String(error)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// xml-crypto, strictly configured

const fromXmlCrypto = createRequire(createRequire(import.meta.url).resolve('xml-crypto'));
export const XmlCryptoDomParser = (fromXmlCrypto('@xmldom/xmldom') as typeof import('@xmldom/xmldom'))
  .DOMParser;
export const xmlCryptoXpath = fromXmlCrypto('xpath') as typeof import('xpath');

export interface XmlCryptoVerdict {
  valid: boolean;
  error?: string;
  /** `getSignedReferences()`: the canonical bytes xml-crypto validated. */
  signedReferences: string[];
}

/**
 * xml-crypto's SignedXml as a careful integrator configures it: the expected
 * certificate only (`getCertFromKeyInfo` returns null, so KeyInfo is never
 * used), no HMAC, its algorithm maps cut down to RSA-SHA256/512, SHA-256/512,
 * exclusive C14N and enveloped-signature (its defaults accept SHA-1). It
 * checks the first ds:Signature in document order, as a descendant search
 * finds it; `false` and a thrown error both count as rejection.
 */
export function verifyWithXmlCrypto(xml: string, trustedPem: string): XmlCryptoVerdict {
  try {
    const doc = new XmlCryptoDomParser().parseFromString(xml, 'text/xml');
    const signature = xmlCryptoXpath.select1(
      "//*[local-name(.)='Signature' and namespace-uri(.)='http://www.w3.org/2000/09/xmldsig#']",
      doc as never,
    );
    if (!signature) return { valid: false, error: 'no ds:Signature', signedReferences: [] };
    const signedXml = new SignedXml({ publicCert: trustedPem, getCertFromKeyInfo: () => null });
    const defaults = { signature: signedXml.SignatureAlgorithms, hash: signedXml.HashAlgorithms };
    const c14n = signedXml.CanonicalizationAlgorithms;
    signedXml.SignatureAlgorithms = {
      [signatureAlgorithms.rsaSha256]: defaults.signature[signatureAlgorithms.rsaSha256],
      [signatureAlgorithms.rsaSha512]: defaults.signature[signatureAlgorithms.rsaSha512],
    } as typeof signedXml.SignatureAlgorithms;
    signedXml.HashAlgorithms = {
      'http://www.w3.org/2001/04/xmlenc#sha256': defaults.hash['http://www.w3.org/2001/04/xmlenc#sha256'],
      'http://www.w3.org/2001/04/xmlenc#sha512': defaults.hash['http://www.w3.org/2001/04/xmlenc#sha512'],
    } as typeof signedXml.HashAlgorithms;
    signedXml.CanonicalizationAlgorithms = {
      [transforms.exclusiveC14n]: c14n[transforms.exclusiveC14n],
      [transforms.envelopedSignature]: c14n[transforms.envelopedSignature],
    } as typeof signedXml.CanonicalizationAlgorithms;
    signedXml.loadSignature(signature as never);
    const valid = signedXml.checkSignature(xml);
    return { valid, signedReferences: valid ? signedXml.getSignedReferences() : [] };
  } catch (error) {
    return { valid: false, error: (error as Error).message, signedReferences: [] };
  }
}

/** The ID of the element samlkit reads: the document element, or the SOAP Body's child. */
export function readElementId(xml: string, binding: AttackCorpusEntry['binding']): string | null {
  const doc = new XmlCryptoDomParser().parseFromString(xml, 'text/xml');
  const expression =
    binding === 'soap' ? "/*[local-name(.)='Envelope']/*[local-name(.)='Body']/*[1]/@ID" : '/*/@ID';
  const node = xmlCryptoXpath.select1(expression, doc as never) as unknown as { value: string } | undefined;
  return node ? node.value : null;
}

/** The first NameID text in document order: what a descendant-search reader would take. */
export function firstNameIdByDescendantSearch(xml: string): string {
  const doc = new XmlCryptoDomParser().parseFromString(xml, 'text/xml');
  const found = xmlCryptoXpath.select("//*[local-name(.)='NameID']", doc as never) as {
    textContent: string;
  }[];
  return found[0]?.textContent ?? '';
}
