import { type Provider, type ProviderInput, parseProvider } from '../config/index.js';
import { createConfigError } from '../config/issues.js';
import type { KeyPair } from '../crypto/keys.js';
import { isSamlError, SamlError } from '../errors/index.js';

/**
 * A provider as a database keeps it: the `parseProvider` input, with certificates as
 * PEM. A signing key with a private key is kept as a reference (its certificate's
 * SHA-256 fingerprint), never as key material: each IdP node resolves it from the
 * key pairs it was given.
 */
interface ProviderRecord
  extends Omit<ProviderInput, 'signingKeyPair' | 'verificationCertificates' | 'encryptionCertificate'> {
  signingKeyPair: { certificate: string } | { privateKeyOf: string } | null;
  verificationCertificates: string[];
  encryptionCertificate: string | null;
}

/** The error every store throws when a second provider claims an entity ID. */
export function duplicateEntityId(ownerId: string): SamlError<'SAML_CONFIG_INVALID'> {
  return createConfigError('provider entity ID already registered', [
    { path: ['entityId'], message: `is already the entity ID of provider "${ownerId}"` },
  ]);
}

/** Encodes and decodes providers for database stores. */
export interface ProviderCodec {
  /** JSON text for the database; throws `SAML_CONFIG_INVALID` for a private key it could not resolve back. */
  encode(provider: Provider): string;
  /** The provider; throws `SAML_CONFIG_INVALID` when its signing key is not among this node's keys. */
  decode(text: string): Provider;
}

const cacheLimit = 512;

/**
 * A codec that resolves private signing keys from `signingKeys` by certificate
 * fingerprint. Decoded providers are cached by their exact stored text (they are
 * immutable), so a lookup costs a database read and no certificate parsing.
 */
export function createProviderCodec(signingKeys: readonly KeyPair[] = []): ProviderCodec {
  const keys = new Map<string, KeyPair>();
  for (const key of signingKeys) {
    if (key?.hasPrivateKey !== true) {
      throw createConfigError('invalid store options', [
        { path: ['signingKeys'], message: 'must hold KeyPairs from loadKeyPair with a private key' },
      ]);
    }
    keys.set(key.fingerprintSha256, key);
  }
  const cache = new Map<string, Provider>();

  function signingKeyOf(provider: Provider): ProviderRecord['signingKeyPair'] {
    const key = provider.signingKeyPair;
    if (key === null) return null;
    if (!key.hasPrivateKey) return { certificate: key.certificatePem };
    if (!keys.has(key.fingerprintSha256)) {
      throw createConfigError('provider cannot be stored', [
        {
          path: ['signingKeyPair'],
          message:
            "has a private key that is not in the store's signingKeys (private keys are never written to the database)",
        },
      ]);
    }
    return { privateKeyOf: key.fingerprintSha256 };
  }

  return {
    encode(provider) {
      const record = {
        entityId: provider.entityId,
        acsUrl: provider.acsUrl,
        assertionConsumerServices: provider.assertionConsumerServices.map((endpoint) => ({ ...endpoint })),
        name: provider.name,
        spBinding: provider.spBinding,
        audience: provider.audience,
        issuer: provider.issuer,
        slsUrl: provider.slsUrl,
        slsBinding: provider.slsBinding,
        singleLogoutServices: provider.singleLogoutServices.map((endpoint) => ({ ...endpoint })),
        logoutMethod: provider.logoutMethod,
        authnRequestsSigned: provider.authnRequestsSigned,
        signingMethods: [...provider.signingMethods],
        digestMethods: [...provider.digestMethods],
        encryptionMethods: [...provider.encryptionMethods],
        assertionValidNotBefore: provider.assertionValidNotBefore,
        assertionValidNotOnOrAfter: provider.assertionValidNotOnOrAfter,
        sessionValidNotOnOrAfter: provider.sessionValidNotOnOrAfter,
        digestAlgorithm: provider.digestAlgorithm,
        signatureAlgorithm: provider.signatureAlgorithm,
        signingKeyPair: signingKeyOf(provider),
        verificationCertificates: provider.verificationCertificates.map((c) => c.certificatePem),
        encryptionCertificate: provider.encryptionCertificate?.certificatePem ?? null,
        signAssertion: provider.signAssertion,
        signResponse: provider.signResponse,
        signLogoutRequest: provider.signLogoutRequest,
        signLogoutResponse: provider.signLogoutResponse,
        defaultRelayState: provider.defaultRelayState,
        defaultNameIdPolicy: provider.defaultNameIdPolicy,
        allowedNameIdFormats: [...provider.allowedNameIdFormats],
        nameIdStrategy: provider.nameIdStrategy,
        nameIdMapping: provider.nameIdMapping,
        authnContextClassRefMapping: provider.authnContextClassRefMapping,
        subjectIdRequirement: provider.subjectIdRequirement,
        unsafeAllowSha1: provider.unsafeAllowSha1,
        unsafeAllowDsa: provider.unsafeAllowDsa,
        unsafeAllowShortRsaKeys: provider.unsafeAllowShortRsaKeys,
        // Every Provider field but the derived durations: a field added later fails to compile here.
      } satisfies ProviderRecord & Record<Exclude<keyof Provider, 'durations'>, unknown>;
      return JSON.stringify(record);
    },

    decode(text) {
      const cached = cache.get(text);
      if (cached) return cached;
      let record: ProviderRecord;
      try {
        record = JSON.parse(text) as ProviderRecord;
      } catch (cause) {
        throw new SamlError('SAML_STORE_FAILED', 'stored provider is not valid JSON', { cause });
      }
      const reference = record.signingKeyPair;
      let signingKeyPair: KeyPair | { certificate: string } | null = null;
      if (reference && 'privateKeyOf' in reference) {
        const key = keys.get(reference.privateKeyOf);
        if (!key) {
          throw createConfigError('stored provider cannot be loaded', [
            {
              path: ['signingKeys'],
              message: `has no key pair with certificate fingerprint ${reference.privateKeyOf}, which provider "${record.entityId}" signs with`,
            },
          ]);
        }
        signingKeyPair = key;
      } else if (reference) signingKeyPair = reference;
      let provider: Provider;
      try {
        provider = parseProvider({ ...record, signingKeyPair });
      } catch (error) {
        if (isSamlError(error)) throw error;
        throw new SamlError('SAML_STORE_FAILED', 'stored provider could not be loaded', { cause: error });
      }
      if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
      cache.set(text, provider);
      return provider;
    },
  };
}
