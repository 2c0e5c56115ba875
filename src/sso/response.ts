import type { Provider } from '../config/index.js';
import { authnContextClasses } from '../constants/saml.js';
import { checkSigningChoice, type SignXmlOptions, signSerialized, signTree } from '../crypto/index.js';
import { SamlError } from '../errors/index.js';
import { buildStatus, type StatusInput } from '../logout/logout-response.js';
import { InputIssues, type MessageContext } from '../message/build-input.js';
import { checkId, generateId, isValidId, systemClock } from '../message/context.js';
import type { NameIdValue } from '../message/header.js';
import { formatInstant } from '../message/instant.js';
import {
  chooseEncryption,
  chooseSigningAlgorithms,
  type SigningChoice,
} from '../metadata/algorithm-hints.js';
import { element, serialize, type XmlElement } from '../xml/index.js';
import { buildAssertionTree } from './assertion.js';
import { type AttributeInput, buildAttributeStatement } from './attributes.js';
import { type AssertionEncryptionOptions, encryptAssertion } from './encrypted-assertion.js';

/** What the Assertion of a successful Response says about the user. */
export interface ResponseAssertionInput {
  /** The NameID for this SP, e.g. from `createNameId`. */
  nameId: NameIdValue;
  /** The SessionIndex for this SP, e.g. from `createSessionIndex`. */
  sessionIndex: string;
  /** When the user authenticated. Default: the issue instant. */
  authnInstant?: Date;
  /** Default `urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified`. */
  authnContextClassRef?: string;
  /** The AttributeStatement; left out when empty. */
  attributes?: readonly AttributeInput[];
  /** Assertion ID; default from `generateId`. */
  id?: string;
}

/** Input to {@link buildResponse}. `id`, `issueInstant`, `clock` and `generateId` fix the output for golden files. */
export interface BuildResponseInput extends MessageContext {
  /** The SP: validity windows, audience, signing and encryption all come from it. */
  provider: Provider;
  /** The registered ACS URL to send to. Default: the provider's `acsUrl`. */
  destination?: string;
  /** Our entity ID. Default: the provider's `issuer`; one of the two is required. */
  issuer?: string;
  /**
   * The identity provider's signing key (and algorithms), used when the provider
   * has no `signingKeyPair` of its own. The identity provider facade passes its `signing`.
   */
  signing?: SigningChoice;
  /** ID of the AuthnRequest answered; omit for IdP-initiated (unsolicited) SSO. */
  inResponseTo?: string;
  /** Default `{ code: 'Success' }`. Any other status carries no assertion. */
  status?: StatusInput;
  /** Required with Success. */
  assertion?: ResponseAssertionInput;
  /**
   * How to encrypt when the provider has an `encryptionCertificate` (whether
   * to encrypt is the provider's). Default AES-256-GCM with RSA-OAEP, the
   * EncryptedKey addressed (`Recipient`) to the SP entity ID; an algorithm the
   * SP's `encryptionMethods` leave out is replaced by one they list.
   */
  encryption?: AssertionEncryptionOptions;
  /**
   * @deprecated Builds a Success Response whose assertion no signature covers
   * when the provider signs neither. SAMLProf §4.1.3.5 forbids sending such a
   * Response by HTTP-POST; for test fixtures only.
   */
  unsafeAllowUnsignedAssertion?: boolean;
}

/** A built Response and what protects it. */
export interface BuiltResponse {
  id: string;
  xml: string;
  /** Present on Success. */
  assertionId?: string;
  signedAssertion: boolean;
  signedResponse: boolean;
  encryptedAssertion: boolean;
}

const isDate = (value: unknown): value is Date => value instanceof Date && Number.isFinite(value.getTime());

