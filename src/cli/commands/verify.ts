import { receivePost } from '../../bindings/post.js';
import { checkHeader, checkRelayState, defaultReceiveLimits, type Received } from '../../bindings/receive.js';
import { type ReceiveRedirectOptions, receiveRedirect } from '../../bindings/redirect.js';
import { receiveSoap } from '../../bindings/soap.js';
import type { KeyPair } from '../../crypto/index.js';
import { isSamlError, type SamlError, type SamlErrorCode } from '../../errors/index.js';
import { readHeader } from '../../message/header.js';
import { isElement, parseXml } from '../../xml/index.js';
import type { Command } from '../command.js';
import { parseCommandLine, UsageError } from '../command-line.js';
import { detailLines } from '../error-report.js';
import { readInputText } from '../input.js';
import { loadTrustedCertificates, readPemOption } from '../key-files.js';
import { type MessageInput, readMessageInput } from '../message-input.js';
import { signatureAlgorithmName } from '../names.js';
import { printable } from '../printable.js';
import { type VerifiedSsoResponse, verifySsoResponse } from '../sso-response.js';
import { formatRows, type MessageSummary, summarizeMessage, summaryRows } from '../summary.js';

const help = `Usage: samlkit verify <message> --cert <file> [--cert <file>…] [options]

Verifies a message the way an endpoint receives it, with samlkit's receive
path (receiveRedirect, receivePost or receiveSoap, chosen from the input), and
prints the verdict, every check with how it was applied, and the verified fields.

<message> takes the same forms as 'samlkit decode': a full URL or query string
(HTTP-Redirect: the signature is checked over the query bytes exactly as given),
a form body or JSON fields (HTTP-POST), a SOAP envelope, bare XML (checked as an
HTTP-POST payload), a file, or - for standard input.

Options:
  --cert <file>           Trusted certificates: a PEM file holding one or more. Repeatable;
                          required. KeyInfo in the message is never trusted.
  --key <file>            SSO Responses: our private key (PEM), to decrypt an EncryptedAssertion.
                          Repeatable (key rollover)
  --audience <entity ID>  SSO Responses: require this Audience in the assertion's Conditions
  --issuer <entity ID>    Require this Issuer
  --destination <URL>     Require this Destination (the endpoint the message was sent to)
  --in-response-to <ID>   Require this InResponseTo (responses: the ID of the request they answer)
  --now <instant>         Check IssueInstant/NotOnOrAfter against this ISO 8601 time, not the clock
  --clock-skew <seconds>  Allowed clock difference (default ${defaultReceiveLimits.clockSkewMs / 1000})
  --accept-reencoded-signature
                          HTTP-Redirect: also accept a signature over the values re-encoded with
                          encodeURIComponent (some SPs, e.g. node-saml, sign such bytes)
  --unsafe-allow-sha1     Accept SHA-1 signatures and digests (practical collisions exist)
  --unsafe-allow-short-rsa-keys
                          Trust RSA certificates under 2048 bits (refused by default)
  --json                  Print the verdict as JSON
  -h, --help

A signature is always required. An SSO Response is checked the way a Service
Provider must: the Response signature over the Response and the assertion
signature over the assertion, each under the SAML signature profile on its own
element; one of them must cover the assertion (SAMLProf §4.1.3.5). The report
then shows the subject, conditions, AuthnStatement and attributes, read from
the verified bytes. Logout messages and AuthnRequests carry one signature, on
the message. Checks that need state an endpoint keeps (replay
of message IDs, whether the Issuer is a registered provider) cannot run here; the
report says so instead of skipping them silently.

Exit status: 0 valid; 1 invalid (the SAML_* code is printed); 2 usage error.

Examples:
  samlkit verify 'https://idp.example.com/slo?SAMLRequest=…&SigAlg=…&Signature=…' --cert sp.pem \\
    --issuer https://sp.example.com/metadata --destination https://idp.example.com/slo
  samlkit verify request.xml --cert sp.pem --now 2026-04-20T10:00:00Z
  samlkit verify response.xml --cert idp.pem --key sp.key --audience https://sp.example.com/metadata
`;

