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

/** The result of delivering one LogoutRequest server to server. */
export type DeliveryResult = { ok: true } | { ok: false; reason: string; detail?: string };

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
        body: encodeSoap(request.xml, { sign: delivery.sign }),
        timeoutMs: delivery.timeoutMs,
      });
      if (response.status < 200 || response.status >= 300)
        return { ok: false, reason: `http_${response.status}` };
      const received = receiveSoap(response.body, {
        trust: provider.verificationCertificates,
        requireSignature: provider.verificationCertificates.length > 0,
        messageTypes: ['LogoutResponse'],
        expect: { issuer: provider.entityId, inResponseTo: request.id },
        clock: delivery.clock,
        clockSkewMs: delivery.clockSkewMs,
        unsafeAllowSha1: provider.unsafeAllowSha1,
        unsafeAllowDsa: provider.unsafeAllowDsa,
      });
      const status = parseLogoutResponse(received.xml).status;
      return status.success ? { ok: true } : { ok: false, reason: status.subCode ?? status.code };
    }
    const form = encodePost({
      type: 'SAMLRequest',
      xml: request.xml,
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
    return response.status >= 200 && response.status < 300
      ? { ok: true }
      : { ok: false, reason: `http_${response.status}` };
  } catch (error) {
    // One SP's failure never aborts the others, whatever the Transport throws.
    if (!isSamlError(error)) return { ok: false, reason: 'SAML_TRANSPORT_FAILED', detail: 'transport error' };
    const detail = (error.details as { reason?: unknown } | undefined)?.reason;
    return {
      ok: false,
      reason: error.code,
      ...(error.code === 'SAML_TRANSPORT_FAILED' && typeof detail === 'string' ? { detail } : {}),
    };
  }
}