/**
 * Builds a SAML Response (SAMLCore §3.3.3) for the Web SSO profile
 * (SAMLProf §4.1.4.2): Issuer, Status and, on Success, an Assertion with the
 * NameID, a bearer SubjectConfirmation (Recipient, NotOnOrAfter,
 * InResponseTo), Conditions with the SP as Audience, an AuthnStatement and
 * the attributes. Times come from the provider's validity windows. The
 * destination must be an ACS endpoint the provider registered.
 *
 * Signing follows the provider: `signAssertion` and/or `signResponse` (both by
 * default), with its `signingKeyPair` or else `input.signing`, in the
 * order sign assertion → encrypt (when it has an `encryptionCertificate`) →
 * sign response, so each signature covers exactly what the SP will verify.
 * An error Response has no assertion, so it is signed when the provider signs
 * either. A Success Response that nothing signs is refused (SAMLProf §4.1.3.5).
 * Send it with `encodePost` (without `sign`: it is signed already).
 *
 * @throws SamlError `SAML_INPUT_INVALID` (every problem in `details.issues`),
 * `SAML_ACS_NOT_REGISTERED`, `SAML_CONFIG_INVALID`, or a signing error.
 */
export function buildResponse(input: BuildResponseInput): BuiltResponse {
  const { provider } = input;
  if (typeof provider !== 'object' || provider === null || !Array.isArray(provider.assertionConsumerServices))
    throw new TypeError('buildResponse needs a Provider from parseProvider');
  const issues = new InputIssues();
  const destination = input.destination ?? provider.acsUrl;
  const issuer = input.issuer ?? (provider.issuer === '' ? undefined : provider.issuer);
  issues.check(
    typeof issuer === 'string' && issuer !== '',
    ['issuer'],
    'is required: our entity ID, unless the provider has an issuer',
  );
  if (input.inResponseTo !== undefined)
    issues.check(
      typeof input.inResponseTo === 'string' && isValidId(input.inResponseTo),
      ['inResponseTo'],
      'must be a valid SAML ID',
    );
  const statusInput = input.status ?? { code: 'Success' };
  const status = buildStatus(statusInput, issues);
  const success = statusInput.code === 'Success';
  const assertion = input.assertion;
  if (success) {
    issues.check(
      typeof assertion === 'object' && assertion !== null,
      ['assertion'],
      'is required with Success',
    );
  } else {
    issues.check(assertion === undefined, ['assertion'], 'must be absent when the status is not Success');
  }
  if (success && assertion) {
    issues.check(
      typeof assertion.nameId === 'object' &&
        assertion.nameId !== null &&
        typeof assertion.nameId.value === 'string' &&
        assertion.nameId.value !== '',
      ['assertion', 'nameId', 'value'],
      'is required',
    );
    issues.require(assertion.sessionIndex, ['assertion', 'sessionIndex']);
    if (assertion.authnInstant !== undefined)
      issues.check(isDate(assertion.authnInstant), ['assertion', 'authnInstant'], 'must be a valid Date');
    if (assertion.authnContextClassRef !== undefined)
      issues.require(assertion.authnContextClassRef, ['assertion', 'authnContextClassRef']);
  }
  const attributeStatement =
    success && assertion
      ? buildAttributeStatement(assertion.attributes, issues, ['assertion', 'attributes'])
      : undefined;
  issues.throwIfAny('Response');
  const issuerId = issuer as string;

  // Never an unregistered URL (SAMLProf §4.1.4.1): the caller cannot redirect assertions elsewhere.
  if (!provider.assertionConsumerServices.some((acs) => acs.binding === 'post' && acs.url === destination)) {
    throw new SamlError(
      'SAML_ACS_NOT_REGISTERED',
      'destination is not a registered HTTP-POST ACS of the provider',
    );
  }

  const signAssertion = success && provider.signAssertion;
  const signResponse = provider.signResponse || (!success && provider.signAssertion);
  if (success && !signAssertion && !signResponse && !input.unsafeAllowUnsignedAssertion) {
    throw new SamlError('SAML_CONFIG_INVALID', 'the provider signs neither the assertion nor the response', {
      details: {
        issues: [
          {
            path: ['signAssertion'],
            message: 'an assertion sent by HTTP-POST must be signed (SAMLProf §4.1.3.5)',
          },
        ],
      },
    });
  }
  // One key for everything sent to this SP: its own when it has one, else the identity provider's.
  const signing: SigningChoice | undefined = provider.signingKeyPair
    ? {
        key: provider.signingKeyPair,
        algorithm: provider.signatureAlgorithm,
        digestAlgorithm: provider.digestAlgorithm,
      }
    : input.signing;
  const signingOptions = (): SignXmlOptions => {
    if (!signing) {
      throw new SamlError('SAML_CONFIG_INVALID', 'no signing key: the provider has none and none was given', {
        details: {
          issues: [{ path: ['signing'], message: 'is required when the provider has no signingKeyPair' }],
        },
      });
    }
    const chosen = chooseSigningAlgorithms(signing, provider);
    const choice = checkSigningChoice(signing.key, chosen.algorithm, chosen.digestAlgorithm, provider);
    return { key: signing.key, algorithm: choice.algorithm, digestAlgorithm: choice.digest };
  };

  const newId = input.generateId ?? generateId;
  const id = checkId(input.id ?? newId(), 'id');
  const now = input.issueInstant ?? (input.clock ?? systemClock)();
  if (!isDate(now)) throw new TypeError('issueInstant must be a valid Date');
  const issueInstant = formatInstant(now);
  const at = (offset: number) => formatInstant(new Date(now.getTime() + offset));

  let assertionId: string | undefined;
  let assertionElement: XmlElement | undefined;
  let encrypted = false;
  if (success && assertion) {
    assertionId = checkId(assertion.id ?? newId(), 'assertion.id');
    if (assertionId === id) {
      throw new SamlError('SAML_INPUT_INVALID', 'the assertion and the response need different IDs', {
        details: { issues: [{ path: ['assertion', 'id'], message: 'equals the response ID' }] },
      });
    }
    const { durations } = provider;
    const tree = buildAssertionTree({
      id: assertionId,
      issueInstant,
      issuer: issuerId,
      nameId: assertion.nameId,
      confirmation: {
        recipient: destination,
        notOnOrAfter: at(durations.assertionValidNotOnOrAfter),
        ...(input.inResponseTo === undefined ? {} : { inResponseTo: input.inResponseTo }),
      },
      conditions: {
        notBefore: at(durations.assertionValidNotBefore),
        notOnOrAfter: at(durations.assertionValidNotOnOrAfter),
        // SAMLProf §4.1.4.2: a bearer assertion MUST name the SP as an Audience.
        audience: provider.audience === '' ? provider.entityId : provider.audience,
      },
      authn: {
        authnInstant: formatInstant(assertion.authnInstant ?? now),
        sessionIndex: assertion.sessionIndex,
        sessionNotOnOrAfter: at(durations.sessionValidNotOnOrAfter),
        classRef: assertion.authnContextClassRef ?? authnContextClasses.unspecified,
      },
      ...(attributeStatement ? { attributeStatement } : {}),
    });
    assertionElement = signAssertion ? signTree(tree, signingOptions()) : tree;
    if (provider.encryptionCertificate) {
      assertionElement = encryptAssertion(assertionElement, provider.encryptionCertificate, {
        recipient: provider.entityId,
        ...chooseEncryption(input.encryption, provider),
      });
      encrypted = true;
    }
  }

  // Attribute order as authentik's: Version, IssueInstant, Destination, ID, InResponseTo.
  const response = element(
    'samlp:Response',
    {
      Version: '2.0',
      IssueInstant: issueInstant,
      Destination: destination,
      ID: id,
      InResponseTo: input.inResponseTo,
    },
    [element('saml:Issuer', {}, [issuerId]), status, assertionElement],
    ['samlp', 'saml'],
  );
  // The Response's Signature is written into its serialized text (the same bytes as serializing
  // the signed tree): no Signature tree is built and checked, and nothing is serialized twice.
  const serialized = serialize(response);
  const xml = signResponse ? signSerialized(response, serialized, signingOptions()) : serialized;
  return {
    id,
    xml,
    ...(assertionId === undefined ? {} : { assertionId }),
    signedAssertion: signAssertion,
    signedResponse: signResponse,
    encryptedAssertion: encrypted,
  };
}