const spec = {
  cert: { type: 'string', repeatable: true },
  key: { type: 'string', repeatable: true },
  audience: { type: 'string' },
  issuer: { type: 'string' },
  destination: { type: 'string' },
  'in-response-to': { type: 'string' },
  now: { type: 'string' },
  'clock-skew': { type: 'string' },
  'accept-reencoded-signature': { type: 'boolean' },
  'unsafe-allow-sha1': { type: 'boolean' },
  'unsafe-allow-short-rsa-keys': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type CheckName =
  | 'message'
  | 'signature'
  | 'time'
  | 'Issuer'
  | 'Destination'
  | 'InResponseTo'
  | 'assertion'
  | 'replay';

interface Check {
  check: CheckName;
  status: 'pass' | 'FAIL' | 'skip' | 'requested';
  detail: string;
}

const receivePaths = { redirect: 'receiveRedirect', post: 'receivePost', soap: 'receiveSoap' } as const;
const bindingNames = { redirect: 'HTTP-Redirect', post: 'HTTP-POST', soap: 'SOAP' } as const;

function receive(input: MessageInput, options: ReceiveRedirectOptions): Received {
  switch (input.binding) {
    case 'redirect':
      return receiveRedirect(input.http.query ?? '', options);
    case 'post':
      return receivePost(input.http.body as string | Record<string, unknown>, options);
    case 'soap':
      return receiveSoap(input.http.body as string, options);
  }
}

const ssoReceivePath = 'SSO Response: Response and assertion signatures, each on its own element';

/**
 * An SSO Response over HTTP-POST, checked as an SP does: the binding's RelayState rule, the
 * signatures of the Response and of its (decrypted) assertion, then the Response header and the
 * assertion's conditions, all read from verified bytes.
 */
function receiveSsoResponse(
  input: MessageInput,
  plan: Plan,
  options: ReceiveRedirectOptions,
): { received: Received; sso: VerifiedSsoResponse } {
  checkRelayState(input.relayState, options);
  const now = (plan.now ?? new Date()).getTime();
  const sso = verifySsoResponse(input.xml, {
    trust: plan.trust,
    decryptionKeys: plan.decryptionKeys,
    maxBytes: defaultReceiveLimits.maxBytes,
    now,
    skewMs: plan.skewSeconds * 1000,
    ...(plan.unsafeAllowSha1 ? { unsafeAllowSha1: true } : {}),
    ...(plan.destination === undefined ? {} : { destination: plan.destination }),
    ...(plan.inResponseTo === undefined ? {} : { inResponseTo: plan.inResponseTo }),
    ...(plan.audience === undefined ? {} : { audience: plan.audience }),
  });
  const header = readHeader(parseXml(sso.responseXml).root, ['Response']);
  checkHeader(header, sso.responseSignature !== undefined, options);
  const signedBy = sso.responseSignature ?? sso.assertionSignature!;
  return {
    sso,
    received: {
      type: 'SAMLResponse',
      binding: input.binding,
      messageType: 'Response',
      xml: sso.responseXml,
      signed: true,
      algorithm: signedBy.algorithm,
      certificate: signedBy.certificate,
      header,
      ...(input.relayState === undefined ? {} : { relayState: input.relayState }),
    },
  };
}

function failedCheck(code: SamlErrorCode): CheckName {
  switch (code) {
    case 'SAML_SIGNATURE_MISSING':
    case 'SAML_SIGNATURE_INVALID':
    case 'SAML_SIGNATURE_PROFILE_VIOLATION':
    case 'SAML_ALGORITHM_FORBIDDEN':
    case 'SAML_DECRYPTION_FAILED':
    case 'SAML_ENCRYPTED_DATA_INVALID':
      return 'signature';
    case 'SAML_ISSUER_MISMATCH':
      return 'Issuer';
    case 'SAML_DESTINATION_MISMATCH':
      return 'Destination';
    case 'SAML_IN_RESPONSE_TO_MISMATCH':
      return 'InResponseTo';
    case 'SAML_MESSAGE_EXPIRED':
      return 'time';
    default:
      return 'message';
  }
}

function describeCertificate(pair: KeyPair): string {
  return `${pair.subject.replace(/\n/g, ', ')} (SHA-256 ${pair.fingerprintSha256})`;
}

interface Plan {
  input?: MessageInput;
  trust: KeyPair[];
  now?: Date;
  skewSeconds: number;
  issuer?: string;
  destination?: string;
  inResponseTo?: string;
  unsafeAllowSha1: boolean;
  reencoded: boolean;
  decryptionKeys: string[];
  audience?: string;
}

function describeSignedPart(name: string, part: VerifiedSsoResponse['responseSignature']): string {
  return part
    ? `${name} signed ${signatureAlgorithmName(part.algorithm)}, verified with ${describeCertificate(part.certificate)}`
    : `${name} unsigned`;
}

function buildChecks(
  plan: Plan,
  received: Received | undefined,
  failure: SamlError | undefined,
  sso?: VerifiedSsoResponse,
): Check[] {
  const input = plan.input;
  const binding = input?.binding;
  const bindingRules =
    binding === 'redirect'
      ? 'literal SAML parameter names, no duplicates, strict base64, raw DEFLATE capped at 256 KiB'
      : binding === 'soap'
        ? 'SOAP 1.1 envelope with one Body element'
        : 'strict base64 form field';
  const algorithms = `RSA or ECDSA with SHA-256/384/512${plan.unsafeAllowSha1 ? ', and SHA-1 (--unsafe-allow-sha1)' : ''}`;
  const trusted = `${plan.trust.length} --cert certificate${plan.trust.length === 1 ? '' : 's'}, never KeyInfo`;
  let signature = `required; trusted: ${trusted}; algorithms: ${algorithms}`;
  if (received?.signed) {
    const how =
      received.binding === 'redirect'
        ? `query signature over the query bytes as given${plan.reencoded ? ' (or re-encoded, --accept-reencoded-signature)' : ''}`
        : 'enveloped ds:Signature under the SAML signature profile (one Reference to the root ID, exclusive C14N)';
    signature =
      `${received.algorithm ? signatureAlgorithmName(received.algorithm) : ''} ${how}, verified with ${
        received.certificate ? describeCertificate(received.certificate) : 'a trusted certificate'
      }`.trim();
  }
  if (sso) {
    signature = `${describeSignedPart('Response', sso.responseSignature)}; ${describeSignedPart(
      sso.encrypted ? 'Assertion (decrypted with --key)' : 'Assertion',
      sso.assertionSignature,
    )}; each under the SAML signature profile on its own element`;
  } else if (!received && plan.input && isElement(plan.input.message, 'samlp', 'Response')) {
    signature = `required on the Response or on its assertion (SAMLProf §4.1.3.5), each on its own element; trusted: ${trusted}; algorithms: ${algorithms}`;
  }
  const clock = plan.now ? `${plan.now.toISOString()} (--now)` : 'the system clock';
  const responseType = received ? received.type === 'SAMLResponse' : input?.parameter === 'SAMLResponse';
  const isResponse = input !== undefined && isElement(input.message, 'samlp', 'Response');
  const checks: Check[] = [
    {
      check: 'message',
      status: 'requested',
      detail: `${binding ? `${bindingNames[binding]}: ` : ''}${bindingRules}${binding === 'soap' ? '' : '; RelayState ≤ 80 bytes'}; hardened XML parsing; root element matches the parameter; ID, Version 2.0, IssueInstant present`,
    },
    { check: 'signature', status: 'requested', detail: signature },
    {
      check: 'time',
      status: 'requested',
      detail: `IssueInstant at most ${defaultReceiveLimits.maxMessageAgeMs / 1000} s old and not in the future, ±${plan.skewSeconds} s skew, now = ${clock}; NotOnOrAfter not passed`,
    },
    plan.issuer === undefined
      ? {
          check: 'Issuer',
          status: 'skip',
          detail: 'not checked: pass --issuer <entity ID> to require the sender',
        }
      : { check: 'Issuer', status: 'requested', detail: `equals ${plan.issuer} (--issuer)` },
    plan.destination === undefined
      ? {
          check: 'Destination',
          status: 'skip',
          detail: 'not checked: pass --destination <URL> with the endpoint the message was sent to',
        }
      : {
          check: 'Destination',
          status: 'requested',
          detail: `equals ${plan.destination} (--destination; a signed message must carry it${
            isResponse ? "; the assertion's Recipient too" : ''
          })`,
        },
    plan.inResponseTo === undefined
      ? {
          check: 'InResponseTo',
          status: 'skip',
          detail: responseType
            ? 'not checked: pass --in-response-to <ID> with the ID of the request this answers'
            : 'not applicable to requests',
        }
      : {
          check: 'InResponseTo',
          status: 'requested',
          detail: `equals ${plan.inResponseTo} (--in-response-to)`,
        },
    ...(isResponse
      ? [
          {
            check: 'assertion' as const,
            status: 'requested' as const,
            detail: `Conditions NotBefore/NotOnOrAfter and SubjectConfirmationData NotOnOrAfter against now; ${
              plan.audience === undefined
                ? 'Audience not checked (pass --audience <our entity ID>)'
                : `Audience includes ${plan.audience} (--audience)`
            }`,
          },
        ]
      : []),
    {
      check: 'replay',
      status: 'skip',
      detail:
        'not checked: needs a record of accepted message IDs, which an endpoint keeps (the identity provider facade does); the CLI keeps none',
    },
  ];
  const failed = failure ? failedCheck(failure.code) : undefined;
  for (const check of checks) {
    if (check.check === failed) check.status = 'FAIL';
    else if (!failure && check.status === 'requested') check.status = 'pass';
  }
  return checks;
}

function formatChecks(checks: readonly Check[]): string {
  return checks
    .map(({ check, status, detail }) => `  ${status.padEnd(9)} ${check.padEnd(13)} ${printable(detail)}\n`)
    .join('');
}

function parseNow(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || !Number.isFinite(date.getTime())) {
    throw new UsageError(
      "option '--now' must be an ISO 8601 date-time such as 2026-04-20T10:00:00Z",
      'verify',
    );
  }
  return date;
}

