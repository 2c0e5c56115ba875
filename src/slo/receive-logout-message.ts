import { detectBinding, type HttpInput, inspectMessage, type Received } from '../bindings/index.js';
import type { Provider } from '../config/index.js';
import { isSamlError, SamlError } from '../errors/index.js';
import { findSender, verifyFromSender } from '../message/receive-from-provider.js';
import type { SloContext } from './context.js';
import type { LogoutMessageResult, LogoutResult } from './logout-result.js';

/** Which registered provider a message named, once known: filled in by `receiveLogoutMessage`. */
export interface Attribution {
  providerId?: string;
}

/**
 * Runs one step on a received logout message and makes its refusal a result:
 * a `SamlError` becomes `{ ok: false, error, providerId? }`; anything else
 * (a bug, a TypeError) is thrown on.
 */
export async function resultOf(
  run: (attribution: Attribution) => Promise<LogoutResult>,
): Promise<LogoutMessageResult> {
  const attribution: Attribution = {};
  try {
    return { ok: true, ...(await run(attribution)) };
  } catch (error) {
    if (!isSamlError(error)) throw error;
    const { providerId } = attribution;
    return { ok: false, error, ...(providerId === undefined ? {} : { providerId }) };
  }
}

/** A logout message verified as coming from a registered SP. */
export interface ReceivedLogoutMessage {
  received: Received;
  providerId: string;
  provider: Provider;
}

/** Tells the operator a logout message was refused (only SamlErrors: the message's fault). */
export function emitRejected(
  context: SloContext,
  messageType: 'LogoutRequest' | 'LogoutResponse',
  providerId: string | undefined,
  error: unknown,
): void {
  if (isSamlError(error)) {
    context.emit({
      type: 'message_rejected',
      messageType,
      code: error.code,
      ...(providerId ? { providerId } : {}),
    });
  }
}

/**
 * Receives a logout message from a registered SP: Issuer lookup on the
 * unverified message, then signature (that provider's certificates only,
 * always required: SAMLProf §4.4.4), Destination, times, InResponseTo and
 * replay. A binding is accepted only when its SLO endpoint is configured.
 * `expectResponse` resolves the request a response must answer, and may refuse it first.
 *
 * @throws SamlError when the message is refused; a `message_rejected` event is emitted.
 */
export async function receiveLogoutMessage(
  context: SloContext,
  input: HttpInput,
  expected: 'LogoutRequest' | 'LogoutResponse',
  attribution: Attribution,
  expectResponse?: (sender: { relayState: string | undefined; providerId: string }) => Promise<string>,
): Promise<ReceivedLogoutMessage> {
  let providerId: string | undefined;
  try {
    // A binding without an endpoint is refused before its message is decoded.
    const binding = detectBinding(input);
    const names = { redirect: 'sloRedirect', post: 'sloPost', soap: 'sloSoap' } as const;
    const endpoint = context.endpoints[names[binding]];
    if (endpoint === undefined) {
      throw new SamlError(
        'SAML_BINDING_PARAMETER_INVALID',
        binding === 'soap'
          ? 'SOAP logout is not enabled (no endpoints.sloSoap)'
          : `logout on this binding is not enabled (no endpoints.${names[binding]})`,
      );
    }
    const inspected = inspectMessage(input);
    const sender = await findSender(context.store, inspected);
    providerId = sender.providerId;
    attribution.providerId = providerId;
    const { provider } = sender;
    if (provider.verificationCertificates.length === 0) {
      throw new SamlError(
        'SAML_SIGNATURE_MISSING',
        'the provider has no verification certificate to check its messages',
      );
    }
    // Front-channel messages must name the endpoint they were sent to (SAMLBind §3.4.5.2, §3.5.5.2);
    // on SOAP, Destination is optional but must be ours when present.
    const destination =
      inspected.binding === 'soap' && inspected.header.destination === undefined ? undefined : endpoint;
    const inResponseTo = expectResponse
      ? await expectResponse({ relayState: inspected.relayState, providerId: sender.providerId })
      : undefined;
    const received = await verifyFromSender(context, input, inspected, sender, {
      messageType: expected,
      requireSignature: true,
      ...(destination ? { destination } : {}),
      ...(inResponseTo ? { inResponseTo } : {}),
    });
    return { received, providerId: sender.providerId, provider };
  } catch (error) {
    emitRejected(context, expected, providerId, error);
    throw error;
  }
}
