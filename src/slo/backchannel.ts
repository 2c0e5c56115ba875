import type { EnvelopedSignOptions } from '../bindings/index.js';
import { encodePost, encodeSoap, receiveSoap } from '../bindings/index.js';
import type { Provider } from '../config/index.js';
import { isSamlError } from '../errors/index.js';
import { parseLogoutResponse } from '../logout/index.js';
import type { Clock } from '../message/context.js';
import type { Transport } from '../transport/transport.js';
import { backchannelEndpoint, type ChosenEndpoint } from './endpoints.js';

/** Everything one back-channel delivery needs. */
export interface BackchannelDelivery {
  provider: Provider;
  /** Where and how to send it. Default: `backchannelEndpoint(provider)`. */
  endpoint?: ChosenEndpoint<'soap' | 'post'>;
  /** The unsigned LogoutRequest XML and its ID. */
  request: { id: string; xml: string };
  sign: EnvelopedSignOptions;
  transport: Transport;
  timeoutMs: number;
  clock: Clock;
  clockSkewMs: number;
}

/**
 * The result of delivering one LogoutRequest server to server. `reason` goes into the
 * participant's outcome and is coarse on purpose: whatever an SP's endpoint answered
 * (an HTTP status, a refused port, a timeout) is `SAML_TRANSPORT_FAILED`, so outcomes
 * are no oracle on what lies behind an SLS URL an SP registered. `status` and
 * `detail` are for the operator's `participant_failed` event and retry decisions.
 */
export type DeliveryResult = { ok: true } | { ok: false; reason: string; status?: number; detail?: string };

const soapAction = 'http://www.oasis-open.org/committees/security';

/**
 * Sends a LogoutRequest over SOAP (SAMLBind §3.2) or as an HTTP-POST form
 * (authentik's back channel) and judges the answer. A SOAP answer must be a
 * LogoutResponse from that SP to this request, signed when the SP has
 * verification certificates, with Success status. A POST answer counts by its
 * HTTP status, as there is no SAML reply on that channel. Never throws: every
 * failure, including one thrown by a custom Transport, is a `{ ok: false }`.
 */
export async function deliverBackchannel(delivery: BackchannelDelivery): Promise<DeliveryResult> {
  const { provider, request, transport } = delivery;
  try {
    const endpoint = delivery.endpoint ?? backchannelEndpoint(provider);
    if (endpoint === undefined) return { ok: false, reason: 'no_sls_url' };
    if (endpoint.binding === 'soap') {
      const response = await transport.send({
        url: endpoint.url,
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapAction },
        body: encodeSoap(request, { sign: delivery.sign }),
        timeoutMs: delivery.timeoutMs,
      });
      if (response.status < 200 || response.status >= 300) return httpFailure(response);
      const contentType = response.headers['content-type'];
      if (contentType !== undefined && !soapContentType.test(contentType)) {
        // An HTML error or login page answered with 200: say so, not "malformed XML".
        return httpFailure(response, `answered ${mediaType(contentType)}, not SOAP`);
      }
      const received = receiveSoap(response.body, {
        trust: provider.verificationCertificates,
        requireSignature: provider.verificationCertificates.length > 0,
        messageTypes: ['LogoutResponse'],
        expect: { issuer: provider.entityId, inResponseTo: request.id },
        clock: delivery.clock,
        clockSkewMs: delivery.clockSkewMs,
        unsafeAllowSha1: provider.unsafeAllowSha1,
        unsafeAllowDsa: provider.unsafeAllowDsa,
        unsafeAllowShortRsaKeys: provider.unsafeAllowShortRsaKeys,
      });
      const status = parseLogoutResponse(received).status;
      return status.success ? { ok: true } : { ok: false, reason: status.subCode ?? status.code };
    }
    const form = encodePost({
      type: 'SAMLRequest',
      xml: request,
      destination: endpoint.url,
      sign: delivery.sign,
    });
    const response = await transport.send({
      url: endpoint.url,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form.fields).toString(),
      timeoutMs: delivery.timeoutMs,
    });
    return response.status >= 200 && response.status < 300 ? { ok: true } : httpFailure(response);
  } catch (error) {
    // One SP's failure never aborts the others, whatever the Transport throws.
    if (!isSamlError(error)) return { ok: false, reason: 'SAML_TRANSPORT_FAILED', detail: 'transport error' };
    if (!isSamlError(error, 'SAML_TRANSPORT_FAILED')) return { ok: false, reason: error.code };
    // A Transport may throw a SamlError from another copy of the package: check the shapes anyway.
    const { status, reason } = error.details;
    return {
      ok: false,
      reason: error.code,
      ...(typeof status === 'number' ? { status } : {}),
      ...(typeof reason === 'string' ? { detail: reason } : {}),
    };
  }
}

// SOAP 1.1 answers are text/xml (SAMLBind §3.2.3.3); application/soap+xml and application/xml are tolerated.
const soapContentType = /^\s*(text\/xml|application\/(soap\+)?xml)\s*(;|$)/i;

/** The media type alone, for the operator's log: no parameters, bounded, printable. */
function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '')
    .trim()
    .toLowerCase()
    .replace(/[^\w.+/-]/g, '')
    .slice(0, 64);
}

function httpFailure(
  response: { status: number; headers: Record<string, string> },
  why?: string,
): DeliveryResult {
  const type = response.headers['content-type'];
  const detail = why ?? `HTTP ${response.status}${type === undefined ? '' : ` (${mediaType(type)})`}`;
  return { ok: false, reason: 'SAML_TRANSPORT_FAILED', status: response.status, detail };
}