function parseSkew(value: string | undefined): number {
  if (value === undefined) return defaultReceiveLimits.clockSkewMs / 1000;
  if (!/^\d{1,6}$/.test(value)) {
    throw new UsageError("option '--clock-skew' must be a whole number of seconds", 'verify');
  }
  return Number(value);
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: "Verify a message with samlkit's receive checks and trusted certificates",
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandLine('verify', args, spec, { min: 1, max: 1 });
    if (!values.cert || values.cert.length === 0) {
      throw new UsageError("option '--cert' is required (the peer's certificate)", 'verify');
    }
    const now = parseNow(values.now);
    const skewSeconds = parseSkew(values['clock-skew']);
    const text = await readInputText(positionals[0]!, io);
    const plan: Plan = {
      trust: loadTrustedCertificates(values.cert),
      skewSeconds,
      unsafeAllowSha1: values['unsafe-allow-sha1'] === true,
      reencoded: values['accept-reencoded-signature'] === true,
      decryptionKeys: (values.key ?? []).map((file) => readPemOption('key', file)),
      ...(values.audience === undefined ? {} : { audience: values.audience }),
      ...(now ? { now } : {}),
      ...(values.issuer === undefined ? {} : { issuer: values.issuer }),
      ...(values.destination === undefined ? {} : { destination: values.destination }),
      ...(values['in-response-to'] === undefined ? {} : { inResponseTo: values['in-response-to'] }),
    };
    const options: ReceiveRedirectOptions = {
      trust: plan.trust,
      clockSkewMs: skewSeconds * 1000,
      expect: {
        ...(plan.issuer === undefined ? {} : { issuer: plan.issuer }),
        ...(plan.destination === undefined ? {} : { destination: plan.destination }),
        ...(plan.inResponseTo === undefined ? {} : { inResponseTo: plan.inResponseTo }),
      },
      ...(now ? { clock: () => now } : {}),
      ...(plan.unsafeAllowSha1 ? { unsafeAllowSha1: true } : {}),
      ...(values['unsafe-allow-short-rsa-keys'] === true ? { unsafeAllowShortRsaKeys: true } : {}),
      ...(plan.reencoded ? { acceptReencodedSignature: true } : {}),
    };

    let received: Received | undefined;
    let failure: SamlError | undefined;
    let sso: VerifiedSsoResponse | undefined;
    try {
      plan.input = readMessageInput(text);
      if (isElement(plan.input.message, 'samlp', 'Response') && plan.input.binding === 'post') {
        ({ received, sso } = receiveSsoResponse(plan.input, plan, options));
      } else {
        received = receive(plan.input, options);
      }
    } catch (error) {
      if (!isSamlError(error)) throw error;
      failure = error;
    }
    const checks = buildChecks(plan, received, failure, sso);
    const path = sso ? ssoReceivePath : plan.input ? receivePaths[plan.input.binding] : undefined;
    let summary: MessageSummary | undefined;
    if (received) summary = summarizeMessage(received.header, received.xml, parseXml(received.xml).root);
    if (summary && sso) {
      delete summary.assertion;
      if (sso.assertion) summary.assertion = sso.assertion;
      if (sso.encrypted) summary.encryptedAssertion = true;
    }

    if (values.json) {
      io.out(
        `${JSON.stringify(
          {
            valid: failure === undefined,
            ...(failure
              ? {
                  code: failure.code,
                  message: failure.message,
                  ...(failure.details ? { details: failure.details } : {}),
                }
              : {}),
            ...(plan.input ? { binding: plan.input.binding, receivedWith: path } : {}),
            checks,
            ...(sso
              ? {
                  responseSigned: sso.responseSignature !== undefined,
                  assertionSigned: sso.assertionSignature !== undefined,
                  assertionEncrypted: sso.encrypted,
                  ...(sso.assertionXml === undefined ? {} : { assertionXml: sso.assertionXml }),
                }
              : {}),
            ...(received
              ? {
                  algorithm: received.algorithm,
                  certificate: received.certificate && {
                    subject: received.certificate.subject,
                    fingerprintSha256: received.certificate.fingerprintSha256,
                  },
                  ...(received.relayState === undefined ? {} : { relayState: received.relayState }),
                  summary,
                  xml: received.xml,
                }
              : {}),
          },
          null,
          2,
        )}\n`,
      );
    } else if (received && summary) {
      const signer = received.certificate
        ? received.certificate.subject.replace(/\n/g, ', ')
        : 'a trusted certificate';
      const signedWhat = sso
        ? ` (${[
            sso.responseSignature ? 'Response' : undefined,
            sso.assertionSignature ? 'assertion' : undefined,
          ]
            .filter(Boolean)
            .join(' and ')} signed${sso.encrypted ? ', assertion decrypted' : ''})`
        : '';
      io.out(
        `VALID: ${received.messageType} over ${bindingNames[received.binding]}, signed ${
          received.algorithm ? signatureAlgorithmName(received.algorithm) : ''
        } by ${signer}${signedWhat}\n\n`,
      );
      io.out(`Checks (${path}):\n${formatChecks(checks)}\n`);
      io.out('Verified message:\n');
      io.out(
        formatRows(
          [
            ...summaryRows(summary),
            [
              'RelayState',
              received.relayState === undefined ? '(none)' : JSON.stringify(received.relayState),
            ],
          ],
          '  ',
        ),
      );
    } else if (failure) {
      io.out(`INVALID: ${failure.code}: ${failure.message}\n`);
      for (const line of detailLines(failure.details)) io.out(`${line}\n`);
      if (failure.code === 'SAML_SIGNATURE_MISSING' && plan.input?.form === 'base64' && plan.input.deflated) {
        io.out(
          '  (an HTTP-Redirect signature travels in the SigAlg and Signature parameters: pass the whole URL)\n',
        );
      }
      io.out(`\nChecks (${path ?? 'input not decoded'}):\n${formatChecks(checks)}`);
    }
    if (failure) {
      io.err(`samlkit: ${failure.code}: ${failure.message}\n`);
      return 1;
    }
    return 0;
  },
};
